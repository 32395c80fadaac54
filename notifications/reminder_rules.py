"""The kinds of reminder the daily scan finds (notifications.reminders): for each kind, its
subjects on a day (a queryset with the columns every rule gives: r_partnership, r_title,
r_object, r_occurrence, r_about), the path from a subject to its partnership, and who is told.
Outer apps add their own kinds through the hook `reminders.rules` (agenda: an overdue scheduled
activity, told to its assignee)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import CharField, F, Q, QuerySet, Value
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone

from core import hooks
from notifications.models import Reminder
from partnerships.health import rules
from partnerships.models import MOU, Partnership, PlanAction, Step

Kind = Reminder.Kind

# Which reminders a snooze covers: all of the same subject, whatever the window (a kind not
# named here, such as an outer app's, covers itself).
TOPICS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(Reminder.REVIEW_KINDS, Reminder.REVIEW_KINDS),
    **dict.fromkeys(Reminder.MOU_KINDS, Reminder.MOU_KINDS),
    Kind.STALLED: (Kind.STALLED,),
    Kind.ACTION_OVERDUE: (Kind.ACTION_OVERDUE,),
}


def topic(kind: str) -> tuple[str, ...]:
    return TOPICS.get(kind, (kind,))


PEOPLE = "people"  # champions and every member city's officers and coordinators
COORDINATORS = "coordinators"  # member cities' coordinators only
ASSIGNEE = "assignee"  # the one person the subject names (`Rule.person`)


@dataclass(frozen=True)
class Context:
    today: dt.date
    stalled_days: int

    def start_of(self, day: dt.date) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass(frozen=True)
class Rule:
    """One kind: its subjects (with the columns every rule gives), and who is told."""

    kind: str
    subjects: Callable[[Context], QuerySet]
    to_partnership: str  # the path from the subject to its partnership ("" for a partnership)
    audience: str = PEOPLE
    person: str = ""  # ASSIGNEE: the path from the subject to the person told ("assignee__")
    # Where the reminder's work is done (reminder -> a path of this site), when that is not
    # the partnership's page.
    path: Callable | None = None


def _partnerships(ctx: Context) -> QuerySet:
    return Partnership.objects.filter(status=Partnership.Status.ACTIVE).annotate(
        r_partnership=F("pk"),
        r_title=F("title"),
        r_object=F("pk"),
    )


def _reviews(condition: Callable[[Context], Q]) -> Callable[[Context], QuerySet]:
    def subjects(ctx: Context) -> QuerySet:
        return (
            _partnerships(ctx)
            .filter(condition(ctx))
            .annotate(r_occurrence=F("next_review_on"), r_about=Value("", CharField()))
        )

    return subjects


def _mous(condition: Callable[[Context], Q]) -> Callable[[Context], QuerySet]:
    def subjects(ctx: Context) -> QuerySet:
        return MOU.objects.filter(
            condition(ctx),
            status=MOU.Status.SIGNED,
            partnership__status=Partnership.Status.ACTIVE,
        ).annotate(
            r_partnership=F("partnership_id"),
            r_title=F("partnership__title"),
            r_object=F("pk"),
            r_occurrence=F("expires_on"),
            r_about=Value("", CharField()),
        )

    return subjects


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def _stalled(ctx: Context) -> QuerySet:
    # In the step for `stalled_days` days or more: entered on or before today - N.
    entered_by = ctx.start_of(ctx.today - _days(ctx.stalled_days) + _days(1))
    return (
        _partnerships(ctx)
        .filter(step__lt=Step.MEASUREMENT, step_entered_at__lt=entered_by)
        .annotate(
            r_occurrence=TruncDate("step_entered_at", tzinfo=timezone.get_current_timezone()),
            r_about=Cast("step", CharField()),  # the step number: see models.headline
        )
    )


def _actions(ctx: Context) -> QuerySet:
    return PlanAction.objects.filter(
        status=PlanAction.Status.OPEN,
        due_on__lt=ctx.today,
        plan__partnership__status=Partnership.Status.ACTIVE,
    ).annotate(
        r_partnership=F("plan__partnership_id"),
        r_title=F("plan__partnership__title"),
        r_object=F("pk"),
        r_occurrence=F("due_on"),
        r_about=F("description"),
    )


RULES: tuple[Rule, ...] = (
    Rule(
        Kind.REVIEW_DUE,
        _reviews(
            lambda c: Q(
                next_review_on__gte=c.today,
                next_review_on__lte=c.today + _days(rules.REVIEW_DUE_REMINDED_DAYS),
            )
        ),
        "",
    ),
    Rule(Kind.REVIEW_OVERDUE, _reviews(lambda c: Q(next_review_on__lt=c.today)), ""),
    Rule(
        Kind.REVIEW_ESCALATION,
        _reviews(
            lambda c: Q(next_review_on__lt=c.today - _days(rules.REVIEW_ESCALATED_AFTER_DAYS))
        ),
        "",
        audience=COORDINATORS,
    ),
    Rule(
        Kind.MOU_EXPIRING_90,
        _mous(
            lambda c: Q(
                expires_on__gt=c.today + _days(rules.MOU_EXPIRING_SOON_DAYS),
                expires_on__lte=c.today + _days(rules.MOU_EXPIRING_DAYS),
            )
        ),
        "partnership__",
    ),
    Rule(
        Kind.MOU_EXPIRING_30,
        _mous(
            lambda c: Q(
                expires_on__gt=c.today + _days(rules.MOU_EXPIRING_LAST_DAYS),
                expires_on__lte=c.today + _days(rules.MOU_EXPIRING_SOON_DAYS),
            )
        ),
        "partnership__",
    ),
    Rule(
        Kind.MOU_EXPIRING_7,
        _mous(
            lambda c: Q(
                expires_on__gte=c.today,
                expires_on__lte=c.today + _days(rules.MOU_EXPIRING_LAST_DAYS),
            )
        ),
        "partnership__",
    ),
    Rule(Kind.MOU_EXPIRED, _mous(lambda c: Q(expires_on__lt=c.today)), "partnership__"),
    Rule(Kind.STALLED, _stalled, ""),
    Rule(Kind.ACTION_OVERDUE, _actions, "plan__partnership__"),
)


def all_rules() -> tuple[Rule, ...]:
    """These, and the rules outer apps add (hook `reminders.rules`: an overdue scheduled
    activity, from agenda)."""
    return RULES + tuple(hooks.providers("reminders.rules"))


def rule_of(kind: str) -> Rule | None:
    return next((rule for rule in all_rules() if rule.kind == kind), None)
