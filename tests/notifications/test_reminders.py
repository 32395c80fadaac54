"""The reminder scan and delivery (notifications/reminders.py, delivery.py, tasks.py).

A designed fixture holds every kind of reminder and, beside each, the near miss that must not
remind; the tests check who gets what, that reruns, retries and concurrent scans never send a
reminder twice, that failures are retried then kept visible, snoozes, the digest, the query
count, the timeline, the admin and the `send_reminders` command.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from smtplib import SMTPException
from types import SimpleNamespace

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django_celery_beat.models import PeriodicTask

from config.celery import app as celery_app
from notifications import delivery as notify
from notifications import reminder_rules, reminders, tasks
from notifications import services as notify_services
from notifications.models import NotificationPreference, Reminder
from partnerships import selectors
from partnerships.health import rules
from partnerships.models import MOU, CityMembership, Partnership, PlanAction, Step
from tests.factories.accounts import UserFactory
from tests.factories.partnerships import (
    BusinessPlanFactory,
    ChampionFactory,
    CityMembershipFactory,
    MOUFactory,
    NorthPartnerFactory,
    PartnerFactory,
    PartnershipFactory,
    PartnershipMemberFactory,
    PlanActionFactory,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 2)  # a Monday
K = Reminder.Kind
S = Reminder.Status
PEOPLE = {"officer_h", "coord_h", "officer_a", "coord_a", "champ", "amara.champion@example.org"}
COORDINATORS = {"coord_h", "coord_a"}


def day(offset: int) -> dt.date:
    return TODAY + dt.timedelta(days=offset)


def noon(date: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(date, dt.time(12)))


def who(reminder: Reminder) -> str:
    return reminder.recipient.username if reminder.recipient_id else reminder.recipient_email


def recorded() -> dict[tuple[str, str], set[str]]:
    found: dict[tuple[str, str], set[str]] = {}
    for r in Reminder.objects.select_related("partnership", "recipient"):
        found.setdefault((r.kind, r.partnership.title), set()).add(who(r))
    return found


def about(p: Partnership, username: str) -> list[str]:
    """The subjects of the emails sent to this person about this partnership."""
    return [
        m.subject
        for m in mail.outbox
        if m.to == [f"{username}@example.org"] and f" {p.title}: " in m.subject
    ]


def scan(**kwargs) -> reminders.ScanResult:
    """The scan as the task and the command run it: new reminders handed to delivery."""
    return reminders.scan(deliver=tasks.enqueue_delivery, **kwargs)


def run_scan(capture, **kwargs) -> reminders.ScanResult:
    """A scan whose deliveries run (eagerly) once its transaction commits, as in production."""
    with capture(execute=True):
        return scan(today=kwargs.pop("today", TODAY), **kwargs)


# --- The designed fixture ------------------------------------------------------------------


@pytest.fixture
def people():
    home, away, other = (
        PartnerFactory(name="Home"),
        NorthPartnerFactory(name="Away"),
        PartnerFactory(),
    )

    def staff(city, username, role=CityMembership.Role.OFFICER, **fields):
        user = UserFactory(username=username, email=f"{username}@example.org", **fields)
        CityMembershipFactory(user=user, partner=city, role=role)
        return user

    return SimpleNamespace(
        home=home,
        away=away,
        other=other,
        officer_h=staff(home, "officer_h"),
        coord_h=staff(home, "coord_h", CityMembership.Role.COORDINATOR),
        officer_a=staff(away, "officer_a"),
        coord_a=staff(away, "coord_a", CityMembership.Role.COORDINATOR),
        stranger=staff(other, "stranger"),  # an unrelated city: never told
        gone=staff(home, "gone", is_active=False),  # an inactive account: never told
        champ=UserFactory(username="champ", email="champ@example.org"),
    )


def make(people, title: str, **fields) -> Partnership:
    """A partnership of Home and Away with two active champions (one with an account, one by
    email only, in mixed case) and a former one."""
    fields.setdefault("step_entered_at", noon(day(-1)))
    p = PartnershipFactory(home=people.home, title=title, **fields)
    PartnershipMemberFactory(partnership=p, partner=people.away)
    ChampionFactory(partnership=p, partner=people.home, user=people.champ, email="")
    ChampionFactory(partnership=p, partner=people.away, email="Amara.Champion@Example.org")
    ChampionFactory(partnership=p, email="former@example.org", is_active=False)
    return p


def signed_mou(p, expires_on, **fields) -> MOU:
    fields.setdefault("status", MOU.Status.SIGNED)
    fields.setdefault("signed_on", day(-800))
    return MOUFactory(partnership=p, effective_on=day(-800), expires_on=expires_on, **fields)


def action(p, due_on, **fields) -> PlanAction:
    plan = getattr(p, "business_plan", None) or BusinessPlanFactory(partnership=p)
    p.business_plan = plan
    return PlanActionFactory(plan=plan, due_on=due_on, description=f"Action of {p.title}", **fields)


@pytest.fixture
def world(people):
    """Every kind, and beside it the near miss that must not remind."""
    made = {}

    def add(title, **fields):
        made[title] = make(people, title, **fields)
        return made[title]

    add("review in 14 days", next_review_on=day(14))
    add("review in 15 days", next_review_on=day(15))  # near miss
    add("review 10 days late", next_review_on=day(-10))
    add("review 30 days late", next_review_on=day(-30))  # overdue, not yet escalated
    add("review 31 days late", next_review_on=day(-31))  # escalated
    signed_mou(add("MOU in 90 days"), day(90))
    signed_mou(add("MOU in 91 days"), day(91))  # near miss
    signed_mou(add("MOU in 30 days"), day(30))
    signed_mou(add("MOU in 7 days"), day(7))
    signed_mou(add("MOU expires today"), TODAY)
    signed_mou(add("MOU expired"), day(-1))
    signed_mou(add("draft MOU"), day(5), status=MOU.Status.DRAFT, signed_on=None)  # not signed
    add("stalled 180 days", step=Step.SEARCH, step_entered_at=noon(day(-180)))
    add("stalled 179 days", step=Step.SEARCH, step_entered_at=noon(day(-179)))  # near miss
    add("at the last step", step=Step.MEASUREMENT, step_entered_at=noon(day(-900)))
    action(add("action a day late"), day(-1))
    action(add("action due today"), TODAY)  # near miss
    action(add("action done late"), day(-20), status=PlanAction.Status.DONE)
    for status in (
        Partnership.Status.ENDED,
        Partnership.Status.PAUSED,
        Partnership.Status.ARCHIVED,
    ):
        p = add(
            f"{status} partnership",
            status=status,
            next_review_on=day(-60),
            step=Step.SEARCH,
            step_entered_at=noon(day(-400)),
        )
        signed_mou(p, day(-5))
        action(p, day(-5))
    snoozed = add("snoozed by officer_h", next_review_on=day(-3))
    Reminder.objects.create(
        partnership=snoozed,
        kind=K.REVIEW_DUE,
        object_id=snoozed.pk,
        occurrence=day(-3),
        recipient=people.officer_h,
        recipient_email="officer_h@example.org",
        role=Reminder.Role.OFFICER,
        status=S.SNOOZED,
        snoozed_until=day(10),
        snooze_reason="Review meeting set with the other side.",
    )
    return SimpleNamespace(people=people, p=made)


EXPECTED = {
    (K.REVIEW_DUE, "review in 14 days"): PEOPLE,
    (K.REVIEW_OVERDUE, "review 10 days late"): PEOPLE,
    (K.REVIEW_OVERDUE, "review 30 days late"): PEOPLE,
    (K.REVIEW_OVERDUE, "review 31 days late"): PEOPLE,
    (K.REVIEW_ESCALATION, "review 31 days late"): COORDINATORS,
    (K.MOU_EXPIRING_90, "MOU in 90 days"): PEOPLE,
    (K.MOU_EXPIRING_30, "MOU in 30 days"): PEOPLE,
    (K.MOU_EXPIRING_7, "MOU in 7 days"): PEOPLE,
    (K.MOU_EXPIRING_7, "MOU expires today"): PEOPLE,
    (K.MOU_EXPIRED, "MOU expired"): PEOPLE,
    (K.STALLED, "stalled 180 days"): PEOPLE,
    (K.ACTION_OVERDUE, "action a day late"): PEOPLE,
    # officer_h snoozed the review: the others are told it is late, not them.
    (K.REVIEW_OVERDUE, "snoozed by officer_h"): PEOPLE - {"officer_h"},
    (K.REVIEW_DUE, "snoozed by officer_h"): {"officer_h"},  # the snoozed row itself
}
NEW_ROWS = sum(len(v) for v in EXPECTED.values()) - 1


def test_the_scan_records_every_kind_for_the_right_people_and_no_near_miss(world, capture):
    result = run_scan(capture)

    assert recorded() == EXPECTED
    assert result.created == NEW_ROWS
    # Events are not scanned; an overdue scheduled activity is (tests/agenda), none here.
    scanned = set(K.values) - set(Reminder.EVENT_KINDS) - {K.ACTIVITY_OVERDUE}
    assert set(result.by_kind) == scanned


def test_each_reminder_is_emailed_once_with_html_text_and_a_link(world, capture, settings):
    settings.PORTAL_BASE_URL = "https://portal.example.org"
    run_scan(capture)

    assert len(mail.outbox) == NEW_ROWS
    assert Reminder.objects.exclude(status=S.SNOOZED).filter(status=S.SENT).count() == NEW_ROWS
    to = Counter(address for m in mail.outbox for address in m.to)
    assert to["amara.champion@example.org"] == 12  # every kind, written to by address
    assert to["coord_h@example.org"] == 13  # and the escalation
    assert not {"stranger@example.org", "gone@example.org", "former@example.org"} & set(to)

    p = world.p["MOU in 30 days"]
    message = next(
        m for m in mail.outbox if m.to == ["officer_a@example.org"] and p.title in m.subject
    )
    assert (
        message.subject == f"[Twinning portal] {p.title}: MOU expires on 1 Apr 2026, within 30 days"
    )
    link = f"https://portal.example.org/partnerships/{p.pk}/?step=6#step-6"
    assert link in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{link.replace("&", "&amp;")}"' in html or f'href="{link}"' in html
    assert "renew" in message.body


def test_a_rerun_records_and_sends_nothing_more(world, capture):
    run_scan(capture)
    rows, sent = Reminder.objects.count(), len(mail.outbox)

    again = run_scan(capture)

    assert again.created == 0
    assert again.queued == []
    assert Reminder.objects.count() == rows
    assert len(mail.outbox) == sent


def test_a_new_occurrence_reminds_again_the_same_one_never(world, capture):
    p = world.p["review 10 days late"]
    run_scan(capture)
    run_scan(capture, today=day(1))  # a day later: still the same late review
    assert Reminder.objects.filter(partnership=p).count() == len(PEOPLE)

    Partnership.objects.filter(pk=p.pk).update(next_review_on=day(20))  # a new date, now due
    run_scan(capture, today=day(10))
    kinds = Counter(Reminder.objects.filter(partnership=p).values_list("kind", flat=True))
    assert kinds == {K.REVIEW_OVERDUE: len(PEOPLE), K.REVIEW_DUE: len(PEOPLE)}


def test_each_person_once_even_in_several_roles(world, capture):
    people = world.people
    p = world.p["action a day late"]
    # officer_a also champions it, and works for Home too; an email-only champion writes from
    # officer_h's address: each is written to once, by their account.
    ChampionFactory(partnership=p, user=people.officer_a)
    CityMembershipFactory(user=people.officer_a, partner=people.home)
    ChampionFactory(partnership=p, email="Officer_H@example.org")
    run_scan(capture)

    rows = Reminder.objects.filter(partnership=p)
    assert sorted(who(r) for r in rows) == sorted(PEOPLE)
    assert rows.get(recipient=people.officer_a).role == Reminder.Role.CHAMPION


def test_the_stalled_threshold_is_the_health_rule_or_a_scan_argument(world, capture):
    assert rules.STALLED_DAYS == 180  # one definition for the health score and the reminders
    run_scan(capture)
    stalled = {title for kind, title in recorded() if kind == K.STALLED}
    assert stalled == {"stalled 180 days"}

    Reminder.objects.all().delete()
    run_scan(capture, stalled_days=179)
    stalled = {title for kind, title in recorded() if kind == K.STALLED}
    assert stalled == {"stalled 180 days", "stalled 179 days"}

    Reminder.objects.all().delete()
    run_scan(capture, stalled_days=400)
    assert not Reminder.objects.filter(kind=K.STALLED).exists()


def test_a_stalled_reminder_names_the_step(world, capture):
    run_scan(capture)
    reminder = Reminder.objects.filter(kind=K.STALLED).first()
    assert reminder.headline == "In “step 2: Search” since 3 Sep 2025"


# --- Exactly once under concurrency ---------------------------------------------------------


def _in_threads(n: int, work) -> list:
    barrier = threading.Barrier(n)
    results: list = [None] * n
    errors: list = []

    def run(i):
        try:
            barrier.wait(timeout=10)
            results[i] = work()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return results


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL (CI runs it)"
)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_record_and_send_each_reminder_once(world):
    results = _in_threads(2, lambda: scan(today=TODAY))

    assert sum(r.created for r in results) == NEW_ROWS
    assert recorded() == EXPECTED
    assert len(mail.outbox) == NEW_ROWS
    assert len({(tuple(m.to), m.subject) for m in mail.outbox}) == NEW_ROWS


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_delivering_one_reminder_send_one_email(world):
    scan(today=TODAY)  # eager deliveries after commit: all sent
    reminder = Reminder.objects.exclude(status=S.SNOOZED).first()
    Reminder.objects.filter(pk=reminder.pk).update(status=S.PENDING)
    mail.outbox.clear()

    sent = _in_threads(4, lambda: notify.deliver(reminder.pk))

    assert sorted(sent) == [False, False, False, True]
    assert len(mail.outbox) == 1


def test_a_reminder_claimed_already_is_not_sent_again(world, capture):
    run_scan(capture)
    reminder = Reminder.objects.filter(status=S.SENT).first()
    mail.outbox.clear()
    assert notify.deliver(reminder.pk) is False
    assert tasks.deliver_reminder.delay(reminder.pk).get() is False
    assert mail.outbox == []


# --- Failures: retried with backoff, then visible ---------------------------------------------


class FailingBackend(BaseEmailBackend):
    """A mail server that always refuses."""

    calls = 0

    def send_messages(self, email_messages):
        FailingBackend.calls += 1
        raise SMTPException("451 4.3.0 Mail server temporarily rejected message")


class FlakyBackend(LocmemBackend):
    """A mail server that is unreachable for the first few attempts."""

    failures_left = 0

    def send_messages(self, email_messages):
        if FlakyBackend.failures_left > 0:
            FlakyBackend.failures_left -= 1
            raise ConnectionRefusedError(111, "Connection refused")
        return super().send_messages(email_messages)


def test_the_delivery_task_retries_with_backoff():
    task = tasks.deliver_reminder
    assert set(task.autoretry_for) >= {SMTPException, OSError}
    assert task.max_retries == 5
    assert task.retry_backoff and task.retry_backoff_max == 600


def test_a_passing_failure_is_retried_and_sent_once(people, settings, capture):
    settings.EMAIL_BACKEND = "tests.notifications.test_reminders.FlakyBackend"
    FlakyBackend.failures_left = 2
    p = make(people, "review late", next_review_on=day(-2))
    ChampionFactory._meta.model.objects.filter(partnership=p).delete()

    run_scan(capture)

    rows = Reminder.objects.filter(partnership=p)
    assert {r.status for r in rows} == {S.SENT}
    assert sorted(r.attempts for r in rows) == [1, 1, 1, 3]  # the first one met the outage
    assert len(mail.outbox) == rows.count()


def test_a_send_that_keeps_failing_ends_failed_and_visible(people, settings, capture, client):
    settings.EMAIL_BACKEND = "tests.notifications.test_reminders.FailingBackend"
    FailingBackend.calls = 0
    p = make(people, "review late", next_review_on=day(-2))

    run_scan(capture)

    rows = Reminder.objects.filter(partnership=p)
    assert rows.count() == len(PEOPLE)
    assert {r.status for r in rows} == {S.FAILED}
    assert {r.attempts for r in rows} == {6}  # the first try and five retries
    assert FailingBackend.calls == 6 * len(PEOPLE)
    assert "SMTPException: 451" in rows.first().last_error
    assert mail.outbox == []

    # The officers of the partnership see it on their notifications page…
    client.force_login(people.officer_a)
    page = client.get(reverse("notifications:list"))
    assert [r.pk for r in page.context["failed"]] == [
        r.pk for r in rows.order_by("-created_at", "-id")
    ]
    assert "Reminders that could not be emailed" in page.content.decode()
    # …and on the partnership's timeline, with a badge; an unrelated officer sees none.
    entry = selectors.timeline(p)[0]
    assert entry.kind == "reminder" and entry.failed == len(PEOPLE)
    assert "failed" in client.get(reverse("partnerships:detail", args=[p.pk])).content.decode()
    client.force_login(people.stranger)
    assert client.get(reverse("notifications:list")).context["failed"] == []

    # The admin lists them, and sends them again once the mail server is back.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    listing = client.get(reverse("admin:notifications_reminder_changelist"), {"status": "failed"})
    assert listing.context["cl"].result_count == len(PEOPLE)
    with capture(execute=True):
        response = client.post(
            reverse("admin:notifications_reminder_changelist"),
            {"action": "retry_failed", ACTION_CHECKBOX_NAME: [r.pk for r in rows]},
        )
    assert response.status_code == 302
    assert {r.status for r in rows.all()} == {S.SENT}
    assert len(mail.outbox) == len(PEOPLE)


def test_a_reminder_lost_on_its_way_is_handed_to_delivery_again(world, capture):
    with capture(execute=False):  # the deliveries never ran (say, the broker lost them)
        first = scan(today=TODAY)
    assert Reminder.objects.filter(status=S.PENDING).count() == NEW_ROWS
    Reminder.objects.update(created_at=timezone.now() - dt.timedelta(hours=2))

    second = run_scan(capture)

    assert second.created == 0
    assert sorted(second.requeued) == sorted(first.queued)
    assert len(mail.outbox) == NEW_ROWS


# --- Snooze, digest ------------------------------------------------------------------------


def _snoozed_review(people, capture):
    """A review 10 days late (by the real calendar: a snooze is until a day after today),
    reminded, then snoozed by officer_h for 30 days."""
    today = timezone.localdate()
    p = make(
        people,
        "late review",
        next_review_on=today - dt.timedelta(days=10),
        step_entered_at=timezone.now(),
    )
    run_scan(capture, today=today)
    mine = Reminder.objects.get(partnership=p, recipient=people.officer_h)
    until = today + dt.timedelta(days=30)
    notify_services.reminder_snooze(
        reminder=mine, user=people.officer_h, until=until, reason="Meeting"
    )
    mail.outbox.clear()
    return p, mine, today


def test_snoozing_quiets_the_subject_until_the_date_then_it_reminds_again(people, capture):
    p, mine, today = _snoozed_review(people, capture)
    mine.refresh_from_db()
    assert (mine.status, mine.snoozed_until, mine.snooze_reason) == (
        S.SNOOZED,
        today + dt.timedelta(days=30),
        "Meeting",
    )
    assert mine.read_at is not None

    # Still snoozed: not even the escalation, a new kind about the same review, reaches them.
    CityMembership.objects.filter(user=people.officer_h).update(role="coordinator")
    run_scan(capture, today=today + dt.timedelta(days=25))
    assert about(p, "officer_h") == []
    assert len(about(p, "coord_h")) == 1  # the escalation, to the other coordinators

    run_scan(capture, today=today + dt.timedelta(days=30))  # the snooze is over
    mine.refresh_from_db()
    assert mine.status == S.SENT and mine.read_at is None
    late_since = date_format(p.next_review_on, "j M Y")
    assert sorted(about(p, "officer_h")) == [
        f"[Twinning portal] {p.title}: Review overdue by more than 30 days (due {late_since})",
        f"[Twinning portal] {p.title}: Review overdue since {late_since}",
    ]
    assert about(p, "officer_a") == []  # the others were told once, before


def test_a_snooze_that_ends_when_nothing_is_due_any_more_stays_quiet(people, capture):
    p, mine, today = _snoozed_review(people, capture)
    Partnership.objects.filter(pk=p.pk).update(next_review_on=today + dt.timedelta(days=300))

    run_scan(capture, today=today + dt.timedelta(days=31))

    assert Reminder.objects.get(pk=mine.pk).status == S.SNOOZED
    assert about(p, "officer_h") == []


def test_snoozing_needs_a_later_date_a_reason_and_ones_own_reminder(world, capture):
    from django.core.exceptions import ValidationError

    from core.errors import DomainError

    people = world.people
    run_scan(capture)
    mine = Reminder.objects.filter(recipient=people.officer_h, status=S.SENT).first()
    with pytest.raises(ValidationError) as error:
        notify_services.reminder_snooze(
            reminder=mine, user=people.officer_h, until=TODAY, reason=" "
        )
    assert set(error.value.message_dict) == {"until", "reason"}
    with pytest.raises(DomainError):
        notify_services.reminder_snooze(
            reminder=mine, user=people.officer_a, until=day(400), reason="x"
        )
    assert Reminder.objects.get(pk=mine.pk).status == S.SENT


def test_digest_people_get_one_weekly_email_listing_their_reminders(world, capture):
    people = world.people
    notify_services.notification_preference_set(user=people.officer_a, delivery="digest")

    run_scan(capture)

    waiting = Reminder.objects.filter(recipient=people.officer_a)
    assert {r.status for r in waiting} == {S.DIGEST}
    assert not [m for m in mail.outbox if m.to == ["officer_a@example.org"]]
    mail.outbox.clear()

    assert tasks.send_weekly_digests.delay().get() == 1
    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert digest.to == ["officer_a@example.org"]
    assert digest.subject == f"[Twinning portal] Your weekly digest: {waiting.count()} reminders"
    assert all(
        p.title in digest.body for p in [world.p["MOU expired"], world.p["review in 14 days"]]
    )
    assert {r.status for r in waiting.all()} == {S.SENT}

    assert tasks.send_weekly_digests.delay().get() == 0  # nothing waits any more
    assert len(mail.outbox) == 1


def test_switching_from_the_digest_to_immediate_sends_what_waited(world, capture):
    people = world.people
    notify_services.notification_preference_set(user=people.coord_h, delivery="digest")
    run_scan(capture)
    mail.outbox.clear()

    with capture(execute=True):
        notify_services.notification_preference_set(user=people.coord_h, delivery="immediate")

    assert len(mail.outbox) == Reminder.objects.filter(recipient=people.coord_h).count() == 13
    assert NotificationPreference.objects.get(user=people.coord_h).delivery == "immediate"


# --- Bounded queries -----------------------------------------------------------------------


def _busy(people, n: int, offset: int) -> None:
    """n partnerships that each have something of every kind due."""
    for i in range(offset, offset + n):
        p = make(
            people,
            f"Busy {i}",
            next_review_on=day(-40),
            step=Step.SEARCH,
            step_entered_at=noon(day(-200)),
        )
        signed_mou(p, day(20))
        action(p, day(-3))


def _scan_queries(capture) -> tuple[int, int]:
    with capture(execute=False), CaptureQueriesContext(connection) as queries:
        result = scan(today=TODAY)
    return len(queries), result.created


def test_the_scan_asks_the_same_queries_for_5_or_50_partnerships(
    people, capture, django_assert_max_num_queries
):
    _busy(people, 5, 0)
    few, created_few = _scan_queries(capture)
    _busy(people, 45, 5)
    with django_assert_max_num_queries(few):
        _, created_many = _scan_queries(capture)

    per_partnership = 4 * len(PEOPLE) + len(COORDINATORS)
    assert (created_few, created_many) == (5 * per_partnership, 45 * per_partnership)
    assert few <= 16  # nine INSERT … SELECT, the snoozes, the new rows, the stuck ones


def test_the_dry_run_asks_one_query_per_kind(people, django_assert_max_num_queries):
    _busy(people, 20, 0)
    with django_assert_max_num_queries(len(reminder_rules.all_rules()) + 1):
        result = scan(today=TODAY, dry_run=True)
    assert len(result.planned) == 20 * (4 * len(PEOPLE) + len(COORDINATORS))
    assert not Reminder.objects.exists()


# --- The timeline, the schedule, the command -------------------------------------------------


def test_every_reminder_sent_appears_on_the_partnerships_timeline(world, capture, client):
    p = world.p["review 31 days late"]
    run_scan(capture)

    entries = [e for e in selectors.timeline(p) if e.kind == "reminder"]
    assert sorted((e.title, e.detail) for e in entries) == [
        ("Reminder: Review overdue by more than 30 days (due 30 Jan 2026)", "Sent to 2 people"),
        ("Reminder: Review overdue since 30 Jan 2026", "Sent to 6 people"),
    ]
    client.force_login(world.people.officer_h)
    page = client.get(reverse("partnerships:detail", args=[p.pk])).content.decode()
    assert "Reminder: Review overdue since 30 Jan 2026" in page


def test_the_schedule_is_in_the_database_and_names_real_tasks(settings):
    daily = PeriodicTask.objects.select_related("crontab").get(name="Daily reminder scan")
    weekly = PeriodicTask.objects.select_related("crontab").get(name="Weekly reminder digest")
    assert (daily.crontab.hour, daily.crontab.minute, daily.crontab.day_of_week) == ("6", "0", "*")
    assert (weekly.crontab.hour, weekly.crontab.day_of_week) == ("7", "1")
    assert str(daily.crontab.timezone) == settings.TIME_ZONE
    assert daily.enabled and weekly.enabled
    assert {daily.task, weekly.task} <= set(celery_app.tasks)
    assert settings.CELERY_BEAT_SCHEDULER == "django_celery_beat.schedulers:DatabaseScheduler"


def test_the_scan_task_runs_eagerly_without_redis(world, capture):
    with capture(execute=True):
        summary = tasks.run_reminder_scan.delay(today=TODAY.isoformat()).get()
    assert summary["created"] == NEW_ROWS
    assert len(mail.outbox) == NEW_ROWS


def test_send_reminders_dry_run_lists_and_writes_nothing(world, capsys):
    call_command("send_reminders", "--dry-run", "--today", TODAY.isoformat())

    out = capsys.readouterr().out
    assert "would come back" not in out
    assert f"Dry run for 2026-03-02 (stalled after 180 days): {NEW_ROWS} reminder(s)" in out
    p = world.p["MOU in 90 days"]
    line = f"mou_expiring_90\t{p.title} (#{p.pk})\tcoord_a <coord_a@example.org> (coordinator)"
    assert f"{line}\t2026-05-31" in out
    assert "Amara.Champion" not in out and "amara.champion@example.org> (email only)" in out
    assert not Reminder.objects.exclude(status=S.SNOOZED).exists()
    assert mail.outbox == []


def test_send_reminders_runs_the_scan_once(world, capsys, capture):
    with capture(execute=True):
        call_command("send_reminders", "--today", TODAY.isoformat(), "--stalled-days", "179")
    out = capsys.readouterr().out
    assert f"2026-03-02: {NEW_ROWS + len(PEOPLE)} new reminder(s) recorded" in out
    assert "stalled: 12" in out
    assert len(mail.outbox) == NEW_ROWS + len(PEOPLE)


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--today", "2026-02-30"], "YYYY-MM-DD"), (["--stalled-days", "0"], "at least 1")],
)
def test_send_reminders_refuses_bad_arguments(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("send_reminders", *args)


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


# --- The admin -----------------------------------------------------------------------------


def test_the_admin_lists_reminders_preferences_and_feeds_without_per_row_queries(
    world, capture, admin_client
):
    from notifications import calendar

    def changelist_queries(model) -> int:
        address = reverse(f"admin:notifications_{model._meta.model_name}_changelist")
        with CaptureQueriesContext(connection) as ctx:
            response = admin_client.get(address, {"q": "a"})
        assert response.status_code == 200
        return len(ctx.captured_queries)

    people = world.people
    notify_services.notification_preference_set(user=people.officer_a, delivery="digest")
    calendar.calendar_feed_renew(user=people.officer_a)
    run_scan(capture)
    models = (Reminder, NotificationPreference, calendar.CalendarFeed)
    few = {m: changelist_queries(m) for m in models}
    for user in (people.officer_h, people.coord_h, people.coord_a, people.champ):
        notify_services.notification_preference_set(user=user, delivery="digest")
        calendar.calendar_feed_renew(user=user)
    run_scan(capture, today=day(40))  # many more reminders
    assert {m: changelist_queries(m) for m in models} == few

    for model in models:
        obj = model.objects.first()
        name = model._meta.model_name
        change = admin_client.get(reverse(f"admin:notifications_{name}_change", args=[obj.pk]))
        assert change.status_code == 200
        add = admin_client.get(reverse(f"admin:notifications_{name}_add"))
        assert add.status_code == (200 if model is NotificationPreference else 403)
    feed = calendar.CalendarFeed.objects.first()
    page = admin_client.get(reverse("admin:notifications_calendarfeed_change", args=[feed.pk]))
    assert feed.secret not in page.content.decode()


def test_tasks_queued_under_their_former_names_still_run(world, capture):
    """Before the notifications app the tasks were `partnerships.tasks.*`: a message queued by
    the old code before an upgrade is handed to the new task, and the reminder goes out once."""
    assert {
        "partnerships.tasks.run_reminder_scan",
        "partnerships.tasks.deliver_reminder",
        "partnerships.tasks.send_weekly_digests",
        "partnerships.tasks.send_digest",
    } <= set(celery_app.tasks)
    result = reminders.scan(today=TODAY)  # recorded, not handed to delivery
    assert result.queued
    mail.outbox.clear()
    with capture(execute=True):
        for pk in result.queued:
            celery_app.tasks["partnerships.tasks.deliver_reminder"].delay(pk)
    rows = Reminder.objects.filter(pk__in=result.queued).select_related("recipient")
    assert {r.status for r in rows} == {Reminder.Status.SENT}
    assert len(mail.outbox) == sum(1 for r in rows if r.address)
