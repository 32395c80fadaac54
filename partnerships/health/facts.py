"""The facts the health score needs, for many partnerships at once: annotations of ONE query
(scalar subqueries, never a query per partnership), plus one call to each business-involvement
provider registered on the hook `health.business_involvement` (see health/__init__.py)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from typing import Any

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
from django.db.models.lookups import GreaterThan, LessThan
from django.utils import timezone

from core import hooks
from core.querysets import built_once
from partnerships.health.rules import (
    FINISHED,
    IMPLEMENTATION_FROM,
)
from partnerships.health.score import Health, score
from partnerships.models import (
    MOU,
    Activity,
    Champion,
    KPIResult,
    Partnership,
    Review,
)

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


class _DaysBetween(Func):
    """The whole days from the date `start` to the date `end` (negative when `end` is before):
    PostgreSQL subtracts dates into days; SQLite subtracts Julian day numbers."""

    output_field = IntegerField()

    def __init__(self, start, end):
        super().__init__(end, start)

    def as_sql(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler, connection, template="(%(expressions)s)", arg_joiner=" - ", **extra_context
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


def _off_target() -> Q:
    """A KPI result that missed what was due by the end of its review's period, in whichever
    direction the target lies from the baseline: the SQL of `KPI.reached` (models/planning.py),
    case for case as `due_share` clamps, and compared by cross-multiplying as it does, so
    that the count and the pages agree to the cent (tests/partnerships/test_kpi_pace.py)."""
    end = F("review__period_end")
    rising = Q(kpi__target__gte=F("kpi__baseline"))
    falling = Q(kpi__target__lt=F("kpi__baseline"))
    # The whole target: no target date (KPIs from before there were any), or it has come.
    whole = Q(kpi__target_date__isnull=True) | Q(kpi__target_date__lte=end)
    before = Q(kpi__target_date__gt=end)
    # Nothing is due yet: the period ended on or before the KPI's start.
    nothing = before & Q(kpi__start_date__gte=end)
    # A share is due: (actual − baseline) × days to the target date against
    # (target − baseline) × days elapsed, both from the KPI's start.
    share = before & Q(kpi__start_date__lt=end)
    gained = (F("actual") - F("kpi__baseline")) * _DaysBetween(
        F("kpi__start_date"), F("kpi__target_date")
    )
    due = (F("kpi__target") - F("kpi__baseline")) * _DaysBetween(F("kpi__start_date"), end)
    return (
        whole & rising & Q(actual__lt=F("kpi__target"))
        | whole & falling & Q(actual__gt=F("kpi__target"))
        | nothing & rising & Q(actual__lt=F("kpi__baseline"))
        | nothing & falling & Q(actual__gt=F("kpi__baseline"))
        | share & rising & Q(LessThan(gained, due))
        | share & falling & Q(GreaterThan(gained, due))
    )


OFF_TARGET = _off_target()


def _count(qs: QuerySet) -> Coalesce:
    """The number of rows of `qs` (filtered on an OuterRef) as a column of the outer row.
    (As `selectors.common.count_of`, which this module may not import.)"""
    return Coalesce(
        Subquery(qs.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")),
        0,
        output_field=IntegerField(),
    )


def any_row(qs: QuerySet) -> Coalesce:
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
        h_has_champion=any_row(Champion.objects.filter(**of_it, is_active=True)),
        h_signed_mou_expires_on=Subquery(signed.values("expires_on")[:1]),
        h_has_signed_mou=any_row(signed),
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
        any_row(rows)
        for provider in hooks.providers("health.business_involvement")
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


def involvement_providers() -> tuple:
    """The business-involvement providers, which shape `with_health_facts`'s columns: part of
    the key of a queryset built once."""
    return tuple(hooks.providers("health.business_involvement"))


@built_once()
def _all_with_facts(today: dt.date, involvement: tuple) -> QuerySet[Partnership]:
    return with_health_facts(Partnership.objects.all(), today)


def partnerships_with_facts(today: dt.date) -> QuerySet[Partnership]:
    """Every partnership with its health facts, the annotations resolved once a day rather
    than on every request (a fifth of a list page's time), for the caller to filter."""
    return _all_with_facts(today, involvement_providers())


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
    if not hooks.providers("health.business_involvement"):
        return None
    ids = list(ids)
    involved: set[int] = set()
    if ids:
        for provider in hooks.providers("health.business_involvement"):
            if not (read_in_rows and _in_query(provider)):
                involved |= set(provider(ids))
    return involved


def facts_of_rows(rows: list) -> list[dict[str, Any]]:
    """The facts `score` reads, for rows read with `with_health_facts` (as dicts or models),
    business involvement included: one call per provider not read in the rows."""
    facts = [_facts(row) for row in rows]
    in_rows = [_involved_in_row(row) for row in rows]
    involved = business_involvement(
        (row_pk for row_pk, f in zip(_pks(rows), facts, strict=True) if _needs_business_check(f)),
        read_in_rows=all(value is not None for value in in_rows),
    )
    for pk, f, in_row in zip(_pks(rows), facts, in_rows, strict=True):
        f["business_involved"] = None if involved is None else pk in involved or bool(in_row)
    return facts


def _score_all(rows: list, today: dt.date) -> list[Health]:
    return [score(f, today) for f in facts_of_rows(rows)]


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
        partnerships = partnerships.values("pk")
    else:
        partnerships = list(partnerships)
    qs = partnerships_with_facts(today).filter(pk__in=partnerships).order_by()
    involved = [INVOLVED_COLUMN] if INVOLVED_COLUMN in qs.query.annotations else []
    rows = list(qs.values("pk", *dict.fromkeys([*FACT_COLUMNS, *involved, *fields])))
    return list(zip(rows, _score_all(rows, today), strict=True))


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
