"""Reads of the discussion: a thread in a fixed number of queries, one comment with what its
permission check needs, and who among the people mentioned may see a record."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from alliances.models import SubAlliance
from discussion.models import Comment
from partnerships.models import Partnership, PartnershipMember

# How many of the latest comments a record's page shows; the thread's own page has them all.
PANEL_LENGTH = 20
THREAD_PAGE = 50


def thread(partnership: Partnership, sub_alliance: SubAlliance | None = None) -> QuerySet[Comment]:
    """The thread, oldest first, with each comment's writer and remover in the same query."""
    qs = Comment.objects.filter(partnership=partnership)
    qs = qs.filter(sub_alliance=sub_alliance) if sub_alliance else qs.filter(sub_alliance=None)
    return qs.select_related("author", "removed_by").order_by("created_at", "id")


@dataclass(frozen=True)
class Latest:
    comments: list[Comment]
    earlier: bool  # the thread has older comments than these


def latest(partnership: Partnership, sub_alliance: SubAlliance | None = None) -> Latest:
    """The latest PANEL_LENGTH comments, oldest first, and whether there are older ones: one
    query however long the thread (one more row read instead of a count)."""
    qs = thread(partnership, sub_alliance).order_by("-created_at", "-id")
    comments = list(qs[: PANEL_LENGTH + 1])
    return Latest(comments=comments[:PANEL_LENGTH][::-1], earlier=len(comments) > PANEL_LENGTH)


def comment_for_page(pk: int) -> Comment:
    """A comment with its record and the partnership's members (for the permission check);
    raises Comment.DoesNotExist."""
    return (
        Comment.objects.select_related("partnership", "sub_alliance", "author")
        .prefetch_related("partnership__members")
        .get(pk=pk)
    )


def users_named(names: list[str]) -> dict[str, object]:
    """{name as written: user} for the names that are a username (case aside; an exact match
    first when two accounts differ only in case). Inactive accounts are nobody."""
    if not names:
        return {}
    lowered = {n.lower() for n in names}
    users = list(
        get_user_model()
        .objects.annotate(lower_name=Lower("username"))
        .filter(lower_name__in=lowered, is_active=True)
    )
    found = {}
    for name in names:
        matches = [u for u in users if u.username.lower() == name.lower()]
        exact = [u for u in matches if u.username == name]
        if exact or matches:
            found[name] = (exact or matches)[0]
    return found


def who_may_see(partnership: Partnership, user_ids: set[int]) -> set[int]:
    """Those of `user_ids` who may see the partnership's inside (and so its sub-alliances):
    its member cities' officers and admins (partnerships.permissions)."""
    if not user_ids:
        return set()
    cities = PartnershipMember.objects.filter(partnership=partnership).values("partner_id")
    return set(
        get_user_model()
        .objects.filter(pk__in=user_ids, is_active=True)
        .filter(Q(is_superuser=True) | Q(city_memberships__partner_id__in=cities))
        .values_list("pk", flat=True)
        .distinct()
    )
