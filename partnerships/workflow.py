"""The eight-step partnering process, readable top to bottom.

A partnership walks forward one step at a time, and may return to any earlier step with a
written reason. Each step leaves artefacts behind that the next one needs; a step's *gate*
lists them, and a partnership may leave the step only when every requirement is met.

This module only answers questions ("what is missing?", "may it return there?"). The one
function that changes a partnership's step is `services.partnership_move`, which locks the
row, asks this module, saves and records the move.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from partnerships.models import (
    KPI,
    MOU,
    Activity,
    BusinessPlan,
    Candidate,
    LetterOfIntent,
    MoveConfirmation,
    Partner,
    Partnership,
    PartnershipMember,
    SelectionDecision,
    Step,
    TwinningStrategy,
)

FIRST_STEP = Step.STRATEGY
LAST_STEP = Step.MEASUREMENT


@dataclass(frozen=True)
class Requirement:
    """One thing a step's gate asks for, phrased so it reads as a to-do when missing."""

    text: str
    met: bool


@dataclass(frozen=True)
class StepInfo:
    step: Step
    purpose: str
    gate: Callable[[Partnership], list[Requirement]]


# --- The gates: what must exist before a partnership may leave each step -------------------


def _home_partner_id(partnership: Partnership) -> int | None:
    return (
        PartnershipMember.objects.filter(partnership=partnership, role=PartnershipMember.Role.HOME)
        .values_list("partner_id", flat=True)
        .first()
    )


# Moves out of these steps commit both cities, so each side with officers must confirm.
JOINT_SIGN_OFF_STEPS = frozenset({Step.SELECTION, Step.AGREEMENT})


def joint_sign_off(p: Partnership, step: Step) -> list[Requirement]:
    """One confirmation per member city that has officers in the portal, when two or more do."""
    sides = list(
        Partner.objects.filter(memberships__partnership=p, staff__isnull=False)
        .distinct()
        .order_by("name")
        .values_list("pk", "name")
    )
    if len(sides) < 2:
        return []
    confirmed = set()
    if p.step == step:
        confirmed = set(
            MoveConfirmation.objects.filter(
                partnership=p, step=step, at__gte=p.step_entered_at
            ).values_list("partner_id", flat=True)
        )
    return [
        Requirement(f"Confirmation from an officer of {name}.", pk in confirmed)
        for pk, name in sides
    ]


def leave_strategy(p: Partnership) -> list[Requirement]:
    home_id = _home_partner_id(p)
    in_force = (
        home_id is not None
        and TwinningStrategy.objects.filter(
            partner_id=home_id, status=TwinningStrategy.Status.IN_FORCE
        ).exists()
    )
    return [
        Requirement("Name the home city of the partnership.", home_id is not None),
        Requirement("Put a twinning strategy in force for the home city.", in_force),
    ]


def leave_search(p: Partnership) -> list[Requirement]:
    return [
        Requirement(
            "Draw up at least one candidate city, with its rationale.",
            Candidate.objects.filter(partnership=p).exists(),
        )
    ]


def leave_approach(p: Partnership) -> list[Requirement]:
    candidates = Candidate.objects.filter(partnership=p)
    return [
        Requirement(
            "Record an approach to at least one candidate.",
            candidates.filter(contacts__isnull=False).exists(),
        ),
        Requirement(
            "Complete due diligence on at least one candidate.",
            candidates.filter(due_diligence__isnull=False).exists(),
        ),
        Requirement(
            "Complete a feasibility study of at least one candidate.",
            candidates.filter(feasibility__isnull=False).exists(),
        ),
    ]


def leave_selection(p: Partnership) -> list[Requirement]:
    members = PartnershipMember.objects.filter(partnership=p).count()
    return [
        Requirement(
            "Record the selection decision with its reasons.",
            SelectionDecision.objects.filter(partnership=p).exists(),
        ),
        Requirement("Have at least two partner cities in the partnership.", members >= 2),
        *joint_sign_off(p, Step.SELECTION),
    ]


def leave_planning(p: Partnership) -> list[Requirement]:
    return [
        Requirement(
            "Record the letter of intent.", LetterOfIntent.objects.filter(partnership=p).exists()
        ),
        Requirement(
            "Write the business plan (vision, goals, objectives, scope).",
            BusinessPlan.objects.filter(partnership=p).exists(),
        ),
        Requirement(
            "Agree at least one KPI with baseline, target and unit.",
            KPI.objects.filter(partnership=p).exists(),
        ),
    ]


def leave_agreement(p: Partnership) -> list[Requirement]:
    # Implementation may only start under a signed agreement that says when it runs.
    return [
        Requirement(
            "Sign the MOU, with its effective and expiry dates.",
            MOU.objects.filter(
                partnership=p,
                status=MOU.Status.SIGNED,
                effective_on__isnull=False,
                expires_on__isnull=False,
            ).exists(),
        ),
        *joint_sign_off(p, Step.AGREEMENT),
    ]


def leave_implementation(p: Partnership) -> list[Requirement]:
    return [
        Requirement(
            "Log at least one activity before measuring results.",
            Activity.objects.filter(partnership=p).exists(),
        )
    ]


def leave_measurement(p: Partnership) -> list[Requirement]:
    # The last step: a partnership stays here, reviewed regularly, or returns to an earlier one.
    return []


STEPS: dict[Step, StepInfo] = {
    info.step: info
    for info in [
        StepInfo(Step.STRATEGY, "Why the city partners and how it chooses.", leave_strategy),
        StepInfo(Step.SEARCH, "Draw up candidate cities that fit the strategy.", leave_search),
        StepInfo(
            Step.APPROACH, "Approach candidates; due diligence and feasibility.", leave_approach
        ),
        StepInfo(Step.SELECTION, "Score candidates and choose the partner.", leave_selection),
        StepInfo(Step.PLANNING, "Letter of intent, business plan and the KPIs.", leave_planning),
        StepInfo(Step.AGREEMENT, "Formalise it in a signed MOU.", leave_agreement),
        StepInfo(
            Step.IMPLEMENTATION,
            "Run activities, exchanges and sub-alliances.",
            leave_implementation,
        ),
        StepInfo(
            Step.MEASUREMENT, "Review against the KPIs and capture lessons.", leave_measurement
        ),
    ]
}


# --- The questions the rest of the code asks -----------------------------------------------


def requirements(partnership: Partnership, step: int | None = None) -> list[Requirement]:
    """The gate of `step` (default: the current step), each requirement met or not."""
    return STEPS[Step(step or partnership.step)].gate(partnership)


def missing_to_advance(partnership: Partnership) -> list[str]:
    """What stands between the partnership and the next step, in plain words; empty if none."""
    if partnership.step >= LAST_STEP:
        return ["This is the last step: review the partnership here, or return to an earlier step."]
    if partnership.status != Partnership.Status.ACTIVE:
        return [f"Reactivate the partnership first (it is {partnership.get_status_display()})."]
    return [r.text for r in requirements(partnership) if not r.met]


def problems_with_return(partnership: Partnership, to_step: int, reason: str) -> list[str]:
    """Why a return to `to_step` is not allowed; empty if it is."""
    problems = []
    if to_step not in Step.values or to_step >= partnership.step:
        problems.append("Choose an earlier step to return to.")
    if not (reason or "").strip():
        problems.append("Say why the partnership returns to an earlier step.")
    return problems


def next_step(step: int) -> Step:
    return Step(step + 1)


def earlier_steps(step: int) -> list[Step]:
    return [s for s in Step if s < step]
