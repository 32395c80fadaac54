"""Celery tasks of the notifications app. Thin: ids as arguments, the work in `reminders` (the
scan) and `delivery`; retries belong here. `enqueue_delivery` hands reminders to the workers.

The schedule — the daily scan at 06:00, the weekly digest on Monday at 07:00 and the events'
daily digest at 17:00, all in TIME_ZONE — is in the database (django-celery-beat), created by
data migrations and editable in the admin. With no REDIS_URL, Celery is eager and the same
code runs in-process.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
from collections.abc import Callable, Iterable
from smtplib import SMTPException

from celery import shared_task
from django.db import OperationalError

from notifications import delivery, reminders

logger = logging.getLogger(__name__)

# Worth trying again later: the mail server (or the database) refused or was out of reach.
RETRYABLE = (SMTPException, OSError, OperationalError)
RETRY = {
    "autoretry_for": RETRYABLE,
    "retry_backoff": 60,  # about 1, 2, 4, 8 and 10 minutes (jittered)
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}


def enqueue_delivery(reminder_ids: Iterable[int]) -> None:
    """A delivery task per reminder (run at once when Celery is eager, i.e. with no Redis)."""
    for pk in reminder_ids:
        deliver_reminder.delay(pk)


@shared_task(
    name="notifications.tasks.run_reminder_scan",
    # Two scans at once may deadlock on the same new rows (PostgreSQL aborts one): again.
    autoretry_for=(OperationalError,),
    retry_backoff=30,
    max_retries=3,
)
def run_reminder_scan(today: str | None = None, stalled_days: int | None = None) -> dict:
    """The daily scan (see `notifications.reminders`). `today` as YYYY-MM-DD, for reruns."""
    result = reminders.scan(
        today=dt.date.fromisoformat(today) if today else None,
        stalled_days=stalled_days,
        deliver=enqueue_delivery,
    )
    return {
        "today": result.today.isoformat(),
        "created": result.created,
        "woken": result.woken,
        "queued": len(result.queued),
        "requeued": len(result.requeued),
    }


def _with_retries(task, attempt: Callable[[], object], give_up: Callable[[BaseException], None]):
    """Run `attempt`. A passing failure (RETRYABLE) is retried by Celery with backoff
    (`autoretry_for`); after the last retry, or on any other error (a retry would not help),
    `give_up` records it as failed. Eager Celery (no Redis) re-raises a retry instead of
    running it, so there the retries happen at once, in place."""
    for tried in itertools.count(1):
        try:
            return attempt()
        except RETRYABLE as exc:
            if task.request.is_eager and tried <= task.max_retries:
                continue
            if task.request.is_eager or task.request.retries >= task.max_retries:
                give_up(exc)
                return None
            raise  # retried with backoff
        except Exception as exc:
            logger.exception("%s failed for good", task.name)
            give_up(exc)
            return None
    return None  # pragma: no cover


@shared_task(bind=True, name="notifications.tasks.deliver_reminder", **RETRY)
def deliver_reminder(self, reminder_id: int) -> bool:
    """Email one reminder, once (the claim in `delivery.deliver`); failed for good after the
    last retry."""
    sent = _with_retries(
        self,
        lambda: delivery.deliver(reminder_id),
        lambda exc: delivery.mark_failed(reminder_id, exc),
    )
    return bool(sent)


@shared_task(name="notifications.tasks.send_weekly_digests")
def send_weekly_digests() -> int:
    """A digest task for each person with reminders waiting for their weekly digest."""
    users = delivery.digest_recipients()
    for user_id in users:
        send_digest.delay(user_id)
    return len(users)


@shared_task(bind=True, name="notifications.tasks.send_digest", **RETRY)
def send_digest(self, user_id: int) -> int:
    """One email listing what waited for this person's weekly digest."""
    n = _with_retries(
        self,
        lambda: delivery.send_digest(user_id),
        lambda exc: delivery.mark_digest_failed(user_id, exc),
    )
    return n or 0


@shared_task(name="notifications.tasks.send_daily_digests")
def send_daily_digests() -> int:
    """A digest task for each person with event notifications waiting for their daily digest."""
    users = delivery.digest_recipients(delivery.Status.DAILY)
    for user_id in users:
        send_daily_digest.delay(user_id)
    return len(users)


@shared_task(bind=True, name="notifications.tasks.send_daily_digest", **RETRY)
def send_daily_digest(self, user_id: int) -> int:
    """One email listing the events that waited for this person's daily digest."""
    n = _with_retries(
        self,
        lambda: delivery.send_daily_digest(user_id),
        lambda exc: delivery.mark_digest_failed(user_id, exc, delivery.Status.DAILY),
    )
    return n or 0


# --- Former names ---------------------------------------------------------------------------
# These tasks were `partnerships.tasks.*` before the notifications app (December 2026). A
# message queued under an old name by the code before an upgrade still runs: each hands its
# work to the task's new name. Remove them in the release after.


@shared_task(name="partnerships.tasks.run_reminder_scan")
def former_run_reminder_scan(today: str | None = None, stalled_days: int | None = None) -> None:
    run_reminder_scan.delay(today, stalled_days)


@shared_task(name="partnerships.tasks.deliver_reminder")
def former_deliver_reminder(reminder_id: int) -> None:
    deliver_reminder.delay(reminder_id)


@shared_task(name="partnerships.tasks.send_weekly_digests")
def former_send_weekly_digests() -> None:
    send_weekly_digests.delay()


@shared_task(name="partnerships.tasks.send_digest")
def former_send_digest(user_id: int) -> None:
    send_digest.delay(user_id)
