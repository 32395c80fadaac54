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


class RequestBodyLimitMiddleware:
    """A request announcing a body larger than MAX_REQUEST_BODY_BYTES (the largest upload, plus
    room for the form around it) is answered 413 at once, from its Content-Length, before
    anything reads the body (Django would otherwise spool a 50 MB upload to disk, even for the
    login form, before a validator refuses it). A body sent without a length (chunked) is not
    read by Django's WSGI handler at all; the reverse proxy bounds both (docs/deployment.md)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.MAX_REQUEST_BODY_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads no body of a malformed length either
        if length > limit:
            return request_too_large(length, limit)
        return self.get_response(request)


def request_too_large(length: int, limit: int) -> HttpResponse:
    """The 413 page (self-contained like the other error pages: no database, no context)."""
    context = {
        "sent_megabytes": f"{length / (1024 * 1024):.1f}",
        "limit_megabytes": f"{settings.MAX_UPLOAD_BYTES / (1024 * 1024):g}",
    }
    try:
        body = loader.get_template("413.html").render(context)
    except Exception:
        body = "<h1>File too large</h1><p>Upload a smaller file.</p>"
    response = HttpResponse(body, status=413)
    response["Cache-Control"] = "no-store"
    # The client may still be sending the body: tell it this connection is done.
    response["Connection"] = "close"
    return response


PRIVATE_CACHE_CONTROL = "private, no-store"


class PrivateCacheControlMiddleware:
    """A response to a signed-in person that says nothing about caching gets `private,
    no-store`: their pages, exports and dossiers are theirs alone, to be kept by no proxy and
    by no browser history cache after they sign out. Anonymous pages (the public registry) keep
    their own headers. Runs on the response, after the views' page cache (core/page_cache.py)
    has decided to store a page: that cache is on the server and per session, and the copy it
    stored has no Cache-Control of its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Cache-Control" not in response and _signed_in(request):
            response["Cache-Control"] = PRIVATE_CACHE_CONTROL
        return response


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is None:
        return False
    try:
        return bool(user.is_authenticated)
    except Exception:  # the session could not be read: an error page, kept out of caches too
        return True


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: django-axes' lockout page (AXES_LOCKOUT_TEMPLATE, status 429,
    the context axes gives it) with `Retry-After`: the cool-off in seconds."""
    from axes.helpers import (
        get_client_username,
        get_cool_off,
        get_cool_off_iso8601,
        get_failure_limit,
    )
    from django.shortcuts import render

    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "username": get_client_username(request, credentials) or "",
    }
    cool_off = get_cool_off(request)
    if cool_off:
        context["cooloff_time"] = get_cool_off_iso8601(cool_off)
        context["cooloff_timedelta"] = cool_off
    response = render(
        request, settings.AXES_LOCKOUT_TEMPLATE, context, status=settings.AXES_HTTP_RESPONSE_CODE
    )
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    response["Cache-Control"] = "no-store"
    return response
