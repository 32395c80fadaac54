"""The saved views of the partnership list a person may use: their own, and those shared with
a city they work for."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import QueryDict

from partnerships import permissions
from partnerships.models import DefaultView, SavedView

# The list's parameters a view keeps (partnerships.filters.PartnershipFilter's fields); the
# page number is where one is, not what one wants to see.
VIEW_PARAMETERS = ("q", "scope", "step", "category", "status", "country", "area", "sort")


def views_for(user) -> QuerySet[SavedView]:
    """One's own views and those shared with one's cities, by name."""
    if not user.is_authenticated:
        return SavedView.objects.none()
    mine = Q(owner=user)
    cities = permissions.city_ids(user)
    shared = Q(shared_with_id__in=cities) if cities else Q(pk__in=[])
    return (
        SavedView.objects.filter(mine | shared)
        .select_related("owner", "shared_with")
        .order_by("name", "pk")
    )


def views_and_default(user) -> tuple[list[SavedView], SavedView | None]:
    """The views the person may use and their default among them (one query): a default
    they may no longer use (unshared since) is none."""
    chosen = DefaultView.objects.filter(user_id=user.pk, view=OuterRef("pk"))
    views = list(views_for(user).annotate(is_default=Exists(chosen)))
    return views, next((v for v in views if v.is_default), None)


def view_for(user, view_id) -> SavedView | None:
    """The view `view_id` if the user may use it; None for anything else (a bad id too)."""
    try:
        pk = int(view_id)
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2**31:
        return None
    return views_for(user).filter(pk=pk).first()


def query_of(params: QueryDict) -> str:
    """The view-worthy part of a list's query string, normalised: known parameters only,
    blanks dropped, in a fixed order (two ways of asking for the same list are one view)."""
    kept = QueryDict(mutable=True)
    for name in VIEW_PARAMETERS:
        values = [v.strip() for v in params.getlist(name) if v.strip()]
        if values:
            kept.setlist(name, values[:1])
    return kept.urlencode()
