"""The reminder schedule, in the database so that it is editable in the admin (django-celery-beat):
the daily scan at 06:00 and the weekly digest on Monday at 07:00, in the portal's TIME_ZONE."""

from django.conf import settings
from django.db import migrations

TASKS = [
    {
        "name": "Daily reminder scan",
        "task": "partnerships.tasks.run_reminder_scan",
        "crontab": {"minute": "0", "hour": "6", "day_of_week": "*"},
        "description": "Records and sends the reminders due today: reviews, MOU expiries, "
        "stalled partnerships and late plan actions (partnerships/reminders.py).",
    },
    {
        "name": "Weekly reminder digest",
        "task": "partnerships.tasks.send_weekly_digests",
        "crontab": {"minute": "0", "hour": "7", "day_of_week": "1"},
        "description": "One email to each person who chose the weekly digest, listing the "
        "reminders that waited for it.",
    },
]


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for spec in TASKS:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            **spec["crontab"],
            day_of_month="*",
            month_of_year="*",
            timezone=settings.TIME_ZONE,
        )
        PeriodicTask.objects.get_or_create(
            name=spec["name"],
            defaults={
                "task": spec["task"],
                "crontab": crontab,
                "enabled": True,
                "description": spec["description"],
            },
        )


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[spec["name"] for spec in TASKS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0006_reminders"),
        ("django_celery_beat", "0016_alter_crontabschedule_timezone"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
