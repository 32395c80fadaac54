"""Business interest in a partnership, and chambers' leads for new partnerships."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from businesses import notify
from businesses import permissions as perms
from businesses.models import (
    BusinessAssociation,
    BusinessProfile,
    InterestedBusiness,
    InterestRegistration,
    PartnershipLead,
)
from businesses.services.common import CLOSED_PARTNERSHIP_STATUSES
from core.errors import DomainError
from core.services import lock, model_update
from partnerships import permissions as core_permissions
from partnerships import services as core_services
from partnerships.models import (
    Candidate,
    Partner,
    Partnership,
    PartnershipMember,
    Sector,
    Step,
)


@transaction.atomic
def interest_register(
    *,
    association: BusinessAssociation,
    partnership: Partnership,
    user,
    businesses: Sequence[BusinessProfile],
    objectives: str,
    sectors: Iterable[Sector] = (),
    offers: str = "",
    seeks: str = "",
    timeframe: str = InterestRegistration.Timeframe.OPEN,
) -> InterestRegistration:
    """Register member businesses' interest in a partnership: published, or one of the
    association's own city. The same business's interest in the same partnership is refused
    while an earlier registration of it stands (pending, accepted or declined)."""
    if user is not None and not (
        core_permissions.is_admin(user) or perms.is_staff_of(user, association)
    ):
        raise DomainError(
            _("Only approved staff of %(association)s may register its interest.")
            % {"association": association.name}
        )
    own_city = association.organisation.partner_id
    if not (partnership.published or own_city in core_permissions.member_city_ids(partnership)):
        raise DomainError(
            _("Interest can be registered in published partnerships and in those of your own city.")
        )
    if partnership.status in CLOSED_PARTNERSHIP_STATUSES:
        raise DomainError(
            _("This partnership is %(status)s: it takes no new interest.")
            % {"status": partnership.get_status_display().lower()}
        )
    chosen = list({b.pk: b for b in businesses}.values())
    if not chosen:
        raise ValidationError({"businesses": _("Choose at least one member business.")})
    strangers = [b.name for b in chosen if b.association_id != association.pk]
    if strangers:
        raise DomainError(
            _("Only %(association)s's own member businesses can be registered: %(businesses)s.")
            % {"association": association.name, "businesses": ", ".join(strangers)}
        )
    earlier = list(
        InterestedBusiness.objects.filter(
            partnership=partnership, business__in=chosen, withdrawn=False
        )
        .select_related("business__organisation", "registration")
        .order_by("business__organisation__name")
    )
    if earlier:
        raise DomainError(
            _(
                "The same interest cannot be registered twice; already registered in this "
                "partnership:"
            ),
            [
                _("%(business)s (%(status)s, registered %(date)s)")
                % {
                    "business": e.business.name,
                    "status": e.registration.get_status_display().lower(),
                    "date": date_format(timezone.localtime(e.registration.created_at), "d M Y"),
                }
                for e in earlier
            ],
        )
    registration = InterestRegistration(
        association=association,
        partnership=partnership,
        objectives=objectives,
        offers=offers,
        seeks=seeks,
        timeframe=timeframe,
        created_by=user,
    )
    registration.full_clean()
    registration.save()
    if sectors:
        registration.sectors.set(sectors)
    try:
        with transaction.atomic():
            InterestedBusiness.objects.bulk_create(
                InterestedBusiness(registration=registration, business=b, partnership=partnership)
                for b in chosen
            )
    except IntegrityError as exc:
        raise DomainError(
            _(
                "Someone registered the interest of one of these businesses meanwhile; reload to "
                "see it."
            )
        ) from exc
    return registration


@transaction.atomic
def interest_decide(
    *, registration: InterestRegistration, user, accept: bool, message: str = ""
) -> InterestRegistration:
    """An officer of a member city accepts or declines a pending registration, with a message
    the chamber sees (required when declining)."""
    registration = lock(InterestRegistration, registration.pk, related=["partnership"])
    if user is not None and not perms.can_decide_interest(user, registration):
        raise DomainError(_("Only officers of the partner cities may decide on this interest."))
    if registration.status != InterestRegistration.Status.PENDING:
        raise DomainError(
            _("This registration is already %(status)s.")
            % {"status": registration.get_status_display().lower()}
        )
    registration = model_update(
        registration,
        {
            "status": InterestRegistration.Status.ACCEPTED
            if accept
            else InterestRegistration.Status.DECLINED,
            "officer_message": message.strip(),
            "decided_by": user,
            "decided_at": timezone.now(),
        },
    )
    notify.interest_decided(registration)
    return registration


@transaction.atomic
def interest_withdraw(*, registration: InterestRegistration, user) -> InterestRegistration:
    """The chamber withdraws a pending or accepted registration; its businesses may then
    register interest in the partnership again."""
    registration = lock(InterestRegistration, registration.pk)
    if user is not None and not perms.can_withdraw_interest(user, registration):
        raise DomainError(_("Only the registering association's staff may withdraw it."))
    if registration.status not in (
        InterestRegistration.Status.PENDING,
        InterestRegistration.Status.ACCEPTED,
    ):
        raise DomainError(
            _("This registration is %(status)s: there is nothing to withdraw.")
            % {"status": registration.get_status_display().lower()}
        )
    registration.status = InterestRegistration.Status.WITHDRAWN
    registration.save(update_fields=["status"])
    InterestedBusiness.objects.filter(registration=registration).update(withdrawn=True)
    return registration


def partnered_city_ids(partner_id: int) -> set[int]:
    """Cities that `partner_id` has a partnership with, not ended or archived (one query)."""
    return set(
        PartnershipMember.objects.filter(partnership__members__partner_id=partner_id)
        .exclude(partnership__status__in=CLOSED_PARTNERSHIP_STATUSES)
        .exclude(partner_id=partner_id)
        .values_list("partner_id", flat=True)
    )


@transaction.atomic
def lead_propose(
    *,
    association: BusinessAssociation,
    user,
    target: Partner,
    rationale: str,
    trade: str = "",
    businesses: Iterable[BusinessProfile] = (),
) -> PartnershipLead:
    """Propose a partnership between the association's city and a city it has none with, with
    the member businesses behind it and the trade in view. The lead reaches the officers of the
    association's city, for their search step."""
    if user is not None and not (
        core_permissions.is_admin(user) or perms.is_staff_of(user, association)
    ):
        raise DomainError(
            _("Only approved staff of %(association)s may propose partnerships.")
            % {"association": association.name}
        )
    home = association.organisation.partner
    if target.pk == home.pk:
        raise DomainError(_("%(home)s is your own city.") % {"home": home.name})
    if target.pk in partnered_city_ids(home.pk):
        raise DomainError(
            _(
                "%(home)s already has a partnership with %(target)s: register your "
                "businesses' interest in it instead."
            )
            % {"home": home.name, "target": target.name}
        )
    if PartnershipLead.objects.filter(
        home=home, target=target, status=PartnershipLead.Status.NEW
    ).exists():
        raise DomainError(
            _("A proposal of %(target)s is already waiting for the officers of %(home)s.")
            % {"target": target.name, "home": home.name}
        )
    businesses = list(businesses)
    strangers = [b.name for b in businesses if b.association_id != association.pk]
    if strangers:
        raise ValidationError(
            {
                "businesses": _("Not members of %(association)s: %(value)s.")
                % {"association": association.name, "value": ", ".join(strangers)}
            }
        )
    lead = PartnershipLead(
        association=association,
        home=home,
        target=target,
        rationale=rationale,
        trade=trade,
        created_by=user,
    )
    lead.full_clean()
    lead.save()
    lead.businesses.set(businesses)
    return lead


def _lock_new_lead(lead: PartnershipLead, user) -> PartnershipLead:
    lead = lock(PartnershipLead, lead.pk, related=["association__organisation", "home", "target"])
    if user is not None and not perms.can_decide_lead(user, lead):
        raise DomainError(
            _("Only officers of %(home)s may act on this proposal.") % {"home": lead.home.name}
        )
    if lead.status != PartnershipLead.Status.NEW:
        raise DomainError(
            _("This proposal was already %(status)s.")
            % {"status": lead.get_status_display().lower()}
        )
    return lead


@transaction.atomic
def lead_take_up(*, lead: PartnershipLead, partnership: Partnership, user) -> Candidate:
    """Take a lead up as a candidate (source: chamber) on one of the home city's partnerships
    in the search step."""
    lead = _lock_new_lead(lead, user)
    if not partnership.members.filter(partner_id=lead.home_id).exists():
        raise DomainError(_("Choose a partnership of %(home)s.") % {"home": lead.home.name})
    if user is not None and not core_permissions.can_edit_partnership(user, partnership):
        raise DomainError(_("You may not change this partnership."))
    if partnership.step != Step.SEARCH:
        raise DomainError(
            _(
                "“%(partnership)s” is at the step “%(step_label)s”: a proposal "
                "becomes a candidate in the search step."
            )
            % {"partnership": partnership.title, "step_label": partnership.step_label}
        )
    try:
        candidate = core_services.candidate_add(
            partnership=partnership,
            partner=lead.target,
            rationale=f"Proposed by {lead.association.name}: {lead.rationale}",
            user=user,
            source=Candidate.Source.CHAMBER,
        )
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from exc
    lead.status = PartnershipLead.Status.TAKEN_UP
    lead.candidate = candidate
    lead.decided_by = user
    lead.decided_at = timezone.now()
    lead.save(update_fields=["status", "candidate", "decided_by", "decided_at"])
    return candidate


@transaction.atomic
def lead_decline(*, lead: PartnershipLead, user, message: str) -> PartnershipLead:
    """Decline a proposal, telling the chamber why."""
    lead = _lock_new_lead(lead, user)
    if not (message or "").strip():
        raise ValidationError(
            {"officer_message": _("Tell the chamber why the proposal is declined.")}
        )
    lead.status = PartnershipLead.Status.DECLINED
    lead.officer_message = message.strip()
    lead.decided_by = user
    lead.decided_at = timezone.now()
    lead.save(update_fields=["status", "officer_message", "decided_by", "decided_at"])
    return lead
