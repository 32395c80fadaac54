"""The joint sign-off's confirmations given outside the portal: recorded by the home side for
a member city without officers, then endorsed or disputed by that city's officers once they
join. An officer's own confirmation is `walk.partnership_confirm_move`.

Every function re-checks who may do it and raises DomainError (a message for a person) or
ValidationError (per field); nothing is saved when it refuses."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.formatting import day
from core.services import lock, model_update
from partnerships import permissions, workflow
from partnerships.events import Event, Kind, emit
from partnerships.models import (
    CityMembership,
    OfflineConfirmation,
    Partner,
    Partnership,
    PartnershipMember,
    Step,
    StepTransition,
)
from partnerships.services.common import check_may_edit
from partnerships.services.walk import emit_confirmation_awaited, partnership_move


def _home_partner_id(partnership: Partnership) -> int | None:
    return (
        PartnershipMember.objects.filter(partnership=partnership, role=PartnershipMember.Role.HOME)
        .values_list("partner_id", flat=True)
        .first()
    )


@transaction.atomic
def offline_confirmation_record(
    *,
    partnership: Partnership,
    partner: Partner,
    user,
    confirmed_by_name: str,
    confirmed_by_role: str,
    confirmed_on: dt.date,
    evidence: str,
    document,
) -> OfflineConfirmation:
    """The home side records that `partner`, a member city with no officer in the portal,
    confirmed leaving the current joint sign-off step, with the signed paper that proves it.
    No user means the system (the demo loader, test factories)."""
    partnership = lock(Partnership, partnership.pk)
    check_may_edit(user, partnership)
    if user is not None and _home_partner_id(partnership) not in permissions.city_ids(user):
        raise DomainError(
            _("Only officers of the home city record a confirmation given outside the portal.")
        )
    if partnership.step not in workflow.JOINT_SIGN_OFF_STEPS:
        raise DomainError(
            _("“%(step)s” needs no joint confirmation.") % {"step": partnership.step_label}
        )
    if not partnership.members.filter(partner=partner).exists():
        raise DomainError(
            _("%(city)s is not a member of this partnership.") % {"city": partner.name}
        )
    if CityMembership.objects.filter(partner=partner).exists():
        raise DomainError(
            _("%(city)s has officers in the portal: they confirm for their city themselves.")
            % {"city": partner.name}
        )
    if partner.pk in workflow.confirmed_partner_ids(partnership):
        raise DomainError(
            _("%(city)s has confirmed leaving “%(step)s” already.")
            % {"city": partner.name, "step": partnership.step_label}
        )
    confirmation = OfflineConfirmation(
        partnership=partnership,
        step=partnership.step,
        partner=partner,
        confirmed_by_name=(confirmed_by_name or "").strip(),
        confirmed_by_role=(confirmed_by_role or "").strip(),
        confirmed_on=confirmed_on,
        evidence=evidence,
        document=document,
        recorded_by=user,
    )
    confirmation.full_clean()
    confirmation.save()
    emit(
        Event(
            kind=Kind.CONFIRMED,
            partnership_id=partnership.pk,
            actor_id=getattr(user, "pk", None),
            object_id=confirmation.pk,
            partner_ids=(partner.pk,),
            data={
                "step": partnership.step_label,
                "city": partner.name,
                "offline": True,
                "shown": str(confirmation.shown),
            },
        )
    )
    return confirmation


def _locked_for_review(confirmation: OfflineConfirmation, user) -> OfflineConfirmation:
    """The confirmation read afresh and locked (its partnership first, as every move does),
    after checking that `user` is an officer of its city and it awaits that city's word."""
    partnership = lock(Partnership, confirmation.partnership_id)
    check_may_edit(user, partnership)
    current = lock(OfflineConfirmation, confirmation.pk, related=["partner"])
    city = current.partner
    if user is None or not CityMembership.objects.filter(user=user, partner=city).exists():
        raise DomainError(
            _("Only officers of %(city)s endorse or dispute what was confirmed in its name.")
            % {"city": city.name}
        )
    if current.status != OfflineConfirmation.Status.RECORDED:
        endorsed = current.status == OfflineConfirmation.Status.ENDORSED
        when = timezone.localtime(current.reviewed_at) if current.reviewed_at else None
        if when and endorsed:
            text = _("This confirmation was endorsed already on %(day)s: it cannot change again.")
        elif when:
            text = _("This confirmation was disputed already on %(day)s: it cannot change again.")
        elif endorsed:
            text = _("This confirmation was endorsed already: it cannot change again.")
        else:
            text = _("This confirmation was disputed already: it cannot change again.")
        raise DomainError(text % {"day": day(when)} if when else text)
    current.partnership = partnership
    return current


@transaction.atomic
def offline_confirmation_endorse(*, confirmation: OfflineConfirmation, user) -> OfflineConfirmation:
    """The city's own officer says: yes, we confirmed that."""
    current = _locked_for_review(confirmation, user)
    model_update(
        current,
        {
            "status": OfflineConfirmation.Status.ENDORSED,
            "reviewed_by": user,
            "reviewed_at": timezone.now(),
        },
    )
    emit(
        Event(
            kind=Kind.CONFIRMED,
            partnership_id=current.partnership_id,
            actor_id=user.pk,
            object_id=current.pk,
            partner_ids=(current.partner_id,),
            data={
                "step": Step(current.step).label,
                "city": current.partner.name,
                "endorsed": True,
                "shown": str(current.shown),
            },
        )
    )
    return current


def _counted_for_the_last_passage(confirmation: OfflineConfirmation) -> bool:
    """Whether the partnership left the step on this confirmation's word: it has not entered
    the step again since the confirmation was recorded (a later passage asked anew)."""
    return not StepTransition.objects.filter(
        partnership_id=confirmation.partnership_id,
        to_step=confirmation.step,
        at__gt=confirmation.recorded_at,
    ).exists()


@transaction.atomic
def offline_confirmation_dispute(
    *, confirmation: OfflineConfirmation, user, reason: str
) -> OfflineConfirmation:
    """The city's own officer says: we did not confirm that. The confirmation stops counting
    and the gate reopens, with the reason on the timeline.

    If the partnership has moved on past the step on this confirmation's word, it returns to
    that step (through the one move service, with the reason): both cities were committed on
    a word one of them now denies, and staying ahead would keep that commitment. If it is
    at the step, the gate simply asks again; if it has returned before it, nothing moves."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the confirmation is disputed."))
    current = _locked_for_review(confirmation, user)
    partnership = current.partnership
    model_update(
        current,
        {
            "status": OfflineConfirmation.Status.DISPUTED,
            "reviewed_by": user,
            "reviewed_at": timezone.now(),
            "dispute_reason": reason,
        },
    )
    step = Step(current.step)
    city = current.partner.name
    emit(
        Event(
            kind=Kind.OFFLINE_CONFIRMATION_DISPUTED,
            partnership_id=partnership.pk,
            actor_id=user.pk,
            object_id=current.pk,
            partner_ids=(current.partner_id,),
            data={
                "step": step.label,
                "city": city,
                "reason": reason,
                "shown": str(current.shown),
            },
        )
    )
    if partnership.step > step and _counted_for_the_last_passage(current):
        # The return's own events (RETURNED, then CONFIRMATION_AWAITED of every city) follow.
        partnership_move(
            partnership_id=partnership.pk,
            from_step=partnership.step,
            to_step=step,
            kind=StepTransition.Kind.RETURN,
            user=user,
            reason=f"{city} disputed the confirmation recorded outside the portal: {reason}",
        )
    elif partnership.step == step and current.recorded_at >= partnership.step_entered_at:
        emit_confirmation_awaited(
            partnership,
            user,
            object_id=current.pk,
            partner_ids=(current.partner_id,),
            reason=reason,
        )
    return current
