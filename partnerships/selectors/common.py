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
