"""Who may do what with chambers, businesses, interest and leads. Views use these; services
check them again.

- Chamber staff are users with an *approved* `ChamberMembership`. They see published
  partnerships (like any user without a city), their own association's businesses,
  registrations and leads, and nothing private; they edit nothing of a partnership.
- A *pending* account may sign in and see its status, nothing more.
- Officers of a partnership's member cities see and decide the interest registered in it, and
  the matches chambers propose in it; officers of an association's city approve its staff and
  receive its leads.
- Chamber staff see the matchmaking of a partnership they may register interest in, for their
  own businesses only, and propose a pair to its officers (who alone form sub-alliances).
- Admins (superusers) may do everything.
"""

from __future__ import annotations

from django.db.models import Q

from alliances import permissions as alliance_permissions
from alliances.models import SubAlliance, SubAllianceParty
from businesses.models import (
    BusinessAssociation,
    BusinessProfile,
    ChamberMembership,
    InterestRegistration,
    MatchProposal,
    PartnershipLead,
)
from partnerships import permissions as core
from partnerships.models import Partnership, PartnershipMember


def chamber_roles(user) -> dict[int, str]:
    """{association_id: membership status} of the user, read once per request."""
    if not user.is_authenticated:
        return {}
    if not hasattr(user, "_chamber_roles"):
        user._chamber_roles = dict(
            ChamberMembership.objects.filter(user=user).values_list("association_id", "status")
        )
    return user._chamber_roles


def association_ids(user) -> set[int]:
    """The associations the user is approved staff of."""
    return {a for a, s in chamber_roles(user).items() if s == ChamberMembership.Status.APPROVED}


def is_chamber_staff(user) -> bool:
    return bool(association_ids(user))


def is_pending_chamber(user) -> bool:
    """Signed up and waiting: no approved membership, at least one pending. Such a user may
    sign in and see their status, nothing more."""
    roles = chamber_roles(user)
    return not association_ids(user) and ChamberMembership.Status.PENDING in roles.values()


def is_staff_of(user, association: BusinessAssociation | int) -> bool:
    association_id = association if isinstance(association, int) else association.pk
    return association_id in association_ids(user)


def may_see_registry_emails(user) -> bool:
    """The registry's contacts' e-mail addresses: signed-in chamber staff, officers and admins
    (not anonymous visitors: see businesses/views/registry.py)."""
    return user.is_authenticated and (
        core.is_admin(user) or core.is_officer(user) or is_chamber_staff(user)
    )


def can_manage_association(user, association: BusinessAssociation) -> bool:
    """Maintain the association's businesses (create, edit, import)."""
    return core.is_admin(user) or is_staff_of(user, association)


def can_decide_membership(user, membership: ChamberMembership) -> bool:
    """An officer of the association's city, or an admin."""
    return core.is_admin(user) or (
        membership.association.organisation.partner_id in core.city_ids(user)
    )


def can_manage_business(user, business: BusinessProfile) -> bool:
    return core.is_admin(user) or is_staff_of(user, business.association_id)


def can_see_business(user, business: BusinessProfile) -> bool:
    """Its association's staff, officers of its city or of a city partnering with it (they
    see it in matchmaking), and admins."""
    if can_manage_business(user, business):
        return True
    cities = core.city_ids(user)
    if not cities:
        return False
    city = business.organisation.partner_id
    if city in cities:
        return True
    return PartnershipMember.objects.filter(
        partner_id=city, partnership__members__partner_id__in=cities
    ).exists()


def can_register_interest(user, association: BusinessAssociation, partnership: Partnership) -> bool:
    """Approved staff of the association, in a published partnership or one of its own city."""
    if not (core.is_admin(user) or is_staff_of(user, association)):
        return False
    return partnership.published or (
        association.organisation.partner_id in core.member_city_ids(partnership)
    )


def can_see_registration(user, registration: InterestRegistration) -> bool:
    """The registering association's staff, the partnership's member cities' officers, admins."""
    if core.is_admin(user) or is_staff_of(user, registration.association_id):
        return True
    return bool(core.city_ids(user) & core.member_city_ids(registration.partnership))


def can_decide_interest(user, registration: InterestRegistration) -> bool:
    """An officer of one of the partnership's member cities (who may edit it), or an admin."""
    return core.can_edit_partnership(user, registration.partnership)


def can_withdraw_interest(user, registration: InterestRegistration) -> bool:
    return core.is_admin(user) or is_staff_of(user, registration.association_id)


def can_see_lead(user, lead: PartnershipLead) -> bool:
    """The proposing association's staff, the officers of its (home) city, admins."""
    return (
        core.is_admin(user)
        or is_staff_of(user, lead.association_id)
        or lead.home_id in core.city_ids(user)
    )


def can_decide_lead(user, lead: PartnershipLead) -> bool:
    """The officers of the home city, whose search step the lead feeds, and admins."""
    return core.is_admin(user) or lead.home_id in core.city_ids(user)


def party_filter(user) -> Q | None:
    """On `SubAllianceParty` rows: the parties that are the user's associations or their member
    businesses. None for a user who is no chamber's staff."""
    ids = association_ids(user)
    if not ids:
        return None
    return Q(organisation__association__in=ids) | Q(organisation__business__association__in=ids)


def is_chamber_party(user, sub_alliance: SubAlliance) -> bool:
    """The user's association, or one of its member businesses, is a party to the sub-alliance:
    its staff follow it (tasks, scorecard, outcomes) and record its outcomes. One query."""
    parties = party_filter(user)
    return parties is not None and (
        SubAllianceParty.objects.filter(parties, sub_alliance=sub_alliance).exists()
    )


def can_see_sub_alliance_as_chamber(user, sub_alliance: SubAlliance) -> bool:
    return core.is_admin(user) or is_chamber_party(user, sub_alliance)


def can_record_outcome(user, sub_alliance: SubAlliance) -> bool:
    """The partnership's officers (who manage its sub-alliances), admins, and the staff of a
    chamber that is a party (itself or through a member business): a deal is theirs to
    report."""
    return alliance_permissions.can_manage_sub_alliances(
        user, sub_alliance.partnership
    ) or is_chamber_party(user, sub_alliance)


def can_see_chamber_matches(user, partnership: Partnership, of_own_city: bool) -> bool:
    """Approved chamber staff (and admins), in a partnership they may register interest in:
    published, or one of their associations' cities is a member of (`of_own_city`, which the
    view reads with the partnership). Archived ones are nobody's to act on."""
    if partnership.status == Partnership.Status.ARCHIVED:
        return False
    if core.is_admin(user):
        return True
    return is_chamber_staff(user) and (partnership.published or of_own_city)


def can_propose_match(user, association: BusinessAssociation, partnership: Partnership) -> bool:
    """Propose a pair of one of the association's businesses: as registering interest."""
    return can_register_interest(user, association, partnership)


def can_withdraw_match(user, proposal: MatchProposal) -> bool:
    return core.is_admin(user) or is_staff_of(user, proposal.association_id)


def can_decide_match(user, proposal: MatchProposal) -> bool:
    """Officers who may edit the partnership (its member cities'), and admins: forming its
    sub-alliances is theirs."""
    return core.can_edit_partnership(user, proposal.partnership)
