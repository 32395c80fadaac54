"""Reads of a person's notifications, and of the reminders that could not be sent."""

from __future__ import annotations

from django.db.models import QuerySet

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
    return Reminder.objects.filter(recipient=user, read_at__isnull=True).exclude(
        status=Status.SNOOZED
    )


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
