"""Connection pooling from the environment (docs/deployment.md, "Sizing"): Django's own pool
(DATABASE_POOL_MAX_SIZE) instead of persistent connections, or settings fit for PgBouncer in
transaction mode (DATABASE_PGBOUNCER). Each case in a fresh process, on the test database."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from django.db import connection

from tests.deploy.conftest import ROOT, database_url

PROBE = """
import json, django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("SELECT 1")
    one = cursor.fetchone()[0]
    for n in range(6):  # the same query, other parameters: prepared once it repeats
        cursor.execute("SELECT count(*) FROM django_migrations WHERE id > %s", [n])
    cursor.execute("SELECT count(*) FROM pg_prepared_statements")
    prepared = cursor.fetchone()[0]
d = connection.settings_dict
print(json.dumps({
    "one": one,
    "pool": d["OPTIONS"].get("pool"),
    "pooled": connection.pool is not None,
    "conn_max_age": d["CONN_MAX_AGE"],
    "server_side_cursors": not d.get("DISABLE_SERVER_SIDE_CURSORS", False),
    "prepare_threshold": d["OPTIONS"].get("prepare_threshold", "default"),
    "server_side_binding": d["OPTIONS"].get("server_side_binding", False),
    "prepared": prepared,
}))
"""

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL settings"),
    pytest.mark.django_db,
]


def _settings(**env: str) -> dict:
    base = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "false",
        "SECRET_KEY": "x" * 50,
        "DATABASE_URL": database_url(),
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_persistent_connections_and_prepared_statements_by_default():
    out = _settings()
    assert out["one"] == 1 and out["pool"] is None and out["conn_max_age"] == 60
    assert out["server_side_cursors"] and out["server_side_binding"] is True
    assert out["prepare_threshold"] == 5 and out["prepared"] >= 1


def test_parameters_merged_into_the_sql_on_request():
    out = _settings(DATABASE_SERVER_SIDE_BINDING="false")
    assert out["server_side_binding"] is False and out["prepare_threshold"] == "default"
    assert out["prepared"] == 0


def test_django_pool_replaces_persistent_connections():
    out = _settings(DATABASE_POOL_MAX_SIZE="4")
    assert out["one"] == 1 and out["pooled"] is True
    assert out["pool"] == {"min_size": 2, "max_size": 4, "timeout": 10.0}
    assert out["conn_max_age"] == 0


def test_pgbouncer_transaction_mode_settings():
    out = _settings(DATABASE_PGBOUNCER="true")
    assert out["one"] == 1
    assert out["server_side_cursors"] is False and out["prepare_threshold"] is None
    assert out["prepared"] == 0
