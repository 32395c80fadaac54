"""Reads: a city's pending invitations and requests, a person's own requests."""

from __future__ import annotations

from django.db.models import QuerySet

from invitations.models import Invitation, JoinRequest

SHOWN = 100  # a city's officers page lists at most this many of each


def open_invitations(city_id: int) -> QuerySet[Invitation]:
    """Neither accepted nor revoked: the pending ones and the expired ones (to resend)."""
    return (
        Invitation.objects.filter(
            city_id=city_id, accepted_at__isnull=True, revoked_at__isnull=True
        )
        .select_related("invited_by", "partnership")
        .order_by("-last_sent_at", "-pk")
    )


def pending_join_requests(city_id: int) -> QuerySet[JoinRequest]:
    return (
        JoinRequest.objects.filter(city_id=city_id, status=JoinRequest.Status.PENDING)
        .select_related("user")
        .order_by("created_at")
    )


def join_requests_of(user) -> QuerySet[JoinRequest]:
    return JoinRequest.objects.filter(user=user).select_related("city", "decided_by")


def has_pending_join_request(user) -> bool:
    return JoinRequest.objects.filter(user=user, status=JoinRequest.Status.PENDING).exists()


def open_invitations_of_partnership(partnership_id: int) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(
            partnership_id=partnership_id, accepted_at__isnull=True, revoked_at__isnull=True
        )
        .select_related("invited_by", "city", "partnership")
        .order_by("-last_sent_at", "-pk")
    )
