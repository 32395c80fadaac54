"""The eight-step walk: gates, moves, returns and two people pressing Advance at once."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from core.errors import DomainError
from partnerships import services, workflow
from partnerships.models import Partnership, Step, StepTransition, TwinningStrategy
from tests.factories.accounts import UserFactory
from tests.factories.partnerships import (
    CandidateFactory,
    CityMembershipFactory,
    MOUFactory,
    NorthPartnerFactory,
    PartnerFactory,
    PartnershipFactory,
    PartnershipMemberFactory,
    TwinningStrategyFactory,
    confirm_each_side,
    walked_to,
)

pytestmark = pytest.mark.django_db


def test_a_partnership_walks_from_strategy_to_measurement():
    home = PartnerFactory()
    officer = _officer_of(home)
    partnership = walked_to(Step.MEASUREMENT, home=home, user=officer)

    assert partnership.step == Step.MEASUREMENT
    moves = list(partnership.transitions.order_by("at", "id"))
    assert [(m.from_step, m.to_step) for m in moves] == [(s, s + 1) for s in range(1, 8)]
    assert {m.kind for m in moves} == {StepTransition.Kind.ADVANCE}
    assert {m.by for m in moves} == {officer}
    # Leaving the strategy step tied the partnership to the home city's strategy in force.
    assert partnership.strategy.status == TwinningStrategy.Status.IN_FORCE
    # Selection brought the chosen candidate in as counterpart: South and North.
    assert partnership.members.count() == 2
    assert partnership.orientation == Partnership.Orientation.NORTH_SOUTH


GATE_MESSAGES = {
    Step.STRATEGY: "Put a twinning strategy in force for the home city.",
    Step.SEARCH: "Draw up at least one candidate city, with its rationale.",
    Step.APPROACH: "Complete due diligence on at least one candidate.",
    Step.SELECTION: "Record the selection decision with its reasons.",
    Step.PLANNING: "Agree at least one KPI with baseline, target and unit.",
    Step.AGREEMENT: "Sign the MOU, with its effective and expiry dates.",
    Step.IMPLEMENTATION: "Log at least one activity before measuring results.",
}


@pytest.mark.parametrize("step", list(GATE_MESSAGES))
def test_each_gate_refuses_with_what_is_missing_and_changes_nothing(step):
    partnership = walked_to(step)
    if step == Step.STRATEGY:
        pass  # a fresh home city has no strategy
    moves_before = StepTransition.objects.count()

    with pytest.raises(DomainError) as refused:
        services.partnership_advance(partnership=partnership)

    assert GATE_MESSAGES[step] in refused.value.missing
    partnership.refresh_from_db()
    assert partnership.step == step
    assert StepTransition.objects.count() == moves_before


def test_the_planning_gate_lists_every_missing_artefact():
    partnership = walked_to(Step.PLANNING)
    assert workflow.missing_to_advance(partnership) == [
        "Record the letter of intent.",
        "Write the business plan (vision, goals, objectives, scope).",
        "Agree at least one KPI with baseline, target and unit.",
    ]


def test_selection_needs_two_partners_even_with_a_decision():
    partnership = walked_to(Step.SELECTION)
    candidate = partnership.candidates.get()
    services.selection_decide(partnership=partnership, candidate=candidate, reasons="Fit.")
    partnership.members.filter(role="counterpart").delete()

    assert workflow.missing_to_advance(partnership) == [
        "Have at least two partner cities in the partnership."
    ]


def test_a_draft_mou_does_not_open_implementation():
    partnership = walked_to(Step.AGREEMENT)
    MOUFactory(partnership=partnership, status="draft", signed_on=None)
    confirm_each_side(partnership)  # both cities' word given: only the MOU is missing
    assert workflow.missing_to_advance(partnership) == [
        "Sign the MOU, with its effective and expiry dates."
    ]


def test_the_last_step_has_no_next_step():
    partnership = walked_to(Step.MEASUREMENT)
    with pytest.raises(DomainError) as refused:
        services.partnership_advance(partnership=partnership)
    assert "last step" in refused.value.missing[0]


def test_a_paused_partnership_does_not_advance():
    partnership = walked_to(Step.SEARCH)
    CandidateFactory(partnership=partnership)
    Partnership.objects.filter(pk=partnership.pk).update(status=Partnership.Status.PAUSED)
    partnership.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        services.partnership_advance(partnership=partnership)
    assert refused.value.missing == ["Reactivate the partnership first (it is Paused)."]


def test_return_to_an_earlier_step_with_a_reason_is_recorded():
    home = PartnerFactory()
    officer = _officer_of(home)
    partnership = walked_to(Step.AGREEMENT, home=home)

    move = services.partnership_return(
        partnership=partnership,
        to_step=Step.PLANNING,
        reason="The council asked for a costed plan before signing.",
        user=officer,
    )

    partnership.refresh_from_db()
    assert partnership.step == Step.PLANNING
    assert move.kind == StepTransition.Kind.RETURN
    assert (move.from_step, move.to_step, move.by) == (Step.AGREEMENT, Step.PLANNING, officer)
    assert move.reason == "The council asked for a costed plan before signing."
    # The history keeps the change with who made it and why.
    latest = partnership.history.latest()
    assert latest.step == Step.PLANNING
    assert latest.history_user == officer
    assert "costed plan" in latest.history_change_reason


@pytest.mark.parametrize(
    ("to_step", "reason", "problem"),
    [
        (Step.PLANNING, "   ", "Say why the partnership returns to an earlier step."),
        (Step.AGREEMENT, "Same step", "Choose an earlier step to return to."),
        (Step.MEASUREMENT, "Forward", "Choose an earlier step to return to."),
        (0, "Nowhere", "Choose an earlier step to return to."),
    ],
)
def test_a_return_without_reason_or_to_a_later_step_is_refused(to_step, reason, problem):
    partnership = walked_to(Step.AGREEMENT)
    with pytest.raises(DomainError) as refused:
        services.partnership_return(partnership=partnership, to_step=to_step, reason=reason)
    assert problem in refused.value.missing
    partnership.refresh_from_db()
    assert partnership.step == Step.AGREEMENT


def test_a_move_from_a_stale_page_is_refused():
    partnership = walked_to(Step.SEARCH)
    CandidateFactory(partnership=partnership)
    services.partnership_move(partnership_id=partnership.pk, from_step=2, to_step=3)

    with pytest.raises(DomainError, match="Someone else moved"):
        services.partnership_move(partnership_id=partnership.pk, from_step=2, to_step=3)
    assert partnership.transitions.count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs it there)"
)
def test_two_concurrent_advances_have_exactly_one_winner():
    partnership = walked_to(Step.SEARCH)
    CandidateFactory(partnership=partnership)
    barrier = threading.Barrier(2)
    outcomes = []

    def press_advance():
        try:
            barrier.wait()
            services.partnership_move(partnership_id=partnership.pk, from_step=2, to_step=3)
            outcomes.append("moved")
        except DomainError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press_advance) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes) == ["moved", "refused"]
    partnership.refresh_from_db()
    assert partnership.step == Step.APPROACH
    assert partnership.transitions.filter(from_step=2).count() == 1


def test_orientation_is_derived_from_the_members_unless_overridden():
    south = PartnerFactory()
    partnership = PartnershipFactory(home=south)
    assert partnership.orientation == ""

    services.partnership_add_partner(partnership=partnership, partner=PartnerFactory())
    partnership.refresh_from_db()
    assert partnership.orientation == Partnership.Orientation.SOUTH_SOUTH

    services.partnership_add_partner(partnership=partnership, partner=NorthPartnerFactory())
    partnership.refresh_from_db()
    assert partnership.orientation == Partnership.Orientation.NORTH_SOUTH

    partnership.orientation = Partnership.Orientation.EAST_WEST
    partnership.orientation_overridden = True
    partnership.save()
    services.partnership_refresh_orientation(partnership)
    partnership.refresh_from_db()
    assert partnership.orientation == Partnership.Orientation.EAST_WEST


def test_a_new_strategy_version_supersedes_the_one_in_force():
    city = PartnerFactory()
    first = services.strategy_create(
        partner=city,
        vision="v1",
        goals="g1",
        criteria=[
            {"name": "Similar size", "measure": "size", "weight": 3},
            {"name": "Port", "measure": "distance", "weight": 1},
        ],
    )
    services.strategy_put_in_force(strategy=first)
    second = services.strategy_create(partner=city, vision="v2", goals="g2")
    services.strategy_put_in_force(strategy=second)

    first.refresh_from_db()
    assert (first.version, first.status) == (1, TwinningStrategy.Status.SUPERSEDED)
    assert (second.version, second.status) == (2, TwinningStrategy.Status.IN_FORCE)
    assert services.strategy_in_force(city.pk) == second
    assert first.criteria.count() == 2
    assert first.history.count() >= 2


@pytest.mark.parametrize("measure", [None, "", "port"])
def test_a_criterion_must_say_what_it_measures(measure):
    """The services refuse a criterion without a known measure: the suggestions would not
    know what to score."""
    city = PartnerFactory()
    criterion = {"name": "Port", "weight": 2}
    if measure is not None:
        criterion["measure"] = measure
    with pytest.raises(ValidationError) as refused:
        services.strategy_create(partner=city, vision="v", goals="g", criteria=[criterion])
    assert "measure" in refused.value.message_dict
    assert not TwinningStrategy.objects.filter(partner=city).exists()


def test_the_same_city_cannot_join_twice():
    partnership = PartnershipFactory()
    member = PartnershipMemberFactory(partnership=partnership)
    with pytest.raises(DomainError, match="already a member"):
        services.partnership_add_partner(partnership=partnership, partner=member.partner)


def test_strategy_in_force_is_unique_per_city():
    strategy = TwinningStrategyFactory()
    with pytest.raises(Exception):  # noqa: B017 - IntegrityError from the partial unique index
        TwinningStrategyFactory(partner=strategy.partner)


def _officer_of(city):
    user = UserFactory()
    CityMembershipFactory(user=user, partner=city)
    return user


def test_leaving_selection_needs_both_sides_to_confirm_when_both_have_officers():
    home = PartnerFactory()
    partnership = walked_to(Step.SELECTION, home=home)
    candidate = partnership.candidates.get()
    services.selection_decide(partnership=partnership, candidate=candidate, reasons="Fit.")
    ours, theirs = _officer_of(home), _officer_of(candidate.partner)

    assert workflow.missing_to_advance(partnership) == [
        f"Confirmation from an officer of {name}."
        for name in sorted([home.name, candidate.partner.name])
    ]
    services.partnership_confirm_move(partnership=partnership, user=ours)
    services.partnership_confirm_move(partnership=partnership, user=ours)  # harmless twice
    assert workflow.missing_to_advance(partnership) == [
        f"Confirmation from an officer of {candidate.partner.name}."
    ]
    services.partnership_confirm_move(partnership=partnership, user=theirs)
    assert workflow.missing_to_advance(partnership) == []
    services.partnership_advance(partnership=partnership, user=theirs)
    assert partnership.confirmations.count() == 2


def test_confirmations_do_not_survive_a_return_to_the_step():
    home = PartnerFactory()
    partnership = walked_to(Step.PLANNING, home=home)
    counterpart = partnership.members.get(role="counterpart").partner
    _officer_of(home)
    officer = _officer_of(counterpart)
    services.partnership_return(partnership=partnership, to_step=Step.SELECTION, reason="Redo")
    partnership.refresh_from_db()
    services.partnership_confirm_move(partnership=partnership, user=officer)
    services.partnership_confirm_move(partnership=partnership, user=_officer_of(home))
    services.partnership_advance(partnership=partnership)
    services.partnership_return(
        partnership=Partnership.objects.get(pk=partnership.pk), to_step=4, reason="Again"
    )
    partnership.refresh_from_db()

    assert len(workflow.missing_to_advance(partnership)) == 2


def test_only_officers_of_member_cities_confirm_and_only_in_sign_off_steps():
    partnership = walked_to(Step.SELECTION)
    stranger = _officer_of(PartnerFactory())
    with pytest.raises(DomainError, match="Only an officer"):
        services.partnership_confirm_move(partnership=partnership, user=stranger)
    planning = walked_to(Step.PLANNING)
    with pytest.raises(DomainError, match="needs no joint confirmation"):
        services.partnership_confirm_move(partnership=planning, user=stranger)


def test_all_requirements_reads_one_snapshot(django_assert_max_num_queries):
    partnership = walked_to(Step.IMPLEMENTATION)
    with django_assert_max_num_queries(3):
        checklist = workflow.all_requirements(partnership)
    assert all(r.met for step in range(1, 7) for r in checklist[step])
    assert [r.met for r in checklist[Step.IMPLEMENTATION]] == [False]


def test_a_return_to_the_next_step_is_not_an_advance():
    partnership = walked_to(Step.SEARCH)
    CandidateFactory(partnership=partnership)
    with pytest.raises(DomainError) as refused:
        services.partnership_return(partnership=partnership, to_step=Step.APPROACH, reason="")
    assert "Choose an earlier step to return to." in refused.value.missing
    partnership.refresh_from_db()
    assert partnership.step == Step.SEARCH


def test_an_advance_skipping_a_step_is_refused():
    partnership = walked_to(Step.SEARCH)
    CandidateFactory(partnership=partnership)
    with pytest.raises(DomainError, match="one step at a time"):
        services.partnership_move(
            partnership_id=partnership.pk, from_step=2, to_step=4, kind="advance"
        )


def test_a_changed_selection_puts_the_earlier_choice_back_on_the_shortlist():
    partnership = walked_to(Step.SELECTION)
    first = partnership.candidates.get()
    second = CandidateFactory(partnership=partnership)
    services.selection_decide(partnership=partnership, candidate=first, reasons="First view.")
    services.selection_decide(partnership=partnership, candidate=second, reasons="Better.")

    first.refresh_from_db()
    assert first.status == "shortlisted"
    counterparts = partnership.members.filter(role="counterpart")
    assert list(counterparts.values_list("partner", flat=True)) == [second.partner_id]


def test_a_partnership_with_a_decision_can_be_deleted_but_its_chosen_candidate_cannot():
    from django.db.models import RestrictedError

    partnership = walked_to(Step.PLANNING)
    chosen = partnership.selection_decision.candidate
    with pytest.raises(RestrictedError):
        chosen.delete()
    partnership.delete()
    assert not Partnership.objects.filter(pk=partnership.pk).exists()


def test_only_a_draft_strategy_goes_in_force():
    strategy = TwinningStrategyFactory()
    with pytest.raises(DomainError, match="Only a draft"):
        services.strategy_put_in_force(strategy=strategy)


def test_services_refuse_a_user_who_may_not_edit_the_partnership():
    partnership = walked_to(Step.SEARCH)
    CandidateFactory(partnership=partnership)
    stranger = _officer_of(PartnerFactory())
    with pytest.raises(DomainError, match="may not change"):
        services.partnership_advance(partnership=partnership, user=stranger)
    with pytest.raises(DomainError, match="Only officers of"):
        services.partnership_create(
            home=PartnerFactory(), title="Not mine", category="mic", user=stranger
        )
    partnership.refresh_from_db()
    assert partnership.step == Step.SEARCH
