"""What people do with their notifications, as services (keyword-only, atomic, checking that
the reminder is the person's own): read, snooze, choose how reminders come; and an admin's
retry of failed ones. Delivery is handed to the tasks after commit."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from core import page_cache
from core.errors import DomainError
from core.services import model_update
from notifications import follows, tasks
from notifications.models import (
    EVENT_KIND_VALUES,
    Follow,
    NotificationPreference,
    Reminder,
    event_choice,
)
from notifications.reminder_rules import topic
from partnerships.models import Partnership
from partnerships.page_scopes import partnership_scopes
from partnerships.selectors.visibility import partnerships_visible_to

Status = Reminder.Status
Choice = NotificationPreference.EventChoice


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
        raise DomainError(gettext("This is not one of your notifications."))
    page_cache.bump(page_cache.user_scope(user.pk))  # the bell's count on their cached pages
    return bool(
        Reminder.objects.filter(pk=reminder.pk, read_at__isnull=True).update(read_at=timezone.now())
    )


@transaction.atomic
def notifications_mark_all_read(*, user) -> int:
    page_cache.bump(page_cache.user_scope(user.pk))
    return Reminder.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def reminder_snooze(*, reminder: Reminder, user, until: dt.date, reason: str) -> Reminder:
    """Quiet this reminder, and the others about the same subject (unsent ones, and new ones
    the scan would record), until `until`. If it still applies then, it reminds again (see
    `reminders.waking`)."""
    if reminder.recipient_id != user.pk:
        raise DomainError(gettext("This is not one of your notifications."))
    if reminder.is_event:
        raise DomainError(
            gettext("Only reminders of what is due can be snoozed; mark this one as read.")
        )
    errors = {}
    if until <= timezone.localdate():
        errors["until"] = gettext("Choose a date after today.")
    if not reason.strip():
        errors["reason"] = gettext("Say why, so that you (and others) know later.")
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
        raise DomainError(gettext("This reminder is being sent right now: try again in a minute."))
    # Others about the same subject that have not gone out yet wait as well.
    Reminder.objects.filter(
        recipient=user,
        partnership_id=reminder.partnership_id,
        object_id=reminder.object_id,
        kind__in=topic(reminder.kind),
        status__in=[Status.PENDING, Status.DIGEST],
    ).update(**snooze)
    # A sent reminder snoozed leaves the partnership's timeline.
    page_cache.bump(page_cache.user_scope(user.pk), *partnership_scopes(reminder.partnership_id))
    reminder.refresh_from_db()
    return reminder


@transaction.atomic
def notification_preference_set(
    *, user, delivery: str, events: dict[str, str] | None = None
) -> NotificationPreference:
    """Immediate emails or a weekly digest for reminders, and for each kind of event: at once,
    the daily digest, or off. What waits moves with the choice: a switch to immediate sends
    what waited for the digest; a switch to the digest keeps unsent ones; an event kind
    turned off keeps what waited for the daily digest in the portal only."""
    errors = {}
    if delivery not in NotificationPreference.Delivery.values:
        errors["delivery"] = gettext("Choose an email for each reminder or the weekly digest.")
    events = dict(events or {})
    for kind, choice in events.items():
        if kind not in EVENT_KIND_VALUES or choice not in Choice.values:
            errors[f"event_{kind}"] = gettext("Choose at once, the daily digest, or off.")
    if errors:
        raise ValidationError(errors)
    pref, _ = NotificationPreference.objects.select_for_update().get_or_create(user=user)
    model_update(pref, {"delivery": delivery, "events": {**pref.events, **events}})
    reminders = Reminder.objects.filter(recipient=user).exclude(kind__in=EVENT_KIND_VALUES)
    ids = []
    if delivery == NotificationPreference.Delivery.IMMEDIATE:
        ids += list(reminders.filter(status=Status.DIGEST).values_list("pk", flat=True))
        Reminder.objects.filter(pk__in=ids, status=Status.DIGEST).update(status=Status.PENDING)
    else:
        reminders.filter(status=Status.PENDING).update(status=Status.DIGEST)
    waiting = Reminder.objects.filter(recipient=user, status=Status.DAILY)
    for kind in EVENT_KIND_VALUES:
        choice = event_choice(pref.events, kind)
        if choice == Choice.IMMEDIATE:
            now = list(waiting.filter(kind=kind).values_list("pk", flat=True))
            Reminder.objects.filter(pk__in=now, status=Status.DAILY).update(status=Status.PENDING)
            ids += now
        elif choice == Choice.OFF:
            waiting.filter(kind=kind).update(status=Status.QUIET)
    if ids:
        transaction.on_commit(lambda: tasks.enqueue_delivery(ids), robust=True)
    page_cache.bump(page_cache.user_scope(user.pk))  # none of these was sent: their own pages
    return pref


# --- Following a partnership ---------------------------------------------------------------


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
    """`user` follows `target` (a partnership): told when it moves. Following twice is once."""
    if not _may_follow(user, target):
        raise DomainError(gettext("You cannot follow this partnership."))
    content_type = ContentType.objects.get_for_model(target)
    Follow.objects.bulk_create(
        [Follow(user=user, content_type=content_type, object_id=target.pk)],
        ignore_conflicts=True,  # two follows at once: one row, no error
    )
    # bulk_create sends no signal; the partnership's page says "Following" to them.
    page_cache.bump(page_cache.user_scope(user.pk))
    return Follow.objects.get(user=user, content_type=content_type, object_id=target.pk)


@transaction.atomic
def unfollow(user, target: models.Model) -> bool:
    """`user` stops following `target`; False when they did not follow it."""
    deleted, _ = follows.follows_of(target, target.pk).filter(user=user).delete()
    page_cache.bump(page_cache.user_scope(user.pk))
    return bool(deleted)


def follow_selected(partnership: Partnership, user, data: dict) -> str:
    """The partnership list's bulk action "Follow" (partnerships.bulk, one row): through
    `follow`, which checks that the person may open it."""
    if follows.follows_of(Partnership, partnership.pk).filter(user=user).exists():
        return gettext("You follow it already.")
    follow(user, partnership)
    return gettext("You follow it now: you hear of its moves.")


def follow_if_visible(user_id: int, partnership_id: int) -> bool:
    """The actor of an event follows its partnership, if they may see it (an event's listener
    has ids, not instances). True when they follow it, already or now. Most events are by
    someone already following: one query then, not the visibility check and a write."""
    if follows.follows_of(Partnership, partnership_id).filter(user_id=user_id).exists():
        return True
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    partnership = Partnership.objects.filter(pk=partnership_id).first()
    if user is None or partnership is None or not _may_follow(user, partnership):
        return False
    follow(user, partnership)
    return True
