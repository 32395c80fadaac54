"""Who may read and write a thread, and change a comment. Views use these; services check
them again.

A thread is part of its record's inside: a partnership's is for its member cities' officers
and admins (partnerships.permissions), a sub-alliance's for whoever may see the sub-alliance
(alliances.permissions: the same people). Archived partnerships keep their thread open: the
discussion of what happened goes on after the record is closed.
"""

from __future__ import annotations

from alliances import permissions as alliance_permissions
from alliances.models import SubAlliance
from discussion.models import Comment
from partnerships import permissions as core
from partnerships.models import Partnership


def can_see_thread(user, partnership: Partnership, sub_alliance: SubAlliance | None = None) -> bool:
    """Read and write the thread (the partnership's members prefetched: no query)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if sub_alliance is not None:
        return alliance_permissions.can_view_sub_alliances(user, partnership)
    return core.is_admin(user) or bool(core.city_ids(user) & core.member_city_ids(partnership))


def can_edit_comment(user, comment: Comment) -> bool:
    """Its writer, while it is not removed (the 15 minutes are the service's to check, with a
    message saying why)."""
    return bool(user.is_authenticated and comment.author_id == user.pk and not comment.is_removed)


def can_remove_comment(user, comment: Comment) -> bool:
    """Its writer, or an admin."""
    if comment.is_removed:
        return False
    return bool(user.is_authenticated and (comment.author_id == user.pk or core.is_admin(user)))
