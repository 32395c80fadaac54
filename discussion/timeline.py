"""The comments on a partnership's timeline, its own thread's and its sub-alliances', in order
with the moves and activities: read in the timeline's one query through the hook
`partnership.timeline`. A removed comment stays as "comment removed"."""

from __future__ import annotations

from django.db.models import Case, CharField, F, IntegerField, QuerySet, Value, When
from django.db.models.functions import Coalesce, Left
from django.utils.translation import gettext

from discussion.models import Comment
from partnerships.models import Partnership
from partnerships.selectors import TIMELINE_COLUMNS, TimelineEntry, TimelineSource

SOURCE = "comment"
EXCERPT = 140


def rows(partnership: Partnership) -> QuerySet:
    """The columns carry: t_title the text's start, t_detail the sub-alliance's name (or
    empty), t_from 1 when removed."""
    return (
        Comment.objects.filter(partnership=partnership)
        .order_by()
        .annotate(
            t_src=Value(SOURCE, output_field=CharField()),
            t_id=F("pk"),
            t_at=F("created_at"),
            t_title=Left("body", EXCERPT),
            t_detail=Coalesce(F("sub_alliance__name"), Value("", output_field=CharField())),
            t_from=Case(
                When(removed_at__isnull=False, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            t_to=Value(0, output_field=IntegerField()),
            t_first=F("author__first_name"),
            t_last=F("author__last_name"),
            t_username=F("author__username"),
        )
        .values_list(*TIMELINE_COLUMNS)
    )


def entry(row: tuple) -> TimelineEntry:
    _, _, at, text, sub_alliance, removed, _, first, last, username = row
    where = (
        gettext("On the sub-alliance “%(name)s”") % {"name": sub_alliance} if sub_alliance else ""
    )
    excerpt = text if len(text) < EXCERPT else f"{text}…"
    return TimelineEntry(
        at=at,
        kind=SOURCE,
        title=gettext("Comment removed") if removed else excerpt,
        detail=where,
        by=" ".join(n for n in (first, last) if n) or username or "",
        muted=bool(removed),
    )


TIMELINE = TimelineSource(name=SOURCE, rows=rows, entry=entry)
