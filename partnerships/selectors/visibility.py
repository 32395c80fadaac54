"""Who sees what: the partnerships a person may open, change, or calls their own portfolio."""

from __future__ import annotations

from django.db.models import (
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)

from partnerships import permissions
from partnerships.models import (
    Partnership,
    PartnershipMember,
)


def _member_of(city_ids) -> Exists:
    return Exists(
        PartnershipMember.objects.filter(partnership=OuterRef("pk"), partner_id__in=city_ids)
    )


def partnerships_visible_to(user) -> QuerySet[Partnership]:
    """Partnerships the user may open: their cities' own, and those published."""
    qs = Partnership.objects.all()
    if permissions.is_admin(user):
        return qs
    ids = permissions.city_ids(user)
    if not ids:
        return qs.filter(published=True)
    return qs.filter(Q(published=True) | _member_of(ids))


def partnerships_editable_by(user) -> QuerySet[Partnership]:
    """Partnerships the user co-manages (a member city's officers), or all for admins."""
    qs = Partnership.objects.all()
    if permissions.is_admin(user):
        return qs
    ids = permissions.city_ids(user)
    if not ids:
        return qs.none()
    return qs.filter(_member_of(ids)).exclude(status=Partnership.Status.ARCHIVED)


def partnerships_of_my_cities(user) -> QuerySet[Partnership]:
    """The user's own portfolio (not the published ones of other cities)."""
    qs = Partnership.objects.all()
    if permissions.is_admin(user):
        return qs
    return qs.filter(_member_of(permissions.city_ids(user)))


def with_members(qs: QuerySet[Partnership]) -> QuerySet[Partnership]:
    """Members and their cities in one extra query, for lists and permission checks."""
    return qs.prefetch_related(
        Prefetch(
            "members",
            # "home" sorts after "counterpart": descending puts the home city first.
            queryset=PartnershipMember.objects.select_related("partner").order_by(
                "-role", "partner__name"
            ),
        )
    )
