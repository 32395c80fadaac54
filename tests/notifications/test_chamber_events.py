"""The chamber journey's notifications (businesses.notify, issue 15): each kind reaches exactly
the people it should (and nobody else), in the bell and by e-mail at once by default, with a
link to a page the recipient may open; the emitting app vouches for the people named when the
event is recorded (hook `notifications.audience`), and without it nobody is told.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from businesses import notify, services
from businesses.models import ChamberMembership, InterestRegistration, MatchProposal
from core import hooks
from notifications.models import EVENT_DEFAULTS, NotificationPreference, Reminder
from partnerships import services as partnership_services
from partnerships.events import CHAMBER_KINDS, Event, Kind, emit
from partnerships.models import Step
from tests.factories.accounts import UserFactory
from tests.factories.alliances import Twinned
from tests.factories.businesses import (
    BusinessAssociationFactory,
    BusinessProfileFactory,
    ChamberMembershipFactory,
    InterestRegistrationFactory,
    chamber_staff,
)
from tests.factories.partnerships import (
    CityMembershipFactory,
    PartnerFactory,
    _artefacts_for,
    walked_to,
)

pytestmark = pytest.mark.django_db

K = Reminder.Kind


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def w(db):
    """Twinned (Gqeberha home, Gävle away, Polokwane a third city, each with an officer) and:
    a Gqeberha chamber with two approved staff, one pending, one inactive; a Gävle chamber
    with one staff; an admin; a role-less account."""
    world = Twinned()
    w = SimpleNamespace(world=world, p=world.partnership)
    w.chamber = BusinessAssociationFactory(
        organisation__partner=world.home, organisation__name="Nelson Mandela Bay Chamber"
    )
    w.staff = chamber_staff(w.chamber, user__username="staff")
    w.colleague = chamber_staff(w.chamber, user__username="colleague")
    w.pending = ChamberMembershipFactory(
        association=w.chamber, pending=True, user__username="pending"
    ).user
    w.gone = chamber_staff(w.chamber, user__username="gone", user__is_active=False)
    w.other = BusinessAssociationFactory(
        organisation__partner=world.away, organisation__name="Gävle Chamber"
    )
    w.other_staff = chamber_staff(w.other, user__username="other_staff")
    w.admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    w.plain = UserFactory(username="plain")
    return w


def told(kind) -> set[str]:
    return set(Reminder.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def names(*users) -> set[str]:
    return {u.username for u in users}


def link(path: str) -> str:
    return f"{settings.PORTAL_BASE_URL}{path}"


def test_every_chamber_kind_is_an_event_told_by_email_at_once_by_default():
    for kind in CHAMBER_KINDS:
        assert kind in Reminder.EVENT_KINDS
        assert EVENT_DEFAULTS[kind] == NotificationPreference.EventChoice.IMMEDIATE
    assert notify.audience in hooks.providers("notifications.audience")
    assert notify.on_partnership_event in hooks.providers("partnership.events")


# --- Sign-ups ---------------------------------------------------------------------------------


def test_a_sign_up_is_told_to_the_officers_of_the_chambers_city_only(w, capture):
    with capture(execute=True):
        membership = services.chamber_signup(association=w.chamber, user=w.plain)
    assert told(K.CHAMBER_SIGNUP_REQUESTED) == names(w.world.home_officer)
    [message] = mail.outbox
    assert message.to == [w.world.home_officer.email]
    assert "asks to join Nelson Mandela Bay Chamber (Gqeberha)" in message.subject
    assert link(reverse("businesses:staff_request_decide", args=[membership.pk])) in message.body
    reminder = Reminder.objects.get()
    assert reminder.status == Reminder.Status.SENT and reminder.partnership_id is None


def test_a_sign_up_in_a_city_without_officers_is_told_to_the_admins(w, capture):
    lonely = BusinessAssociationFactory(organisation__partner=PartnerFactory(name="Durban"))
    inactive_admin = UserFactory(is_superuser=True, is_active=False)
    with capture(execute=True):
        services.chamber_signup(association=lonely, user=w.plain)
    assert told(K.CHAMBER_SIGNUP_REQUESTED) == names(w.admin)
    assert inactive_admin.username not in told(K.CHAMBER_SIGNUP_REQUESTED)
    assert [m.to for m in mail.outbox] == [[w.admin.email]]


@pytest.mark.parametrize("approve", [True, False])
def test_the_decision_is_told_to_the_applicant_only(w, capture, approve):
    membership = ChamberMembership.objects.get(user=w.pending)
    mail.outbox.clear()
    with capture(execute=True):
        services.chamber_membership_decide(
            membership=membership,
            user=w.world.home_officer,
            approve=approve,
            note="" if approve else "We do not know you.",
        )
    assert told(K.CHAMBER_SIGNUP_DECIDED) == names(w.pending)
    [message] = mail.outbox
    assert ("was approved" if approve else "was not accepted") in message.subject
    assert link(reverse("businesses:status")) in message.body
    assert approve or "We do not know you." in message.body


# --- Interest ---------------------------------------------------------------------------------


@pytest.mark.parametrize("accept", [True, False])
def test_interest_decided_is_told_to_the_registering_chambers_approved_staff(w, capture, accept):
    registration = InterestRegistrationFactory(association=w.chamber, partnership=w.p)
    with capture(execute=True):
        services.interest_decide(
            registration=registration,
            user=w.world.away_officer,
            accept=accept,
            message="" if accept else "Not in our plan this year.",
        )
    # Not the pending or inactive staff, not the other chamber, not the officers.
    assert told(K.INTEREST_DECIDED) == names(w.staff, w.colleague)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([w.staff.email, w.colleague.email])
    message = mail.outbox[0]
    verdict = "accepted" if accept else "declined"
    assert message.subject == (
        f"[Twinning portal] Gqeberha – Gävle: The partnership's officers {verdict} the "
        "interest Nelson Mandela Bay Chamber registered"
    )
    assert link(reverse("businesses:my_registrations")) in message.body
    assert accept or "Not in our plan this year." in message.body


def test_the_chambers_staff_open_the_link_from_their_bell(w, capture, client):
    registration = InterestRegistrationFactory(association=w.chamber, partnership=w.p)
    with capture(execute=True):
        services.interest_decide(registration=registration, user=w.world.home_officer, accept=True)
    client.force_login(w.staff)
    page = client.get(reverse("notifications:list")).content.decode()
    assert f'href="{reverse("businesses:my_registrations")}"' in page
    assert client.get(reverse("businesses:my_registrations")).status_code == 200


def test_people_no_longer_vouched_for_are_not_told(w, capture):
    registration = InterestRegistrationFactory(association=w.chamber, partnership=w.p)
    with capture(execute=True):
        emit(
            Event(
                kind=Kind.INTEREST_DECIDED,
                partnership_id=w.p.pk,
                actor_id=w.world.home_officer.pk,
                object_id=registration.pk,
                # Named, but not (or no longer) staff of the registering chamber.
                user_ids=(w.other_staff.pk, w.plain.pk, w.pending.pk, w.staff.pk),
                data={"association": "x", "decision": "approved"},
            )
        )
    assert told(K.INTEREST_DECIDED) == names(w.staff)


def test_without_an_app_to_vouch_nobody_is_told(w, capture, replace_hook):
    replace_hook("notifications.audience", [])
    registration = InterestRegistrationFactory(association=w.chamber, partnership=w.p)
    with capture(execute=True):
        services.interest_decide(registration=registration, user=w.world.home_officer, accept=True)
    assert not Reminder.objects.exists() and mail.outbox == []


# --- Matches ----------------------------------------------------------------------------------


@pytest.fixture
def proposal(w):
    ours = BusinessProfileFactory(association=w.chamber, organisation__name="Cape Fruit")
    theirs = BusinessProfileFactory(association=w.other, organisation__name="Nordic Foods")
    return MatchProposal.objects.create(
        partnership=w.p,
        first=ours,
        second=theirs,
        association=w.chamber,
        message="They buy what we grow.",
        created_by=w.staff,
    )


def test_a_proposed_match_is_told_to_the_partnerships_officers(w, capture, proposal):
    with capture(execute=True):
        notify.match_proposed(proposal)
    # The member cities' officers; not the third city's, not the chambers', not the proposer.
    assert told(K.MATCH_PROPOSED) == names(w.world.home_officer, w.world.away_officer)
    message = mail.outbox[0]
    assert "Nelson Mandela Bay Chamber proposes a match of businesses: Cape Fruit + Nordic" in (
        message.subject
    )
    assert link(reverse("businesses:matchmaking", args=[w.p.pk])) in message.body


@pytest.mark.parametrize("accept", [True, False])
def test_a_decided_match_is_told_to_both_chambers_staff(w, capture, proposal, accept, client):
    proposal.status = MatchProposal.Status.ACCEPTED if accept else MatchProposal.Status.DECLINED
    proposal.decided_by = w.world.home_officer
    proposal.decided_at = timezone.now()
    proposal.officer_message = "" if accept else "Not a fit."
    proposal.save()
    with capture(execute=True):
        notify.match_decided(proposal)
    # The proposer's, and (found from outside: it was never told) the chamber whose business
    # the match names: accepted, that business is in a sub-alliance now.
    assert told(K.MATCH_DECIDED) == names(w.staff, w.colleague, w.other_staff)
    verdict = "accepted into a sub-alliance" if accept else "declined"
    assert verdict in mail.outbox[0].subject
    # The link leads to the chamber's list of proposals (a page its staff may open), which
    # lists it for both chambers, the withdrawal for the proposer's only.
    assert link(reverse("businesses:my_match_proposals")) in mail.outbox[0].body
    client.force_login(w.other_staff)
    [row] = client.get(reverse("businesses:my_match_proposals")).context["rows"]
    assert row["p"] == proposal and not row["can_withdraw"]


# --- A partnership of interest reaching the MOU or implementation ------------------------------


@pytest.fixture
def planning(w):
    """A partnership of Gqeberha at the planning step, with interest from the Gqeberha chamber
    (pending), Gävle's (withdrawn) and a third chamber's (declined)."""
    partnership = walked_to(Step.PLANNING, home=w.world.home, published=True)
    CityMembershipFactory(partner=partnership.members.exclude(partner=w.world.home).get().partner)
    InterestRegistrationFactory(association=w.chamber, partnership=partnership)
    InterestRegistrationFactory(
        association=w.other, partnership=partnership, status=InterestRegistration.Status.WITHDRAWN
    )
    third = BusinessAssociationFactory(organisation__partner=w.world.third)
    w.third_staff = chamber_staff(third, user__username="third_staff")
    InterestRegistrationFactory(
        association=third,
        partnership=partnership,
        status=InterestRegistration.Status.DECLINED,
        officer_message="No.",
        decided_at=timezone.now(),
    )
    return partnership


def advance(partnership, user):
    _artefacts_for(partnership, partnership.step, user)
    partnership_services.partnership_advance(partnership=partnership, user=user)
    partnership.refresh_from_db()


def test_reaching_the_mou_and_implementation_is_told_to_the_chambers_interested(
    w, capture, planning
):
    officer = w.world.home_officer
    with capture(execute=True):
        advance(planning, officer)
    assert planning.step == Step.AGREEMENT
    # Standing interest only (pending or decided, not withdrawn).
    assert told(K.INTEREST_PARTNERSHIP_MOVED) == names(w.staff, w.colleague, w.third_staff)
    message = next(m for m in mail.outbox if m.to == [w.staff.email])
    assert "reached “Agreement / MOU”" in message.subject
    assert link(reverse("businesses:my_registrations")) in message.body

    with capture(execute=True):
        advance(planning, officer)
    assert planning.step == Step.IMPLEMENTATION
    moved = Reminder.objects.filter(kind=K.INTEREST_PARTNERSHIP_MOVED, recipient=w.staff)
    assert sorted(r.about for r in moved) == ["Agreement / MOU", "Implementation"]


def test_an_unpublished_partnerships_step_is_told_to_its_own_citys_chambers_only(w, capture):
    partnership = walked_to(Step.PLANNING, home=w.world.home, published=False)
    InterestRegistrationFactory(association=w.chamber, partnership=partnership)
    InterestRegistrationFactory(association=w.other, partnership=partnership)  # Gävle: no member
    with capture(execute=True):
        advance(partnership, w.world.home_officer)
    assert partnership.step == Step.AGREEMENT
    assert told(K.INTEREST_PARTNERSHIP_MOVED) == names(w.staff, w.colleague)


def test_other_steps_are_not_told_to_the_chambers(w, capture):
    partnership = walked_to(Step.SEARCH, home=w.world.home)
    InterestRegistrationFactory(association=w.chamber, partnership=partnership)
    with capture(execute=True):
        advance(partnership, w.world.home_officer)
    assert partnership.step == Step.APPROACH
    assert told(K.INTEREST_PARTNERSHIP_MOVED) == set()


# --- The preferences page knows the new kinds ---------------------------------------------------


def test_the_preferences_page_offers_the_chamber_kinds(w, client):
    client.force_login(w.staff)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "Your chamber&#x27;s interest in a partnership was decided" in page or (
        "Your chamber's interest in a partnership was decided" in page
    )
