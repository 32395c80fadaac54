"""Demo data of the chambers and sub-alliances, on top of `partnerships.demo` (run by
`manage.py load_demo` after it).

The Border-Kei Chamber of Business in Buffalo City (its staff member is the demo user with an
"association" in `demo_data.DEMO_USERS`, approved) and an association in Gävle, the twinned
city, each with a dozen member businesses across sectors. Their seeks and offers are designed
so that the matchmaking finds good pairs in the Buffalo City – Gävle partnership, the best of
them (a citrus packhouse and a Nordic fruit importer) turned into a business sub-alliance with
its start-up tasks partly done, a shared scorecard filled in by both sides and outcomes. Add a
few interest registrations (pending and accepted), one lead (a port city proposed by the
chamber), and one pending sign-up for the staff requests page.

Everything goes through the services, as in the portal. Idempotent: associations, businesses
and users are matched by natural key; a registration is skipped when its businesses already
registered interest in the partnership; the lead when one exists for the pair of cities; the
sub-alliance (with its tasks, measures and outcomes) when one of its name exists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from alliances import services as alliance_services
from alliances.models import Organisation, ScorecardMeasure, StartUpTask, SubAlliance
from businesses import services
from businesses.models import (
    BusinessAssociation,
    BusinessProfile,
    ChamberMembership,
    InterestedBusiness,
    InterestRegistration,
    Need,
    Outcome,
    PartnershipLead,
)
from partnerships import demo_data
from partnerships.demo import DEMO_PASSWORD
from partnerships.models import CityMembership, Partner, Partnership, PartnershipMember, Sector

HOME, AWAY = demo_data.TWINNED_PAIR
AWAY_ASSOCIATION = "Gävleborg Business Association"
PENDING_USER = {
    "username": "gavle_chamber",
    "email": "johan.ek@example.org",
    "first_name": "Johan",
    "last_name": "Ek",
    "job_title": "Trade adviser",
}
LEAD_TARGET = "Rotterdam"
SUB_ALLIANCE = "Eastern Cape citrus to the Nordics"


def _chamber_user() -> dict:
    return next(u for u in demo_data.DEMO_USERS if u.get("association"))


# (name, sectors, size, readiness, products, seeks, offers, contact)
HOME_BUSINESSES = [
    (
        "Amathole Citrus Packers",
        "A C",
        "medium",
        "ready",
        "Packed citrus and juice concentrate",
        "buyers investment",
        "suppliers",
        "Lerato Mokoena",
    ),
    (
        "Buffalo Harbour Logistics",
        "H",
        "medium",
        "ready",
        "Port handling, reefer storage and freight forwarding",
        "buyers",
        "suppliers",
        "Sizwe Ntuli",
    ),
    (
        "Kei Automotive Components",
        "C",
        "large",
        "exporting",
        "Wiring harnesses and interior trim for car makers",
        "buyers technology",
        "suppliers",
        "Andre Botha",
    ),
    (
        "Wild Coast Eco Tours",
        "I R",
        "small",
        "exploring",
        "Guided coastal hikes and village stays",
        "tourism",
        "tourism",
        "Nosipho Mabandla",
    ),
    (
        "Mdantsane Textile Cooperative",
        "C",
        "micro",
        "exploring",
        "Hand-woven textiles and school uniforms",
        "buyers technology",
        "suppliers",
        "Thandeka Zulu",
    ),
    (
        "Nahoon Software Studio",
        "J",
        "small",
        "exploring",
        "Mobile apps and cargo tracking software",
        "investment technology",
        "technology",
        "Kyle Jacobs",
    ),
    (
        "Umtiza Renewable Energy",
        "D",
        "small",
        "none",
        "Solar installations for farms and factories",
        "technology investment",
        "suppliers",
        "Bongani Khumalo",
    ),
    (
        "Eastern Cape Pineapple Processors",
        "A C",
        "medium",
        "exploring",
        "Canned pineapple and dried fruit",
        "buyers technology",
        "",
        "Marike du Plessis",
    ),
    (
        "Border Timber Works",
        "C",
        "small",
        "none",
        "Sawn timber and pallets",
        "technology",
        "suppliers",
        "Johan Pretorius",
    ),
    (
        "Quigney Craft Brewery",
        "C I",
        "micro",
        "none",
        "Craft beer and a taproom on the beachfront",
        "buyers tourism",
        "",
        "Lwazi Dube",
    ),
    (
        "Buffalo City Student Placements",
        "P",
        "small",
        "none",
        "Work placements for engineering and hospitality students",
        "technology",
        "students",
        "Ayanda Mthethwa",
    ),
    (
        "East London Marine Engineering",
        "C H",
        "medium",
        "ready",
        "Ship repair and marine fabrication",
        "buyers technology",
        "suppliers",
        "Pieter Nel",
    ),
]

AWAY_BUSINESSES = [
    (
        "Testeboån Food Import AB",
        "G",
        "medium",
        "ready",
        "Fruit and juice wholesale for Nordic retailers",
        "suppliers",
        "buyers investment",
        "Sara Lindgren",
    ),
    (
        "Gävlebukten Freight AB",
        "H",
        "medium",
        "exporting",
        "Container terminal services and rail freight",
        "buyers",
        "suppliers",
        "Mats Olsson",
    ),
    (
        "Norrland Paper Packaging AB",
        "C",
        "large",
        "exporting",
        "Corrugated packaging and paper sacks",
        "buyers",
        "suppliers technology",
        "Eva Sundberg",
    ),
    (
        "Sätra Software AB",
        "J",
        "small",
        "exporting",
        "Fleet and cargo tracking platform",
        "buyers",
        "technology",
        "Oskar Hed",
    ),
    (
        "Gästrike Clean-Tech AB",
        "D M",
        "small",
        "exporting",
        "Solar and energy efficiency engineering",
        "buyers",
        "technology investment",
        "Linnea Björk",
    ),
    (
        "Brynäs Hotel Group AB",
        "I",
        "medium",
        "ready",
        "Hotels and conference venues",
        "tourism",
        "tourism",
        "Henrik Wall",
    ),
    (
        "Strömsbro Textile Design AB",
        "C",
        "micro",
        "exploring",
        "Textile design and small-batch production",
        "suppliers",
        "technology",
        "Ida Norén",
    ),
    (
        "Valbo Retail Group AB",
        "G",
        "large",
        "none",
        "Supermarkets across Gävleborg",
        "suppliers",
        "buyers",
        "Per Ågren",
    ),
    (
        "Högbo Outdoor Events AB",
        "R",
        "small",
        "exploring",
        "Outdoor festivals and adventure tourism",
        "tourism",
        "tourism",
        "Elin Forsberg",
    ),
    (
        "Gävle Innovation Office",
        "P M",
        "small",
        "none",
        "Research partnerships and student exchanges",
        "students",
        "students technology",
        "Karl Strand",
    ),
    (
        "Furuvik Marine Service AB",
        "C H",
        "small",
        "ready",
        "Boat engines and marine maintenance",
        "technology",
        "suppliers",
        "Anders Lund",
    ),
    (
        "Sandviken Tools Export AB",
        "C",
        "large",
        "exporting",
        "Cutting tools and steel components",
        "buyers",
        "suppliers technology",
        "Maria Engström",
    ),
]


@dataclass
class ChamberDemoResult:
    associations: int = 0
    businesses_created: int = 0
    registrations_created: int = 0
    leads_created: int = 0
    sub_alliances_created: int = 0
    logins: list[tuple[str, str, str]] = field(default_factory=list)

    def summary_line(self) -> str:
        def n(count: int, word: str, plural: str = "") -> str:
            return f"{count} {word if count == 1 else plural or word + 's'}"

        return (
            f"Chambers: {n(self.associations, 'association')}, "
            f"{n(self.businesses_created, 'business', 'businesses')} added, "
            f"{n(self.registrations_created, 'interest registration')}, "
            f"{n(self.leads_created, 'lead')}, "
            f"{n(self.sub_alliances_created, 'business sub-alliance')} "
            f"(existing rows kept; now {BusinessProfile.objects.count()} businesses)."
        )


def load(*, today: dt.date | None = None) -> ChamberDemoResult:
    """Load (or top up) the chambers' demo data in one transaction; safe to run again.
    Needs the partnerships demo (`partnerships.demo.load`) loaded first."""
    today = today or timezone.localdate()
    result = ChamberDemoResult()
    with transaction.atomic():
        home, away = (Partner.objects.get(name=name) for name in (HOME, AWAY))
        partnership = Partnership.objects.get(
            members__partner=home,
            members__role=PartnershipMember.Role.HOME,
            title__contains=AWAY,
        )
        officers = _officers(home, away)
        home_chamber = _association(home, _chamber_user()["association"])
        away_chamber = _association(away, AWAY_ASSOCIATION)
        result.associations = 2
        _staff(home_chamber, officers[home.pk])
        result.logins.append(_pending_signup(away_chamber))
        businesses = {}
        for association, specs in (
            (home_chamber, HOME_BUSINESSES),
            (away_chamber, AWAY_BUSINESSES),
        ):
            for spec in specs:
                business, created = _business(association, spec)
                businesses[business.name] = business
                result.businesses_created += created
        result.registrations_created = _registrations(
            partnership, home_chamber, away_chamber, businesses, officers, today
        )
        result.leads_created = _lead(home_chamber, home)
        result.sub_alliances_created = _sub_alliance(
            partnership, businesses, officers[home.pk], officers[away.pk], today
        )
    return result


def _officers(*cities: Partner) -> dict[int, object]:
    """The demo officer of each city (the first officer, else the coordinator)."""
    found = {}
    for membership in (
        CityMembership.objects.filter(partner__in=cities)
        .select_related("user")
        .order_by("-role", "user__username")
    ):
        if membership.role == CityMembership.Role.OFFICER or membership.partner_id not in found:
            found[membership.partner_id] = membership.user
    return found


def _association(city: Partner, name: str) -> BusinessAssociation:
    existing = BusinessAssociation.objects.filter(
        organisation__partner=city, organisation__name__iexact=name
    ).first()
    if existing:
        return existing
    organisation = Organisation.objects.filter(partner=city, name__iexact=name).first()
    slug = name.lower().replace(" ", "-")
    return services.association_create(
        user=None,
        partner=city,
        name=name,
        organisation=organisation,
        email=f"info@{slug}.example.org",
        description=f"The business association of {city.name}: its members' voice in the "
        "city's international partnerships.",
    )


def _staff(association: BusinessAssociation, officer) -> None:
    """The demo chamber user (created by the partnerships demo), approved staff."""
    user = get_user_model().objects.get(username=_chamber_user()["username"])
    membership = ChamberMembership.objects.filter(user=user, association=association).first()
    if membership is None:
        membership = services.chamber_signup(association=association, user=user)
    if membership.status == ChamberMembership.Status.PENDING:
        services.chamber_membership_decide(
            membership=membership,
            user=officer,
            approve=True,
            note="Welcome: register your members' interest in our partnerships.",
        )


def _pending_signup(association: BusinessAssociation) -> tuple[str, str, str]:
    """A sign-up waiting for approval, for the officers' staff requests page."""
    User = get_user_model()
    user, _ = User.objects.update_or_create(
        username=PENDING_USER["username"],
        defaults={
            **{k: v for k, v in PENDING_USER.items() if k != "username"},
            "is_active": True,
            "password": make_password(DEMO_PASSWORD),
        },
    )
    if not ChamberMembership.objects.filter(user=user, association=association).exists():
        services.chamber_signup(association=association, user=user)
    return (user.username, f"a pending sign-up for the {association.name}", DEMO_PASSWORD)


def _business(association: BusinessAssociation, spec) -> tuple[BusinessProfile, bool]:
    name, sector_codes, size, readiness, products, seeks, offers, contact = spec
    existing = (
        BusinessProfile.objects.filter(
            organisation__partner_id=association.organisation.partner_id,
            organisation__name__iexact=name,
        )
        .select_related("organisation")
        .first()
    )
    if existing:
        return existing, False
    needs = {n.code: n for n in Need.objects.all()}
    first_name = contact.split()[0].lower()
    email = f"{first_name}@{name.lower().split()[0]}.example.org"
    business = services.business_create(
        association=association,
        user=None,
        name=name,
        size_band=size,
        sectors=list(Sector.objects.filter(code__in=sector_codes.split())),
        seeks=[needs[c] for c in seeks.split()],
        offers=[needs[c] for c in offers.split()],
        products_services=products,
        export_readiness=readiness,
        contact_name=contact,
        contact_email=email,
    )
    return business, True


def _registrations(partnership, home_chamber, away_chamber, businesses, officers, today) -> int:
    home_officer = officers[home_chamber.organisation.partner_id]
    away_officer = officers[away_chamber.organisation.partner_id]
    chamber_user = get_user_model().objects.get(username=_chamber_user()["username"])
    plans = [
        {
            "association": home_chamber,
            "user": chamber_user,
            "businesses": ["Amathole Citrus Packers", "Buffalo Harbour Logistics"],
            "objectives": "Ship Eastern Cape citrus to Nordic retailers through Gävle's port, "
            "with cold-chain handling on both sides.",
            "sectors": ["A", "H"],
            "offers": "Export-ready citrus and juice concentrate; reefer storage in East London.",
            "seeks": "Importers and retail buyers in Sweden; pre-financing of the harvest.",
            "timeframe": InterestRegistration.Timeframe.SOON,
            "decide": (
                home_officer,
                True,
                "Welcome: we will introduce you to Gävle's importers at the next steering meeting.",
            ),
        },
        {
            "association": home_chamber,
            "user": chamber_user,
            "businesses": ["Wild Coast Eco Tours"],
            "objectives": "Attract Swedish visitors to the Wild Coast with joint tour packages.",
            "sectors": ["I", "R"],
            "offers": "Guided coastal hikes and village stays.",
            "seeks": "Tour operators and hotels in Gävleborg.",
            "timeframe": InterestRegistration.Timeframe.YEAR,
            "decide": None,
        },
        {
            "association": away_chamber,
            "user": None,
            "businesses": ["Testeboån Food Import AB"],
            "objectives": "Source citrus from the Eastern Cape for our Nordic retail customers.",
            "sectors": ["G"],
            "offers": "Listings with Nordic retailers; co-financing of packing capacity.",
            "seeks": "Reliable citrus suppliers with cold-chain logistics.",
            "timeframe": InterestRegistration.Timeframe.SOON,
            "decide": (
                away_officer,
                True,
                "Accepted: Buffalo City's chamber registered matching interest.",
            ),
        },
    ]
    created = 0
    for plan in plans:
        chosen = [businesses[name] for name in plan["businesses"]]
        if InterestedBusiness.objects.filter(
            partnership=partnership, business__in=chosen, withdrawn=False
        ).exists():
            continue
        registration = services.interest_register(
            association=plan["association"],
            partnership=partnership,
            user=plan["user"],
            businesses=chosen,
            objectives=plan["objectives"],
            sectors=list(Sector.objects.filter(code__in=plan["sectors"])),
            offers=plan["offers"],
            seeks=plan["seeks"],
            timeframe=plan["timeframe"],
        )
        if plan["decide"]:
            officer, accept, message = plan["decide"]
            services.interest_decide(
                registration=registration, user=officer, accept=accept, message=message
            )
        created += 1
    return created


def _lead(association: BusinessAssociation, home: Partner) -> int:
    target = Partner.objects.filter(name=LEAD_TARGET).first()
    if target is None or PartnershipLead.objects.filter(home=home, target=target).exists():
        return 0
    services.lead_propose(
        association=association,
        user=None,
        target=target,
        rationale="Rotterdam's port is Europe's gateway for South African citrus and its "
        "food-processing cluster buys what our farmers grow; our port and automotive "
        "suppliers would gain from a partnership of the two port cities.",
    )
    return 1


def _sub_alliance(partnership, businesses, home_officer, away_officer, today) -> int:
    if SubAlliance.objects.filter(partnership=partnership, name__iexact=SUB_ALLIANCE).exists():
        return 0
    started = today - dt.timedelta(days=200)
    sub_alliance = services.matchmaking_to_sub_alliance(
        partnership=partnership,
        first=businesses["Amathole Citrus Packers"],
        second=businesses["Testeboån Food Import AB"],
        user=home_officer,
        name=SUB_ALLIANCE,
        started_on=started,
    )
    alliance_services.sub_alliance_update(
        sub_alliance=sub_alliance, user=home_officer, status=SubAlliance.Status.ACTIVE
    )
    for strength, note in ((3, "First trial shipment agreed."), (5, "A yearly supply contract.")):
        alliance_services.sub_alliance_set_strength(
            sub_alliance=sub_alliance, strength=strength, user=home_officer, note=note
        )
    tasks = {t.kind: t for t in sub_alliance.startup_tasks.all()}
    done = [
        (
            StartUpTask.Kind.RELATIONSHIP_HISTORY,
            190,
            "No earlier trade between the two firms; both took part in the 2019 trade mission.",
        ),
        (
            StartUpTask.Kind.MANDATES_CULTURES,
            170,
            "Family packhouse meets a listed wholesaler: decisions take longer in Gävle.",
        ),
    ]
    for kind, days_ago, notes in done:
        alliance_services.startup_task_update(
            task=tasks[kind],
            user=home_officer,
            done=True,
            notes=notes,
            done_on=today - dt.timedelta(days=days_ago),
        )
    alliance_services.startup_task_update(
        task=tasks[StartUpTask.Kind.ROLES],
        user=away_officer,
        done=False,
        notes="Quality contact named in Gävle; East London still to name one.",
    )
    home, away = (
        Partner.objects.get(name=HOME),
        Partner.objects.get(name=AWAY),
    )
    measures = [
        (home_officer, home, "effectiveness", "Containers shipped", "containers", 12, 5),
        (home_officer, home, "efficiency", "Joint steering meetings held", "meetings", 4, 3),
        (away_officer, away, "effectiveness", "Retail listings in Sweden", "stores", 40, 18),
    ]
    for user, side, dimension, name, unit, target, actual in measures:
        alliance_services.scorecard_measure_add(
            sub_alliance=sub_alliance,
            user=user,
            side=side,
            dimension=ScorecardMeasure.Dimension(dimension),
            name=name,
            unit=unit,
            target=Decimal(target),
            actual=Decimal(actual),
        )
    outcomes = [
        (Outcome.Kind.CONTACTS, 6, "", 180, None, "Buyer visit to the packhouse."),
        (Outcome.Kind.DEALS, 2, "", 120, home, "Trial shipment and a one-year contract."),
        (Outcome.Kind.EXPORT_VALUE, 1_250_000, "ZAR", 60, home, "First season's shipments."),
        (Outcome.Kind.JOBS, 9, "", 30, home, "Seasonal packers taken on permanently."),
    ]
    for kind, amount, currency, days_ago, side, note in outcomes:
        services.outcome_record(
            sub_alliance=sub_alliance,
            user=home_officer,
            kind=kind,
            amount=Decimal(amount),
            currency=currency,
            occurred_on=today - dt.timedelta(days=days_ago),
            partner=side,
            note=note,
        )
    return 1
