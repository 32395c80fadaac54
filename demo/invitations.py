"""The demo's pending invitation: an officer of a partnership's home city has invited the
international office of its partner city, which has no officer in the portal yet."""

from __future__ import annotations

from django.utils.text import slugify

from core.errors import DomainError
from invitations.models import Invitation
from invitations.services import invitation_send
from partnerships.models import CityMembership, Partnership, PartnershipMember


def load() -> int:
    """Invite once (a second load adds nothing); returns how many invitations were made."""
    if Invitation.objects.exists():
        return 0
    counterparts = (
        PartnershipMember.objects.filter(role=PartnershipMember.Role.COUNTERPART)
        .exclude(partner__staff__isnull=False)
        .exclude(partnership__status=Partnership.Status.ARCHIVED)
        .select_related("partner", "partnership")
        .order_by("partnership_id")
    )
    for member in counterparts:
        home = member.partnership.members.get(role=PartnershipMember.Role.HOME)
        inviter = (
            CityMembership.objects.filter(partner_id=home.partner_id)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        if inviter is None:
            continue
        try:
            invitation_send(
                city=member.partner,
                email=f"international.office@{slugify(member.partner.name) or 'city'}.example",
                by=inviter.user,
                partnership=member.partnership,
            )
        except DomainError:  # e.g. an ended partnership its officers may no longer change
            continue
        return 1
    return 0
