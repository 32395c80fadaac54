"""The agenda's pages: "my activities", a record's activities (scheduling there), completing
and cancelling; the dashboard's panel, the partnership page's link, the sub-alliance's panel;
overdue ones reminded to the assignee only, and in their calendar feed."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from agenda.models import ScheduledActivity
from notifications import calendar, reminders, tasks
from notifications.models import Reminder
from partnerships.models import Partnership

pytestmark = pytest.mark.django_db


def page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_scheduling_on_a_partnerships_page(client, world):
    url = reverse("agenda:partnership", args=[world.partnership.pk])
    client.force_login(world.home_officer)
    due = (world.today + dt.timedelta(days=4)).isoformat()
    response = client.post(
        url,
        {
            "kind": "visit",
            "summary": "Visit Gävle's port",
            "assignee": world.away_officer.pk,
            "due_on": due,
        },
    )
    assert response.status_code == 302
    activity = ScheduledActivity.objects.get()
    assert (activity.kind, activity.assignee, activity.due_on.isoformat()) == (
        "visit",
        world.away_officer,
        due,
    )
    html = page(client, world.home_officer, url)
    assert "Visit Gävle&#x27;s port" in html and "Schedule an activity" in html


def test_bad_input_keeps_what_was_typed_and_saves_nothing(client, world):
    url = reverse("agenda:partnership", args=[world.partnership.pk])
    client.force_login(world.home_officer)
    for data in (
        {},
        {
            "kind": "party",
            "summary": "x",
            "assignee": world.away_officer.pk,
            "due_on": "2099-01-01",
        },
        {
            "kind": "call",
            "summary": "Keep me",
            "assignee": world.stranger_officer.pk,
            "due_on": "2099-01-01",
        },
        {"kind": "call", "summary": "Keep me", "assignee": "abc", "due_on": "yesterday"},
        {
            "kind": "call",
            "summary": "Keep me",
            "assignee": world.away_officer.pk,
            "due_on": "2000-01-01",
        },
    ):
        response = client.post(url, data)
        assert response.status_code == 200, data
        assert 'class="invalid-feedback' in response.content.decode() or "is-invalid" in (
            response.content.decode()
        )
    assert not ScheduledActivity.objects.exists()


def test_only_the_record_s_people_see_its_activities(client, world):
    world.schedule()
    for url in (
        reverse("agenda:partnership", args=[world.partnership.pk]),
        reverse("agenda:sub_alliance", args=[world.sub_alliance.pk]),
    ):
        client.force_login(world.stranger_officer)
        assert client.get(url).status_code == 404
        assert client.post(url, {"kind": "call"}).status_code == 404
        # An account without a role is sent to its status page, as from any inside page.
        client.force_login(world.plain)
        assert client.get(url)["Location"] == reverse("businesses:status")
        client.logout()
        assert client.get(url).status_code == 302  # to sign in
        assert page(client, world.away_officer, url)
    assert ScheduledActivity.objects.count() == 1


def test_an_archived_partnerships_page_offers_no_form(client, world):
    world.schedule()
    Partnership.objects.filter(pk=world.partnership.pk).update(status=Partnership.Status.ARCHIVED)
    url = reverse("agenda:partnership", args=[world.partnership.pk])
    html = page(client, world.home_officer, url)
    assert "Schedule an activity" not in html and "Mark done" not in html
    client.force_login(world.home_officer)
    assert client.post(url, {"kind": "call"}).status_code == 404


def test_my_activities_complete_one_and_come_back(client, world):
    activity = world.schedule(summary="Send the draft MOU", days=0)
    html = page(client, world.away_officer, reverse("agenda:mine"))
    assert "Send the draft MOU" in html and "Today" in html
    url = reverse("agenda:complete", args=[activity.pk])
    response = client.post(url, {"outcome": "", "next": reverse("agenda:mine")})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    response = client.post(url, {"outcome": "Sent.", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == reverse("agenda:partnership", args=[world.partnership.pk])
    activity.refresh_from_db()
    assert activity.outcome == "Sent." and activity.done_by == world.away_officer
    response = client.post(url, {"outcome": "Again"}, follow=True)
    assert "marked done already" in response.content.decode()
    html = page(
        client, world.away_officer, reverse("partnerships:detail", args=[world.partnership.pk])
    )
    assert "Done: Call “Send the draft MOU”" in html


def test_completing_and_cancelling_are_checked_per_activity(client, world):
    activity = world.schedule()
    client.force_login(world.stranger_officer)
    assert (
        client.post(reverse("agenda:complete", args=[activity.pk]), {"outcome": "x"}).status_code
        == 404
    )
    assert client.post(reverse("agenda:cancel", args=[activity.pk])).status_code == 404
    client.force_login(world.home_officer)
    response = client.post(reverse("agenda:cancel", args=[activity.pk]), {"next": "/activities/"})
    assert response["Location"] == "/activities/"
    assert not ScheduledActivity.objects.exists()
    assert client.post(reverse("agenda:cancel", args=[activity.pk])).status_code == 404


def test_the_dashboard_the_partnership_page_and_the_sub_alliance_show_them(client, world):
    world.schedule(summary="Brief the mayor", days=-0)
    world.schedule(summary="Utilities call", sub_alliance=world.sub_alliance)
    html = page(client, world.away_officer, reverse("partnerships:dashboard"))
    # The panel is fetched once the page has loaded (htmx), from "my activities".
    assert f'hx-get="{reverse("agenda:mine")}"' in html
    panel = client.get(reverse("agenda:mine"), headers={"HX-Request": "true"}).content.decode()
    assert "Brief the mayor" in panel and "<html" not in panel
    html = page(
        client, world.home_officer, reverse("partnerships:detail", args=[world.partnership.pk])
    )
    assert reverse("agenda:partnership", args=[world.partnership.pk]) in html
    html = page(
        client,
        world.home_officer,
        reverse("alliances:sub_alliance_detail", args=[world.sub_alliance.pk]),
    )
    url = reverse("agenda:sub_alliance", args=[world.sub_alliance.pk])
    assert f'hx-get="{url}"' in html
    panel = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "Utilities call" in panel and "Brief the mayor" not in panel and "<html" not in panel


def test_an_overdue_activity_reminds_its_assignee_once(world, django_capture_on_commit_callbacks):
    activity = world.schedule(summary="Call the port")
    later = activity.due_on + dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.scan(today=activity.due_on, deliver=tasks.enqueue_delivery)  # due today: not late
    assert not Reminder.objects.filter(kind=Reminder.Kind.ACTIVITY_OVERDUE).exists()
    with django_capture_on_commit_callbacks(execute=True):
        result = reminders.scan(today=later, deliver=tasks.enqueue_delivery)
    reminder = Reminder.objects.get(kind=Reminder.Kind.ACTIVITY_OVERDUE)
    assert result.by_kind[Reminder.Kind.ACTIVITY_OVERDUE] == 1
    assert (reminder.recipient, reminder.role) == (world.away_officer, Reminder.Role.CONCERNED)
    sent = [m for m in mail.outbox if m.to == [world.away_officer.email]]
    assert len(sent) == 1 and "Call the port" in sent[0].subject + sent[0].body
    assert f"/activities/#activity-{activity.pk}" in sent[0].body
    with django_capture_on_commit_callbacks(execute=True):
        reminders.scan(today=later + dt.timedelta(days=1), deliver=tasks.enqueue_delivery)
    assert Reminder.objects.filter(kind=Reminder.Kind.ACTIVITY_OVERDUE).count() == 1


def test_done_or_paused_ones_do_not_remind(world):
    done = world.schedule()
    from agenda import services

    services.activity_complete(user=world.away_officer, activity=done, outcome="ok")
    paused = world.schedule()
    Partnership.objects.filter(pk=world.partnership.pk).update(status=Partnership.Status.PAUSED)
    result = reminders.scan(today=paused.due_on + dt.timedelta(days=5), dry_run=True)
    assert not [p for p in result.planned if p.kind == Reminder.Kind.ACTIVITY_OVERDUE]


def test_the_calendar_feed_holds_the_persons_open_activities(client, world):
    mine = world.schedule(summary="Delegation to Gävle", kind="delegation", days=10)
    world.schedule(summary="Someone else's", to=world.home_officer)
    feed = calendar.calendar_feed_renew(user=world.away_officer)
    url = reverse("notifications:calendar_feed", kwargs={"token": calendar.token_for(feed)})
    parsed = Calendar.from_ical(client.get(url).content)
    events = {str(e["UID"]).split("@")[0]: e for e in parsed.walk("VEVENT")}
    assert f"activity-{mine.pk}" in events
    assert str(events[f"activity-{mine.pk}"]["SUMMARY"]) == "Delegation: Delegation to Gävle"
    assert events[f"activity-{mine.pk}"]["DTSTART"].dt == mine.due_on
    assert len([u for u in events if u.startswith("activity-")]) == 1


def test_my_activities_asks_the_same_queries_for_one_or_many(
    client, world, django_assert_max_num_queries
):
    world.schedule()
    client.force_login(world.away_officer)
    url = reverse("agenda:mine")
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for n in range(15):
        world.schedule(summary=f"Call {n}", days=n)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(one) <= 8
