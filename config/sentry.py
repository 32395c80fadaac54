"""Error reports to Sentry, only when SENTRY_DSN is set (settings import this module then and
only then, so without a DSN sentry_sdk is never even imported).

Django and Celery integrations (errors in views, in tasks and in beat; logged errors become
events through the logging integration sentry_sdk enables by default). `send_default_pii` is
off: no cookies, no user details, no client addresses in the reports. Environment and
release come from SENTRY_ENVIRONMENT and SENTRY_RELEASE; performance tracing is off unless
SENTRY_TRACES_SAMPLE_RATE says otherwise.
"""

from __future__ import annotations


def init_sentry(
    dsn: str, *, environment: str, release: str | None, traces_sample_rate: float
) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        environment=environment,
        release=release or None,
        traces_sample_rate=traces_sample_rate,
    )
