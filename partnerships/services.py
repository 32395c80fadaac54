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

from config import page_cache
from partnerships import permissions, workflow
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
    # Lock the city, not the strategies: FOR UPDATE is not allowed with an aggregate, and
    # two versions created at once must not both take the same number.
    Partner.objects.select_for_update().filter(pk=partner.pk).first()
    last = TwinningStrategy.objects.filter(partner=partner).aggregate(v=Max("version"))["v"]
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
    """Approve a draft: it comes into force and the one before it is superseded."""
    Partner.objects.select_for_update().filter(pk=strategy.partner_id).first()
    strategy.refresh_from_db()
    if strategy.status != TwinningStrategy.Status.DRAFT:
        raise DomainError(f"Only a draft can be put in force; this one is {strategy.status}.")
    # Saved one by one (not .update()) so the history records the supersession too.
    for previous in TwinningStrategy.objects.filter(
        partner_id=strategy.partner_id, status=TwinningStrategy.Status.IN_FORCE
    ):
        previous.status = TwinningStrategy.Status.SUPERSEDED
        previous.save(update_fields=["status", "updated_at"])
    strategy.status = TwinningStrategy.Status.IN_FORCE
    strategy.approved_on = approved_on or strategy.approved_on or timezone.localdate()
    strategy.save(update_fields=["status", "approved_on", "updated_at"])
    return strategy


def strategy_in_force(partner_id: int) -> TwinningStrategy | None:
    return TwinningStrategy.objects.filter(
        partner_id=partner_id, status=TwinningStrategy.Status.IN_FORCE
    ).first()


# --- Partnerships and their members --------------------------------------------------------


def _check_may_edit(user, partnership: Partnership) -> None:
    """Services re-check what views check; no user means the system (demo loader, tasks).
    The one edit check of every service in this module."""
    if user is not None and not permissions.can_edit_partnership(user, partnership):
        raise DomainError("You may not change this partnership.")


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
    if user is not None and not permissions.can_create_partnership(user, home):
        raise DomainError(f"Only officers of {home.name} can start its partnerships.")
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
    kind: str | None = None,
    user=None,
    reason: str = "",
) -> StepTransition:
    """Move a partnership from `from_step` to `to_step`, or refuse and change nothing.

    `from_step` is the step the person saw when they pressed the button: the row is locked
    and if someone else moved it meanwhile, this move is refused. So of two people pressing
    Advance at once, exactly one wins. `kind` says what the person asked for (advance or
    return); left out, a move to the next step is an advance and any other a return.
    """
    if kind is None:
        kind = (
            StepTransition.Kind.ADVANCE if to_step == from_step + 1 else StepTransition.Kind.RETURN
        )
    partnership = Partnership.objects.select_for_update().get(pk=partnership_id)
    _check_may_edit(user, partnership)
    if partnership.step != from_step:
        raise DomainError(
            f"Someone else moved this partnership to “{partnership.step_label}” meanwhile; "
            "reload to see its current step."
        )
    if kind == StepTransition.Kind.ADVANCE:
        if to_step != from_step + 1:
            raise DomainError("A partnership advances one step at a time.")
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
        kind=StepTransition.Kind.ADVANCE,
        user=user,
    )


def partnership_return(
    *, partnership: Partnership, to_step: int, reason: str, user=None
) -> StepTransition:
    return partnership_move(
        partnership_id=partnership.pk,
        from_step=partnership.step,
        to_step=to_step,
        kind=StepTransition.Kind.RETURN,
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
    # The lock queues two people adding the same city, so the second gets a clear refusal.
    partnership = Partnership.objects.select_for_update().get(pk=partnership.pk)
    _check_may_edit(user, partnership)
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
    partnership = Partnership.objects.select_for_update().get(pk=partnership.pk)
    _check_may_edit(user, partnership)
    if candidate.partnership_id != partnership.pk:
        raise DomainError("Choose one of this partnership's candidates.")
    if candidate.status == Candidate.Status.REJECTED:
        raise DomainError(f"{candidate.partner.name} was rejected; shortlist it again first.")
    if not reasons.strip():
        raise DomainError("Give the reasons for the selection.")
    previous = SelectionDecision.objects.filter(partnership=partnership).first()
    if previous and previous.candidate_id != candidate.pk:
        # A changed mind: the earlier choice goes back to the shortlist and, while nothing has
        # been planned or signed with it yet, leaves the partnership again.
        Candidate.objects.filter(pk=previous.candidate_id).update(
            status=Candidate.Status.SHORTLISTED
        )
        if partnership.step <= Step.SELECTION:
            partnership.members.filter(
                partner_id=previous.candidate.partner_id, role=PartnershipMember.Role.COUNTERPART
            ).delete()
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


# --- cities, strategies and officers --------------------------------------------------------
# Writes to one city's strategy versions or staff first lock the city's row, so two
# coordinators acting at once queue instead of both passing a check ("no draft yet", "another
# coordinator remains") that only one of them may pass.


STRATEGY_TEXT_FIELDS = (
    "vision",
    "goals",
    "champion",
    "senior_management_involvement",
    "learning_capture",
    "development_plan_context",
    "national_policy_context",
)
CRITERION_FIELDS = ("name", "description", "weight", "max_score")


def _lock_city(partner_id: int) -> Partner:
    return Partner.objects.select_for_update().get(pk=partner_id)


def _require_coordinator(user, partner_id: int) -> None:
    if user is None or not permissions.is_coordinator_of(user, partner_id):
        raise DomainError("Only the city's coordinators (or an admin) can do this.")


def _open_draft(partner_id: int) -> TwinningStrategy | None:
    return (
        TwinningStrategy.objects.filter(partner_id=partner_id, status=TwinningStrategy.Status.DRAFT)
        .order_by("-version")
        .first()
    )


def _check_criteria(criteria: list[dict]) -> None:
    """Names must differ, ignoring case: two criteria called "Trade" and "trade" would be
    scored twice for the same thing."""
    seen: set[str] = set()
    for item in criteria:
        name = (item.get("name") or "").strip()
        if name.casefold() in seen:
            raise ValidationError({"criteria": f"Two criteria are called “{name}”: rename one."})
        seen.add(name.casefold())


def _full_clean_criterion(criterion: StrategyCriterion) -> None:
    try:
        criterion.full_clean(exclude=["strategy"])
    except ValidationError as exc:
        label = criterion.name or "(unnamed)"
        raise ValidationError(
            {"criteria": [f"Criterion “{label}”: {m}" for m in _flatten(exc)]}
        ) from exc


@transaction.atomic
def strategy_draft_start(
    *, partner: Partner, user, criteria: Iterable[dict] | None = None, **fields
) -> TwinningStrategy:
    """Open the city's next strategy version as a draft (one draft at a time).

    With no fields given, the draft is prefilled from the version in force and its criteria
    are copied, so the coordinator changes only what moved. Two open drafts would compete to
    supersede the same version, hence the one-draft rule.
    """
    _require_coordinator(user, partner.pk)
    _lock_city(partner.pk)
    draft = _open_draft(partner.pk)
    if draft is not None:
        raise DomainError(
            f"Version {draft.version} is already a draft: "
            "edit or discard it before starting another."
        )
    unknown = set(fields) - set(STRATEGY_TEXT_FIELDS)
    if unknown:
        raise TypeError(f"Not strategy fields: {', '.join(sorted(unknown))}")
    if not fields:
        source = strategy_in_force(partner.pk)
        if source is None:
            raise DomainError("There is no strategy in force to start from: write the first one.")
        fields = {name: getattr(source, name) for name in STRATEGY_TEXT_FIELDS}
        if criteria is None:
            criteria = [
                {name: getattr(c, name) for name in CRITERION_FIELDS} for c in source.criteria.all()
            ]
    criteria = [
        {name: item[name] for name in CRITERION_FIELDS if name in item} for item in criteria or ()
    ]
    _check_criteria(criteria)
    strategy = strategy_create(partner=partner, user=user, **fields)
    for item in criteria:
        criterion = StrategyCriterion(strategy=strategy, **item)
        _full_clean_criterion(criterion)
        criterion.save()
    return strategy


@transaction.atomic
def strategy_criteria_save(
    *, strategy: TwinningStrategy, user, criteria: Iterable[dict]
) -> list[StrategyCriterion]:
    """Make a draft's criteria exactly `criteria`: items with an `id` update that criterion,
    items without one are added, and criteria not listed are deleted."""
    _require_coordinator(user, strategy.partner_id)
    _lock_city(strategy.partner_id)
    strategy.refresh_from_db()
    if strategy.status != TwinningStrategy.Status.DRAFT:
        raise DomainError(
            f"Version {strategy.version} is {strategy.get_status_display().lower()}: "
            "only a draft's criteria can change."
        )
    items = [dict(item) for item in criteria]
    _check_criteria(items)
    existing = {c.pk: c for c in strategy.criteria.all()}
    kept = {item["id"] for item in items if item.get("id")}
    if kept - set(existing):
        raise DomainError("One of these criteria is not part of this draft; reload the page.")
    strategy.criteria.exclude(pk__in=kept).delete()
    # Renamed criteria step aside first, so two criteria may swap names without tripping the
    # unique-name constraint halfway through.
    for item in items:
        current = existing.get(item.get("id"))
        if current is not None and current.name != item["name"]:
            StrategyCriterion.objects.filter(pk=current.pk).update(name=f"~renaming {current.pk}")
            current.name = f"~renaming {current.pk}"
    saved = []
    for item in items:
        criterion = existing.get(item.get("id")) or StrategyCriterion(strategy=strategy)
        for name in CRITERION_FIELDS:
            if name in item:
                setattr(criterion, name, item[name])
        _full_clean_criterion(criterion)
        criterion.save()
        saved.append(criterion)
    return saved


@transaction.atomic
def strategy_update_draft(
    *, strategy: TwinningStrategy, user, criteria: Iterable[dict] | None = None, **fields
) -> TwinningStrategy:
    """Change a draft's text and, when given, its criteria (see `strategy_criteria_save`)."""
    _require_coordinator(user, strategy.partner_id)
    _lock_city(strategy.partner_id)
    draft = TwinningStrategy.objects.get(pk=strategy.pk)
    if draft.status != TwinningStrategy.Status.DRAFT:
        raise DomainError(
            f"Version {draft.version} is {draft.get_status_display().lower()} now: "
            "only a draft can be edited. Start a new version instead."
        )
    unknown = set(fields) - set(STRATEGY_TEXT_FIELDS)
    if unknown:
        raise TypeError(f"Not strategy fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(draft, name, value)
    draft._history_user = user
    draft.full_clean()
    draft.save()
    if criteria is not None:
        strategy_criteria_save(strategy=draft, user=user, criteria=criteria)
    return draft


@transaction.atomic
def strategy_approve(
    *, strategy: TwinningStrategy, user, approved_on: dt.date | None = None
) -> TwinningStrategy:
    """Put a draft in force (the version before it is superseded, and kept)."""
    _require_coordinator(user, strategy.partner_id)
    _lock_city(strategy.partner_id)
    draft = TwinningStrategy.objects.get(pk=strategy.pk)
    if draft.status != TwinningStrategy.Status.DRAFT:
        raise DomainError(
            f"Version {draft.version} is already {draft.get_status_display().lower()}: "
            "only a draft can be approved."
        )
    if not draft.criteria.exists():
        raise DomainError(
            f"Version {draft.version} cannot be approved yet.",
            ["Add at least one weighted criterion for choosing partners."],
        )
    approved_on = approved_on or timezone.localdate()
    if approved_on > timezone.localdate():
        raise DomainError("The approval date cannot be in the future.")
    current = strategy_in_force(draft.partner_id)
    if current is not None and current.approved_on and approved_on < current.approved_on:
        raise DomainError(
            f"The approval date cannot be before that of the version in force "
            f"(v{current.version}, approved {current.approved_on:%d %B %Y})."
        )
    return strategy_put_in_force(strategy=draft, approved_on=approved_on)


@transaction.atomic
def strategy_draft_discard(*, strategy: TwinningStrategy, user) -> None:
    """Throw a draft away; approved versions are history and stay."""
    _require_coordinator(user, strategy.partner_id)
    _lock_city(strategy.partner_id)
    draft = TwinningStrategy.objects.get(pk=strategy.pk)
    if draft.status != TwinningStrategy.Status.DRAFT:
        raise DomainError(
            f"Version {draft.version} is {draft.get_status_display().lower()}: "
            "only a draft can be discarded."
        )
    if draft.partnerships.exists():
        raise DomainError(f"Partnerships refer to version {draft.version}; it cannot go.")
    draft._history_user = user
    draft.delete()


def _other_coordinators(membership: CityMembership) -> bool:
    return (
        CityMembership.objects.filter(
            partner_id=membership.partner_id, role=CityMembership.Role.COORDINATOR
        )
        .exclude(pk=membership.pk)
        .exists()
    )


def _last_coordinator_error(membership: CityMembership, by) -> DomainError:
    city = membership.partner.name
    if membership.user_id == getattr(by, "pk", None):
        return DomainError(
            f"You are the last coordinator of {city}: make someone else coordinator first."
        )
    return DomainError(
        f"{membership.user} is the last coordinator of {city}: make someone else coordinator first."
    )


@transaction.atomic
def officer_add(*, partner: Partner, user, role: str, by) -> CityMembership:
    """Let an existing portal user work for the city, as officer or coordinator.

    `user` is the person added; `by` is the coordinator (or admin) adding them.
    """
    _require_coordinator(by, partner.pk)
    _lock_city(partner.pk)
    if not user.is_active:
        raise ValidationError({"user": f"{user}'s account is deactivated."})
    if CityMembership.objects.filter(partner=partner, user=user).exists():
        raise ValidationError({"user": f"{user} already works for {partner.name}."})
    membership = CityMembership(partner=partner, user=user, role=role)
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def officer_set_role(*, membership: CityMembership, role: str, by) -> CityMembership:
    """Make a member officer or coordinator; the city always keeps one coordinator."""
    _require_coordinator(by, membership.partner_id)
    _lock_city(membership.partner_id)
    current = (
        CityMembership.objects.select_related("partner", "user").filter(pk=membership.pk).first()
    )
    if current is None:
        raise DomainError("That person no longer works for the city; reload the page.")
    if role not in CityMembership.Role.values:
        raise ValidationError({"role": "Choose officer or coordinator."})
    if (
        current.role == CityMembership.Role.COORDINATOR
        and role != CityMembership.Role.COORDINATOR
        and not _other_coordinators(current)
    ):
        raise _last_coordinator_error(current, by)
    if current.role != role:
        current.role = role
        current.save(update_fields=["role"])
    return current


@transaction.atomic
def officer_remove(*, membership: CityMembership, by) -> None:
    """Stop a person working for the city; the last coordinator cannot be removed."""
    _require_coordinator(by, membership.partner_id)
    _lock_city(membership.partner_id)
    current = (
        CityMembership.objects.select_related("partner", "user").filter(pk=membership.pk).first()
    )
    if current is None:
        return  # removed meanwhile: the wish is already fulfilled
    if current.role == CityMembership.Role.COORDINATOR and not _other_coordinators(current):
        raise _last_coordinator_error(current, by)
    current.delete()


# --- planning and delivery -----------------------------------------------------------------
# Steps 5-8: the letter of intent, the business plan and its actions, KPIs, the draft MOU with
# its signatories, activities, reviews and lessons. Each function re-checks that `user` may
# edit the partnership (None means a trusted caller: a command, a task, the demo data) and
# locks the partnership row where it creates a one-per-partnership record, so two officers
# saving at once cannot make two.

from partnerships.models import (  # noqa: E402
    KPI,
    Activity,
    BusinessPlan,
    Lesson,
    LetterOfIntent,
    MOUSignatory,
    PlanAction,
    Review,
)

# An activity may be logged ahead of time (a visit already booked), but not further than this.
ACTIVITY_MAX_DAYS_AHEAD = 365


def _lock(partnership: Partnership) -> Partnership:
    return Partnership.objects.select_for_update().get(pk=partnership.pk)


def _member_partner_ids(partnership: Partnership) -> set[int]:
    return {m.partner_id for m in partnership.members.all()}


def _set_document(obj, document) -> list[str]:
    """Apply an upload: None keeps the current file, False removes it, a file replaces it.
    Returns the fields to leave out of `full_clean` (an unchanged file is not read again)."""
    if document is None:
        return ["document"]
    obj.document = document or ""
    return []


@transaction.atomic
def letter_of_intent_save(
    *,
    partnership: Partnership,
    user=None,
    signed_on: dt.date,
    signed_by: str,
    summary: str = "",
    document=None,
) -> LetterOfIntent:
    """Record or correct the partnership's one letter of intent."""
    _check_may_edit(user, partnership)
    _lock(partnership)
    letter = LetterOfIntent.objects.filter(partnership=partnership).first() or LetterOfIntent(
        partnership=partnership
    )
    letter.signed_on, letter.signed_by, letter.summary = signed_on, signed_by, summary
    exclude = _set_document(letter, document)
    letter.full_clean(exclude=exclude)
    letter.save()
    return letter


@transaction.atomic
def business_plan_save(
    *, partnership: Partnership, user=None, vision: str, goals: str, objectives: str, scope: str
) -> BusinessPlan:
    """Write or revise the business plan: the common vision, goals, objectives and scope."""
    _check_may_edit(user, partnership)
    _lock(partnership)
    plan = BusinessPlan.objects.filter(partnership=partnership).first() or BusinessPlan(
        partnership=partnership
    )
    plan.vision, plan.goals, plan.objectives, plan.scope = vision, goals, objectives, scope
    plan.full_clean()
    plan.save()
    return plan


@transaction.atomic
def plan_action_add(
    *,
    partnership: Partnership,
    user=None,
    description: str,
    owner: str,
    due_on: dt.date,
    owner_partner: Partner | None = None,
) -> PlanAction:
    """Add an action to the business plan; its side, if given, is one of the member cities."""
    _check_may_edit(user, partnership)
    plan = BusinessPlan.objects.filter(partnership=partnership).first()
    if plan is None:
        raise DomainError("Write the business plan before adding actions to it.")
    if owner_partner is not None and owner_partner.pk not in _member_partner_ids(partnership):
        raise ValidationError({"owner_partner": "Choose one of the partnership's cities."})
    action = PlanAction(
        plan=plan, description=description, owner=owner, owner_partner=owner_partner, due_on=due_on
    )
    action.full_clean()
    action.save()
    return action


@transaction.atomic
def plan_action_set_status(
    *, action: PlanAction, status: str, user=None, on: dt.date | None = None
) -> PlanAction:
    """Mark an action open, done (dated) or dropped."""
    action = PlanAction.objects.select_for_update().select_related("plan").get(pk=action.pk)
    partnership = Partnership.objects.get(pk=action.plan.partnership_id)
    _check_may_edit(user, partnership)
    if status not in PlanAction.Status.values:
        raise ValidationError({"status": "Choose open, done or dropped."})
    action.status = status
    if status == PlanAction.Status.DONE:
        action.completed_on = action.completed_on or on or timezone.localdate()
    else:
        action.completed_on = None
    action.full_clean()
    action.save(update_fields=["status", "completed_on"])
    return action


@transaction.atomic
def kpi_add(
    *,
    partnership: Partnership,
    user=None,
    name: str,
    unit: str,
    target,
    baseline=0,
    area: CooperationArea | None = None,
) -> KPI:
    """Agree a measure the partnership will be reviewed against; names are unique per
    partnership, regardless of case."""
    _check_may_edit(user, partnership)
    _lock(partnership)
    name = (name or "").strip()
    if KPI.objects.filter(partnership=partnership, name__iexact=name).exists():
        raise ValidationError({"name": "This partnership already has a KPI with that name."})
    kpi = KPI(
        partnership=partnership,
        name=name,
        unit=(unit or "").strip(),
        baseline=baseline if baseline is not None else 0,
        target=target,
        area=area,
    )
    kpi.full_clean()
    kpi.save()
    return kpi


@transaction.atomic
def mou_save(
    *,
    partnership: Partnership,
    user=None,
    mou: MOU | None = None,
    areas: Iterable[CooperationArea] | None = None,
    signatories: Iterable[dict] | None = None,
    document=None,
    **fields,
) -> MOU:
    """Create the partnership's draft MOU, or change it, with its areas and signatories.

    `signatories` (dicts of partner, name, title) replaces the list when given; each side is
    one of the member cities. A signed MOU is never changed here: amending it is a renewal.
    """
    editable = {
        "effective_on",
        "expires_on",
        "termination_conditions",
        "other_terms",
        "ceremony_on",
        "ceremony_place",
    }
    if set(fields) - editable:
        raise TypeError(f"mou_save cannot set {sorted(set(fields) - editable)}")
    _check_may_edit(user, partnership)
    _lock(partnership)
    if mou is None:
        current = set(
            MOU.objects.filter(
                partnership=partnership, status__in=[MOU.Status.DRAFT, MOU.Status.SIGNED]
            ).values_list("status", flat=True)
        )
        if MOU.Status.SIGNED in current:
            raise DomainError(
                "This partnership has a signed MOU. It is amended by renewing it after a review."
            )
        if MOU.Status.DRAFT in current:
            raise DomainError("This partnership already has a draft MOU: change that one.")
        mou = MOU(partnership=partnership)
    else:
        mou = MOU.objects.select_for_update().get(pk=mou.pk)
        if mou.partnership_id != partnership.pk:
            raise DomainError("That MOU belongs to another partnership.")
        if mou.status != MOU.Status.DRAFT:
            raise DomainError(
                f"This MOU is {mou.get_status_display().lower()}; only a draft can be changed."
            )
    for field, value in fields.items():
        setattr(mou, field, value)
    exclude = _set_document(mou, document)
    mou.full_clean(exclude=exclude)
    rows = None
    if signatories is not None:
        # Checked before anything is saved, so a refused signatory stores no file either.
        members = _member_partner_ids(partnership)
        rows = [MOUSignatory(**signatory) for signatory in signatories]
        for row in rows:
            if row.partner_id not in members:
                raise ValidationError(
                    {"signatories": f"{row.name}: choose one of the partnership's cities."}
                )
            row.full_clean(exclude=["mou"])
    mou._history_user = user
    mou.save()
    if areas is not None:
        mou.areas.set(areas)
    if rows is not None:
        mou.signatories.all().delete()
        for row in rows:
            row.mou = mou
        MOUSignatory.objects.bulk_create(rows)
    return mou


def activity_date_problem(occurred_on: dt.date, today: dt.date | None = None) -> str:
    """Why an activity date is refused, or "" (see ACTIVITY_MAX_DAYS_AHEAD)."""
    today = today or timezone.localdate()
    if occurred_on > today + dt.timedelta(days=ACTIVITY_MAX_DAYS_AHEAD):
        return "An activity may be logged at most a year ahead."
    return ""


@transaction.atomic
def activity_log(
    *,
    partnership: Partnership,
    user=None,
    kind: str,
    title: str,
    occurred_on: dt.date,
    description: str = "",
    participants: int | None = None,
) -> Activity:
    """Log something the partnership did (or has firmly scheduled, up to a year ahead)."""
    _check_may_edit(user, partnership)
    problem = activity_date_problem(occurred_on)
    if problem:
        raise ValidationError({"occurred_on": problem})
    activity = Activity(
        partnership=partnership,
        kind=kind,
        title=title,
        occurred_on=occurred_on,
        description=description,
        participants=participants,
        created_by=user,
    )
    activity.full_clean()
    activity.save()
    return activity


@transaction.atomic
def review_add(
    *,
    partnership: Partnership,
    user=None,
    period_start: dt.date,
    period_end: dt.date,
    narrative: str = "",
    decision: str = "",
) -> Review:
    """Start a review of a period (a draft; completing reviews comes with the review pages)."""
    _check_may_edit(user, partnership)
    review = Review(
        partnership=partnership,
        period_start=period_start,
        period_end=period_end,
        narrative=narrative,
        decision=decision or "",
        created_by=user,
    )
    review.full_clean()
    review.save()
    return review


@transaction.atomic
def lesson_add(
    *,
    partnership: Partnership,
    user=None,
    step: int,
    theme: str,
    text: str,
    review: Review | None = None,
) -> Lesson:
    """Capture a lesson, optionally drawn from one of this partnership's reviews."""
    _check_may_edit(user, partnership)
    if review is not None and review.partnership_id != partnership.pk:
        raise ValidationError({"review": "Choose a review of this partnership."})
    lesson = Lesson(
        partnership=partnership, review=review, step=step, theme=theme, text=text, recorded_by=user
    )
    lesson.full_clean()
    lesson.save()
    return lesson


# --- search and selection ------------------------------------------------------------------
# Steps 2-4: approaching candidates, due diligence, feasibility, their status, and the scores
# against the strategy's criteria. The partnership's current step does not restrict these:
# officers iterate. Each function re-checks that `user` may edit the partnership (None means a
# trusted caller) and locks the candidate (or the partnership) row before writing a one-per
# record, so two officers saving at once cannot make two.

from collections.abc import Mapping  # noqa: E402

from partnerships.models import (  # noqa: E402
    ApproachContact,
    CriterionScore,
    DueDiligence,
    FeasibilityStudy,
)

# The statuses an officer sets by hand; "selected" comes only from `selection_decide`.
CANDIDATE_STATUSES_BY_HAND = (
    Candidate.Status.CONSIDERED,
    Candidate.Status.APPROACHED,
    Candidate.Status.SHORTLISTED,
    Candidate.Status.REJECTED,
)


def _search_lock_candidate(candidate: Candidate) -> Candidate:
    return Candidate.objects.select_for_update().select_related("partner").get(pk=candidate.pk)


@transaction.atomic
def approach_contact_add(*, candidate: Candidate, user=None, **fields) -> ApproachContact:
    """Record a contact with a candidate; a candidate only considered so far is now approached."""
    _check_may_edit(user, candidate.partnership)
    locked = _search_lock_candidate(candidate)
    contact = ApproachContact(candidate=locked, **fields)
    contact.full_clean()
    contact.save()
    if locked.status == Candidate.Status.CONSIDERED:
        locked.status = Candidate.Status.APPROACHED
        locked.save(update_fields=["status"])
        candidate.status = locked.status
    return contact


def _one_to_one_save(model, candidate: Candidate, user, fields: dict):
    _check_may_edit(user, candidate.partnership)
    locked = _search_lock_candidate(candidate)
    record = model.objects.filter(candidate=locked).first() or model(candidate=locked)
    for name, value in fields.items():
        setattr(record, name, value)
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def due_diligence_save(*, candidate: Candidate, user=None, **fields) -> DueDiligence:
    """Create or update the candidate's due diligence (alliance history, capability gaps)."""
    return _one_to_one_save(DueDiligence, candidate, user, fields)


@transaction.atomic
def feasibility_save(*, candidate: Candidate, user=None, **fields) -> FeasibilityStudy:
    """Create or update the candidate's feasibility study."""
    return _one_to_one_save(FeasibilityStudy, candidate, user, fields)


@transaction.atomic
def candidate_set_status(*, candidate: Candidate, status: str, user=None) -> Candidate:
    """Move a candidate between considered, approached, shortlisted and rejected."""
    _check_may_edit(user, candidate.partnership)
    if status not in CANDIDATE_STATUSES_BY_HAND:
        raise DomainError(
            "Choose considered, approached, shortlisted or rejected: a candidate is selected "
            "by recording the selection decision."
        )
    locked = _search_lock_candidate(candidate)
    if locked.status == Candidate.Status.SELECTED:
        raise DomainError(
            f"{locked.partner.name} is the selected partner: record a different selection "
            "decision before changing its status."
        )
    locked.status = status
    locked.full_clean()
    locked.save(update_fields=["status"])
    candidate.status = status
    return locked


def selection_criteria(partnership: Partnership) -> list[StrategyCriterion]:
    """The criteria candidates are scored against, in one query: those of the strategy the
    partnership serves or, before it is tied to one, of the home city's strategy in force."""
    qs = StrategyCriterion.objects.select_related("strategy__partner")
    if partnership.strategy_id:
        return list(qs.filter(strategy_id=partnership.strategy_id))
    return list(
        qs.filter(
            strategy__status=TwinningStrategy.Status.IN_FORCE,
            strategy__partner__memberships__partnership=partnership,
            strategy__partner__memberships__role=PartnershipMember.Role.HOME,
        )
    )


@transaction.atomic
def criterion_scores_save(
    *,
    partnership: Partnership,
    scores: Mapping[tuple[int, int], int | None],
    user=None,
) -> int:
    """Save a whole scoring grid at once: {(candidate id, criterion id): score or None}.

    None clears a score. Every score is checked before anything is written, so an
    out-of-range value saves nothing. Returns how many scores changed.
    """
    _check_may_edit(user, partnership)
    partnership = Partnership.objects.select_for_update().get(pk=partnership.pk)
    criteria = {c.pk: c for c in selection_criteria(partnership)}
    candidates = set(
        partnership.candidates.exclude(status=Candidate.Status.REJECTED).values_list(
            "pk", flat=True
        )
    )
    existing = {
        (s.candidate_id, s.criterion_id): s
        for s in CriterionScore.objects.filter(
            candidate__partnership=partnership, criterion_id__in=criteria
        )
    }
    to_create, to_update, to_delete, problems = [], [], [], []
    for (candidate_id, criterion_id), value in scores.items():
        criterion = criteria.get(criterion_id)
        if candidate_id not in candidates or criterion is None:
            raise DomainError(
                "The candidates or criteria changed meanwhile; reload the page and score again."
            )
        current = existing.get((candidate_id, criterion_id))
        if value is None:
            if current is not None:
                to_delete.append(current.pk)
            continue
        if not 0 <= value <= criterion.max_score:
            problems.append(f"{criterion.name}: a score runs from 0 to {criterion.max_score}.")
            continue
        if current is None:
            score = CriterionScore(candidate_id=candidate_id, criterion=criterion, score=value)
            to_create.append(score)
        elif current.score != value:
            current.score = value
            to_update.append(current)
    if problems:
        raise ValidationError(problems)
    for score in [*to_create, *to_update]:
        score.clean_fields(exclude=["candidate", "criterion"])
        score.clean()
    CriterionScore.objects.filter(pk__in=to_delete).delete()
    CriterionScore.objects.bulk_create(to_create)
    CriterionScore.objects.bulk_update(to_update, ["score"])
    page_cache.bump()  # bulk writes send no signal (config/page_cache.py)
    return len(to_create) + len(to_update) + len(to_delete)


# --- pages ---------------------------------------------------------------------------------
# The partnership's own record (its edit form) and its champions. Both re-check that `user`
# may edit the partnership. An edit writes only the fields the form owns, on the row freshly
# locked, so it never undoes a step move someone made while the form was open.

from partnerships.models import Champion  # noqa: E402

PARTNERSHIP_EDITABLE_FIELDS = frozenset(
    {
        "title",
        "summary",
        "category",
        "phase",
        "status",
        "relationship_strength",
        "review_cadence_months",
        "next_review_on",
        "established_on",
        "published",
        "orientation",
        "orientation_overridden",
    }
)


@transaction.atomic
def partnership_update(
    *,
    partnership: Partnership,
    user,
    areas: Iterable[CooperationArea] | None = None,
    **fields,
) -> Partnership:
    """Change the partnership's own record; the orientation is re-derived unless overridden."""
    unknown = set(fields) - PARTNERSHIP_EDITABLE_FIELDS
    if unknown:
        raise DomainError("These fields cannot be changed here: " + ", ".join(sorted(unknown)))
    # Checked on the stored row: a form may already have set `status` on the object passed.
    current = Partnership.objects.select_for_update().get(pk=partnership.pk)
    _check_may_edit(user, current)
    for name, value in fields.items():
        setattr(current, name, value)
    if not current.orientation_overridden:
        regions = list(current.members.values_list("partner__global_region", flat=True))
        current.orientation = derive_orientation(regions) if len(regions) >= 2 else ""
    current.full_clean()
    current._history_user = user
    current.save(update_fields=sorted({*fields, "orientation", "updated_at"}))
    if areas is not None:
        current.areas.set(areas)
    return current


@transaction.atomic
def champion_add(
    *, partnership: Partnership, user, name: str, partner: Partner | None = None, **fields
) -> Champion:
    """A champion of the partnership, on the side of one of its member cities."""
    _check_may_edit(user, partnership)
    if partner is not None and not partnership.members.filter(partner=partner).exists():
        raise DomainError(f"{partner.name} is not a member of this partnership.")
    champion = Champion(partnership=partnership, partner=partner, name=name, **fields)
    champion.full_clean()
    champion.save()
    return champion


# --- measurement and learning ---------------------------------------------------------------
# Step 8. A review is drafted (`review_create_draft`), filled in (`review_update_draft`: KPI
# actual values, the nine success factors, the scorecard, the failure causes, the narrative and
# the decision) and completed (`review_complete`), which applies its decision to the
# partnership and its MOU in the same transaction. A completed review is read-only: it is
# amended by writing a new one. Lessons are recorded with `lesson_add` (planning and delivery
# section, above) and adopted into the home city's next strategy version here (step 8 feeding
# step 1). Writes lock the partnership row, then the review's, so an edit and a completion of
# the same review queue instead of interleaving.

import calendar  # noqa: E402

from django.utils.formats import date_format  # noqa: E402

from partnerships.models import KPIResult, SuccessFactorRating  # noqa: E402

REVIEW_FIELDS = frozenset(
    {
        "period_start",
        "period_end",
        "narrative",
        "decision",
        "decision_reason",
        "new_expiry_on",
        "end_on",
        "effectiveness",
        "effectiveness_note",
        "efficiency",
        "efficiency_note",
        *Review.FAILURE_CAUSE_FIELDS,
    }
)


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved on by whole months; a day the month reached lacks becomes its last day
    (31 January + 1 month = 28 or 29 February; 29 February + 12 months = 28 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def kpi_field(kpi_id: int) -> str:
    """The name under which a KPI's actual value is reported (and its errors keyed)."""
    return f"kpi_{kpi_id}"


def factor_field(factor: str) -> str:
    return f"factor_{factor}"


def _review_day(value: dt.date) -> str:
    return date_format(value, "j M Y")


def _review_period(review: Review) -> str:
    return f"{_review_day(review.period_start)} – {_review_day(review.period_end)}"


def _draft_review_locked(review: Review, user) -> tuple[Partnership, Review]:
    """The review's partnership and the review, both locked; refused unless `user` may edit
    and the review is still a draft."""
    partnership = Partnership.objects.select_for_update().get(pk=review.partnership_id)
    _check_may_edit(user, partnership)
    locked = Review.objects.select_for_update().get(pk=review.pk)
    if locked.status != Review.Status.DRAFT:
        when = f" on {_review_day(locked.completed_on)}" if locked.completed_on else ""
        raise DomainError(
            f"This review was completed{when} and is read-only: amend it by writing a new review."
        )
    return partnership, locked


@transaction.atomic
def review_create_draft(
    *,
    partnership: Partnership,
    user=None,
    period_start: dt.date,
    period_end: dt.date,
    narrative: str = "",
) -> Review:
    """Start a draft review of a period. Nothing else is created: the review page lists the
    partnership's KPIs and the nine success factors to be filled in."""
    _check_may_edit(user, partnership)
    locked = _lock(partnership)
    if locked.status == Partnership.Status.ENDED:
        raise DomainError("This partnership has ended: it is not reviewed any more.")
    review = Review(
        partnership=locked,
        period_start=period_start,
        period_end=period_end,
        narrative=narrative,
        created_by=user,
    )
    review.full_clean()
    review._history_user = user
    review.save()
    return review


def _kpi_rows(review: Review, partnership: Partnership, values: dict) -> tuple[list, list, list]:
    """(to create, to update, ids to delete) for `values` {kpi id: {"actual", "note"} or an
    actual value or None}; only the partnership's own KPIs may be given a value."""
    kpis = set(KPI.objects.filter(partnership=partnership).values_list("pk", flat=True))
    if set(values) - kpis:
        raise ValidationError(
            {"kpi_results": "Give values only for this partnership's own KPIs; reload the page."}
        )
    existing = {r.kpi_id: r for r in KPIResult.objects.filter(review=review)}
    create, update, delete, errors = [], [], [], {}
    for kpi_id, value in values.items():
        value = value if isinstance(value, dict) else {"actual": value}
        current = existing.get(kpi_id)
        if value.get("actual") is None:
            if current is not None:
                delete.append(current.pk)
            continue
        row = current or KPIResult(review=review, kpi_id=kpi_id)
        row.actual = value["actual"]
        row.note = (value.get("note") or "").strip()
        try:
            row.full_clean(
                exclude=["review", "kpi"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            errors[kpi_field(kpi_id)] = _flatten(exc)
            continue
        (update if current is not None else create).append(row)
    if errors:
        raise ValidationError(errors)
    return create, update, delete


def _factor_rows(review: Review, values: dict) -> tuple[list, list, list]:
    """(to create, to update, ids to delete) for `values` {factor: {"rating", "note"} or a
    rating or None}."""
    unknown = set(values) - set(SuccessFactorRating.Factor.values)
    if unknown:
        raise ValidationError(
            {"factor_ratings": f"Not a success factor: {', '.join(sorted(unknown))}."}
        )
    existing = {r.factor: r for r in SuccessFactorRating.objects.filter(review=review)}
    create, update, delete, errors = [], [], [], {}
    for factor, value in values.items():
        value = value if isinstance(value, dict) else {"rating": value}
        current = existing.get(factor)
        if value.get("rating") is None:
            if current is not None:
                delete.append(current.pk)
            continue
        row = current or SuccessFactorRating(review=review, factor=factor)
        row.rating = value["rating"]
        row.note = (value.get("note") or "").strip()
        try:
            row.full_clean(exclude=["review"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors[factor_field(factor)] = _flatten(exc)
            continue
        (update if current is not None else create).append(row)
    if errors:
        raise ValidationError(errors)
    return create, update, delete


@transaction.atomic
def review_update_draft(
    *,
    review: Review,
    user=None,
    kpi_results: dict | None = None,
    factor_ratings: dict | None = None,
    **fields,
) -> Review:
    """Change a draft review: its own fields (see REVIEW_FIELDS), and when given, the KPI
    actual values {kpi id: {"actual": Decimal | None, "note": str}} and the factor ratings
    {factor: {"rating": 1-5 | None, "note": str}} (None removes a value). Everything is
    checked before anything is written; a completed review is refused."""
    unknown = set(fields) - REVIEW_FIELDS
    if unknown:
        raise TypeError(f"review_update_draft cannot set {sorted(unknown)}")
    partnership, locked = _draft_review_locked(review, user)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.full_clean()
    kpi_rows = _kpi_rows(locked, partnership, kpi_results) if kpi_results is not None else None
    factor_rows = _factor_rows(locked, factor_ratings) if factor_ratings is not None else None
    locked._history_user = user
    locked.save()
    for model, rows, columns in (
        (KPIResult, kpi_rows, ["actual", "note"]),
        (SuccessFactorRating, factor_rows, ["rating", "note"]),
    ):
        if rows is None:
            continue
        create, update, delete = rows
        model.objects.filter(pk__in=delete).delete()
        model.objects.bulk_create(create)
        model.objects.bulk_update(update, columns)
    return locked


def _completion_problems(
    review: Review, partnership: Partnership, signed: MOU | None
) -> dict[str, str]:
    """What keeps the review from being completed, by field."""
    errors: dict[str, str] = {}
    measured = set(review.kpi_results.values_list("kpi_id", flat=True))
    for kpi in KPI.objects.filter(partnership=partnership).order_by("name"):
        if kpi.pk not in measured:
            errors[kpi_field(kpi.pk)] = f"Give the actual value of “{kpi.name}” for this period."
    decision = review.decision
    if not decision:
        errors["decision"] = "Choose a decision: continue, adjust the plan, renew, pause or end."
    elif decision == Review.Decision.END:
        if not review.decision_reason.strip():
            errors["decision_reason"] = "Give the reason for ending the partnership."
        if review.end_on is None:
            errors["end_on"] = "Give the date the partnership ends."
        elif review.end_on < review.period_start:
            errors["end_on"] = "The partnership cannot end before the period reviewed starts."
    elif decision == Review.Decision.RENEW:
        if signed is None:
            errors["decision"] = "There is no signed MOU to renew: draft and sign a new one."
        elif review.new_expiry_on is None:
            errors["new_expiry_on"] = "Give the MOU's new expiry date."
        elif signed.expires_on and review.new_expiry_on <= signed.expires_on:
            errors["new_expiry_on"] = (
                f"The new expiry must be after the current one ({_review_day(signed.expires_on)})."
            )
    return errors


@transaction.atomic
def review_complete(*, review: Review, user=None, on: dt.date | None = None) -> Review:
    """Complete a draft review and apply its decision, all or nothing.

    Needs an actual value for every KPI of the partnership and a decision; ending needs a
    reason and a date, renewing a new expiry after the signed MOU's current one. Then:
    continue or adjust change nothing else; pause pauses the partnership; end ends it (date
    and reason) and terminates its signed MOU, and no further review is planned, so its
    reminders stop; renew moves the signed MOU's expiry (its history keeps the old terms).
    Except after an end, the next review falls a cadence after the completion date.
    """
    partnership, locked = _draft_review_locked(review, user)
    if partnership.status == Partnership.Status.ENDED:
        raise DomainError(
            "This partnership has ended already: the review cannot be completed. "
            "Record what was learnt as lessons."
        )
    signed = (
        MOU.objects.select_for_update()
        .filter(partnership=partnership, status=MOU.Status.SIGNED)
        .first()
    )
    errors = _completion_problems(locked, partnership, signed)
    if errors:
        raise ValidationError(errors)

    today = on or timezone.localdate()
    decision = Review.Decision(locked.decision)
    why = f"Review of {_review_period(locked)}: {decision.label}"
    changed = ["next_review_on"]
    if decision == Review.Decision.PAUSE:
        partnership.status = Partnership.Status.PAUSED
        changed.append("status")
    elif decision == Review.Decision.END:
        partnership.status = Partnership.Status.ENDED
        partnership.ended_on = locked.end_on
        partnership.end_reason = locked.decision_reason.strip()
        changed += ["status", "ended_on", "end_reason"]
        if signed is not None:
            # One save (not .update()) so the MOU's history records the termination.
            signed.status = MOU.Status.TERMINATED
            signed.terminated_on = locked.end_on
            signed.termination_reason = locked.decision_reason.strip()
            signed._history_user = user
            signed._change_reason = why
            signed.save(
                update_fields=["status", "terminated_on", "termination_reason", "updated_at"]
            )
    elif decision == Review.Decision.RENEW:
        signed.expires_on = locked.new_expiry_on
        signed._history_user = user
        signed._change_reason = why
        signed.save(update_fields=["expires_on", "updated_at"])
    partnership.next_review_on = (
        None
        if decision == Review.Decision.END
        else add_months(today, partnership.review_cadence_months)
    )
    partnership._history_user = user
    partnership._change_reason = why
    partnership.save(update_fields=[*changed, "updated_at"])

    # The conditional fields are kept only with the decision they belong to.
    if decision != Review.Decision.RENEW:
        locked.new_expiry_on = None
    if decision != Review.Decision.END:
        locked.end_on = None
    locked.status = Review.Status.COMPLETED
    locked.completed_on = today
    locked.completed_by = user
    locked._history_user = user
    locked.save()
    return locked


@transaction.atomic
def lesson_adopt_into_strategy(*, lessons: Lesson | Iterable[Lesson], user) -> TwinningStrategy:
    """Adopt lessons into their home city's next strategy version (step 8 feeding step 1).

    Only a coordinator of the home city (or an admin) may. The lessons are linked to the
    city's open draft version when there is one, else to a new draft prefilled from the
    version in force (`strategy_draft_start`). A lesson is adopted once.
    """
    wanted = [lessons] if isinstance(lessons, Lesson) else list(lessons)
    if not wanted:
        raise DomainError("Choose at least one lesson to adopt.")
    homes = set(
        PartnershipMember.objects.filter(
            partnership_id__in={lesson.partnership_id for lesson in wanted},
            role=PartnershipMember.Role.HOME,
        ).values_list("partner_id", flat=True)
    )
    if len(homes) != 1:
        raise DomainError(
            "These lessons come from partnerships of different home cities: "
            "adopt them city by city."
        )
    home_id = homes.pop()
    _require_coordinator(user, home_id)
    city = _lock_city(home_id)
    locked = list(Lesson.objects.select_for_update().filter(pk__in=[x.pk for x in wanted]))
    if len(locked) != len({x.pk for x in wanted}):
        raise DomainError("One of these lessons was deleted meanwhile; reload the page.")
    adopted = [lesson for lesson in locked if lesson.adopted_in_id]
    if adopted:
        versions = dict(
            TwinningStrategy.objects.filter(pk__in={x.adopted_in_id for x in adopted}).values_list(
                "pk", "version"
            )
        )
        first = adopted[0]
        raise DomainError(
            f"“{first.theme}” was adopted into strategy version "
            f"{versions.get(first.adopted_in_id, '?')} already."
        )
    draft = _open_draft(home_id) or strategy_draft_start(partner=city, user=user)
    now = timezone.now()
    for lesson in locked:
        lesson.adopted_in = draft
        lesson.adopted_at = now
        lesson.save(update_fields=["adopted_in", "adopted_at"])
    for lesson in wanted:
        lesson.adopted_in, lesson.adopted_at = draft, now
    return draft


# --- reports: partner city import -------------------------------------------------------------


def may_import_partner_cities(user) -> bool:
    """Admins and coordinators (of any city) keep the shared directory of partner cities."""
    return permissions.is_admin(user) or (
        CityMembership.Role.COORDINATOR in permissions.city_roles(user).values()
    )


@transaction.atomic
def partner_city_upsert(
    *, user, name: str, province: str, country: str, sector_ids=None, **fields
) -> tuple[str, Partner]:
    """Create the city, or update the one with this name, province and country (case
    ignored). Only the values given are set: a blank cell leaves the stored value alone.
    Returns ("created" | "updated" | "unchanged", city). One transaction (a savepoint when
    called inside an import), so a refused row leaves nothing behind."""
    if not may_import_partner_cities(user):
        raise DomainError("Only coordinators and admins may import partner cities.")
    partner = (
        Partner.objects.select_for_update()
        .filter(name__iexact=name, province__iexact=province, country=country)
        .first()
    )
    created = partner is None
    if created:
        partner = Partner(name=name, province=province, country=country)
    changed = False
    for field_name, value in fields.items():
        if value is None or value == "":
            continue
        if getattr(partner, field_name) != value:
            setattr(partner, field_name, value)
            changed = True
    if created or changed:
        partner.full_clean()
        partner.save()
    if sector_ids:
        current = set(partner.sectors.values_list("pk", flat=True)) if not created else set()
        if current != set(sector_ids):
            partner.sectors.set(sector_ids)
            changed = True
    return ("created" if created else "updated" if changed else "unchanged"), partner
