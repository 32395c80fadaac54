"""One callback per transaction that gathers what its writes name and acts once on commit (the
page cache's generations, the stored health's recomputation): a transaction that writes 200
rows bumps or recomputes once, not 200 times."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.db import transaction

Gatherer = TypeVar("Gatherer")


@contextmanager
def gathered_on_commit(kind: type[Gatherer], using: str | None = None) -> Iterator[Gatherer]:
    """The `kind` callback waiting for the current transaction to commit, or a new one: add to
    it what the write names inside the `with`; a new one is registered after (outside a
    transaction it then runs at once, with what was added). `kind` is a callable class built
    without arguments, with a `done` attribute it sets when it runs (so that one a test has
    already run is not reused). Registered `robust`: a callback that fails is logged, it must
    not turn a committed write into an error page."""
    connection = transaction.get_connection(using)
    pending = None
    if connection.in_atomic_block:
        pending = next(
            (
                entry[1]
                for entry in connection.run_on_commit
                if isinstance(entry[1], kind) and not entry[1].done
            ),
            None,
        )
    fresh = pending is None
    if fresh:
        pending = kind()
    yield pending
    if fresh:
        transaction.on_commit(pending, using=using, robust=True)
