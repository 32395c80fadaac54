"""Invitations and requests to join, through the services: who may invite whom, the hourly
limit, resend and revoke, accepting (first officer becomes coordinator), join decisions."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.errors import DomainError
from invitations import services, tokens
from invitations.models import Invitation, InvitationSending, JoinRequest
from partnerships.events import Kind
from partnerships.models import CityMembership
from tests.factories.accounts import UserFactory
from tests.factories.partnerships import CityMembershipFactory

pytestmark = pytest.mark.django_db


def _key(invitation):
    return tokens.make_key(invitation)


# --- Who may invite whom ------------------------------------------------------------------


def test_coordinator_invites_to_own_city(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_send(
            city=world["home"], email="new@gz.example", by=world["coordinator"]
        )
    assert invitation.is_pending and invitation.sent_count == 1
    assert invitation.expires_at - timezone.now() > dt.timedelta(days=6, hours=23)
    assert [m.to for m in mail.outbox] == [["new@gz.example"]]
    assert "/invitations/accept/" in mail.outbox[0].body
    assert mail.outbox[0].body.count("http://") + mail.outbox[0].body.count("https://") >= 1


def test_officer_may_not_invite_to_own_city_without_partnership(world):
    with pytest.raises(DomainError):
        services.invitation_send(city=world["home"], email="x@gz.example", by=world["officer"])


def test_officer_invites_other_member_city_from_partnership(world):
    invitation = services.invitation_send(
        city=world["other"],
        email="la@la.example",
        by=world["officer"],
        partnership=world["partnership"],
    )
    assert invitation.partnership == world["partnership"]


def test_only_a_citys_coordinators_invite_to_it_once_it_has_officers(world):
    """Found from outside: an officer invited her own address to the other city of her
    partnership, became its officer, and signed the joint sign-off for both sides."""
    theirs = CityMembershipFactory(partner=world["other"]).user
    with pytest.raises(DomainError, match="may not invite"):
        services.invitation_send(
            city=world["other"],
            email="colleague@la.example",
            by=world["officer"],
            partnership=world["partnership"],
        )
    assert not Invitation.objects.exists()
    # Los Angeles's own coordinator (the first officer is one) and an admin may.
    CityMembership.objects.filter(user=theirs).update(role=CityMembership.Role.COORDINATOR)
    for by in (theirs, world["admin"]):
        services.invitation_send(
            city=world["other"],
            email=f"{by.pk}@la.example",
            by=by,
            partnership=world["partnership"],
        )
    assert Invitation.objects.count() == 2


def test_no_one_is_invited_to_the_other_side_of_their_own_partnership(world):
    """Not by address (their own, say) when sending, nor when accepting."""
    with pytest.raises(ValidationError, match="cannot work for both sides"):
        services.invitation_send(
            city=world["other"],
            email=world["officer"].email,
            by=world["officer"],
            partnership=world["partnership"],
        )
    # An invitation sent to the address before the account worked for Guangzhou.
    invitation = services.invitation_send(
        city=world["other"],
        email="later@gz.example",
        by=world["officer"],
        partnership=world["partnership"],
    )
    later = UserFactory(email="later@gz.example")
    CityMembershipFactory(partner=world["home"], user=later)
    with pytest.raises(DomainError, match="cannot work for both sides"):
        services.invitation_accept(key=_key(invitation), user=later)
    assert not CityMembership.objects.filter(user=later, partner=world["other"]).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_an_ended_partnership_invites_no_one(world):
    world["partnership"].status = "ended"
    world["partnership"].save(update_fields=["status"])
    with pytest.raises(DomainError, match="may not invite"):
        services.invitation_send(
            city=world["other"],
            email="la@la.example",
            by=world["officer"],
            partnership=world["partnership"],
        )


def test_officer_may_not_invite_to_a_city_outside_the_partnership(world):
    with pytest.raises(DomainError, match="not a member city"):
        services.invitation_send(
            city=world["unrelated"],
            email="d@d.example",
            by=world["officer"],
            partnership=world["partnership"],
        )


def test_officer_of_another_city_may_not_invite(world):
    for city in (world["home"], world["other"]):
        with pytest.raises(DomainError):
            services.invitation_send(
                city=city,
                email="z@z.example",
                by=world["stranger"],
                partnership=world["partnership"],
            )
    assert not Invitation.objects.exists()


def test_inviting_an_officer_of_the_city_is_refused(world):
    taken = world["officer"].email.upper()
    with pytest.raises(ValidationError, match="already works for"):
        services.invitation_send(city=world["home"], email=taken, by=world["coordinator"])
    assert not Invitation.objects.exists()


def test_invalid_address_is_refused(world):
    with pytest.raises(ValidationError):
        services.invitation_send(
            city=world["home"], email="not an address", by=world["coordinator"]
        )


def test_inviting_again_renews_the_open_invitation(world):
    first = services.invitation_send(
        city=world["home"], email="a@x.example", by=world["coordinator"]
    )
    again = services.invitation_send(
        city=world["home"], email="A@x.example", by=world["coordinator"]
    )
    assert again.pk == first.pk and again.sent_count == 2
    assert Invitation.objects.count() == 1


# --- Hourly limit --------------------------------------------------------------------------


def test_at_most_twenty_invitations_an_hour(world):
    for n in range(services.HOURLY_LIMIT):
        services.invitation_send(
            city=world["home"], email=f"p{n}@x.example", by=world["coordinator"]
        )
    with pytest.raises(DomainError, match="last hour"):
        services.invitation_send(
            city=world["home"], email="one@more.example", by=world["coordinator"]
        )
    invitation = Invitation.objects.first()
    with pytest.raises(DomainError, match="last hour"):
        services.invitation_resend(invitation=invitation, by=world["coordinator"])
    # Another person has their own allowance; an hour later the count starts again.
    services.invitation_send(
        city=world["other"],
        email="la@x.example",
        by=world["officer"],
        partnership=world["partnership"],
    )
    InvitationSending.objects.update(sent_at=timezone.now() - dt.timedelta(minutes=61))
    services.invitation_send(city=world["home"], email="one@more.example", by=world["coordinator"])


# --- Resend and revoke ---------------------------------------------------------------------


def test_resend_renews_expiry(world, django_capture_on_commit_callbacks):
    invitation = services.invitation_send(
        city=world["home"], email="r@x.example", by=world["coordinator"]
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(days=1)
    )
    invitation.refresh_from_db()
    assert invitation.is_expired
    with django_capture_on_commit_callbacks(execute=True):
        resent = services.invitation_resend(invitation=invitation, by=world["coordinator"])
    assert not resent.is_expired and resent.sent_count == 2
    assert len(mail.outbox) == 1


def test_only_inviter_coordinators_and_admins_manage(world):
    invitation = services.invitation_send(
        city=world["other"],
        email="la@x.example",
        by=world["officer"],
        partnership=world["partnership"],
    )
    with pytest.raises(DomainError):
        services.invitation_revoke(invitation=invitation, by=world["stranger"])
    with pytest.raises(DomainError):
        services.invitation_resend(invitation=invitation, by=world["coordinator"])  # not LA's
    services.invitation_resend(invitation=invitation, by=world["officer"])
    services.invitation_revoke(invitation=invitation, by=world["admin"])
    invitation.refresh_from_db()
    assert invitation.revoked_by == world["admin"]
    with pytest.raises(DomainError, match="revoked"):
        services.invitation_resend(invitation=invitation, by=world["officer"])


# --- Accepting ------------------------------------------------------------------------------


def test_new_account_accepts_and_becomes_first_coordinator(
    world, django_capture_on_commit_callbacks, replace_hook
):
    events = []
    replace_hook("partnership.events", [events.append])
    invitation = services.invitation_send(
        city=world["other"],
        email="Ana@LA.example",
        by=world["officer"],
        partnership=world["partnership"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        accepted, membership = services.invitation_accept(
            key=_key(invitation),
            password="a long pass phrase 42",
            first_name="Ana",
            last_name="Ruiz",
        )
    user = membership.user
    assert user.email.lower() == "ana@la.example" and user.check_password("a long pass phrase 42")
    assert membership.partner == world["other"]
    assert membership.role == CityMembership.Role.COORDINATOR
    assert accepted.accepted_by == user and accepted.accepted_at is not None
    [event] = events
    assert event.kind == Kind.INVITATION_ACCEPTED
    assert event.partnership_id == world["partnership"].pk and event.actor_id == user.pk
    assert event.object_id == invitation.pk and event.partner_ids == (world["other"].pk,)
    assert event.user_ids == (world["officer"].pk,)


def test_the_new_accounts_username_is_the_address_before_the_at(world):
    """So that it can be @mentioned (a mention ends at an @); numbered when taken."""
    UserFactory(username="sam.rivera")
    names = []
    for email in ("Sam.Rivera@LA.example", "sam.rivera@other.example"):
        # An admin: once Los Angeles has an officer, Guangzhou's may no longer invite to it.
        invitation = services.invitation_send(
            city=world["other"], email=email, by=world["admin"], partnership=world["partnership"]
        )
        _, membership = services.invitation_accept(
            key=_key(invitation), password="a long pass phrase 42", first_name="S", last_name="R"
        )
        names.append(membership.user.username)
    assert names == ["sam.rivera2", "sam.rivera3"]


def test_second_officer_joins_as_officer(world):
    invitation = services.invitation_send(
        city=world["home"], email="b@gz.example", by=world["coordinator"]
    )
    _, membership = services.invitation_accept(
        key=_key(invitation), password="a long pass phrase 42", first_name="B", last_name="C"
    )
    assert membership.role == CityMembership.Role.OFFICER


def test_existing_account_accepts_when_signed_in(world):
    person = UserFactory(email="known@la.example")
    invitation = services.invitation_send(
        city=world["other"],
        email="known@la.example",
        by=world["officer"],
        partnership=world["partnership"],
    )
    with pytest.raises(DomainError, match="exists"):
        services.invitation_accept(key=_key(invitation), password="a long pass phrase 42")
    with pytest.raises(DomainError, match="signed in as"):
        services.invitation_accept(key=_key(invitation), user=world["stranger"])
    _, membership = services.invitation_accept(key=_key(invitation), user=person)
    assert membership.user == person


def _assert_nothing_created(before_users):
    from django.contrib.auth import get_user_model

    assert get_user_model().objects.count() == before_users


@pytest.mark.parametrize("state", ["expired", "used", "revoked", "forged", "altered"])
def test_bad_links_create_nothing(world, state):
    from django.contrib.auth import get_user_model

    invitation = services.invitation_send(
        city=world["other"], email="x@la.example", by=world["admin"]
    )
    key = _key(invitation)
    if state == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    elif state == "used":
        services.invitation_accept(key=key, password="a long pass phrase 42")
    elif state == "revoked":
        services.invitation_revoke(invitation=invitation, by=world["admin"])
    elif state == "forged":
        key = key[:-3] + ("AAA" if not key.endswith("AAA") else "BBB")
    else:  # a genuine key of another address does not open this one
        from django.core import signing

        key = signing.dumps({"i": invitation.pk, "e": "other@la.example"}, salt="elsewhere")
    users = get_user_model().objects.count()
    members = CityMembership.objects.count()
    with pytest.raises(services.InvalidLink) as caught:
        services.invitation_accept(key=key, password="another long pass phrase 7")
    assert caught.value.reason == ("forged" if state == "altered" else state)
    assert get_user_model().objects.count() == users
    assert CityMembership.objects.count() == members


def test_weak_password_creates_nothing(world):
    invitation = services.invitation_send(
        city=world["other"], email="w@la.example", by=world["admin"]
    )
    with pytest.raises(ValidationError):
        services.invitation_accept(key=_key(invitation), password="123")
    invitation.refresh_from_db()
    assert invitation.is_pending
    assert not CityMembership.objects.filter(partner=world["other"]).exists()


# --- Requests to join ----------------------------------------------------------------------


def test_join_request_goes_to_coordinators_then_approved(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = services.join_request_create(
            city=world["home"],
            email="new@gz.example",
            password="a long pass phrase 42",
            first_name="Li",
            last_name="Wei",
            message="International office",
        )
    assert [m.to for m in mail.outbox] == [[world["coordinator"].email]]
    assert f"/join/{request.pk}/decide/" in mail.outbox[0].body
    with pytest.raises(DomainError):
        services.join_request_decide(join_request=request, by=world["officer"], approve=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.join_request_decide(join_request=request, by=world["coordinator"], approve=True)
    request.refresh_from_db()
    assert (
        request.status == JoinRequest.Status.APPROVED and request.decided_by == world["coordinator"]
    )
    membership = CityMembership.objects.get(user=request.user, partner=world["home"])
    assert membership.role == CityMembership.Role.OFFICER
    assert mail.outbox[-1].to == ["new@gz.example"] and "approved" in mail.outbox[-1].body
    with pytest.raises(DomainError, match="already"):
        services.join_request_decide(
            join_request=request, by=world["coordinator"], approve=False, reason="x"
        )


def test_join_request_rejected_with_reason(world, django_capture_on_commit_callbacks):
    person = UserFactory()
    request = services.join_request_create(city=world["home"], user=person)
    with pytest.raises(ValidationError):
        services.join_request_decide(join_request=request, by=world["coordinator"], approve=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.join_request_decide(
            join_request=request, by=world["coordinator"], approve=False, reason="Not our staff"
        )
    request.refresh_from_db()
    assert request.status == JoinRequest.Status.REJECTED and request.reason == "Not our staff"
    assert not CityMembership.objects.filter(user=person).exists()
    assert "Not our staff" in mail.outbox[-1].body
    # Asking again is allowed once decided; twice while pending is not.
    services.join_request_create(city=world["home"], user=person)
    with pytest.raises(DomainError, match="already asked"):
        services.join_request_create(city=world["home"], user=person)


def test_city_without_coordinator_admins_decide(world, django_capture_on_commit_callbacks):
    person = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        request = services.join_request_create(city=world["other"], user=person)
    assert [m.to for m in mail.outbox] == [[world["admin"].email]]
    services.join_request_decide(join_request=request, by=world["admin"], approve=True)
    # The first officer of a city without one becomes its coordinator.
    membership = CityMembership.objects.get(user=person)
    assert membership.role == CityMembership.Role.COORDINATOR


def test_officer_of_the_city_cannot_ask_to_join_it(world):
    with pytest.raises(DomainError, match="already work"):
        services.join_request_create(city=world["home"], user=world["officer"])


def test_join_request_with_a_taken_address_is_refused(world):
    with pytest.raises(DomainError, match="exists"):
        services.join_request_create(
            city=world["home"], email=world["stranger"].email, password="a long pass phrase 42"
        )
    assert not JoinRequest.objects.exists()


def test_coordinator_membership_exists_already(world):
    # Accepting for someone already working for the city adds nothing twice.
    invitation = services.invitation_send(
        city=world["other"], email="dup@la.example", by=world["admin"]
    )
    person = UserFactory(email="dup@la.example")
    CityMembershipFactory(user=person, partner=world["other"])
    _, membership = services.invitation_accept(key=_key(invitation), user=person)
    assert CityMembership.objects.filter(user=person).count() == 1
    assert membership.role == CityMembership.Role.OFFICER


def test_the_sender_is_notified_when_the_invitation_is_accepted(
    world, django_capture_on_commit_callbacks
):
    """Through the notifications app's listener on `partnership.events` (not replaced here)."""
    from notifications.models import Reminder

    invitation = services.invitation_send(
        city=world["other"],
        email="told@la.example",
        by=world["officer"],
        partnership=world["partnership"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_accept(
            key=_key(invitation), password="a long pass phrase 42", first_name="T", last_name="L"
        )
    assert Reminder.objects.filter(
        recipient=world["officer"], kind=Reminder.Kind.INVITATION_ACCEPTED
    ).exists()
