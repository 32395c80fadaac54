"""Load the demo dataset: the real cities of `demo_data`, and partnerships walked to their step.

Why it looks the way it does:

* Every partnership is created with `services.partnership_create` and moved with
  `services.partnership_advance`, one step at a time, after the artefacts each gate asks for
  have been recorded. So the demo exercises the same rules an officer meets, and a change to
  a gate that the demo no longer satisfies fails loudly here instead of producing data the
  portal could never have made.
* Only the *clock* is faked afterwards: the walk runs "now", then the step transitions, move
  confirmations and `step_entered_at` are backdated (queryset updates) to a plausible story,
  so some partnerships look stalled and the warning signs have something to show: MOUs
  expiring within 90 days, one lapsed MOU, overdue reviews and actions, a quiet partnership.
* All variation comes from `random.Random(SEED)`, drawn in the same order on every run, so
  two loads on the same day give the same data. Dates are relative to today.
* Idempotent: cities, users and memberships are matched by natural key and updated; a
  partnership whose title already exists for its home city is skipped, not rebuilt; a home
  city with a strategy in force keeps it. The whole load is one transaction.
* The long-standing links (some date from 1948) have their first agreement recorded as an
  expired MOU effective on the date the partnership was established; the MOU in force is the
  latest renewal, so that its expiry falls in the next few years.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
import zlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django_countries import countries

from partnerships import demo_data, services, workflow
from partnerships.models import (
    KPI,
    MOU,
    Activity,
    ApproachContact,
    BusinessPlan,
    Candidate,
    Champion,
    CityMembership,
    CooperationArea,
    CriterionScore,
    DueDiligence,
    FeasibilityStudy,
    Lesson,
    LetterOfIntent,
    MOUSignatory,
    MoveConfirmation,
    Partner,
    Partnership,
    PartnershipMember,
    PlanAction,
    Review,
    Sector,
    SelectionDecision,
    Step,
    StepTransition,
)

SEED = 2026
# Documented in the README and printed by `load_demo`: these accounts exist only in demo data.
DEMO_PASSWORD = "demo-pass-2026"

DAY = dt.timedelta(days=1)


# --- Fictitious people, by country (the demo's champions come from demo_data) ---------------

PEOPLE = {
    "ZA": ["Lindiwe Mthembu", "Pieter van der Merwe", "Ayesha Patel", "Thabo Nkosi"],
    "CN": ["Li Wei", "Zhang Min", "Chen Jing", "Wang Fang"],
    "GB": ["Sarah Whitfield", "James Okafor", "Helen Marsh", "Rajesh Sandhu"],
    "NL": ["Anouk de Vries", "Joost Bakker", "Femke Jansen"],
    "US": ["Michael Reyes", "Dana Whitaker", "Kevin Brooks", "Tamika Hayes"],
    "DE": ["Katrin Vogel", "Thomas Brandt", "Julia Neumann"],
    "SE": ["Erik Johansson", "Anna Berg", "Maja Holm"],
    "FR": ["Claire Dubois", "Julien Moreau", "Amélie Laurent"],
    "BE": ["Sofie Peeters", "Marc Dupont", "Pieter Claes"],
    "BR": ["Ana Souza", "Rafael Lima", "Beatriz Costa"],
    "IN": ["Priya Kulkarni", "Arjun Iyer", "Meera Nair"],
    "KE": ["Wanjiru Kamau", "Brian Otieno", "Achieng Wekesa"],
    "MZ": ["Luísa Cossa", "Armando Sitoe", "Celeste Nhantumbo"],
    "NA": ["Ndapewa Shikongo", "Johannes Nghipondoka", "Selma Haufiku"],
    "FI": ["Jukka Virtanen", "Aino Mäkinen", "Mikko Laine"],
    "NO": ["Ingrid Haugen", "Lars Nygaard", "Kari Lunde"],
    "DK": ["Mette Kjær", "Søren Lund", "Camilla Holst"],
    "JP": ["Yuki Tanaka", "Hiroshi Sato", "Aiko Nakamura"],
    "CA": ["Émilie Gagnon", "Daniel MacLeod", "Priya Sharma"],
    "AU": ["Olivia Hughes", "Liam O'Connor", "Grace Nguyen"],
    "AR": ["Lucía Fernández", "Martín Gómez", "Valeria Ruiz"],
    "GH": ["Kwame Asante", "Akosua Mensah", "Yaw Boateng"],
}
FALLBACK_PEOPLE = ["Alex Morgan", "Sam Taylor", "Jordan Lee"]
CITY_DATA = {c["name"]: c for c in demo_data.CITIES}
NORDIC = {"SE", "NO", "DK", "FI"}
CURRENCY = {"ZA": "ZAR", "SE": "SEK", "NO": "NOK", "DK": "DKK", "GB": "GBP", "US": "USD"}


def _stable(text: str) -> int:
    """A hash that is the same in every process (`hash()` of a str is not)."""
    return zlib.crc32(text.encode())


def _person(city: dict, slot: int) -> str:
    """The same fictitious person for the same city and slot, across the whole dataset."""
    pool = PEOPLE.get(city["country"], FALLBACK_PEOPLE)
    return pool[(_stable(city["name"]) + slot) % len(pool)]


def _mayor_title(city: dict) -> str:
    if city["country"] == "ZA":
        kind = "Executive Mayor" if city["kind"] == "metro" else "Mayor"
        return f"{kind} of {city['name']}"
    if city["country"] in NORDIC:
        return f"Chair of the Municipal Executive Board, {city['name']}"
    return f"Mayor of {city['name']}"


def _signer(partner: Partner) -> tuple[str, str]:
    """Who signs for a city: its (fictitious) mayor."""
    city = CITY_DATA[partner.name]
    return _person(city, 0), _mayor_title(city)


def _email(name: str) -> str:
    words = [w for w in name.split() if w.rstrip(".") not in {"Cllr", "Mr", "Ms", "Dr", "Prof"}]
    return f"{slugify(' '.join(words)).replace('-', '.')}@example.org"


def _join(items: list[str]) -> str:
    """ "a", "a and b", "a, b, and c" (the serial comma keeps "x and y" items readable)."""
    items = list(items)
    if len(items) <= 2:
        return " and ".join(items)
    return f"{', '.join(items[:-1])}, and {items[-1]}"


def _long_date(d: dt.date) -> str:
    return f"{d.day} {d:%B %Y}"


# --- Dates ----------------------------------------------------------------------------------


def add_months(d: dt.date, months: int) -> dt.date:
    index = d.month - 1 + months
    year, month = d.year + index // 12, index % 12 + 1
    return d.replace(year=year, month=month, day=min(d.day, calendar.monthrange(year, month)[1]))


def add_years(d: dt.date, years: int) -> dt.date:
    return add_months(d, 12 * years)


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def _between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    if end <= start:
        return start
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


# --- The plan: every random choice, made before touching the database ------------------------


@dataclass
class PartnershipPlan:
    """The story of one partnership: when it entered each step and what state it is in."""

    entry: dict
    rng: random.Random
    entered: dict[int, dt.date] = field(default_factory=dict)
    cadence: int = Partnership.Cadence.YEARLY
    stalled: bool = False
    published: bool = False
    quiet: bool = False  # no activity in the last 90 days although active
    review_overdue: bool = False
    gate_met: bool = True  # whether the current step's own artefacts are complete
    mou_state: str = ""  # "draft" or "signed" for the MOU in force or under negotiation
    mou_effective: dt.date | None = None
    mou_expires: dt.date | None = None
    mou_signed: dt.date | None = None
    review_period: tuple[dt.date, dt.date] | None = None
    review_completed: dt.date | None = None
    next_review_on: dt.date | None = None
    stopped_on: dt.date | None = None  # paused or ended on: activities stop there

    @property
    def step(self) -> int:
        return self.entry["step"]

    @property
    def established(self) -> dt.date | None:
        value = self.entry["established"]
        return dt.date.fromisoformat(value) if value else None

    def window(self, step: int, today: dt.date) -> tuple[dt.date, dt.date]:
        """The days the partnership spent in `step` (to today for the current one)."""
        start = self.entered[step]
        if step + 1 in self.entered:
            return start, self.entered[step + 1] - DAY
        return start, min(self.stopped_on or today, today)


@dataclass
class DemoPlan:
    partnerships: list[PartnershipPlan]
    strategy_approved: dict[str, dt.date]


def make_plan(today: dt.date) -> DemoPlan:
    """Decide everything random, in a fixed order, from `random.Random(SEED)`."""
    rng = random.Random(SEED)
    entries = demo_data.PARTNERSHIPS

    def pick(pool: list[dict], k: int) -> set[str]:
        return {e["title"] for e in rng.sample(pool, min(k, len(pool)))}

    running = [e for e in entries if e["step"] >= 7 and e["status"] == "active"]
    expiring = pick(running, 2)
    expired = pick([e for e in running if e["title"] not in expiring], 1)
    quiet = pick([e for e in running if e["title"] not in expiring | expired], 1)
    overdue = pick(running, max(1, len(running) // 3))
    agreed = [e for e in entries if e["step"] >= 6]
    published = pick(agreed, round(len(agreed) / 2))
    walking = [e for e in entries if 2 <= e["step"] <= 6 and e["status"] == "active"]
    stalled = pick(walking, len(walking) // 3) | {
        e["title"] for e in entries if e["status"] == "paused" and e["step"] <= 6
    }

    plans = []
    for entry in entries:
        title = entry["title"]
        plan = PartnershipPlan(entry=entry, rng=random.Random(rng.getrandbits(64)))
        plan.published = title in published
        plan.quiet = title in quiet
        plan.review_overdue = title in overdue
        plan.stalled = title in stalled
        _plan_dates(plan, today, expiring=title in expiring, expired=title in expired)
        plans.append(plan)

    approved = {}
    for plan in plans:
        home = plan.entry["home"]
        first = plan.entered[1] - days(rng.randint(14, 120))
        approved[home] = min(approved.get(home, first), first)
    return DemoPlan(partnerships=plans, strategy_approved=approved)


def _plan_dates(plan: PartnershipPlan, today: dt.date, *, expiring: bool, expired: bool) -> None:
    r, step, status = plan.rng, plan.step, plan.entry["status"]
    if step >= Step.PLANNING:
        choices = (3, 6, 12) if step == Step.MEASUREMENT else (6, 12, 12, 24)
        plan.cadence = r.choice(choices)
    cadence_days = plan.cadence * 30

    if step == Step.MEASUREMENT:
        if status == "ended":
            period_end = today - days(r.randint(200, 500))
        elif plan.review_overdue:
            period_end = add_months(today - days(r.randint(10, 90)), -plan.cadence)
        else:
            period_end = today - days(r.randint(15, max(16, cadence_days - 45)))
        period_start = add_months(period_end, -plan.cadence)
        plan.review_period = (period_start, period_end)
        plan.review_completed = min(period_end + days(r.randint(7, 30)), today)
        plan.entered[8] = period_end - days(r.randint(0, 14))
        if status == "ended":
            plan.stopped_on = plan.review_completed
        else:
            plan.next_review_on = add_months(period_end, plan.cadence)

    if step >= Step.IMPLEMENTATION:
        plan.mou_state = "signed"
        term = r.choice((3, 4, 5))
        if expiring or expired:
            plan.mou_expires = (
                today + days(r.randint(20, 80)) if expiring else today - days(r.randint(20, 60))
            )
            plan.mou_effective = add_years(plan.mou_expires, -term)
        else:
            latest = today - days(300)
            if plan.review_period:
                latest = min(latest, plan.review_period[0] - days(30))
            plan.mou_effective = latest - days(r.randint(0, 300 if plan.review_period else 600))
            terms = [3, 4, 5]
            r.shuffle(terms)
            term = next(
                (t for t in terms if add_years(plan.mou_effective, t) >= today + days(150)), 5
            )
            plan.mou_expires = add_years(plan.mou_effective, term)
        plan.mou_signed = plan.mou_effective
        plan.entered[7] = plan.mou_effective + days(r.randint(1, 14))
        if step == Step.IMPLEMENTATION:
            if status == "paused":
                plan.stopped_on = max(plan.entered[7] + days(60), today - days(r.randint(120, 300)))
            plan.next_review_on = (
                today - days(r.randint(10, 120))
                if plan.review_overdue
                else today + days(r.randint(20, 200))
            )
    else:
        back = r.randint(200, 480) if plan.stalled else r.randint(3, 75)
        plan.entered[step] = today - days(back)
        if step in (Step.APPROACH, Step.PLANNING):
            plan.gate_met = r.random() < 0.5
        if step == Step.AGREEMENT:
            term = r.choice((3, 4, 5))
            if status == "active" and r.random() < 0.4:
                plan.mou_state = "signed"
                plan.mou_signed = _between(r, plan.entered[step] + DAY, today)
                plan.mou_effective = plan.mou_signed
            else:
                plan.mou_state = "draft"
                plan.gate_met = False
                plan.mou_effective = today + days(r.randint(30, 120))
            plan.mou_expires = add_years(plan.mou_effective, term)
        if status == "paused":
            plan.stopped_on = min(plan.entered[step] + days(r.randint(10, 60)), today)

    for k in range(min(step, Step.IMPLEMENTATION) - 1, 0, -1):
        plan.entered[k] = plan.entered[k + 1] - days(r.randint(21, 110))


# --- Texts ---------------------------------------------------------------------------------

AREA_WORDS = {"capacity": "municipal capacity building", "education": "education and exchange"}
CONTACT_CHANNELS = [
    (
        ApproachContact.Channel.EMAIL,
        "Introductory letter setting out our strategy and the areas "
        "we hope to work on, with an invitation to a first call.",
    ),
    (
        ApproachContact.Channel.NETWORK,
        "Introduced through a city network meeting; both sides "
        "agreed to exchange development plans.",
    ),
    (
        ApproachContact.Channel.EMBASSY,
        "Approached through the consulate, which arranged a meeting with the international office.",
    ),
    (
        ApproachContact.Channel.CALL,
        "Call with the international office about interest, "
        "capacity and the timetable for a decision.",
    ),
]
FOLLOW_UPS = [
    (
        ApproachContact.Channel.MEETING,
        "Online meeting with the mayor's office to discuss scope, resources and a first exchange.",
    ),
    (
        ApproachContact.Channel.VISIT,
        "Exploratory visit by two officials; met the chamber of "
        "commerce, a university and the municipal departments concerned.",
    ),
]
CAPABILITY_GAPS = [
    "No dedicated international relations office; links are run from the mayor's office.",
    "Limited budget for travel; exchanges would need co-funding.",
    "Little experience of business-to-business linkages.",
    "Staff turnover after elections has interrupted earlier partnerships.",
    "Strong technical departments but weak community outreach.",
]
RISKS = [
    "Local elections within eighteen months may change priorities.",
    "Exchange-rate swings make shared budgets hard to plan.",
    "Visa processing times can delay exchange visits.",
    "Competing partnerships may draw on the same few officials.",
]
AREA_ACTIONS = {
    "trade": "Organise a joint trade mission with chamber members",
    "investment": "Prepare an investment promotion pack for partner-city firms",
    "tourism": "Launch a joint tourism promotion campaign",
    "culture": "Plan a cultural festival for the partnership anniversary",
    "education": "Sign exchange agreements between partner schools and universities",
    "capacity": "Run a staff exchange on municipal service delivery",
    "environment": "Hold a joint workshop on climate adaptation plans",
    "health": "Set up a primary health care peer-learning group",
    "governance": "Hold a joint workshop on participatory budgeting",
    "migration": "Map diaspora organisations in both cities",
    "research": "Start a joint research project between local universities",
}
GENERIC_ACTIONS = [
    "Appoint a partnership coordinator on each side",
    "Agree a communication plan with quarterly steering calls",
    "Publish the partnership on both cities' websites",
]
AREA_KPIS = {
    "education": "Student exchanges per year",
    "capacity": "Municipal staff trained",
    "governance": "Official exchange visits per year",
    "trade": "Businesses taking part in trade missions",
    "investment": "Export value facilitated",
    "tourism": "Tourist arrivals from partner city",
    "culture": "Community events held",
}
ACTIVITY_DETAILS = {
    Activity.Kind.EXCHANGE_VISIT: ("Programme of site visits and working sessions.", (6, 30)),
    Activity.Kind.TRADE_MISSION: (
        "Business-to-business meetings arranged with the chamber.",
        (8, 40),
    ),
    Activity.Kind.CULTURAL_EVENT: (
        "Open to the public, with performers from both cities.",
        (150, 2500),
    ),
    Activity.Kind.COMMUNICATION: (
        "Progress on the business plan actions, next steps agreed.",
        (4, 12),
    ),
    Activity.Kind.COMMUNITY_EVENT: (
        "Organised with schools and community organisations.",
        (40, 400),
    ),
    Activity.Kind.MARKETING: ("Reached residents and businesses in both cities.", (2, 10)),
    Activity.Kind.CONFLICT_RESOLUTION: (
        "Both sides agreed a revised schedule and budget.",
        (4, 10),
    ),
    Activity.Kind.SUB_ALLIANCE_FORMED: (
        "A new link between organisations of the two cities.",
        (2, 12),
    ),
}
LESSONS = [
    (
        Step.IMPLEMENTATION,
        "Continuity",
        "Name a deputy champion on each side so that the link "
        "survives elections and staff moving on.",
    ),
    (
        Step.IMPLEMENTATION,
        "Community involvement",
        "Exchanges limited to officials lost public "
        "support; schools, clubs and churches should be involved from the start.",
    ),
    (
        Step.PLANNING,
        "Business involvement",
        "Bring the chamber of commerce into planning so that "
        "trade objectives have owners outside the municipality.",
    ),
    (
        Step.IMPLEMENTATION,
        "Marketing",
        "Residents and local media hear little of the partnership; "
        "a signed MOU alone is not news, results are.",
    ),
    (
        Step.PLANNING,
        "Measures",
        "Agree a few measurable KPIs early: vague goals made this review hard to do.",
    ),
    (
        Step.AGREEMENT,
        "Funding",
        "Budget for the cost of managing the partnership, not only for the visits.",
    ),
    (
        Step.APPROACH,
        "Due diligence",
        "Check a partner's existing commitments: a city with many "
        "dormant links has little capacity for another.",
    ),
]
SCORE_NOTES = {0: "No fit", 1: "Poor fit", 2: "Weak", 3: "Adequate", 4: "Good fit", 5: "Excellent"}


# --- The loader ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    city: str
    password: str


@dataclass
class DemoResult:
    cities: int = 0
    cities_created: int = 0
    countries: int = 0
    strategies_created: int = 0
    partnerships_created: int = 0
    partnerships_skipped: int = 0
    users_created: int = 0
    logins: list[Login] = field(default_factory=list)
    # username -> business association, for the businesses app to link once it exists.
    associations: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def summary_line(self) -> str:
        c = self.counts
        return (
            f"Demo data: {self.cities} cities in {self.countries} countries "
            f"({self.cities_created} new), {self.strategies_created} strategies put in force, "
            f"{self.partnerships_created} partnerships walked ({self.partnerships_skipped} "
            f"already there), {len(self.logins)} demo users ({self.users_created} new). "
            f"The database now holds {c.get('Partnership', 0)} partnerships, "
            f"{c.get('MOU', 0)} MOUs, {c.get('Activity', 0)} activities and "
            f"{c.get('Review', 0)} reviews."
        )


def load(*, today: dt.date | None = None) -> DemoResult:
    """Load (or top up) the demo dataset in one transaction; safe to run again."""
    today = today or timezone.localdate()
    plan = make_plan(today)
    result = DemoResult()
    with transaction.atomic():
        cities = _load_cities(result)
        officers, admin = _load_users(cities, result)
        _load_strategies(cities, plan, officers, admin, result)
        for partnership_plan in plan.partnerships:
            entry = partnership_plan.entry
            home = cities[entry["home"]]
            exists = Partnership.objects.filter(
                title=entry["title"],
                members__partner=home,
                members__role=PartnershipMember.Role.HOME,
            ).exists()
            if exists:
                result.partnerships_skipped += 1
                continue
            user = officers.get(home.pk, admin)
            _Walk(partnership_plan, cities, officers, user, today).run()
            result.partnerships_created += 1
    result.counts = {
        model.__name__: model.objects.count()
        for model in apps.get_app_config("partnerships").get_models()
    }
    return result


def _load_cities(result: DemoResult) -> dict[str, Partner]:
    sectors = {s.code: s for s in Sector.objects.all()}
    cities = {}
    for c in demo_data.CITIES:
        partner, created = Partner.objects.update_or_create(
            name=c["name"],
            province=c["province"],
            country=c["country"],
            defaults={
                "kind": c["kind"],
                "population": c["population"],
                "latitude": Decimal(str(c["lat"])),
                "longitude": Decimal(str(c["lon"])),
                "global_region": c["global_region"],
                "website": c["website"],
                "community_profile": c["profile"],
                "development_plan": c["development_plan"],
            },
        )
        partner.sectors.set([sectors[code] for code in c["sectors"]])
        cities[c["name"]] = partner
        result.cities_created += created
    result.cities = len(cities)
    result.countries = len({c["country"] for c in demo_data.CITIES})
    return cities


def _load_users(cities: dict[str, Partner], result: DemoResult):
    """The demo accounts, all with DEMO_PASSWORD (reset on every run so the table is true)."""
    User = get_user_model()
    # One hash for all five: they share a published password anyway, and hashing is the
    # slowest part of the load with the production hasher.
    password = make_password(DEMO_PASSWORD)
    officers: dict[int, object] = {}
    admin = None
    for spec in demo_data.DEMO_USERS:
        role = spec["role"]
        user, created = User.objects.update_or_create(
            username=spec["username"],
            defaults={
                "email": spec["email"],
                "first_name": spec["first_name"],
                "last_name": spec["last_name"],
                "is_active": True,
                "is_staff": role == "admin",
                "is_superuser": role == "admin",
                "password": password,
            },
        )
        result.users_created += created
        city = cities[spec["city"]] if spec["city"] else None
        if role in (CityMembership.Role.OFFICER, CityMembership.Role.COORDINATOR):
            CityMembership.objects.update_or_create(
                user=user, partner=city, defaults={"role": role}
            )
            if role == CityMembership.Role.OFFICER or city.pk not in officers:
                officers[city.pk] = user
        elif role == "chamber":
            # A plain user for now: the businesses app (a later issue) will link the account
            # to its association; until then the association is only reported.
            result.associations[user.username] = spec["association"]
        elif role == "admin":
            admin = user
        result.logins.append(Login(user.username, role, spec["city"] or "–", DEMO_PASSWORD))
    return officers, admin


def _load_strategies(cities, plan: DemoPlan, officers, admin, result: DemoResult) -> None:
    """One strategy in force for every home city, written for that city."""
    sector_names = dict(Sector.objects.values_list("code", "name"))
    for home_name, approved_on in plan.strategy_approved.items():
        home = cities[home_name]
        if services.strategy_in_force(home.pk):
            continue
        c = CITY_DATA[home.name]
        priorities = c["development_plan"].split(": ", 1)[-1].rstrip(".")
        sectors = _join([sector_names[s].lower() for s in c["sectors"]])
        champion = _mayor_title(c)
        country = countries.name(c["country"])
        strategy = services.strategy_create(
            partner=home,
            user=officers.get(home.pk, admin),
            criteria=[dict(criterion) for criterion in demo_data.STRATEGY_CRITERIA],
            vision=(
                f"{home_name} uses its international partnerships to bring knowledge, trade "
                f"and visitors home in support of its own priorities: {priorities}."
            ),
            goals=(
                f"Grow {sectors} through links with partner cities; exchange municipal skills "
                "officer to officer; involve business, schools and civil society in every "
                "partnership; review each one regularly against agreed measures."
            ),
            champion=champion,
            senior_management_involvement=(
                f"The {champion.split(',')[0]} chairs a twinning committee with the city "
                "manager; every partnership has a named senior manager on each side."
            ),
            learning_capture=(
                "Each review records its lessons; the international relations office reports "
                "them to council once a year and this strategy is updated from them."
            ),
            development_plan_context=c["development_plan"],
            national_policy_context=(
                f"Consistent with {country}'s national and provincial policy on the "
                "international relations of local government."
            ),
        )
        services.strategy_put_in_force(strategy=strategy, approved_on=approved_on)
        result.strategies_created += 1


class _Walk:
    """Creates one partnership and walks it, step by step, to its target step."""

    def __init__(self, plan: PartnershipPlan, cities, officers, user, today: dt.date):
        self.plan, self.entry, self.r = plan, plan.entry, plan.rng
        self.cities, self.officers, self.user, self.today = cities, officers, user, today
        self.home = cities[self.entry["home"]]
        self.counterparts = [cities[n] for n in self.entry["counterparts"]]
        self.candidates: dict[str, Candidate] = {}
        self.kpis: list[KPI] = []
        self.areas = list(CooperationArea.objects.filter(code__in=self.entry["areas"]))
        self.area_text = _join([AREA_WORDS.get(code, code) for code in self.entry["areas"]])
        self.p: Partnership | None = None

    # -- helpers ------------------------------------------------------------------------

    def day(self, step: int) -> dt.date:
        return _between(self.r, *self.plan.window(step, self.today))

    def at(self, d: dt.date) -> dt.datetime:
        moment = dt.time(self.r.randint(8, 16), self.r.choice((0, 15, 30, 45)))
        return timezone.make_aware(dt.datetime.combine(d, moment))

    @property
    def cp(self) -> Partner:
        return self.counterparts[0]

    # -- the walk -------------------------------------------------------------------------

    def run(self) -> Partnership:
        e = self.entry
        self.p = services.partnership_create(
            home=self.home,
            title=e["title"],
            category=e["category"],
            user=self.user,
            areas=self.areas,
            summary=e["summary"],
            phase=e["phase"],
        )
        Champion.objects.create(
            partnership=self.p,
            partner=self.home,
            name=e["champion"]["name"],
            title=e["champion"]["title"],
            email=_email(e["champion"]["name"]),
            is_active=e["status"] != "ended",
            since=self.plan.entered[1],
        )
        steps = {
            Step.SEARCH: self.search,
            Step.APPROACH: self.approach,
            Step.SELECTION: self.selection,
            Step.PLANNING: self.planning,
            Step.AGREEMENT: self.agreement,
            Step.IMPLEMENTATION: self.implementation,
            Step.MEASUREMENT: self.measurement,
        }
        for step in range(Step.STRATEGY, e["step"] + 1):
            if step in steps:  # the strategy step's artefact is the city's strategy
                steps[step](current=step == e["step"])
            if step < e["step"]:
                self.advance()
        self.finish()
        self.backdate()
        return self.p

    def advance(self) -> None:
        if self.p.step in workflow.JOINT_SIGN_OFF_STEPS:
            # Both sides confirm when both have officers in the portal (the twinned pair).
            members = self.p.members.values_list("partner_id", flat=True)
            sides = [self.officers[m] for m in members if m in self.officers]
            if len(sides) >= 2:
                for officer in sides:
                    services.partnership_confirm_move(partnership=self.p, user=officer)
        services.partnership_advance(partnership=self.p, user=self.user)
        self.p.refresh_from_db()

    # -- step 2: search -----------------------------------------------------------------

    def search(self, current: bool) -> None:
        home = CITY_DATA[self.home.name]
        for name in self.entry["candidates"]:
            city = CITY_DATA[name]
            shared = [s for s in city["sectors"] if s in home["sectors"]]
            sector_names = dict(Sector.objects.values_list("code", "name"))
            if shared:
                lead = (
                    f"Shares {self.home.name}'s strengths in "
                    f"{_join([sector_names[s].lower() for s in shared])}"
                )
            else:
                lead = (
                    "Complements our economy with strengths in "
                    f"{_join([sector_names[s].lower() for s in city['sectors']])}"
                )
            source = Candidate.Source.OFFICER
            if self.entry["phase"] == "commercial" and self.r.random() < 0.4:
                source = Candidate.Source.CHAMBER
            elif self.r.random() < 0.15:
                source = Candidate.Source.SUGGESTION
            self.candidates[name] = services.candidate_add(
                partnership=self.p,
                partner=self.cities[name],
                rationale=f"{lead}, and fits our interest in {self.area_text}. {city['profile']}",
                user=self.user,
                source=source,
                created_at=self.at(self.day(Step.SEARCH)),
            )

    # -- step 3: approach and evaluation ------------------------------------------------

    def approach(self, current: bool) -> None:
        complete = not current or self.plan.gate_met
        start, end = self.plan.window(Step.APPROACH, self.today)
        for i, (name, candidate) in enumerate(self.candidates.items()):
            city = CITY_DATA[name]
            chosen = name in self.entry["counterparts"]
            first_on = _between(self.r, start, end - days(7))
            channel, summary = self.r.choice(CONTACT_CHANNELS)
            if chosen:
                response = ApproachContact.Response.POSITIVE
            elif not complete:
                response = self.r.choice(
                    [ApproachContact.Response.AWAITING, ApproachContact.Response.POSITIVE]
                )
            else:
                response = self.r.choice(
                    [ApproachContact.Response.POSITIVE, ApproachContact.Response.NEGATIVE]
                )
            ApproachContact.objects.create(
                candidate=candidate,
                contacted_on=first_on,
                channel=channel,
                contact_name=_person(city, 1),
                contact_role=f"International relations, {name}",
                summary=summary,
                response=response,
            )
            if chosen or (complete and self.r.random() < 0.5):
                channel, summary = self.r.choice(FOLLOW_UPS)
                ApproachContact.objects.create(
                    candidate=candidate,
                    contacted_on=_between(self.r, first_on + DAY, end),
                    channel=channel,
                    contact_name=_person(city, 0),
                    contact_role=_mayor_title(city),
                    summary=summary,
                    response=response,
                )
            Candidate.objects.filter(pk=candidate.pk).update(status=Candidate.Status.APPROACHED)
            if complete or i == 0:
                existing = self.r.randint(3, 25)
                failed = self.r.randint(0, 3)
                DueDiligence.objects.create(
                    candidate=candidate,
                    alliance_history=(
                        f"{existing} partnerships on record, {failed} of them ended or dormant"
                        + (", mostly for lack of funding or after elections." if failed else ".")
                    ),
                    existing_partnerships=existing,
                    failed_partnerships=failed,
                    capability_gaps=self.r.choice(CAPABILITY_GAPS),
                    risks=self.r.choice(RISKS),
                    completed_on=_between(self.r, first_on, end),
                )
            if complete:
                if chosen:
                    conclusion = self.r.choice(
                        [FeasibilityStudy.Conclusion.FEASIBLE] * 3
                        + [FeasibilityStudy.Conclusion.CONDITIONAL]
                    )
                else:
                    conclusion = self.r.choice(
                        [
                            FeasibilityStudy.Conclusion.CONDITIONAL,
                            FeasibilityStudy.Conclusion.NOT_FEASIBLE,
                        ]
                    )
                FeasibilityStudy.objects.create(
                    candidate=candidate,
                    summary=(
                        f"{name} shares our interest in {self.area_text} and can name a contact "
                        "officer; the travel and time needed are within what both sides budget."
                        if conclusion == FeasibilityStudy.Conclusion.FEASIBLE
                        else f"{name} is interested, but its capacity for another partnership "
                        "is limited; it would need co-funding and a clear first project."
                    ),
                    resources_required=(
                        "Travel for two exchange visits a year, a part-time coordinator on each "
                        "side, and interpreting where needed."
                    ),
                    conclusion=conclusion,
                    completed_on=_between(self.r, first_on, end),
                )

    # -- step 4: selection --------------------------------------------------------------

    def selection(self, current: bool) -> None:
        criteria = list(self.p.strategy.criteria.all())
        totals = {}
        for name, candidate in self.candidates.items():
            chosen = name in self.entry["counterparts"]
            total = 0
            for criterion in criteria:
                score = self.r.randint(3, 5) if chosen else self.r.randint(1, 3)
                score = min(score, criterion.max_score)
                CriterionScore.objects.create(
                    candidate=candidate,
                    criterion=criterion,
                    score=score,
                    note=SCORE_NOTES.get(score, ""),
                )
                total += score * criterion.weight
            totals[name] = total
        top = sum(c.max_score * c.weight for c in criteria)
        decided_on = self.day(Step.SELECTION)
        first, *others = self.entry["counterparts"]
        services.selection_decide(
            partnership=self.p,
            candidate=self.candidates[first],
            reasons=(
                f"{first} scored {totals[first]} of {top} against the strategy's weighted "
                "criteria, the highest of the candidates; the feasibility study was positive "
                "and its mayor's office confirmed its interest in writing."
            ),
            user=self.user,
        )
        SelectionDecision.objects.filter(partnership=self.p).update(decided_on=decided_on)
        for name in others:
            services.partnership_add_partner(partnership=self.p, partner=self.cities[name])
        chosen = [self.candidates[n].pk for n in self.entry["counterparts"]]
        self.p.candidates.filter(pk__in=chosen).update(status=Candidate.Status.SELECTED)
        self.p.candidates.exclude(pk__in=chosen).update(status=Candidate.Status.REJECTED)
        PartnershipMember.objects.filter(
            partnership=self.p, role=PartnershipMember.Role.COUNTERPART
        ).update(joined_on=decided_on)

    # -- step 5: planning ---------------------------------------------------------------

    def planning(self, current: bool) -> None:
        r, home, cp = self.r, self.home, self.cp
        complete = not current or self.plan.gate_met
        LetterOfIntent.objects.create(
            partnership=self.p,
            signed_on=self.day(Step.PLANNING),
            signed_by=(
                f"For {home.name}: {', '.join(_signer(home))}. "
                f"For {cp.name}: {', '.join(_signer(cp))}."
            ),
            summary=(
                f"Both cities commit to negotiate a partnership on {self.area_text}, and to "
                "agree a business plan and its measures before an MOU is signed."
            ),
        )
        if complete or r.random() < 0.5:
            self.kpis = self._kpis()
        objectives = "; ".join(
            f"{k.name.lower()} from {k.baseline:g} to {k.target:g} {k.unit}" for k in self.kpis
        )
        plan = BusinessPlan.objects.create(
            partnership=self.p,
            vision=(
                f"{home.name} and {cp.name} work together as equals on {self.area_text}, "
                "with results that residents and businesses in both cities can see."
            ),
            goals=self.entry["summary"],
            objectives=(
                f"Within three years: {objectives}."
                if objectives
                else "To be set with the measures, still under negotiation."
            ),
            scope=(
                f"Areas of cooperation: {self.area_text}. Each side bears its own costs unless "
                "a project budget says otherwise."
            ),
        )
        descriptions = [AREA_ACTIONS[a] for a in self.entry["areas"] if a in AREA_ACTIONS]
        descriptions = descriptions[:3] + r.sample(GENERIC_ACTIONS, 1)
        owners = [
            (f"International relations office, {home.name}", home),
            (f"International office, {cp.name}", cp),
            ("Economic development directorate", home),
        ]
        for description in descriptions[: r.randint(2, 4)]:
            due_on = self.today + days(r.randint(-150, 240))
            done = due_on < self.today and r.random() < 0.5
            owner, side = r.choice(owners)
            PlanAction.objects.create(
                plan=plan,
                description=description,
                owner=owner,
                owner_partner=side,
                due_on=due_on,
                status=PlanAction.Status.DONE if done else PlanAction.Status.OPEN,
                completed_on=due_on - days(r.randint(0, 20)) if done else None,
            )

    def _kpis(self) -> list[KPI]:
        templates = {t["name"]: t for t in demo_data.KPI_TEMPLATES}
        area_of = {}
        for code in self.entry["areas"]:
            name = AREA_KPIS.get(code)
            if name and name not in area_of:
                area_of[name] = code
        names = list(area_of)
        self.r.shuffle(names)
        wanted = self.r.randint(2, 3)
        rest = [n for n in templates if n not in names]
        names = (names + self.r.sample(rest, len(rest)))[:wanted]
        areas = {a.code: a for a in self.areas}
        created_at = self.at(self.day(Step.PLANNING))
        currency = CURRENCY.get(CITY_DATA[self.home.name]["country"], "EUR")
        kpis = []
        for name in names:
            t = templates[name]
            kpis.append(
                KPI.objects.create(
                    partnership=self.p,
                    name=name,
                    unit=t["unit"].replace("ZAR", currency),
                    baseline=t["baseline"],
                    target=t["target"],
                    area=areas.get(area_of.get(name)),
                    created_at=created_at,
                )
            )
        return kpis

    # -- step 6: agreement --------------------------------------------------------------

    def agreement(self, current: bool) -> None:
        plan, established = self.plan, self.plan.established
        if established and add_years(established, 5) < plan.mou_effective:
            first = self._mou(
                effective=established,
                expires=add_years(established, 5),
                other_terms="The founding agreement of the partnership.",
            )
            services.mou_sign(mou=first, signed_on=established)
            first.status = MOU.Status.EXPIRED
            first.save(update_fields=["status", "updated_at"])
        renewal = (
            f" Renews the agreement first signed on {_long_date(established)}."
            if established and established < plan.mou_effective
            else ""
        )
        mou = self._mou(
            effective=plan.mou_effective,
            expires=plan.mou_expires,
            other_terms=(
                "Each city bears its own costs unless a project budget says otherwise; the "
                "partners meet at least once a year to review progress." + renewal
            ),
        )
        if plan.mou_state == "signed":
            services.mou_sign(mou=mou, signed_on=plan.mou_signed)

    def _mou(self, *, effective: dt.date, expires: dt.date, other_terms: str) -> MOU:
        host = self.r.choice([self.home, self.cp])
        ceremony = effective if effective <= self.today else None
        mou = MOU.objects.create(
            partnership=self.p,
            effective_on=effective,
            expires_on=expires,
            termination_conditions=(
                "Either city may end the agreement with six months' written notice; projects "
                "under way are completed or wound down by agreement."
            ),
            other_terms=other_terms,
            ceremony_on=ceremony,
            ceremony_place=f"City Hall, {host.name}",
        )
        mou.areas.set(self.areas)
        for side in [self.home, *self.counterparts]:
            name, title = _signer(side)
            MOUSignatory.objects.create(mou=mou, partner=side, name=name, title=title)
        return mou

    # -- step 7: implementation ---------------------------------------------------------

    def implementation(self, current: bool) -> None:
        r, plan, today = self.r, self.plan, self.today
        start = max(plan.entered[Step.IMPLEMENTATION], today - days(730))
        end = plan.stopped_on or today
        if plan.quiet:
            end = today - days(r.randint(91, 140))
        count = r.randint(5, 9)
        dates = sorted(_between(r, start, end) for _ in range(count))
        if self.entry["status"] == "active" and not plan.quiet:
            dates[-1] = today - days(r.randint(3, 60))
        for occurred_on, (kind, title) in zip(
            dates, r.sample(demo_data.ACTIVITY_TEMPLATES, count), strict=True
        ):
            description, (low, high) = ACTIVITY_DETAILS[kind]
            host = r.choice([self.home, self.cp])
            Activity.objects.create(
                partnership=self.p,
                kind=kind,
                title=f"{title} ({host.name})",
                occurred_on=occurred_on,
                description=description,
                participants=r.randint(low, high),
                created_by=self.user,
                created_at=self.at(occurred_on),
            )

    # -- step 8: measurement and learning -----------------------------------------------

    def measurement(self, current: bool) -> None:
        r, plan = self.r, self.plan
        period_start, period_end = plan.review_period
        held = self.p.activities.filter(occurred_on__range=(period_start, period_end)).count()
        measures = _join([k.name.lower() for k in self.kpis]) or "the agreed measures"
        if self.entry["status"] == "ended":
            decision = Review.Decision.END
            outcome = (
                "The partners agreed to end the partnership: the measures were not met and "
                "neither side could fund the next phase."
            )
        else:
            decision = r.choice(
                [Review.Decision.CONTINUE, Review.Decision.CONTINUE, Review.Decision.ADJUST]
            )
            outcome = (
                "Continue as planned."
                if decision == Review.Decision.CONTINUE
                else "Adjust the plan: fewer actions, each with an owner on both sides."
            )
        review = Review.objects.create(
            partnership=self.p,
            period_start=period_start,
            period_end=period_end,
            status=Review.Status.COMPLETED,
            narrative=(
                f"Reviewed against {measures}. {held} activities took place in the period. "
                f"{outcome}"
            ),
            decision=decision,
            completed_on=plan.review_completed,
            created_by=self.user,
            created_at=self.at(plan.review_completed),
        )
        for step, theme, text in r.sample(LESSONS, r.randint(1, 2)):
            Lesson.objects.create(
                partnership=self.p,
                review=review,
                step=step,
                theme=theme,
                text=text,
                recorded_by=self.user,
                created_at=self.at(plan.review_completed),
            )

    # -- after the walk -----------------------------------------------------------------

    def finish(self) -> None:
        """What is not a step: set after the walk, since a paused partnership cannot move."""
        e, p = self.entry, self.p
        p.status = e["status"]
        p.relationship_strength = e["strength"]
        p.established_on = self.plan.established
        p.review_cadence_months = self.plan.cadence
        p.next_review_on = self.plan.next_review_on
        p.published = self.plan.published
        p.full_clean()
        p.save(
            update_fields=[
                "status",
                "relationship_strength",
                "established_on",
                "review_cadence_months",
                "next_review_on",
                "published",
                "updated_at",
            ]
        )
        if e["status"] == "ended":
            mou = p.mous.filter(status=MOU.Status.SIGNED).first()
            if mou:
                mou.status = MOU.Status.TERMINATED
                mou.terminated_on = self.plan.stopped_on
                mou.termination_reason = "Ended by both partners after the last review."
                mou.save()

    def backdate(self) -> None:
        """Move the walk from "now" to the plan's dates: the only writes that bypass services."""
        entered = {step: self.at(d) for step, d in self.plan.entered.items()}
        moves = list(self.p.transitions.all())
        for move in moves:
            move.at = entered[move.to_step]
        StepTransition.objects.bulk_update(moves, ["at"])
        confirmations = list(MoveConfirmation.objects.filter(partnership=self.p))
        for confirmation in confirmations:
            confirmation.at = entered[confirmation.step + 1] - dt.timedelta(
                hours=self.r.randint(2, 48)
            )
        MoveConfirmation.objects.bulk_update(confirmations, ["at"])
        Partnership.objects.filter(pk=self.p.pk).update(
            step_entered_at=entered[self.p.step], created_at=entered[Step.STRATEGY]
        )
        PartnershipMember.objects.filter(
            partnership=self.p, role=PartnershipMember.Role.HOME
        ).update(joined_on=self.plan.entered[Step.STRATEGY])
