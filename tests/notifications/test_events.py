"""Notifications of a partnership's events (notifications/events.py): who is told of each kind,
never the actor nor anyone who may not open the partnership; each person's choice per kind
(at once, daily digest, off); exactly-once delivery; the daily digest; following a
partnership; the preferences form's bad input.

The events are emitted here the way the partnerships' services emit them
(`partnerships.events.emit`, after commit), so the listener runs through the hook.
"""

from __future__ import annotations

import datetime as dt
from smtplib import SMTPException
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from core import hooks
from core.errors import DomainError
from notifications import delivery, events, follows, reminders, services, tasks
from notifications.models import Follow, NotificationPreference, Reminder
from partnerships.events import Event, Kind, emit
from partnerships.models import CityMembership, Partnership
from partnerships.selectors.visibility import partnerships_visible_to, users_who_may_see
from tests.factories.accounts import UserFactory
from tests.factories.partnerships import (
    CityMembershipFactory,
    PartnerFactory,
    PartnershipFactory,
    PartnershipMemberFactory,
)
from tests.notifications.test_reminders import FlakyBackend, _in_threads, postgres_only

pytestmark = pytest.mark.django_db

S = Reminder.Status
R = Reminder.Role


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def make_world() -> SimpleNamespace:
    """Partnership P of cities A (home) and B; C is an unrelated city. Each city has officers;
    B also has an inactive one; an admin follows P, and so does C's officer (a follow left
    from before: C's officer may not open P)."""
    a, b, c = PartnerFactory(name="Guangzhou"), PartnerFactory(name="Los Angeles"), PartnerFactory()
    w = SimpleNamespace(a=a, b=b, c=c)
    w.p = PartnershipFactory(title="Guangzhou – Los Angeles", home=a)
    PartnershipMemberFactory(partnership=w.p, partner=b)
    for name, city, role in [
        ("officer_a", a, "officer"),
        ("colleague_a", a, "officer"),
        ("coord_a", a, "coordinator"),
        ("officer_b", b, "officer"),
        ("coord_b", b, "coordinator"),
        ("officer_c", c, "officer"),
    ]:
        user = UserFactory(username=name, first_name=name.title(), last_name="")
        CityMembershipFactory(user=user, partner=city, role=role)
        setattr(w, name, user)
    w.gone_b = UserFactory(username="gone_b", is_active=False)
    CityMembershipFactory(user=w.gone_b, partner=b)
    w.admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    w.plain = UserFactory(username="plain")
    for follower in (w.admin, w.colleague_a):
        services.follow(follower, w.p)
    Follow.objects.create(user=w.officer_c, target=w.p)  # stale: may not see P
    return w


@pytest.fixture
def w():
    return make_world()


def told(kind: str) -> dict[str, str]:
    """{username: role} of the people told of events of this kind."""
    rows = Reminder.objects.filter(kind=kind).select_related("recipient")
    return {r.recipient.username: r.role for r in rows}


def send(capture, kind, w, actor, **kwargs) -> None:
    kwargs.setdefault("partnership_id", w.p.pk)
    kwargs.setdefault("object_id", 1001)
    with capture(execute=True):
        emit(Event(kind=kind, actor_id=actor.pk if actor else None, **kwargs))


def mail_to(user) -> list:
    return [m for m in mail.outbox if m.to == [user.email]]


# --- Who is told -----------------------------------------------------------------------------


def test_the_listener_is_registered_on_the_hook():
    assert events.on_event in hooks.providers("partnership.events")


def test_confirmation_awaited_tells_the_awaited_citys_officers_at_once(w, capture):
    send(
        capture,
        Kind.CONFIRMATION_AWAITED,
        w,
        w.officer_a,
        partner_ids=(w.b.pk,),
        data={"step": "Selection"},
    )

    assert told(Kind.CONFIRMATION_AWAITED) == {"officer_b": R.OFFICER, "coord_b": R.COORDINATOR}
    assert {r.status for r in Reminder.objects.all()} == {S.SENT}  # at once by default
    [message] = mail_to(w.officer_b)
    assert message.subject == (
        "[Twinning portal] Guangzhou – Los Angeles: Your city’s confirmation is awaited at "
        "“Selection”"
    )
    link = f"{django_settings.PORTAL_BASE_URL}{reverse('partnerships:detail', args=[w.p.pk])}"
    assert link in message.body and "Selection" in message.body
    assert len(mail.outbox) == 2


def test_confirmation_awaited_naming_no_city_tells_the_other_side(w, capture):
    send(capture, Kind.CONFIRMATION_AWAITED, w, w.officer_b)
    assert told(Kind.CONFIRMATION_AWAITED) == {
        "officer_a": R.OFFICER,
        "colleague_a": R.OFFICER,
        "coord_a": R.COORDINATOR,
    }


def test_an_event_about_no_partnership_but_an_invitation_tells_nobody(w, capture, caplog):
    send(capture, Kind.MENTIONED, w, w.officer_a, partnership_id=None, user_ids=(w.plain.pk,))
    assert not Reminder.objects.exists()
    assert "without a partnership" in caplog.text


def test_a_confirmation_tells_the_other_side_and_the_followers_never_the_actor(w, capture):
    services.follow(w.officer_b, w.p)
    send(capture, Kind.CONFIRMED, w, w.officer_b, partner_ids=(w.b.pk,), data={"step": "MOU"})

    # A's officers (the colleague is an officer before a follower), the admin who follows;
    # not the actor, not B's other officer (B's own side), not C's officer who follows.
    assert told(Kind.CONFIRMED) == {
        "officer_a": R.OFFICER,
        "colleague_a": R.OFFICER,
        "coord_a": R.COORDINATOR,
        "admin": R.FOLLOWER,
    }
    row = Reminder.objects.filter(kind=Kind.CONFIRMED).first()
    assert row.headline == "Los Angeles confirmed at “MOU”"
    assert {r.status for r in Reminder.objects.all()} == {S.DAILY}  # the digest by default
    assert mail.outbox == []


def test_an_advance_without_named_cities_tells_the_side_the_actor_is_not_on(w, capture):
    send(capture, Kind.ADVANCED, w, w.officer_a, data={"step": "Agreement"})

    assert told(Kind.ADVANCED) == {
        "officer_b": R.OFFICER,
        "coord_b": R.COORDINATOR,
        "colleague_a": R.FOLLOWER,
        "admin": R.FOLLOWER,
    }
    row = Reminder.objects.get(kind=Kind.ADVANCED, recipient=w.officer_b)
    assert row.headline == "Officer_A moved the partnership on to “Agreement”"


def test_a_real_advance_names_the_step_moved_to(capture):
    """The walk's own event (not one made up here) gives the headline its step: the bell said
    "… moved it on" without the step, found by the invitation journey's browser test."""
    from partnerships import services as walk
    from tests.factories.partnerships import CandidateFactory, walked_to

    home, other = PartnerFactory(name="Guangzhou"), PartnerFactory(name="Los Angeles")
    mover, told_one = UserFactory(first_name="Mei", last_name="Chen"), UserFactory()
    CityMembershipFactory(user=mover, partner=home)
    CityMembershipFactory(user=told_one, partner=other)
    p = walked_to(2, home=home, user=mover)
    PartnershipMemberFactory(partnership=p, partner=other)
    CandidateFactory(partnership=p)  # what the Search step's gate asks for
    with capture(execute=True):
        walk.partnership_advance(partnership=p, user=mover)
    row = Reminder.objects.get(kind=Kind.ADVANCED, recipient=told_one)
    assert row.headline == "Mei Chen moved the partnership on to “Approach and evaluation”"


def test_the_step_reaches_each_reader_in_their_language_whatever_the_actors(capture):
    """Found from outside: a French-speaking officer's advance reached the Swedish and the
    English officers with the step's French name; the event kept it in the actor's language."""
    from django.utils import translation

    from partnerships import services as walk
    from partnerships.models import Step
    from tests.factories.partnerships import CandidateFactory, walked_to

    home, other = PartnerFactory(name="Guangzhou"), PartnerFactory(name="Gävle")
    mover = UserFactory(first_name="Mei", last_name="Chen", language="fr")
    swedish, english = UserFactory(language="sv"), UserFactory(language="en")
    CityMembershipFactory(user=mover, partner=home)
    for reader in (swedish, english):
        CityMembershipFactory(user=reader, partner=other)
    p = walked_to(2, home=home, user=mover)
    PartnershipMemberFactory(partnership=p, partner=other)
    CandidateFactory(partnership=p)
    with translation.override("fr"), capture(execute=True):
        walk.partnership_advance(partnership=p, user=mover)
    for reader, language in ((swedish, "sv"), (english, "en")):
        row = Reminder.objects.get(kind=Kind.ADVANCED, recipient=reader)
        with translation.override(language):
            label, headline = str(Step.APPROACH.label), row.headline
        with translation.override("fr"):
            french = str(Step.APPROACH.label)
        assert label != french
        assert label in headline and french not in headline, (language, headline)


def test_an_event_naming_every_member_city_tells_the_side_the_actor_is_not_on(w, capture):
    send(capture, Kind.ADVANCED, w, w.officer_b, partner_ids=(w.a.pk, w.b.pk))
    assert set(told(Kind.ADVANCED)) == {"officer_a", "colleague_a", "coord_a", "admin"}


def test_an_admins_move_tells_every_member_city(w, capture):
    send(capture, Kind.RETURNED, w, w.admin, data={"step": "Search", "reason": "Wrong city"})

    assert set(told(Kind.RETURNED)) == {
        "officer_a",
        "colleague_a",
        "coord_a",
        "officer_b",
        "coord_b",
    }


def test_a_return_is_emailed_with_its_reason_to_who_wants_it_at_once(w, capture):
    services.notification_preference_set(
        user=w.officer_b, delivery="immediate", events={Kind.RETURNED: "immediate"}
    )
    data = {"step": "Search", "reason": "The council did not approve the candidate."}
    send(capture, Kind.RETURNED, w, w.officer_a, data=data)

    [message] = mail.outbox
    assert message.to == [w.officer_b.email]
    assert "returned the partnership to “Search”" in message.subject
    assert "The reason given: The council did not approve the candidate." in message.body
    html = message.alternatives[0][0]
    assert "The council did not approve the candidate." in html
    assert Reminder.objects.get(recipient=w.officer_b).status == S.SENT
    assert Reminder.objects.get(recipient=w.coord_b).status == S.DAILY


def test_a_dispute_tells_the_side_that_recorded_the_confirmation(w, capture):
    send(
        capture,
        Kind.OFFLINE_CONFIRMATION_DISPUTED,
        w,
        w.officer_b,
        partner_ids=(w.b.pk,),
        data={"reason": "Our mayor never signed this letter."},
    )

    assert set(told(Kind.OFFLINE_CONFIRMATION_DISPUTED)) == {
        "officer_a",
        "colleague_a",
        "coord_a",
        "admin",
    }
    row = Reminder.objects.get(recipient=w.officer_a)
    assert row.reason == "Our mayor never signed this letter."
    assert "for Los Angeles" in row.headline


def test_an_accepted_invitation_tells_its_sender_only(w, capture):
    invitee = UserFactory(username="newcomer")
    CityMembershipFactory(user=invitee, partner=w.b)
    send(capture, Kind.INVITATION_ACCEPTED, w, invitee, user_ids=(w.officer_a.pk,))

    assert told(Kind.INVITATION_ACCEPTED) == {"officer_a": R.CONCERNED}
    assert Reminder.objects.get().headline.endswith("accepted your invitation")
    # The one who accepted follows the partnership they joined.
    assert follows.is_following(invitee, w.p)


def test_an_accepted_invitation_to_a_city_tells_its_sender(w, capture, client):
    invitee = UserFactory(username="newcomer")
    send(
        capture,
        Kind.INVITATION_ACCEPTED,
        w,
        invitee,
        partnership_id=None,
        user_ids=(w.coord_a.pk,),
    )

    row = Reminder.objects.get()
    assert (row.recipient, row.partnership_id) == (w.coord_a, None)
    client.force_login(w.coord_a)
    page = client.get(reverse("notifications:list"))
    assert page.status_code == 200
    assert "accepted your invitation" in page.content.decode()


def test_a_mention_tells_only_those_who_may_see_the_partnership(w, capture):
    people = (w.officer_b, w.officer_c, w.plain, w.officer_a, w.gone_b)
    send(capture, Kind.MENTIONED, w, w.officer_a, user_ids=tuple(u.pk for u in people))

    assert told(Kind.MENTIONED) == {"officer_b": R.CONCERNED}
    assert [m.to for m in mail.outbox] == [[w.officer_b.email]]  # at once by default


def test_nobody_who_may_not_see_it_is_ever_told(w, capture):
    outsiders = {w.officer_c.pk, w.plain.pk, w.gone_b.pk}
    for i, kind in enumerate(Reminder.EVENT_KINDS):
        send(
            capture,
            kind,
            w,
            w.officer_a,
            object_id=2000 + i,
            partner_ids=(w.b.pk, w.c.pk),
            user_ids=tuple(outsiders),
        )
    assert Reminder.objects.exists()
    assert not Reminder.objects.filter(recipient_id__in=outsiders).exists()
    assert not Reminder.objects.filter(recipient=w.officer_a).exists()


def test_a_created_partnership_tells_nobody_and_its_creator_follows_it(w, capture):
    p = PartnershipFactory(home=w.a)
    send(capture, Kind.CREATED, w, w.officer_a, partnership_id=p.pk, object_id=p.pk)

    assert not Reminder.objects.exists()
    assert follows.is_following(w.officer_a, p)


def test_the_actor_of_an_event_follows_the_partnership(w, capture):
    assert not follows.is_following(w.officer_b, w.p)
    send(capture, Kind.CONFIRMED, w, w.officer_b, partner_ids=(w.b.pk,))
    assert follows.is_following(w.officer_b, w.p)


def test_an_unknown_kind_is_ignored_without_error(w):
    assert (
        events.record(Event(kind="exploded", partnership_id=w.p.pk, actor_id=None, object_id=1))
        == []
    )


def test_users_who_may_see_agrees_with_the_visibility_selector(w):
    everyone = [w.officer_a, w.coord_a, w.officer_b, w.officer_c, w.admin, w.plain, w.gone_b]
    may_see = set(users_who_may_see(w.p.pk, [u.pk for u in everyone]))
    expected = {
        u for u in everyone if u.is_active and partnerships_visible_to(u).filter(pk=w.p.pk).exists()
    }
    assert may_see == expected


# --- Preferences: at once, daily digest, off -------------------------------------------------


def test_an_event_kind_turned_off_stays_in_the_bell_without_email(w, capture, client):
    services.notification_preference_set(
        user=w.officer_b, delivery="immediate", events={Kind.CONFIRMATION_AWAITED: "off"}
    )
    send(capture, Kind.CONFIRMATION_AWAITED, w, w.officer_a, partner_ids=(w.b.pk,))

    assert Reminder.objects.get(recipient=w.officer_b).status == S.QUIET
    assert mail_to(w.officer_b) == []
    assert len(mail_to(w.coord_b)) == 1
    client.force_login(w.officer_b)
    page = client.get(reverse("notifications:list"))
    assert page.context["unread"].count == 1
    assert "Not emailed (your choice)" in page.content.decode()


def test_the_daily_digest_sends_each_person_one_email_once(w, capture):
    send(capture, Kind.ADVANCED, w, w.officer_a, object_id=1, data={"step": "Agreement"})
    send(capture, Kind.CONFIRMED, w, w.officer_a, object_id=2, partner_ids=(w.a.pk,))
    assert mail.outbox == []
    waiting = Reminder.objects.filter(status=S.DAILY)
    assert waiting.filter(recipient=w.officer_b).count() == 2

    with capture(execute=True):
        assert tasks.send_daily_digests.delay().get() == 4  # B's two, the two followers

    [digest] = mail_to(w.officer_b)
    assert digest.subject == "[Twinning portal] Your daily digest: 2 notifications"
    assert "moved the partnership on to “Agreement”" in digest.body
    assert "Guangzhou confirmed" in digest.body
    assert len(mail.outbox) == 4
    assert not Reminder.objects.exclude(status=S.SENT).exists()

    # Run again (a retried task, beat firing twice): nothing more.
    with capture(execute=True):
        assert tasks.send_daily_digests.delay().get() == 0
        assert tasks.send_daily_digest.delay(w.officer_b.pk).get() == 0
    assert len(mail.outbox) == 4


def test_someone_removed_from_the_city_is_no_longer_mailed_what_waited_for_them(w, capture):
    """Found from outside: an officer removed from their city still got the partnership's
    daily digest; an event still waiting for its worker would have gone out too."""
    services.notification_preference_set(
        user=w.coord_b, delivery="immediate", events={Kind.RETURNED: "immediate"}
    )
    send(capture, Kind.ADVANCED, w, w.officer_a, object_id=1, data={"step": "Agreement"})
    send(capture, Kind.RETURNED, w, w.officer_a, object_id=2, data={"step": "Search"})
    assert Reminder.objects.filter(recipient=w.officer_b, status=S.DAILY).exists()
    # As if the worker had not yet taken coord_b's mail when the removal came.
    waiting = Reminder.objects.get(recipient=w.coord_b, kind=Kind.RETURNED)
    Reminder.objects.filter(pk=waiting.pk).update(status=S.PENDING)
    mail.outbox.clear()

    CityMembership.objects.filter(user__in=[w.officer_b, w.coord_b]).delete()
    assert delivery.deliver(waiting.pk) is False
    with capture(execute=True):
        tasks.send_daily_digests.delay().get()
    assert mail_to(w.officer_b) == [] and mail_to(w.coord_b) == []
    assert not Reminder.objects.filter(recipient__in=[w.officer_b, w.coord_b]).exists()
    assert mail_to(w.admin)  # the others' digests went out


def test_the_weekly_reminder_digest_leaves_the_events_alone(w, capture):
    send(capture, Kind.ADVANCED, w, w.officer_a)
    assert delivery.digest_recipients() == []
    assert delivery.send_digest(w.officer_b.pk) == 0
    assert Reminder.objects.filter(recipient=w.officer_b, status=S.DAILY).count() == 1


def test_the_daily_digest_is_in_the_beat_schedule():
    task = PeriodicTask.objects.get(name="Daily digest of events")
    assert task.task == "notifications.tasks.send_daily_digests" and task.enabled
    assert (task.crontab.hour, task.crontab.minute, task.crontab.day_of_week) == ("17", "0", "*")


def test_switching_a_kind_to_at_once_sends_what_waited_for_the_digest(w, capture):
    send(capture, Kind.ADVANCED, w, w.officer_a)
    with capture(execute=True):
        services.notification_preference_set(
            user=w.officer_b, delivery="immediate", events={Kind.ADVANCED: "immediate"}
        )
    assert Reminder.objects.get(recipient=w.officer_b).status == S.SENT
    assert len(mail_to(w.officer_b)) == 1
    services.notification_preference_set(
        user=w.coord_b, delivery="digest", events={Kind.ADVANCED: "off"}
    )
    assert Reminder.objects.get(recipient=w.coord_b).status == S.QUIET


def test_switching_reminders_to_the_weekly_digest_keeps_events_pending(w):
    row = Reminder.objects.create(
        kind=Kind.MENTIONED,
        partnership=w.p,
        object_id=5,
        occurrence="2026-12-01",
        recipient=w.officer_b,
        role=R.CONCERNED,
        status=S.PENDING,
    )
    services.notification_preference_set(user=w.officer_b, delivery="digest")
    row.refresh_from_db()
    assert row.status == S.PENDING


# --- Exactly once ----------------------------------------------------------------------------


def test_an_event_told_twice_records_and_sends_nothing_new(w, capture):
    event = Event(
        kind=Kind.CONFIRMATION_AWAITED,
        partnership_id=w.p.pk,
        actor_id=w.officer_a.pk,
        object_id=77,
        partner_ids=(w.b.pk,),
    )
    with capture(execute=True):
        first = events.record(event)
    with capture(execute=True):
        again = events.record(event)
    assert len(first) == 2 and again == []
    assert Reminder.objects.count() == 2
    assert len(mail.outbox) == 2


def test_a_delivery_retried_after_sending_sends_nothing(w, capture):
    send(capture, Kind.MENTIONED, w, w.officer_a, user_ids=(w.officer_b.pk,))
    row = Reminder.objects.get()
    assert row.status == S.SENT
    with capture(execute=True):
        assert tasks.deliver_reminder.delay(row.pk).get() is False
    assert delivery.deliver(row.pk) is False
    assert len(mail.outbox) == 1


def test_a_passing_mail_failure_is_retried_and_the_event_sent_once(w, capture, settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_reminders.FlakyBackend"
    FlakyBackend.failures_left = 2
    send(capture, Kind.MENTIONED, w, w.officer_a, user_ids=(w.officer_b.pk,))

    row = Reminder.objects.get()
    assert (row.status, row.attempts) == (S.SENT, 3)
    assert len(mail.outbox) == 1


def test_a_mail_server_that_keeps_refusing_leaves_the_event_failed_not_lost(w, capture, settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_reminders.FailingBackend"
    send(capture, Kind.MENTIONED, w, w.officer_a, user_ids=(w.officer_b.pk,))
    row = Reminder.objects.get()
    assert row.status == S.FAILED and "SMTPException" in row.last_error
    assert row.read_at is None  # still in the bell
    assert issubclass(SMTPException, tasks.RETRYABLE)


def test_an_event_lost_on_its_way_to_a_worker_is_sent_by_the_next_scan(w, capture):
    """The delivery task never ran (a broker restart): the row waits, pending, and the daily
    scan hands it to delivery again, once."""
    event = Event(
        kind=Kind.MENTIONED,
        partnership_id=w.p.pk,
        actor_id=w.officer_a.pk,
        object_id=12,
        user_ids=(w.officer_b.pk,),
    )
    with capture(execute=False):
        [pk] = events.record(event)
    Reminder.objects.filter(pk=pk).update(created_at=timezone.now() - dt.timedelta(hours=2))
    assert mail.outbox == []

    with capture(execute=True):
        result = reminders.scan(deliver=tasks.enqueue_delivery)
    assert pk in result.requeued
    assert Reminder.objects.get(pk=pk).status == S.SENT
    assert len(mail_to(w.officer_b)) == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_delivering_one_event_send_one_email():
    w = make_world()
    events.record(
        Event(
            kind=Kind.MENTIONED,
            partnership_id=w.p.pk,
            actor_id=w.officer_a.pk,
            object_id=9,
            user_ids=(w.officer_b.pk,),
        )
    )
    row = Reminder.objects.get()
    Reminder.objects.filter(pk=row.pk).update(status=S.PENDING)  # as if not yet delivered
    mail.outbox.clear()

    sent = _in_threads(4, lambda: delivery.deliver(row.pk))

    assert sorted(sent) == [False, False, False, True]
    assert len(mail.outbox) == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_one_event_told_by_two_listeners_at_once_is_recorded_once():
    w = make_world()
    event = Event(
        kind=Kind.CONFIRMATION_AWAITED,
        partnership_id=w.p.pk,
        actor_id=w.officer_a.pk,
        object_id=10,
        partner_ids=(w.b.pk,),
    )
    _in_threads(2, lambda: events.record(event))
    assert told(Kind.CONFIRMATION_AWAITED) == {"officer_b": R.OFFICER, "coord_b": R.COORDINATOR}
    assert len(mail.outbox) == 2


# --- The inbox -------------------------------------------------------------------------------


def test_an_event_shows_in_the_inbox_with_its_reason_and_cannot_be_snoozed(w, capture, client):
    data = {"step": "Search", "reason": "Council said <no>"}
    send(capture, Kind.RETURNED, w, w.officer_a, data=data)
    row = Reminder.objects.get(recipient=w.officer_b)
    client.force_login(w.officer_b)
    html = client.get(reverse("notifications:list")).content.decode()
    assert "returned the partnership to “Search”" in html
    assert "Council said &lt;no&gt;" in html
    assert reverse("notifications:snooze", args=[row.pk]) not in html
    assert client.get(reverse("notifications:snooze", args=[row.pk])).status_code == 404
    with pytest.raises(DomainError):
        services.reminder_snooze(reminder=row, user=w.officer_b, until=None, reason="x")


def test_events_stay_off_the_partnerships_reminder_timeline(w, capture):
    from notifications import timeline

    send(capture, Kind.MENTIONED, w, w.officer_a, user_ids=(w.officer_b.pk,))
    assert Reminder.objects.get().status == S.SENT
    assert list(timeline.rows(w.p)) == []


# --- The preferences page --------------------------------------------------------------------


def test_the_preferences_page_shows_the_defaults_and_saves_a_choice_per_kind(w, client):
    client.force_login(w.officer_b)
    page = client.get(reverse("notifications:preferences"))
    form = page.context["form"]
    assert form["event_confirmation_awaited"].value() == "immediate"
    assert form["event_mentioned"].value() == "immediate"
    assert form["event_advanced"].value() == "daily"

    response = client.post(
        reverse("notifications:preferences"),
        {"delivery": "digest", "event_mentioned": "off", "event_advanced": "immediate"},
    )
    assert response.status_code == 302
    pref = NotificationPreference.objects.get(user=w.officer_b)
    assert pref.delivery == "digest"
    assert pref.event_choice(Kind.MENTIONED) == "off"
    assert pref.event_choice(Kind.ADVANCED) == "immediate"
    assert pref.event_choice(Kind.CONFIRMATION_AWAITED) == "immediate"  # left as it was


@pytest.mark.parametrize(
    "data",
    [
        {"delivery": "immediate", "event_mentioned": "hourly"},
        {"delivery": "immediate", "event_returned": "<script>"},
        {"delivery": "weekly", "event_mentioned": "off"},
        {"event_mentioned": "off"},
    ],
)
def test_the_preferences_form_refuses_bad_input_and_saves_nothing(w, client, data):
    client.force_login(w.officer_b)
    response = client.post(reverse("notifications:preferences"), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "Select a valid choice" in response.content.decode() or "required" in str(
        response.context["form"].errors
    )
    assert not NotificationPreference.objects.filter(user=w.officer_b).exists()


def test_the_preference_service_refuses_an_unknown_kind_or_choice(w):
    from django.core.exceptions import ValidationError

    for events_chosen in ({"exploded": "off"}, {Kind.MENTIONED: "hourly"}, {Kind.CREATED: "off"}):
        with pytest.raises(ValidationError):
            services.notification_preference_set(
                user=w.officer_b, delivery="immediate", events=events_chosen
            )
    assert not NotificationPreference.objects.filter(user=w.officer_b).exists()


# --- Following --------------------------------------------------------------------------------


def test_follow_and_unfollow_from_the_partnership_page(w, client):
    client.force_login(w.officer_b)
    detail = client.get(reverse("partnerships:detail", args=[w.p.pk])).content.decode()
    address = reverse("notifications:follow", args=[w.p.pk])
    assert address in detail

    assert client.get(address).status_code == 200
    response = client.post(address, {"follow": "yes"})
    assert response.status_code == 302
    assert follows.is_following(w.officer_b, w.p)
    client.post(address, {"follow": "yes"})  # twice is once
    assert follows.follows_of(Partnership, w.p.pk).filter(user=w.officer_b).count() == 1
    assert "Following" in client.get(reverse("partnerships:detail", args=[w.p.pk])).content.decode()

    client.post(address, {"follow": "no"})
    assert not follows.is_following(w.officer_b, w.p)


@pytest.mark.parametrize("data", [{}, {"follow": "maybe"}])
def test_the_follow_form_refuses_bad_input(w, client, data):
    client.force_login(w.officer_b)
    response = client.post(reverse("notifications:follow", args=[w.p.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not follows.is_following(w.officer_b, w.p)


def test_who_may_not_see_a_partnership_cannot_follow_it(w, client):
    client.force_login(w.officer_c)
    address = reverse("notifications:follow", args=[w.p.pk])
    assert client.get(address).status_code == 404
    assert client.post(address, {"follow": "yes"}).status_code == 404
    with pytest.raises(DomainError):
        services.follow(w.plain, w.p)


def test_unfollowed_people_are_no_longer_told(w, capture):
    assert services.unfollow(w.admin, w.p) is True
    assert services.unfollow(w.admin, w.p) is False
    send(capture, Kind.ADVANCED, w, w.officer_a)
    assert "admin" not in told(Kind.ADVANCED)


def test_a_follower_who_loses_access_is_not_told(w, capture):
    CityMembership.objects.filter(user=w.colleague_a).delete()
    send(capture, Kind.ADVANCED, w, w.officer_b)
    assert "colleague_a" not in told(Kind.ADVANCED)
