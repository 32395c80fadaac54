"""The Celery application. Tasks live in each app's `tasks.py`."""

import os

from celery import Celery
from celery.signals import setup_logging, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("twinning")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# --- Deployment (docs/deployment.md) ---------------------------------------------------------
@setup_logging.connect
def _portal_logging(**kwargs):
    """The worker and beat log through settings.LOGGING (config/logging.py: JSON lines in
    production, LOG_LEVEL) instead of Celery's own format; `--loglevel` is then unused."""
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


# django-structlog: each task's lines carry its task_id and the enqueuing request's request_id.
from django_structlog.celery.steps import DjangoStructLogInitStep  # noqa: E402

app.steps["worker"].add(DjangoStructLogInitStep)


@worker_ready.connect
def _first_heartbeat(**kwargs):
    """A worker that just started counts for /readyz at once, not a minute later."""
    from core.health import record_heartbeat

    try:
        record_heartbeat()
    except Exception:  # the cache may be down; beat's next heartbeat will tell
        import logging

        logging.getLogger("portal.health").warning("first heartbeat not recorded", exc_info=True)
