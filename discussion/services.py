"""The writes of the discussion: post, edit (the writer, within 15 minutes) and remove (the
writer or an admin) a comment. Each is atomic: a refused comment saves nothing.

Posting or editing makes the writer follow the partnership (notifications.services.follow;
a sub-alliance's comment too: what followers hear of is the partnership's moves) and
tells the people newly mentioned, those who may see the record, through the partnership's
events (kind MENTIONED); the result says who was told and who was not, for the writer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext

from alliances.models import SubAlliance
from core.errors import DomainError
from core.services import lock, model_update
from discussion import permissions, selectors
from discussion.models import (
    EDIT_WINDOW_MINUTES,
    Comment,
    mentioned_names,
    normalise_newlines,
)
from notifications.services import follow
from partnerships.events import Event, Kind, emit
from partnerships.models import Partnership

EXCERPT_CHARS = 140


@dataclass
class Mentions:
    """What became of the names a comment mentions, for the writer."""

    notified: list = field(default_factory=list)  # users told
    not_notified: list = field(default_factory=list)  # users who may not see the record
    unknown: list[str] = field(default_factory=list)  # names that are nobody's


@dataclass
class Posted:
    comment: Comment
    mentions: Mentions


def comment_url(comment: Comment) -> str:
    """The comment on its thread's page (whose last page, shown first, holds the newest)."""
    if comment.sub_alliance_id:
        page = reverse("discussion:sub_alliance_thread", args=[comment.sub_alliance_id])
    else:
        page = reverse("discussion:partnership_thread", args=[comment.partnership_id])
    return f"{page}#comment-{comment.pk}"


def _mention(comment: Comment, writer, names: list[str]) -> Mentions:
    """Tell those of `names` who may see the record (not the writer); say who was not."""
    found = selectors.users_named(names)
    people = {u.pk: u for u in found.values() if u.pk != writer.pk}
    may_see = selectors.who_may_see(comment.partnership, set(people))
    result = Mentions(
        notified=[people[pk] for pk in people if pk in may_see],
        not_notified=[people[pk] for pk in people if pk not in may_see],
        unknown=[name for name in names if name not in found],
    )
    if result.notified:
        emit(
            Event(
                kind=Kind.MENTIONED,
                partnership_id=comment.partnership_id,
                actor_id=writer.pk,
                object_id=comment.pk,
                user_ids=tuple(sorted(u.pk for u in result.notified)),
                data={
                    "excerpt": Truncator(comment.body).chars(EXCERPT_CHARS),
                    "url": comment_url(comment),
                    "where": str(comment.sub_alliance or comment.partnership.title),
                },
            )
        )
    return result


@transaction.atomic
def comment_post(
    *, user, partnership: Partnership, body: str, sub_alliance: SubAlliance | None = None
) -> Posted:
    """Post `body` on the partnership's thread, or on the sub-alliance's (of that
    partnership). Raises DomainError (may not take part) or ValidationError (the text)."""
    if sub_alliance is not None and sub_alliance.partnership_id != partnership.pk:
        raise DomainError(gettext("This sub-alliance belongs to another partnership."))
    if not permissions.can_see_thread(user, partnership, sub_alliance):
        raise DomainError(
            gettext("Only the officers of the partnership's cities take part in this.")
        )
    comment = Comment(
        partnership=partnership,
        sub_alliance=sub_alliance,
        author=user,
        body=normalise_newlines(body),
    )
    comment.full_clean()
    comment.save()
    follow(user, partnership)
    return Posted(comment=comment, mentions=_mention(comment, user, mentioned_names(comment.body)))


def edit_window_open(comment: Comment, now: dt.datetime | None = None) -> bool:
    """Still within EDIT_WINDOW_MINUTES of being posted."""
    return (now or timezone.now()) <= comment.editable_until()


@transaction.atomic
def comment_edit(*, user, comment: Comment, body: str) -> Posted:
    """The writer changes their comment within EDIT_WINDOW_MINUTES of posting it; only the
    people it newly mentions are told."""
    comment = lock(Comment, comment.pk, related=["partnership"])
    if not permissions.can_edit_comment(user, comment):
        raise DomainError(
            gettext("Only its writer can edit a comment, and not once it is removed.")
        )
    now = timezone.now()
    if not edit_window_open(comment, now):
        raise DomainError(
            gettext(
                "A comment can be edited for %(minutes)s minutes after it is posted; "
                "this one is older. Write a new comment instead."
            )
            % {"minutes": EDIT_WINDOW_MINUTES}
        )
    before = mentioned_names(comment.body)
    model_update(comment, {"body": normalise_newlines(body), "edited_at": now})
    follow(user, comment.partnership)
    new_names = [n for n in mentioned_names(comment.body) if n not in before]
    return Posted(comment=comment, mentions=_mention(comment, user, new_names))


@transaction.atomic
def comment_remove(*, user, comment: Comment) -> Comment:
    """Its writer or an admin removes a comment: its text goes, a trace stays (who removed it
    and when)."""
    comment = lock(Comment, comment.pk)
    if not permissions.can_remove_comment(user, comment):
        raise DomainError(gettext("Only its writer or an admin can remove a comment."))
    return model_update(comment, {"body": "", "removed_at": timezone.now(), "removed_by": user})
