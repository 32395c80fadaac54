"""The portal's one search: every app answers for its own kind of record (hook `search.results`),
the core only asks them and lays out what they found, grouped by kind.

Each provider reads with the visibility rules of its own app, so nothing here decides who sees
what; it returns at most `query.limit` hits in one query (it reads one more to know whether
there are more), so a search asks a fixed number of queries whatever the data's size.

On PostgreSQL the text of a record is matched by full-text search (the "simple" configuration:
the portal's text is in many languages, so no stemming of one language; every word a prefix,
so "durb" finds Durban), ranked with `SearchRank`; the big tables have a GIN index on the very
expression `matching()` builds (core.migration_operations.PostgresOnlyAddIndex). On SQLite,
the embedded default, each word must be contained in one of the fields, and the rows come in
the provider's own order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import FloatField, Q, QuerySet, Value

from core import hooks
from core.text import CONTROL_OR_BREAK

MAX_QUERY = 100  # characters: more is not a search but a paste
MAX_WORDS = 8
LIMIT = 8  # hits per kind; the kind's own list page has the rest
CONFIG = "simple"
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Query:
    """What was typed, made safe: at most MAX_QUERY characters, no control characters."""

    text: str
    limit: int = LIMIT

    @classmethod
    def parse(cls, raw: str | None, limit: int = LIMIT) -> Query:
        text = CONTROL_OR_BREAK.sub(" ", raw or "")[:MAX_QUERY]
        return cls(text=" ".join(text.split()), limit=limit)

    @property
    def words(self) -> list[str]:
        """Its words (letters and digits in any script); punctuation alone gives none."""
        return _WORD.findall(self.text.casefold())[:MAX_WORDS]

    @property
    def is_empty(self) -> bool:
        return not self.words


@dataclass(frozen=True)
class Hit:
    title: str
    url: str
    detail: str = ""  # a second line: the cities, the step, the association...


@dataclass
class Group:
    """One kind of result, as a provider returns it."""

    kind: str  # a slug: "partnerships", "cities"...
    label: str
    order: int  # top to bottom
    hits: list[Hit] = field(default_factory=list)
    more: bool = False  # more hits than shown
    more_url: str = ""  # the kind's own list page, filtered by the query, where there is one


def full_text() -> bool:
    return connection.vendor == "postgresql"


def vector(*fields: str) -> SearchVector:
    """The document a GIN index is built on: the same expression `matching()` filters on."""
    return SearchVector(*fields, config=CONFIG)


def _tsquery(words: list[str]) -> SearchQuery:
    # Each word quoted (\w never holds a quote) and a prefix: "durb" matches "durban".
    raw = " & ".join(f"'{word}':*" for word in words)
    return SearchQuery(raw, search_type="raw", config=CONFIG)


def matching(qs: QuerySet, fields: tuple[str, ...], query: Query, also: Q | None = None):
    """The rows of `qs` whose `fields` hold every word of the query (or that match `also`, a
    provider's own condition, e.g. a city by another of its names), annotated with `rank`
    and ordered by it on PostgreSQL. None when the query has no word."""
    words = query.words
    if not words:
        return None
    if full_text():
        document = vector(*fields)
        tsquery = _tsquery(words)
        # The matching ids in a subquery of their own: there the GIN index answers, where
        # `document @@ query OR also` would compute every row's document.
        ids = (
            qs.model._base_manager.alias(search_document=document)
            .filter(search_document=tsquery)
            .values("pk")
        )
        found = Q(pk__in=ids)
        qs = qs.filter(found | also if also else found)
        return qs.annotate(rank=SearchRank(document, tsquery)).order_by(
            "-rank", *qs.query.order_by or ["pk"]
        )
    found = Q()
    for word in words:
        found &= Q.create([(f"{name}__icontains", word) for name in fields], connector=Q.OR)
    return qs.filter(found | also if also else found).annotate(
        rank=Value(0.0, output_field=FloatField())
    )


def first(qs: QuerySet | None, query: Query) -> tuple[list, bool]:
    """At most `query.limit` rows, and whether there were more: one query."""
    if qs is None:
        return [], False
    rows = list(qs[: query.limit + 1])
    return rows[: query.limit], len(rows) > query.limit


def search(user, query: Query) -> list[Group]:
    """Every provider's group that found something, in their order."""
    if query.is_empty:
        return []
    groups = hooks.collect("search.results", user, query)
    return sorted((g for g in groups if g.hits), key=lambda g: g.order)
