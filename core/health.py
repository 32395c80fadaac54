"""Liveness and readiness: `/healthz` (in config/urls.py) and `/readyz` (here).

`/healthz` answers "ok" from any process that can run a view: no database, no cache. A load
balancer or an orchestrator's *liveness* probe uses it (restart the process if it fails).

`/readyz` says whether this web node can do its work now, for a *readiness* probe (send it
traffic or not), a deployment gate and monitoring. It checks, each bounded in time:

- `database`: `SELECT 1` on this process's own connection (a persistent one is reused). When
  config/middleware.py already knows the database is down (a request met it down within
  DATABASE_FAIL_FAST_SECONDS), it fails at once without trying, as every other page does;
- `redis` (when REDIS_URL is set): a PING to the broker and cache, 0.5 s timeouts;
- `worker`: a Celery worker ran the heartbeat task recently. Beat sends `HEARTBEAT_TASK`
  every minute (CELERY_BEAT_SCHEDULE) and a worker starting up runs it at once; the task
  writes the time into the cache. Older than READYZ_WORKER_MAX_AGE seconds (180) means that
  no worker, or no beat, is doing its job. Not checked when Celery is eager (no REDIS_URL) or
  when READYZ_WORKER_MAX_AGE is 0;
- `media`: the default storage (local disk or S3) accepts a small file and deletes it; the
  answer is kept READYZ_STORAGE_SECONDS (60 s; 10 s for a failure) per process, so a probe
  every few seconds does not write a file each time.

200 with `{"ready": true, "checks": {...}}` when all pass; 503 with `"failing": [...]`
naming the failed parts otherwise. It never raises (a failing check is reported by name and
exception class only: no message, path or address that could leak configuration), is never
cached, and is exempt from the https redirect like /healthz (SECURE_REDIRECT_EXEMPT).

Why not django-health-check (see docs/deployment.md): its view answers 500, not 503, on a
failure and keys its JSON by Python reprs; its storage check writes, reads and deletes a file
on every probe (three S3 requests per probe and node); its Celery check broadcasts a ping
and waits for replies on every probe; its checks run in a thread pool under an event loop
per request in our WSGI workers. The four checks here are some sixty lines.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from config.middleware import database_known_down

logger = logging.getLogger("portal.health")

# The Celery task name of the heartbeat (core/tasks.py; scheduled in settings).
HEARTBEAT_TASK = "portal.heartbeat"
HEARTBEAT_INTERVAL = 60  # seconds between two heartbeats sent by beat
REDIS_TIMEOUT = 0.5  # seconds, connecting and answering
STORAGE_PROBE_FOLDER = "health"

_redis_clients: dict[str, object] = {}
_storage_answer: dict[str, tuple[float, str | None]] = {}  # backend -> (until, failure)
_lock = threading.Lock()


def heartbeat_key() -> str:
    """One heartbeat per queue: the workers that matter are those consuming ours."""
    return f"portal:worker-heartbeat:{settings.CELERY_TASK_DEFAULT_QUEUE}"


def record_heartbeat() -> None:
    """Called by the heartbeat task and when a worker starts."""
    cache.set(heartbeat_key(), time.time(), timeout=24 * 3600)


# --- The checks: each returns None when fine, else a short reason (no secrets) -------------


def _failure(exc: BaseException) -> str:
    return f"unavailable ({type(exc).__name__})"


def check_database() -> str | None:
    if database_known_down():
        return "unavailable (a request met it down a moment ago)"
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            return "unexpected answer"
    return None


def _redis_client(url: str):
    with _lock:
        client = _redis_clients.get(url)
        if client is None:
            import redis

            client = redis.Redis.from_url(
                url, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT
            )
            _redis_clients[url] = client
        return client


def check_redis() -> str | None:
    _redis_client(settings.REDIS_URL).ping()
    return None


def worker_max_age() -> int:
    return int(getattr(settings, "READYZ_WORKER_MAX_AGE", 3 * HEARTBEAT_INTERVAL))


def worker_checked() -> bool:
    return not settings.CELERY_TASK_ALWAYS_EAGER and worker_max_age() > 0


def check_worker() -> str | None:
    beat = cache.get(heartbeat_key())
    if beat is None:
        return "no heartbeat from any worker (is a worker running? is beat?)"
    age = time.time() - float(beat)
    if age > worker_max_age():
        return f"last heartbeat {age:.0f} s ago (limit {worker_max_age()} s)"
    return None


def check_media() -> str | None:
    """Write and delete a tiny file in the default storage, at most once a minute."""
    key = f"{settings.STORAGES.get('default')}|{settings.MEDIA_ROOT}"
    now = time.monotonic()
    with _lock:
        until, failure = _storage_answer.get(key, (0.0, None))
    if now < until:
        return failure
    try:
        name = default_storage.save(
            f"{STORAGE_PROBE_FOLDER}/{uuid.uuid4().hex}.txt", ContentFile(b"ok")
        )
        default_storage.delete(name)
        failure = None
    except Exception as exc:
        logger.warning("media storage not writable: %s", type(exc).__name__, exc_info=True)
        failure = f"not writable ({type(exc).__name__})"
    keep = getattr(settings, "READYZ_STORAGE_SECONDS", 60) if failure is None else 10
    with _lock:
        _storage_answer[key] = (now + keep, failure)
    return failure


def forget_storage_answer() -> None:
    """Tests and a storage change: the next probe writes again."""
    with _lock:
        _storage_answer.clear()


def _checks() -> list[tuple[str, object]]:
    checks: list[tuple[str, object]] = [("database", check_database)]
    if settings.REDIS_URL:
        checks.append(("redis", check_redis))
    if worker_checked():
        checks.append(("worker", check_worker))
    checks.append(("media", check_media))
    return checks


@never_cache
@require_safe
def readyz(request):
    """200 when this node can serve (database, Redis, a worker, media storage), else 503."""
    results: dict[str, str] = {}
    failing: list[str] = []
    for name, check in _checks():
        started = time.monotonic()
        try:
            problem = check()
        except Exception as exc:  # a check must never turn into a 500
            problem = _failure(exc)
        if problem:
            failing.append(name)
            results[name] = problem
        else:
            results[name] = f"ok ({(time.monotonic() - started) * 1000:.0f} ms)"
    if not worker_checked():
        eager = settings.CELERY_TASK_ALWAYS_EAGER
        results["worker"] = (
            "not checked (tasks run eagerly)" if eager else "not checked (READYZ_WORKER_MAX_AGE=0)"
        )
    body = {"ready": not failing, "checks": results}
    if failing:
        body["failing"] = failing
        logger.warning("not ready: %s", ", ".join(f"{n}: {results[n]}" for n in failing))
    return JsonResponse(body, status=503 if failing else 200)
