"""What an officer's dashboard shows: their partnerships by step, what is due, and the warning
signs the research names (partnerships that stall after a high-profile signing, lose their
champion, or were never given measures to be reviewed against).

Every function here is a fixed number of queries, whatever the portfolio's size: warning signs
are annotations (Exists/Max subqueries) on one query, never a question per partnership.

The health of the running partnerships (`partnerships.health`) is read in one query over the
whole portfolio, which also gives the reviews due and the MOUs expiring: the weakest-first
list needs every score, and a score is computed in Python.
"""

from __future__ import annotations

import datetime as dt
import functools
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

from partnerships.health import Health, health_rows
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


def portfolio(user, today: dt.date) -> list[PortfolioRow]:
    """The user's running partnerships, each with its health: one query, plus one call per
    business-involvement provider."""
    running = partnerships_of_my_cities(user).exclude(status__in=_FINISHED)
    return [
        PortfolioRow(
            pk=row["pk"],
            title=row["title"],
            step=row["step"],
            next_review_on=row["next_review_on"],
            signed_mou_expires_on=row["h_signed_mou_expires_on"],
            health=scored,
        )
        for row, scored in health_rows(running, today, fields=("title",))
    ]


def reviews_due(
    rows: list[PortfolioRow], today: dt.date, days: int = REVIEW_DUE_DAYS
) -> list[PortfolioRow]:
    """Running partnerships whose next review is overdue or within `days`, soonest first
    (from the portfolio already read: no query)."""
    last = today + dt.timedelta(days=days)
    due = [r for r in rows if r.next_review_on and r.next_review_on <= last]
    return sorted(due, key=lambda r: (r.next_review_on, r.title))[: LIST_CAP + 1]


def mous_expiring(
    rows: list[PortfolioRow], today: dt.date, days: int = MOU_EXPIRY_DAYS
) -> list[MouDue]:
    """Signed MOUs of running partnerships that expire within `days`: time to renew (from the
    portfolio already read: no query)."""
    last = today + dt.timedelta(days=days)
    due = [
        MouDue(partnership=r, expires_on=r.signed_mou_expires_on)
        for r in rows
        if r.signed_mou_expires_on and today <= r.signed_mou_expires_on <= last
    ]
    return sorted(due, key=lambda m: (m.expires_on, m.partnership.title))[: LIST_CAP + 1]


def weakest(rows: list[PortfolioRow], count: int = WEAKEST_COUNT) -> list[PortfolioRow]:
    """The partnerships with the lowest health scores first (those with no deduction left out)."""
    weak = [r for r in rows if r.health.deductions]
    return sorted(weak, key=lambda r: (r.health.score, r.title, r.pk))[:count]


def dashboard_context(user) -> dict:
    today = timezone.localdate()
    rows = portfolio(user, today)
    scores = {r.pk: r.health for r in rows}
    due = reviews_due(rows, today)
    expiring = mous_expiring(rows, today)
    warnings = partnerships_with_warnings(user, today)
    columns = board(user)
    for column in columns:
        for card in column.cards:
            card.health = scores.get(card.pk)
    return {
        "today": today,
        "columns": columns,
        "weakest": weakest(rows),
        "health_not_assessed": next((r.health.not_assessed for r in rows), []),
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
