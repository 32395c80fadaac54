"""What an officer's dashboard shows: their partnerships by step, what is due, and the warning
signs the research names (partnerships that stall after a high-profile signing, lose their
champion, or were never given measures to be reviewed against).

Every function here is a fixed number of queries, whatever the portfolio's size: warning signs
are annotations (Exists/Max subqueries) on one query, never a question per partnership.

The health of the running partnerships (`partnerships.health`) is read in one query over the
whole portfolio, in chunks (`digest`), which also gives the reviews due and the MOUs expiring:
the weakest-first list needs every score, and a score is computed in Python.
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.formats import date_format

from partnerships.health import Health, health_rows_in_chunks
from partnerships.models import KPI, MOU, Activity, Champion, Partnership, Step
from partnerships.selectors import partnerships_of_my_cities, with_members

BOARD_CARDS_PER_STEP = 8
LIST_CAP = 25
REVIEW_DUE_DAYS = 30
MOU_EXPIRY_DAYS = 90
QUIET_DAYS = 90
WEAKEST_COUNT = 10

# Panels other apps add (partnerships never imports them): each is called with the user and
# returns a dict with the `template` to include and its data, or None.
PANELS: list = []

# Partnerships that no longer run: not on the due lists, and no warning signs.
_FINISHED = [Partnership.Status.ENDED, Partnership.Status.ARCHIVED]


@dataclass
class BoardColumn:
    step: Step
    cards: list[Partnership]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.cards)


def board(user, per_step: int = BOARD_CARDS_PER_STEP) -> list[BoardColumn]:
    """The user's partnerships as eight columns, at most `per_step` cards each (active ones
    first, then the most recently changed), with each column's full count: two queries."""
    status_order = Case(
        When(status=Partnership.Status.ACTIVE, then=Value(0)),
        When(status=Partnership.Status.PAUSED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    rows = with_members(
        partnerships_of_my_cities(user)
        .annotate(
            place=Window(
                RowNumber(),
                partition_by=[F("step")],
                order_by=[status_order.asc(), F("updated_at").desc(), F("pk").asc()],
            ),
            step_total=Window(Count("pk"), partition_by=[F("step")]),
        )
        .filter(place__lte=per_step)
        .order_by("step", "place")
    )
    columns = {step: BoardColumn(step=step, cards=[], total=0) for step in Step}
    for partnership in rows:
        column = columns[Step(partnership.step)]
        column.cards.append(partnership)
        column.total = partnership.step_total
    return list(columns.values())


@functools.lru_cache(maxsize=2)
def _warning_columns(today: dt.date) -> dict:
    """The annotations of `with_warning_signs`, built once a day rather than on every request
    (expressions are immutable: `annotate` resolves copies)."""
    of_it = {"partnership": OuterRef("pk")}
    mous = MOU.objects.filter(**of_it)
    return dict(
        w_recent_activity=Exists(
            Activity.objects.filter(
                **of_it,
                occurred_on__gt=today - dt.timedelta(days=QUIET_DAYS),
                occurred_on__lte=today,
            )
        ),
        w_last_activity_on=Subquery(
            Activity.objects.filter(**of_it, occurred_on__lte=today)
            .order_by()
            .values("partnership")
            .annotate(last=Max("occurred_on"))
            .values("last")
        ),
        w_has_kpis=Exists(KPI.objects.filter(**of_it)),
        w_signed_mou_lapsed_on=Subquery(
            mous.filter(status=MOU.Status.SIGNED, expires_on__lt=today).values("expires_on")[:1]
        ),
        w_has_signed_mou=Exists(mous.filter(status=MOU.Status.SIGNED)),
        w_expired_mou_on=Subquery(
            mous.filter(status=MOU.Status.EXPIRED)
            .order_by()
            .values("partnership")
            .annotate(last=Max("expires_on"))
            .values("last")
        ),
        w_has_expired_mou=Exists(mous.filter(status=MOU.Status.EXPIRED)),
        w_has_champion=Exists(Champion.objects.filter(**of_it, is_active=True)),
    )


def with_warning_signs(qs: QuerySet[Partnership], today: dt.date) -> QuerySet[Partnership]:
    """Only the running partnerships that show a warning sign, with the annotations that say
    which (see `warning_reasons`)."""
    qs = qs.exclude(status__in=_FINISHED).annotate(**_warning_columns(today))
    return qs.filter(
        Q(step__gte=Step.IMPLEMENTATION, w_recent_activity=False)
        | Q(step__gte=Step.AGREEMENT, w_has_kpis=False)
        | Q(w_signed_mou_lapsed_on__isnull=False)
        | Q(step__gte=Step.IMPLEMENTATION, w_has_expired_mou=True, w_has_signed_mou=False)
        | Q(w_has_champion=False)
    )


def _day(value: dt.date) -> str:
    return date_format(value, "j M Y")


def warning_reasons(p: Partnership) -> list[str]:
    """The warning signs of a partnership annotated by `with_warning_signs`, in plain words."""
    reasons = []
    if p.step >= Step.IMPLEMENTATION and not p.w_recent_activity:
        if p.w_last_activity_on:
            reasons.append(
                f"No activity in the last {QUIET_DAYS} days "
                f"(the last on {_day(p.w_last_activity_on)})."
            )
        else:
            reasons.append("No activity logged since implementation began.")
    if p.step >= Step.AGREEMENT and not p.w_has_kpis:
        reasons.append("No KPIs agreed: there is nothing to review it against.")
    if p.w_signed_mou_lapsed_on:
        reasons.append(f"The signed MOU expired on {_day(p.w_signed_mou_lapsed_on)}.")
    elif p.step >= Step.IMPLEMENTATION and p.w_has_expired_mou and not p.w_has_signed_mou:
        when = f" on {_day(p.w_expired_mou_on)}" if p.w_expired_mou_on else ""
        reasons.append(f"The MOU expired{when} and no new one is signed.")
    if not p.w_has_champion:
        reasons.append("No active champion.")
    return reasons


def partnerships_with_warnings(user, today: dt.date, cap: int = LIST_CAP) -> list[Partnership]:
    """The user's partnerships that show warning signs, each with `.warnings`: two queries.
    Returns up to cap + 1 rows so that the page can say there are more."""
    rows = list(
        with_members(with_warning_signs(partnerships_of_my_cities(user), today)).order_by(
            "-step", "title"
        )[: cap + 1]
    )
    for p in rows:
        p.warnings = warning_reasons(p)
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
    running = partnerships_of_my_cities(user).exclude(status__in=_FINISHED)
    review_by = today + dt.timedelta(days=REVIEW_DUE_DAYS)
    mou_by = today + dt.timedelta(days=MOU_EXPIRY_DAYS)
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


def dashboard_context(user) -> dict:
    today = timezone.localdate()
    warnings = partnerships_with_warnings(user, today)
    columns = board(user)
    found = digest(user, today, wanted={card.pk for c in columns for card in c.cards})
    for column in columns:
        for card in column.cards:
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
        "review_due_days": REVIEW_DUE_DAYS,
        "mou_expiry_days": MOU_EXPIRY_DAYS,
        "quiet_days": QUIET_DAYS,
        "panels": [panel for hook in PANELS if (panel := hook(user))],
    }
