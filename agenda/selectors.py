"""The reads of scheduled activities: a person's own ("my activities"), a record's, and who
an activity may be assigned to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from agenda.models import LATER, OVERDUE, THIS_WEEK, TODAY, ScheduledActivity
from partnerships.models import CityMembership, Partnership
from partnerships.selectors import partnerships_visible_to

# A record's page shows its open activities and this many of the latest done ones.
DONE_SHOWN = 10
# The dashboard's panel shows this many of the person's open activities (overdue first).
PANEL_LENGTH = 6


def _with_records(
    qs: QuerySet[ScheduledActivity], checked: bool = True
) -> QuerySet[ScheduledActivity]:
    """With what the pages show and, if `checked`, what the permission checks of each row
    read (the member cities: one more query)."""
    qs = qs.select_related("partnership", "sub_alliance", "assignee", "plan_action")
    return qs.prefetch_related("partnership__members") if checked else qs


def open_assigned_to(user, checked: bool = True) -> QuerySet[ScheduledActivity]:
    """The person's open activities on records they may still see (one who left a city keeps
    no work of its partnerships), earliest first."""
    return _with_records(
        ScheduledActivity.objects.filter(
            assignee=user,
            done_at__isnull=True,
            partnership__in=partnerships_visible_to(user).values("pk"),
        ),
        checked,
    ).order_by("due_on", "pk")


@dataclass
class Agenda:
    """The person's open activities by when they fall due."""

    today: dt.date
    groups: dict[str, list[ScheduledActivity]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(len(rows) for rows in self.groups.values())

    @property
    def overdue(self) -> int:
        return len(self.groups.get(OVERDUE, []))


def my_agenda(user, today: dt.date | None = None, checked: bool = True) -> Agenda:
    """The person's open activities, overdue, today, this week and later: one query (two when
    `checked`, for the rows' permission checks)."""
    today = today or timezone.localdate()
    agenda = Agenda(today=today, groups={OVERDUE: [], TODAY: [], THIS_WEEK: [], LATER: []})
    for activity in open_assigned_to(user, checked):
        agenda.groups[activity.bucket(today)].append(activity)
    return agenda


def for_record(partnership: Partnership, sub_alliance=None, done: bool = True) -> tuple[list, list]:
    """The record's open activities (earliest first) with what their permission checks read,
    and its latest done ones: three queries; only the open ones with `done=False` (a panel
    that checks nothing per row): one. A partnership's own page lists its sub-alliances'
    activities too, each saying where."""
    qs = _with_records(ScheduledActivity.objects.filter(partnership=partnership), done)
    if sub_alliance is not None:
        qs = qs.filter(sub_alliance=sub_alliance)
    open_rows = list(qs.filter(done_at__isnull=True).order_by("due_on", "pk"))
    if not done:
        return open_rows, []
    done_rows = list(
        qs.filter(done_at__isnull=False)
        .select_related("done_by")
        .order_by("-done_at", "-pk")[:DONE_SHOWN]
    )
    return open_rows, done_rows


def assignable_people(partnership: Partnership) -> QuerySet:
    """Who an activity of the partnership (or of one of its sub-alliances) may be given to:
    the active officers and coordinators of its member cities, by name."""
    officer = CityMembership.objects.filter(
        user=OuterRef("pk"), partner__memberships__partnership=partnership
    )
    return (
        get_user_model()
        .objects.filter(Exists(officer), is_active=True)
        .order_by("first_name", "last_name", "username")
    )
