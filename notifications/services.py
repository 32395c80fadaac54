"""What people do with their notifications, as services (keyword-only, atomic, checking that
the reminder is the person's own): read, snooze, choose how reminders come; and an admin's
retry of failed ones. Delivery is handed to the tasks after commit."""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from core import page_cache
from core.errors import DomainError
from core.services import model_update
from notifications import tasks
from notifications.models import Follow, NotificationPreference, Reminder
from notifications.reminders import TOPICS
from partnerships.models import Partnership
from partnerships.selectors.visibility import partnerships_visible_to

Status = Reminder.Status


@transaction.atomic
def retry_failed(reminders: QuerySet[Reminder]) -> int:
    """Failed reminders go back to be sent (the admin's "retry" action)."""
    ids = list(reminders.filter(status=Status.FAILED).values_list("pk", flat=True))
    Reminder.objects.filter(pk__in=ids, status=Status.FAILED).update(
        status=Status.PENDING, attempts=0, claimed_at=None
    )
    page_cache.bump()
    transaction.on_commit(lambda: tasks.enqueue_delivery(ids), robust=True)
    return len(ids)


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


@transaction.atomic
def notification_preference_set(*, user, delivery: str) -> NotificationPreference:
    """Immediate emails or a weekly digest. What waits moves with the choice: a switch to
    immediate sends what waited for the digest; a switch to the digest keeps unsent ones."""
    pref, _ = NotificationPreference.objects.select_for_update().get_or_create(user=user)
    model_update(pref, {"delivery": delivery})
    if delivery == NotificationPreference.Delivery.IMMEDIATE:
        ids = list(
            Reminder.objects.filter(recipient=user, status=Status.DIGEST).values_list(
                "pk", flat=True
            )
        )
        Reminder.objects.filter(pk__in=ids, status=Status.DIGEST).update(status=Status.PENDING)
        transaction.on_commit(lambda: tasks.enqueue_delivery(ids), robust=True)
    else:
        Reminder.objects.filter(recipient=user, status=Status.PENDING).update(status=Status.DIGEST)
    page_cache.bump()
    return pref


# --- Follows (the same functions as branch `notify`'s, which the merge keeps) --------------


def _may_follow(user, target: models.Model) -> bool:
    """A partnership: only one the person may open. Other records (a sub-alliance) are
    checked by the caller, which knows who may see them."""
    if not user.is_active:
        return False
    if isinstance(target, Partnership):
        return partnerships_visible_to(user).filter(pk=target.pk).exists()
    return True


@transaction.atomic
def follow(user, target: models.Model) -> Follow:
    """`user` follows `target` (a partnership, a sub-alliance). Following twice is once."""
    if not _may_follow(user, target):
        raise DomainError("You cannot follow this partnership.")
    content_type = ContentType.objects.get_for_model(target)
    Follow.objects.bulk_create(
        [Follow(user=user, content_type=content_type, object_id=target.pk)],
        ignore_conflicts=True,  # two follows at once: one row, no error
    )
    return Follow.objects.get(user=user, content_type=content_type, object_id=target.pk)


@transaction.atomic
def unfollow(user, target: models.Model) -> bool:
    """`user` stops following `target`; False when they did not follow it."""
    content_type = ContentType.objects.get_for_model(target)
    deleted, _ = Follow.objects.filter(
        user=user, content_type=content_type, object_id=target.pk
    ).delete()
    return bool(deleted)
