"""A database that is down gives a friendly 503 page quickly, and the portal recovers alone.

`DatabaseUnavailableMiddleware.process_exception` catches the `OperationalError` /
`InterfaceError` a view raises when PostgreSQL is unreachable (restarting, stopped, out of
connections) and answers 503 with `Retry-After`, rendered from `503.html`, which needs no
database and no context processors. `server_error` (the project's `handler500`) does the same
for such an error raised outside a view (e.g. by a middleware saving the session), so a
database outage is never reported as a 500.

Failing fast: once a request of this process has met a database that is down, the requests
that follow within DATABASE_FAIL_FAST_SECONDS (a setting, 1 s) answer 503 at once, without
trying it. During a restart the threads are otherwise all busy meeting the same error one by
one (each query or connection attempt queued behind the others) while the queue in front of
gunicorn grows (the soak's slow 503s were mostly time spent in that queue, which a
request's own connect_timeout does not bound). The window is short, so the portal serves
again within a second of the database being back.
The rest is the settings' part: PostgreSQL's `connect_timeout` (DATABASE_CONNECT_TIMEOUT, 3 s)
bounds how long a request waits for a database that does not answer, and
`CONN_HEALTH_CHECKS` drops a broken persistent connection instead of reusing it; with
`CONN_MAX_AGE=0` every request opens a fresh connection anyway. Nothing has to be restarted
once the database is back.

`rate_limited` is django-ratelimit's RATELIMIT_VIEW: a form posted too often from one address
(`THROTTLE_RATE`, applied to the public sign-up and the password reset) gets a 429 page with
`Retry-After`; the view never ran, so nothing was saved.
"""

from __future__ import annotations

import logging
import sys
import time
from functools import wraps

from django.conf import settings
from django.db import close_old_connections
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader

logger = logging.getLogger("portal.availability")

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 10
# Paths that need no database keep answering (the load balancer's probe); /readyz checks the
# database itself and names it as the failing part (core/health.py).
NO_DATABASE_PATHS = frozenset({"/healthz", "/readyz"})
_database_down_until = 0.0  # per process (monotonic clock); threads share it


def _database_failed(request: HttpRequest | None, exception: BaseException) -> None:
    """Remember the failure for DATABASE_FAIL_FAST_SECONDS; log it with the request's time."""
    global _database_down_until
    now = time.monotonic()
    _database_down_until = now + getattr(settings, "DATABASE_FAIL_FAST_SECONDS", 1.0)
    started = getattr(request, "_started", now)
    logger.warning(
        "database unavailable (%s): 503 for %s after %d ms",
        str(exception).strip().replace("\n", " "),
        getattr(request, "path", "?"),
        (now - started) * 1000,
    )


def database_known_down() -> bool:
    return time.monotonic() < _database_down_until


# POSTs per client address to the public forms that send email or create accounts.
THROTTLE_RATE = "5/h"
THROTTLE_RETRY_AFTER_SECONDS = 3600


def database_unavailable(request: HttpRequest | None = None) -> HttpResponse:
    """The 503 page: a plain template render, no request context, no database."""
    try:
        body = loader.get_template("503.html").render({"retry_after": RETRY_AFTER_SECONDS})
    except Exception:  # the page must come out even if a template or static file is broken
        body = "<h1>The portal is briefly unavailable</h1><p>Please try again in a minute.</p>"
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _forget_broken_connections() -> None:
    """Close connections the error left unusable so the next request reconnects."""
    try:
        close_old_connections()
    except Exception:  # closing a dead connection may itself fail; the next request retries
        logger.debug("closing a broken database connection failed", exc_info=True)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request._started = time.monotonic()
        if database_known_down() and request.path not in NO_DATABASE_PATHS:
            return database_unavailable(request)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, DATABASE_ERRORS):
            _database_failed(request, exception)
            _forget_broken_connections()
            return database_unavailable(request)
        return None


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database outage raised outside a view is a 503 too; else the 500 page."""
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_ERRORS):
        _database_failed(request, exception)
        _forget_broken_connections()
        return database_unavailable(request)
    try:
        body = loader.get_template("500.html").render()
    except Exception:
        body = "<h1>Server error</h1><p>Something went wrong on our side.</p>"
    return HttpResponseServerError(body)


def client_ip(request: HttpRequest) -> str:
    """RATELIMIT_IP_META_KEY: the client's address as django-axes resolves it (behind
    AXES_PROXY_COUNT proxies, from X-Forwarded-For), so both count the same person."""
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or request.META.get("REMOTE_ADDR") or "0.0.0.0"


def throttle_posts(group: str):
    """Decorator: at most THROTTLE_RATE POSTs per client address to the view (GETs are free),
    counted by django-ratelimit; beyond it `Ratelimited` is raised before the view runs and
    RATELIMIT_VIEW answers. A cache that is down lets the form through (logged): the portal
    keeps working without Redis, as it does for everything else."""
    from django_ratelimit.core import is_ratelimited
    from django_ratelimit.exceptions import Ratelimited
    from redis.exceptions import RedisError

    def decorator(view):
        @wraps(view)
        def throttled(request: HttpRequest, *args, **kwargs):
            try:
                limited = is_ratelimited(
                    request,
                    group=group,
                    key="ip",
                    rate=THROTTLE_RATE,
                    method="POST",
                    increment=True,
                )
            except (RedisError, OSError):
                logger.warning("rate-limit cache unavailable: %s not throttled", request.path)
                limited = False
            if limited:
                raise Ratelimited()
            return view(request, *args, **kwargs)

        return throttled

    return decorator


def rate_limited(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """RATELIMIT_VIEW: the 429 page (self-contained like the other error pages)."""
    body = loader.get_template("429.html").render(
        {"retry_after_minutes": THROTTLE_RETRY_AFTER_SECONDS // 60}
    )
    response = HttpResponse(body, status=429)
    response["Retry-After"] = str(THROTTLE_RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
