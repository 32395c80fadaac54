"""Telling the people of the chamber journey what was decided, through the notification
machinery (bell and e-mail, as each person chose): one function per thing that happens, called
by the services after the write. Each is safe to call inside the service's transaction (the
telling happens on commit).

Each function emits a `partnerships.events.Event` of one of `CHAMBER_KINDS`, naming the people
to tell (`user_ids`) and a page they may open (`data["path"]`). The notifications app tells
only those of them that `audience` (hook `notifications.audience`) still vouches for when it
records the event, after the commit:

* a sign-up to decide: the officers of the association's city, or the admins where it has
  none (whoever `permissions.can_decide_membership` lets decide);
* a sign-up decided: the applicant;
* interest or a proposed match decided, a partnership of interest reaching the MOU or
  implementation: the approved staff of the association concerned (not the partnership's
  inside, which chamber staff cannot open: the link goes to the chamber's own pages); of a
  partnership's step, only while it is published or to the chambers of its member cities;
* a match proposed: the officers of the partnership's member cities (and admins), who decide.
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse

from businesses.models import (
    BusinessAssociation,
    ChamberMembership,
    InterestRegistration,
    MatchProposal,
)
from partnerships.events import Event, Kind, emit
from partnerships.models import CityMembership, Partnership, Step, StepTransition
from partnerships.selectors.visibility import users_who_may_see

logger = logging.getLogger(__name__)

APPROVED = ChamberMembership.Status.APPROVED
# The steps a chamber with interest in a partnership hears of its reaching.
STEPS_TOLD = (Step.AGREEMENT, Step.IMPLEMENTATION)


def _active_users():
    return get_user_model().objects.filter(is_active=True)


def staff_ids(association_ids) -> set[int]:
    """The active approved staff of these associations."""
    return set(
        _active_users()
        .filter(
            chamber_memberships__association_id__in=list(association_ids),
            chamber_memberships__status=APPROVED,
        )
        .values_list("pk", flat=True)
    )


def decider_ids(association: BusinessAssociation) -> tuple[set[int], bool]:
    """Who decides a sign-up to this association: the active officers of its city, else the
    active admins; and whether they are the city's officers (False: the admins)."""
    officers = set(
        _active_users()
        .filter(city_memberships__partner_id=association.organisation.partner_id)
        .values_list("pk", flat=True)
    )
    if officers:
        return officers, True
    return set(_active_users().filter(is_superuser=True).values_list("pk", flat=True)), False


def has_officers(partner_id: int) -> bool:
    return CityMembership.objects.filter(partner_id=partner_id, user__is_active=True).exists()


def _city(association: BusinessAssociation) -> str:
    return association.organisation.partner.name


def _decision(approved: bool) -> str:
    return "approved" if approved else "rejected"


def signup_requested(membership) -> None:
    """A sign-up waits: tell those who decide it (the city's officers, else the admins)."""
    association = membership.association
    deciders, _ = decider_ids(association)
    if not deciders:
        logger.warning("Chamber sign-up %s: no officer and no admin to tell", membership.pk)
    emit(
        Event(
            kind=Kind.CHAMBER_SIGNUP_REQUESTED,
            partnership_id=None,
            actor_id=membership.user_id,
            object_id=membership.pk,
            user_ids=tuple(sorted(deciders)),
            data={
                "association": association.name,
                "city": _city(association),
                "proposed": "yes"
                if association.status == BusinessAssociation.Status.PROPOSED
                else "",
                "path": reverse("businesses:staff_request_decide", args=[membership.pk]),
            },
        )
    )


def signup_decided(membership) -> None:
    """Tell the applicant whether they (and the association they proposed) were accepted."""
    association = membership.association
    emit(
        Event(
            kind=Kind.CHAMBER_SIGNUP_DECIDED,
            partnership_id=None,
            actor_id=membership.decided_by_id,
            object_id=membership.pk,
            user_ids=(membership.user_id,),
            data={
                "association": association.name,
                "city": _city(association),
                "decision": _decision(membership.status == APPROVED),
                "reason": membership.decision_note,
                "path": reverse("businesses:status"),
            },
        )
    )


def interest_decided(registration) -> None:
    """Tell the registering association's staff the officers' answer."""
    emit(
        Event(
            kind=Kind.INTEREST_DECIDED,
            partnership_id=registration.partnership_id,
            actor_id=registration.decided_by_id,
            object_id=registration.pk,
            user_ids=tuple(sorted(staff_ids([registration.association_id]))),
            data={
                "association": registration.association.name,
                "decision": _decision(registration.status == InterestRegistration.Status.ACCEPTED),
                "reason": registration.officer_message,
                "path": reverse("businesses:my_registrations"),
            },
        )
    )


def _pair(proposal) -> str:
    return f"{proposal.first.name} + {proposal.second.name}"


def match_proposed(proposal) -> None:
    """Tell the partnership's member cities' officers a chamber proposes a match."""
    officers = set(
        _active_users()
        .filter(city_memberships__partner__memberships__partnership_id=proposal.partnership_id)
        .values_list("pk", flat=True)
    )
    emit(
        Event(
            kind=Kind.MATCH_PROPOSED,
            partnership_id=proposal.partnership_id,
            actor_id=proposal.created_by_id,
            object_id=proposal.pk,
            user_ids=tuple(sorted(officers)),
            data={
                "association": proposal.association.name,
                "businesses": _pair(proposal),
                "reason": proposal.message,
                "path": reverse("businesses:matchmaking", args=[proposal.partnership_id]),
            },
        )
    )


def match_decided(proposal) -> None:
    """Tell both chambers' staff whether the match was accepted: the proposing one, and the
    one whose business it names (accepted, its business is in a sub-alliance now)."""
    chambers = [proposal.association_id, proposal.second.association_id]
    emit(
        Event(
            kind=Kind.MATCH_DECIDED,
            partnership_id=proposal.partnership_id,
            actor_id=proposal.decided_by_id,
            object_id=proposal.pk,
            user_ids=tuple(sorted(staff_ids(chambers))),
            data={
                "association": proposal.association.name,
                "businesses": _pair(proposal),
                "decision": _decision(proposal.status == MatchProposal.Status.ACCEPTED),
                "reason": proposal.officer_message,
                "path": reverse("businesses:my_match_proposals"),
            },
        )
    )


def _interested_associations(partnership_id: int) -> list[BusinessAssociation]:
    """The associations whose interest in the partnership stands (not withdrawn) and that may
    still see it: any of them while it is published (the registry shows its step), else only
    those of its member cities (as `permissions.can_register_interest` has it)."""
    partnership = Partnership.objects.filter(pk=partnership_id).first()
    if partnership is None:
        return []
    standing = InterestRegistration.objects.filter(partnership_id=partnership_id).exclude(
        status=InterestRegistration.Status.WITHDRAWN
    )
    qs = BusinessAssociation.objects.filter(pk__in=standing.values("association_id"))
    if not partnership.published or partnership.status == Partnership.Status.ARCHIVED:
        qs = qs.filter(organisation__partner__memberships__partnership_id=partnership_id)
    return list(qs.select_related("organisation").distinct().order_by("pk"))


def on_partnership_event(event: Event) -> None:
    """Listener of `partnership.events`: a partnership that reaches the MOU or implementation
    is told to the staff of the associations with interest in it (one event each)."""
    if event.kind != Kind.ADVANCED or event.partnership_id is None:
        return
    to_step = (
        StepTransition.objects.filter(pk=event.object_id, partnership_id=event.partnership_id)
        .values_list("to_step", flat=True)
        .first()
    )
    if to_step not in STEPS_TOLD:
        return
    for association in _interested_associations(event.partnership_id):
        staff = staff_ids([association.pk])
        if not staff:
            continue
        emit(
            Event(
                kind=Kind.INTEREST_PARTNERSHIP_MOVED,
                partnership_id=event.partnership_id,
                actor_id=event.actor_id,
                object_id=event.object_id,
                user_ids=tuple(sorted(staff)),
                data={
                    "association": association.name,
                    "step": Step(to_step).label,
                    "path": reverse("businesses:my_registrations"),
                },
            )
        )


# --- Who may see what the events are about (hook `notifications.audience`) ---------------------


def _staff_among(association_ids, user_ids) -> set[int]:
    return staff_ids(association_ids) & set(user_ids)


def audience(event: Event, user_ids) -> set[int] | None:
    """Of the people an event of the chamber journey names, those who may see what it is
    about, now (after the commit): a membership's deciders or applicant, an association's
    approved staff, a partnership's officers. None for the kinds this app does not emit."""
    user_ids = set(user_ids)
    if event.kind in (Kind.CHAMBER_SIGNUP_REQUESTED, Kind.CHAMBER_SIGNUP_DECIDED):
        membership = (
            ChamberMembership.objects.filter(pk=event.object_id)
            .select_related("association__organisation")
            .first()
        )
        if membership is None:
            return set()
        if event.kind == Kind.CHAMBER_SIGNUP_DECIDED:
            return {membership.user_id} & user_ids
        deciders = _active_users().filter(
            Q(is_superuser=True)
            | Q(city_memberships__partner_id=membership.association.organisation.partner_id),
            pk__in=user_ids,
        )
        return set(deciders.values_list("pk", flat=True))
    if event.kind == Kind.INTEREST_DECIDED:
        association = (
            InterestRegistration.objects.filter(
                pk=event.object_id, partnership_id=event.partnership_id
            )
            .values_list("association_id", flat=True)
            .first()
        )
        return _staff_among([association], user_ids) if association else set()
    if event.kind in (Kind.MATCH_PROPOSED, Kind.MATCH_DECIDED):
        found = (
            MatchProposal.objects.filter(pk=event.object_id, partnership_id=event.partnership_id)
            .values_list("association_id", "second__association_id")
            .first()
        )
        if found is None:
            return set()
        if event.kind == Kind.MATCH_DECIDED:
            return _staff_among(list(found), user_ids)
        return set(users_who_may_see(event.partnership_id, user_ids).values_list("pk", flat=True))
    if event.kind == Kind.INTEREST_PARTNERSHIP_MOVED:
        associations = [a.pk for a in _interested_associations(event.partnership_id)]
        return _staff_among(associations, user_ids)
    return None
