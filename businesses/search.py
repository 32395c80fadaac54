"""The businesses app's kinds of result for the portal's search (hook `search.results`,
core/search.py): businesses and chambers, each through the rule of who sees them here
(`selectors.businesses_visible_to`, `selectors.associations_visible_to`), one query each."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from businesses import selectors
from core.search import Group, Hit, Query, first, matching


def businesses_found(user, query: Query) -> Group:
    qs = selectors.businesses_visible_to(user).prefetch_related(None)
    rows, more = first(matching(qs, ("organisation__name", "products_services"), query), query)
    return Group(
        kind="businesses",
        label=_("Businesses"),
        order=40,
        hits=[
            Hit(
                row.organisation.name,
                reverse("businesses:business_detail", args=[row.pk]),
                f"{row.organisation.partner.name} · {row.association.organisation.name}",
            )
            for row in rows
        ],
        more=more,
        more_url=f"{reverse('businesses:business_list')}?{urlencode({'q': query.text})}",
    )


def chambers_found(user, query: Query) -> Group:
    """A chamber leads to its city's page, which lists what the portal holds of the city."""
    rows, more = first(
        matching(selectors.associations_visible_to(user), ("organisation__name",), query), query
    )
    return Group(
        kind="chambers",
        label=_("Chambers"),
        order=50,
        hits=[
            Hit(
                row.organisation.name,
                reverse("partnerships:city_detail", args=[row.organisation.partner_id]),
                row.organisation.partner.name,
            )
            for row in rows
        ],
        more=more,
    )


PROVIDERS = (businesses_found, chambers_found)
