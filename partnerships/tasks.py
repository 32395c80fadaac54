"""The partnerships app's Celery task: each new day, every running partnership's stored health
is recomputed (partnerships.health.stored), so that the first person to open a dashboard that
day does not wait for it. Beat sends it just after midnight (CELERY_BEAT_SCHEDULE in settings).
"""

from celery import shared_task
from django.utils import timezone

from partnerships.health import stored
from partnerships.models import Partnership


@shared_task(name="partnerships.tasks.refresh_health", ignore_result=True)
def refresh_health() -> int:
    """Give a row to any partnership without one, then recompute every running partnership's
    stored health that is not current today; returns how many were read."""
    stored.add_missing()
    read = stored.refresh_stale(Partnership.objects.all(), timezone.localdate())
    if read:
        stored.analyze()
    return read
