"""Where a partnership's data shows, for the page cache's precise invalidation (core.page_cache).

A row naming a partnership (its own foreign key, or its parent's: a review's KPI result)
shows on the pages of that partnership's member cities; a row naming a city, on that city's.
On commit, `partnership:<id>` becomes the `city:<id>` of each of its member cities (read once
for the whole transaction). An officer's portfolio pages are keyed on their cities' scopes.
"""

from __future__ import annotations

from partnerships import permissions
from partnerships.models import CityMembership, Partner, PartnershipMember

PARTNERSHIP, CITY = "partnership", "city"


class PartnershipScopes:
    anchors = {"partnerships.Partnership": PARTNERSHIP, "partnerships.Partner": CITY}
    # Not a city's: a chamber's or a strategy's rows reach a city through their parent, yet
    # show beyond it (a business in other cities' matchmaking), so they stay EVERYTHING's.
    through_parent = ("partnerships.Partnership",)

    @staticmethod
    def expand(scopes: set[str]) -> set[str]:
        ids = {int(s.split(":", 1)[1]) for s in scopes if s.startswith(PARTNERSHIP + ":")}
        if not ids:
            return scopes
        cities = PartnershipMember.objects.filter(partnership_id__in=ids).values_list(
            "partner_id", flat=True
        )
        kept = {s for s in scopes if not s.startswith(PARTNERSHIP + ":")}
        return kept | {city_scope(pk) for pk in cities}

    @staticmethod
    def of_reader(user) -> list[str] | None:
        if permissions.is_admin(user):
            return None
        return [city_scope(pk) for pk in sorted(permissions.city_ids(user))] or None


def partnership_scopes(*partnership_ids: int | None) -> list[str]:
    """The scopes of these partnerships (None, a record about no partnership, names none)."""
    return [f"{PARTNERSHIP}:{pk}" for pk in partnership_ids if pk is not None]


def city_scope(partner_id: int) -> str:
    return f"{CITY}:{partner_id}"


SCOPES = PartnershipScopes()
# Who sees what: a new officer, or one removed, changes every page they may open. A city's own
# row (its name) shows on its partners' pages too: its rows' foreign keys name it, it does not.
EVERYWHERE = (CityMembership, Partner)
