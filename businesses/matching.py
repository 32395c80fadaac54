"""Matchmaking: pairs of businesses across a partnership's cities that complement each other,
ranked, each with the reasons for it.

The pool is the member businesses of the associations of the partnership's member cities (a
business's city is its association's city), at most MAX_POOL_PER_CITY per city, those with
interest registered in this partnership and the most export-ready first. The pairs are then
scored in Python: a fixed number of queries, whatever the number of businesses.

How a pair scores (the points are weights for ranking, not a measure of anything):

- Vertical (buyer–supplier in one value chain), VERTICAL points: a sector of the supplier is
  upstream of a sector of the buyer in VALUE_CHAIN, and the buyer seeks suppliers or the
  supplier seeks buyers; CONFIRMED more for each side whose offer confirms it (the supplier
  offers supply, the buyer offers a market).
- Horizontal (same stage, often competitors cooperating), HORIZONTAL points: they share a
  sector and both seek technology and knowledge, or both seek investment (COMMON_NEED more per
  further shared need); KNOW_HOW more when one offers the technology the other seeks.
- Complement, COMPLEMENT points each: one offers investment, technology, students or tourism
  that the other seeks (counted where the two above did not already count it).
- Bonuses, only on a pair that already matches: export readiness (READY_BONUS per business
  that is export-ready or exporting, EXPLORING_BONUS when exploring) and registered interest
  (INTEREST_BONUS per business whose chamber registered it in this partnership, pending or
  accepted).

Pairs already together in a sub-alliance of this partnership that has not ended are left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations

from django.db.models import Case, Exists, IntegerField, OuterRef, Prefetch, Value, When

from alliances.models import Organisation, SubAlliance, SubAllianceParty
from businesses.models import BusinessProfile, InterestedBusiness, InterestRegistration
from core.errors import DomainError
from partnerships.models import Partnership, Sector

MAX_POOL_PER_CITY = 400

VERTICAL, CONFIRMED = 40, 10
HORIZONTAL, COMMON_NEED, KNOW_HOW = 30, 5, 15
COMPLEMENT = 15
READY_BONUS, EXPLORING_BONUS = 5, 2
INTEREST_BONUS = 10

BUYERS, SUPPLIERS = "buyers", "suppliers"
TECHNOLOGY, INVESTMENT = "technology", "investment"
# Needs that, sought by one and offered by the other, complement a pair.
COMPLEMENT_NEEDS = ("investment", "technology", "students", "tourism")

# Every section a business may be in: all but public administration (O), households (T) and
# extraterritorial bodies (U).
_BUSINESS_SECTIONS = frozenset("ABCDEFGHIJKLMNPQRS")

# The value chain between ISIC sections, upstream (supplier) → downstream (buyer). Small on
# purpose, and readable: a pair is "vertical" only along one of these links.
VALUE_CHAIN: dict[str, frozenset[str]] = {
    "A": frozenset("CGI"),  # farm produce → food manufacturing, wholesale/retail, hospitality
    "B": frozenset("CDF"),  # ores, fuel, stone → manufacturing, energy, construction
    "C": frozenset("FGHI"),  # manufactured goods → construction, trade, transport, hospitality
    "D": frozenset("CB"),  # energy → manufacturing, mining
    "F": frozenset("L"),  # construction → real estate
    "G": frozenset("I"),  # wholesale → hotels and restaurants
    "H": frozenset("ABCG"),  # transport and logistics → producers and traders
    "I": frozenset("R"),  # tourism: accommodation ↔ attractions and events…
    "R": frozenset("I"),  # …sell each other's visitors
    "J": _BUSINESS_SECTIONS - {"J"},  # information and communication serves most sectors
    "M": _BUSINESS_SECTIONS - {"M"},  # professional, scientific and technical services too
}


def upstream_links(supplier: Iterable[str], buyer: Iterable[str]) -> list[tuple[str, str]]:
    buyer = set(buyer)
    return sorted((s, b) for s in supplier for b in VALUE_CHAIN.get(s, ()) if b in buyer)


@dataclass
class _Business:
    """What the scoring reads of one business, gathered from prefetched rows."""

    profile: BusinessProfile
    city_id: int
    sectors: dict[str, str]  # code → name
    seeks: dict[str, str]  # need code → name as sought
    offers: dict[str, str]  # need code → name as offered
    interested: bool

    @property
    def name(self) -> str:
        return self.profile.organisation.name

    def offering(self) -> str:
        text = " ".join(self.profile.products_services.split())
        if not text:
            return "offers supply" if SUPPLIERS in self.offers else "a supplier"
        return f"offers {text if len(text) <= 40 else text[:39] + '…'}"


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


def _vertical(s: _Business, b: _Business) -> tuple[int, str] | None:
    """`s` supplies `b`, or None."""
    links = upstream_links(s.sectors, b.sectors)
    demand = SUPPLIERS in b.seeks or BUYERS in s.seeks
    if not links or not demand:
        return None
    points = VERTICAL
    points += CONFIRMED if SUPPLIERS in b.seeks and SUPPLIERS in s.offers else 0
    points += CONFIRMED if BUYERS in s.seeks and BUYERS in b.offers else 0
    up, down = links[0]
    s_bits = [s.offering()] + (["seeks buyers"] if BUYERS in s.seeks else [])
    b_bits = (["seeks suppliers"] if SUPPLIERS in b.seeks else []) + (
        ["buys"] if BUYERS in b.offers else []
    )
    if not b_bits:
        b_bits = ["a buyer in the chain"]
    return points, (
        f"Vertical: {s.name} ({up}, {', '.join(s_bits)}) supplies {b.name} "
        f"({down}, {', '.join(b_bits)})."
    )


def _horizontal(a: _Business, b: _Business) -> tuple[int, list[str], set[str]]:
    """Points, reasons and the needs it accounted for."""
    shared = sorted(set(a.sectors) & set(b.sectors))
    if not shared:
        return 0, [], set()
    common = sorted(set(a.seeks) & set(b.seeks) & {TECHNOLOGY, INVESTMENT})
    points, reasons, used = 0, [], set()
    where = ", ".join(f"{c} ({a.sectors[c]})" for c in shared)
    if common:
        points = HORIZONTAL + COMMON_NEED * (len(common) - 1)
        wanted = " and ".join(a.seeks[c].lower() for c in common)
        reasons.append(
            f"Horizontal: {a.name} and {b.name} are both in {where} and both seek {wanted}."
        )
    for giver, taker in ((a, b), (b, a)):
        if TECHNOLOGY in giver.offers and TECHNOLOGY in taker.seeks:
            points += KNOW_HOW if points else HORIZONTAL
            used.add(TECHNOLOGY)
            reasons.append(
                f"Horizontal: {giver.name} offers {giver.offers[TECHNOLOGY].lower()} that "
                f"{taker.name} seeks, in the same sector ({where})."
            )
    return points, reasons, used


def _complements(a: _Business, b: _Business, used: set[str]) -> tuple[int, list[str]]:
    points, reasons = 0, []
    for giver, taker in ((a, b), (b, a)):
        for need in COMPLEMENT_NEEDS:
            if need in used or need not in giver.offers or need not in taker.seeks:
                continue
            points += COMPLEMENT
            reasons.append(
                f"Complement: {giver.name} offers {giver.offers[need].lower()}; {taker.name} "
                f"seeks {taker.seeks[need].lower()}."
            )
    return points, reasons


def _bonuses(pair: Iterable[_Business]) -> tuple[int, list[str]]:
    points, reasons = 0, []
    readiness = BusinessProfile.ExportReadiness
    for x in pair:
        level = x.profile.export_readiness
        if level in (readiness.READY, readiness.EXPORTING):
            points += READY_BONUS
            reasons.append(f"Export-ready: {x.name} ({x.profile.get_export_readiness_display()}).")
        elif level == readiness.EXPLORING:
            points += EXPLORING_BONUS
            reasons.append(f"Exploring export: {x.name}.")
        if x.interested:
            points += INTEREST_BONUS
            reasons.append(f"Registered interest in this partnership: {x.name}.")
    return points, reasons


def score_pair(a: _Business, b: _Business) -> Suggestion | None:
    """The suggestion for two businesses of different cities, or None if they do not match."""
    a_supplies, b_supplies = _vertical(a, b), _vertical(b, a)
    verticals = sorted((v for v in (a_supplies, b_supplies) if v), key=lambda v: -v[0])
    vertical_points = verticals[0][0] if verticals else 0
    h_points, h_reasons, used = _horizontal(a, b)
    if verticals:
        used |= {BUYERS, SUPPLIERS}
    c_points, c_reasons = _complements(a, b, used)
    basis = vertical_points + h_points + c_points
    if basis == 0:
        return None
    bonus, b_reasons = _bonuses((a, b))
    supplier = buyer = None
    if h_points > vertical_points:
        direction = SubAlliance.LinkageDirection.HORIZONTAL
    else:
        # A complement (investment, students…) alone also links a buyer to a supplier.
        direction = SubAlliance.LinkageDirection.VERTICAL
        if verticals:
            a_first = (a_supplies or (-1,))[0] >= (b_supplies or (-1,))[0]
            supplier, buyer = (a, b) if a_first else (b, a)
    return Suggestion(
        first=a.profile,
        second=b.profile,
        score=basis + bonus,
        direction=direction,
        reasons=[v[1] for v in verticals] + h_reasons + c_reasons + b_reasons,
        supplier=supplier.profile if supplier else None,
        buyer=buyer.profile if buyer else None,
    )


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


def _profiles(partnership: Partnership, ids: Iterable[int]) -> list[_Business]:
    """Businesses with their sectors and needs: four queries."""
    profiles = (
        BusinessProfile.objects.filter(pk__in=list(ids))
        .select_related("organisation")
        .annotate(interested=_interest(partnership))
        .prefetch_related(
            Prefetch("organisation__sectors", queryset=Sector.objects.only("code", "name")),
            "seeks",
            "offers",
        )
        .order_by("organisation__name", "pk")
    )
    return [
        _Business(
            profile=p,
            city_id=p.organisation.partner_id,
            sectors={s.code: s.name for s in p.organisation.sectors.all()},
            seeks={n.code: n.name for n in p.seeks.all()},
            offers={n.code: n.offer_name for n in p.offers.all()},
            interested=p.interested,
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


def _pool_ids(partnership: Partnership, city_ids: Iterable[int]) -> list[int]:
    """At most MAX_POOL_PER_CITY businesses per city: one small query per member city."""
    ids: list[int] = []
    for city_id in city_ids:
        ids += list(
            # The kind (always "chamber" for an association's organisation) lets PostgreSQL
            # start from the (partner, kind) index: without it, for a city with no chamber, it
            # walked all 50,000 organisations by primary key (~30 ms per city).
            BusinessProfile.objects.filter(
                association__organisation__partner_id=city_id,
                association__organisation__kind=Organisation.Kind.CHAMBER,
            )
            .annotate(interested=_interest(partnership), readiness=_READINESS_RANK)
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


def suggest_business_pairs(partnership: Partnership, limit: int = 20) -> list[Suggestion]:
    """The best `limit` pairs of businesses from different member cities, best first."""
    cities = _member_city_ids(partnership)
    if len(cities) < 2:
        return []
    pool = _profiles(partnership, _pool_ids(partnership, cities))
    taken = _paired_already(partnership)
    suggestions = []
    for a, b in combinations(pool, 2):
        if a.city_id == b.city_id:
            continue
        if frozenset({a.profile.organisation_id, b.profile.organisation_id}) in taken:
            continue
        suggestion = score_pair(a, b)
        if suggestion is not None:
            suggestions.append(suggestion)
    suggestions.sort(key=lambda s: (-s.score, s.first.name, s.second.name))
    return suggestions[:limit]


def evaluate_pair(
    partnership: Partnership, first: BusinessProfile, second: BusinessProfile
) -> Suggestion | None:
    """Score one pair as the suggestions do (for turning a suggestion into a sub-alliance).
    Raises DomainError when the two cannot be paired in this partnership at all."""
    cities = set(_member_city_ids(partnership))
    pair = _profiles(partnership, [first.pk, second.pk])
    if len(pair) != 2:
        raise DomainError("Choose two different businesses.")
    a, b = pair
    if a.city_id not in cities or b.city_id not in cities:
        raise DomainError("Both businesses must belong to the partnership's member cities.")
    if a.city_id == b.city_id:
        raise DomainError("A suggested pair joins businesses of two different cities.")
    return score_pair(a, b)
