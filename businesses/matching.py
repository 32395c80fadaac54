"""Matchmaking: pairs of businesses across a partnership's cities that complement each other,
ranked, each with the reasons for it, and each reason naming the facts that matched.

The pool is the member businesses of the associations of the partnership's member cities (a
business's city is its association's city), at most MAX_POOL_PER_CITY per city, those with
interest registered in this partnership and the most export-ready first. A chamber's view
(`own_associations`) pairs only its own businesses with those of the other cities. The pairs are
then scored in Python: a fixed number of queries, whatever the number of businesses.

What the businesses say is what counts. Sector letters and the generic "seeks buyers / seeks
suppliers" needs say that a business trades, not what: on their own they once ranked "ship
repair supplies textile design" at 87 points. So a pair ranks only on a *concrete fact*:

- Product (vertical, buyer–supplier), PRODUCT points, PRODUCT_WORD more for each further word
  (at most PRODUCT_WORDS_MAX more): words of what one seeks (`products_sought`) are in what the
  other offers (`products_services`), compared after normalising (case, accents, simple plurals,
  a few stop words).
- Market, MARKET points: one seeks export markets (`markets_sought`) in the other's country.
- Complement, COMPLEMENT points each: one offers investment, technology, students or tourism
  that the other seeks (the needs of the profile).
- Same trade (horizontal, same stage, often competitors cooperating), HORIZONTAL points: in a
  shared sector, both offer the same products (words in common in `products_services`).

On a pair with a concrete fact, what places it in a value chain adds to it:

- Vertical, for the supplier → buyer direction that scores best: CHAIN when their declared
  positions are adjacent (primary → processing → distribution → retail; services serve any
  stage), SECTOR_LINK when a sector of the supplier is upstream of one of the buyer's in
  VALUE_CHAIN, TRADE_NEED per side saying it trades (the buyer seeks suppliers or offers a
  market, the supplier seeks buyers or offers supply).
- Horizontal, in a shared sector: CHAIN for the same declared position, SECTOR_LINK for the
  shared sector, COMMON_NEED per need (technology, investment) both seek.
- Bonuses: export readiness (READY_BONUS per business that is export-ready or exporting,
  EXPLORING_BONUS when exploring) and registered interest (INTEREST_BONUS per business whose
  chamber registered it in this partnership, pending or accepted).

A pair whose only link is the value chain (sectors, positions, generic trade needs) scores at
most CONTEXT_ONLY points, no bonus, and says so: it ranks below every pair with a concrete fact.
The direction is horizontal when the horizontal facts outweigh the vertical ones.

Pairs already together in a sub-alliance of this partnership that has not ended are left out.

The points and the comparison of words are in matching_vocabulary.py, the sentences of the
reasons in matching_reasons.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.utils.translation import gettext as _

from alliances.models import Organisation, SubAlliance, SubAllianceParty
from businesses.matching_reasons import (
    OFFERS_MARKET,
    OFFERS_SUPPLY,
    SEEKS_BUYERS,
    SEEKS_SUPPLIERS,
    describe,
)
from businesses.matching_vocabulary import (  # the points and words, for the pages and tests
    BUYERS,
    CHAIN,
    COMMON_NEED,
    COMMON_NEEDS,
    COMPLEMENT,
    COMPLEMENT_NEEDS,
    CONTEXT_ONLY,
    EXPLORING_BONUS,
    HORIZONTAL,
    INTEREST_BONUS,
    MARKET,
    PRODUCT,
    PRODUCT_WORD,
    PRODUCT_WORDS_MAX,
    READY_BONUS,
    SECTOR_LINK,
    SUPPLIERS,
    TRADE_NEED,
    chain_supplies,
    product_words,
    upstream_links,
)
from businesses.matching_vocabulary import (
    WEIGHTS as WEIGHTS,
)
from businesses.models import (
    BusinessAssociation,
    BusinessProfile,
    InterestedBusiness,
    InterestRegistration,
)
from core.errors import DomainError
from partnerships.models import Partnership

MAX_POOL_PER_CITY = 400


# --- The businesses and their facts -----------------------------------------------------------


@dataclass
class _Business:
    """What the scoring reads of one business, gathered from prefetched rows."""

    profile: BusinessProfile
    city_id: int
    sectors: dict[str, str]  # code → name
    seeks: dict[str, str]  # need code → name as sought
    offers: dict[str, str]  # need code → name as offered
    interested: bool
    offer_words: dict[str, str] = field(default_factory=dict)
    sought_words: dict[str, str] = field(default_factory=dict)
    position: str = ""
    country: str = ""
    markets: frozenset[str] = frozenset()

    @property
    def name(self) -> str:
        return self.profile.organisation.name

    @property
    def position_label(self) -> str:
        return BusinessProfile.ChainPosition(self.position).label.lower()

    def trades_as_buyer(self) -> list[str]:
        return ([SEEKS_SUPPLIERS] if SUPPLIERS in self.seeks else []) + (
            [OFFERS_MARKET] if BUYERS in self.offers else []
        )

    def trades_as_supplier(self) -> list[str]:
        return ([SEEKS_BUYERS] if BUYERS in self.seeks else []) + (
            [OFFERS_SUPPLY] if SUPPLIERS in self.offers else []
        )


def _matched(wanted: dict[str, str], offered: dict[str, str]) -> list[str]:
    """The words of `wanted` (as written there) that `offered` has too, in `wanted`'s order."""
    if len(offered) < len(wanted):
        common = wanted.keys() & offered.keys()
        return [word for key, word in wanted.items() if key in common]
    return [word for key, word in wanted.items() if key in offered]


@dataclass
class _Match:
    """A scored pair, its facts kept as tuples and described only for the pairs shown."""

    a: _Business
    b: _Business
    score: int
    direction: str
    facts: list[tuple]
    supplier: _Business | None = None
    buyer: _Business | None = None


def _vertical_facts(s: _Business, b: _Business) -> tuple[int, int, list[tuple]]:
    """(product points, context points, facts) of `s` supplying `b`."""
    facts: list[tuple] = []
    product = 0
    words = _matched(b.sought_words, s.offer_words) if b.sought_words and s.offer_words else []
    if words:
        product = PRODUCT + PRODUCT_WORD * min(len(words) - 1, PRODUCT_WORDS_MAX)
        facts.append(("product", product, s, b, words))
    context = 0
    if chain_supplies(s.position, b.position):
        context += CHAIN
        facts.append(("chain", CHAIN, s, b))
    links = upstream_links(s.sectors, b.sectors)
    if links:
        context += SECTOR_LINK
        facts.append(("sector_link", SECTOR_LINK, s, b, links[0]))
    if product or context:
        sides = (bool(b.trades_as_buyer()), bool(s.trades_as_supplier()))
        if any(sides):
            points = TRADE_NEED * sum(sides)
            context += points
            facts.append(("trade", points, s, b))
    return product, context, facts


def _horizontal_facts(a: _Business, b: _Business) -> tuple[int, int, list[tuple]]:
    """(same-trade points, context points, facts) of two businesses of one sector."""
    shared = sorted(set(a.sectors) & set(b.sectors))
    if not shared:
        return 0, 0, []
    facts: list[tuple] = []
    same = 0
    words = _matched(a.offer_words, b.offer_words) if a.offer_words and b.offer_words else []
    if words:
        same = HORIZONTAL
        facts.append(("same_trade", HORIZONTAL, a, b, words, shared))
    context = SECTOR_LINK
    facts.append(("shared_sector", SECTOR_LINK, a, b, shared))
    if a.position and a.position == b.position:
        context += CHAIN
        facts.append(("same_stage", CHAIN, a, b))
    common = [n for n in COMMON_NEEDS if n in a.seeks and n in b.seeks]
    if common:
        context += COMMON_NEED * len(common)
        facts.append(("common_need", COMMON_NEED * len(common), a, b, common))
    return same, context, facts


def _neutral_facts(a: _Business, b: _Business) -> tuple[int, list[tuple]]:
    """Markets sought and complementary needs: points and facts."""
    points, facts = 0, []
    for seeker, other in ((a, b), (b, a)):
        if other.country and other.country != seeker.country and other.country in seeker.markets:
            points += MARKET
            facts.append(("market", MARKET, seeker, other))
    for giver, taker in ((a, b), (b, a)):
        for need in COMPLEMENT_NEEDS:
            if need in giver.offers and need in taker.seeks:
                points += COMPLEMENT
                facts.append(("complement", COMPLEMENT, giver, taker, need))
    return points, facts


def _bonuses(pair: Iterable[_Business]) -> tuple[int, list[tuple]]:
    points, facts = 0, []
    readiness = BusinessProfile.ExportReadiness
    for x in pair:
        level = x.profile.export_readiness
        if level in (readiness.READY, readiness.EXPORTING):
            points += READY_BONUS
            facts.append(("ready", READY_BONUS, x))
        elif level == readiness.EXPLORING:
            points += EXPLORING_BONUS
            facts.append(("exploring", EXPLORING_BONUS, x))
        if x.interested:
            points += INTEREST_BONUS
            facts.append(("interest", INTEREST_BONUS, x))
    return points, facts


def _score(a: _Business, b: _Business) -> _Match | None:
    """The scored pair of two businesses of different cities, or None if nothing links them.

    Score: every concrete fact, the context of the direction that wins (vertical or
    horizontal), and the bonuses; only the value chain (no concrete fact): CONTEXT_ONLY at most.
    """
    ab, ba = _vertical_facts(a, b), _vertical_facts(b, a)
    # The direction that scores best gives the supplier and the buyer; a product match the
    # other way too (they trade both ways) still counts.
    best, other = (ab, ba) if ab[0] + ab[1] >= ba[0] + ba[1] else (ba, ab)
    supplier, buyer = (a, b) if best is ab else (b, a)
    v_concrete, v_context = best[0] + other[0], best[1]
    v_facts = best[2] + [f for f in other[2] if f[0] == "product"]
    h_same, h_context, h_facts = _horizontal_facts(a, b)
    n_points, n_facts = _neutral_facts(a, b)
    horizontal = h_same + h_context > v_concrete + v_context
    facts = v_facts + h_facts
    concrete_facts = [f for f in facts if f[0] in ("product", "same_trade")]
    context_facts = [f for f in (h_facts if horizontal else v_facts) if f not in concrete_facts]
    context = h_context if horizontal else v_context
    concrete = v_concrete + h_same + n_points
    # A vertical pair names its supplier and buyer when the value chain or a product says so.
    roles = (supplier, buyer) if not horizontal and (v_concrete or v_context) else (None, None)
    direction = "horizontal" if horizontal else "vertical"
    if concrete == 0:
        if not context_facts:
            return None
        facts = [*context_facts, ("context_only", 0)]
        return _Match(a, b, min(CONTEXT_ONLY, context), direction, facts, *roles)
    bonus, b_facts = _bonuses((a, b))
    # Concrete facts first (the largest first), then what places the pair, then bonuses.
    concrete_facts = sorted(concrete_facts + n_facts, key=lambda f: -f[1])
    facts = concrete_facts + context_facts + b_facts
    return _Match(a, b, concrete + context + bonus, direction, facts, *roles)


@dataclass(frozen=True)
class Suggestion:
    """A suggested pair; `first` and `second` are in different cities. For a vertical pair
    `supplier` and `buyer` say which is which."""

    first: BusinessProfile
    second: BusinessProfile
    score: int
    direction: str  # SubAlliance.LinkageDirection
    reasons: list[str] = field(default_factory=list)
    supplier: BusinessProfile | None = None
    buyer: BusinessProfile | None = None

    @property
    def organisation_ids(self) -> frozenset[int]:
        return frozenset({self.first.organisation_id, self.second.organisation_id})


def _suggestion(match: _Match) -> Suggestion:
    return Suggestion(
        first=match.a.profile,
        second=match.b.profile,
        score=match.score,
        direction=match.direction,
        reasons=[describe(f) for f in match.facts],
        supplier=match.supplier.profile if match.supplier else None,
        buyer=match.buyer.profile if match.buyer else None,
    )


def score_pair(a: _Business, b: _Business) -> Suggestion | None:
    """The suggestion for two businesses of different cities, or None if they do not match."""
    match = _score(a, b)
    return _suggestion(match) if match else None


# --- Reading the pool ------------------------------------------------------------------------


def _interest(partnership: Partnership) -> Exists:
    return Exists(
        InterestedBusiness.objects.filter(
            business=OuterRef("pk"),
            partnership=partnership,
            withdrawn=False,
            registration__status__in=[
                InterestRegistration.Status.PENDING,
                InterestRegistration.Status.ACCEPTED,
            ],
        )
    )


def _lists(profiles: list[BusinessProfile]) -> dict[tuple[str, int], dict[str, str]]:
    """The sectors, seeks and offers of these businesses in ONE query (a union of the three
    link tables with the names joined): {(kind, owner id): {code: name}}, the owner being the
    organisation for sectors and the profile for needs."""
    profile_ids = [p.pk for p in profiles]
    organisation_ids = [p.organisation_id for p in profiles]
    SectorLink = Organisation.sectors.through
    SeekLink, OfferLink = BusinessProfile.seeks.through, BusinessProfile.offers.through
    sectors = SectorLink.objects.filter(organisation_id__in=organisation_ids).values_list(
        Value("sector"), "organisation_id", "sector__code", "sector__name"
    )
    seeks = SeekLink.objects.filter(businessprofile_id__in=profile_ids).values_list(
        Value("seek"), "businessprofile_id", "need__code", "need__name"
    )
    offers = OfferLink.objects.filter(businessprofile_id__in=profile_ids).values_list(
        Value("offer"), "businessprofile_id", "need__code", "need__offer_name"
    )
    found: dict[tuple[str, int], dict[str, str]] = {}
    for kind, owner, code, name in sectors.union(seeks, offers, all=True):
        found.setdefault((kind, owner), {})[code] = _(name)  # stored in English
    return found


def _profiles(partnership: Partnership, ids: Iterable[int]) -> list[_Business]:
    """Businesses with their city, sectors and needs: two queries."""
    profiles = list(
        BusinessProfile.objects.filter(pk__in=list(ids))
        .select_related("organisation__partner")
        .annotate(interested=_interest(partnership))
        .order_by("organisation__name", "pk")
    )
    lists = _lists(profiles) if profiles else {}
    return [
        _Business(
            profile=p,
            city_id=p.organisation.partner_id,
            sectors=dict(sorted(lists.get(("sector", p.organisation_id), {}).items())),
            seeks=lists.get(("seek", p.pk), {}),
            offers=lists.get(("offer", p.pk), {}),
            interested=p.interested,
            offer_words=product_words(p.products_services),
            sought_words=product_words(p.products_sought),
            position=p.chain_position,
            country=p.organisation.partner.country.code or "",
            markets=frozenset(c.code for c in p.markets_sought),
        )
        for p in profiles
    ]


_READINESS_RANK = Case(
    *(
        When(export_readiness=level, then=Value(rank))
        for rank, level in enumerate(BusinessProfile.ExportReadiness.values)
    ),
    default=Value(0),
    output_field=IntegerField(),
)


def _pool_ids(
    partnership: Partnership, city_ids: Iterable[int], keep: Q | None = None
) -> list[int]:
    """At most MAX_POOL_PER_CITY businesses per city (those that `keep`): one small query per
    member city."""
    ids: list[int] = []
    for city_id in city_ids:
        # The kind (always "chamber" for an association's organisation) lets PostgreSQL
        # start from the (partner, kind) index: without it, for a city with no chamber, it
        # walked all 50,000 organisations by primary key (~30 ms per city).
        qs = BusinessProfile.objects.filter(
            association__organisation__partner_id=city_id,
            association__organisation__kind=Organisation.Kind.CHAMBER,
        )
        if keep is not None:
            qs = qs.filter(keep)
        ids += list(
            qs.annotate(interested=_interest(partnership), readiness=_READINESS_RANK)
            .order_by("-interested", "-readiness", "-updated_at", "pk")
            .values_list("pk", flat=True)[:MAX_POOL_PER_CITY]
        )
    return ids


def _paired_already(partnership: Partnership) -> set[frozenset[int]]:
    """Organisation pairs already together in a sub-alliance (not ended) of the partnership."""
    rows = (
        SubAllianceParty.objects.filter(
            sub_alliance__partnership=partnership,
        )
        .exclude(sub_alliance__status=SubAlliance.Status.ENDED)
        .values_list("sub_alliance_id", "organisation_id")
    )
    by_alliance: dict[int, list[int]] = {}
    for alliance_id, organisation_id in rows:
        by_alliance.setdefault(alliance_id, []).append(organisation_id)
    return {
        frozenset(pair) for members in by_alliance.values() for pair in combinations(members, 2)
    }


def _member_city_ids(partnership: Partnership) -> list[int]:
    return sorted({m.partner_id for m in partnership.members.all()})


def _candidate_pairs(partnership: Partnership, cities: list[int], own_associations):
    """The pool and the pairs to score: every cross-city pair, or (a chamber's view) each of
    its own businesses (first) with each business of another city (second)."""
    if own_associations is None:
        pool = _profiles(partnership, _pool_ids(partnership, cities))
        return [(a, b) for a, b in combinations(pool, 2) if a.city_id != b.city_id]
    own_ids = set(own_associations)
    if not own_ids:
        return []
    # In the associations' own cities only their businesses; all of the other cities'.
    own_cities = BusinessAssociation.objects.filter(pk__in=own_ids).values(
        "organisation__partner_id"
    )
    keep = Q(association_id__in=own_ids) | ~Q(association__organisation__partner_id__in=own_cities)
    pool = _profiles(partnership, _pool_ids(partnership, cities, keep))
    own = [x for x in pool if x.profile.association_id in own_ids]
    others = [x for x in pool if x.profile.association_id not in own_ids]
    return [(a, b) for a in own for b in others if a.city_id != b.city_id]


def suggest_business_pairs(
    partnership: Partnership, limit: int = 20, own_associations: Iterable[int] | None = None
) -> list[Suggestion]:
    """The best `limit` pairs of businesses from different member cities, best first. With
    `own_associations` (a chamber's view): only pairs of one of these associations' businesses
    (`first`) with a business of another association in another member city (`second`)."""
    cities = _member_city_ids(partnership)
    if len(cities) < 2:
        return []
    taken = _paired_already(partnership)
    matches = []
    for a, b in _candidate_pairs(partnership, cities, own_associations):
        if frozenset({a.profile.organisation_id, b.profile.organisation_id}) in taken:
            continue
        match = _score(a, b)
        if match is not None:
            matches.append(match)
    matches.sort(key=lambda m: (-m.score, m.a.name, m.b.name))
    return [_suggestion(m) for m in matches[:limit]]


def evaluate_pair(
    partnership: Partnership, first: BusinessProfile, second: BusinessProfile
) -> Suggestion | None:
    """Score one pair as the suggestions do (for turning a suggestion into a sub-alliance or
    proposing it); `first` stays first. Raises DomainError when the two cannot be paired in
    this partnership at all."""
    cities = set(_member_city_ids(partnership))
    pair = {x.profile.pk: x for x in _profiles(partnership, [first.pk, second.pk])}
    if len(pair) != 2:
        raise DomainError(_("Choose two different businesses."))
    a, b = pair[first.pk], pair[second.pk]
    if a.city_id not in cities or b.city_id not in cities:
        raise DomainError(_("Both businesses must belong to the partnership's member cities."))
    if a.city_id == b.city_id:
        raise DomainError(_("A suggested pair joins businesses of two different cities."))
    return score_pair(a, b)
