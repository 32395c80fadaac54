"""Suggested candidate cities for a partnership, ranked by fit with the home city's strategy.

Twinning associations match cities by hand: similar size, sectors in common, sectors one side
lacks, experience in the same areas of cooperation, and cities of the same country that
already partner with the candidate. The portal does the same arithmetic over its own data.

How a city is scored (each component is a number from 0 to 1):

===================== ==================================================================
component             value
===================== ==================================================================
size                  smaller population / larger population (1 = same size)
shared_sectors        share of the home city's sectors the candidate also has
complementary_sectors sectors the home city lacks that the candidate has, capped at 3, / 3
areas                 areas of this partnership the candidate already cooperates on in its
                      other partnerships, capped at 2, / 2
ties                  other cities of the home city's country in partnership with the
                      candidate, capped at 3, / 3
north_south           1 when the candidate is on the other side of the North/South divide;
                      counted only for decentralised cooperation
===================== ==================================================================

The fit is the weighted mean of the components, as a percentage. The weights come from the
strategy's criteria: a criterion whose name contains one of the words below (whole words,
case-insensitive, tested in this order; the first hit wins) gives its weight to that
component, summed when several criteria map to the same one:

- complementary_sectors: complement, complementary, complementarity
- size: size, population, scale, similar
- ties: tie(s), link(s), connection(s), diaspora, friendship, relationship(s)
- areas: area(s), cooperation, experience, track record
- north_south: north, south, development aid, donor
- shared_sectors: sector(s), economy, economic, industry, industries, business, trade, port,
  logistics

Components no criterion maps to keep weight 1 (the smallest weight a criterion can have), so
they still count a little. With no strategy, or no criterion matching, every component weighs 1.
E.g. the demo strategy's "Complementary economy" (5) → complementary_sectors,
"Similar size and challenges" (3) → size, "Existing community ties" (4) → ties,
"Shared port and logistics interests" (3) → shared_sectors, "Commitment of leadership" → none.

Queries: the pool (the 500 cities with the most signal, every count annotated in SQL) is one
query, their sectors one more and the areas they cooperate on one more, however many cities
the portal holds. Scoring is pure Python over that bounded pool.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Abs, Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_countries import countries

from core.formatting import number
from partnerships.models import Partner, Partnership, PartnershipMember

POOL_SIZE = 500
TOP = 10

SIZE = "size"
SHARED_SECTORS = "shared_sectors"
COMPLEMENTARY_SECTORS = "complementary_sectors"
AREAS = "areas"
TIES = "ties"
NORTH_SOUTH = "north_south"
COMPONENTS = (SIZE, SHARED_SECTORS, COMPLEMENTARY_SECTORS, AREAS, TIES, NORTH_SOUTH)

# Criterion name words → component. Order matters: "Complementary economy" is about
# complementary sectors, not shared ones.
CRITERION_KEYWORDS: list[tuple[str, re.Pattern[str]]] = [
    (COMPLEMENTARY_SECTORS, re.compile(r"\bcomplement(ary|arity|s)?\b", re.I)),
    (SIZE, re.compile(r"\b(size|population|scale|similar)\b", re.I)),
    (
        TIES,
        re.compile(r"\b(ties|tie|links?|connections?|diaspora|friendship|relationships?)\b", re.I),
    ),
    (AREAS, re.compile(r"\b(areas?|cooperation|experience|track record)\b", re.I)),
    (NORTH_SOUTH, re.compile(r"\b(north|south|development aid|donors?)\b", re.I)),
    (
        SHARED_SECTORS,
        re.compile(
            r"\b(sectors?|economy|economic|industry|industries|business|trade|port|logistics)\b",
            re.I,
        ),
    ),
]


@dataclass(frozen=True)
class City:
    """What the score looks at in a city."""

    pk: int
    name: str
    country: str  # ISO 3166 code
    population: int | None
    global_region: str
    sectors: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Evidence:
    """What the portal's partnerships say about a candidate, beyond its own profile."""

    shared_areas: tuple[str, ...] = ()  # names of this partnership's areas it works on elsewhere
    ties: int = 0  # other cities of the home country in partnership with it


@dataclass
class Suggestion:
    city: City
    score: float  # 0..100
    components: dict[str, float]
    reasons: list[str] = field(default_factory=list)
    partner: Partner | None = None  # the model instance, when ranked from the database

    @property
    def rounded(self) -> int:
        return round(self.score)

    @property
    def rationale(self) -> str:
        """The text pre-filled as the candidate's rationale when an officer adds it."""
        return _("Suggested by the portal (fit %(fit)s/100): %(reasons)s.") % {
            "fit": self.rounded,
            "reasons": "; ".join(self.reasons),
        }


# --- Pure functions --------------------------------------------------------------------------


def criterion_component(name: str) -> str | None:
    """The component a strategy criterion speaks about, judged by its name; None if unknown."""
    for component, pattern in CRITERION_KEYWORDS:
        if pattern.search(name or ""):
            return component
    return None


def component_weights(
    criteria: Iterable[tuple[str, int]], *, north_south: bool
) -> dict[str, float]:
    """Weight of each applicable component from (criterion name, weight) pairs.

    `north_south` says whether the North/South component applies (decentralised cooperation).
    """
    weights = {c: 1.0 for c in COMPONENTS if north_south or c != NORTH_SOUTH}
    mapped: dict[str, float] = defaultdict(float)
    for name, weight in criteria:
        component = criterion_component(name)
        if component in weights:
            mapped[component] += weight
    weights.update(mapped)
    return weights


def human_population(n: int) -> str:
    """1_100_000 → '1.1 M', 900_000 → '0.9 M', 45_000 → '45 k'."""
    if n >= 100_000:
        # Translators: a population in millions, e.g. 1.1 M
        return _("%(n)s M") % {"n": number(round(n / 1_000_000, 1), 1)}
    if n >= 1_000:
        # Translators: a population in thousands, e.g. 45 k
        return _("%(n)s k") % {"n": number(round(n / 1_000))}
    return str(n)


EARTH_RADIUS_KM = 6371.0


def distance_km(a: Partner, b: Partner) -> int | None:
    """The great-circle distance between two cities' coordinates (from the gazetteer), in
    whole kilometres; None when either has none. Shown beside a candidate, not scored: near
    and far partners both have their reasons."""
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    lat1, lon1, lat2, lon2 = map(
        math.radians, (float(a.latitude), float(a.longitude), float(b.latitude), float(b.longitude))
    )
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return round(2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h))))


def size_similarity(a: int | None, b: int | None) -> float:
    if not a or not b:
        return 0.0
    return min(a, b) / max(a, b)


def _names(ids: Iterable[int], sector_names: Mapping[int, str]) -> str:
    return ", ".join(sector_names[i] for i in sorted(ids, key=lambda i: sector_names.get(i, "")))


def score_city(
    home: City,
    city: City,
    evidence: Evidence,
    *,
    weights: Mapping[str, float],
    sector_names: Mapping[int, str],
) -> Suggestion:
    """How well `city` fits `home`, with the reasons a person can check."""
    shared = city.sectors & home.sectors
    complementary = city.sectors - home.sectors
    values = {
        SIZE: size_similarity(home.population, city.population),
        SHARED_SECTORS: len(shared) / len(home.sectors) if home.sectors else 0.0,
        COMPLEMENTARY_SECTORS: min(len(complementary), 3) / 3,
        AREAS: min(len(evidence.shared_areas), 2) / 2,
        TIES: min(evidence.ties, 3) / 3,
        NORTH_SOUTH: 1.0 if city.global_region != home.global_region else 0.0,
    }
    components = {c: values[c] for c in weights}
    total_weight = sum(weights.values()) or 1.0
    score = 100 * sum(weights[c] * components[c] for c in components) / total_weight

    reasons = []
    if components.get(SIZE, 0) >= 0.5:
        reasons.append(
            _("Similar size: %(city)s vs %(home)s")
            % {
                "city": human_population(city.population),
                "home": human_population(home.population),
            }
        )
    if shared and SHARED_SECTORS in components:
        reasons.append(_("Shares sectors: %(sectors)s") % {"sectors": _names(shared, sector_names)})
    if complementary and COMPLEMENTARY_SECTORS in components:
        reasons.append(
            _("Complementary sectors: %(sectors)s")
            % {"sectors": _names(complementary, sector_names)}
        )
    if evidence.shared_areas and AREAS in components:
        reasons.append(
            _("Already cooperates elsewhere on: %(areas)s")
            % {"areas": ", ".join(evidence.shared_areas)}
        )
    if evidence.ties and TIES in components:
        country = countries.name(home.country) or home.country
        reasons.append(
            ngettext(
                "%(n)s other city in %(country)s partners with it",
                "%(n)s other cities in %(country)s partner with it",
                evidence.ties,
            )
            % {"n": evidence.ties, "country": country}
        )
    if components.get(NORTH_SOUTH):
        side = Partner.GlobalRegion(city.global_region).label
        reasons.append(_("%(side)s partner, for North–South cooperation") % {"side": side})
    return Suggestion(city=city, score=score, components=components, reasons=reasons)


def rank(
    home: City,
    cities: Iterable[City],
    evidence: Mapping[int, Evidence],
    *,
    weights: Mapping[str, float],
    sector_names: Mapping[int, str],
    top: int = TOP,
) -> list[Suggestion]:
    """The `top` best-fitting cities, best first; cities with no fit at all are left out."""
    scored = [
        score_city(
            home, c, evidence.get(c.pk, Evidence()), weights=weights, sector_names=sector_names
        )
        for c in cities
        if c.pk != home.pk
    ]
    scored = [s for s in scored if s.score > 0]
    scored.sort(key=lambda s: (-s.score, s.city.name, s.city.pk))
    return scored[:top]


# --- The queries -----------------------------------------------------------------------------

PartnerSector = Partner.sectors.through
PartnershipArea = Partnership.areas.through


def _count(qs: QuerySet, group: str) -> Coalesce:
    """A correlated COUNT subquery, 0 when there are no rows."""
    counted = qs.order_by().values(group).annotate(n=Count("*")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def candidate_pool(
    partnership: Partnership,
    *,
    home: Partner,
    home_sector_ids: Iterable[int],
    exclude_ids: Iterable[int],
    size: int = POOL_SIZE,
) -> list[Partner]:
    """One query: the `size` cities with the most signal, each count annotated.

    The order is cheap to compute for every city: 3 if it has ties with the home country,
    + 2 if it cooperates elsewhere on one of this partnership's areas (both tested against
    uncorrelated subqueries, which the database runs once), + its shared sectors; then the
    closest in population. The exact counts of ties and area links are correlated subqueries
    worked out only for the `size` cities kept. Members, candidates and the home city are
    left out.
    """
    home_sector_ids = list(home_sector_ids)
    sectors = PartnerSector.objects.filter(partner_id=OuterRef("pk"))
    this_areas = PartnershipArea.objects.filter(partnership_id=partnership.pk).values(
        "cooperationarea_id"
    )
    home_country_others = Partner.objects.filter(country=home.country).exclude(pk=home.pk)
    others = PartnershipMember.objects.exclude(partnership_id=partnership.pk).order_by()

    # Cities sitting in a partnership with another city of the home country. One filter()
    # call, so every condition is on the same co-member row; "<" or ">" says "not itself".
    tied_ids = others.filter(
        Q(partnership__members__partner__in=home_country_others),
        Q(partnership__members__partner_id__lt=F("partner_id"))
        | Q(partnership__members__partner_id__gt=F("partner_id")),
    ).values("partner_id")
    area_linked_ids = others.filter(partnership__areas__in=this_areas).values("partner_id")

    # The exact counts, for the rows kept.
    ties = (
        others.filter(
            Q(partner_id=OuterRef("pk")),
            Q(partnership__members__partner__in=home_country_others),
            Q(partnership__members__partner_id__lt=OuterRef("pk"))
            | Q(partnership__members__partner_id__gt=OuterRef("pk")),
        )
        .values("partner_id")  # = the candidate: one group
        .annotate(n=Count("partnership__members__partner_id", distinct=True))
        .values("n")[:1]
    )
    area_links = (
        others.filter(partner_id=OuterRef("pk"), partnership__areas__in=this_areas)
        .values("partner_id")  # = the candidate: one group
        .annotate(n=Count("partnership_id", distinct=True))
        .values("n")[:1]
    )
    ordering = {
        "n_shared": _count(sectors.filter(sector_id__in=home_sector_ids), "partner_id"),
        "signal": Case(When(pk__in=tied_ids, then=Value(3)), default=Value(0))
        + Case(When(pk__in=area_linked_ids, then=Value(2)), default=Value(0))
        + F("n_shared"),
    }
    order = ["-signal"]
    if home.population:
        ordering["size_gap"] = Abs(F("population") - Value(home.population))
        order.append(F("size_gap").asc(nulls_last=True))
    order += ["name", "pk"]
    # The inner query ranks every city cheaply and keeps `size`; the outer one adds the
    # exact counts for those rows only (SQLite would otherwise compute them for every city).
    kept = (
        Partner.objects.exclude(pk__in=[home.pk, *exclude_ids])
        .annotate(**ordering)
        .order_by(*order)
        .values("pk")[:size]
    )
    # (Their order does not matter: `rank` sorts them by score.)
    qs = Partner.objects.filter(pk__in=kept).annotate(
        n_ties=Coalesce(Subquery(ties, output_field=IntegerField()), Value(0)),
        n_area_links=Coalesce(Subquery(area_links, output_field=IntegerField()), Value(0)),
    )
    return list(qs.order_by("pk"))


def sectors_of(partner_ids: Iterable[int]) -> dict[int, set[int]]:
    """One query: {partner id: its sector ids}."""
    result: dict[int, set[int]] = defaultdict(set)
    rows = PartnerSector.objects.filter(partner_id__in=set(partner_ids)).values_list(
        "partner_id", "sector_id"
    )
    for partner_id, sector_id in rows:
        result[partner_id].add(sector_id)
    return result


def shared_areas_of(partnership: Partnership, partner_ids: Iterable[int]) -> dict[int, list[str]]:
    """One query: {partner id: names of this partnership's areas it cooperates on elsewhere}."""
    rows = (
        PartnershipArea.objects.filter(
            cooperationarea_id__in=PartnershipArea.objects.filter(
                partnership_id=partnership.pk
            ).values("cooperationarea_id"),
            partnership__members__partner_id__in=set(partner_ids),
        )
        .exclude(partnership_id=partnership.pk)
        .values_list("partnership__members__partner_id", "cooperationarea__name")
        .distinct()
        .order_by("partnership__members__partner_id", "cooperationarea__name")
    )
    result: dict[int, list[str]] = defaultdict(list)
    for partner_id, name in rows:
        result[partner_id].append(name)
    return result


def as_city(partner: Partner, sector_ids: Iterable[int]) -> City:
    return City(
        pk=partner.pk,
        name=partner.name,
        country=str(partner.country.code if hasattr(partner.country, "code") else partner.country),
        population=partner.population,
        global_region=partner.global_region,
        sectors=frozenset(sector_ids),
    )


@dataclass
class Ranking:
    suggestions: list[Suggestion]
    weights: dict[str, float]
    sectors: dict[int, set[int]]  # sector ids of every city looked at (and of `also_sectors_for`)


def suggest(
    partnership: Partnership,
    *,
    home: Partner,
    home_sector_ids: Iterable[int],
    exclude_ids: Iterable[int],
    criteria: Iterable[tuple[str, int]],
    sector_names: Mapping[int, str],
    also_sectors_for: Iterable[int] = (),
    top: int = TOP,
    pool_size: int = POOL_SIZE,
) -> Ranking:
    """Three queries: the pool, its sectors (and those of `also_sectors_for`), its areas."""
    home_sector_ids = frozenset(home_sector_ids)
    weights = component_weights(
        criteria, north_south=partnership.category == Partnership.Category.DECENTRALISED
    )
    pool = candidate_pool(
        partnership,
        home=home,
        home_sector_ids=home_sector_ids,
        exclude_ids=exclude_ids,
        size=pool_size,
    )
    by_pk = {p.pk: p for p in pool}
    sectors = sectors_of([*by_pk, *also_sectors_for])
    areas = (
        shared_areas_of(partnership, [p.pk for p in pool if p.n_area_links])
        if any(p.n_area_links for p in pool)
        else {}
    )
    evidence = {
        p.pk: Evidence(shared_areas=tuple(areas.get(p.pk, ())), ties=p.n_ties) for p in pool
    }
    ranked = rank(
        as_city(home, home_sector_ids),
        [as_city(p, sectors.get(p.pk, ())) for p in pool],
        evidence,
        weights=weights,
        sector_names=sector_names,
        top=top,
    )
    for suggestion in ranked:
        suggestion.partner = by_pk[suggestion.city.pk]
    return Ranking(suggestions=ranked, weights=weights, sectors=sectors)
