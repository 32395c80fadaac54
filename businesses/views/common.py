"""What the chamber pages share: whose associations the user speaks for, and paging."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet

from businesses import permissions as perms
from businesses.forms import associations_qs
from businesses.models import BusinessAssociation
from partnerships import permissions as core
from partnerships.views.common import require

PER_PAGE = 25


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


def page_of(request, qs, per_page: int = PER_PAGE) -> dict:
    page = Paginator(qs, per_page).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)  # read here, not while the template renders
    return {
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number),
        "ellipsis": Paginator.ELLIPSIS,
    }


def posted(request, files: bool = False):
    """The form data of a POST (an empty POST included, so that it shows its field errors
    rather than an unbound form), None for a GET."""
    if request.method != "POST":
        return None
    return request.FILES if files else request.POST
