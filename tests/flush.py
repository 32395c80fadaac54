"""A transactional test leaves the database as the migrations left it.

A transactional test (`django_db(transaction=True)`, `live_server`) ends with Django's flush,
which empties every table: the rows the migrations put in (the reference lists, the beat
schedule, the content types and permissions) went with it, and a test that ran after it in
the same process found them missing, or not, depending on the order xdist gave it.

So this process copies the tables that hold rows just before its first transactional test
(every earlier test has been rolled back, so the database is as the migrations left it): into
the schema `SNAPSHOT` on PostgreSQL, into tables named `SNAPSHOT__<table>` on SQLite (no
schemas there; neither is a model's table, so no flush touches them). The flush puts those rows
back after emptying the tables. On PostgreSQL it also empties by DELETE in one transaction
instead of TRUNCATE: a TRUNCATE makes new files for every table and index, 0.23 s even when
they are empty; the DELETEs take 0.01 s (foreign keys are checked at the commit, by then
consistent again).
"""

from __future__ import annotations

import pytest
from django.db import connection

from tests.transactional import is_transactional

SNAPSHOT = "test_snapshot"
# The tables copied into SNAPSHOT and their columns, once per process (None: not yet).
_saved: dict[str, list[str]] | None = None


def _copy(table: str) -> str:
    """Where `table`'s rows are kept."""
    if connection.vendor == "postgresql":
        return f"{SNAPSHOT}.{connection.ops.quote_name(table)}"
    return connection.ops.quote_name(f"{SNAPSHOT}__{table}")


def take_snapshot() -> None:
    """Copy every table holding rows, as the database stands now (see above)."""
    global _saved
    if _saved is not None:
        return
    saved = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP SCHEMA IF EXISTS {SNAPSHOT} CASCADE; CREATE SCHEMA {SNAPSHOT}")
        else:
            for table in connection.introspection.table_names(cursor):
                if table.startswith(f"{SNAPSHOT}__"):
                    cursor.execute(f"DROP TABLE {connection.ops.quote_name(table)}")
        for table in connection.introspection.django_table_names(only_existing=True):
            name = connection.ops.quote_name(table)
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {name})")
            if not cursor.fetchone()[0]:
                continue
            cursor.execute(f"CREATE TABLE {_copy(table)} AS SELECT * FROM {name}")
            columns = connection.introspection.get_table_description(cursor, table)
            saved[table] = [connection.ops.quote_name(c.name) for c in columns]
    _saved = saved


def _restore_sql(tables) -> list[str]:
    """INSERTs putting the snapshot's rows back, by column name (a migration test may have
    rebuilt a table with its columns in another order)."""
    sql = []
    for table in tables:
        columns = (_saved or {}).get(table)
        if columns:
            name = connection.ops.quote_name(table)
            listed = ", ".join(columns)
            sql.append(f"INSERT INTO {name} ({listed}) SELECT {listed} FROM {_copy(table)};")
    return sql


def install() -> None:
    """Replace the flush SQL of PostgreSQL and SQLite: empty the tables, then put the
    snapshot back."""
    from django.apps import apps
    from django.db.backends.postgresql.base import DatabaseWrapper as PostgreSQLWrapper
    from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper

    PostgreSQL, SQLite = PostgreSQLWrapper.ops_class, SQLiteWrapper.ops_class

    def restoring(empty):
        def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
            sql = empty(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
            sql += _restore_sql(tables)
            if reset_sequences:
                # Restarted sequences would hand out the restored rows' ids again.
                restored = [m for m in apps.get_models() if m._meta.db_table in (_saved or {})]
                sql += self.sequence_reset_sql(style, restored)
            return sql

        return sql_flush

    truncate = PostgreSQL.sql_flush

    def delete_or_truncate(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        delete = style.SQL_KEYWORD("DELETE FROM")
        return [f"{delete} {style.SQL_FIELD(self.quote_name(table))};" for table in tables]

    PostgreSQL.sql_flush = restoring(delete_or_truncate)
    SQLite.sql_flush = restoring(SQLite.sql_flush)


@pytest.fixture(autouse=True)
def _snapshot_before_a_flush(request):
    """Before this process's first transactional test, the snapshot its flush restores."""
    if _saved is None and is_transactional(request):
        request.getfixturevalue("transactional_db")
        take_snapshot()
