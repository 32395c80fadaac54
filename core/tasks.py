"""The portal's own Celery task: the workers' heartbeat that /readyz reads (core/health.py).

Beat sends it every minute (CELERY_BEAT_SCHEDULE in settings, copied into django-celery-beat's
table when beat starts) and a worker runs it once as it starts (config/celery.py).
"""

from celery import shared_task

from core import health


@shared_task(name=health.HEARTBEAT_TASK, ignore_result=True)
def heartbeat() -> None:
    health.record_heartbeat()
