"""The saved views of the partnership list a person may use: their own, and those shared with
a city they work for."""

from __future__ import annotations

import functools

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import QueryDict

from core.querysets import MARKER, CompiledQuery, marker
from partnerships import permissions
from partnerships.models import DefaultView, SavedView
from partnerships.selectors.visibility import COMPILED_CITY_SLOTS, city_slots

# The list's parameters a view keeps (partnerships.filters.PartnershipFilter's fields); the
# page number is where one is, not what one wants to see.
VIEW_PARAMETERS = ("q", "scope", "step", "category", "status", "country", "area", "sort")


def views_for(user) -> QuerySet[SavedView]:
    """One's own views and those shared with one's cities, by name."""
    if not user.is_authenticated:
        return SavedView.objects.none()
    return _views_of(user.pk, permissions.city_ids(user))


def _views_of(user_id: int, cities) -> QuerySet[SavedView]:
    shared = Q(shared_with_id__in=cities) if cities else Q(pk__in=[])
    return (
        SavedView.objects.filter(Q(owner_id=user_id) | shared)
        .select_related("owner", "shared_with")
        .order_by("name", "pk")
    )


def _with_default(views: QuerySet[SavedView], user_id: int) -> QuerySet[SavedView]:
    chosen = DefaultView.objects.filter(user_id=user_id, view=OuterRef("pk"))
    return views.annotate(is_default=Exists(chosen))


def views_and_default(user) -> tuple[list[SavedView], SavedView | None]:
    """The views the person may use and their default among them (one query, compiled once
    per number of the person's cities, as the list asks it on every visit): a default they
    may no longer use (unshared since) is none."""
    if not user.is_authenticated:
        return [], None
    cities = city_slots(permissions.city_ids(user))
    if len(cities) > COMPILED_CITY_SLOTS:
        views = list(_with_default(views_for(user), user.pk))
    else:
        views = _views_query(len(cities)).instances(user.pk, *cities)
    return views, next((v for v in views if v.is_default), None)


@functools.lru_cache(maxsize=16)
def _views_query(n_cities: int) -> CompiledQuery:
    """`views_and_default`'s query for a person (MARKER) of `n_cities` cities (`city_slots`,
    markers 1 to n)."""
    cities = [marker(1 + i) for i in range(n_cities)]
    return CompiledQuery(_with_default(_views_of(MARKER, cities), MARKER))


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
