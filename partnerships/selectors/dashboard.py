"""What an officer's dashboard shows: their partnerships by step (the board: board.py), what is
due, and the warning signs the research names (partnerships that stall after a high-profile
signing, lose their champion, or were never given measures to be reviewed against).

Every function here is a fixed number of queries, whatever the portfolio's size: warning signs
are the health score's facts (partnerships.health), annotations on one query, never a question
per partnership.

The health of the running partnerships (`partnerships.health`) is read in one query over the
whole portfolio, in chunks (`digest`), which also gives the reviews due and the MOUs expiring:
the weakest-first list needs every score, and a score is computed in Python.
"""

from __future__ import annotations

import datetime as dt
import heapq
from dataclasses import dataclass

from django.utils import timezone

from core import hooks
from partnerships.health import (
    Health,
    health_rows_in_chunks,
    partnerships_with_warning_signs,
    warning_reasons,
)
from partnerships.health.rules import (
    FINISHED,
    MOU_EXPIRING_DAYS,
    QUIET_DAYS,
    REVIEW_DUE_LISTED_DAYS,
)
from partnerships.models import Partnership, Step
from partnerships.selectors.board import BoardFilters, board
from partnerships.selectors.signoff import awaiting_confirmation
from partnerships.selectors.visibility import partnerships_of_my_cities, visible_among, with_members

LIST_CAP = 25
WEAKEST_COUNT = 10


def partnerships_with_warnings(
    user, today: dt.date, cap: int = LIST_CAP, members: bool = True
) -> list[Partnership]:
    """The user's partnerships that show warning signs, each with `.warnings`: two queries
    (one without `members`, when the caller reads them with other rows). Returns up to
    cap + 1 rows so that the page can say there are more."""
    qs = visible_among(partnerships_with_warning_signs(today), user)
    rows = list((with_members(qs) if members else qs).order_by("-step", "title")[: cap + 1])
    for p in rows:
        p.warnings = warning_reasons(p, today)
    return rows


@dataclass
class PortfolioRow:
    """One running partnership of the user's cities, with its health."""

    pk: int
    title: str
    step: int
    next_review_on: dt.date | None
    signed_mou_expires_on: dt.date | None
    health: Health

    def get_step_display(self) -> str:
        return Step(self.step).label


@dataclass
class MouDue:
    """A signed MOU expiring soon, read from the portfolio (no query of its own)."""

    partnership: PortfolioRow
    expires_on: dt.date

    @property
    def partnership_id(self) -> int:
        return self.partnership.pk


@dataclass
class Digest:
    """What the dashboard shows of the user's running partnerships (see `digest`)."""

    weakest: list[PortfolioRow]
    due: list[PortfolioRow]  # reviews overdue or due soon: up to LIST_CAP + 1, soonest first
    expiring: list[MouDue]  # signed MOUs expiring soon: up to LIST_CAP + 1, soonest first
    health: dict[int, Health]  # of the partnerships asked for by id (the board's cards)
    not_assessed: list[str]


def digest(user, today: dt.date, wanted: set[int] = frozenset(), chunk: int = 2000) -> Digest:
    """One pass over the user's running partnerships, each scored for its health: the weakest
    (every score is needed to rank them, and a score is computed in Python), the reviews due,
    the MOUs expiring and the health of the `wanted` ones. One query read in chunks, keeping
    only the short lists between chunks: memory follows the chunk, not the portfolio, which is
    every partnership for an admin (100,000 in the benchmark: 282 MiB before)."""
    running = partnerships_of_my_cities(user).exclude(status__in=FINISHED)
    review_by = today + dt.timedelta(days=REVIEW_DUE_LISTED_DAYS)
    mou_by = today + dt.timedelta(days=MOU_EXPIRING_DAYS)
    result = Digest(weakest=[], due=[], expiring=[], health={}, not_assessed=[])
    seen = False
    for rows in health_rows_in_chunks(running, today, fields=("title",), chunk=chunk):
        portfolio = [
            PortfolioRow(
                pk=row["pk"],
                title=row["title"],
                step=row["step"],
                next_review_on=row["next_review_on"],
                signed_mou_expires_on=row["h_signed_mou_expires_on"],
                health=scored,
            )
            for row, scored in rows
        ]
        if not seen:
            result.not_assessed, seen = portfolio[0].health.not_assessed, True
        result.health.update((r.pk, r.health) for r in portfolio if r.pk in wanted)
        result.weakest = heapq.nsmallest(
            WEAKEST_COUNT,
            result.weakest + [r for r in portfolio if r.health.deductions],
            key=lambda r: (r.health.score, r.title, r.pk),
        )
        result.due = heapq.nsmallest(
            LIST_CAP + 1,
            result.due
            + [r for r in portfolio if r.next_review_on and r.next_review_on <= review_by],
            key=lambda r: (r.next_review_on, r.title),
        )
        result.expiring = heapq.nsmallest(
            LIST_CAP + 1,
            result.expiring
            + [
                MouDue(partnership=r, expires_on=r.signed_mou_expires_on)
                for r in portfolio
                if r.signed_mou_expires_on and today <= r.signed_mou_expires_on <= mou_by
            ],
            key=lambda m: (m.expires_on, m.partnership.title),
        )
    return result


def dashboard_context(user, filters: BoardFilters = BoardFilters()) -> dict:  # noqa: B008
    """Everything the dashboard shows; `filters` narrow the board only."""
    today = timezone.localdate()
    warnings = partnerships_with_warnings(user, today, members=False)
    # The warnings' members are read with the board cards' (one query for both).
    columns = board(user, filters, today, members_with=warnings)
    # A board filtered by health has its cards' health already.
    wanted = {card.pk for c in columns for card in c.cards if not hasattr(card, "health")}
    found = digest(user, today, wanted=wanted)
    for column in columns:
        for card in column.cards:
            if not hasattr(card, "health"):
                card.health = found.health.get(card.pk)
    due, expiring = found.due, found.expiring
    return {
        "today": today,
        "columns": columns,
        "weakest": found.weakest,
        "health_not_assessed": found.not_assessed,
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
