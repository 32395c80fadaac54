"""A partnership's health: a score from 0 to 100 computed from its data, never typed in, with
the reason for every point taken off.

The deductions are the warning signs the research names (see DOMAIN.md, "Why partnerships
fail"): nobody reviews it, its measures are missed, nothing happens, business is not involved,
its agreement lapses, nobody champions it, or it never gets past the early steps.

Two layers:
- `score(facts, today)` is a pure function over a small dict of facts about one partnership;
- `health_for(partnerships)` gathers those facts for many partnerships at once, as annotations
  of ONE query (Exists / Max / Subquery, never a query per partnership), plus one call to each
  business-involvement provider (see below). Pages that already read the partnerships annotate
  their own query with `with_health_facts` and call `attach_health` on the rows instead.

Business involvement lives in outer apps (sub-alliances, chambers) that depend on this one,
never the other way round. They register a provider in their AppConfig.ready():

    from partnerships import health
    health.BUSINESS_INVOLVEMENT_PROVIDERS.append(business_involvement_partnership_ids)

A provider takes partnership ids and returns those that involve business. With no provider
registered, that check is skipped: no points are taken off and the health says it was not
assessed. A provider may also carry `involving_rows`, a function returning querysets filtered
on the outer partnership (`OuterRef("pk")`) of which one row shows involvement: then
`with_health_facts` reads the fact in the page's own query (column `h_business_involved`)
and the provider is not called.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format

from partnerships.models import (
    MOU,
    Activity,
    Champion,
    KPIResult,
    Partnership,
    Review,
    Step,
)

# --- Thresholds --------------------------------------------------------------------------------

# Implementation that shows no activity for this long has gone quiet (as the dashboard's
# warning signs count it).
QUIET_DAYS = 90
# A signed MOU expiring within this many days needs a renewal decision now.
MOU_EXPIRING_DAYS = 90
# Steps 1-6 are preparation: a partnership in one of them for longer than this has stalled.
STALLED_DAYS = 180
# Activities, sub-alliances and business involvement are expected from implementation on.
IMPLEMENTATION_FROM = Step.IMPLEMENTATION

# --- Points taken off (they add up to 100) -----------------------------------------------------

REVIEW_OVERDUE_POINTS = 20
# Scaled by the share of KPIs off target in the last completed review, rounded up.
KPIS_OFF_TARGET_POINTS = 15
NO_RECENT_ACTIVITY_POINTS = 15
NO_BUSINESS_POINTS = 10
MOU_EXPIRED_POINTS = 15
MOU_EXPIRING_POINTS = 5
NO_CHAMPION_POINTS = 15
STALLED_POINTS = 10

# Bands for the badge.
HEALTHY_FROM = 80
AT_RISK_FROM = 50

# Outer apps append here (see the module docstring): ids in, the ids involving business out.
BusinessInvolvementProvider = Callable[[Iterable[int]], set[int]]
BUSINESS_INVOLVEMENT_PROVIDERS: list[BusinessInvolvementProvider] = []

# Partnerships that no longer run are not scored.
FINISHED = frozenset({Partnership.Status.ENDED, Partnership.Status.ARCHIVED})

BUSINESS_NOT_ASSESSED = "Business involvement was not assessed: no business data is connected."


class Deduction(NamedTuple):
    points: int
    reason: str


@dataclass(frozen=True)
class Health:
    """A score (None for a partnership that has ended or is archived) and why points were
    taken off, largest first; `not_assessed` names checks that could not be made."""

    score: int | None
    deductions: list[Deduction] = field(default_factory=list)
    not_assessed: list[str] = field(default_factory=list)

    @property
    def scored(self) -> bool:
        return self.score is not None

    @property
    def band(self) -> str:
        """ "healthy", "at_risk", "weak", or "finished" when not scored."""
        if self.score is None:
            return "finished"
        if self.score >= HEALTHY_FROM:
            return "healthy"
        if self.score >= AT_RISK_FROM:
            return "at_risk"
        return "weak"

    @property
    def label(self) -> str:
        return {
            "healthy": "Healthy",
            "at_risk": "At risk",
            "weak": "Weak",
            "finished": "Not scored",
        }[self.band]

    @property
    def css(self) -> str:
        """The Bootstrap badge class of the band."""
        return {
            "healthy": "text-bg-success",
            "at_risk": "text-bg-warning",
            "weak": "text-bg-danger",
            "finished": "text-bg-light border",
        }[self.band]

    @property
    def summary(self) -> str:
        """One line for a tooltip: the reasons, or that nothing is wrong."""
        if self.score is None:
            return "Ended or archived partnerships are not scored."
        if not self.deductions:
            return "No warning signs."
        return " ".join(d.reason for d in self.deductions)


# --- The score: a pure function ----------------------------------------------------------------


def _day(value: dt.date) -> str:
    return date_format(value, "j M Y")


def _date(value: dt.date | dt.datetime | None) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


def score(facts: dict[str, Any], today: dt.date) -> Health:
    """The health of one partnership from its facts:

    status, step, step_entered_at: the partnership's own fields;
    next_review_on: when the next review is due (None: none planned);
    last_activity_on: the latest activity up to today (None: none);
    has_champion: whether anyone actively champions it;
    signed_mou_expires_on: the signed MOU's expiry (None: no signed MOU, or no expiry);
    has_signed_mou: whether there is a signed MOU;
    expired_mou_on: the latest expiry of an MOU marked expired (None: none);
    last_review_end: the end of the period of the last completed review (None: none);
    kpis_measured, kpis_off_target: that review's KPI results, and how many missed target;
    business_involved: True / False, or None when not assessed (no provider registered).
    """
    if facts["status"] in FINISHED:
        return Health(score=None)
    step = facts["step"]
    running = step >= IMPLEMENTATION_FROM
    found: list[Deduction] = []
    not_assessed: list[str] = []

    next_review_on = facts.get("next_review_on")
    if next_review_on and next_review_on < today:
        reason = f"Review overdue: it was due on {_day(next_review_on)}."
        found.append(Deduction(REVIEW_OVERDUE_POINTS, reason))

    measured, off = facts.get("kpis_measured") or 0, facts.get("kpis_off_target") or 0
    if measured and off:
        points = math.ceil(KPIS_OFF_TARGET_POINTS * off / measured)
        kpis = "KPI" if measured == 1 else "KPIs"
        found.append(
            Deduction(
                points,
                f"{off} of {measured} {kpis} off target in the last review "
                f"(to {_day(facts['last_review_end'])}).",
            )
        )

    last = facts.get("last_activity_on")
    if running and (last is None or last <= today - dt.timedelta(days=QUIET_DAYS)):
        reason = (
            f"No activity in the last {QUIET_DAYS} days (the last on {_day(last)})."
            if last
            else "No activity logged since implementation began."
        )
        found.append(Deduction(NO_RECENT_ACTIVITY_POINTS, reason))

    involved = facts.get("business_involved")
    if involved is None:
        not_assessed.append(BUSINESS_NOT_ASSESSED)
    elif running and not involved:
        found.append(
            Deduction(
                NO_BUSINESS_POINTS,
                "No business involvement: no business sub-alliance and no accepted interest "
                "from business.",
            )
        )

    expires_on = facts.get("signed_mou_expires_on")
    expired_on = facts.get("expired_mou_on")
    if expires_on and expires_on < today:
        found.append(
            Deduction(MOU_EXPIRED_POINTS, f"The signed MOU expired on {_day(expires_on)}.")
        )
    elif expires_on and expires_on <= today + dt.timedelta(days=MOU_EXPIRING_DAYS):
        found.append(
            Deduction(
                MOU_EXPIRING_POINTS,
                f"The MOU expires on {_day(expires_on)}, within {MOU_EXPIRING_DAYS} days: "
                "decide on its renewal.",
            )
        )
    elif running and expired_on and not facts.get("has_signed_mou"):
        found.append(
            Deduction(
                MOU_EXPIRED_POINTS,
                f"The MOU expired on {_day(expired_on)} and no new one is signed.",
            )
        )

    if not facts.get("has_champion"):
        found.append(Deduction(NO_CHAMPION_POINTS, "No active champion."))

    entered = _date(facts.get("step_entered_at"))
    if not running and entered and (today - entered).days > STALLED_DAYS:
        found.append(
            Deduction(
                STALLED_POINTS,
                f"Stalled: in step {step} ({Step(step).label}) for {(today - entered).days} days.",
            )
        )

    found.sort(key=lambda d: -d.points)
    total = sum(d.points for d in found)
    return Health(score=max(0, 100 - total), deductions=found, not_assessed=not_assessed)


# --- Facts for many partnerships at once -------------------------------------------------------

# Annotation name → fact name.
FACT_COLUMNS = {
    "status": "status",
    "step": "step",
    "step_entered_at": "step_entered_at",
    "next_review_on": "next_review_on",
    "h_last_activity_on": "last_activity_on",
    "h_has_champion": "has_champion",
    "h_signed_mou_expires_on": "signed_mou_expires_on",
    "h_has_signed_mou": "has_signed_mou",
    "h_expired_mou_on": "expired_mou_on",
    "h_last_review_end": "last_review_end",
    "h_kpis_measured": "kpis_measured",
    "h_kpis_off_target": "kpis_off_target",
}

# A KPI result that missed its target, in whichever direction the target lies from the
# baseline (as KPIResult.on_target says it).
OFF_TARGET = Q(kpi__target__gte=F("kpi__baseline"), actual__lt=F("kpi__target")) | Q(
    kpi__target__lt=F("kpi__baseline"), actual__gt=F("kpi__target")
)


def _count(qs: QuerySet) -> Coalesce:
    """The number of rows of `qs` (filtered on an OuterRef) as a column of the outer row.
    (As `selectors.count_of`; repeated so that selectors may use this module.)"""
    return Coalesce(
        Subquery(qs.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")),
        0,
        output_field=IntegerField(),
    )


def _any(qs: QuerySet) -> Coalesce:
    """Whether `qs` (filtered on an OuterRef) has a row, as a column of the outer row.

    Not `Exists`: in a SELECT list PostgreSQL may plan an EXISTS as a hashed SubPlan that reads
    every matching row of the whole table (all active champions, all signed MOUs) because it
    costs it for every row before the page's LIMIT. A scalar subquery is never hashed: it is an
    index probe per row actually returned (25 on a list page, 1 on the partnership page)."""
    return Coalesce(
        Subquery(
            qs.order_by().annotate(one=Value(True)).values("one")[:1], output_field=BooleanField()
        ),
        Value(False),
        output_field=BooleanField(),
    )


@functools.lru_cache(maxsize=2)
def _fact_columns(today: dt.date) -> dict[str, Any]:
    """The annotations of `with_health_facts`, built once a day rather than on every request
    (~5 ms of Python each time): expressions are immutable, `annotate` resolves copies."""
    of_it = {"partnership": OuterRef("pk")}
    mous = MOU.objects.filter(**of_it)
    signed = mous.filter(status=MOU.Status.SIGNED)
    completed = Review.objects.filter(**of_it, status=Review.Status.COMPLETED).order_by(
        "-period_end", "-id"
    )
    results = KPIResult.objects.filter(review=OuterRef("h_last_review_id"))
    return dict(
        h_last_activity_on=Subquery(
            Activity.objects.filter(**of_it, occurred_on__lte=today)
            .order_by()
            .values("partnership")
            .annotate(last=Max("occurred_on"))
            .values("last")
        ),
        h_has_champion=_any(Champion.objects.filter(**of_it, is_active=True)),
        h_signed_mou_expires_on=Subquery(signed.values("expires_on")[:1]),
        h_has_signed_mou=_any(signed),
        h_expired_mou_on=Subquery(
            mous.filter(status=MOU.Status.EXPIRED)
            .order_by()
            .values("partnership")
            .annotate(last=Max("expires_on"))
            .values("last")
        ),
        h_last_review_id=Subquery(completed.values("pk")[:1]),
        h_last_review_end=Subquery(completed.values("period_end")[:1]),
        h_kpis_measured=_count(results),
        h_kpis_off_target=_count(results.filter(OFF_TARGET)),
    )


def with_health_facts(qs: QuerySet[Partnership], today: dt.date) -> QuerySet[Partnership]:
    """`qs` with the facts `score` needs as annotations (columns of the same query)."""
    involving = [
        _any(rows)
        for provider in BUSINESS_INVOLVEMENT_PROVIDERS
        if _in_query(provider)
        for rows in provider.involving_rows()
    ]
    if involving:
        qs = qs.annotate(
            **{
                INVOLVED_COLUMN: ExpressionWrapper(
                    Q(*involving, _connector=Q.OR), output_field=BooleanField()
                )
            }
        )
    return qs.annotate(**_fact_columns(today))


def _facts(row: dict[str, Any] | Partnership) -> dict[str, Any]:
    if isinstance(row, dict):
        return {fact: row[column] for column, fact in FACT_COLUMNS.items()}
    return {fact: getattr(row, column) for column, fact in FACT_COLUMNS.items()}


# Business involvement read in the page's own query, from the providers' `involving_rows`.
INVOLVED_COLUMN = "h_business_involved"


def _in_query(provider) -> bool:
    return callable(getattr(provider, "involving_rows", None))


def _involved_in_row(row: dict[str, Any] | Partnership) -> bool | None:
    if isinstance(row, dict):
        return row.get(INVOLVED_COLUMN)
    return getattr(row, INVOLVED_COLUMN, None)


def _needs_business_check(facts: dict[str, Any]) -> bool:
    return facts["status"] not in FINISHED and facts["step"] >= IMPLEMENTATION_FROM


def business_involvement(ids: Iterable[int], read_in_rows: bool = False) -> set[int] | None:
    """The ids, among `ids`, of partnerships involving business, by asking every registered
    provider once (but, when `read_in_rows`, those whose `involving_rows` the rows were read
    with); None when no provider is registered (not assessed)."""
    if not BUSINESS_INVOLVEMENT_PROVIDERS:
        return None
    ids = list(ids)
    involved: set[int] = set()
    if ids:
        for provider in BUSINESS_INVOLVEMENT_PROVIDERS:
            if not (read_in_rows and _in_query(provider)):
                involved |= set(provider(ids))
    return involved


def _score_all(rows: list, today: dt.date) -> list[Health]:
    facts = [_facts(row) for row in rows]
    in_rows = [_involved_in_row(row) for row in rows]
    involved = business_involvement(
        (row_pk for row_pk, f in zip(_pks(rows), facts, strict=True) if _needs_business_check(f)),
        read_in_rows=all(value is not None for value in in_rows),
    )
    for pk, f, in_row in zip(_pks(rows), facts, in_rows, strict=True):
        f["business_involved"] = None if involved is None else pk in involved or bool(in_row)
    return [score(f, today) for f in facts]


def _pks(rows: list) -> list[int]:
    return [row["pk"] if isinstance(row, dict) else row.pk for row in rows]


def health_rows(
    partnerships: QuerySet[Partnership] | Iterable[int],
    today: dt.date | None = None,
    fields: Iterable[str] = (),
) -> list[tuple[dict[str, Any], Health]]:
    """(the row's `fields` and pk, its health) for each partnership: one query, plus one call
    per business-involvement provider."""
    today = today or timezone.localdate()
    if isinstance(partnerships, QuerySet):
        qs = Partnership.objects.filter(pk__in=partnerships.values("pk"))
    else:
        qs = Partnership.objects.filter(pk__in=list(partnerships))
    qs = with_health_facts(qs.order_by(), today)
    involved = [INVOLVED_COLUMN] if INVOLVED_COLUMN in qs.query.annotations else []
    rows = list(qs.values("pk", *dict.fromkeys([*FACT_COLUMNS, *involved, *fields])))
    return list(zip(rows, _score_all(rows, today), strict=True))


def health_rows_in_chunks(
    partnerships: QuerySet[Partnership],
    today: dt.date | None = None,
    fields: Iterable[str] = (),
    chunk: int = 2000,
) -> Iterator[list[tuple[dict[str, Any], Health]]]:
    """As `health_rows`, one chunk of rows at a time, read from one query with a cursor: for a
    caller that keeps a few rows of a portfolio that may be every partnership (an admin's),
    so that memory follows the chunk, not the portfolio. The providers not read in the query
    are asked once per chunk."""
    today = today or timezone.localdate()
    qs = with_health_facts(Partnership.objects.filter(pk__in=partnerships.values("pk")), today)
    involved = [INVOLVED_COLUMN] if INVOLVED_COLUMN in qs.query.annotations else []
    columns = dict.fromkeys([*FACT_COLUMNS, *involved, *fields])
    rows = qs.order_by().values("pk", *columns).iterator(chunk_size=chunk)
    while batch := list(itertools.islice(rows, chunk)):
        yield list(zip(batch, _score_all(batch, today), strict=True))


def health_for(
    partnerships: QuerySet[Partnership] | Iterable[int], today: dt.date | None = None
) -> dict[int, Health]:
    """{partnership id: Health} for the given ids or queryset, in a fixed number of queries."""
    return {row["pk"]: health for row, health in health_rows(partnerships, today)}


def health_of(partnership: Partnership, today: dt.date | None = None) -> Health:
    """One partnership's health: from its annotations when it was read with
    `with_health_facts` (no query), else in one query; plus the providers' queries."""
    if hasattr(partnership, "h_kpis_off_target"):
        return attach_health([partnership], today)[0].health
    return health_for([partnership.pk], today)[partnership.pk]


def attach_health(rows: Iterable[Partnership], today: dt.date | None = None) -> list[Partnership]:
    """Set `.health` on partnerships read with `with_health_facts` (no query of its own but
    one per business-involvement provider)."""
    rows = list(rows)
    for row, health in zip(rows, _score_all(rows, today or timezone.localdate()), strict=True):
        row.health = health
    return rows
