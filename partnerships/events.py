"""What happened to a partnership, told to whoever listens once the write has committed.

The services of this app (a move, a confirmation, an invitation accepted...) call `emit()`;
the notifications app, which partnerships never imports, listens on the hook
`partnership.events` (core.hooks) and turns each event into notifications for the people it
concerns, in the bell and by e-mail, with their preferences. An event carries ids and short
texts, never model instances: the listener reads what it needs, after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models, transaction
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core import hooks


class Kind(models.TextChoices):
    """Every kind of event; the notifications app names its notification kinds after these."""

    CONFIRMATION_AWAITED = "confirmation_awaited", _("A city's confirmation is awaited")
    CONFIRMED = "confirmed", _("A city confirmed the move")
    ADVANCED = "advanced", _("The partnership advanced")
    RETURNED = "returned", _("The partnership returned to an earlier step")
    OFFLINE_CONFIRMATION_DISPUTED = (
        "offline_confirmation_disputed",
        _("A confirmation recorded outside the portal was disputed"),
    )
    INVITATION_ACCEPTED = "invitation_accepted", _("An invitation was accepted")
    CREATED = "created", _("A partnership was created")
    MENTIONED = "mentioned", _("Someone mentioned you")
    # The chamber journey (told by businesses.notify, to the people each event names).
    CHAMBER_SIGNUP_REQUESTED = (
        "chamber_signup_requested",
        _("A chamber sign-up waits for a decision"),
    )
    CHAMBER_SIGNUP_DECIDED = "chamber_signup_decided", _("A chamber sign-up was decided")
    INTEREST_DECIDED = "interest_decided", _("A chamber's interest was decided")
    MATCH_PROPOSED = "match_proposed", _("A chamber proposed a match of businesses")
    MATCH_DECIDED = "match_decided", _("A proposed match of businesses was decided")
    INTEREST_PARTNERSHIP_MOVED = (
        "interest_partnership_moved",
        _("A partnership a chamber registered interest in reached the MOU or implementation"),
    )


# Told only to the people the event names (`Event.user_ids`), who need not be able to open the
# partnership's inside: the app that emits them vouches for who may see what each is about
# (hook `notifications.audience`), and names in `data["path"]` a page they may open.
CHAMBER_KINDS = (
    Kind.CHAMBER_SIGNUP_REQUESTED,
    Kind.CHAMBER_SIGNUP_DECIDED,
    Kind.INTEREST_DECIDED,
    Kind.MATCH_PROPOSED,
    Kind.MATCH_DECIDED,
    Kind.INTEREST_PARTNERSHIP_MOVED,
)


@dataclass(frozen=True)
class Event:
    kind: str  # a Kind
    partnership_id: int | None
    actor_id: int | None  # the user who did it (None: the system)
    object_id: int  # the record it is about: a move, a confirmation, an invitation...
    # The cities it concerns, when not every member city (e.g. the one whose confirmation is
    # awaited, or the one that confirmed).
    partner_ids: tuple[int, ...] = ()
    # The people it concerns directly (those mentioned, the one who sent an invitation).
    user_ids: tuple[int, ...] = ()
    # Short texts for the message (a reason, a step's name), already in plain words.
    data: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A translatable text (a step's name is lazy) is made a plain str here, in English
        # whatever the actor's language: listeners keep only plain values, and each reader's
        # mail and inbox translate the English back into the reader's own language
        # (notifications' event_headline). Pass such texts lazy, never already str()'d.
        with translation.override("en"):
            for key, value in self.data.items():
                if isinstance(value, Promise):
                    self.data[key] = str(value)


def emit(event: Event) -> None:
    """Tell the listeners once the current transaction commits (at once outside one); a
    listener that fails is logged and never undoes the write (robust)."""
    transaction.on_commit(lambda: hooks.emit("partnership.events", event), robust=True)
