"""The person's open scheduled activities in their calendar feed (hook `calendar.events`): one
all-day event each on its due date, overdue ones included (they are still to do)."""

from __future__ import annotations

from django.utils.translation import gettext

from agenda import selectors
from agenda.views import record_url
from notifications.calendar import CalendarEvent


def events(user, since) -> list[CalendarEvent]:
    return [
        CalendarEvent(
            uid=f"activity-{a.pk}",
            day=a.due_on,
            summary=gettext("%(kind)s: %(summary)s")
            % {"kind": a.get_kind_display(), "summary": a.summary},
            description=gettext("Scheduled activity of “%(title)s”.")
            % {"title": a.partnership.title},
            path=record_url(a),
            category=gettext("Scheduled activity"),
        )
        for a in selectors.open_assigned_to(user, checked=False)
    ]
