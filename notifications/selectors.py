"""Reads of a person's notifications, and of the reminders that could not be sent."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from core.querysets import compiled_once
from notifications.models import NotificationPreference, Reminder

Status = Reminder.Status


def inbox(user) -> QuerySet[Reminder]:
    """The person's own notifications, newest first, with the partnership's title."""
    return (
        Reminder.objects.filter(recipient=user)
        .select_related("partnership")
        .order_by("-created_at", "-id")
    )


def unread(user) -> QuerySet[Reminder]:
    return _unread_of(user.pk)


def _unread_of(user_id: int) -> QuerySet[Reminder]:
    return Reminder.objects.filter(recipient_id=user_id, read_at__isnull=True).exclude(
        status=Status.SNOOZED
    )


def unread_count(user) -> int:
    """How many of `unread` there are: the bell's count, on every page (SQL compiled once)."""
    rows = _unread_counted(user.pk)
    return rows[0][0] if rows else 0


@compiled_once(maxsize=1)
def _unread_counted(user_id: int) -> QuerySet:
    # Grouped by the one recipient: a row with the count, or none for none.
    counted = _unread_of(user_id).order_by().values("recipient").annotate(n=Count("pk"))
    return counted.values_list("n")


def preference_of(user) -> str:
    pref = NotificationPreference.objects.filter(user=user).values_list("delivery", flat=True)
    return pref.first() or NotificationPreference.Delivery.IMMEDIATE


def failed_in_partnerships(partnerships: QuerySet, limit: int = 20) -> list[Reminder]:
    """Reminders of these partnerships that could not be sent, newest first (for officers)."""
    return list(
        Reminder.objects.filter(status=Status.FAILED, partnership__in=partnerships)
        .select_related("partnership", "recipient")
        .order_by("-created_at", "-id")[:limit]
    )
