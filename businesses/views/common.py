"""What the chamber pages share: whose associations the user speaks for."""

from __future__ import annotations

from django.db.models import QuerySet

from businesses import permissions as perms
from businesses.forms import associations_qs
from businesses.models import BusinessAssociation
from core.views import require
from partnerships import permissions as core


def managed_associations(user) -> QuerySet[BusinessAssociation] | None:
    """The associations whose businesses and interest the user manages: an admin all of them,
    approved staff their own. None for anyone else (no query is asked then)."""
    if core.is_admin(user):
        return associations_qs()
    ids = perms.association_ids(user)
    return associations_qs(ids) if ids else None


def require_association_manager(user) -> QuerySet[BusinessAssociation]:
    """Approved chamber staff and admins; a 404 for everyone else."""
    associations = managed_associations(user)
    require(associations is not None)
    return associations


def association_city_ids(user) -> set[int] | None:
    """The cities of the user's associations (None for an admin: no limit). One query."""
    if core.is_admin(user):
        return None
    return set(
        BusinessAssociation.objects.filter(pk__in=perms.association_ids(user)).values_list(
            "organisation__partner_id", flat=True
        )
    )
