"""The partnership's own record and the walk through the eight steps.

`partnership_move` is the only code that changes a partnership's step: it locks the row, asks
the workflow, saves, and records the move. An edit of the record writes only the fields the
form owns, on the row freshly locked, so it never undoes a move someone made meanwhile."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.services import lock, model_update
from partnerships import permissions, workflow
from partnerships.events import Event, Kind, emit
from partnerships.models import (
    Champion,
    CityMembership,
    CooperationArea,
    MoveConfirmation,
    Partner,
    Partnership,
    PartnershipMember,
    Step,
    StepTransition,
)
from partnerships.services.cities import strategy_in_force
from partnerships.services.common import (
    check_may_edit,
)


def emit_confirmation_awaited(
    partnership: Partnership,
    user,
    *,
    object_id: int,
    partner_ids: Iterable[int] | None = None,
    reason: str = "",
) -> None:
    """Tell the cities whose confirmation of leaving the current joint sign-off step is
    awaited (default: every member city that has not confirmed): when the partnership enters
    such a step, when a city joins it there, when a dispute reopens the gate."""
    if partnership.step not in workflow.JOINT_SIGN_OFF_STEPS:
        return
    members = dict(
        Partner.objects.filter(memberships__partnership=partnership).values_list("pk", "name")
    )
    if len(members) < 2:
        return
    if partner_ids is None:
        confirmed = workflow.confirmed_partner_ids(partnership)
        partner_ids = [pk for pk in members if pk not in confirmed]
    awaited = tuple(sorted(pk for pk in partner_ids if pk in members))
    if not awaited:
        return
    data = {
        "step": partnership.step_label,
        "cities": ", ".join(sorted(members[pk] for pk in awaited)),
        "members": ", ".join(sorted(members.values())),
    }
    if reason:
        data["reason"] = reason
    emit(
        Event(
            kind=Kind.CONFIRMATION_AWAITED,
            partnership_id=partnership.pk,
            actor_id=getattr(user, "pk", None),
            object_id=object_id,
            partner_ids=awaited,
            data=data,
        )
    )


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
        raise DomainError(
            _("Only officers of %(city)s can start its partnerships.") % {"city": home.name}
        )
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
        raise DomainError(
            _("%(city)s is already a member of this partnership.") % {"city": partner.name}
        )
    member = PartnershipMember.objects.create(partnership=partnership, partner=partner, role=role)
    partnership_refresh_orientation(partnership)
    # A city joining at a joint sign-off step (the chosen partner, at selection) is awaited.
    emit_confirmation_awaited(partnership, None, object_id=member.pk)
    return member


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
        "publish_mou_document",
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
        raise DomainError(
            _("These fields cannot be changed here: %(fields)s")
            % {"fields": ", ".join(sorted(unknown))}
        )
    # Checked on the stored row: a form may already have set `status` on the object passed.
    current = lock(Partnership, partnership.pk)
    check_may_edit(user, current)
    if not fields.get("orientation_overridden", current.orientation_overridden):
        regions = list(current.members.values_list("partner__global_region", flat=True))
        fields["orientation"] = derive_orientation(regions) if len(regions) >= 2 else ""
    model_update(current, fields, user=user, also=["orientation"])
    if areas is not None:
        current.areas.set(areas)
    return current


# The history's reason column holds 100 characters: a pause's reason fits in it whole.
PAUSE_REASON_MAX = 100


@transaction.atomic
def partnership_pause(*, partnership: Partnership, user, reason: str) -> Partnership:
    """Pause an active partnership, saying why (kept as the reason of its history entry, as a
    review's "pause" decision does). Reminders skip a paused partnership. Refused for one that
    is already paused, ended or archived."""
    reason = (reason or "").strip()
    current = lock(Partnership, partnership.pk)
    check_may_edit(user, current)
    if current.status != Partnership.Status.ACTIVE:
        raise DomainError(
            _("Only an active partnership can be paused: this one is “%(status)s”.")
            % {"status": current.get_status_display()}
        )
    if not reason:
        raise DomainError(_("Say why the partnership is paused."))
    if len(reason) > PAUSE_REASON_MAX:
        raise DomainError(_("Say why in at most %(max)d characters.") % {"max": PAUSE_REASON_MAX})
    return model_update(current, {"status": Partnership.Status.PAUSED}, user=user, reason=reason)


@transaction.atomic
def member_publish_contacts(
    *, partnership: Partnership, partner: Partner, publish: bool, user
) -> PartnershipMember:
    """Show (or stop showing) one side's champions in the registry: that city's choice, made
    by its own officers (or an admin)."""
    member = (
        PartnershipMember.objects.select_for_update()
        .select_related("partner")
        .filter(partnership=partnership, partner=partner)
        .first()
    )
    if member is None:
        raise DomainError(
            _("%(city)s is not a member of this partnership.") % {"city": partner.name}
        )
    if user is not None and not (
        permissions.is_admin(user) or partner.pk in permissions.city_ids(user)
    ):
        raise DomainError(
            _("Only officers of %(city)s decide about its contacts.") % {"city": partner.name}
        )
    return model_update(member, {"publish_contacts": publish})


@transaction.atomic
def champion_add(
    *, partnership: Partnership, user, name: str, partner: Partner | None = None, **fields
) -> Champion:
    """A champion of the partnership, on the side of one of its member cities."""
    check_may_edit(user, partnership)
    if partner is not None and not partnership.members.filter(partner=partner).exists():
        raise DomainError(
            _("%(city)s is not a member of this partnership.") % {"city": partner.name}
        )
    champion = Champion(partnership=partnership, partner=partner, name=name, **fields)
    champion.full_clean()
    champion.save()
    return champion


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
    partnership = lock(Partnership, partnership_id)
    check_may_edit(user, partnership)
    if partnership.step != from_step:
        raise DomainError(
            _(
                "Someone else moved this partnership to “%(step)s” meanwhile; reload to see its "
                "current step."
            )
            % {"step": partnership.step_label}
        )
    if kind == StepTransition.Kind.ADVANCE:
        if to_step != from_step + 1:
            raise DomainError(_("A partnership advances one step at a time."))
        missing = workflow.missing_to_advance(partnership)
        if missing:
            raise DomainError(
                _("The partnership cannot leave “%(step)s” yet.")
                % {"step": partnership.step_label},
                missing,
            )
        kind = StepTransition.Kind.ADVANCE
    else:
        problems = workflow.problems_with_return(partnership, to_step, reason)
        if problems:
            raise DomainError(_("The partnership cannot return there."), problems)

    if from_step == Step.STRATEGY and partnership.strategy_id is None:
        # Leaving step 1 ties the partnership to the strategy it serves.
        home = partnership.members.get(role=PartnershipMember.Role.HOME)
        partnership.strategy = strategy_in_force(home.partner_id)
    partnership.step = to_step
    partnership.step_entered_at = timezone.now()
    change = f"{kind}: {reason.strip()}" if reason.strip() else str(kind)
    # The history's reason column holds 100 characters; the full reason is the move's own.
    partnership._change_reason = change if len(change) <= 100 else change[:99] + "…"
    partnership._history_user = user
    partnership.save(update_fields=["step", "step_entered_at", "strategy", "updated_at"])
    move = StepTransition.objects.create(
        partnership=partnership,
        from_step=from_step,
        to_step=to_step,
        kind=kind,
        reason=reason.strip(),
        by=user,
    )
    # "step" is what the notifications read (their headline, "about"): the step moved to.
    data = {
        "step": Step(to_step).label,
        "from_step": str(Step(from_step).label),
        "to_step": str(Step(to_step).label),
    }
    if move.reason:
        data["reason"] = move.reason
    emit(
        Event(
            kind=Kind.ADVANCED if kind == StepTransition.Kind.ADVANCE else Kind.RETURNED,
            partnership_id=partnership.pk,
            actor_id=getattr(user, "pk", None),
            object_id=move.pk,
            data=data,
        )
    )
    emit_confirmation_awaited(partnership, user, object_id=move.pk)
    return move


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
    partnership = lock(Partnership, partnership.pk)
    if partnership.step not in workflow.JOINT_SIGN_OFF_STEPS:
        raise DomainError(
            _("“%(step)s” needs no joint confirmation.") % {"step": partnership.step_label}
        )
    sides = list(
        CityMembership.objects.filter(
            user=user, partner__memberships__partnership=partnership
        ).values_list("partner_id", flat=True)
    )
    if not sides:
        raise DomainError(_("Only an officer of one of the partner cities can confirm."))
    if len(sides) > 1:
        # A joint sign-off is two cities' word: one person's click never counts for both.
        raise DomainError(
            _(
                "You work for more than one city of this partnership: each city's "
                "confirmation must come from a different person."
            )
        )
    already = set(
        MoveConfirmation.objects.filter(
            partnership=partnership,
            step=partnership.step,
            partner_id__in=sides,
            at__gte=partnership.step_entered_at,
        ).values_list("partner_id", flat=True)
    )
    created = [
        MoveConfirmation.objects.create(
            partnership=partnership, step=partnership.step, partner_id=side, user=user
        )
        for side in sides
        if side not in already
    ]
    names = dict(
        Partner.objects.filter(pk__in=[c.partner_id for c in created]).values_list("pk", "name")
    )
    for confirmation in created:
        emit(
            Event(
                kind=Kind.CONFIRMED,
                partnership_id=partnership.pk,
                actor_id=user.pk,
                object_id=confirmation.pk,
                partner_ids=(confirmation.partner_id,),
                data={
                    "step": partnership.step_label,
                    "city": names[confirmation.partner_id],
                },
            )
        )
    return created
