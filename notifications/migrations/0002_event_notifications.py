"""Notifications of a partnership's events (notifications.events): the event kinds and the
daily digest on `Reminder`, a choice per kind of event on `NotificationPreference`, `Follow`,
and the daily digest in the beat schedule (17:00 in TIME_ZONE, editable in the admin)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


DAILY_DIGEST = {
    "name": "Daily digest of events",
    "task": "notifications.tasks.send_daily_digests",
    "description": "One email to each person with event notifications (confirmations, moves, "
    "mentions...) waiting for their daily digest (notifications/events.py).",
}


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="17",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone=settings.TIME_ZONE,
    )
    PeriodicTask.objects.get_or_create(
        name=DAILY_DIGEST["name"],
        defaults={
            "task": DAILY_DIGEST["task"],
            "crontab": crontab,
            "enabled": True,
            "description": DAILY_DIGEST["description"],
        },
    )


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=DAILY_DIGEST["name"]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('django_celery_beat', '0016_alter_crontabschedule_timezone'),
        ('notifications', '0001_initial'),
        ('partnerships', '0010_publication_choices'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Follow',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('object_id', models.PositiveBigIntegerField()),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
        ),
        migrations.AddField(
            model_name='notificationpreference',
            name='events',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name='reminder',
            name='actor',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='reminder',
            name='data',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AlterField(
            model_name='reminder',
            name='kind',
            field=models.CharField(choices=[('review_due', 'Review due within 14 days'), ('review_overdue', 'Review overdue'), ('review_escalation', 'Review overdue by more than 30 days'), ('mou_expiring_90', 'MOU expires within 90 days'), ('mou_expiring_30', 'MOU expires within 30 days'), ('mou_expiring_7', 'MOU expires within 7 days'), ('mou_expired', 'MOU expired'), ('stalled', 'Partnership stalled in its step'), ('action_overdue', 'Plan action overdue'), ('confirmation_awaited', 'Confirmation awaited'), ('confirmed', 'The other city confirmed'), ('advanced', 'Moved to the next step'), ('returned', 'Returned to an earlier step'), ('offline_confirmation_disputed', 'Confirmation outside the portal disputed'), ('invitation_accepted', 'Invitation accepted'), ('mentioned', 'You were mentioned')], max_length=32),
        ),
        migrations.AlterField(
            model_name='reminder',
            name='object_id',
            field=models.PositiveBigIntegerField(help_text='What it is about: the partnership (reviews, stalled), the MOU or the action; for an event, the record the event names (a move, a confirmation, a comment...).'),
        ),
        migrations.AlterField(
            model_name='reminder',
            name='partnership',
            field=models.ForeignKey(blank=True, help_text='Empty only for an event about no partnership (an invitation to a city).', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='reminders', to='partnerships.partnership'),
        ),
        migrations.AlterField(
            model_name='reminder',
            name='role',
            field=models.CharField(choices=[('champion', 'Champion'), ('officer', 'Officer of a member city'), ('coordinator', 'Coordinator of a member city'), ('follower', 'Follower of the partnership'), ('concerned', 'Person concerned')], max_length=16),
        ),
        migrations.AlterField(
            model_name='reminder',
            name='status',
            field=models.CharField(choices=[('pending', 'Waiting to be sent'), ('sending', 'Being sent'), ('sent', 'Sent'), ('digest', 'Waiting for the weekly digest'), ('daily', 'Waiting for the daily digest'), ('quiet', 'In the portal only (email off)'), ('failed', 'Failed'), ('snoozed', 'Snoozed')], default='pending', max_length=16),
        ),
        migrations.AddConstraint(
            model_name='reminder',
            constraint=models.UniqueConstraint(condition=models.Q(('kind__in', ('confirmation_awaited', 'confirmed', 'advanced', 'returned', 'offline_confirmation_disputed', 'invitation_accepted', 'mentioned'))), fields=('kind', 'object_id', 'occurrence', 'recipient'), name='event_once_per_user'),
        ),
        migrations.AddField(
            model_name='follow',
            name='content_type',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='contenttypes.contenttype'),
        ),
        migrations.AddField(
            model_name='follow',
            name='user',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='follows', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddIndex(
            model_name='follow',
            index=models.Index(fields=['content_type', 'object_id'], name='follow_target'),
        ),
        migrations.AddConstraint(
            model_name='follow',
            constraint=models.UniqueConstraint(fields=('user', 'content_type', 'object_id'), name='follow_once'),
        ),
        migrations.RunPython(create_schedule, remove_schedule),
    ]
