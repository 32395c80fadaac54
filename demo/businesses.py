"""The chambers' part of the demo, on top of `demo.partnerships` (`manage.py load_demo` runs it
after the partnerships).

The Border-Kei Chamber of Business in Buffalo City (its staff member is the demo user with an
"association" in users.yaml, approved) and an association in Gävle, the twinned city, each
with a dozen member businesses across sectors. Their seeks and offers are designed so that the
matchmaking finds good pairs in the Buffalo City – Gävle partnership, the best of them (a
citrus packhouse and a Nordic fruit importer) turned into a business sub-alliance with its
start-up tasks partly done, a shared scorecard filled in by both sides and outcomes. Add a few
interest registrations (pending and accepted), matches proposed by both chambers (two waiting
for the officers, one declined), one lead (a port city proposed by the chamber), staff at work
in both associations, and one pending sign-up for the staff requests page. Each business says
what it buys, where it stands in its value chain and which export markets it seeks, so the
matchmaking's reasons name real facts. The data is in `demo/data/chambers.yaml`.

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
from alliances.models import Organisation, SubAlliance
from businesses import services
from businesses.models import (
    BusinessAssociation,
    BusinessProfile,
    ChamberMembership,
    InterestedBusiness,
    MatchProposal,
    Need,
    PartnershipLead,
)
from demo import dataset
from demo.partnerships import DEMO_PASSWORD
from partnerships.models import CityMembership, Partner, Partnership, PartnershipMember, Sector


@dataclass
class ChamberDemoResult:
    associations: int = 0
    businesses_created: int = 0
    registrations_created: int = 0
    proposals_created: int = 0
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
            f"{n(self.proposals_created, 'proposed match', 'proposed matches')}, "
            f"{n(self.leads_created, 'lead')}, "
            f"{n(self.sub_alliances_created, 'business sub-alliance')} "
            f"(existing rows kept; now {BusinessProfile.objects.count()} businesses)."
        )


def load(*, today: dt.date | None = None) -> ChamberDemoResult:
    """Load (or top up) the chambers' demo data in one transaction; safe to run again.
    Needs the partnerships part (`demo.partnerships.load`) loaded first."""
    today = today or timezone.localdate()
    data = dataset.get()
    chambers = data.chambers
    result = ChamberDemoResult()
    with transaction.atomic():
        home, away = (Partner.objects.get(name=name) for name in data.twinned_pair)
        partnership = Partnership.objects.get(
            members__partner=home,
            members__role=PartnershipMember.Role.HOME,
            title__contains=away.name,
        )
        officers = _officers(home, away)
        sides = {"home": home, "away": away}
        associations = {
            "home": _association(home, data.chamber_user["association"]),
            "away": _association(away, chambers.away_association),
        }
        result.associations = 2
        _staff(associations["home"], officers[home.pk], chambers.staff_approval_note)
        result.logins.append(
            _away_staff(associations["away"], officers[away.pk], chambers.away_staff)
        )
        result.logins.append(_pending_signup(associations["away"], chambers.pending_signup))
        businesses = {}
        for side in ("home", "away"):
            for spec in chambers.businesses[side]:
                business, created = _business(associations[side], spec)
                businesses[business.name] = business
                result.businesses_created += created
        result.registrations_created = _registrations(
            partnership, associations, sides, businesses, officers
        )
        result.proposals_created = _match_proposals(
            partnership, associations, businesses, officers[home.pk]
        )
        result.leads_created = _lead(associations["home"], home, chambers.lead)
        result.sub_alliances_created = _sub_alliance(
            partnership, businesses, sides, officers, chambers.sub_alliance, today
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


def _staff(association: BusinessAssociation, officer, note: str) -> None:
    """The demo chamber user (created by the partnerships part), approved staff."""
    username = dataset.get().chamber_user["username"]
    user = get_user_model().objects.get(username=username)
    membership = ChamberMembership.objects.filter(user=user, association=association).first()
    if membership is None:
        membership = services.chamber_signup(association=association, user=user)
    if membership.status == ChamberMembership.Status.PENDING:
        services.chamber_membership_decide(
            membership=membership, user=officer, approve=True, note=note
        )


def _away_staff(association: BusinessAssociation, officer, spec: dict) -> tuple[str, str, str]:
    """Staff of the away association, approved by the away city's officer."""
    User = get_user_model()
    user, _ = User.objects.update_or_create(
        username=spec["username"],
        defaults={
            **{k: v for k, v in spec.items() if k != "username"},
            "is_active": True,
            "password": make_password(DEMO_PASSWORD),
        },
    )
    membership = ChamberMembership.objects.filter(user=user, association=association).first()
    if membership is None:
        membership = services.chamber_signup(association=association, user=user)
    if membership.status == ChamberMembership.Status.PENDING:
        services.chamber_membership_decide(membership=membership, user=officer, approve=True)
    return (user.username, f"staff of the {association.name}", DEMO_PASSWORD)


def _pending_signup(association: BusinessAssociation, spec: dict) -> tuple[str, str, str]:
    """A sign-up waiting for approval, for the officers' staff requests page."""
    User = get_user_model()
    user, _ = User.objects.update_or_create(
        username=spec["username"],
        defaults={
            **{k: v for k, v in spec.items() if k != "username"},
            "is_active": True,
            "password": make_password(DEMO_PASSWORD),
        },
    )
    if not ChamberMembership.objects.filter(user=user, association=association).exists():
        services.chamber_signup(association=association, user=user)
    return (user.username, f"a pending sign-up for the {association.name}", DEMO_PASSWORD)


def _business(association: BusinessAssociation, spec: dict) -> tuple[BusinessProfile, bool]:
    name, contact = spec["name"], spec["contact"]
    existing = (
        BusinessProfile.objects.filter(
            organisation__partner_id=association.organisation.partner_id,
            organisation__name__iexact=name,
        )
        .select_related("organisation")
        .first()
    )
    said = {
        "products_sought": spec["sought"],
        "chain_position": spec["chain"],
        "markets_sought": spec["markets"],
    }
    if existing:
        # Rows are kept; what a business says it seeks, added to the demo later, is filled in
        # where it is still blank.
        blank = {k: v for k, v in said.items() if v and not getattr(existing, k)}
        if blank:
            services.business_update(business=existing, user=None, **blank)
        return existing, False
    needs = {n.code: n for n in Need.objects.all()}
    first_name = contact.split()[0].lower()
    email = f"{first_name}@{name.lower().split()[0]}.example.org"
    business = services.business_create(
        association=association,
        user=None,
        name=name,
        size_band=spec["size"],
        sectors=list(Sector.objects.filter(code__in=spec["sectors"])),
        seeks=[needs[c] for c in spec["seeks"]],
        offers=[needs[c] for c in spec["offers"]],
        products_services=spec["products"],
        export_readiness=spec["readiness"],
        contact_name=contact,
        contact_email=email,
        **said,
    )
    return business, True


def _match_proposals(partnership, associations, businesses, officer) -> int:
    """The chambers' proposed matches, through the services (which score each pair again), the
    decided ones answered by the home officer. A pair proposed before is skipped."""
    users = get_user_model().objects
    created = 0
    for spec in dataset.get().chambers.match_proposals:
        first, second = businesses[spec["first"]], businesses[spec["second"]]
        if MatchProposal.objects.filter(
            partnership=partnership, first__in=[first, second], second__in=[first, second]
        ).exists():
            continue
        proposal = services.match_propose(
            partnership=partnership,
            first=first,
            second=second,
            user=users.get(username=spec["user"]),
            message=spec["message"],
        )
        created += 1
        if spec["decision"]:
            services.match_decide(
                proposal=proposal,
                user=officer,
                accept=spec["decision"]["accept"],
                message=spec["decision"]["message"],
            )
    return created


def _registrations(partnership, associations, sides, businesses, officers) -> int:
    users = get_user_model().objects
    created = 0
    for spec in dataset.get().chambers.registrations:
        chosen = [businesses[name] for name in spec["businesses"]]
        if InterestedBusiness.objects.filter(
            partnership=partnership, business__in=chosen, withdrawn=False
        ).exists():
            continue
        registration = services.interest_register(
            association=associations[spec["side"]],
            partnership=partnership,
            user=users.get(username=spec["user"]) if spec["user"] else None,
            businesses=chosen,
            objectives=spec["objectives"],
            sectors=list(Sector.objects.filter(code__in=spec["sectors"])),
            offers=spec["offers"],
            seeks=spec["seeks"],
            timeframe=spec["timeframe"],
        )
        if spec["decision"]:
            # Decided by an officer of the registering chamber's city.
            services.interest_decide(
                registration=registration,
                user=officers[sides[spec["side"]].pk],
                accept=spec["decision"]["accept"],
                message=spec["decision"]["message"],
            )
        created += 1
    return created


def _lead(association: BusinessAssociation, home: Partner, spec: dict) -> int:
    target = Partner.objects.filter(name=spec["target"]).first()
    if target is None or PartnershipLead.objects.filter(home=home, target=target).exists():
        return 0
    services.lead_propose(
        association=association, user=None, target=target, rationale=spec["rationale"]
    )
    return 1


def _sub_alliance(partnership, businesses, sides, officers, spec, today) -> int:
    if SubAlliance.objects.filter(partnership=partnership, name__iexact=spec["name"]).exists():
        return 0
    officer = {side: officers[city.pk] for side, city in sides.items()}
    home_officer = officer["home"]
    sub_alliance = services.matchmaking_to_sub_alliance(
        partnership=partnership,
        first=businesses[spec["first"]],
        second=businesses[spec["second"]],
        user=home_officer,
        name=spec["name"],
        started_on=today - dt.timedelta(days=spec["started_days_ago"]),
    )
    alliance_services.sub_alliance_update(
        sub_alliance=sub_alliance, user=home_officer, status=SubAlliance.Status.ACTIVE
    )
    for strength, note in spec["strengths"]:
        alliance_services.sub_alliance_set_strength(
            sub_alliance=sub_alliance, strength=strength, user=home_officer, note=note
        )
    tasks = {t.kind: t for t in sub_alliance.startup_tasks.all()}
    for kind, days_ago, notes in spec["tasks_done"]:
        alliance_services.startup_task_update(
            task=tasks[kind],
            user=home_officer,
            done=True,
            notes=notes,
            done_on=today - dt.timedelta(days=days_ago),
        )
    for kind, side, notes in spec["tasks_open"]:
        alliance_services.startup_task_update(
            task=tasks[kind], user=officer[side], done=False, notes=notes
        )
    for side, dimension, name, unit, target, actual in spec["measures"]:
        alliance_services.scorecard_measure_add(
            sub_alliance=sub_alliance,
            user=officer[side],
            side=sides[side],
            dimension=dimension,
            name=name,
            unit=unit,
            target=Decimal(str(target)),
            actual=Decimal(str(actual)),
        )
    for kind, amount, currency, days_ago, side, note in spec["outcomes"]:
        services.outcome_record(
            sub_alliance=sub_alliance,
            user=home_officer,
            kind=kind,
            amount=Decimal(str(amount)),
            currency=currency,
            occurred_on=today - dt.timedelta(days=days_ago),
            partner=sides[side] if side else None,
            note=note,
        )
    return 1
