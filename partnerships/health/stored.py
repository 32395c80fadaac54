"""Each partnership's health facts and score, stored (models.HealthSummary), so that a
portfolio ranked weakest first reads indexed columns instead of scoring every partnership.

Every partnership has a row: its first save creates it, the migration created those of
existing installations, `add_missing` (nightly) those inserted without signals. Kept right by
three things:

- a write to any row the facts are read from (`SOURCES`, and the models outer apps add with
  `watch`) marks its partnership's row stale in the same transaction, through post_save and
  post_delete. A write that sends no signal (`.update()`, `bulk_create`) calls `mark_stale`
  or `written` itself, as it bumps the page cache;
- a reader recomputes the marked or earlier-day rows of the portfolio it reads
  (`refresh_stale`) before reading it: the score depends on the day (a review falls overdue, a
  partnership goes quiet), so a row is current for the day it was scored on only;
- so that readers rarely have to: the writer's own transaction recomputes its partnerships on
  commit, and a nightly task (`tasks.refresh_health`) every row of the new day.

A recomputation stores its row only if no write marked it since it read the facts (`stamp`):
otherwise the row stays stale for the next reader rather than hold what was read before.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connections, router
from django.db.models import F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from core.querysets import custom_plans
from core.transactions import gathered_on_commit
from partnerships.health.facts import (
    FACT_COLUMNS,
    INVOLVED_COLUMN,
    any_row,
    facts_of_rows,
    partnerships_with_facts,
)
from partnerships.health.score import Health, score
from partnerships.models import (
    KPI,
    MOU,
    Activity,
    Champion,
    HealthSummary,
    KPIResult,
    Partnership,
    Review,
)

# The facts kept in the summary; the others are the partnership's own columns.
OWN_FACTS = ("status", "step", "step_entered_at", "next_review_on")
STORED_FACTS = (
    *(f for f in FACT_COLUMNS.values() if f not in OWN_FACTS),
    "business_involved",
    "has_kpis",  # not the score's: the warning signs' (health/warnings.py)
)
CHUNK = 2000
# More rows than this are a bulk recomputation: planned for its own ids (`custom_plans`).
BULK = 100

# The models the facts are read from: a row of each names its partnership directly, but a KPI
# result (through its review).
SOURCES = (Partnership, Activity, Champion, MOU, Review, KPI, KPIResult)


def _partnership_ids(model: type, row) -> set[int]:
    if model is Partnership:
        return {row.pk}
    if model is KPIResult:
        return set(Review.objects.filter(pk=row.review_id).values_list("partnership_id", flat=True))
    return {row.partnership_id} if row.partnership_id is not None else set()


# --- Marking on write ------------------------------------------------------------------------


def _table() -> str:
    return HealthSummary._meta.db_table


def mark_stale(ids: Iterable[int], *, deleting: bool = False, using: str | None = None) -> None:
    """Mark these partnerships' rows stale in the current transaction (a row is created if
    missing, so that a recomputation that read before this write cannot store what it read),
    and recompute them once it commits. `deleting`: only mark existing rows, the partnership
    may be going with them."""
    ids = sorted(set(ids))
    if not ids:
        return
    using = using or router.db_for_write(HealthSummary)
    connection = connections[using]
    table = connection.ops.quote_name(_table())
    with connection.cursor() as cursor:
        if deleting:
            cursor.execute(
                f"UPDATE {table} SET stamp = stamp + 1, scored_on = NULL "
                f"WHERE partnership_id IN ({', '.join(['%s'] * len(ids))})",
                ids,
            )
        else:
            cursor.executemany(
                f"INSERT INTO {table} (partnership_id, stamp) VALUES (%s, 1) "
                f"ON CONFLICT (partnership_id) DO UPDATE "
                f"SET stamp = {table}.stamp + 1, scored_on = NULL",
                [(pk,) for pk in ids],
            )
    # A recomputation that fails leaves the rows stale for the next reader.
    with gathered_on_commit(_Recompute, using) as pending:
        pending.ids.update(ids)
        pending.using = using


@dataclass(eq=False)
class _Recompute:
    """One recomputation per transaction, of every partnership its writes marked."""

    ids: set[int] = field(default_factory=set)
    using: str | None = None
    done: bool = False

    def __call__(self) -> None:
        self.done = True
        refresh(self.ids, timezone.localdate(), using=self.using)


def _on_save(sender, instance, using=None, raw=False, **kwargs) -> None:
    if raw:
        # A fixture being loaded (the SQLite restore): it brings its own summaries, which a
        # mark would make differ from the backup; a row it lacks is computed by its first reader.
        return
    mark_stale(_partnership_ids(sender, instance), using=using)


def _on_delete(sender, instance, using=None, **kwargs) -> None:
    mark_stale(_partnership_ids(sender, instance), deleting=True, using=using)


_WATCHED: set[type] = set()


def watch(*models: type) -> None:
    """Mark a partnership's row stale on every save or delete of these models' rows: ours, and
    those outer apps read business involvement from (each row with a `partnership_id`)."""
    _WATCHED.update(models)
    for model in models:
        uid = f"health_summary_{model._meta.label}"
        post_save.connect(_on_save, sender=model, dispatch_uid=uid)
        post_delete.connect(_on_delete, sender=model, dispatch_uid=uid)


def written(model: type, rows: Iterable) -> None:
    """What saving `rows` one by one would have done to the stored health: for rows written
    without signals (`bulk_create`)."""
    if model in _WATCHED:
        mark_stale({pk for row in rows for pk in _partnership_ids(model, row)})


def add_missing() -> int:
    """Give every partnership without a row one, marked stale: those inserted without signals
    (`bulk_create`: the synthetic seed). Readers look only at marked rows (an index), not for
    missing ones (a scan of every partnership), so the nightly task calls this first."""
    missing = Partnership.objects.filter(health_summary__isnull=True).values_list("pk", flat=True)
    rows = [HealthSummary(partnership_id=pk, stamp=1) for pk in missing.iterator()]
    HealthSummary.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
    return len(rows)


# --- Recomputing -----------------------------------------------------------------------------


def _facts_query(today: dt.date, using: str | None) -> QuerySet[Partnership]:
    qs = partnerships_with_facts(today).annotate(
        h_stamp=Coalesce(F("health_summary__stamp"), Value(0)),
        h_has_kpis=any_row(KPI.objects.filter(partnership=OuterRef("pk"))),
    )
    return qs.using(using) if using else qs


def _recompute(qs: QuerySet[Partnership], today: dt.date, using: str | None) -> list[dict]:
    """Read the facts of `qs`'s rows (a chunk) and store them; returns the rows read."""
    involved = [INVOLVED_COLUMN] if INVOLVED_COLUMN in qs.query.annotations else []
    rows = list(
        qs.values("pk", "h_stamp", "h_has_kpis", *dict.fromkeys([*FACT_COLUMNS, *involved]))
    )
    if rows:
        facts = facts_of_rows(rows)
        for row, f in zip(rows, facts, strict=True):
            f["has_kpis"] = row["h_has_kpis"]
        _store(rows, facts, today, using)
    return rows


def refresh(ids: Iterable[int], today: dt.date, using: str | None = None) -> int:
    """Recompute these partnerships' rows for `today` (an ended partnership's has no score)
    and store each one no write marked meanwhile. Returns how many were read."""
    ids = sorted(ids)
    read = 0
    # A few rows (a writer's commit, a page's stale rows) keep the prepared plans.
    db = using or router.db_for_write(HealthSummary)
    plans = custom_plans(db) if len(ids) > BULK else contextlib.nullcontext()
    with plans:
        for start in range(0, len(ids), CHUNK):
            chunk = _facts_query(today, using).filter(pk__in=ids[start : start + CHUNK])
            read += len(_recompute(chunk.order_by(), today, using))
    return read


def stale(partnerships: QuerySet[Partnership], today: dt.date) -> QuerySet[Partnership]:
    """Those of `partnerships` whose row must be recomputed before it is read today: marked,
    or scored on an earlier day (found through the index on `scored_on`: every partnership
    has a row, see `add_missing`; an ended one's is kept current too, with no score, so that
    the day's stale rows are only those a reader needs)."""
    marked = HealthSummary.objects.filter(Q(scored_on__isnull=True) | Q(scored_on__lt=today))
    return partnerships.filter(pk__in=marked.values("partnership_id"))


def refresh_stale(partnerships: QuerySet[Partnership], today: dt.date) -> int:
    """Recompute the rows of `partnerships` that are not current for `today`: one query when
    all are, then two per chunk. Returns how many were read."""
    ids = list(stale(partnerships, today).order_by().values_list("pk", flat=True))
    return refresh(ids, today) if ids else 0


def _store(rows: list[dict], facts: list[dict], today: dt.date, using: str | None) -> None:
    using = using or router.db_for_write(HealthSummary)
    connection = connections[using]
    table = connection.ops.quote_name(_table())
    columns = ("scored_on", "score", *STORED_FACTS)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    updates = ", ".join(f"{c} = excluded.{c}" for c in map(connection.ops.quote_name, columns))
    values = [
        (row["pk"], row["h_stamp"], today, score(f, today).score, *(f[c] for c in STORED_FACTS))
        for row, f in zip(rows, facts, strict=True)
    ]
    with connection.cursor() as cursor:
        # A row whose stamp moved since the facts were read was written meanwhile: left stale.
        cursor.executemany(
            f"INSERT INTO {table} (partnership_id, stamp, {names}) "
            f"VALUES ({', '.join(['%s'] * (len(columns) + 2))}) "
            f"ON CONFLICT (partnership_id) DO UPDATE SET {updates} "
            f"WHERE {table}.stamp = excluded.stamp",
            values,
        )


def analyze(using: str | None = None) -> None:
    """Refresh the planner's statistics of the table after the nightly task rewrote its rows.
    The weakest-first and expiring lists are planned on them: with yesterday's (or with those
    of a table whose rows were still unscored) PostgreSQL took `score < 100` for one row and
    walked the index over thousands (42 ms instead of 5 ms for a dashboard's lists).
    Autovacuum would do it in time where it runs, and not at all where it is turned off."""
    using = using or router.db_for_write(HealthSummary)
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(_table())}")


# --- Reading ---------------------------------------------------------------------------------


def with_summary(partnerships: QuerySet[Partnership]) -> QuerySet[Partnership]:
    """`partnerships` read with their stored row (refresh them first: `refresh_stale`)."""
    return partnerships.select_related("health_summary")


def stored_health(partnership: Partnership, today: dt.date) -> Health:
    """The health of a partnership read `with_summary`, from its stored facts (no query)."""
    summary = partnership.health_summary
    facts = {name: getattr(partnership, name) for name in OWN_FACTS}
    facts.update((name, getattr(summary, name)) for name in STORED_FACTS)
    return score(facts, today)


def attach(rows, today: dt.date) -> list[Partnership]:
    """Set `.health` on partnerships read `with_summary` (a page of the list, the partnership
    page), from their stored rows: those not current today are recomputed first and read
    again, which asks three queries only then."""
    rows = list(rows)
    stale = [p.pk for p in rows if not _is_current(p, today)]
    if stale:
        refresh(stale, today)
        fresh = HealthSummary.objects.in_bulk(stale)
        for p in rows:
            if p.pk in fresh:
                p.health_summary = fresh[p.pk]
    for p in rows:
        p.health = stored_health(p, today)
    return rows


def _is_current(partnership: Partnership, today: dt.date) -> bool:
    summary = getattr(partnership, "health_summary", None)  # None: no row yet
    return summary is not None and summary.scored_on == today
