"""Delivery of reminders, and what a person does with their notifications.

In the portal a reminder is there as soon as the scan records it: the `Reminder` row is the
person's notification, unread until they read it. By email it goes out once:

* `deliver(reminder_id)` first *claims* the row — one conditional UPDATE from `pending` to
  `sending` — and only the caller whose UPDATE changed the row sends. Two workers, a task
  retried, a task delivered twice by the broker: one email. A claim left behind by a worker
  that died is taken over after `SENDING_TIMEOUT`.
* A failed send puts the row back to `pending` with the error and re-raises, so the task
  retries it with backoff (`partnerships.tasks`); the last failure marks it `failed`, where it
  stays, visible in the admin and to the partnership's officers, until someone retries it.
* People who chose the weekly digest get their rows (`digest`) in one email a week
  (`send_digest`), claimed the same way.

The writes people make (read, snooze, preferences) are here too, as services: keyword-only,
atomic, checking that the reminder is the person's own.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from config import page_cache
from partnerships.models import NotificationPreference, Reminder, Step
from partnerships.reminders import TOPICS
from partnerships.services import DomainError

logger = logging.getLogger(__name__)

Status = Reminder.Status
Kind = Reminder.Kind

SENDING_TIMEOUT = dt.timedelta(minutes=15)
SUBJECT_PREFIX = "[Twinning portal] "
MAX_ERROR = 2000

# Where on the partnership's page the work is done, and what to do about it.
STEP_OF = {
    **dict.fromkeys(Reminder.REVIEW_KINDS, Step.MEASUREMENT),
    **dict.fromkeys(Reminder.MOU_KINDS, Step.AGREEMENT),
    Kind.ACTION_OVERDUE: Step.PLANNING,
}
ADVICE = {
    Kind.REVIEW_DUE: "Plan the review with the other side and record it in the portal.",
    Kind.REVIEW_OVERDUE: "The review is late: hold it with the other side and record it, or "
    "set a new review date.",
    Kind.REVIEW_ESCALATION: "The review is more than 30 days late. As a coordinator, please "
    "see that it is held, or decide with the other side whether to pause or end the "
    "partnership.",
    Kind.MOU_EXPIRING_90: "Decide with the other side whether to renew the MOU, and start the "
    "renewal in time.",
    Kind.MOU_EXPIRING_30: "The MOU expires within a month: renew it, or record the decision "
    "to let it end.",
    Kind.MOU_EXPIRING_7: "The MOU expires within a week: renew it, or record the decision to "
    "let it end.",
    Kind.MOU_EXPIRED: "The MOU has expired: renew it, or record that the partnership ends.",
    Kind.STALLED: "The partnership has not moved on for a long time: see what its step still "
    "needs, or record why it waits.",
    Kind.ACTION_OVERDUE: "Mark the action done, or agree a new date with its owner.",
}


def portal_url(path: str) -> str:
    return f"{settings.PORTAL_BASE_URL}{path}"


def partnership_path(reminder: Reminder, partnership_id: int | None = None) -> str:
    path = reverse("partnerships:detail", args=[partnership_id or reminder.partnership_id])
    step = STEP_OF.get(reminder.kind)
    return f"{path}?step={int(step)}#step-{int(step)}" if step else path


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:MAX_ERROR]


# --- Emails --------------------------------------------------------------------------------


def _email(subject: str, template: str, context: dict, to: str) -> EmailMultiAlternatives:
    context = {
        **context,
        "portal_url": settings.PORTAL_BASE_URL,
        "notifications_url": portal_url(reverse("partnerships:notifications")),
        "preferences_url": portal_url(reverse("partnerships:notification_preferences")),
    }
    message = EmailMultiAlternatives(
        subject=SUBJECT_PREFIX + _one_line(subject),
        body=render_to_string(f"email/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    message.attach_alternative(render_to_string(f"email/{template}.html", context), "text/html")
    return message


def _item(reminder: Reminder) -> dict:
    return {
        "reminder": reminder,
        "headline": reminder.headline,
        "advice": ADVICE.get(reminder.kind, ""),
        "partnership": reminder.partnership,
        "url": portal_url(partnership_path(reminder)),
    }


def reminder_email(reminder: Reminder) -> EmailMultiAlternatives:
    """One reminder: what is due, what to do, and a link to the place in the portal."""
    item = _item(reminder)
    name = ""
    if reminder.recipient_id is not None:
        name = reminder.recipient.get_full_name() or reminder.recipient.username
    return _email(
        f"{reminder.partnership.title}: {item['headline']}",
        "reminder",
        {**item, "name": name, "has_account": reminder.recipient_id is not None},
        reminder.address,
    )


def digest_email(user, reminders: list[Reminder]) -> EmailMultiAlternatives:
    n = len(reminders)
    return _email(
        f"Your weekly digest: {n} reminder{'s' if n != 1 else ''}",
        "digest",
        {
            "name": user.get_full_name() or user.username,
            "items": [_item(r) for r in reminders],
            "has_account": True,
        },
        user.email,
    )


# --- Delivery ------------------------------------------------------------------------------


def enqueue_delivery(reminder_ids: Iterable[int]) -> None:
    """A delivery task per reminder (run at once when Celery is eager, i.e. with no Redis)."""
    from partnerships import tasks

    for pk in reminder_ids:
        tasks.deliver_reminder.delay(pk)


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


def deliver(reminder_id: int) -> bool:
    """Send one reminder if this call claims it. A failure puts it back to `pending` with the
    error and re-raises (the task retries); True when this call sent it."""
    reminder = claim(reminder_id)
    if reminder is None:
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
    page_cache.bump()  # .update() sends no signal; a partnership's timeline lists sent ones
    return True


def mark_failed(reminder_id: int, exc: BaseException) -> None:
    """The last attempt failed: visible as failed until someone retries it."""
    Reminder.objects.filter(pk=reminder_id, status__in=[Status.PENDING, Status.SENDING]).update(
        status=Status.FAILED, last_error=_error_text(exc)
    )
    page_cache.bump()
    logger.error("Reminder %s could not be sent: %s", reminder_id, _error_text(exc))


def send_digest(user_id: int) -> int:
    """One email listing every reminder waiting for this person's digest; how many it held."""
    batch = uuid.uuid4()
    now = timezone.now()
    claimed = Reminder.objects.filter(recipient_id=user_id, status=Status.DIGEST).update(
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
    user = reminders[0].recipient
    try:
        if user.email:
            digest_email(user, reminders).send(fail_silently=False)
    except Exception as exc:
        mine.update(status=Status.DIGEST, last_error=_error_text(exc))
        raise
    mine.update(status=Status.SENT, sent_at=timezone.now(), last_error="")
    page_cache.bump()
    return len(reminders)


def mark_digest_failed(user_id: int, exc: BaseException) -> None:
    Reminder.objects.filter(recipient_id=user_id, status=Status.DIGEST, attempts__gt=0).update(
        status=Status.FAILED, last_error=_error_text(exc)
    )
    page_cache.bump()
    logger.error("The digest of user %s could not be sent: %s", user_id, _error_text(exc))


def digest_recipients() -> list[int]:
    return list(
        Reminder.objects.filter(status=Status.DIGEST, recipient__isnull=False)
        .order_by()
        .values_list("recipient_id", flat=True)
        .distinct()
    )


@transaction.atomic
def retry_failed(reminders: QuerySet[Reminder]) -> int:
    """Failed reminders go back to be sent (the admin's "retry" action)."""
    ids = list(reminders.filter(status=Status.FAILED).values_list("pk", flat=True))
    Reminder.objects.filter(pk__in=ids, status=Status.FAILED).update(
        status=Status.PENDING, attempts=0, claimed_at=None
    )
    page_cache.bump()
    transaction.on_commit(lambda: enqueue_delivery(ids), robust=True)
    return len(ids)


# --- What people do with their notifications -------------------------------------------------


def inbox(user) -> QuerySet[Reminder]:
    """The person's own notifications, newest first, with the partnership's title."""
    return (
        Reminder.objects.filter(recipient=user)
        .select_related("partnership")
        .order_by("-created_at", "-id")
    )


def unread(user) -> QuerySet[Reminder]:
    return Reminder.objects.filter(recipient=user, read_at__isnull=True).exclude(
        status=Status.SNOOZED
    )


@transaction.atomic
def notification_mark_read(*, reminder: Reminder, user) -> bool:
    if reminder.recipient_id != user.pk:
        raise DomainError("This is not one of your notifications.")
    page_cache.bump()  # the bell's count on every cached page
    return bool(
        Reminder.objects.filter(pk=reminder.pk, read_at__isnull=True).update(read_at=timezone.now())
    )


@transaction.atomic
def notifications_mark_all_read(*, user) -> int:
    page_cache.bump()
    return Reminder.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def reminder_snooze(*, reminder: Reminder, user, until: dt.date, reason: str) -> Reminder:
    """Quiet this reminder, and the others about the same subject (unsent ones, and new ones
    the scan would record), until `until`. If it still applies then, it reminds again (see
    `reminders.waking`)."""
    if reminder.recipient_id != user.pk:
        raise DomainError("This is not one of your notifications.")
    errors = {}
    if until <= timezone.localdate():
        errors["until"] = "Choose a date after today."
    if not reason.strip():
        errors["reason"] = "Say why, so that you (and others) know later."
    if errors:
        raise ValidationError(errors)
    snooze = {
        "status": Status.SNOOZED,
        "snoozed_until": until,
        "snooze_reason": reason.strip(),
        "read_at": Coalesce(F("read_at"), Value(timezone.now())),
    }
    changed = (
        Reminder.objects.filter(pk=reminder.pk).exclude(status=Status.SENDING).update(**snooze)
    )
    if not changed:
        raise DomainError("This reminder is being sent right now: try again in a minute.")
    # Others about the same subject that have not gone out yet wait as well.
    Reminder.objects.filter(
        recipient=user,
        partnership_id=reminder.partnership_id,
        object_id=reminder.object_id,
        kind__in=TOPICS[reminder.kind],
        status__in=[Status.PENDING, Status.DIGEST],
    ).update(**snooze)
    page_cache.bump()
    reminder.refresh_from_db()
    return reminder


def preference_of(user) -> str:
    pref = NotificationPreference.objects.filter(user=user).values_list("delivery", flat=True)
    return pref.first() or NotificationPreference.Delivery.IMMEDIATE


@transaction.atomic
def notification_preference_set(*, user, delivery: str) -> NotificationPreference:
    """Immediate emails or a weekly digest. What waits moves with the choice: a switch to
    immediate sends what waited for the digest; a switch to the digest keeps unsent ones."""
    pref, _ = NotificationPreference.objects.select_for_update().get_or_create(user=user)
    pref.delivery = delivery
    pref.full_clean()
    pref.save()
    if delivery == NotificationPreference.Delivery.IMMEDIATE:
        ids = list(
            Reminder.objects.filter(recipient=user, status=Status.DIGEST).values_list(
                "pk", flat=True
            )
        )
        Reminder.objects.filter(pk__in=ids, status=Status.DIGEST).update(status=Status.PENDING)
        transaction.on_commit(lambda: enqueue_delivery(ids), robust=True)
    else:
        Reminder.objects.filter(recipient=user, status=Status.PENDING).update(status=Status.DIGEST)
    page_cache.bump()
    return pref


def failed_in_partnerships(partnerships: QuerySet, limit: int = 20) -> list[Reminder]:
    """Reminders of these partnerships that could not be sent, newest first (for officers)."""
    return list(
        Reminder.objects.filter(status=Status.FAILED, partnership__in=partnerships)
        .select_related("partnership", "recipient")
        .order_by("-created_at", "-id")[:limit]
    )


# --- The bell in the navigation bar --------------------------------------------------------


@dataclass(frozen=True)
class Unread:
    """The signed-in person's unread count, as the bell shows it."""

    count: int

    @property
    def label(self) -> str:
        return "99+" if self.count > 99 else str(self.count)


def without_bell(view):
    """For a view that answers a file or a feed, not a page: no bell to count for."""
    view.without_bell = True
    return view


class UnreadCountMiddleware:
    """Counts the signed-in person's unread notifications (one query) just before the view
    runs, so that base.html's bell never queries while a template renders. Nothing for
    anonymous visitors, the Django admin, or htmx requests for a fragment of a page (no
    navigation bar in them)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if getattr(view_func, "without_bell", False):
            return None
        match = request.resolver_match
        if match is not None and "admin" in match.namespaces:
            return None
        htmx = getattr(request, "htmx", None)
        if htmx and not htmx.boosted:
            return None

        def count() -> None:
            request.unread = Unread(unread(user).count())

        # A page served from the page cache already shows the count: no query for it then.
        page_cache.on_miss(request, view_func, count)
        return None


def unread_count(request) -> dict:
    """Context processor: the count the middleware read (no query of its own)."""
    found = getattr(request, "unread", None)
    return {"unread": found} if found is not None else {}
