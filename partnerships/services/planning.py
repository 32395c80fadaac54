"""Steps 5-6: the letter of intent, the business plan and its actions, the KPIs, and the MOU
with its signatories.

Each function re-checks that `user` may edit the partnership (None means a trusted caller: a
command, a task, the demo data) and locks the partnership row where it creates a
one-per-partnership record, so two officers saving at once cannot make two."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.errors import flatten as _flatten
from core.services import lock, model_update
from partnerships.models import (
    KPI,
    MOU,
    BusinessPlan,
    CooperationArea,
    LetterOfIntent,
    MOUSignatory,
    Partner,
    Partnership,
    PlanAction,
)
from partnerships.services.common import (
    check_may_edit,
    member_partner_ids,
    set_document,
)


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
    check_may_edit(user, partnership)
    lock(Partnership, partnership.pk)
    letter = LetterOfIntent.objects.filter(partnership=partnership).first() or LetterOfIntent(
        partnership=partnership
    )
    letter.signed_on, letter.signed_by, letter.summary = signed_on, signed_by, summary
    exclude = set_document(letter, document)
    letter.full_clean(exclude=exclude)
    letter.save()
    return letter


@transaction.atomic
def business_plan_save(
    *, partnership: Partnership, user=None, vision: str, goals: str, objectives: str, scope: str
) -> BusinessPlan:
    """Write or revise the business plan: the common vision, goals, objectives and scope."""
    check_may_edit(user, partnership)
    lock(Partnership, partnership.pk)
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
    check_may_edit(user, partnership)
    plan = BusinessPlan.objects.filter(partnership=partnership).first()
    if plan is None:
        raise DomainError(_("Write the business plan before adding actions to it."))
    if owner_partner is not None and owner_partner.pk not in member_partner_ids(partnership):
        raise ValidationError({"owner_partner": _("Choose one of the partnership's cities.")})
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
    action = lock(PlanAction, action.pk, related=["plan"])
    partnership = Partnership.objects.get(pk=action.plan.partnership_id)
    check_may_edit(user, partnership)
    if status not in PlanAction.Status.values:
        raise ValidationError({"status": _("Choose open, done or dropped.")})
    done = status == PlanAction.Status.DONE
    completed_on = (action.completed_on or on or timezone.localdate()) if done else None
    return model_update(action, {"status": status, "completed_on": completed_on})


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
    target_date: dt.date | None = None,
    start_date: dt.date | None = None,
) -> KPI:
    """Agree a measure the partnership will be reviewed against; names are unique per
    partnership, regardless of case. It is measured from `start_date` (today when not given)
    and due in full on `target_date`; the pages ask for one, the API and older callers may
    leave it out (then every review expects the whole target)."""
    check_may_edit(user, partnership)
    lock(Partnership, partnership.pk)
    name = (name or "").strip()
    if KPI.objects.filter(partnership=partnership, name__iexact=name).exists():
        raise ValidationError({"name": _("This partnership already has a KPI with that name.")})
    kpi = KPI(
        partnership=partnership,
        name=name,
        unit=(unit or "").strip(),
        baseline=baseline if baseline is not None else 0,
        target=target,
        area=area,
        start_date=start_date or timezone.localdate(),
        target_date=target_date,
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
    check_may_edit(user, partnership)
    lock(Partnership, partnership.pk)
    if mou is None:
        current = set(
            MOU.objects.filter(
                partnership=partnership, status__in=[MOU.Status.DRAFT, MOU.Status.SIGNED]
            ).values_list("status", flat=True)
        )
        if MOU.Status.SIGNED in current:
            raise DomainError(
                _("This partnership has a signed MOU. It is amended by renewing it after a review.")
            )
        if MOU.Status.DRAFT in current:
            raise DomainError(_("This partnership already has a draft MOU: change that one."))
        mou = MOU(partnership=partnership)
    else:
        mou = lock(MOU, mou.pk)
        if mou.partnership_id != partnership.pk:
            raise DomainError(_("That MOU belongs to another partnership."))
        if mou.status != MOU.Status.DRAFT:
            raise DomainError(
                _("This MOU is %(status)s; only a draft can be changed.")
                % {"status": mou.get_status_display().lower()}
            )
    for field, value in fields.items():
        setattr(mou, field, value)
    exclude = set_document(mou, document)
    mou.full_clean(exclude=exclude)
    rows = None
    if signatories is not None:
        # Checked before anything is saved, so a refused signatory stores no file either.
        members = member_partner_ids(partnership)
        rows = [MOUSignatory(**signatory) for signatory in signatories]
        for row in rows:
            if row.partner_id not in members:
                raise ValidationError(
                    {
                        "signatories": _("%(name)s: choose one of the partnership's cities.")
                        % {"name": row.name}
                    }
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


@transaction.atomic
def mou_sign(*, mou: MOU, signed_on: dt.date | None = None) -> MOU:
    """Sign a draft MOU; it must carry its dates, and only one MOU may be signed at a time."""
    mou = lock(MOU, mou.pk)
    # Checked on the locked row: a second click, or a second person at the same moment, finds
    # it signed already rather than signing it again with another date.
    if mou.status != MOU.Status.DRAFT:
        raise DomainError(
            _("This MOU is no longer a draft (it is %(status)s): reload the page.")
            % {"status": mou.get_status_display()}
        )
    if (
        MOU.objects.filter(partnership_id=mou.partnership_id, status=MOU.Status.SIGNED)
        .exclude(pk=mou.pk)
        .exists()
    ):
        raise DomainError(
            _("This partnership already has a signed MOU; terminate or expire it first.")
        )
    mou.status = MOU.Status.SIGNED
    mou.signed_on = signed_on or mou.signed_on or timezone.localdate()
    try:
        mou.full_clean()
    except ValidationError as exc:
        raise DomainError(_("The MOU cannot be signed yet."), _flatten(exc)) from exc
    mou.save()
    return mou
