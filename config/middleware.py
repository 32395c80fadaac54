"""A database that is down gives a friendly 503 page quickly, and the portal recovers alone.

`DatabaseUnavailableMiddleware.process_exception` catches the `OperationalError` /
`InterfaceError` a view raises when PostgreSQL is unreachable (restarting, stopped, out of
connections) and answers 503 with `Retry-After`, rendered from `503.html`, which needs no
database and no context processors. `server_error` (the project's `handler500`) does the same
for such an error raised outside a view (e.g. by a middleware saving the session), so a
database outage is never reported as a 500.

Failing fast is the settings' part: PostgreSQL's `connect_timeout` (DATABASE_CONNECT_TIMEOUT,
3 s) bounds how long a request waits for a database that does not answer, and
`CONN_HEALTH_CHECKS` drops a broken persistent connection instead of reusing it; with
`CONN_MAX_AGE=0` every request opens a fresh connection anyway. Nothing has to be restarted
once the database is back.
"""

from __future__ import annotations

import logging
import sys

from django.db import close_old_connections
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader

logger = logging.getLogger("portal.availability")

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 10


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
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, DATABASE_ERRORS):
            logger.warning("database unavailable (%s): 503 for %s", exception, request.path)
            _forget_broken_connections()
            return database_unavailable(request)
        return None


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database outage raised outside a view is a 503 too; else the 500 page."""
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_ERRORS):
        _forget_broken_connections()
        return database_unavailable(request)
    try:
        body = loader.get_template("500.html").render()
    except Exception:
        body = "<h1>Server error</h1><p>Something went wrong on our side.</p>"
    return HttpResponseServerError(body)
