"""Who may invite whom, and who decides a request to join. Views use these; services check
them again."""

from __future__ import annotations

from invitations.models import Invitation, JoinRequest
from partnerships import permissions as city_perms
from partnerships.models import CityMembership, Partner, Partnership

# An ended or archived partnership takes on no one new.
OPEN = (Partnership.Status.ACTIVE, Partnership.Status.PAUSED)


def may_invite_from(user, partnership: Partnership) -> bool:
    """May open the partnership's invitation page (no query: members and roles are read)."""
    return partnership.status in OPEN and city_perms.can_edit_partnership(user, partnership)


def partnership_cities(user, partnership: Partnership) -> list[Partner]:
    """The member cities `user` may invite officers to from the partnership's page:
    - a member city with no officer on the portal yet (a partner the partnership brings in);
    - their own city, where they coordinate it;
    - every member city, for admins.

    A city that has officers decides who works for it: only its coordinators (or an admin)
    invite to it. Otherwise an officer of one side could invite themselves to the other and
    sign for both, or read the other city's private partnerships."""
    if not may_invite_from(user, partnership):
        return []
    cities = [m.partner for m in partnership.members.all()]
    if city_perms.is_admin(user):
        return cities
    mine = city_perms.city_ids(user)
    staffed = set(
        CityMembership.objects.filter(partner__in=[c.pk for c in cities if c.pk not in mine])
        .values_list("partner_id", flat=True)
        .distinct()
    )
    return [
        c
        for c in cities
        if city_perms.is_coordinator_of(user, c.pk) or (c.pk not in mine and c.pk not in staffed)
    ]


def can_invite(user, city: Partner, partnership: Partnership | None = None) -> bool:
    """A coordinator invites to their own city; an officer of a member city of `partnership`
    invites to its member cities that have no officer yet; admins to any."""
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
