"""Suggested candidate cities for a partnership, ranked by fit with the home city's strategy.

Twinning associations match cities by hand: similar size, sectors in common, sectors one side
lacks, experience in the same areas of cooperation, cities of the same country that already
partner with the candidate, distance, a language in common. The portal does the same
arithmetic over its own data, and shows it.

Each criterion of the strategy says what it measures (`StrategyCriterion.measure`); the
suggestions score exactly that, a number from 0 to 1 per criterion (worked out, with the
fact behind it, in partnerships/measures.py):

===================== ==================================================================
measure               value
===================== ==================================================================
size                  smaller population / larger population (1 = same size; 0 when
                      either is unknown)
shared_sectors        share of the home city's sectors the candidate also has
complementary_sectors sectors the home city lacks that the candidate has, capped at 3, / 3
areas                 areas of this partnership the candidate already cooperates on in its
                      other partnerships, capped at 2, / 2
ties                  other cities of the home city's country in partnership with the
                      candidate, capped at 3, / 3
north_south           1 when the candidate is on the other side of the North/South divide;
                      counted only for decentralised cooperation
distance              1 / (1 + km / 1,000): 1 next door, 0.5 at 1,000 km, 0.1 at 9,000 km
                      (great circle between the cities' coordinates; 0 when either has none)
language              1 when the two countries share a spoken language (official or de
                      facto, from CLDR: core.languages.spoken_languages), else 0
judgement             not computed: scored by hand in step 4, left out of this fit
===================== ==================================================================

The fit is the weighted mean of the lines, as a percentage: 100 × Σ(weight × value) / Σ weight.
Every criterion is a line with its own weight. The first six measures are also the portal's
baseline: one no criterion measures is still a line of weight 1 (the smallest weight a
criterion can have), so it counts a little; with no strategy, or no criteria, all six weigh 1.
Distance and language count only when a criterion measures them. (So the strategies whose
criteria the migration 0014 gave measures from their names rank exactly as they did.)
Every line (the raw fact, value, weight and points) is kept on the suggestion: the search
page shows the working.

Queries: the pool (the 500 cities with the most signal, every count annotated in SQL) is one
query, their sectors one more and the areas they cooperate on one more, however many cities
the portal holds. Scoring is pure Python over that bounded pool.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
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

from core.formatting import country_name, number
from core.languages import spoken_languages
from partnerships.measures import (
    AREAS,
    COMPLEMENTARY_SECTORS,
    COMPONENTS,
    COMPUTED,
    DISTANCE,
    LANGUAGE,
    NORTH_SOUTH,
    SHARED_SECTORS,
    SIZE,
    TIES,
    City,
    Evidence,
    Measure,
    distance_km,
    human_population,
    language_names,
    measure_city,
    sector_list,
)
from partnerships.models import Partner, Partnership, PartnershipMember

POOL_SIZE = 500
TOP = 10


@dataclass(frozen=True)
class Criterion:
    """A strategy criterion as the ranking reads it."""

    name: str
    measure: str
    weight: int


@dataclass(frozen=True)
class Aspect:
    """One line of the fit: a strategy criterion, or a baseline measure no criterion measures
    (then `name` is empty and the weight 1)."""

    measure: str
    weight: float
    name: str = ""
    counted: bool = True  # False: a judgement, or North/South outside decentralised cooperation

    @property
    def measure_label(self) -> str:
        return Measure(self.measure).label

    @property
    def why_not_counted(self) -> str:
        if self.counted:
            return ""
        if self.measure == NORTH_SOUTH:
            return _("Counts only in decentralised cooperation.")
        return _("Scored by hand in step 4; not part of this fit.")


@dataclass(frozen=True)
class Line:
    """An aspect's working for one city: the raw fact, its value and the points it gives."""

    aspect: Aspect
    fact: str
    value: float | None  # 0..1; None when the aspect is not counted

    @property
    def points(self) -> float:
        return self.aspect.weight * self.value if self.value is not None else 0.0


@dataclass
class Suggestion:
    city: City
    score: float  # 0..100
    components: dict[str, float]  # measure → value, for the counted measures
    reasons: list[str] = field(default_factory=list)
    partner: Partner | None = None  # the model instance, when ranked from the database
    lines: list[Line] = field(default_factory=list)

    @property
    def rounded(self) -> int:
        return round(self.score)

    @property
    def points(self) -> float:
        return sum(line.points for line in self.lines)

    @property
    def total_weight(self) -> float:
        return sum(line.aspect.weight for line in self.lines if line.aspect.counted)

    @property
    def rationale(self) -> str:
        """The text pre-filled as the candidate's rationale when an officer adds it."""
        return _("Suggested by the portal (fit %(fit)s/100): %(reasons)s.") % {
            "fit": self.rounded,
            "reasons": "; ".join(self.reasons),
        }


# --- Pure functions --------------------------------------------------------------------------


def plan(criteria: Iterable[Criterion], *, north_south: bool) -> list[Aspect]:
    """The lines of the fit: one per criterion (in the strategy's order), then a line of
    weight 1 for each baseline measure no criterion measures.

    `north_south` says whether the North/South measure applies (decentralised cooperation).
    """
    aspects, measured = [], set()
    for c in criteria:
        applies = c.measure in COMPUTED and (north_south or c.measure != NORTH_SOUTH)
        aspects.append(Aspect(measure=c.measure, weight=c.weight, name=c.name, counted=applies))
        measured.add(c.measure)
    aspects += [
        Aspect(measure=m, weight=1.0)
        for m in COMPONENTS
        if m not in measured and (north_south or m != NORTH_SOUTH)
    ]
    return aspects


def component_weights(aspects: Iterable[Aspect]) -> dict[str, float]:
    """The weight each counted measure carries, summed over its lines."""
    weights: dict[str, float] = defaultdict(float)
    for aspect in aspects:
        if aspect.counted:
            weights[aspect.measure] += aspect.weight
    return dict(weights)


def score_city(
    home: City,
    city: City,
    evidence: Evidence,
    *,
    aspects: Sequence[Aspect],
    sector_names: Mapping[int, str],
) -> Suggestion:
    """How well `city` fits `home`: the working line by line, and the reasons a person can
    check."""
    lines, components = [], {}
    for aspect in aspects:
        if not aspect.counted:
            lines.append(Line(aspect=aspect, fact="", value=None))
            continue
        value, fact = measure_city(aspect.measure, home, city, evidence, sector_names)
        lines.append(Line(aspect=aspect, fact=fact, value=value))
        components[aspect.measure] = value
    counted_weight = sum(a.weight for a in aspects if a.counted)
    points = sum(line.points for line in lines)
    score = 100 * points / counted_weight if counted_weight else 0.0

    shared = city.sectors & home.sectors
    complementary = city.sectors - home.sectors
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
        reasons.append(
            _("Shares sectors: %(sectors)s") % {"sectors": sector_list(shared, sector_names)}
        )
    if complementary and COMPLEMENTARY_SECTORS in components:
        reasons.append(
            _("Complementary sectors: %(sectors)s")
            % {"sectors": sector_list(complementary, sector_names)}
        )
    if evidence.shared_areas and AREAS in components:
        reasons.append(
            _("Already cooperates elsewhere on: %(areas)s")
            % {"areas": ", ".join(evidence.shared_areas)}
        )
    if evidence.ties and TIES in components:
        reasons.append(
            ngettext(
                "%(n)s other city in %(country)s partners with it",
                "%(n)s other cities in %(country)s partner with it",
                evidence.ties,
            )
            % {"n": evidence.ties, "country": country_name(home.country)}
        )
    if components.get(NORTH_SOUTH):
        side = Partner.GlobalRegion(city.global_region).label
        reasons.append(_("%(side)s partner, for North–South cooperation") % {"side": side})
    if DISTANCE in components and (km := distance_km(home, city)) is not None:
        reasons.append(_("%(km)s km from %(city)s") % {"km": number(km), "city": home.name})
    if components.get(LANGUAGE):
        common = [c for c in spoken_languages(city.country) if c in spoken_languages(home.country)]
        reasons.append(
            _("A language in common: %(languages)s") % {"languages": language_names(common)}
        )
    return Suggestion(city=city, score=score, components=components, reasons=reasons, lines=lines)


def rank(
    home: City,
    cities: Iterable[City],
    evidence: Mapping[int, Evidence],
    *,
    aspects: Sequence[Aspect],
    sector_names: Mapping[int, str],
    top: int = TOP,
) -> list[Suggestion]:
    """The `top` best-fitting cities, best first; cities with no fit at all are left out."""
    scored = [
        score_city(
            home, c, evidence.get(c.pk, Evidence()), aspects=aspects, sector_names=sector_names
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
        result[partner_id].append(_(name))  # stored in English, in the catalogs
    return result


def as_city(partner: Partner, sector_ids: Iterable[int]) -> City:
    return City(
        pk=partner.pk,
        name=partner.name,
        country=str(partner.country.code if hasattr(partner.country, "code") else partner.country),
        population=partner.population,
        global_region=partner.global_region,
        sectors=frozenset(sector_ids),
        latitude=partner.latitude,
        longitude=partner.longitude,
    )


@dataclass
class Ranking:
    suggestions: list[Suggestion]
    aspects: list[Aspect]  # the lines every suggestion's fit is made of
    sectors: dict[int, set[int]]  # sector ids of every city looked at (and of `also_sectors_for`)

    @property
    def weights(self) -> dict[str, float]:
        return component_weights(self.aspects)


def suggest(
    partnership: Partnership,
    *,
    home: Partner,
    home_sector_ids: Iterable[int],
    exclude_ids: Iterable[int],
    criteria: Iterable[Criterion],
    sector_names: Mapping[int, str],
    also_sectors_for: Iterable[int] = (),
    top: int = TOP,
    pool_size: int = POOL_SIZE,
) -> Ranking:
    """Three queries: the pool, its sectors (and those of `also_sectors_for`), its areas."""
    home_sector_ids = frozenset(home_sector_ids)
    aspects = plan(criteria, north_south=partnership.category == Partnership.Category.DECENTRALISED)
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
        aspects=aspects,
        sector_names=sector_names,
        top=top,
    )
    for suggestion in ranked:
        suggestion.partner = by_pk[suggestion.city.pk]
    return Ranking(suggestions=ranked, aspects=aspects, sectors=sectors)
