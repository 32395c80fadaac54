"""What an officer's dashboard shows: their partnerships by step (the board: board.py), what is
due, and the warning signs the research names (partnerships that stall after a high-profile
signing, lose their champion, or were never given measures to be reviewed against).

A fixed number of queries, whatever the portfolio's size (an admin's is every partnership):
the weakest-first list needs every running partnership's health score, computed in Python
from ten facts, so the lists read them stored (partnerships.health.stored) as indexed columns,
and each list's first rows come in one query (`first_rows`).
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext

from core import hooks
from core.querysets import CompiledQuery, marker
from partnerships import permissions
from partnerships.health import (
    BUSINESS_NOT_ASSESSED,
    stored,
    warning_reasons,
    with_warning_signs,
)
from partnerships.health.rules import (
    FINISHED,
    MOU_EXPIRING_DAYS,
    QUIET_DAYS,
    REVIEW_DUE_LISTED_DAYS,
)
from partnerships.models import Partnership, Step
from partnerships.selectors import board
from partnerships.selectors.board import BoardFilters, first_cards
from partnerships.selectors.common import first_rows, first_rows_queryset, sorted_into
from partnerships.selectors.signoff import awaiting_confirmation
from partnerships.selectors.visibility import (
    COMPILED_CITY_SLOTS,
    among_cities,
    city_slots,
    partnerships_of_my_cities,
)

LIST_CAP = 25
WEAKEST_COUNT = 10


@dataclass
class MouDue:
    """A signed MOU expiring soon (its partnership's stored health says when)."""

    partnership: Partnership
    expires_on: dt.date

    @property
    def partnership_id(self) -> int:
        return self.partnership.pk


def _lists(today: dt.date, mine, board_qs) -> dict:
    """The first rows of each list of the dashboard, as querysets (`first_rows` reads them in
    one query): the weakest by stored health score, the reviews due, the MOUs expiring, the
    warning signs, and each step's first cards of the board."""
    running = mine.exclude(status__in=FINISHED)
    review_by = today + dt.timedelta(days=REVIEW_DUE_LISTED_DAYS)
    mou_by = today + dt.timedelta(days=MOU_EXPIRING_DAYS)
    return {
        "weakest": running.filter(health_summary__score__lt=100).order_by(
            "health_summary__score", "title", "pk"
        )[:WEAKEST_COUNT],
        "due": running.filter(next_review_on__lte=review_by).order_by(
            "next_review_on", "title", "pk"
        )[: LIST_CAP + 1],
        "expiring": running.filter(
            health_summary__signed_mou_expires_on__range=(today, mou_by)
        ).order_by("health_summary__signed_mou_expires_on", "title", "pk")[: LIST_CAP + 1],
        "warnings": with_warning_signs(mine, today).order_by("-step", "title", "pk")[
            : LIST_CAP + 1
        ],
        **{f"step_{step}": cards for step, cards in first_cards(board_qs).items()},
    }


def _first_rows(user, filters: BoardFilters, today: dt.date, mine, board_qs) -> dict:
    """The lists' first rows (`first_rows`). The dashboard an officer lands on (the board not
    filtered) reads them through a query compiled once a day per number of cities: compiling
    its dozen subqueries cost several times running it."""
    cities = () if permissions.is_admin(user) else city_slots(permissions.city_ids(user))
    if filters != BoardFilters() or not cities or len(cities) > COMPILED_CITY_SLOTS:
        return first_rows(stored.with_summary(mine), _lists(today, mine, board_qs))
    names, query = _compiled_lists(len(cities), today)
    return sorted_into(names, query.instances(*cities))


@functools.lru_cache(maxsize=16)
def _compiled_lists(n_cities: int, today: dt.date) -> tuple[tuple[str, ...], CompiledQuery]:
    """The names of the lists and their `first_rows_queryset` for an officer of `n_cities`
    cities (the board not filtered: `board.filtered` of no filter is the portfolio), compiled
    for the city ids as markers."""
    mine = among_cities(Partnership.objects.all(), [marker(i) for i in range(n_cities)])
    lists = _lists(today, mine, mine)
    query = CompiledQuery(first_rows_queryset(stored.with_summary(mine), lists))
    return tuple(lists), query


def _not_assessed(mine, found: dict[str, list[Partnership]]) -> list[str]:
    """The checks the scores could not make (business involvement, when no provider is
    registered), said once when the user has any running partnership."""
    if hooks.providers("health.business_involvement"):
        return []
    running = mine.exclude(status__in=FINISHED)
    if any(p.health for rows in found.values() for p in rows) or running.exists():
        return [gettext(BUSINESS_NOT_ASSESSED)]
    return []


def dashboard_context(user, filters: BoardFilters = BoardFilters()) -> dict:  # noqa: B008
    """Everything the dashboard shows; `filters` narrow the board only. Its lists read the
    stored health (partnerships.health.stored), brought up to date first; their rows are read
    in one query (`first_rows`), the board's counts in one and the members in one."""
    today = timezone.localdate()
    mine = partnerships_of_my_cities(user)
    stored.refresh_stale(mine, today)
    board_qs = board.filtered(user, filters)
    found = _first_rows(user, filters, today, mine, board_qs)
    for p in {p.pk: p for rows in found.values() for p in rows}.values():
        p.health = None if p.status in FINISHED else stored.stored_health(p, today)
    warnings = sorted(found["warnings"], key=lambda p: -p.step)
    for p in warnings:
        p.warnings = warning_reasons(p, today)
    cards = sorted((p for step in Step for p in found[f"step_{step}"]), key=board.card_order)
    columns = board.columns(cards, board.step_totals(board_qs), user, members_with=warnings)
    due = sorted(found["due"], key=operator.attrgetter("next_review_on"))
    expiring = sorted(
        (MouDue(p, p.health_summary.signed_mou_expires_on) for p in found["expiring"]),
        key=operator.attrgetter("expires_on"),
    )
    weakest = sorted(found["weakest"], key=lambda p: p.health.score)
    return {
        "today": today,
        "columns": columns,
        "weakest": weakest,
        "health_not_assessed": _not_assessed(mine, found),
        "reviews_overdue": [p for p in due[:LIST_CAP] if p.next_review_on < today],
        "reviews_due": [p for p in due[:LIST_CAP] if p.next_review_on >= today],
        "reviews_more": len(due) > LIST_CAP,
        "mous_expiring": expiring[:LIST_CAP],
        "mous_more": len(expiring) > LIST_CAP,
        "warnings": warnings[:LIST_CAP],
        "warnings_more": len(warnings) > LIST_CAP,
        "review_due_days": REVIEW_DUE_LISTED_DAYS,
        "mou_expiry_days": MOU_EXPIRING_DAYS,
        "quiet_days": QUIET_DAYS,
        # The joint sign-off: what awaits the confirmation of the user's cities, or the other's.
        "awaiting": awaiting_confirmation(user),
        # Panels outer apps add (core.hooks "dashboard.panels"): a dict with its template.
        "panels": hooks.collect("dashboard.panels", user),
    }
