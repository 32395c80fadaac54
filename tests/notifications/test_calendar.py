"""The personal calendar feed (partnerships/calendar.py): parsed back with icalendar, as
Outlook or Google Calendar would read it; its secret address; what it holds and what not."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from notifications import calendar
from partnerships.models import MOU, Partnership, PlanAction
from tests.factories.accounts import UserFactory
from tests.factories.partnerships import (
    BusinessPlanFactory,
    CityMembershipFactory,
    MOUFactory,
    NorthPartnerFactory,
    PartnerFactory,
    PartnershipFactory,
    PartnershipMemberFactory,
    PlanActionFactory,
)

pytestmark = pytest.mark.django_db


def in_days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


@pytest.fixture
def portfolio():
    """An officer of Home, whose partnership with Away has a review, an MOU and actions due;
    and things that must stay out of the feed."""
    home, away = PartnerFactory(name="Home"), NorthPartnerFactory(name="Away")
    officer = CityMembershipFactory(partner=home).user
    p = PartnershipFactory(home=home, title="Home – Away", next_review_on=in_days(20))
    PartnershipMemberFactory(partnership=p, partner=away)
    mou = MOUFactory(
        partnership=p, effective_on=in_days(-700), signed_on=in_days(-700), expires_on=in_days(60)
    )
    plan = BusinessPlanFactory(partnership=p)
    action = PlanActionFactory(plan=plan, description="Trade mission", due_on=in_days(5))
    PlanActionFactory(plan=plan, due_on=in_days(9), status=PlanAction.Status.DONE)  # done
    PlanActionFactory(plan=plan, due_on=in_days(-400))  # long past
    MOUFactory(partnership=p, status=MOU.Status.DRAFT, signed_on=None, expires_on=in_days(30))
    # Someone else's partnership, and an ended one of Home's: not in the feed.
    PartnershipFactory(title="Elsewhere", next_review_on=in_days(3))
    PartnershipFactory(
        home=home, title="Ended", next_review_on=in_days(3), status=Partnership.Status.ENDED
    )
    feed = calendar.calendar_feed_renew(user=officer)
    return {"officer": officer, "p": p, "mou": mou, "action": action, "feed": feed}


def fetch(client, feed):
    return client.get(reverse("notifications:calendar_feed", args=[calendar.token_for(feed)]))


def events_of(response) -> dict[str, dict]:
    cal = Calendar.from_ical(response.content)
    return {
        str(e["UID"]): {
            "summary": str(e["SUMMARY"]),
            "start": e.decoded("DTSTART"),
            "end": e.decoded("DTEND"),
            "stamp": e.decoded("DTSTAMP"),
            "url": str(e["URL"]),
            "value": e["DTSTART"].params.get("VALUE"),
        }
        for e in cal.walk("VEVENT")
    }


def test_the_feed_holds_reviews_mou_expiries_and_open_actions(client, portfolio, settings):
    settings.PORTAL_BASE_URL = "https://portal.example.org"
    p, mou, action = portfolio["p"], portfolio["mou"], portfolio["action"]

    response = fetch(client, portfolio["feed"])  # no login: the address is the secret

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal = Calendar.from_ical(response.content)
    assert str(cal["VERSION"]) == "2.0" and "Twinning portal" in str(cal["PRODID"])
    events = events_of(response)
    assert set(events) == {
        f"review-{p.pk}@portal.example.org",
        f"mou-expiry-{mou.pk}@portal.example.org",
        f"action-{action.pk}@portal.example.org",
    }
    review = events[f"review-{p.pk}@portal.example.org"]
    assert review["summary"] == "Review due: Home – Away"
    assert (review["start"], review["end"]) == (in_days(20), in_days(21))
    assert type(review["start"]) is dt.date  # an all-day event
    assert review["value"] == "DATE"
    assert isinstance(review["stamp"], dt.datetime) and review["stamp"].tzinfo is not None
    assert review["url"] == f"https://portal.example.org/partnerships/{p.pk}/?step=8#step-8"
    assert events[f"mou-expiry-{mou.pk}@portal.example.org"]["start"] == in_days(60)
    assert events[f"action-{action.pk}@portal.example.org"]["summary"] == (
        "Action due: Trade mission"
    )
    portfolio["feed"].refresh_from_db()
    assert portfolio["feed"].last_fetched_at is not None


def test_uids_stay_when_a_date_moves(client, portfolio):
    before = events_of(fetch(client, portfolio["feed"]))
    Partnership.objects.filter(pk=portfolio["p"].pk).update(next_review_on=in_days(40))
    after = events_of(fetch(client, portfolio["feed"]))
    assert set(before) == set(after)
    uid = next(u for u in after if u.startswith("review-"))
    assert after[uid]["start"] == in_days(40)


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        "1.",
        ".abc",
        "99999.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "12345678901234567890123.x",
    ],
)
def test_an_unknown_address_is_404(client, portfolio, token):
    response = client.get(reverse("notifications:calendar_feed", args=[token]))
    assert response.status_code == 404


def test_a_tampered_renewed_or_revoked_address_is_404(client, portfolio):
    feed = portfolio["feed"]
    token = calendar.token_for(feed)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(reverse("notifications:calendar_feed", args=[tampered])).status_code == 404

    calendar.calendar_feed_renew(user=portfolio["officer"])
    assert client.get(reverse("notifications:calendar_feed", args=[token])).status_code == 404

    renewed = calendar.calendar_feed_renew(user=portfolio["officer"])
    assert fetch(client, renewed).status_code == 200
    calendar.calendar_feed_revoke(user=portfolio["officer"])
    assert fetch(client, renewed).status_code == 404


def test_an_inactive_account_has_no_feed(client, portfolio):
    portfolio["officer"].is_active = False
    portfolio["officer"].save()
    assert fetch(client, portfolio["feed"]).status_code == 404


def test_the_address_survives_a_secret_key_rotation_through_the_fallbacks(
    client, portfolio, settings
):
    token_path = reverse(
        "notifications:calendar_feed", args=[calendar.token_for(portfolio["feed"])]
    )
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-for-the-portal-0123456789"
    assert client.get(token_path).status_code == 200
    settings.SECRET_KEY_FALLBACKS = []
    assert client.get(token_path).status_code == 404


def test_a_person_without_a_city_gets_an_empty_calendar(client):
    feed = calendar.calendar_feed_renew(user=UserFactory())
    response = fetch(client, feed)
    assert response.status_code == 200
    assert events_of(response) == {}


def test_the_feed_reads_a_fixed_number_of_queries(client, portfolio):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert fetch(client, portfolio["feed"]).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    home = portfolio["p"].members.get(role="home").partner
    for i in range(20):
        p = PartnershipFactory(home=home, next_review_on=in_days(i + 1))
        MOUFactory(partnership=p, expires_on=in_days(100 + i))
        PlanActionFactory(plan=BusinessPlanFactory(partnership=p), due_on=in_days(i + 2))
    many = count()
    assert few == many <= 7
    assert len(events_of(fetch(client, portfolio["feed"]))) == 3 + 60
