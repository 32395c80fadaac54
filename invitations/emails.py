"""The invitations' e-mails, rendered like every mail of the portal (notifications.emails) with
absolute links from PORTAL_BASE_URL. Sent once the write commits: a refused or rolled-back
invitation sends nothing."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext

from invitations import tokens
from invitations.models import Invitation, JoinRequest
from notifications.emails import language_of, portal_email, portal_url
from partnerships.models import CityMembership

logger = logging.getLogger("portal.invitations")
TEMPLATE = "invitation_message"


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def _send_later(messages) -> None:
    def send():
        for message in messages:
            message.send()

    transaction.on_commit(send, robust=True)


def accept_url(invitation: Invitation) -> str:
    return portal_url(reverse("invitations:accept", args=[tokens.make_key(invitation)]))


def send_invitation(invitation: Invitation) -> None:
    """The invitation, in the language the inviter chose for the invited person."""
    with translation.override(invitation.language or settings.LANGUAGE_CODE):
        _send_later([_invitation_message(invitation)])


def _invitation_message(invitation: Invitation):
    inviter = _name(invitation.invited_by) or gettext("An officer")
    expires = date_format(localtime(invitation.expires_at), "DATE_FORMAT")
    values = {"inviter": inviter, "city": invitation.city.name}
    if invitation.partnership_id:
        values["title"] = invitation.partnership.title
        invited = (
            gettext(
                "%(inviter)s invites you to join %(city)s on the Twinning portal as one of its "
                "officers to work on the partnership “%(title)s”."
            )
            % values
        )
    else:
        invited = (
            gettext(
                "%(inviter)s invites you to join %(city)s on the Twinning portal as one of its "
                "officers."
            )
            % values
        )
    paragraphs = [
        invited,
        gettext(
            "Open the link to set your password (or sign in, if this address already has an "
            "account)."
        ),
    ]
    message = portal_email(
        gettext("You are invited to work for %(city)s") % {"city": invitation.city.name},
        TEMPLATE,
        {
            "paragraphs": paragraphs,
            "action": gettext("Accept the invitation"),
            "url": accept_url(invitation),
            "note": gettext(
                "The link works once and until %(expires)s. If you did not expect this "
                "e-mail, ignore it."
            )
            % {"expires": expires},
        },
        invitation.email,
        language=translation.get_language(),
    )
    return message


def _deciders(join_request: JoinRequest) -> list:
    """The city's coordinators, or the admins where it has none."""
    User = get_user_model()
    coordinators = User.objects.filter(
        is_active=True,
        city_memberships__partner_id=join_request.city_id,
        city_memberships__role=CityMembership.Role.COORDINATOR,
    ).exclude(email="")
    people = list(coordinators)
    if not people:
        people = list(User.objects.filter(is_active=True, is_superuser=True).exclude(email=""))
    return people


def send_join_request(join_request: JoinRequest) -> None:
    """To each coordinator of the city (or each admin), each in their own language."""
    messages = []
    for person in _deciders(join_request):
        with translation.override(language_of(person)):
            messages.append(_join_request_message(join_request, person))
    if not messages:
        logger.warning("join request %s: no coordinator and no admin to tell", join_request.pk)
    _send_later(messages)


def _join_request_message(join_request: JoinRequest, person):
    requester = join_request.user
    who = _name(requester)
    if requester.email:
        who = f"{who} <{requester.email}>"
    paragraphs = [
        gettext("%(who)s asks to work for %(city)s as one of its officers.")
        % {"who": who, "city": join_request.city.name}
    ]
    if join_request.message:
        paragraphs.append(
            gettext("Their message: “%(message)s”") % {"message": join_request.message}
        )
    url = portal_url(reverse("invitations:join_decide", args=[join_request.pk]))
    return portal_email(
        gettext("%(who)s asks to join %(city)s")
        % {"who": _name(requester), "city": join_request.city.name},
        TEMPLATE,
        {
            "name": _name(person),
            "paragraphs": paragraphs,
            "action": gettext("Approve or reject the request"),
            "url": url,
        },
        person.email,
        language=translation.get_language(),
    )


def send_join_decision(join_request: JoinRequest) -> None:
    requester = join_request.user
    if not requester.email:
        return
    with translation.override(language_of(requester)):
        _send_later([_join_decision_message(join_request)])


def _join_decision_message(join_request: JoinRequest):
    requester = join_request.user
    city = join_request.city.name
    if join_request.status == JoinRequest.Status.APPROVED:
        paragraphs = [
            gettext("Your request to work for %(city)s is approved: you are one of its officers.")
            % {"city": city}
        ]
        action = gettext("Open the portal")
        url = portal_url(reverse("partnerships:dashboard"))
    else:
        paragraphs = [
            gettext("Your request to work for %(city)s was not approved.") % {"city": city}
        ]
        if join_request.reason:
            paragraphs.append(
                gettext("The reason given: “%(reason)s”") % {"reason": join_request.reason}
            )
        action = gettext("See your account")
        url = portal_url(reverse("login"))
    message = portal_email(
        gettext("Your request to join %(city)s") % {"city": city},
        TEMPLATE,
        {"name": _name(requester), "paragraphs": paragraphs, "action": action, "url": url},
        requester.email,
        language=translation.get_language(),
    )
    return message
