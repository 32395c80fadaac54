"""Querysets built once and handed out as clones.

Resolving a queryset's annotations (dozens of subqueries on the partnership page, the list and
the health facts) is a large share of a page's Python, and the result is the same for every
request of the day. `built_once` keeps the queryset a function builds, per distinct arguments
(today's date, the hook providers that shape it), and returns a fresh clone on each call: the
kept one is never filtered, annotated or evaluated by a caller, so no request leaves anything
in it for the next. `fn.built(...)` reaches the kept one (tests check it stays untouched).

`custom_plans` is the other side of prepared statements (config/settings/base.py): a bulk job
whose queries hold long lists of ids asks PostgreSQL to plan each for its own parameters.

`compiled_once` goes one step further for a query that differs from one request to the next
only by a few ids (a partnership's timeline; its page's row, for the reader's cities): its SQL
is compiled once and run with the ids swapped in, so neither the querysets nor their SQL are
built again. It gives rows, or model instances as the ORM would (`CompiledQuery.instances`).
"""

from __future__ import annotations

import contextlib
import copy
import functools
from collections.abc import Callable, Iterator
from typing import TypeVar

from django.db import connections
from django.db.models import Model, QuerySet

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


# --- Compiled once --------------------------------------------------------------------------

# The argument a compiled query is built for, swapped for the real one at run time: negative,
# so no row has it, and unlike any other parameter a query holds. A query of several arguments
# is built with `marker(i)` for its i-th (MARKER is `marker(0)`).
MARKER = -(2**40) - 7
MAX_ARGUMENTS = 2048


def marker(i: int) -> int:
    """The stand-in for a compiled query's argument number `i`."""
    if not 0 <= i < MAX_ARGUMENTS:
        raise ValueError(f"A compiled query takes at most {MAX_ARGUMENTS} arguments.")
    return MARKER - i


class CompiledQuery:
    """A queryset compiled to SQL once for its markers, run for any values in their place.

    Compiling a UNION of half a dozen annotated querysets (the partnership page's timeline)
    cost five times the query itself; the SQL is the same for every partnership but for the
    id. The rows go through the compiler's own converters, as the ORM would deliver them
    (dates and times from SQLite included). Its first argument, `MARKER`, must be in it."""

    def __init__(self, queryset: QuerySet):
        self.queryset = queryset
        self.alias = queryset.db
        self.compiler = queryset.query.get_compiler(using=self.alias)
        self.sql, params = self.compiler.as_sql()
        self.params = tuple(params)
        # With server-side binding an integer parameter may come typed (psycopg's Int8, an
        # int): its value is swapped in the same type, so the statement keeps its types.
        self.slots = [
            (i, MARKER - p, type(p))
            for i, p in enumerate(self.params)
            if isinstance(p, int)
            and not isinstance(p, bool)
            and MARKER - MAX_ARGUMENTS < p <= MARKER
        ]
        if not any(argument == 0 for _, argument, _ in self.slots):
            raise ValueError("The queryset does not depend on its argument (no MARKER in it).")
        query = queryset.query  # the column names, as Django's ValuesIterable names them
        if getattr(query, "selected", None):  # Django 5.2: the order values() was given
            self.names = list(query.selected)
        else:
            self.names = [*query.extra_select, *query.values_select, *query.annotation_select]

    def _params(self, values: tuple) -> list:
        params = list(self.params)
        for i, argument, kind in self.slots:
            value = values[argument]
            params[i] = value if value is None else kind(value)
        return params

    def rows(self, *values) -> list[tuple]:
        with connections[self.alias].cursor() as cursor:
            cursor.execute(self.sql, self._params(values))
            found = cursor.fetchall()
        return list(self.compiler.results_iter(results=[found], tuple_expected=True))

    def dicts(self, *values) -> list[dict]:
        """The rows as a `.values()` queryset gives them."""
        return [dict(zip(self.names, row, strict=True)) for row in self.rows(*values)]

    def instances(self, *values) -> list[Model]:
        """The model instances the queryset gives (its select_related objects and annotations
        included, not its prefetch_related), through Django's own iterable: only the SQL is
        not compiled again."""
        compiler = copy.copy(self.compiler)
        compiled = (self.sql, self._params(values))
        compiler.as_sql = lambda *args, **kwargs: compiled
        compiler.connection = connections[self.alias]  # this thread's, not the compiling one's
        queryset = QuerySet(model=self.queryset.model, using=self.alias)
        queryset.query.get_compiler = lambda *args, **kwargs: compiler
        return list(queryset)


def compiled_once(
    maxsize: int = 8, as_dicts: bool = False, as_instances: bool = False
) -> Callable[[Callable[..., QuerySet]], Callable[..., list]]:
    """Decorate `build(marker, *shape)`, which returns a queryset depending on one id: the
    decorated `fn(id, *shape)` returns its rows (tuples; dicts with `as_dicts`; model instances
    with `as_instances`), compiling the SQL once per `shape` (which must be hashable and name
    everything else the query depends on). `fn.compiled(*shape)` reaches the CompiledQuery."""

    def decorator(build: Callable[..., QuerySet]) -> Callable[..., list]:
        @functools.lru_cache(maxsize=maxsize)
        def compiled(*shape) -> CompiledQuery:
            return CompiledQuery(build(MARKER, *shape))

        @functools.wraps(build)
        def run(value: int, *shape) -> list:
            query = compiled(*shape)
            if as_instances:
                return query.instances(value)
            return query.dicts(value) if as_dicts else query.rows(value)

        run.compiled = compiled
        return run

    return decorator


def prefetched(instance: Model, name: str, objects: list[Model]) -> None:
    """Give `instance` its reverse relation `name` as `prefetch_related` would, from objects
    read otherwise (a compiled query): `instance.<name>.all()` then asks no query, and each
    object knows `instance` without asking either."""
    manager = getattr(instance, name)
    field = manager.field
    for obj in objects:
        field.set_cached_value(obj, instance)
    queryset = manager.get_queryset()
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[field.remote_field.cache_name] = queryset


# --- Plans for bulk work ----------------------------------------------------------------------


@contextlib.contextmanager
def custom_plans(using: str = "default") -> Iterator[None]:
    """Meanwhile, PostgreSQL plans every query for its own parameters. A prepared query is
    planned once per connection (generic plans: what makes a page's queries quick), but a
    generic plan of a bulk query (thousands of ids, recomputed chunk after chunk) was 4 times
    slower than its custom one: the stored health of 30,000 partnerships took 11.8 s instead of
    2.8 s. Inside a transaction the setting ends with it; else it is reset on the way out."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    if connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET plan_cache_mode = force_custom_plan")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET plan_cache_mode")
