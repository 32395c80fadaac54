"""Events of a partnership (partnerships.events), turned into notifications.

Listening on the hook `partnership.events`, `record(event)` works out who the event concerns:

* a city's confirmation awaited: the officers of the cities in `partner_ids`;
* a city confirmed, the partnership advanced or returned, an offline confirmation disputed:
  the officers of the *other* member cities (not those in `partner_ids`, else not the actor's
  own) and the partnership's followers;
* an invitation accepted, a mention: the people in `user_ids`;
* the chamber journey (`partnerships.events.CHAMBER_KINDS`: a sign-up to decide or decided,
  interest or a proposed match decided, a match proposed, a partnership of interest reaching
  the MOU or implementation): the people in `user_ids`, of whom only those the emitting app
  vouches for now (hook `notifications.audience`: e.g. the approved staff of the association
  whose registration it is, the officers who may decide a sign-up) are told. They need not
  be able to open the partnership's inside (chamber staff cannot), so the event names in
  `data["path"]` a page they may open (the chamber's registrations, its status page, the
  page where the decision is made); without a provider that answers, nobody is told;
* a partnership created: nobody; its creator follows it.

Never the actor, never an inactive account, and never anyone who may not open the partnership
(`partnerships.selectors.visibility.users_who_may_see`, one query for all of them). The actor
follows the partnership (you follow what you create, edit, confirm...).

Each person gets one `Reminder` row of the event's kind: in the bell at once, and by email as
they chose for that kind (`NotificationPreference.events`): at once (handed to the same
exactly-once delivery as the reminders), in the daily digest, or not (email off). The rows
are inserted in one statement whose conflicts with the unique constraint `event_once_per_user`
are ignored, so an event told twice records (and sends) nothing new; each run tags its rows
with its own batch, and hands to delivery only those, after commit.
"""

from __future__ import annotations

import logging
import uuid

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from core import hooks, page_cache
from notifications import follows, services, tasks
from notifications.models import (
    EVENT_KIND_VALUES,
    NotificationPreference,
    Reminder,
    event_choice,
)
from partnerships.events import CHAMBER_KINDS, Event, Kind
from partnerships.models import CityMembership, Partner, Partnership, PartnershipMember
from partnerships.page_scopes import partnership_scopes
from partnerships.selectors.visibility import users_who_may_see

logger = logging.getLogger(__name__)

Role = Reminder.Role
Status = Reminder.Status
Choice = NotificationPreference.EventChoice

# Told to the officers of the other member cities and to the followers.
TO_THE_OTHER_SIDE = (
    Kind.CONFIRMED,
    Kind.ADVANCED,
    Kind.RETURNED,
    Kind.OFFLINE_CONFIRMATION_DISPUTED,
)
# Told to the people the event names.
TO_THE_PEOPLE_NAMED = (Kind.INVITATION_ACCEPTED, Kind.MENTIONED, *CHAMBER_KINDS)

STATUS_FOR = {
    Choice.IMMEDIATE: Status.PENDING,
    Choice.DAILY: Status.DAILY,
    Choice.OFF: Status.QUIET,
}
# When someone is concerned twice (named and an officer, officer and follower): the first.
ROLE_ORDER = (Role.CONCERNED, Role.COORDINATOR, Role.OFFICER, Role.FOLLOWER)
MAX_TEXT = 2000  # the longest short text kept from an event (a reason)


def _officers(city_ids) -> dict[int, str]:
    """{user id: officer or coordinator} of these cities."""
    found: dict[int, str] = {}
    rows = CityMembership.objects.filter(partner_id__in=city_ids).values_list("user_id", "role")
    for user_id, role in rows:
        role = Role.COORDINATOR if role == CityMembership.Role.COORDINATOR else Role.OFFICER
        if found.get(user_id) != Role.COORDINATOR:
            found[user_id] = role
    return found


def _acting_cities(event: Event, members: set[int]) -> set[int]:
    """The side that did it: the cities the event names (unless it names them all: then it
    says nothing of a side), else the actor's own member cities."""
    named = set(event.partner_ids) & members
    if named == members:
        named = set()
    if named or event.actor_id is None:
        return named
    return set(
        CityMembership.objects.filter(user_id=event.actor_id, partner_id__in=members).values_list(
            "partner_id", flat=True
        )
    )


def recipients(event: Event) -> dict[int, str]:
    """{user id: role} of the people the event concerns, before the visibility check."""
    people: dict[int, str] = {}

    def add(user_ids, role: str) -> None:
        for user_id in user_ids:
            known = people.get(user_id)
            if known is None or ROLE_ORDER.index(role) < ROLE_ORDER.index(known):
                people[user_id] = role

    if event.kind in TO_THE_PEOPLE_NAMED:
        add(event.user_ids, Role.CONCERNED)
    if event.partnership_id is not None:
        members = set(
            PartnershipMember.objects.filter(partnership_id=event.partnership_id).values_list(
                "partner_id", flat=True
            )
        )
        if event.kind == Kind.CONFIRMATION_AWAITED:
            # The cities named; none named: every member city but the actor's side.
            awaited = set(event.partner_ids) & members or members - _acting_cities(event, members)
            for user_id, role in _officers(awaited).items():
                add([user_id], role)
        elif event.kind in TO_THE_OTHER_SIDE:
            others = members - _acting_cities(event, members)
            for user_id, role in _officers(others).items():
                add([user_id], role)
            add(follows.follower_ids(Partnership, event.partnership_id), Role.FOLLOWER)
    people.pop(event.actor_id, None)
    return people


def _texts(event: Event) -> dict:
    """The event's short texts as the messages show them, with the actor's and cities' names."""
    data = {
        str(key): str(value)[:MAX_TEXT]
        for key, value in (event.data or {}).items()
        if isinstance(value, str | int | float)
    }
    if event.actor_id is not None and "actor_name" not in data:
        actor = get_user_model().objects.filter(pk=event.actor_id).first()
        if actor is not None:
            data["actor_name"] = actor.get_full_name() or actor.get_username()
    if event.partner_ids and "city" not in data and "cities" not in data:
        names = Partner.objects.filter(pk__in=event.partner_ids).order_by("name")
        # The names, joined when read, as the reader's language joins a list.
        data["cities"] = list(names.values_list("name", flat=True))
    return data


def _vouched_for(event: Event, user_ids) -> set[int]:
    """The chamber journey's events: those the apps that know the event's record say may see
    it (hook `notifications.audience`), among the active accounts named."""
    vouched: set[int] = set()
    answered = False
    for answer in hooks.collect("notifications.audience", event, set(user_ids)):
        answered = True
        vouched |= set(answer)
    if not answered:
        logger.warning("No app answers who may see a %r event: nobody told", event.kind)
        return set()
    people = get_user_model().objects.filter(pk__in=vouched & set(user_ids), is_active=True)
    return set(people.values_list("pk", flat=True))


def _may_see(event: Event, user_ids) -> set[int]:
    if event.kind in CHAMBER_KINDS:
        return _vouched_for(event, user_ids)
    if event.partnership_id is None:
        if event.kind != Kind.INVITATION_ACCEPTED:  # nothing to check who may see it against
            logger.warning("Partnership event %r without a partnership: nobody told", event.kind)
            return set()
        # An invitation to a city (no partnership): told to its sender only.
        people = get_user_model().objects.filter(pk__in=list(user_ids), is_active=True)
        return set(people.values_list("pk", flat=True))
    return set(users_who_may_see(event.partnership_id, user_ids).values_list("pk", flat=True))


def record(event: Event) -> list[int]:
    """Record the event's notifications (and the actor's follow); the ids handed to delivery
    at once. Safe to call again with the same event: nothing new is recorded or sent."""
    if event.kind not in Kind.values:
        logger.warning("Unknown partnership event %r: ignored", event.kind)
        return []
    with transaction.atomic():
        if event.actor_id is not None and event.partnership_id is not None:
            services.follow_if_visible(event.actor_id, event.partnership_id)
        if event.kind not in EVENT_KIND_VALUES:  # created: the follow is all
            return []
        people = recipients(event)
        visible = _may_see(event, people) if people else set()
        if not visible:
            return []
        choices = dict(
            NotificationPreference.objects.filter(user_id__in=visible).values_list(
                "user_id", "events"
            )
        )
        batch = uuid.uuid4()
        now = timezone.now()
        data = _texts(event)
        rows = [
            Reminder(
                kind=event.kind,
                partnership_id=event.partnership_id,
                object_id=event.object_id,
                occurrence=timezone.localdate(now),
                about=str(data.get("step") or "")[:240],
                recipient_id=user_id,
                role=people[user_id],
                status=STATUS_FOR[event_choice(choices.get(user_id), event.kind)],
                actor_id=event.actor_id,
                data=data,
                batch=batch,
                created_at=now,
            )
            for user_id in sorted(visible)  # a fixed order: two runs wait, never deadlock
        ]
        Reminder.objects.bulk_create(rows, ignore_conflicts=True)
        # The bells of the people told, and the partnership's timeline.
        page_cache.bump(
            *partnership_scopes(event.partnership_id), *map(page_cache.user_scope, visible)
        )
        queued = list(
            Reminder.objects.filter(batch=batch, status=Status.PENDING)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if queued:
            transaction.on_commit(lambda: tasks.enqueue_delivery(queued), robust=True)
    return queued


def on_event(event: Event) -> None:
    """The hook's listener (registered in NotificationsConfig.ready)."""
    record(event)
