"""Done scheduled activities on a partnership's timeline, its sub-alliances' too, read in the
timeline's one query through the hook `partnership.timeline`."""

from __future__ import annotations

from django.db.models import CharField, F, IntegerField, QuerySet, Value
from django.db.models.functions import Coalesce, Concat, Left
from django.utils.translation import gettext

from agenda.models import ScheduledActivity
from partnerships.models import Partnership
from partnerships.selectors import TIMELINE_COLUMNS, TimelineEntry, TimelineSource

SOURCE = "scheduled_activity"
EXCERPT = 140


def rows(partnership: Partnership) -> QuerySet:
    """The columns carry: t_title the kind code and summary ("call|…"), t_detail the outcome's
    start, t_from 1 when it was on a sub-alliance."""
    return (
        ScheduledActivity.objects.filter(partnership=partnership, done_at__isnull=False)
        .order_by()
        .annotate(
            t_src=Value(SOURCE, output_field=CharField()),
            t_id=F("pk"),
            t_at=F("done_at"),
            t_title=Concat("kind", Value("|"), "summary", output_field=CharField()),
            t_detail=Left("outcome", EXCERPT),
            t_from=Coalesce("sub_alliance_id", Value(0), output_field=IntegerField()),
            t_to=Value(0, output_field=IntegerField()),
            t_first=F("done_by__first_name"),
            t_last=F("done_by__last_name"),
            t_username=F("done_by__username"),
        )
        .values_list(*TIMELINE_COLUMNS)
    )


def entry(row: tuple) -> TimelineEntry:
    _, _, at, title, outcome, sub_alliance, _, first, last, username = row
    kind, _, summary = title.partition("|")
    label = ScheduledActivity.Kind(kind).label if kind in ScheduledActivity.Kind.values else kind
    text = outcome if len(outcome) < EXCERPT else f"{outcome}…"
    return TimelineEntry(
        at=at,
        kind=SOURCE,
        title=gettext("Done: %(kind)s “%(summary)s”") % {"kind": label, "summary": summary},
        detail=(
            gettext("On a sub-alliance. Outcome: %(text)s")
            if sub_alliance
            else gettext("Outcome: %(text)s")
        )
        % {"text": text},
        by=" ".join(n for n in (first, last) if n) or username or "",
    )


TIMELINE = TimelineSource(name=SOURCE, rows=rows, entry=entry)
