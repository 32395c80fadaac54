"""Who may invite whom, and who decides a request to join. Views use these; services check
them again."""

from __future__ import annotations

from invitations.models import Invitation, JoinRequest
from partnerships import permissions as city_perms
from partnerships.models import Partner, Partnership


def partnership_cities(user, partnership: Partnership) -> list[Partner]:
    """The member cities whose officers `user` may invite from the partnership's page: the
    other member cities (their own too where they coordinate it; all of them for admins)."""
    if not city_perms.can_edit_partnership(user, partnership):
        return []
    mine = city_perms.city_ids(user)
    return [
        m.partner
        for m in partnership.members.all()
        if m.partner_id not in mine or city_perms.is_coordinator_of(user, m.partner_id)
    ]


def can_invite(user, city: Partner, partnership: Partnership | None = None) -> bool:
    """A coordinator invites to their own city; an officer of a member city of `partnership`
    invites to the other member cities; admins to any."""
    if city_perms.is_coordinator_of(user, city.pk):
        return True
    if partnership is None:
        return False
    return any(c.pk == city.pk for c in partnership_cities(user, partnership))


def can_manage_invitation(user, invitation: Invitation) -> bool:
    """Resend or revoke: who sent it, the city's coordinators, admins."""
    if not user.is_authenticated:
        return False
    return invitation.invited_by_id == user.pk or city_perms.is_coordinator_of(
        user, invitation.city_id
    )


def can_decide(user, join_request: JoinRequest) -> bool:
    """The city's coordinators; admins (the only deciders where the city has no coordinator)."""
    return user.is_authenticated and city_perms.is_coordinator_of(user, join_request.city_id)
