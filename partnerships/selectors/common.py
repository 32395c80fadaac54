"""Expressions every read of many rows uses: a list in one column, a count as a column, names."""

from __future__ import annotations

import functools

from django.db.models import (
    Aggregate,
    CharField,
    F,
    Func,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

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
