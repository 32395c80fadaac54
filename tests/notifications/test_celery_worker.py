"""The real thing: a `celery -A config worker` process, the local Redis as broker, the test
database, and email written to files. The scan goes through the broker to the worker, which
records the reminder and queues its delivery, which the worker then sends.

Needs Redis (REDIS_URL, else redis://127.0.0.1:6379/0) and PostgreSQL (the worker is another
process: it cannot see an in-memory SQLite test database). Without Redis the test is skipped,
except in CI (CI=true), where it fails: CI starts Redis and must run it.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from config.celery import app as celery_app
from notifications import tasks
from notifications.models import Reminder
from tests.factories.accounts import UserFactory
from tests.factories.partnerships import (
    CityMembershipFactory,
    PartnerFactory,
    PartnershipFactory,
)

BASE_DIR = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
WAIT_SECONDS = 60


def _redis_problem(url: str) -> str | None:
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


@pytest.fixture
def redis_url() -> str:
    problem = _redis_problem(REDIS_URL)
    if problem:
        message = f"Redis at {REDIS_URL} is unreachable ({problem})"
        if IN_CI:
            pytest.fail(f"{message}: CI starts Redis, so this test must run there.")
        pytest.skip(f"{message}; the real-worker test runs in CI.")
    return REDIS_URL


def _database_url() -> str:
    """The test database, as DATABASE_URL for the worker process."""
    db = connection.settings_dict
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{quote(db['NAME'], safe='')}"


@pytest.fixture
def worker(redis_url, tmp_path):
    """A worker on a queue of its own (so that no other worker on this Redis takes the test's
    tasks), writing email into files; stopped however the test ends."""
    queue = f"twinning-test-{uuid.uuid4().hex[:12]}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": redis_url,  # a broker: so the worker's Celery is not eager
        "CELERY_QUEUE": queue,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "PORTAL_BASE_URL": "https://portal.example.org",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "worker-test-secret-key",
        "DEBUG": "false",
        "LOG_LEVEL": "INFO",
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--loglevel=INFO",
        "--pool=solo",
        "--queues",
        queue,
        "--hostname",
        f"{queue}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            yield {"queue": queue, "mail_dir": mail_dir, "log": log_path, "process": process}
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
            client = redis.Redis.from_url(redis_url)
            for key in client.scan_iter(match=f"*{queue}*"):  # the queue and its bindings
                client.delete(key)


def _messages(files: list[Path]) -> list[EmailMessage]:
    """The messages the file backend wrote (each followed by a line of dashes)."""
    found = []
    for path in files:
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                found.append(BytesParser(policy=default).parsebytes(chunk.lstrip()))
    return found


def _log_tail(worker) -> str:
    return worker["log"].read_text(errors="replace")[-4000:]


def _wait_for_mail(worker) -> list[Path]:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        files = sorted(worker["mail_dir"].glob("*.log"))
        if files and files[0].stat().st_size > 0:
            time.sleep(0.5)  # let the worker finish the file and mark the row sent
            return files
        if worker["process"].poll() is not None:
            pytest.fail(f"The worker stopped early:\n{_log_tail(worker)}")
        time.sleep(0.25)
    pytest.fail(f"No email from the worker within {WAIT_SECONDS} s:\n{_log_tail(worker)}")


# Decided at collection, before a transactional test database is set up (and flushed) for
# nothing.
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the worker is another process and cannot see the SQLite test database (in "
    "memory); CI runs this test on PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_scans_and_emails_through_redis(worker, redis_url):
    today = timezone.localdate()
    home = PartnerFactory(name="Home")
    officer = UserFactory(username="worker_officer", email="worker.officer@example.org")
    CityMembershipFactory(user=officer, partner=home)
    p = PartnershipFactory(
        home=home, title="Worker City – Broker Town", next_review_on=today - dt.timedelta(days=3)
    )

    with (
        override_settings(
            CELERY_TASK_ALWAYS_EAGER=False,
            CELERY_BROKER_URL=redis_url,
            CELERY_TASK_DEFAULT_QUEUE=worker["queue"],
        ),
        celery_app.connection_for_write(redis_url) as broker,
    ):
        assert celery_app.conf.task_always_eager is False
        result = tasks.run_reminder_scan.apply_async(
            kwargs={"today": today.isoformat()}, queue=worker["queue"], connection=broker
        )
    assert result.id  # a message on the broker, not an eager run

    files = _wait_for_mail(worker)

    messages = _messages(files)
    assert len(messages) == 1
    message = messages[0]
    assert message["To"] == "worker.officer@example.org"
    assert (
        str(message["Subject"])
        .strip()
        .startswith("[Twinning portal] Worker City – Broker Town: Review overdue since ")
    )
    parts = {
        part.get_content_type(): part.get_content()
        for part in message.walk()
        if not part.is_multipart()
    }
    link = f"https://portal.example.org/partnerships/{p.pk}/?step=8#step-8"
    assert link in parts["text/plain"]
    assert link.replace("&", "&amp;") in parts["text/html"] or link in parts["text/html"]

    deadline = time.monotonic() + 10
    reminder = Reminder.objects.get(partnership=p, recipient=officer)
    while reminder.status != Reminder.Status.SENT and time.monotonic() < deadline:
        time.sleep(0.2)
        reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SENT, _log_tail(worker)
    assert reminder.attempts == 1 and reminder.sent_at is not None
    assert "succeeded" in _log_tail(worker)
