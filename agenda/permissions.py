"""Who may see, schedule and complete scheduled activities. Views use these; services check
them again.

An activity is part of its record's inside: a partnership's are for its member cities'
officers and admins, a sub-alliance's for whoever may see the sub-alliance (the same people,
alliances.permissions). Scheduling, changing or cancelling needs edit rights on the record;
completing is also open to the assignee, whose work it is.
"""

from __future__ import annotations

from alliances import permissions as alliance_permissions
from partnerships import permissions as core


def can_see(user, partnership, sub_alliance=None) -> bool:
    """The partnership's members prefetched: no query."""
    if not user.is_authenticated or not user.is_active:
        return False
    if sub_alliance is not None:
        return alliance_permissions.can_view_sub_alliances(user, partnership)
    return core.is_admin(user) or bool(core.city_ids(user) & core.member_city_ids(partnership))


def can_schedule(user, partnership, sub_alliance=None) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if sub_alliance is not None:
        return alliance_permissions.can_manage_sub_alliances(user, partnership)
    return core.can_edit_partnership(user, partnership)


def can_complete(user, activity) -> bool:
    if activity.is_done:
        return False
    if activity.assignee_id is not None and activity.assignee_id == user.pk:
        return can_see(user, activity.partnership, activity.sub_alliance)
    return can_schedule(user, activity.partnership, activity.sub_alliance)


def can_cancel(user, activity) -> bool:
    return not activity.is_done and can_schedule(user, activity.partnership, activity.sub_alliance)
