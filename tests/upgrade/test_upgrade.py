"""An existing installation upgrades without losing or duplicating a row.

`data/baseline-fbd6a7d.sql.gz` is a PostgreSQL dump made by the portal as it was at commit
fbd6a7d (before the notifications app existed): migrated, `load_demo`, two reminder scans
(111 reminders), notification preferences and calendar feeds. The test restores it into a
database of its own, migrates it to today's head with `manage.py migrate` (a separate process,
as an operator would), and compares every table's row count and a checksum of its rows over
the columns it had before: nothing lost, nothing duplicated, nothing changed but what the
migrations are meant to change (listed in EXPECTED). Tables renamed by a migration are
compared under their new name (RENAMED).
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from psycopg import sql

BASELINE = Path(__file__).parent / "data" / "baseline-fbd6a7d.sql.gz"
ROOT = Path(__file__).resolve().parents[2]

# The reminder models moved from partnerships to notifications (partnerships 0009).
RENAMED = {
    "partnerships_reminder": "notifications_reminder",
    "partnerships_notificationpreference": "notifications_notificationpreference",
    "partnerships_calendarfeed": "notifications_calendarfeed",
}
# Tables whose rows a migration is meant to change, and the columns it changes (compared
# apart, below); tables that only grow (new migrations, new permissions).
EXPECTED = {
    "django_content_type": {"app_label"},
    "django_celery_beat_periodictask": {"task"},
    # partnerships 0015: a 0 nobody ever changed becomes "not assessed yet" (NULL).
    "partnerships_partnership": {"relationship_strength"},
    # alliances 0003: likewise for a sub-alliance whose strength history never left 0.
    "alliances_suballiance": {"strength"},
}
# The schedule grows too: notifications 0002 adds the events' daily digest (none removed).
GROWING = {
    "django_migrations",
    "auth_permission",
    "django_content_type",
    "django_celery_beat_crontabschedule",
    "django_celery_beat_periodictask",
}

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="the baseline is a PostgreSQL dump",
    ),
]


def _server() -> dict:
    db = settings.DATABASES["default"]
    return {
        "host": db.get("HOST") or "127.0.0.1",
        "port": str(db.get("PORT") or 5432),
        "user": db.get("USER") or "postgres",
        "password": db.get("PASSWORD") or "",
    }


def _connect(dbname: str) -> psycopg.Connection:
    return psycopg.connect(dbname=dbname, autocommit=True, **_server())


@pytest.fixture
def old_installation():
    """A database holding the baseline, dropped afterwards."""
    name = f"upgrade_{uuid.uuid4().hex[:12]}"
    with _connect("postgres") as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        server = _server()
        env = {**os.environ, "PGPASSWORD": server["password"]}
        subprocess.run(
            [
                "psql",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                server["host"],
                "-p",
                server["port"],
                "-U",
                server["user"],
                "-d",
                name,
            ],
            input=gzip.decompress(BASELINE.read_bytes()),
            env=env,
            check=True,
            capture_output=True,
        )
        yield name
    finally:
        with _connect("postgres") as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def _tables(conn) -> dict[str, list[str]]:
    rows = conn.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"
    ).fetchall()
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        tables.setdefault(table, []).append(column)
    return tables


def _rows(conn, table: str, columns: list[str]) -> list[str]:
    """Each row as text over `columns`, sorted: equal lists mean the same multiset of rows."""
    query = sql.SQL("SELECT ROW({})::text FROM {}").format(
        sql.SQL(", ").join(sql.Identifier(c) for c in columns), sql.Identifier(table)
    )
    return sorted(r[0] for r in conn.execute(query).fetchall())


def _compared(table: str, columns: list[str]) -> list[str]:
    return [c for c in columns if c not in EXPECTED.get(table, set())]


def test_migrating_an_existing_installation_keeps_every_row(old_installation):
    with _connect(old_installation) as conn:
        columns = _tables(conn)
        before = {t: _rows(conn, t, _compared(t, cols)) for t, cols in columns.items()}
        # The strength each partnership should have after partnerships 0015.
        strengths = dict(
            conn.execute(
                "SELECT p.id, CASE WHEN p.relationship_strength = 0 AND NOT EXISTS ("
                "SELECT 1 FROM partnerships_historicalpartnership h WHERE h.id = p.id "
                "AND h.relationship_strength <> 0) THEN NULL ELSE p.relationship_strength END "
                "FROM partnerships_partnership p"
            ).fetchall()
        )
        sub_strengths = dict(
            conn.execute(
                "SELECT s.id, CASE WHEN s.strength = 0 AND NOT EXISTS ("
                "SELECT 1 FROM alliances_strengthrecord r WHERE r.sub_alliance_id = s.id "
                "AND r.strength <> 0) THEN NULL ELSE s.strength END FROM alliances_suballiance s"
            ).fetchall()
        )
    assert len(before["partnerships_reminder"]) > 100  # the baseline holds what it says

    server = _server()
    url = (
        f"postgres://{server['user']}:{server['password']}@{server['host']}:{server['port']}"
        f"/{old_installation}"
    )
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "true", "REDIS_URL": ""}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    migrated = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert migrated.returncode == 0, migrated.stderr[-3000:]

    with _connect(old_installation) as conn:
        after_columns = _tables(conn)
        for old, new in RENAMED.items():
            assert old not in after_columns, f"{old} should have been renamed to {new}"
        problems = []
        for table, cols in columns.items():
            target = RENAMED.get(table, table)
            gone = set(cols) - set(after_columns.get(target, []))
            if gone:
                problems.append(f"{table} → {target}: columns gone {sorted(gone)}")
                continue
            after = _rows(conn, target, _compared(table, cols))
            if table in GROWING:
                lost = set(before[table]) - set(after)
                if lost:
                    problems.append(f"{table}: {len(lost)} rows lost")
            elif after != before[table]:
                changed = len(set(before[table]) ^ set(after))
                problems.append(
                    f"{table} → {target}: {len(before[table])} rows before, {len(after)} after, "
                    f"{changed} differ"
                )
        assert not problems, problems

        # What the migrations were meant to change, changed as meant.
        moved = conn.execute(
            "SELECT app_label, model FROM django_content_type "
            "WHERE model IN ('reminder', 'notificationpreference', 'calendarfeed')"
        ).fetchall()
        assert sorted(moved) == [
            ("notifications", "calendarfeed"),
            ("notifications", "notificationpreference"),
            ("notifications", "reminder"),
        ]
        tasks = {r[0] for r in conn.execute("SELECT task FROM django_celery_beat_periodictask")}
        assert tasks >= {
            "notifications.tasks.run_reminder_scan",
            "notifications.tasks.send_weekly_digests",
            "notifications.tasks.send_daily_digests",
        }
        assert not {t for t in tasks if t.startswith("partnerships.tasks.")}

        # What was public stays public (partnerships 0010): a published partnership keeps its
        # contacts and its MOU's document in the registry and its lessons in the library.
        (published,) = conn.execute(
            "SELECT count(*) FROM partnerships_partnership WHERE published"
        ).fetchone()
        assert published
        assert conn.execute(
            "SELECT count(*) FROM partnerships_partnership WHERE published "
            "AND NOT publish_mou_document"
        ).fetchone() == (0,)
        assert conn.execute(
            "SELECT count(*) FROM partnerships_partnershipmember m "
            "JOIN partnerships_partnership p ON p.id = m.partnership_id "
            "WHERE p.published <> m.publish_contacts"
        ).fetchone() == (0,)
        assert conn.execute(
            "SELECT count(*) FROM partnerships_lesson l "
            "JOIN partnerships_partnership p ON p.id = l.partnership_id "
            "WHERE p.published <> l.shared"
        ).fetchone() == (0,)

        # Strength 0 that nobody ever changed is "not assessed yet"; every other value stays.
        after = dict(conn.execute("SELECT id, relationship_strength FROM partnerships_partnership"))
        assert after == strengths
        after = dict(conn.execute("SELECT id, strength FROM alliances_suballiance"))
        assert after == sub_strengths

        # KPIs agreed before target dates (partnerships 0018): measured from the day each was
        # agreed, in the portal's time zone, and with no target date (judged as before).
        kpis = conn.execute("SELECT count(*) FROM partnerships_kpi").fetchone()[0]
        assert kpis
        assert conn.execute(
            "SELECT count(*) FROM partnerships_kpi WHERE target_date IS NULL "
            "AND start_date = (created_at AT TIME ZONE %s)::date",
            [settings.TIME_ZONE],
        ).fetchone() == (kpis,)
