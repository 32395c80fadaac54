"""Querysets built once and handed out as clones.

Resolving a queryset's annotations (dozens of subqueries on the partnership page, the list and
the health facts) is a large share of a page's Python, and the result is the same for every
request of the day. `built_once` keeps the queryset a function builds, per distinct arguments
(today's date, the hook providers that shape it), and returns a fresh clone on each call: the
kept one is never filtered, annotated or evaluated by a caller, so no request leaves anything
in it for the next. `fn.built(...)` reaches the kept one (tests check it stays untouched).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

from django.db.models import QuerySet

Q = TypeVar("Q", bound=QuerySet)


def built_once(maxsize: int = 4) -> Callable[[Callable[..., Q]], Callable[..., Q]]:
    """Decorate a function returning a queryset: see the module docstring. Its arguments are
    the cache key, so they must be hashable and name everything the queryset depends on."""

    def decorator(build: Callable[..., Q]) -> Callable[..., Q]:
        built = functools.lru_cache(maxsize=maxsize)(build)

        @functools.wraps(build)
        def clone(*args):
            return built(*args).all()

        clone.built = built
        return clone

    return decorator
