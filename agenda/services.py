"""The writes of scheduled activities: schedule, complete and cancel. Each is atomic and checks
who may do it again (agenda.permissions); a refused one changes nothing.

An activity is assigned to someone who may see its record: a member city's officer (or an
admin). Completing needs an outcome; when the activity schedules a plan action, the action is
marked done with it, through the planning service.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agenda import permissions
from agenda.models import ScheduledActivity
from core.errors import DomainError
from core.services import lock, model_update
from partnerships import services as partnership_services
from partnerships.models import Partnership, PlanAction
from partnerships.selectors import person
from partnerships.selectors.visibility import users_who_may_see


def _check_assignee(assignee, partnership: Partnership, sub_alliance) -> None:
    if assignee is None:
        raise ValidationError({"assignee": _("Choose who will do it.")})
    if not users_who_may_see(partnership.pk, [assignee.pk]).exists():
        raise DomainError(
            _("%(person)s cannot see “%(title)s”: choose an officer of one of its cities.")
            % {"person": person(assignee), "title": partnership}
        )


def _check_plan_action(action: PlanAction | None, partnership: Partnership) -> None:
    if action is None:
        return
    if action.plan.partnership_id != partnership.pk:
        raise ValidationError({"plan_action": _("That action is another partnership's.")})
    if action.status != PlanAction.Status.OPEN:
        raise ValidationError({"plan_action": _("That action is no longer open.")})


@transaction.atomic
def activity_schedule(
    *,
    user,
    partnership: Partnership,
    kind: str,
    summary: str,
    assignee,
    due_on: dt.date,
    sub_alliance=None,
    plan_action: PlanAction | None = None,
) -> ScheduledActivity:
    """Schedule work on a partnership (or one of its sub-alliances) for someone who may see
    it. A due date in the past is refused: what already happened belongs in the log."""
    partnership = lock(Partnership, partnership.pk)
    if sub_alliance is not None and sub_alliance.partnership_id != partnership.pk:
        raise DomainError(_("That sub-alliance belongs to another partnership."))
    if user is not None and not permissions.can_schedule(user, partnership, sub_alliance):
        raise DomainError(_("You may not schedule work on this partnership."))
    if partnership.status in (Partnership.Status.ENDED, Partnership.Status.ARCHIVED):
        raise DomainError(
            _("“%(title)s” is %(status)s: nothing more can be scheduled on it.")
            % {"title": partnership, "status": partnership.get_status_display().lower()}
        )
    _check_assignee(assignee, partnership, sub_alliance)
    _check_plan_action(plan_action, partnership)
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": _("The due date has passed: choose today or later.")})
    activity = ScheduledActivity(
        partnership=partnership,
        sub_alliance=sub_alliance,
        plan_action=plan_action,
        kind=kind,
        summary=(summary or "").strip(),
        assignee=assignee,
        due_on=due_on,
        created_by=user,
    )
    activity.full_clean()
    activity.save()
    return activity


@transaction.atomic
def activity_complete(*, user, activity: ScheduledActivity, outcome: str) -> ScheduledActivity:
    """Mark it done with what came of it; it joins the partnership's timeline. A scheduled
    plan action is marked done too (unless someone closed it meanwhile)."""
    activity = lock(ScheduledActivity, activity.pk)
    if activity.is_done:
        raise DomainError(_("This activity was marked done already."))
    if user is not None and not permissions.can_complete(user, activity):
        raise DomainError(_("You may not complete this activity."))
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": _("Say what came of it.")})
    now = timezone.now()
    model_update(activity, {"done_at": now, "done_by": user, "outcome": outcome})
    action = activity.plan_action
    if action is not None and action.status == PlanAction.Status.OPEN:
        partnership_services.plan_action_set_status(
            action=action,
            status=PlanAction.Status.DONE,
            user=user,
            on=timezone.localdate(),
        )
    return activity


@transaction.atomic
def activity_cancel(*, user, activity: ScheduledActivity) -> None:
    """Remove an open activity that will not happen (a done one stays, as a record)."""
    activity = lock(ScheduledActivity, activity.pk)
    if activity.is_done:
        raise DomainError(_("A done activity stays on the record."))
    if user is not None and not permissions.can_cancel(user, activity):
        raise DomainError(_("You may not cancel this activity."))
    activity.delete()
