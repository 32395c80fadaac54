"""The pages: inviting from the officers page and the partnership's page, accepting from the
e-mail's link (new account, existing account), bad links, resend/revoke, asking to join and
deciding, and the "pending" role of a person waiting for a decision."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from invitations import services, tokens
from invitations.models import Invitation, JoinRequest
from partnerships.models import CityMembership
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a long pass phrase 42"


def _link_in(message) -> str:
    return re.search(r"https?://\S+/invitations/accept/\S+/", message.body).group(0)


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_officers_page_lists_pending_invitations_and_requests(client, world):
    invitation = services.invitation_send(
        city=world["home"], email="pending@gz.example", by=world["coordinator"]
    )
    join_request = services.join_request_create(city=world["home"], user=UserFactory())
    client.force_login(world["coordinator"])
    page = client.get(reverse("partnerships:officers", args=[world["home"].pk]))
    body = page.content.decode()
    assert "pending@gz.example" in body
    assert reverse("invitations:resend", args=[invitation.pk]) in body
    assert reverse("invitations:revoke", args=[invitation.pk]) in body
    assert reverse("invitations:join_decide", args=[join_request.pk]) in body
    assert reverse("invitations:city_invite", args=[world["home"].pk]) in body


def test_invite_from_officers_page_then_accept_with_new_account(
    client, world, django_capture_on_commit_callbacks, settings
):
    settings.PORTAL_BASE_URL = "https://portal.example.org"
    client.force_login(world["coordinator"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("invitations:city_invite", args=[world["home"].pk]),
            {"email": "newbie@gz.example"},
        )
    assert response.status_code == 302
    [message] = mail.outbox
    link = _link_in(message)
    assert link.startswith("https://portal.example.org/invitations/accept/")
    client.logout()
    page = client.get(_path(link))
    assert page.status_code == 200 and b"newbie@gz.example" in page.content
    response = client.post(
        _path(link),
        {"first_name": "Nu", "last_name": "Bie", "password": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("partnerships:city_detail", args=[world["home"].pk])
    # Signed in, with the officer's role in the session: the portal opens at once.
    assert client.get(reverse("partnerships:dashboard")).status_code == 200
    membership = CityMembership.objects.get(user__email="newbie@gz.example")
    assert membership.role == CityMembership.Role.OFFICER
    # The link is used now: a clear page, nothing more created.
    client.logout()
    again = client.get(_path(link))
    assert again.status_code == 410 and b"already been accepted" in again.content


def test_partnership_invite_lands_on_the_partnership_as_coordinator(
    client, world, django_capture_on_commit_callbacks
):
    partnership = world["partnership"]
    client.force_login(world["officer"])
    detail = client.get(reverse("partnerships:detail", args=[partnership.pk]))
    assert (
        reverse("invitations:partnership_invite", args=[partnership.pk]) in detail.content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("invitations:partnership_invite", args=[partnership.pk]),
            {"city": world["other"].pk, "email": "mayor.office@la.example"},
        )
    assert response.status_code == 302
    # The own city is not offered to a plain officer: only the other member city.
    page = client.get(reverse("invitations:partnership_invite", args=[partnership.pk]))
    assert page.context["form"].fields["city"].choices == [(world["other"].pk, "Los Angeles")]
    assert b"mayor.office@la.example" in page.content
    link = _link_in(mail.outbox[0])
    client.logout()
    response = client.post(
        _path(link),
        {"first_name": "Ana", "last_name": "Ruiz", "password": PASSWORD, "password2": PASSWORD},
    )
    assert response["Location"] == reverse("partnerships:detail", args=[partnership.pk])
    assert client.get(response["Location"]).status_code == 200
    membership = CityMembership.objects.get(user__email="mayor.office@la.example")
    assert membership.role == CityMembership.Role.COORDINATOR  # LA's first officer


def test_once_every_city_has_officers_the_invitation_page_says_who_invites(client, world):
    """The partnership's page still links "Invite officers"; the page it opens explains that a
    city with officers decides who joins it, and a crafted post is refused, saving nothing."""
    from tests.factories.partnerships import CityMembershipFactory

    partnership = world["partnership"]
    CityMembershipFactory(partner=world["other"])  # Los Angeles has an officer now
    client.force_login(world["officer"])
    address = reverse("invitations:partnership_invite", args=[partnership.pk])
    page = client.get(address)
    assert page.status_code == 200 and page.context["cities"] == []
    assert "ask its coordinators to invite your colleagues" in page.content.decode()
    refused = client.post(address, {"city": world["other"].pk, "email": "x@la.example"})
    assert refused.status_code == 200
    assert "You may not invite officers to this partnership" in refused.content.decode()
    assert not Invitation.objects.exists()


def test_existing_account_signs_in_then_accepts(client, world):
    person = UserFactory(email="has.account@la.example")
    invitation = services.invitation_send(
        city=world["other"],
        email=person.email,
        by=world["officer"],
        partnership=world["partnership"],
    )
    url = reverse("invitations:accept", args=[tokens.make_key(invitation)])
    page = client.get(url)
    assert page.status_code == 200 and page.context["has_account"]
    assert page.context["login_url"] == f"{reverse('login')}?{urlencode({'next': url})}"
    # An empty POST without signing in creates nothing.
    client.post(url, {})
    assert not CityMembership.objects.filter(user=person).exists()
    client.force_login(person)
    response = client.post(url)
    assert response["Location"] == reverse("partnerships:detail", args=[world["partnership"].pk])
    assert CityMembership.objects.filter(user=person, partner=world["other"]).exists()
    assert client.get(response["Location"]).status_code == 200


def test_signed_in_as_someone_else_is_told_and_nothing_happens(client, world):
    invitation = services.invitation_send(
        city=world["other"], email="x@la.example", by=world["admin"]
    )
    client.force_login(world["stranger"])
    url = reverse("invitations:accept", args=[tokens.make_key(invitation)])
    response = client.post(url)
    assert response.status_code == 200 and b"Sign out" in response.content
    invitation.refresh_from_db()
    assert invitation.is_pending


@pytest.mark.parametrize(
    ("state", "status", "text"),
    [
        ("expired", 410, b"expired"),
        ("revoked", 410, b"withdrawn"),
        ("forged", 400, b"not valid"),
    ],
)
def test_bad_links_give_a_clear_page(client, world, state, status, text):
    invitation = services.invitation_send(
        city=world["other"], email="b@la.example", by=world["admin"]
    )
    key = tokens.make_key(invitation)
    if state == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - dt.timedelta(seconds=1)
        )
    elif state == "revoked":
        services.invitation_revoke(invitation=invitation, by=world["admin"])
    else:
        key = "garbage:" + key
    url = reverse("invitations:accept", args=[key])
    for response in (
        client.get(url),
        client.post(
            url, {"first_name": "A", "last_name": "B", "password": PASSWORD, "password2": PASSWORD}
        ),
    ):
        assert response.status_code == status and text in response.content
    assert not CityMembership.objects.filter(partner=world["other"]).exists()
    assert not type(world["admin"]).objects.filter(email="b@la.example").exists()


def test_inviting_an_officer_of_the_city_shows_a_message(client, world):
    client.force_login(world["coordinator"])
    response = client.post(
        reverse("invitations:city_invite", args=[world["home"].pk]),
        {"email": world["officer"].email},
    )
    assert response.status_code == 200
    assert "already works for Guangzhou" in response.content.decode()
    assert not Invitation.objects.exists()


def test_rate_limit_shows_a_message(client, world):
    client.force_login(world["coordinator"])
    url = reverse("invitations:city_invite", args=[world["home"].pk])
    for n in range(services.HOURLY_LIMIT):
        assert client.post(url, {"email": f"n{n}@gz.example"}).status_code == 302
    response = client.post(url, {"email": "too.many@gz.example"})
    assert response.status_code == 200 and b"in the last hour" in response.content
    assert Invitation.objects.count() == services.HOURLY_LIMIT


def test_resend_and_revoke_from_the_officers_page(
    client, world, django_capture_on_commit_callbacks
):
    invitation = services.invitation_send(
        city=world["home"], email="r@gz.example", by=world["admin"]
    )
    client.force_login(world["coordinator"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("invitations:resend", args=[invitation.pk]))
    assert response["Location"] == reverse("partnerships:officers", args=[world["home"].pk])
    invitation.refresh_from_db()
    assert invitation.sent_count == 2 and len(mail.outbox) == 1
    client.post(reverse("invitations:revoke", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.revoked_by == world["coordinator"]
    # Revoking twice is a message, not an error page.
    response = client.post(reverse("invitations:revoke", args=[invitation.pk]), follow=True)
    assert response.status_code == 200 and b"was revoked" in response.content
    # An officer who did not send it may not touch it.
    client.force_login(world["officer"])
    assert client.post(reverse("invitations:resend", args=[invitation.pk])).status_code == 404


def test_ask_to_join_with_a_new_account_then_approved(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("invitations:join"),
            {
                "city": world["home"].pk,
                "message": "I run the twinning desk",
                "first_name": "Mei",
                "last_name": "Lin",
                "email": "mei@gz.example",
                "password": PASSWORD,
                "password2": PASSWORD,
            },
        )
    assert response["Location"] == reverse("businesses:status")
    assert mail.outbox[0].to == [world["coordinator"].email]
    # Pending: the status page shows the request; every other page sends them back there.
    status = client.get(reverse("businesses:status"))
    assert b"Guangzhou" in status.content and b"Waiting for a decision" in status.content
    assert client.get(reverse("partnerships:dashboard"))["Location"] == reverse("businesses:status")
    join_request = JoinRequest.objects.get()
    decider = client.__class__()
    decider.force_login(world["coordinator"])
    url = reverse("invitations:join_decide", args=[join_request.pk])
    assert b"I run the twinning desk" in decider.get(url).content
    response = decider.post(url, {"decision": "approve"})
    assert response["Location"] == reverse("partnerships:officers", args=[world["home"].pk])
    # Their next click finds the role (core.access asks again while a session holds none).
    assert client.get(reverse("partnerships:dashboard")).status_code == 200


def test_reject_needs_a_reason_and_the_requester_sees_it(client, world):
    person = UserFactory()
    join_request = services.join_request_create(city=world["home"], user=person)
    client.force_login(world["coordinator"])
    url = reverse("invitations:join_decide", args=[join_request.pk])
    response = client.post(url, {"decision": "reject"})
    assert response.status_code == 200 and b"Say why" in response.content
    client.post(url, {"decision": "reject", "reason": "Not in our office"})
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.REJECTED
    requester = client.__class__()
    requester.force_login(person)
    assert b"Not in our office" in requester.get(reverse("businesses:status")).content


def test_officer_who_is_not_coordinator_cannot_decide(client, world):
    join_request = services.join_request_create(city=world["home"], user=UserFactory())
    client.force_login(world["officer"])
    url = reverse("invitations:join_decide", args=[join_request.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"decision": "approve"}).status_code == 404
    assert not CityMembership.objects.filter(user=join_request.user).exists()


def test_join_page_signed_in_without_a_role(client, world):
    person = UserFactory()
    client.force_login(person)
    page = client.get(reverse("invitations:join") + f"?city={world['other'].pk}")
    assert page.status_code == 200 and page.context["form"].initial["city"] == world["other"].pk
    response = client.post(reverse("invitations:join"), {"city": world["other"].pk})
    assert response["Location"] == reverse("businesses:status")
    assert JoinRequest.objects.filter(user=person, city=world["other"]).exists()


def test_the_public_join_form_is_throttled_per_address(client, world, settings):
    """Like the chamber sign-up, it creates accounts: THROTTLE_RATE POSTs per address, then
    the 429 page, nothing saved."""
    from django.core.cache import cache

    from config.middleware import THROTTLE_RATE

    settings.RATELIMIT_ENABLE = True
    cache.clear()
    limit = int(THROTTLE_RATE.split("/")[0])

    def ask(n):
        return client.post(
            reverse("invitations:join"),
            {
                "city": world["home"].pk,
                "first_name": "Li",
                "last_name": "Wei",
                "email": f"li{n}@gz.example",
                "password": PASSWORD,
                "password2": PASSWORD,
            },
            REMOTE_ADDR="203.0.113.9",
        )

    try:
        for n in range(limit):
            assert ask(n).status_code == 302
            client.logout()
        assert ask(limit).status_code == 429
        assert JoinRequest.objects.count() == limit
    finally:
        cache.clear()
