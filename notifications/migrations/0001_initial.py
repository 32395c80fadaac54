"""The reminder models, moved here from partnerships (see partnerships 0009, which renamed their
tables): created in the migration state only, the rows are already in their tables.

Also carried over: their content types (so permissions granted on them stay granted), and the
beat schedule's task names (the tasks moved from `partnerships.tasks` to `notifications.tasks`).
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


MOVED = ("reminder", "notificationpreference", "calendarfeed")
TASKS = ("run_reminder_scan", "deliver_reminder", "send_weekly_digests", "send_digest")


def _move_content_types(apps, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label=target, model=model).exists():
            ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def move_content_types(apps, schema_editor):
    _move_content_types(apps, "partnerships", "notifications")


def move_content_types_back(apps, schema_editor):
    _move_content_types(apps, "notifications", "partnerships")


def _rename_tasks(apps, source: str, target: str) -> None:
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for task in TASKS:
        PeriodicTask.objects.filter(task=f"{source}.tasks.{task}").update(
            task=f"{target}.tasks.{task}"
        )


def rename_beat_tasks(apps, schema_editor):
    _rename_tasks(apps, "partnerships", "notifications")


def rename_beat_tasks_back(apps, schema_editor):
    _rename_tasks(apps, "notifications", "partnerships")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('partnerships', '0009_reminders_to_notifications'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('django_celery_beat', '0016_alter_crontabschedule_timezone'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CalendarFeed',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('secret', models.CharField(max_length=64)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('last_fetched_at', models.DateTimeField(blank=True, null=True)),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='calendar_feed', to=settings.AUTH_USER_MODEL)),
                    ],
                ),
                migrations.CreateModel(
                    name='NotificationPreference',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('delivery', models.CharField(choices=[('immediate', 'An email for each reminder, as it comes'), ('digest', 'One email a week listing them (the weekly digest)')], default='immediate', max_length=16)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='notification_preference', to=settings.AUTH_USER_MODEL)),
                    ],
                ),
                migrations.CreateModel(
                    name='Reminder',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('review_due', 'Review due within 14 days'), ('review_overdue', 'Review overdue'), ('review_escalation', 'Review overdue by more than 30 days'), ('mou_expiring_90', 'MOU expires within 90 days'), ('mou_expiring_30', 'MOU expires within 30 days'), ('mou_expiring_7', 'MOU expires within 7 days'), ('mou_expired', 'MOU expired'), ('stalled', 'Partnership stalled in its step'), ('action_overdue', 'Plan action overdue')], max_length=24)),
                        ('object_id', models.PositiveBigIntegerField(help_text='What it is about: the partnership (reviews, stalled), the MOU or the action.')),
                        ('occurrence', models.DateField(help_text="The date that identifies this occurrence: the review date, the MOU's expiry, the action's due date, or the day the partnership entered its step.")),
                        ('about', models.CharField(blank=True, help_text="The action's description, or the number of the step stalled in.", max_length=240)),
                        ('recipient_email', models.EmailField(blank=True, help_text='The address written to (lower case), when there is one.', max_length=254)),
                        ('role', models.CharField(choices=[('champion', 'Champion'), ('officer', 'Officer of a member city'), ('coordinator', 'Coordinator of a member city')], max_length=16)),
                        ('status', models.CharField(choices=[('pending', 'Waiting to be sent'), ('sending', 'Being sent'), ('sent', 'Sent'), ('digest', 'Waiting for the weekly digest'), ('failed', 'Failed'), ('snoozed', 'Snoozed')], default='pending', max_length=16)),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('last_error', models.TextField(blank=True)),
                        ('batch', models.UUIDField(blank=True, help_text='The scan or digest run that last took this row.', null=True)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('claimed_at', models.DateTimeField(blank=True, null=True)),
                        ('sent_at', models.DateTimeField(blank=True, null=True)),
                        ('read_at', models.DateTimeField(blank=True, null=True)),
                        ('snoozed_until', models.DateField(blank=True, null=True)),
                        ('snooze_reason', models.TextField(blank=True)),
                        ('partnership', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reminders', to='partnerships.partnership')),
                        ('recipient', models.ForeignKey(blank=True, help_text='Empty for a champion without a portal account: then email only.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='reminders', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(fields=['recipient', 'read_at'], name='reminder_inbox'), models.Index(fields=['status', 'created_at'], name='reminder_status'), models.Index(fields=['partnership', 'status'], name='reminder_partnership'), models.Index(fields=['batch'], name='reminder_batch')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('recipient__isnull', False)), fields=('kind', 'partnership', 'object_id', 'occurrence', 'recipient'), name='reminder_once_per_user'), models.UniqueConstraint(condition=models.Q(('recipient__isnull', True)), fields=('kind', 'partnership', 'object_id', 'occurrence', 'recipient_email'), name='reminder_once_per_address'), models.CheckConstraint(condition=models.Q(('recipient__isnull', False), models.Q(('recipient_email', ''), _negated=True), _connector='OR'), name='reminder_has_a_recipient')],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
        migrations.RunPython(rename_beat_tasks, rename_beat_tasks_back),
    ]
