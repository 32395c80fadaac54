"""Searching the gazetteer: a place by any of its names, the biggest first."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils.translation import ngettext

from gazetteer.models import Place, PlaceName
from gazetteer.names import search_key

__all__ = ["MAX_QUERY", "MIN_QUERY", "BadQuery", "place", "search_key", "search_places"]

MIN_QUERY = 2  # characters: one letter would match a tenth of the world
MAX_QUERY = 100


class BadQuery(ValueError):
    """A search that cannot be run; the message says why, for the person who typed it."""


def search_places(query: str) -> QuerySet[Place]:
    """Places with a name starting with `query` (compared by search key, so "durban",
    "eThekwini", "广州" and "saint etienne" all work). A place whose name is exactly the query
    comes before those it only begins, then the most populous first. Raises BadQuery."""
    key = search_key(query or "")
    if len(key) < MIN_QUERY:
        raise BadQuery(
            ngettext(
                "Type at least %(n)s letter of the city's name.",
                "Type at least %(n)s letters of the city's name.",
                MIN_QUERY,
            )
            % {"n": MIN_QUERY}
        )
    if len(query) > MAX_QUERY:
        raise BadQuery(
            ngettext(
                "A city's name is shorter than %(n)s character.",
                "A city's name is shorter than %(n)s characters.",
                MAX_QUERY,
            )
            % {"n": MAX_QUERY}
        )
    matching = PlaceName.objects.filter(key__startswith=key)
    exact = PlaceName.objects.filter(place=OuterRef("pk"), key=key)
    return (
        Place.objects.filter(pk__in=matching.values("place_id"))
        .annotate(
            exact=Exists(exact),
            # The name it was found by, shown beside the main one ("Guangzhou (Canton)").
            matched_name=Subquery(
                PlaceName.objects.filter(place=OuterRef("pk"), key__startswith=key)
                .order_by("key", "pk")
                .values("name")[:1]
            ),
        )
        .order_by("-exact", "-population", "name", "pk")
    )


def place(geonameid: int) -> Place | None:
    return Place.objects.filter(pk=geonameid).first()
