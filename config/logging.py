"""Logs: one JSON object per line in production, readable lines in development.

Everything goes through the standard library's `logging` (Django, Celery, gunicorn and our own
`logging.getLogger(__name__)` calls alike) and is rendered by structlog's `ProcessorFormatter`,
so every line has the same fields:

    {"timestamp": "2026-12-02T09:41:07.120Z", "level": "info", "logger": "django_structlog…",
     "message": "request_finished", "request_id": "…", "user_id": 42, "ip": "…", "code": 200}

`request_id`, `user_id` and `ip` come from django-structlog's `RequestMiddleware` (settings
MIDDLEWARE), which binds them in structlog's context variables for the duration of a request;
`merge_contextvars` below copies them onto every line logged meanwhile, stdlib lines included.
In a Celery task django-structlog binds `task_id`, and the `request_id` of the request that
enqueued the task (it travels in the task's headers).

The format: `LOG_FORMAT=json` (the default when DEBUG is off) or `console` (the default when
DEBUG is on); the level: `LOG_LEVEL` (INFO). `gunicorn.conf.py` uses the same formatter for
gunicorn's own and access logs, and `config/celery.py` hands the worker and beat to it too.

Nothing here imports Django: gunicorn's master process reads it before any settings exist.
"""

from __future__ import annotations

import logging
import sys

import structlog

FORMATS = ("json", "console")
REQUEST_ID_HEADER = "X-Request-ID"


def _stamped() -> list:
    """What every line gets, whether it came from structlog or from the standard library."""
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]


def configure_structlog() -> None:
    """structlog's own loggers (django-structlog's request and task events) hand their event
    dictionaries to the standard library, where the formatter below renders them."""
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_stamped(),
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.UnicodeDecoder(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def formatter(fmt: str = "json") -> logging.Formatter:
    """The formatter of every handler (a `()` factory for `logging.config.dictConfig`)."""
    if fmt not in FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if fmt == "json":
        render = [
            structlog.processors.format_exc_info,
            structlog.processors.EventRenamer("message"),
            structlog.processors.JSONRenderer(),
        ]
    else:
        render = [structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())]
    return structlog.stdlib.ProcessorFormatter(
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *render],
        # Lines from the standard library (Django, Celery, our modules) get the same fields.
        foreign_pre_chain=[*_stamped(), structlog.stdlib.ExtraAdder()],
    )


def build(fmt: str, level: str) -> dict:
    """The LOGGING dictionary (settings), with structlog configured to feed it."""
    formatter(fmt)  # refuse an unknown format at startup, not at the first line
    configure_structlog()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"portal": {"()": "config.logging.formatter", "fmt": fmt}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "portal"}},
        "root": {"handlers": ["console"], "level": level.upper()},
        "loggers": {
            # Django's default configuration gives "django" a console handler of its own when
            # DEBUG is on: every line would be printed twice. The root's handler is enough.
            "django": {"handlers": [], "propagate": True},
        },
    }


def gunicorn_logconfig(fmt: str, level: str) -> dict:
    """gunicorn's `logconfig_dict`: its error log and access log through the same formatter."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"portal": {"()": "config.logging.formatter", "fmt": fmt}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "portal",
                "stream": "ext://sys.stdout",
            }
        },
        "root": {"handlers": ["console"], "level": level.upper()},
        "loggers": {
            "gunicorn.error": {"level": level.upper(), "handlers": [], "propagate": True},
            "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": True},
        },
    }


class RequestIdHeaderMiddleware:
    """Sends the request id django-structlog gave the request back as `X-Request-ID`, so the
    access log (gunicorn's `%({x-request-id}o)s`), a proxy's log and a person reporting a
    problem can all quote the id that the application's lines carry. Placed right after
    django-structlog's `RequestMiddleware`, while the id is bound."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        request_id = structlog.contextvars.get_contextvars().get("request_id")
        if request_id:  # this request's, even on a response a cache kept from another
            response[REQUEST_ID_HEADER] = request_id
        return response
