"""Everything that writes partnership data. Each function is one transaction.

Views, admin actions, management commands and tasks call these; none of them change a
partnership's step any other way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from partnerships import workflow
from partnerships.models import (
    MOU,
    Candidate,
    CityMembership,
    CooperationArea,
    MoveConfirmation,
    Partner,
    Partnership,
    PartnershipMember,
    SelectionDecision,
    Step,
    StepTransition,
    StrategyCriterion,
    TwinningStrategy,
)


class DomainError(Exception):
    """A refused operation, with a message fit to show the user and what is missing."""

    def __init__(self, message: str, missing: Iterable[str] = ()):
        super().__init__(message)
        self.message = message
        self.missing = list(missing)

    def __str__(self) -> str:
        if not self.missing:
            return self.message
        return f"{self.message} " + " ".join(f"• {m}" for m in self.missing)


# --- Strategies ----------------------------------------------------------------------------


@transaction.atomic
def strategy_create(*, partner: Partner, user=None, criteria: Iterable[dict] = (), **fields):
    """A new draft version of the city's strategy (versions count up per city)."""
    last = (
        TwinningStrategy.objects.select_for_update()
        .filter(partner=partner)
        .aggregate(v=Max("version"))["v"]
    )
    strategy = TwinningStrategy(partner=partner, version=(last or 0) + 1, created_by=user, **fields)
    strategy.full_clean()
    strategy.save()
    for criterion in criteria:
        c = StrategyCriterion(strategy=strategy, **criterion)
        c.full_clean()
        c.save()
    return strategy


@transaction.atomic
def strategy_put_in_force(
    *, strategy: TwinningStrategy, approved_on: dt.date | None = None
) -> TwinningStrategy:
    """Approve a version: it comes into force and the one before it is superseded."""
    TwinningStrategy.objects.select_for_update().filter(partner_id=strategy.partner_id).exclude(
        pk=strategy.pk
    ).filter(status=TwinningStrategy.Status.IN_FORCE).update(
        status=TwinningStrategy.Status.SUPERSEDED
    )
    strategy.status = TwinningStrategy.Status.IN_FORCE
    strategy.approved_on = approved_on or strategy.approved_on or timezone.localdate()
    strategy.save(update_fields=["status", "approved_on", "updated_at"])
    return strategy


def strategy_in_force(partner_id: int) -> TwinningStrategy | None:
    return TwinningStrategy.objects.filter(
        partner_id=partner_id, status=TwinningStrategy.Status.IN_FORCE
    ).first()


# --- Partnerships and their members --------------------------------------------------------


def derive_orientation(regions: Iterable[str]) -> str:
    """North–North, North–South or South–South from the member cities' classification."""
    regions = set(regions)
    if len(regions) == 0:
        return ""
    if regions == {Partner.GlobalRegion.NORTH}:
        return Partnership.Orientation.NORTH_NORTH
    if regions == {Partner.GlobalRegion.SOUTH}:
        return Partnership.Orientation.SOUTH_SOUTH
    return Partnership.Orientation.NORTH_SOUTH


def partnership_refresh_orientation(partnership: Partnership) -> None:
    """Re-derive the orientation from the members, unless someone set it by hand."""
    if partnership.orientation_overridden:
        return
    regions = partnership.members.values_list("partner__global_region", flat=True)
    members = list(regions)
    # With only the home city there is nothing to orient against yet.
    value = derive_orientation(members) if len(members) >= 2 else ""
    if value != partnership.orientation:
        partnership.orientation = value
        partnership.save(update_fields=["orientation", "updated_at"])


@transaction.atomic
def partnership_create(
    *,
    home: Partner,
    title: str,
    category: str,
    user=None,
    areas: Iterable[CooperationArea] = (),
    **fields,
) -> Partnership:
    """A new partnership in the strategy step, run by its home city."""
    partnership = Partnership(title=title, category=category, created_by=user, **fields)
    partnership.step = Step.STRATEGY
    partnership.full_clean()
    partnership.strategy = strategy_in_force(home.pk)
    partnership.save()
    PartnershipMember.objects.create(
        partnership=partnership, partner=home, role=PartnershipMember.Role.HOME
    )
    if areas:
        partnership.areas.set(areas)
    return partnership


@transaction.atomic
def partnership_add_partner(
    *, partnership: Partnership, partner: Partner, role: str = PartnershipMember.Role.COUNTERPART
) -> PartnershipMember:
    if partnership.members.filter(partner=partner).exists():
        raise DomainError(f"{partner.name} is already a member of this partnership.")
    member = PartnershipMember.objects.create(partnership=partnership, partner=partner, role=role)
    partnership_refresh_orientation(partnership)
    return member


# --- The walk: the only code that changes a partnership's step ------------------------------


@transaction.atomic
def partnership_move(
    *,
    partnership_id: int,
    from_step: int,
    to_step: int,
    user=None,
    reason: str = "",
) -> StepTransition:
    """Move a partnership from `from_step` to `to_step`, or refuse and change nothing.

    `from_step` is the step the person saw when they pressed the button: the row is locked
    and if someone else moved it meanwhile, this move is refused. So of two people pressing
    Advance at once, exactly one wins.
    """
    partnership = Partnership.objects.select_for_update().get(pk=partnership_id)
    if partnership.step != from_step:
        raise DomainError(
            f"Someone else moved this partnership to “{partnership.step_label}” meanwhile; "
            "reload to see its current step."
        )
    if to_step == from_step + 1:
        missing = workflow.missing_to_advance(partnership)
        if missing:
            raise DomainError(
                f"The partnership cannot leave “{partnership.step_label}” yet.", missing
            )
        kind = StepTransition.Kind.ADVANCE
    else:
        problems = workflow.problems_with_return(partnership, to_step, reason)
        if problems:
            raise DomainError("The partnership cannot return there.", problems)
        kind = StepTransition.Kind.RETURN

    if from_step == Step.STRATEGY and partnership.strategy_id is None:
        # Leaving step 1 ties the partnership to the strategy it serves.
        home = partnership.members.get(role=PartnershipMember.Role.HOME)
        partnership.strategy = strategy_in_force(home.partner_id)
    partnership.step = to_step
    partnership.step_entered_at = timezone.now()
    partnership._change_reason = f"{kind}: {reason}" if reason else str(kind)
    partnership._history_user = user
    partnership.save(update_fields=["step", "step_entered_at", "strategy", "updated_at"])
    return StepTransition.objects.create(
        partnership=partnership,
        from_step=from_step,
        to_step=to_step,
        kind=kind,
        reason=reason.strip(),
        by=user,
    )


def partnership_advance(*, partnership: Partnership, user=None) -> StepTransition:
    return partnership_move(
        partnership_id=partnership.pk,
        from_step=partnership.step,
        to_step=partnership.step + 1,
        user=user,
    )


def partnership_return(
    *, partnership: Partnership, to_step: int, reason: str, user=None
) -> StepTransition:
    return partnership_move(
        partnership_id=partnership.pk,
        from_step=partnership.step,
        to_step=to_step,
        user=user,
        reason=reason,
    )


@transaction.atomic
def partnership_confirm_move(*, partnership: Partnership, user) -> list[MoveConfirmation]:
    """Record the user's side's confirmation of the move out of a joint sign-off step."""
    partnership = Partnership.objects.select_for_update().get(pk=partnership.pk)
    if partnership.step not in workflow.JOINT_SIGN_OFF_STEPS:
        raise DomainError(f"“{partnership.step_label}” needs no joint confirmation.")
    sides = CityMembership.objects.filter(
        user=user, partner__memberships__partnership=partnership
    ).values_list("partner_id", flat=True)
    if not sides:
        raise DomainError("Only an officer of one of the partner cities can confirm.")
    already = set(
        MoveConfirmation.objects.filter(
            partnership=partnership,
            step=partnership.step,
            partner_id__in=sides,
            at__gte=partnership.step_entered_at,
        ).values_list("partner_id", flat=True)
    )
    return [
        MoveConfirmation.objects.create(
            partnership=partnership, step=partnership.step, partner_id=side, user=user
        )
        for side in sides
        if side not in already
    ]


# --- Step artefacts whose writes touch more than one row ------------------------------------


@transaction.atomic
def candidate_add(
    *, partnership: Partnership, partner: Partner, rationale: str, user=None, **fields
) -> Candidate:
    if partnership.members.filter(partner=partner).exists():
        raise DomainError(f"{partner.name} is already a member of this partnership.")
    candidate = Candidate(
        partnership=partnership, partner=partner, rationale=rationale, added_by=user, **fields
    )
    candidate.full_clean()
    candidate.save()
    return candidate


@transaction.atomic
def selection_decide(
    *, partnership: Partnership, candidate: Candidate, reasons: str, user=None
) -> SelectionDecision:
    """Choose a candidate: it joins the partnership as counterpart; the others are not chosen."""
    if candidate.partnership_id != partnership.pk:
        raise DomainError("Choose one of this partnership's candidates.")
    if not reasons.strip():
        raise DomainError("Give the reasons for the selection.")
    decision, _ = SelectionDecision.objects.update_or_create(
        partnership=partnership,
        defaults={"candidate": candidate, "reasons": reasons, "decided_by": user},
    )
    Candidate.objects.filter(pk=candidate.pk).update(status=Candidate.Status.SELECTED)
    if not partnership.members.filter(partner_id=candidate.partner_id).exists():
        partnership_add_partner(partnership=partnership, partner=candidate.partner)
    return decision


@transaction.atomic
def mou_sign(*, mou: MOU, signed_on: dt.date | None = None) -> MOU:
    """Sign a draft MOU; it must carry its dates, and only one MOU may be signed at a time."""
    mou = MOU.objects.select_for_update().get(pk=mou.pk)
    if (
        MOU.objects.filter(partnership_id=mou.partnership_id, status=MOU.Status.SIGNED)
        .exclude(pk=mou.pk)
        .exists()
    ):
        raise DomainError(
            "This partnership already has a signed MOU; terminate or expire it first."
        )
    mou.status = MOU.Status.SIGNED
    mou.signed_on = signed_on or mou.signed_on or timezone.localdate()
    try:
        mou.full_clean()
    except ValidationError as exc:
        raise DomainError("The MOU cannot be signed yet.", _flatten(exc)) from exc
    mou.save()
    return mou


def _flatten(exc: ValidationError) -> list[str]:
    if hasattr(exc, "message_dict"):
        return [f"{field}: {m}" for field, msgs in exc.message_dict.items() for m in msgs]
    return list(exc.messages)
