"""Scheduling, completing and cancelling activities: who may, to whom, and what is refused
(nothing half-done)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from agenda import selectors, services
from agenda.models import LATER, OVERDUE, THIS_WEEK, TODAY, ScheduledActivity, end_of_week
from core.errors import DomainError
from partnerships.models import Partnership, PlanAction
from partnerships.selectors import timeline
from tests.factories.alliances import SubAllianceFactory
from tests.factories.partnerships import BusinessPlanFactory, PlanActionFactory

pytestmark = pytest.mark.django_db


def test_an_officer_schedules_work_for_the_other_sides_officer(world):
    activity = world.schedule(kind="meeting", summary="  Plan the visit  ")
    assert (activity.kind, activity.summary, activity.assignee) == (
        "meeting",
        "Plan the visit",
        world.away_officer,
    )
    assert activity.created_by == world.home_officer and not activity.is_done


def test_who_may_not_schedule_and_to_whom_nobody_may_assign(world):
    with pytest.raises(DomainError, match="may not schedule"):
        world.schedule(by=world.stranger_officer)
    with pytest.raises(DomainError, match="cannot see"):
        world.schedule(to=world.stranger_officer)
    with pytest.raises(DomainError, match="cannot see"):
        world.schedule(to=world.plain)
    with pytest.raises(ValidationError) as error:
        world.schedule(days=-1)
    assert "due_on" in error.value.message_dict
    with pytest.raises(ValidationError):
        world.schedule(kind="party")
    assert not ScheduledActivity.objects.exists()


def test_nothing_is_scheduled_on_an_ended_partnership(world):
    Partnership.objects.filter(pk=world.partnership.pk).update(status=Partnership.Status.ENDED)
    with pytest.raises(DomainError, match="nothing more can be scheduled"):
        world.schedule()


def test_a_sub_alliances_activity_and_one_of_another_partnership(world):
    activity = world.schedule(sub_alliance=world.sub_alliance)
    assert activity.sub_alliance == world.sub_alliance
    elsewhere = SubAllianceFactory()
    with pytest.raises(DomainError, match="another partnership"):
        world.schedule(sub_alliance=elsewhere)


def test_the_assignee_completes_it_with_an_outcome_and_it_joins_the_timeline(world):
    activity = world.schedule()
    with pytest.raises(ValidationError):
        services.activity_complete(user=world.away_officer, activity=activity, outcome="  ")
    with pytest.raises(DomainError, match="may not complete"):
        services.activity_complete(user=world.stranger_officer, activity=activity, outcome="x")
    done = services.activity_complete(
        user=world.away_officer, activity=activity, outcome="They agreed to host us in May."
    )
    assert done.is_done and done.done_by == world.away_officer
    with pytest.raises(DomainError, match="done already"):
        services.activity_complete(user=world.home_officer, activity=activity, outcome="again")
    entries = [e for e in timeline(world.partnership) if e.kind == "scheduled_activity"]
    assert [(e.title, e.detail, e.by) for e in entries] == [
        (
            "Done: Call “Call the water utility”",
            "Outcome: They agreed to host us in May.",
            world.away_officer.get_full_name() or world.away_officer.username,
        )
    ]


def test_a_scheduled_plan_action_is_done_with_its_activity(world):
    plan = BusinessPlanFactory(partnership=world.partnership)
    action = PlanActionFactory(plan=plan, description="Sign the utilities' MOU")
    activity = world.schedule(plan_action=action, kind="follow_up")
    services.activity_complete(user=world.away_officer, activity=activity, outcome="Signed.")
    action.refresh_from_db()
    assert action.status == PlanAction.Status.DONE and action.completed_on == world.today
    other = PlanActionFactory(plan=BusinessPlanFactory())
    with pytest.raises(ValidationError) as error:
        world.schedule(plan_action=other)
    assert "plan_action" in error.value.message_dict
    with pytest.raises(ValidationError):
        world.schedule(plan_action=action)  # done: no longer open


def test_cancel_an_open_one_but_never_a_done_one(world):
    activity = world.schedule()
    with pytest.raises(DomainError):
        services.activity_cancel(user=world.stranger_officer, activity=activity)
    services.activity_cancel(user=world.home_officer, activity=activity)
    assert not ScheduledActivity.objects.exists()
    done = world.schedule()
    services.activity_complete(user=world.away_officer, activity=done, outcome="Held.")
    with pytest.raises(DomainError, match="stays on the record"):
        services.activity_cancel(user=world.home_officer, activity=done)


def test_my_agenda_groups_by_when_it_falls_due(world):
    today = world.today
    week_end = end_of_week(today)
    rows = {}
    for name, day in [
        ("overdue", today - dt.timedelta(days=2)),
        ("today", today),
        ("week", week_end),
        ("later", week_end + dt.timedelta(days=1)),
    ]:
        rows[name] = ScheduledActivity.objects.create(
            partnership=world.partnership,
            kind="call",
            summary=name,
            assignee=world.away_officer,
            due_on=day,
        )
    done = world.schedule(summary="done")
    services.activity_complete(user=world.away_officer, activity=done, outcome="ok")
    agenda = selectors.my_agenda(world.away_officer, today)
    summaries = {k: [a.summary for a in v] for k, v in agenda.groups.items()}
    expected_week = [] if week_end == today else ["week"]
    assert summaries[OVERDUE] == ["overdue"]
    assert summaries[TODAY] == (["today", "week"] if week_end == today else ["today"])
    assert summaries[THIS_WEEK] == expected_week
    assert summaries[LATER] == ["later"]
    assert selectors.my_agenda(world.home_officer, today).total == 0
    # Someone who left the city keeps no work of its partnerships.
    world.away_officer.city_memberships.all().delete()
    left = type(world.away_officer).objects.get(pk=world.away_officer.pk)
    assert selectors.my_agenda(left, today).total == 0
