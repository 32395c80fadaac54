"""The reminders on a partnership's timeline: one entry per reminder sent (however many people
it went to), read in the timeline's own query through the hook `partnership.timeline`."""

from __future__ import annotations

import datetime as dt

from django.db.models import CharField, Count, F, Max, Min, Q, QuerySet, Value
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext, ngettext

from notifications.models import EVENT_KIND_VALUES, Reminder, headline
from partnerships.models import Partnership
from partnerships.selectors import TIMELINE_COLUMNS, TimelineEntry, TimelineSource

SOURCE = "reminder"


def rows(partnership: Partnership) -> QuerySet:
    """Reminders grouped by kind, subject and occurrence; the columns carry: t_title its
    subject, t_detail its kind, t_from and t_to how many were sent and failed, t_first its
    occurrence date (as text)."""
    was_sent = Q(sent_at__isnull=False)
    failed = Q(status=Reminder.Status.FAILED)
    return (
        Reminder.objects.filter(was_sent | failed, partnership=partnership)
        .exclude(kind__in=EVENT_KIND_VALUES)  # the events are on the timeline themselves
        .order_by()
        .values("kind", "object_id", "occurrence", "about")
        .annotate(
            t_src=Value(SOURCE, output_field=CharField()),
            t_id=Min("pk"),
            t_at=Max(Coalesce("sent_at", "created_at")),
            t_title=F("about"),
            t_detail=F("kind"),
            t_from=Count("pk", filter=was_sent),
            t_to=Count("pk", filter=failed),
            t_first=Cast("occurrence", output_field=CharField()),
            t_last=Value(None, output_field=CharField()),
            t_username=Value(None, output_field=CharField()),
        )
        .values_list(*TIMELINE_COLUMNS)
    )


def entry(row: tuple) -> TimelineEntry:
    _, _, at, about, kind, sent, failed, occurrence, _, _ = row
    day = dt.date.fromisoformat(str(occurrence)[:10])
    if sent:
        detail = ngettext("Sent to %(n)s person", "Sent to %(n)s people", sent) % {"n": sent}
    else:
        detail = gettext("Not sent")
    if failed:
        detail = gettext("%(detail)s; %(failed)s could not be emailed") % {
            "detail": detail,
            "failed": failed,
        }
    return TimelineEntry(
        at=at,
        kind=SOURCE,
        title=gettext("Reminder: %(headline)s") % {"headline": headline(kind, day, about)},
        detail=detail,
        by="",
        failed=failed,
    )


TIMELINE = TimelineSource(name=SOURCE, rows=rows, entry=entry)
