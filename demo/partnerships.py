"""Load the demo dataset's cities, users, strategies and partnerships (`manage.py load_demo`).

Why it looks the way it does:

* Every partnership is created with `services.partnership_create` and moved with
  `services.partnership_advance`, one step at a time, after the artefacts each gate asks for
  have been recorded (`demo.walk`). So the demo exercises the same rules an officer meets, and
  a change to a gate that the demo no longer satisfies fails loudly here instead of producing
  data the portal could never have made.
* Only the *clock* is faked afterwards: the walk runs "now", then the step transitions, move
  confirmations and `step_entered_at` are backdated (queryset updates) to a plausible story
  (`demo.plan`), so some partnerships look stalled and the warning signs have something to
  show: MOUs expiring within 90 days, one lapsed MOU, overdue reviews and actions, a quiet
  partnership.
* All variation comes from `random.Random(SEED)`, drawn in the same order on every run, so
  two loads on the same day give the same data. Dates are relative to today.
* Idempotent: cities, users and memberships are matched by natural key and updated; a
  partnership whose title already exists for its home city is skipped, not rebuilt; a home
  city with a strategy in force keeps it. The whole load is one transaction.
* The long-standing links (some date from 1948) have their first agreement recorded as an
  expired MOU effective on the date the partnership was established; the MOU in force is the
  latest renewal, so that its expiry falls in the next few years.

The data itself (cities, partnerships, users, templates, the wording) is in `demo/data/`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django_countries import countries

from demo import dataset
from demo.plan import DemoPlan, make_plan
from demo.texts import join, mayor_title
from demo.walk import Walk
from partnerships import services
from partnerships.models import CityMembership, Partner, Partnership, PartnershipMember, Sector

# Documented in the README and printed by `load_demo`: these accounts exist only in demo data.
DEMO_PASSWORD = "demo-pass-2026"


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
    # username -> business association: demo.businesses makes the user approved staff of it.
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
    data = dataset.get()
    plan = make_plan(data.partnerships, today)
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
            Walk(partnership_plan, cities, officers, user, today).run()
            result.partnerships_created += 1
    result.counts = row_counts()
    return result


def row_counts() -> dict[str, int]:
    """Rows of every partnerships model, by model name (for the summary line)."""
    return {
        model.__name__: model.objects.count()
        for model in apps.get_app_config("partnerships").get_models()
    }


def _load_cities(result: DemoResult) -> dict[str, Partner]:
    sectors = {s.code: s for s in Sector.objects.all()}
    cities = {}
    data = dataset.get()
    for c in data.cities:
        # The city of that place when someone added it from the gazetteer before the demo
        # was loaded (under its own name); else the city of that name.
        found = Partner.objects.filter(geonameid=c["geonameid"]).first()
        natural_key = (
            {"pk": found.pk}
            if found
            else {"name": c["name"], "province": c["province"], "country": c["country"]}
        )
        partner, created = Partner.objects.update_or_create(
            **natural_key,
            defaults={
                "geonameid": c["geonameid"],
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
    result.countries = len({c["country"] for c in data.cities})
    return cities


def _load_users(cities: dict[str, Partner], result: DemoResult):
    """The demo accounts, all with DEMO_PASSWORD (reset on every run so the table is true)."""
    User = get_user_model()
    # One hash for all five: they share a published password anyway, and hashing is the
    # slowest part of the load with the production hasher.
    password = make_password(DEMO_PASSWORD)
    officers: dict[int, object] = {}
    admin = None
    for spec in dataset.get().users:
        role = spec["role"]
        user, created = User.objects.update_or_create(
            username=spec["username"],
            defaults={
                "email": spec["email"],
                "first_name": spec["first_name"],
                "last_name": spec["last_name"],
                "language": spec["language"],
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
            # A plain user here: the chambers' part of the load (demo.businesses) makes the
            # account approved staff of its association.
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
        c = dataset.get().city[home.name]
        priorities = c["development_plan"].split(": ", 1)[-1].rstrip(".")
        sectors = join([sector_names[s].lower() for s in c["sectors"]])
        champion = mayor_title(c)
        country = countries.name(c["country"])
        strategy = services.strategy_create(
            partner=home,
            user=officers.get(home.pk, admin),
            criteria=[dict(criterion) for criterion in dataset.get().strategy_criteria],
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
