"""What every service of the partnerships app checks first: may this person change it?"""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.errors import DomainError
from core.services import lock
from partnerships import permissions
from partnerships.models import (
    Partner,
    Partnership,
)


def check_may_edit(user, partnership: Partnership) -> None:
    """Services re-check what views check; no user means the system (demo loader, tasks).
    The one edit check of every service in this module."""
    if user is not None and not permissions.can_edit_partnership(user, partnership):
        raise DomainError(_("You may not change this partnership."))


def lock_city(partner_id: int) -> Partner:
    return lock(Partner, partner_id)


def require_coordinator(user, partner_id: int) -> None:
    if user is None or not permissions.is_coordinator_of(user, partner_id):
        raise DomainError(_("Only the city's coordinators (or an admin) can do this."))


def member_partner_ids(partnership: Partnership) -> set[int]:
    return {m.partner_id for m in partnership.members.all()}


def set_document(obj, document) -> list[str]:
    """Apply an upload: None keeps the current file, False removes it, a file replaces it.
    Returns the fields to leave out of `full_clean` (an unchanged file is not read again)."""
    if document is None:
        return ["document"]
    obj.document = document or ""
    return []


def check_one_side(user, partner_id: int) -> None:
    """Refuse to let `user` work for a city that shares a partnership with a city they already
    work for: they would speak for both sides of its joint sign-off, and read the other city's
    private partnerships. (Admins are not officers of cities; this is about memberships.)"""
    if user is None or user.pk is None:
        return
    names = sorted(
        Partner.objects.filter(
            staff__user=user,
            memberships__partnership__members__partner_id=partner_id,
        )
        .exclude(pk=partner_id)
        .values_list("name", flat=True)
        .distinct()
    )
    if names:
        raise DomainError(
            _(
                "%(person)s works for %(cities)s, a partner of %(city)s: one person cannot "
                "work for both sides of a partnership."
            )
            % {
                "person": user.get_full_name() or user.username,
                "cities": ", ".join(names),
                "city": Partner.objects.get(pk=partner_id).name,
            }
        )
