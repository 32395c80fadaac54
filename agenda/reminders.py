"""An open scheduled activity past its due date reminds its assignee, through the daily scan
of notifications.reminders (hook `reminders.rules`): once per due date, so a new date reminds
again; snoozing it quiets it as any reminder. Due today is not late. Only on active
partnerships: a paused one waits, as its plan actions do."""

from __future__ import annotations

from django.db.models import F, QuerySet
from django.urls import reverse

from agenda.models import ScheduledActivity
from notifications.models import Reminder
from notifications.reminder_rules import ASSIGNEE, Context, Rule
from partnerships.models import Partnership


def _overdue(ctx: Context) -> QuerySet:
    return ScheduledActivity.objects.filter(
        done_at__isnull=True,
        due_on__lt=ctx.today,
        assignee__isnull=False,
        partnership__status=Partnership.Status.ACTIVE,
    ).annotate(
        r_partnership=F("partnership_id"),
        r_title=F("partnership__title"),
        r_object=F("pk"),
        r_occurrence=F("due_on"),
        r_about=F("summary"),
    )


def _path(reminder) -> str:
    return f"{reverse('agenda:mine')}#activity-{reminder.object_id}"


OVERDUE = Rule(
    Reminder.Kind.ACTIVITY_OVERDUE,
    _overdue,
    "partnership__",
    audience=ASSIGNEE,
    person="assignee__",
    path=_path,
)
