"""Scheduled activities: the work an officer has to do for a partnership or one of its
sub-alliances — a call, a meeting, a visit — with a person it is assigned to, a due date, and,
once done, what came of it.

The implementation log (`partnerships.Activity`) records what the partnership did; this is the
to-do list behind it. An open activity past its date reminds its assignee (the daily scan,
`agenda.reminders`), shows in their calendar feed (`agenda.calendar`), and once done it joins
the partnership's timeline (`agenda.timeline`). A plan action of step 5 can be scheduled the
same way: completing the activity marks the action done.

Written only by `agenda.services`.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliances.models import SubAlliance
from partnerships.models import Partnership, PlanAction


class ActivityKind(models.TextChoices):
    CALL = "call", _("Call")
    MEETING = "meeting", _("Meeting")
    VISIT = "visit", _("Visit")
    DELEGATION = "delegation", _("Delegation")
    DOCUMENT = "document", _("Document")
    FOLLOW_UP = "follow_up", _("Follow-up")


class ScheduledActivity(models.Model):
    Kind = ActivityKind

    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("partnership"),
    )
    sub_alliance = models.ForeignKey(
        SubAlliance,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty for the partnership's own work."),
        verbose_name=_("sub-alliance"),
    )
    plan_action = models.ForeignKey(
        PlanAction,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The business plan's action this schedules: done with it."),
        verbose_name=_("plan action"),
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, verbose_name=_("type"))
    summary = models.CharField(max_length=200, verbose_name=_("summary"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,  # a deleted account leaves the activity unassigned, not gone
        on_delete=models.SET_NULL,
        related_name="scheduled_activities",
        verbose_name=_("assignee"),
    )
    due_on = models.DateField(verbose_name=_("due on"))
    done_at = models.DateTimeField(null=True, blank=True, verbose_name=_("done at"))
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("done by"),
    )
    outcome = models.TextField(blank=True, verbose_name=_("outcome"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("scheduled activity")
        verbose_name_plural = _("scheduled activities")
        indexes = [
            # "My activities" and the reminder scan: a person's open ones by date.
            models.Index(
                fields=["assignee", "due_on"],
                condition=models.Q(done_at__isnull=True),
                name="agenda_open_by_assignee",
            ),
            models.Index(fields=["partnership", "due_on"], name="agenda_by_partnership"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ActivityKind.values),
                name="agenda_kind_known",
            ),
            # Done means an outcome was recorded, and an open one has none.
            models.CheckConstraint(
                condition=(
                    models.Q(done_at__isnull=True, outcome="")
                    | (models.Q(done_at__isnull=False) & ~models.Q(outcome=""))
                ),
                name="agenda_done_with_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.summary}"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    def bucket(self, today: dt.date) -> str:
        """Where it falls in "my activities": overdue, today, this week or later."""
        if self.due_on < today:
            return OVERDUE
        if self.due_on == today:
            return TODAY
        if self.due_on <= end_of_week(today):
            return THIS_WEEK
        return LATER


OVERDUE, TODAY, THIS_WEEK, LATER = "overdue", "today", "this_week", "later"


def end_of_week(today: dt.date) -> dt.date:
    """The Sunday of today's week (ISO weeks start on Monday)."""
    return today + dt.timedelta(days=6 - today.weekday())
