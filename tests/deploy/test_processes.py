"""The Procfile's processes, run natively for a few seconds: gunicorn with gunicorn.conf.py on a
free loopback port, a Celery worker and beat, against the test database and the local Redis
(a queue of their own). /healthz answers; /readyz turns ready once the worker's first
heartbeat is in; beat copies the heartbeat into its schedule; a task sent from a request
context logs its task id and that request's id in the worker. Every process is stopped
however the test ends (tests/deploy/conftest.py)."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
import uuid

import pytest
import redis
import structlog
from django.db import connection
from django.test import override_settings

from config.celery import app as celery_app
from core import health
from tests.deploy.conftest import BIN, database_url, free_port
from tests.deploy.test_container_files import argv_of, procfile

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the processes cannot see an in-memory SQLite test database; CI runs PostgreSQL",
    ),
    # Beat writes its schedule into the database: flushed afterwards.
    pytest.mark.django_db(transaction=True),
]

UP_SECONDS = 60  # the longest any process may take to come up on a loaded 2-CPU machine


def _get(url: str):
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, dict(response.headers), response.read()


def _ready(url: str):
    try:
        return _get(url)
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def _command(name: str) -> list[str]:
    """The Procfile's command, its program taken from this virtualenv."""
    argv = argv_of(procfile()[name])
    argv[0] = str(BIN / argv[0])
    return argv


def test_procfile_processes_come_up(processes, redis_url, tmp_path):
    port = free_port()
    queue = f"deploy-test-{uuid.uuid4().hex[:10]}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SENTRY_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "CELERY_QUEUE": queue,
        "DEBUG": "false",
        "SECRET_KEY": "processes-test-" + uuid.uuid4().hex,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "PORTAL_BASE_URL": "https://portal.example.org",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "PORT": str(port),
        "BIND_HOST": "127.0.0.1",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "2",
        "CELERY_CONCURRENCY": "1",
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": "json",
        "PYTHONUNBUFFERED": "1",
    }
    base = f"http://127.0.0.1:{port}"
    try:
        processes.start("web", _command("web"), env)
        processes.start("worker", [*_command("worker"), "--hostname", f"{queue}@%h"], env)
        processes.start("beat", _command("beat"), env)

        status, _, body = processes.wait_for(
            "web", lambda: _get(base + "/healthz"), UP_SECONDS, "/healthz"
        )
        assert (status, body) == (200, b"ok")

        # Ready once the worker has started (its first heartbeat) and everything answers.
        status, _, body = processes.wait_for(
            "worker",
            lambda: (r := _ready(base + "/readyz"))[0] == 200 and r,
            UP_SECONDS,
            "a ready /readyz",
        )
        checks = json.loads(body)["checks"]
        assert set(checks) == {"database", "redis", "worker", "media"}

        # Beat is up and has put the heartbeat into django-celery-beat's table.
        from django_celery_beat.models import PeriodicTask

        processes.wait_for(
            "beat",
            lambda: PeriodicTask.objects.filter(task=health.HEARTBEAT_TASK).exists(),
            UP_SECONDS,
            "the heartbeat in the schedule",
        )
        assert "beat: Starting" in processes.log("beat")

        # The access log line, in JSON, carries the id the application sent back.
        _, headers, _ = _get(base + "/healthz")
        request_id = headers["X-Request-ID"]

        def access_lines():
            # The application's own line carries the id too, and may come first: wait for
            # gunicorn's access line itself.
            return [
                json.loads(line)
                for line in processes.log("web").splitlines()
                if request_id in line and '"gunicorn.access"' in line
            ]

        access = processes.wait_for("web", access_lines, 10, "the access log line")
        assert access and access[0]["level"] == "info"
        assert f"request_id={request_id}" in access[0]["message"]

        # A task sent while a request id is bound: the worker's lines carry both ids.
        structlog.contextvars.bind_contextvars(request_id="req-from-the-test")
        try:
            with (
                override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=redis_url),
                celery_app.connection_for_write(redis_url) as broker,
            ):
                sent = celery_app.send_task(health.HEARTBEAT_TASK, queue=queue, connection=broker)
        finally:
            structlog.contextvars.clear_contextvars()

        def started_line():
            for line in processes.log("worker").splitlines():
                if sent.id in line and "task_started" in line:
                    return json.loads(line)
            return None

        line = processes.wait_for("worker", started_line, 30, "the task's log line")
        assert line["task_id"] == sent.id
        assert line["request_id"] == "req-from-the-test"
        assert line["level"] == "info" and "timestamp" in line
    finally:
        processes.stop_all()
        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(match=f"*{queue}*"):
            client.delete(key)
