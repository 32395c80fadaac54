"""Delivery of reminders by e-mail, exactly once in effect.

In the portal a reminder is there as soon as the scan records it: the `Reminder` row is the
person's notification, unread until they read it. By email it goes out once:

* `deliver(reminder_id)` first *claims* the row — one conditional UPDATE from `pending` to
  `sending` — and only the caller whose UPDATE changed the row sends. Two workers, a task
  retried, a task delivered twice by the broker: one email. A claim left behind by a worker
  that died is taken over after `SENDING_TIMEOUT`.
* A failed send puts the row back to `pending` with the error and re-raises, so the task
  retries it with backoff (`notifications.tasks`); the last failure marks it `failed`, where it
  stays, visible in the admin and to the partnership's officers, until someone retries it.
* People who chose the weekly digest get their rows (`digest`) in one email a week
  (`send_digest`), claimed the same way; the events they take by the daily digest (`daily`,
  see `notifications.events`) come the same way, once a day (`send_daily_digest`).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from django.db.models import F, Q
from django.utils import timezone

from core import page_cache
from notifications.emails import daily_digest_email, digest_email, reminder_email
from notifications.models import Reminder
from partnerships.events import CHAMBER_KINDS
from partnerships.page_scopes import partnership_scopes
from partnerships.selectors.visibility import users_who_may_see

logger = logging.getLogger(__name__)


Status = Reminder.Status


SENDING_TIMEOUT = dt.timedelta(minutes=15)


MAX_ERROR = 2000


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:MAX_ERROR]


def claim(reminder_id: int) -> Reminder | None:
    """Take the row for sending; None when it is not (or no longer) waiting to be sent."""
    now = timezone.now()
    claimed = (
        Reminder.objects.filter(pk=reminder_id)
        .filter(
            Q(status=Status.PENDING)
            | Q(status=Status.SENDING, claimed_at__lt=now - SENDING_TIMEOUT)
        )
        .update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    return Reminder.objects.select_related("partnership", "recipient").get(pk=reminder_id)


# The roles a person holds by being able to open the partnership: a champion is reminded as
# its champion, a person concerned as the one an event names, whatever their access.
BY_ACCESS = (Reminder.Role.OFFICER, Reminder.Role.COORDINATOR, Reminder.Role.FOLLOWER)


def _unreadable(reminders: list[Reminder]) -> list[Reminder]:
    """Those sent to someone as an officer, coordinator or follower of a partnership they may
    no longer open (removed from its city, deactivated) since they were recorded: not mailed,
    and dropped, since no one is left to read them. Chamber events are vouched for by their app
    (they name what staff may see)."""
    by_partnership: dict[int, list[Reminder]] = {}
    for r in reminders:
        if (
            r.partnership_id
            and r.recipient_id
            and r.role in BY_ACCESS
            and r.kind not in CHAMBER_KINDS
        ):
            by_partnership.setdefault(r.partnership_id, []).append(r)
    gone = []
    for partnership_id, rows in by_partnership.items():
        readers = set(
            users_who_may_see(partnership_id, {r.recipient_id for r in rows}).values_list(
                "pk", flat=True
            )
        )
        gone += [r for r in rows if r.recipient_id not in readers]
    if gone:
        Reminder.objects.filter(pk__in=[r.pk for r in gone]).delete()
        logger.info("Dropped %s reminder(s) their person may no longer read", len(gone))
    return gone


def deliver(reminder_id: int) -> bool:
    """Send one reminder if this call claims it. A failure puts it back to `pending` with the
    error and re-raises (the task retries); True when this call sent it."""
    reminder = claim(reminder_id)
    if reminder is None or _unreadable([reminder]):
        return False
    try:
        if reminder.address:  # no address: in the portal only (an account without email)
            reminder_email(reminder).send(fail_silently=False)
    except Exception as exc:
        Reminder.objects.filter(pk=reminder_id, status=Status.SENDING).update(
            status=Status.PENDING, last_error=_error_text(exc)
        )
        raise
    Reminder.objects.filter(pk=reminder_id, status=Status.SENDING).update(
        status=Status.SENT, sent_at=timezone.now(), last_error=""
    )
    # .update() sends no signal; a partnership's timeline lists sent ones.
    page_cache.bump(
        *partnership_scopes(reminder.partnership_id), page_cache.user_scope(reminder.recipient_id)
    )
    return True


def mark_failed(reminder_id: int, exc: BaseException) -> None:
    """The last attempt failed: visible as failed until someone retries it."""
    Reminder.objects.filter(pk=reminder_id, status__in=[Status.PENDING, Status.SENDING]).update(
        status=Status.FAILED, last_error=_error_text(exc)
    )
    page_cache.bump()
    logger.error("Reminder %s could not be sent: %s", reminder_id, _error_text(exc))


def send_digest(user_id: int, waiting: str = Status.DIGEST) -> int:
    """One email listing every reminder waiting for this person's digest (`waiting`: the
    weekly `digest`, or the events' `daily`); how many it held."""
    batch = uuid.uuid4()
    now = timezone.now()
    claimed = Reminder.objects.filter(recipient_id=user_id, status=waiting).update(
        status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1, batch=batch
    )
    if not claimed:
        return 0
    mine = Reminder.objects.filter(batch=batch, status=Status.SENDING)
    reminders = list(
        mine.select_related("partnership", "recipient").order_by(
            "partnership__title", "occurrence", "pk"
        )
    )
    dropped = {r.pk for r in _unreadable(reminders)}
    reminders = [r for r in reminders if r.pk not in dropped]
    if not reminders:
        return 0
    user = reminders[0].recipient
    email = daily_digest_email if waiting == Status.DAILY else digest_email
    try:
        if user.email:
            email(user, reminders).send(fail_silently=False)
    except Exception as exc:
        mine.update(status=waiting, last_error=_error_text(exc))
        raise
    mine.update(status=Status.SENT, sent_at=timezone.now(), last_error="")
    page_cache.bump(
        page_cache.user_scope(user_id), *partnership_scopes(*{r.partnership_id for r in reminders})
    )
    return len(reminders)


def send_daily_digest(user_id: int) -> int:
    return send_digest(user_id, Status.DAILY)


def mark_digest_failed(user_id: int, exc: BaseException, waiting: str = Status.DIGEST) -> None:
    Reminder.objects.filter(recipient_id=user_id, status=waiting, attempts__gt=0).update(
        status=Status.FAILED, last_error=_error_text(exc)
    )
    page_cache.bump()
    logger.error("The digest of user %s could not be sent: %s", user_id, _error_text(exc))


def digest_recipients(waiting: str = Status.DIGEST) -> list[int]:
    return list(
        Reminder.objects.filter(status=waiting, recipient__isnull=False)
        .order_by()
        .values_list("recipient_id", flat=True)
        .distinct()
    )
