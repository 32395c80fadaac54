"""The notifications pages: the list (read/unread, mark read, mark all read), snoozing,
email preferences, the calendar page, and the bell in the navigation bar."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.template.backends.django import Template as BackendTemplate
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications import calendar, selectors
from notifications.models import CalendarFeed, NotificationPreference, Reminder
from tests.factories.accounts import UserFactory
from tests.factories.partnerships import (
    CityMembershipFactory,
    PartnerFactory,
    PartnershipFactory,
)
from tests.factories.reminders import ReminderFactory

pytestmark = pytest.mark.django_db

QUERY_BUDGET = 12
S = Reminder.Status


# The names these tests used before the notifications app had its own namespace.
NAMES = {
    "notifications": "list",
    "notifications_read_all": "read_all",
    "notification_preferences": "preferences",
    "notification_read": "read",
    "notification_snooze": "snooze",
    "calendar": "calendar",
    "calendar_renew": "calendar_renew",
    "calendar_revoke": "calendar_revoke",
    "calendar_feed": "calendar_feed",
}


def url(name, *args):
    if name in NAMES:
        return reverse(f"notifications:{NAMES[name]}", args=args)
    return reverse(f"partnerships:{name}", args=args)


@pytest.fixture
def officer():
    return CityMembershipFactory().user


@pytest.fixture
def mine(officer):
    """Three of the officer's notifications (one read) and one of someone else's."""
    p = PartnershipFactory(title="Home and Away")
    rows = [
        ReminderFactory(partnership=p, recipient=officer),
        ReminderFactory(partnership=p, recipient=officer, kind=Reminder.Kind.MOU_EXPIRED),
        ReminderFactory(partnership=p, recipient=officer, read_at=timezone.now()),
    ]
    other = ReminderFactory(partnership=p)
    return {"rows": rows, "other": other, "p": p}


def count_queries(client, address, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(address, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


# --- Who may open what ---------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, mine):
    pk = mine["rows"][0].pk
    for address in (
        url("notifications"),
        url("notification_preferences"),
        url("notification_snooze", pk),
        url("calendar"),
    ):
        response = client.get(address)
        assert response.status_code == 302 and "/login/" in response["Location"], address
    for address in (
        url("notification_read", pk),
        url("notifications_read_all"),
        url("calendar_renew"),
        url("calendar_revoke"),
    ):
        response = client.post(address)
        assert response.status_code == 302 and "/login/" in response["Location"], address
    assert Reminder.objects.filter(read_at__isnull=True).count() == 3


def test_someone_elses_notification_is_404_admins_included(client, officer, mine):
    other = mine["other"]
    for user in (officer, UserFactory(is_superuser=True, is_staff=True)):
        client.force_login(user)
        assert client.get(url("notification_snooze", other.pk)).status_code == 404
        assert client.post(url("notification_read", other.pk)).status_code == 404
        post = {"until": "2099-01-01", "reason": "mine now"}
        assert client.post(url("notification_snooze", other.pk), post).status_code == 404
    other.refresh_from_db()
    assert other.read_at is None and other.status == S.SENT


# --- The list ------------------------------------------------------------------------------


def test_the_list_shows_ones_own_notifications_newest_first(client, officer, mine):
    client.force_login(officer)
    page = client.get(url("notifications"))
    shown = page.context["notifications"]
    assert [r.pk for r in shown] == [r.pk for r in reversed(mine["rows"])]
    assert shown[0].link == f"/partnerships/{mine['p'].pk}/?step=8#step-8"
    assert page.context["failed"] == []  # an officer sees the failed ones of their partnerships
    html = page.content.decode()
    assert "Home and Away" in html and "MOU expired on" in html

    unread = client.get(url("notifications"), {"show": "unread"})
    assert {r.pk for r in unread.context["notifications"]} == {r.pk for r in mine["rows"][:2]}


def test_mark_one_read_then_all(client, officer, mine):
    client.force_login(officer)
    first = mine["rows"][0]
    response = client.post(url("notification_read", first.pk), {"next": "/notifications/?page=1"})
    assert response.status_code == 302 and response["Location"] == "/notifications/?page=1"
    first.refresh_from_db()
    assert first.read_at is not None

    # Never back to another site.
    response = client.post(url("notifications_read_all"), {"next": "https://evil.example/"})
    assert response["Location"] == url("notifications")
    assert not Reminder.objects.filter(recipient=officer, read_at__isnull=True).exists()
    assert mine["other"].__class__.objects.get(pk=mine["other"].pk).read_at is None


def test_the_list_reads_a_fixed_number_of_queries(client, officer):
    p = PartnershipFactory()
    ReminderFactory.create_batch(5, partnership=p, recipient=officer)
    client.force_login(officer)
    few = count_queries(client, url("notifications"))
    ReminderFactory.create_batch(45, partnership=PartnershipFactory(), recipient=officer)
    ReminderFactory.create_batch(30, partnership=p, recipient=officer, status=S.FAILED)
    many = count_queries(client, url("notifications"))
    assert few == many <= QUERY_BUDGET


# --- Snooze --------------------------------------------------------------------------------


def test_snooze_with_a_date_and_a_reason(client, officer, mine):
    reminder = mine["rows"][0]
    client.force_login(officer)
    assert client.get(url("notification_snooze", reminder.pk)).status_code == 200
    until = timezone.localdate() + dt.timedelta(days=14)
    response = client.post(
        url("notification_snooze", reminder.pk),
        {"until": until.isoformat(), "reason": "  Review meeting on the 14th  "},
    )
    assert response.status_code == 302
    reminder.refresh_from_db()
    assert (reminder.status, reminder.snoozed_until, reminder.snooze_reason) == (
        S.SNOOZED,
        until,
        "Review meeting on the 14th",
    )
    # A snoozed notification no longer counts as unread.
    page = client.get(url("notifications"))
    assert page.context["unread"].count == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"until": "", "reason": "x"}, "until"),
        ({"until": "2020-01-01", "reason": "x"}, "until"),
        ({"until": "today", "reason": "x"}, "until"),
        ({"until": "2099-01-01", "reason": "x"}, "until"),  # more than a year
        ({"until": "+7", "reason": "   "}, "reason"),
        ({"until": "+7", "reason": "x" * 1001}, "reason"),
    ],
)
def test_snooze_needs_a_later_date_and_a_reason(client, officer, mine, data, field):
    reminder = mine["rows"][0]
    today = timezone.localdate()
    data = dict(data)
    if data["until"] == "today":
        data["until"] = today.isoformat()
    elif data["until"] == "+7":
        data["until"] = (today + dt.timedelta(days=7)).isoformat()
    client.force_login(officer)
    response = client.post(url("notification_snooze", reminder.pk), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    reminder.refresh_from_db()
    assert reminder.status == S.SENT and reminder.snoozed_until is None


# --- Preferences ---------------------------------------------------------------------------


def test_preferences_immediate_by_default_then_digest(client, officer):
    client.force_login(officer)
    page = client.get(url("notification_preferences"))
    assert page.context["form"]["delivery"].value() == "immediate"
    response = client.post(url("notification_preferences"), {"delivery": "digest"})
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=officer).delivery == "digest"
    page = client.get(url("notification_preferences"))
    assert page.context["form"]["delivery"].value() == "digest"


@pytest.mark.parametrize("data", [{}, {"delivery": "hourly"}])
def test_preferences_refuse_an_unknown_choice(client, officer, data):
    client.force_login(officer)
    response = client.post(url("notification_preferences"), data)
    assert response.status_code == 200
    assert "delivery" in response.context["form"].errors
    assert not NotificationPreference.objects.exists()


# --- The calendar page ---------------------------------------------------------------------


def test_the_calendar_page_makes_renews_and_switches_off_the_address(client, officer):
    def feed_path() -> str:
        token = calendar.token_for(CalendarFeed.objects.get(user=officer))
        return url("calendar_feed", token)

    client.force_login(officer)
    page = client.get(url("calendar"))
    assert page.context["feed"] is None

    assert client.post(url("calendar_renew")).status_code == 302
    first = feed_path()
    page = client.get(url("calendar"))
    assert page.context["feed_url"].endswith(first) and first in page.content.decode()
    assert client.get(first).status_code == 200

    client.post(url("calendar_renew"))
    second = feed_path()
    assert second != first
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200

    client.post(url("calendar_revoke"))
    assert not CalendarFeed.objects.exists()
    assert client.get(second).status_code == 404


# --- The bell ------------------------------------------------------------------------------


def _reminder_queries(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if "notifications_reminder" in q["sql"]]


def test_the_bell_shows_the_unread_count_for_one_query(client, officer, mine):
    client.force_login(officer)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(url("dashboard"))
    html = page.content.decode()
    assert 'href="/notifications/"' in html
    assert '2<span class="visually-hidden"> unread</span>' in html
    assert len(_reminder_queries(ctx)) == 1

    ReminderFactory.create_batch(120, partnership=mine["p"], recipient=officer)
    assert "99+<span" in client.get(url("dashboard")).content.decode()


def test_the_bell_is_counted_before_the_page_renders_never_while_it_does(
    client, officer, mine, monkeypatch
):
    """UnreadCountMiddleware reads the count before the view; the template only shows it."""
    during_rendering: list[str] = []
    original = BackendTemplate.render

    def render(self, *args, **kwargs):
        with CaptureQueriesContext(connection) as inside:
            html = original(self, *args, **kwargs)
        during_rendering.extend(q["sql"] for q in inside.captured_queries)
        return html

    monkeypatch.setattr(BackendTemplate, "render", render)
    client.force_login(officer)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(url("notifications"))
    assert page.context["unread"].count == 2
    bell = [sql for sql in _reminder_queries(ctx) if '"read_at" IS NULL' in sql]
    assert len(bell) == 1
    assert not [sql for sql in during_rendering if "notifications_reminder" in sql]


@pytest.mark.parametrize(
    ("headers", "counted"),
    [
        ({}, 1),
        ({"HX-Request": "true"}, 0),  # a fragment: no navigation bar in it
        ({"HX-Request": "true", "HX-Boosted": "true"}, 1),  # a whole page, through htmx
    ],
)
def test_the_bell_is_counted_only_for_whole_pages(client, officer, mine, headers, counted):
    client.force_login(officer)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url("dashboard"), headers=headers)
    assert response.status_code == 200
    assert len(_reminder_queries(ctx)) == counted


def test_the_admin_pays_nothing_for_the_bell(client, mine):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert _reminder_queries(ctx) == []


def test_the_bell_costs_anonymous_visitors_nothing(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("login"))
    assert response.status_code == 200
    assert _reminder_queries(ctx) == []
    assert "bi-bell" not in response.content.decode()


def test_a_city_officer_with_no_notifications(client):
    user = CityMembershipFactory(partner=PartnerFactory()).user
    client.force_login(user)
    page = client.get(url("notifications"))
    assert "No notifications yet" in page.content.decode()
    assert "bi-bell-fill" not in page.content.decode()


def test_a_download_pays_nothing_for_the_bell(client, officer, mine):
    """notify.without_bell: a file (here the CSV export) has no navigation bar to count for."""
    client.force_login(officer)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("partnerships:export", args=["partnerships"]))
    assert response.status_code == 200
    assert not response["Content-Type"].startswith("text/html")
    assert _reminder_queries(ctx) == []


def test_the_bell_is_not_stale_after_marking_all_read(client, officer, mine):
    """Marking read redirects: the next page counts again, after the change."""
    client.force_login(officer)
    assert client.get(url("notifications")).context["unread"].count == 2
    page = client.post(url("notifications_read_all"), follow=True)
    assert page.redirect_chain[-1][0] == url("notifications")
    assert page.context["unread"].count == 0
    assert "bi-bell-fill" not in page.content.decode()


def test_each_persons_bell_counts_their_own_unread_only(mine):
    """The count runs SQL compiled once for the first person asked: each person gets their
    own, read and snoozed notifications left out, none for someone with none."""
    one, two, three = UserFactory(), UserFactory(), UserFactory()
    ReminderFactory.create_batch(3, partnership=mine["p"], recipient=one)
    ReminderFactory(partnership=mine["p"], recipient=one, read_at=timezone.now())
    ReminderFactory(partnership=mine["p"], recipient=one, status=Reminder.Status.SNOOZED)
    ReminderFactory(partnership=mine["p"], recipient=two)
    assert [selectors.unread_count(u) for u in (one, two, three)] == [3, 1, 0]
    assert [selectors.unread(u).count() for u in (one, two, three)] == [3, 1, 0]
