"""The demo dataset: `demo/data/*.yaml`, read once and checked against the real rules.

The files are edited by hand, so every code in them goes through the choices the models use
(`Partnership.Category(code)`, `Step(n)`, `Activity.Kind(code)`…), the reference lists the
data migrations load (sectors, areas of cooperation, needs) and django-countries. A typo fails
here, before anything is written, with the file, the record and the field named, instead of
as a constraint error halfway through a walk, or not at all. Nothing is retyped: a code that
the models stop accepting stops the demo too.

What is checked beyond the codes is what the loaders rely on (a counterpart is one of the
candidates, a step-6 partnership has an established date, a registration names businesses of
its own chamber…), not how varied the dataset is: the demo tests look at that in the database.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from alliances.models import ScorecardMeasure, StartUpTask
from businesses import reference_data as business_lists
from businesses.models import BusinessProfile, InterestRegistration, Outcome
from demo.datafile import DataFile, DatasetError, Record
from partnerships import reference_data as partnership_lists
from partnerships.models import (
    Activity,
    ApproachContact,
    CityMembership,
    Partner,
    Partnership,
    Step,
    StrategyCriterion,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
SECTORS = {code for code, _ in partnership_lists.SECTORS}
AREAS = {code for code, _ in partnership_lists.COOPERATION_AREAS}
NEEDS = {code for code, *_ in business_lists.NEEDS}
# The demo's own roles besides a city's officers and coordinators.
USER_ROLES = {"admin", "chamber", *CityMembership.Role.values}
SIDES = ("home", "away")


@dataclass(frozen=True)
class Phrases:
    """phrases.yaml: the wording the walk draws from."""

    people: dict[str, list[str]]
    fallback_people: list[str]
    currencies: dict[str, str]
    area_words: dict[str, str]
    contact_channels: list[tuple[ApproachContact.Channel, str]]
    follow_ups: list[tuple[ApproachContact.Channel, str]]
    capability_gaps: list[str]
    risks: list[str]
    area_actions: dict[str, str]
    generic_actions: list[str]
    area_kpis: dict[str, str]
    activity_details: dict[Activity.Kind, tuple[str, tuple[int, int]]]
    lessons: list[tuple[Step, str, str]]
    score_notes: dict[int, str]


@dataclass(frozen=True)
class Chambers:
    """chambers.yaml: the associations of the twinned pair and what their members do."""

    away_association: str
    staff_approval_note: str
    pending_signup: dict[str, str]
    away_staff: dict[str, str]
    businesses: dict[str, list[dict]]  # by side
    registrations: list[dict]
    match_proposals: list[dict]
    lead: dict[str, str]
    sub_alliance: dict[str, Any]


@dataclass(frozen=True)
class Dataset:
    cities: list[dict]
    twinned_pair: tuple[str, str]
    partnerships: list[dict]
    users: list[dict]
    activity_templates: list[tuple[Activity.Kind, str]]
    kpi_templates: list[dict]
    strategy_criteria: list[dict]
    phrases: Phrases
    chambers: Chambers

    @functools.cached_property
    def city(self) -> dict[str, dict]:
        """The cities by name (names are unique in the dataset)."""
        return {c["name"]: c for c in self.cities}

    @property
    def chamber_user(self) -> dict:
        return next(u for u in self.users if u["role"] == "chamber")


@functools.cache
def get() -> Dataset:
    """The shipped dataset, read on first use and kept for the life of the process."""
    return read(DATA_DIR)


def read(directory: Path) -> Dataset:
    """Read and check every file of `directory`; raises DatasetError at the first problem."""
    directory = Path(directory)
    cities_file = DataFile(directory, "cities.yaml", {"cities"})
    cities = [_city(r) for r in cities_file.records("cities", "name")]
    cities_file.unique(cities, "name", "city")
    cities_file.unique(cities, "geonameid", "geonameid")  # one city per place
    _one_region_per_country(cities_file, cities)
    names = {c["name"] for c in cities}

    partnerships_file = DataFile(directory, "partnerships.yaml", {"twinned_pair", "partnerships"})
    pair = Record(
        partnerships_file,
        "twinned_pair",
        {"twinned_pair": partnerships_file.doc.get("twinned_pair")},
    )
    twinned_pair = tuple(pair.names("twinned_pair", names))
    if len(twinned_pair) != 2:
        pair.fail("twinned_pair", "name exactly two cities: the home city and its twin")
    partnerships = [
        _partnership(r, names) for r in partnerships_file.records("partnerships", "title")
    ]
    partnerships_file.unique(partnerships, "title", "partnership")
    home, twin = twinned_pair
    if not any(p["home"] == home and twin in p["counterparts"] for p in partnerships):
        # The chambers' part and the joint sign-off of the demo's officers need it.
        pair.fail("twinned_pair", f"no partnership of {home!r} has {twin!r} as counterpart")

    users_file = DataFile(directory, "users.yaml", {"users"})
    users = [_user(r, names) for r in users_file.records("users", "username")]
    users_file.unique(users, "username", "user")

    templates = DataFile(directory, "templates.yaml", {"activities", "kpis", "strategy_criteria"})
    activity_templates = [
        (r.choice("kind", Activity.Kind), r.text("title"))
        for r in templates.records("activities", "title", keys={"kind", "title"})
    ]
    kpi_templates = [
        {
            "name": r.text("name"),
            "unit": r.text("unit"),
            "baseline": r.number("baseline"),
            "target": r.number("target"),
        }
        for r in templates.records("kpis", "name", keys={"name", "unit", "baseline", "target"})
    ]
    templates.unique(kpi_templates, "name", "kpi")
    strategy_criteria = [
        {
            "name": r.text("name"),
            "measure": r.choice("measure", StrategyCriterion.Measure),
            "description": r.text("description"),
            "weight": r.integer("weight", 1, 10),  # StrategyCriterion's check constraint
        }
        for r in templates.records(
            "strategy_criteria", "name", keys={"name", "measure", "description", "weight"}
        )
    ]

    phrases_file = DataFile(directory, "phrases.yaml", PHRASES_SECTIONS)
    phrases = _phrases(phrases_file, activity_templates, kpi_templates)
    chambers = _chambers(DataFile(directory, "chambers.yaml", CHAMBERS_SECTIONS), users, names)
    return Dataset(
        cities=cities,
        twinned_pair=twinned_pair,
        partnerships=partnerships,
        users=users,
        activity_templates=activity_templates,
        kpi_templates=kpi_templates,
        strategy_criteria=strategy_criteria,
        phrases=phrases,
        chambers=chambers,
    )


# --- Cities, partnerships, users ---------------------------------------------------------------

CITY_FIELDS = {
    *("name", "province", "country", "geonameid", "kind", "population", "lat", "lon"),
    *("global_region", "website", "sectors", "profile", "development_plan"),
}


def _city(r: Record) -> dict:
    r.keys(CITY_FIELDS)
    website = r.text("website", blank=True)
    if website and not website.startswith("https://"):
        r.fail("website", f"expected an https:// address, got {website!r}")
    return {
        "name": r.text("name"),
        "province": r.text("province", blank=True),
        "country": r.country("country"),
        "geonameid": r.integer("geonameid", 1, 2**31 - 1),
        "kind": r.choice("kind", Partner.Kind),
        "population": r.integer("population", 1, 10**9),
        "lat": r.number("lat", -90, 90),
        "lon": r.number("lon", -180, 180),
        "global_region": r.choice("global_region", Partner.GlobalRegion),
        "website": website,
        "sectors": r.codes("sectors", SECTORS, "an ISIC section letter"),
        "profile": r.text("profile"),
        "development_plan": r.text("development_plan"),
    }


def _one_region_per_country(file: DataFile, cities: list[dict]) -> None:
    """The synthetic seeding draws (country, North/South) pairs from the cities."""
    region = {}
    for c in cities:
        if region.setdefault(c["country"], c["global_region"]) != c["global_region"]:
            raise DatasetError(
                f"{file.label}: city {c['name']!r}, field 'global_region': {c['country']} is "
                f"{region[c['country']]} for another city"
            )


PARTNERSHIP_FIELDS = {
    "title",
    "home",
    "counterparts",
    "candidates",
    "category",
    "phase",
    "status",
    "areas",
    "step",
    "established",
    "strength",
    "champion",
    "summary",
}


def _partnership(r: Record, cities: set[str]) -> dict:
    r.keys(PARTNERSHIP_FIELDS)
    home = r.code("home", cities, "a city of cities.yaml")
    step = r.choice("step", Step)
    candidates = r.names("candidates", cities, empty=step < Step.SEARCH)
    counterparts = r.names("counterparts", cities, empty=step < Step.SELECTION)
    if home in candidates:
        r.fail("candidates", f"the home city {home!r} cannot be its own candidate")
    if step < Step.SELECTION and counterparts:
        r.fail("counterparts", "chosen at step 4 (selection): none before")
    if not set(counterparts) <= set(candidates):
        r.fail("counterparts", "every counterpart must be one of the candidates")
    established = r.date("established")
    if (established is None) != (step < Step.AGREEMENT):
        r.fail("established", "the date of the first agreement: from step 6 on, null before")
    champion = r.mapping("champion")
    champion.keys({"name", "title"})
    return {
        "title": r.text("title"),
        "home": home,
        "counterparts": counterparts,
        "candidates": candidates,
        "category": r.choice("category", Partnership.Category),
        "phase": r.choice("phase", Partnership.Phase),
        "status": r.choice("status", Partnership.Status),
        "areas": r.codes("areas", AREAS, "an area of cooperation"),
        "step": step,
        "established": established,
        # Lendrum's relationship scale (the model's check constraint).
        "strength": r.integer("strength", 0, 10),
        "champion": {"name": champion.text("name"), "title": champion.text("title")},
        "summary": r.text("summary"),
    }


def _language(r: Record) -> str:
    """A person's language: a code of settings.LANGUAGES (the account's language)."""
    return r.code("language", {code for code, _name in settings.LANGUAGES}, "a portal language")


def _user(r: Record, cities: set[str]) -> dict:
    r.keys(
        {"username", "email", "first_name", "last_name", "role", "city", "language"},
        frozenset({"association"}),
    )
    role = r.code("role", USER_ROLES, "a demo role")
    if role in CityMembership.Role.values:
        role = CityMembership.Role(role)
    city = r.value("city")
    if role == "admin":
        if city is not None:
            r.fail("city", "the administrator belongs to no city: null")
    else:
        r.code("city", cities, "a city of cities.yaml")
    if (role == "chamber") != ("association" in r.data):
        r.fail("association", "given for the chamber user, and only for it")
    user = {
        "username": r.text("username"),
        "email": r.text("email"),
        "first_name": r.text("first_name"),
        "last_name": r.text("last_name"),
        "role": role,
        "city": city,
        "language": _language(r),
    }
    if role == "chamber":
        user["association"] = r.text("association")
    return user


# --- Phrases -------------------------------------------------------------------------------

PHRASES_SECTIONS = set(Phrases.__dataclass_fields__) - {"fallback_people"}  # people: fallback


def _phrases(file: DataFile, activity_templates, kpi_templates) -> Phrases:
    top = Record(file, "top level", file.doc)

    people = dict(file.section("people", dict))
    fallback = people.pop("fallback", None)
    section = Record(file, "people", {**people, "fallback": fallback})
    for country, names in people.items():
        section.country(str(country), value=country)
        _strings(section, str(country), names)
    _strings(section, "fallback", fallback)

    currencies = file.section("currencies", dict)
    section = Record(file, "currencies", currencies)
    for country in currencies:
        section.country(str(country), value=country)
        section.text(str(country), currencies[country])

    def by_area(name: str) -> dict[str, str]:
        table = file.section(name, dict)
        record = Record(file, name, table)
        for code in table:
            record.code(str(code), AREAS, "an area of cooperation", value=code)
            record.text(str(code), table[code])
        return table

    def channels(name: str) -> list[tuple[ApproachContact.Channel, str]]:
        return [
            (r.choice("channel", ApproachContact.Channel), r.text("summary"))
            for r in file.records(name, "channel", keys={"channel", "summary"})
        ]

    area_kpis = by_area("area_kpis")
    kpi_names = {k["name"] for k in kpi_templates}
    for code, name in area_kpis.items():
        Record(file, "area_kpis", area_kpis).code(code, kpi_names, "a kpi of templates.yaml", name)

    details = {}
    table = file.section("activity_details", dict)
    for code in table:
        kind = Record(file, "activity_details", table).choice(str(code), Activity.Kind, code)
        r = Record(file, f"activity_details, {code}", table[code] or {})
        r.keys({"description", "participants"})
        low_high = r.value("participants")
        if not (
            isinstance(low_high, list) and len(low_high) == 2 and 0 < low_high[0] <= low_high[1]
        ):
            r.fail("participants", f"expected [fewest, most], got {low_high!r}")
        details[kind] = (r.text("description"), (low_high[0], low_high[1]))
    for kind, title in activity_templates:
        if kind not in details:
            raise DatasetError(f"{file.label}: activity_details has no {kind!r} (for {title!r})")

    lessons = [
        (r.choice("step", Step), r.text("theme"), r.text("text"))
        for r in file.records("lessons", "theme", keys={"step", "theme", "text"})
    ]
    score_notes = file.section("score_notes", dict)
    record = Record(file, "score_notes", score_notes)
    for score, note in score_notes.items():
        record.integer(str(score), 0, 100, value=score)  # StrategyCriterion.max_score
        record.text(str(score), note)
    return Phrases(
        people=people,
        fallback_people=fallback,
        currencies=currencies,
        area_words=by_area("area_words"),
        contact_channels=channels("contact_channels"),
        follow_ups=channels("follow_ups"),
        capability_gaps=_strings(top, "capability_gaps", file.doc.get("capability_gaps")),
        risks=_strings(top, "risks", file.doc.get("risks")),
        area_actions=by_area("area_actions"),
        generic_actions=_strings(top, "generic_actions", file.doc.get("generic_actions")),
        area_kpis=area_kpis,
        activity_details=details,
        lessons=lessons,
        score_notes=score_notes,
    )


def _strings(record: Record, field: str, value) -> list[str]:
    if not (isinstance(value, list) and value and all(isinstance(v, str) and v for v in value)):
        record.fail(field, f"expected a non-empty list of texts, got {value!r}")
    return value


# --- Chambers ------------------------------------------------------------------------------

CHAMBERS_SECTIONS = {
    "away_association",
    "staff_approval_note",
    "pending_signup",
    "away_staff",
    "home_businesses",
    "away_businesses",
    "registrations",
    "match_proposals",
    "lead",
    "sub_alliance",
}


def _chambers(file: DataFile, users: list[dict], cities: set[str]) -> Chambers:
    top = Record(file, "top level", file.doc)
    if not any(u["role"] == "chamber" for u in users):
        raise DatasetError(f"{file.label}: users.yaml has no chamber user for the home chamber")
    signup = top.mapping("pending_signup")
    signup.keys({"username", "email", "first_name", "last_name", "job_title", "language"})
    _language(signup)
    staff = top.mapping("away_staff")
    staff.keys({"username", "email", "first_name", "last_name", "job_title", "language"})
    _language(staff)

    businesses = {side: [] for side in SIDES}
    for side in SIDES:
        for r in file.records(f"{side}_businesses", "name"):
            r.keys(
                {"name", "sectors", "size", "readiness", "products", "seeks", "offers", "contact"},
                optional=frozenset({"sought", "chain", "markets"}),
            )
            businesses[side].append(
                {
                    "name": r.text("name"),
                    "sectors": r.codes("sectors", SECTORS, "an ISIC section letter"),
                    "size": r.choice("size", BusinessProfile.SizeBand),
                    "readiness": r.choice("readiness", BusinessProfile.ExportReadiness),
                    "products": r.text("products"),
                    "seeks": r.codes("seeks", NEEDS, "a need", empty=True),
                    "offers": r.codes("offers", NEEDS, "a need", empty=True),
                    "contact": r.text("contact"),
                    "sought": r.text("sought") if "sought" in r.data else "",
                    "chain": r.choice("chain", BusinessProfile.ChainPosition)
                    if "chain" in r.data
                    else "",
                    "markets": [r.country("markets", value=v) for v in r.value("markets")]
                    if "markets" in r.data
                    else [],
                }
            )
        file.unique(businesses[side], "name", "business")
    names = {side: {b["name"] for b in found} for side, found in businesses.items()}
    usernames = {u["username"] for u in users}

    registrations = []
    for r in file.records("registrations", "objectives"):
        r.keys(
            {"side", "user", "businesses", "objectives", "sectors", "offers", "seeks"}
            | {"timeframe", "decision"}
        )
        side = r.code("side", set(SIDES), "a side")
        user = r.value("user")
        if user is not None:
            r.code("user", usernames, "a username of users.yaml")
        decision = None
        if r.value("decision") is not None:
            d = r.mapping("decision")
            d.keys({"accept", "message"})
            if not isinstance(d.value("accept"), bool):
                d.fail("accept", "expected true or false")
            decision = {"accept": d.value("accept"), "message": d.text("message")}
        registrations.append(
            {
                "side": side,
                "user": user,
                "businesses": r.codes("businesses", names[side], f"a {side} business"),
                "objectives": r.text("objectives"),
                "sectors": r.codes("sectors", SECTORS, "an ISIC section letter"),
                "offers": r.text("offers"),
                "seeks": r.text("seeks"),
                "timeframe": r.choice("timeframe", InterestRegistration.Timeframe),
                "decision": decision,
            }
        )

    proposals = []
    for r in file.records("match_proposals", "first"):
        r.keys({"side", "user", "first", "second", "message", "decision"})
        side = r.code("side", set(SIDES), "a side")
        other = "away" if side == "home" else "home"
        decision = None
        if r.value("decision") is not None:
            d = r.mapping("decision")
            d.keys({"accept", "message"})
            if not isinstance(d.value("accept"), bool):
                d.fail("accept", "expected true or false")
            decision = {"accept": d.value("accept"), "message": d.text("message")}
        proposals.append(
            {
                "side": side,
                "user": r.code("user", usernames | {staff.text("username")}, "a chamber user"),
                "first": r.code("first", names[side], f"a {side} business"),
                "second": r.code("second", names[other], f"an {other} business"),
                "message": r.text("message"),
                "decision": decision,
            }
        )

    lead = top.mapping("lead")
    lead.keys({"target", "rationale"})
    s = top.mapping("sub_alliance")
    s.keys(
        {"name", "first", "second", "started_days_ago", "strengths", "tasks_done", "tasks_open"}
        | {"measures", "outcomes"}
    )

    def rows(field: str, key: str, keys: set[str]) -> list[Record]:
        """The records of a list inside the sub-alliance, each with exactly `keys`."""
        values = s.value(field)
        if not isinstance(values, list) or not values:
            s.fail(field, "expected a non-empty list")
        found = []
        for i, value in enumerate(values, start=1):
            if not isinstance(value, dict):
                s.fail(field, f"#{i}: expected a mapping")
            record = Record(file, f"sub_alliance, {field} #{i} ({value.get(key)!r})", value)
            record.keys(keys)
            found.append(record)
        return found

    days = functools.partial(Record.integer, low=0, high=3650)
    sub_alliance = {
        "name": s.text("name"),
        "first": s.code("first", names["home"], "a home business"),
        "second": s.code("second", names["away"], "an away business"),
        "started_days_ago": days(s, "started_days_ago"),
        "strengths": [
            # alliances.SubAlliance: strength on Lendrum's scale, 0-10.
            (r.integer("strength", 0, 10), r.text("note"))
            for r in rows("strengths", "note", {"strength", "note"})
        ],
        "tasks_done": [
            (r.choice("kind", StartUpTask.Kind), days(r, "days_ago"), r.text("notes"))
            for r in rows("tasks_done", "kind", {"kind", "days_ago", "notes"})
        ],
        "tasks_open": [
            (
                r.choice("kind", StartUpTask.Kind),
                r.code("side", set(SIDES), "a side"),
                r.text("notes"),
            )
            for r in rows("tasks_open", "kind", {"kind", "side", "notes"})
        ],
        "measures": [
            (
                r.code("side", set(SIDES), "a side"),
                r.choice("dimension", ScorecardMeasure.Dimension),
                r.text("name"),
                r.text("unit"),
                r.number("target", 0),
                r.number("actual", 0),
            )
            for r in rows(
                "measures", "name", {"side", "dimension", "name", "unit", "target", "actual"}
            )
        ],
        "outcomes": [
            (
                r.choice("kind", Outcome.Kind),
                r.number("amount", 0),
                r.text("currency", blank=True),
                days(r, "days_ago"),
                None if r.value("side") is None else r.code("side", set(SIDES), "a side"),
                r.text("note"),
            )
            for r in rows(
                "outcomes", "note", {"kind", "amount", "currency", "days_ago", "side", "note"}
            )
        ],
    }
    return Chambers(
        away_association=top.text("away_association"),
        staff_approval_note=top.text("staff_approval_note"),
        pending_signup={k: signup.text(k) for k in signup.data},
        away_staff={k: staff.text(k) for k in staff.data},
        businesses=businesses,
        registrations=registrations,
        match_proposals=proposals,
        lead={
            "target": lead.code("target", cities, "a city of cities.yaml"),
            "rationale": lead.text("rationale"),
        },
        sub_alliance=sub_alliance,
    )
