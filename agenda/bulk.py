"""The partnership list's bulk action "Assign an activity" (hook `partnerships.bulk_actions`):
the same activity scheduled on each selected partnership, through the agenda's service, which
refuses a row whose partnership the assignee cannot see or the person may not change."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agenda import services
from agenda.forms import BulkScheduleForm
from core.formatting import day
from partnerships.bulk import BulkAction
from partnerships.selectors import person


def schedule(partnership, user, data: dict) -> str:
    activity = services.activity_schedule(
        user=user,
        partnership=partnership,
        kind=data["kind"],
        summary=data["summary"],
        assignee=data["assignee"],
        due_on=data["due_on"],
    )
    return gettext("Scheduled for %(person)s, due %(day)s.") % {
        "person": person(activity.assignee),
        "day": day(activity.due_on),
    }


ASSIGN = BulkAction(
    code="activity",
    label=_("Assign an activity"),
    apply=schedule,
    form=BulkScheduleForm,
    order=30,
)
