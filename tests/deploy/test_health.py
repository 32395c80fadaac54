"""/healthz is liveness (no database); /readyz checks the database, Redis, a worker's
heartbeat and media storage, and answers 503 naming what failed (core/health.py)."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from config import middleware
from config.celery import app as celery_app
from core import health
from tests.deploy.conftest import free_port


def _dead_port() -> int:
    return free_port()  # bound and released at once: nothing listens there now


@pytest.fixture(autouse=True)
def _fresh():
    health.forget_storage_answer()
    middleware._database_down_until = 0.0
    yield
    health.forget_storage_answer()
    middleware._database_down_until = 0.0
    cache.delete(health.heartbeat_key())


def _ready(client):
    response = client.get("/readyz")
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    return response, response.json()


@pytest.mark.django_db
def test_healthz_needs_no_database(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"
    assert len(queries) == 0


@pytest.mark.django_db
def test_ready_when_everything_is_up(client, redis_url):
    with override_settings(REDIS_URL=redis_url, CELERY_TASK_ALWAYS_EAGER=False):
        health.record_heartbeat()
        response, body = _ready(client)
    assert response.status_code == 200, body
    assert body["ready"] is True and "failing" not in body
    assert set(body["checks"]) == {"database", "redis", "worker", "media"}
    assert all(v.startswith("ok") for v in body["checks"].values()), body


@pytest.mark.django_db
def test_eager_celery_needs_no_worker(client):
    with override_settings(REDIS_URL="", CELERY_TASK_ALWAYS_EAGER=True):
        response, body = _ready(client)
    assert response.status_code == 200, body
    assert set(body["checks"]) == {"database", "worker", "media"}
    assert body["checks"]["worker"].startswith("not checked")


@pytest.mark.django_db(transaction=True)
def test_database_on_a_dead_port_is_named(client):
    """The real thing: the default connection pointed at a port where nothing listens."""
    if connection.vendor != "postgresql":
        # The embedded default's test database lives in memory: closing its connection to
        # point it elsewhere would lose it. CI runs this on PostgreSQL.
        pytest.skip("a database server's port: PostgreSQL only")
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict["HOST"] = "127.0.0.1"
    connection.settings_dict["PORT"] = str(_dead_port())
    try:
        with override_settings(REDIS_URL="", CELERY_TASK_ALWAYS_EAGER=True):
            started = time.monotonic()
            response, body = _ready(client)
            took = time.monotonic() - started
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
    assert response.status_code == 503, body
    assert body["ready"] is False and body["failing"] == ["database"]
    assert body["checks"]["database"] == "unavailable (OperationalError)"
    assert body["checks"]["media"].startswith("ok")
    assert took < 5
    # Nothing about where the database is or who connects to it.
    text = response.content.decode()
    for secret in (connection.settings_dict["NAME"], "5432", str(saved.get("USER") or "x_")):
        assert secret not in text


@pytest.mark.django_db
def test_database_known_down_by_the_middleware_is_named_without_trying(client, settings):
    """Within DATABASE_FAIL_FAST_SECONDS of a failure every page answers the 503 page at once;
    /readyz answers too, in JSON, naming the database, without a query."""
    settings.DATABASE_FAIL_FAST_SECONDS = 30
    middleware._database_down_until = time.monotonic() + 30
    with (
        override_settings(REDIS_URL="", CELERY_TASK_ALWAYS_EAGER=True),
        CaptureQueriesContext(connection) as queries,
    ):
        response, body = _ready(client)
    assert response.status_code == 503 and body["failing"] == ["database"]
    assert len(queries) == 0
    assert client.get("/accounts/login/").status_code == 503  # the rest of the portal


@pytest.mark.django_db
def test_unreachable_redis_is_named(client):
    dead = f"redis://127.0.0.1:{_dead_port()}/0"
    dead_cache = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": dead,
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    }
    with override_settings(REDIS_URL=dead, CACHES=dead_cache, CELERY_TASK_ALWAYS_EAGER=False):
        response, body = _ready(client)
    assert response.status_code == 503, body
    assert "redis" in body["failing"]
    assert body["checks"]["redis"].startswith("unavailable (")
    assert dead not in response.content.decode()
    # The heartbeat lives in that Redis too: no worker can be vouched for either.
    assert "worker" in body["failing"]
    assert "database" not in body["failing"]


@pytest.mark.django_db
def test_stale_or_missing_heartbeat_names_the_worker(client, settings):
    settings.READYZ_WORKER_MAX_AGE = 180
    with override_settings(REDIS_URL="", CELERY_TASK_ALWAYS_EAGER=False):
        cache.delete(health.heartbeat_key())
        response, body = _ready(client)
        assert response.status_code == 503 and body["failing"] == ["worker"]
        assert body["checks"]["worker"].startswith("no heartbeat")

        cache.set(health.heartbeat_key(), time.time() - 600)
        response, body = _ready(client)
        assert response.status_code == 503 and body["failing"] == ["worker"]
        assert body["checks"]["worker"] == "last heartbeat 600 s ago (limit 180 s)"

        health.record_heartbeat()  # what the task does
        response, body = _ready(client)
        assert response.status_code == 200, body


@pytest.mark.django_db
def test_worker_check_can_be_turned_off(client, settings):
    settings.READYZ_WORKER_MAX_AGE = 0
    with override_settings(REDIS_URL="", CELERY_TASK_ALWAYS_EAGER=False):
        response, body = _ready(client)
    assert response.status_code == 200
    assert body["checks"]["worker"] == "not checked (READYZ_WORKER_MAX_AGE=0)"


@pytest.mark.django_db
def test_unwritable_media_is_named(client, settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings.MEDIA_ROOT = blocker / "media"  # below a file: nothing can be written there
    with override_settings(REDIS_URL="", CELERY_TASK_ALWAYS_EAGER=True):
        response, body = _ready(client)
    assert response.status_code == 503 and body["failing"] == ["media"]
    assert body["checks"]["media"].startswith("not writable (")
    assert str(tmp_path) not in response.content.decode()


@pytest.mark.django_db
def test_media_probe_leaves_nothing_and_is_not_repeated_each_time(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with override_settings(REDIS_URL="", CELERY_TASK_ALWAYS_EAGER=True):
        assert _ready(client)[0].status_code == 200
        probe = tmp_path / "media" / health.STORAGE_PROBE_FOLDER
        assert list(probe.iterdir()) == []  # written and deleted
        probe.rmdir()
        assert _ready(client)[0].status_code == 200
        assert not probe.exists()  # the answer was kept: no second write


@pytest.mark.django_db
def test_a_check_that_raises_is_a_503_never_a_500(client, monkeypatch):
    def broken():
        raise RuntimeError("secret detail that must not be shown")

    monkeypatch.setattr(health, "check_database", broken)
    with override_settings(REDIS_URL="", CELERY_TASK_ALWAYS_EAGER=True):
        response, body = _ready(client)
    assert response.status_code == 503
    assert body["checks"]["database"] == "unavailable (RuntimeError)"
    assert b"secret detail" not in response.content


@pytest.mark.django_db
def test_readyz_only_reads(client):
    assert client.post("/readyz").status_code == 405
    with override_settings(REDIS_URL="", CELERY_TASK_ALWAYS_EAGER=True):
        assert client.head("/readyz").status_code == 200


@pytest.mark.django_db
def test_probes_are_exempt_from_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    with override_settings(REDIS_URL="", CELERY_TASK_ALWAYS_EAGER=True):
        assert client.get("/readyz").status_code == 200
        assert client.get("/healthz").status_code == 200
    assert client.get("/accounts/login/").status_code == 301


def test_the_heartbeat_is_scheduled_under_its_registered_name():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert health.HEARTBEAT_TASK in scheduled
    celery_app.loader.import_default_modules()
    assert health.HEARTBEAT_TASK in celery_app.tasks
