"""Each person is written to in their own language: the same reminder, scanned once for one
partnership, reaches its Swedish officer in Swedish and its Chinese officer in Chinese, through
the real scan and delivery (notifications/reminders.py, delivery.py, emails.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from notifications import reminders, tasks
from notifications.emails import advice
from notifications.models import Reminder
from partnerships.models import MOU, CityMembership
from tests.factories.accounts import UserFactory
from tests.factories.partnerships import (
    CityMembershipFactory,
    MOUFactory,
    NorthPartnerFactory,
    PartnerFactory,
    PartnershipFactory,
    PartnershipMemberFactory,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 2)


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def officer(city, username: str, language: str):
    user = UserFactory(username=username, email=f"{username}@example.org", language=language)
    CityMembershipFactory(user=user, partner=city, role=CityMembership.Role.OFFICER)
    return user


def test_one_reminder_reaches_each_officer_in_their_language(capture):
    east_london, gavle = PartnerFactory(name="East London"), NorthPartnerFactory(name="Gävle")
    officer(east_london, "jinhua", "zh-hans")
    officer(gavle, "karin", "sv")
    p = PartnershipFactory(
        home=east_london,
        title="East London – Gävle",
        step_entered_at=timezone.make_aware(dt.datetime(2026, 3, 1, 12)),
    )
    PartnershipMemberFactory(partnership=p, partner=gavle)
    MOUFactory(
        partnership=p,
        status=MOU.Status.SIGNED,
        signed_on=TODAY - dt.timedelta(days=800),
        effective_on=TODAY - dt.timedelta(days=800),
        expires_on=TODAY + dt.timedelta(days=20),
    )

    before = translation.get_language()
    with capture(execute=True):
        reminders.scan(deliver=tasks.enqueue_delivery, today=TODAY)

    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {"jinhua@example.org", "karin@example.org"}
    texts = {}
    for address, language in (("jinhua@example.org", "zh-hans"), ("karin@example.org", "sv")):
        message = by_address[address]
        row = Reminder.objects.get(recipient__email=address)
        assert row.kind == Reminder.Kind.MOU_EXPIRING_30
        with translation.override(language):
            headline, what_to_do = row.headline, advice(row.kind)
        with translation.override("en"):
            english = advice(row.kind)
        assert what_to_do != english, f"no {language} translation of the advice"
        html = message.alternatives[0][0]
        # The subject, the text part and the HTML part: all in the reader's language.
        assert headline in message.subject
        assert what_to_do in message.body and what_to_do in html
        assert english not in message.body and english not in html
        assert message.extra_headers["Content-Language"] == language
        texts[language] = message.subject
    assert texts["zh-hans"] != texts["sv"]
    # Nothing leaks out of the override: the worker's own language is as it was.
    assert translation.get_language() == before


def test_an_invitation_is_written_in_the_invited_persons_language_and_their_account_keeps_it(
    client, capture
):
    from invitations import services as invitation_services
    from invitations import tokens
    from invitations.forms import InviteForm

    gavle = NorthPartnerFactory(name="Gävle", country="SE")
    home = PartnerFactory(name="East London")
    inviter = UserFactory(language="en")
    CityMembershipFactory(user=inviter, partner=home, role=CityMembership.Role.OFFICER)
    p = PartnershipFactory(home=home, title="East London – Gävle")
    PartnershipMemberFactory(partnership=p, partner=gavle)
    # The form's first guess is the invited city's country's language.
    assert InviteForm(cities=[gavle]).fields["language"].initial == "sv"

    before = translation.get_language()
    with capture(execute=True):
        invitation = invitation_services.invitation_send(
            city=gavle, email="karin@gavle.example", by=inviter, partnership=p, language="sv"
        )
    [message] = mail.outbox
    assert message.extra_headers["Content-Language"] == "sv"
    with translation.override("sv"):
        accept = translation.gettext("Accept the invitation")
    assert accept != "Accept the invitation" and accept in message.body
    assert translation.get_language() == before

    with capture(execute=True):
        _, membership = invitation_services.invitation_accept(
            key=tokens.make_key(invitation),
            password="a long pass phrase 42",
            first_name="Karin",
            last_name="Lindqvist",
        )
    assert membership.user.language == "sv"


def test_a_join_request_reaches_each_coordinator_in_their_language(capture):
    from invitations import services as invitation_services

    city = PartnerFactory(name="Rosario", country="AR")
    for username, language in (("ana", "es"), ("li", "zh-hans")):
        user = UserFactory(username=username, email=f"{username}@example.org", language=language)
        CityMembershipFactory(user=user, partner=city, role=CityMembership.Role.COORDINATOR)
    asker = UserFactory(language="fr")
    with capture(execute=True):
        invitation_services.join_request_create(user=asker, city=city, message="")
    languages = {m.to[0]: m.extra_headers["Content-Language"] for m in mail.outbox}
    assert languages == {"ana@example.org": "es", "li@example.org": "zh-hans"}


def test_a_password_reset_is_written_in_the_accounts_language_not_the_pages(client):
    """Found from outside: the reset mail followed the language of the page that asked for it
    (an English browser's request reached a Chinese officer in English)."""
    UserFactory(email="wang.fang@example.org", language="zh-hans")
    response = client.post(
        reverse("password_reset"),
        {"email": "wang.fang@example.org"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302
    [message] = mail.outbox
    with translation.override("zh-hans"):
        expected = translation.gettext("Reset your Twinning portal password")
    assert expected != "Reset your Twinning portal password"
    assert expected in message.subject
