"""Synthetic partnerships in bulk, for benchmarks (`manage.py seed_synthetic`).

This is synthetic benchmark data, NOT a walk through the workflow. Rows are bulk-inserted
(`bulk_create`, in batches) with the step, members, areas, KPIs, MOUs, activities, reviews,
champions and step transitions a partnership at that step would plausibly have, bypassing
`services`, the gates and django-simple-history on purpose: walking 10,000 partnerships one
transaction at a time would take many minutes, and what a benchmark needs is the shape and
volume of the tables, not the audit trail. Candidates, evaluations and plans (steps 2–5
artefacts) are not generated, so the gates of those steps would not all be met.
Use `load_demo` for data that went through the real rules.

Every run adds a new batch: synthetic cities are numbered after the highest "Synthcity"
number already in the database, so a second run never collides with the first.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from alliances.models import Organisation
from businesses.models import BusinessAssociation, BusinessProfile, Need
from core import page_cache
from demo import dataset
from partnerships.health import stored as stored_health
from partnerships.models import (
    KPI,
    MOU,
    Activity,
    Champion,
    CooperationArea,
    Partner,
    Partnership,
    PartnershipMember,
    Review,
    Sector,
    StepTransition,
    StrategyCriterion,
    TwinningStrategy,
)
from partnerships.services import derive_orientation

BATCH_SIZE = 2000
CITY_PREFIX = "Synthcity "
BUSINESS_PREFIX = "Synthbiz "
DEFAULT_SEED = 2026

KINDS = [k for k, _ in Partner.Kind.choices]
CATEGORY_WEIGHTS = {
    Partnership.Category.SISTER_CITY: 5,
    Partnership.Category.MIC: 3,
    Partnership.Category.DECENTRALISED: 2,
}
STATUS_WEIGHTS = {
    Partnership.Status.ACTIVE: 80,
    Partnership.Status.PAUSED: 10,
    Partnership.Status.ENDED: 6,
    Partnership.Status.ARCHIVED: 4,
}
FIRST_NAMES = ["Anna", "Thabo", "Li", "Maria", "Erik", "Ayesha", "Kwame", "Julia", "Ravi", "Sara"]
LAST_NAMES = ["Nkosi", "Berg", "Chen", "Souza", "Patel", "Mensah", "Vogel", "Dubois", "Kamau"]


@dataclass
class SeedResult:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    first_city: str = ""
    last_city: str = ""

    def summary_line(self) -> str:
        parts = ", ".join(f"{n:,} {name}" for name, n in self.counts.items())
        return f"Seeded in {self.seconds:.1f}s ({self.first_city} … {self.last_city}): {parts}."


@dataclass(frozen=True)
class _Row:
    """What later tables need to know about one inserted partnership."""

    pk: int
    step: int
    status: str
    home_id: int
    counterpart_id: int | None
    entered_at: dt.datetime
    established_on: dt.date | None
    cadence: int
    areas: tuple[int, ...]


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _insert(model: type[Model], rows: Iterable[Model], batch_size: int) -> list[Model]:
    """bulk_create in chunks, so a generator of 200,000 rows never sits in memory at once."""
    created = []
    for chunk in _chunks(rows, batch_size):
        created.extend(model.objects.bulk_create(chunk, batch_size=batch_size))
    return created


def _count(model: type[Model], rows: Iterable[Model], batch_size: int) -> int:
    n = 0
    for chunk in _chunks(rows, batch_size):
        model.objects.bulk_create(chunk, batch_size=batch_size)
        n += len(chunk)
    return n


def next_city_number() -> int:
    """One past the highest synthetic city number already stored (0 on an empty database)."""
    numbers = [
        int(m.group(1))
        for name in Partner.objects.filter(name__startswith=CITY_PREFIX).values_list(
            "name", flat=True
        )
        if (m := re.fullmatch(rf"{CITY_PREFIX}(\d+)", name))
    ]
    return max(numbers, default=-1) + 1


def seed(
    *,
    partnerships: int,
    cities: int | None = None,
    activities: int | None = None,
    reviews: int | None = None,
    businesses: int = 0,
    seed: int = DEFAULT_SEED,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[str], None] | None = None,
) -> SeedResult:
    """Insert `partnerships` synthetic partnerships and what belongs to them, in one transaction."""
    if partnerships < 1:
        raise ValueError("Seed at least one partnership.")
    cities = cities if cities is not None else max(300, partnerships * 3 // 10)
    activities = activities if activities is not None else partnerships * 20
    reviews = reviews if reviews is not None else partnerships * 2
    if cities < 2:
        raise ValueError("A partnership needs at least two cities.")
    started = time.perf_counter()

    def say(message: str) -> None:
        if progress:
            progress(f"{time.perf_counter() - started:5.1f}s  {message}")

    rng = random.Random(seed)
    today, now = timezone.localdate(), timezone.now()
    data = dataset.get()
    # The demo's countries, with the North/South classification the demo data gives them.
    countries = sorted({(c["country"], c["global_region"]) for c in data.cities})
    result = SeedResult()

    with transaction.atomic():
        first = next_city_number()
        width = max(5, len(str(first + cities - 1)))
        partners = _insert(
            Partner,
            (
                _partner(rng, f"{CITY_PREFIX}{first + i:0{width}d}", countries)
                for i in range(cities)
            ),
            batch_size,
        )
        result.first_city, result.last_city = partners[0].name, partners[-1].name
        region = {p.pk: p.global_region for p in partners}
        sector_ids = list(Sector.objects.values_list("pk", flat=True))
        city_sectors = Partner.sectors.through
        result.counts["cities"] = len(partners)
        result.counts["city sectors"] = _count(
            city_sectors,
            (
                city_sectors(partner_id=p.pk, sector_id=s)
                for p in partners
                for s in rng.sample(sector_ids, rng.randint(2, 3))
            ),
            batch_size,
        )
        say(f"{len(partners):,} cities")

        # About one city in five runs partnerships; each home city has a strategy in force.
        homes = partners[: max(1, cities // 5)]
        strategies = _insert(
            TwinningStrategy,
            (
                TwinningStrategy(
                    partner=home,
                    version=1,
                    status=TwinningStrategy.Status.IN_FORCE,
                    vision=f"{home.name} partners abroad for trade, skills and exchange.",
                    goals="Grow exports; exchange municipal skills; youth exchanges.",
                    approved_on=today - dt.timedelta(days=rng.randint(400, 1500)),
                )
                for home in homes
            ),
            batch_size,
        )
        strategy_of = {s.partner_id: s.pk for s in strategies}
        criteria = data.strategy_criteria[:3]
        result.counts["strategies"] = len(strategies)
        result.counts["criteria"] = _count(
            StrategyCriterion,
            (
                StrategyCriterion(
                    strategy_id=s.pk,
                    name=c["name"],
                    measure=c["measure"],
                    description=c["description"],
                    weight=c["weight"],
                )
                for s in strategies
                for c in criteria
            ),
            batch_size,
        )

        area_ids = list(CooperationArea.objects.values_list("pk", flat=True))
        plans = [_plan(rng, i, homes, partners, area_ids, now, today) for i in range(partnerships)]
        objects = _insert(
            Partnership,
            (
                Partnership(
                    title=plan["title"],
                    summary="Synthetic partnership for benchmarks.",
                    category=plan["category"],
                    orientation=(
                        derive_orientation(
                            [region[plan["home"].pk], region[plan["counterpart"].pk]]
                        )
                        if plan["counterpart"]
                        else ""
                    ),
                    phase=plan["phase"],
                    strategy_id=strategy_of[plan["home"].pk],
                    step=plan["step"],
                    step_entered_at=plan["entered_at"],
                    status=plan["status"],
                    established_on=plan["established_on"],
                    relationship_strength=plan["strength"],
                    review_cadence_months=plan["cadence"],
                    next_review_on=plan["next_review_on"],
                    published=plan["published"],
                )
                for plan in plans
            ),
            batch_size,
        )
        rows = [
            _Row(
                pk=obj.pk,
                step=plan["step"],
                status=plan["status"],
                home_id=plan["home"].pk,
                counterpart_id=plan["counterpart"].pk if plan["counterpart"] else None,
                entered_at=plan["entered_at"],
                established_on=plan["established_on"],
                cadence=plan["cadence"],
                areas=plan["areas"],
            )
            for obj, plan in zip(objects, plans, strict=True)
        ]
        del plans, objects
        result.counts["partnerships"] = len(rows)
        say(f"{len(rows):,} partnerships")

        result.counts["members"] = _count(PartnershipMember, _members(rows), batch_size)
        areas = Partnership.areas.through
        result.counts["partnership areas"] = _count(
            areas,
            (areas(partnership_id=r.pk, cooperationarea_id=a) for r in rows for a in r.areas),
            batch_size,
        )
        result.counts["transitions"] = _count(StepTransition, _transitions(rng, rows), batch_size)
        result.counts["champions"] = _count(
            Champion,
            (
                Champion(
                    partnership_id=r.pk,
                    partner_id=r.home_id,
                    name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    title="Portfolio councillor: international relations",
                    is_active=r.status == Partnership.Status.ACTIVE,
                )
                for r in rows
            ),
            batch_size,
        )
        result.counts["KPIs"] = _count(KPI, _kpis(rng, rows, data.kpi_templates, now), batch_size)
        result.counts["MOUs"] = _count(MOU, _mous(rng, rows), batch_size)
        say("members, areas, transitions, champions, KPIs and MOUs")

        running = [r for r in rows if r.step >= 7]
        if running:
            result.counts["activities"] = _count(
                Activity,
                _activities(rng, running, data.activity_templates, activities, today, now),
                batch_size,
            )
            result.counts["reviews"] = _count(
                Review, _reviews(rng, running, reviews, today, now), batch_size
            )
        else:
            result.counts["activities"] = result.counts["reviews"] = 0
        say("activities and reviews")

        if businesses:
            result.counts.update(_seed_businesses(rng, partners, businesses, batch_size, first))
            say(f"{businesses:,} businesses")
        page_cache.bump()  # bulk_create sends no signal
        stored_health.add_missing()  # their stored health, computed when first read

    if connection.vendor == "postgresql":
        # Fresh statistics, so the planner sees the new volumes when the benchmark starts.
        tables = [
            m._meta.db_table
            for m in (Partner, Partnership, PartnershipMember, StepTransition, Activity, Review)
        ]
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(tables)}")
        if businesses:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE alliances_organisation, businesses_businessprofile")
    result.seconds = time.perf_counter() - started
    return result


# --- Businesses (optional) -------------------------------------------------------------------


def _seed_businesses(
    rng: random.Random, partners: list[Partner], total: int, batch_size: int, first: int
) -> dict[str, int]:
    """`total` member businesses spread over the chambers of about one city in ten."""
    counts: dict[str, int] = {}
    hosts = partners[: max(1, len(partners) // 10)]
    chamber_orgs = _insert(
        Organisation,
        (
            Organisation(
                kind=Organisation.Kind.CHAMBER,
                name=f"{city.name} Chamber of Commerce",
                partner_id=city.pk,
                description="Synthetic chamber for benchmarks.",
            )
            for city in hosts
        ),
        batch_size,
    )
    associations = _insert(
        BusinessAssociation,
        (BusinessAssociation(organisation_id=o.pk) for o in chamber_orgs),
        batch_size,
    )
    counts["chambers"] = len(associations)
    city_of = {o.pk: o.partner_id for o in chamber_orgs}
    homes = [(a.pk, city_of[a.organisation_id]) for a in associations]
    plan = [rng.choice(homes) for _ in range(total)]
    width = max(6, len(str(total)))
    orgs = _insert(
        Organisation,
        (
            Organisation(
                kind=Organisation.Kind.BUSINESS,
                # The batch's first city number keeps names unique across runs.
                name=f"{BUSINESS_PREFIX}{first:05d}-{i:0{width}d}",
                partner_id=city,
                description="Synthetic business for benchmarks.",
            )
            for i, (_, city) in enumerate(plan)
        ),
        batch_size,
    )
    sector_ids = list(Sector.objects.values_list("pk", flat=True))
    org_sectors = Organisation.sectors.through
    counts["business sectors"] = _count(
        org_sectors,
        (
            org_sectors(organisation_id=o.pk, sector_id=s)
            for o in orgs
            for s in rng.sample(sector_ids, min(len(sector_ids), rng.randint(1, 2)))
        ),
        batch_size,
    )
    sizes = BusinessProfile.SizeBand.values
    readiness = BusinessProfile.ExportReadiness.values
    profiles = _insert(
        BusinessProfile,
        (
            BusinessProfile(
                organisation_id=o.pk,
                association_id=association,
                size_band=rng.choice(sizes),
                export_readiness=rng.choice(readiness),
                products_services="Synthetic products and services.",
                contact_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            )
            for o, (association, _) in zip(orgs, plan, strict=True)
        ),
        batch_size,
    )
    counts["businesses"] = len(profiles)
    need_ids = list(Need.objects.values_list("pk", flat=True))
    if need_ids:
        for relation in ("seeks", "offers"):
            through = getattr(BusinessProfile, relation).through
            counts[f"business {relation}"] = _count(
                through,
                (
                    through(businessprofile_id=p.pk, need_id=n)
                    for p in profiles
                    for n in rng.sample(need_ids, min(len(need_ids), rng.randint(1, 2)))
                ),
                batch_size,
            )
    return counts


# --- Row generators --------------------------------------------------------------------------


def _partner(rng: random.Random, name: str, countries: list[tuple[str, str]]) -> Partner:
    country, region = rng.choice(countries)
    return Partner(
        name=name,
        province="Synthetic",
        country=country,
        kind=rng.choice(KINDS),
        population=rng.randint(20_000, 5_000_000),
        latitude=Decimal(rng.randint(-4_500_000, 6_000_000)) / 100_000,
        longitude=Decimal(rng.randint(-17_000_000, 17_000_000)) / 100_000,
        global_region=region,
        community_profile="Synthetic city for benchmarks.",
    )


def _plan(rng, i, homes, partners, area_ids, now, today) -> dict:
    step = i % 8 + 1  # every step equally, whatever N
    home = rng.choice(homes)
    counterpart = None
    if step >= 4:
        counterpart = rng.choice(partners)
        while counterpart.pk == home.pk:
            counterpart = rng.choice(partners)
    entered_at = now - dt.timedelta(days=rng.randint(1, 720), seconds=rng.randint(0, 86_399))
    established_on = today - dt.timedelta(days=rng.randint(200, 12_000)) if step >= 6 else None
    cadence = rng.choice(Partnership.Cadence.values)
    next_review_on = None
    if step >= 7:
        next_review_on = today + dt.timedelta(days=rng.randint(-120, 365))
    low, high = {1: (0, 2), 2: (0, 2), 3: (1, 3), 4: (2, 4), 5: (2, 5), 6: (3, 6)}.get(
        step, (4, 10)
    )
    title = f"{home.name} – {counterpart.name}" if counterpart else f"{home.name} – partner search"
    return {
        "title": f"{title} ({i + 1})",
        "step": step,
        "home": home,
        "counterpart": counterpart,
        "category": rng.choices(list(CATEGORY_WEIGHTS), weights=CATEGORY_WEIGHTS.values())[0],
        "status": rng.choices(list(STATUS_WEIGHTS), weights=STATUS_WEIGHTS.values())[0],
        "phase": rng.choice(Partnership.Phase.values),
        "entered_at": entered_at,
        "established_on": established_on,
        "strength": rng.randint(low, high),
        "cadence": cadence,
        "next_review_on": next_review_on,
        "published": step >= 6 and rng.random() < 0.5,
        "areas": tuple(rng.sample(area_ids, rng.randint(2, 3))),
    }


def _members(rows: list[_Row]) -> Iterator[PartnershipMember]:
    for r in rows:
        joined = r.entered_at.date()
        yield PartnershipMember(
            partnership_id=r.pk,
            partner_id=r.home_id,
            role=PartnershipMember.Role.HOME,
            joined_on=joined,
        )
        if r.counterpart_id:
            yield PartnershipMember(
                partnership_id=r.pk,
                partner_id=r.counterpart_id,
                role=PartnershipMember.Role.COUNTERPART,
                joined_on=joined,
            )


def _transitions(rng: random.Random, rows: list[_Row]) -> Iterator[StepTransition]:
    """The forward chain 1→2→…→step, ending when the partnership entered its step."""
    for r in rows:
        at = r.entered_at
        for to_step in range(r.step, 1, -1):
            yield StepTransition(
                partnership_id=r.pk,
                from_step=to_step - 1,
                to_step=to_step,
                kind=StepTransition.Kind.ADVANCE,
                at=at,
            )
            at -= dt.timedelta(days=rng.randint(14, 120))


def _kpis(rng: random.Random, rows: list[_Row], templates, now: dt.datetime) -> Iterator[KPI]:
    for r in rows:
        if r.step < 5:
            continue
        for t in rng.sample(templates, rng.randint(1, 2)):
            yield KPI(
                partnership_id=r.pk,
                name=t["name"],
                unit=t["unit"],
                baseline=t["baseline"],
                target=t["target"],
                start_date=now.date(),
                # Not drawn from rng: the rows after these stay as they were.
                target_date=now.date() + dt.timedelta(days=3 * 365),
                created_at=now,
            )


def _mous(rng: random.Random, rows: list[_Row]) -> Iterator[MOU]:
    for r in rows:
        if r.step < 6:
            continue
        effective = r.established_on + dt.timedelta(days=rng.randint(0, 60))
        yield MOU(
            partnership_id=r.pk,
            status=MOU.Status.SIGNED,
            effective_on=effective,
            expires_on=effective + dt.timedelta(days=365 * rng.randint(3, 5)),
            signed_on=effective,
            termination_conditions="Six months' written notice by either city.",
        )


def _activities(rng, running: list[_Row], templates, total, today, now) -> Iterator[Activity]:
    # Explicit values for every defaulted field: 200,000 default callables add up.
    for _ in range(total):
        r = rng.choice(running)
        kind, title = rng.choice(templates)
        yield Activity(
            partnership_id=r.pk,
            kind=kind,
            title=title,
            occurred_on=today - dt.timedelta(days=rng.randint(0, 730)),
            participants=rng.randint(2, 300),
            created_at=now,
        )


def _reviews(rng, running: list[_Row], total: int, today, now) -> Iterator[Review]:
    decisions = [Review.Decision.CONTINUE] * 3 + [Review.Decision.ADJUST, Review.Decision.RENEW]
    for _ in range(total):
        r = rng.choice(running)
        end = today - dt.timedelta(days=rng.randint(0, 1500))
        done = rng.random() < 0.9
        yield Review(
            partnership_id=r.pk,
            period_start=end - dt.timedelta(days=30 * r.cadence),
            period_end=end,
            status=Review.Status.COMPLETED if done else Review.Status.DRAFT,
            decision=rng.choice(decisions) if done else "",
            completed_on=min(end + dt.timedelta(days=rng.randint(5, 40)), today) if done else None,
            narrative="Synthetic review." if done else "",
            created_at=now,
        )
