"""Expressions every read of many rows uses: a list in one column, a count as a column, names;
the first rows of several lists in one query."""

from __future__ import annotations

import functools

from django.db import connections
from django.db.models import (
    Aggregate,
    BooleanField,
    CharField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Coalesce

from partnerships.models import (
    Partnership,
)


class GroupConcat(Aggregate):
    """Text values joined with ", " in one column (STRING_AGG on PostgreSQL, GROUP_CONCAT on
    SQLite), so that a row can carry a short list, such as its areas, without a query of its own.
    """

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ', ' ORDER BY %(expressions)s)"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            function="GROUP_CONCAT",
            template="%(function)s(%(expressions)s, ', ')",
            **extra_context,
        )


class FlatConcat(Func):
    """Texts joined in one flat expression, a NULL part read as "": CONCAT(a, b, ...) on
    PostgreSQL, (COALESCE(a, '') || COALESCE(b, '') || ...) on SQLite. Django's Concat nests
    its parts in pairs, and a dozen parts inside subqueries is deeper than SQLite's parser
    allows ("parser stack overflow": the dossier answered 503 on the embedded default)."""

    function = "CONCAT"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        # CONCAT takes "any": a text sent as a bound parameter needs its type said.
        clone = self.copy()
        clone.set_source_expressions(
            [
                Cast(e, TextField()) if isinstance(e, Value) else e
                for e in self.get_source_expressions()
            ]
        )
        return super(FlatConcat, clone).as_sql(compiler, connection, **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        clone = self.copy()
        parts = self.get_source_expressions()
        clone.set_source_expressions(
            [Coalesce(e, Value(""), output_field=CharField()) for e in parts]
        )
        return super(FlatConcat, clone).as_sql(
            compiler, connection, template="(%(expressions)s)", arg_joiner=" || ", **extra_context
        )


def count_of(qs: QuerySet) -> Coalesce:
    """The number of rows of `qs` (filtered on an OuterRef) as a column of the outer row."""
    return Coalesce(
        Subquery(qs.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")),
        0,
        output_field=IntegerField(),
    )


@functools.cache  # an expression is immutable: built once, reused by every query
def area_names() -> Subquery:
    """The partnership's areas of cooperation as one comma-separated column."""
    through = Partnership.areas.through
    return Subquery(
        through.objects.filter(partnership=OuterRef("pk"))
        .order_by()
        .values("partnership")
        .annotate(names=GroupConcat("cooperationarea__name"))
        .values("names"),
        output_field=CharField(),
    )


def person(user) -> str:
    """How a user is named on a page: full name, else username; "" for nobody."""
    if user is None:
        return ""
    return user.get_full_name() or user.username


def first_rows(
    base: QuerySet, lists: dict[str, QuerySet], order: tuple[str, ...] = ("title", "pk")
) -> dict[str, list]:
    """The first rows of several lists of one table in ONE query: each list is an ordered,
    sliced queryset of `base`'s model; each row of `base` that heads one comes back once, in
    `order`, and is put in the lists it heads ({name: rows}). Then sort each list on its own
    key: sorts are stable, so rows tied on a key that ends in `order` keep the database's
    order (titles as its collation sorts them)."""
    return sorted_into(lists, first_rows_queryset(base, lists, order))


def first_rows_queryset(
    base: QuerySet, lists: dict[str, QuerySet], order: tuple[str, ...] = ("title", "pk")
) -> QuerySet:
    """The query of `first_rows`: its rows flagged `heads_<name>` for each list they head (a
    page may compile it once: partnerships.selectors.dashboard)."""
    heads = [qs.values("pk") for qs in lists.values()]
    flags = {
        f"heads_{name}": ExpressionWrapper(Q(pk__in=pks), output_field=BooleanField())
        for name, pks in zip(lists, heads, strict=True)
    }
    if connections[base.db].features.supports_slicing_ordering_in_compound:
        # PostgreSQL: the ids of a UNION, looked up by primary key (an OR of the subqueries
        # would test every row of the table against each).
        wanted = Q(pk__in=heads[0].union(*heads[1:], all=True))
    else:  # SQLite allows no LIMIT in a UNION's parts
        wanted = Q(*(Q(pk__in=pks) for pks in heads), _connector=Q.OR)
    return base.annotate(**flags).filter(wanted).order_by(*order)


def sorted_into(names, rows) -> dict[str, list]:
    """{name: the rows of `first_rows_queryset` flagged as heading that list}, in their order."""
    found: dict[str, list] = {name: [] for name in names}
    for row in rows:
        for name in found:
            if getattr(row, f"heads_{name}"):
                found[name].append(row)
    return found
