"""What the chamber services share: which partnerships are closed, and forgetting cached roles."""

from __future__ import annotations

from partnerships.models import (
    Partnership,
)

# Partnerships in these statuses take no new interest and count as "no partnership" for leads.
CLOSED_PARTNERSHIP_STATUSES = frozenset({Partnership.Status.ENDED, Partnership.Status.ARCHIVED})


def _forget_roles(user) -> None:
    """Drop the per-request caches of a user's roles after changing them."""
    if user is not None:
        for cache in ("_chamber_roles", "_city_roles"):
            if hasattr(user, cache):
                delattr(user, cache)
