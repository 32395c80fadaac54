"""Writes: invitations sent, resent, revoked and accepted; requests to join a city decided.

Each function locks what it checks (the city's row before adding an officer, the invitation's
or the request's row before changing its state), so two clicks at once cannot both accept one
invitation, both decide one request, or both make themselves a city's first coordinator.
"""

from __future__ import annotations

import datetime as dt
import re

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from accounts.services import account_save_new
from core.errors import DomainError
from core.services import lock
from invitations import emails, permissions, tokens
from invitations.models import VALID_FOR, Invitation, InvitationSending, JoinRequest
from partnerships.events import Event, Kind, emit
from partnerships.models import CityMembership, Partner, Partnership
from partnerships.services.common import check_one_side, lock_city

# At most this many invitation e-mails (first sendings and resends) per person per hour.
HOURLY_LIMIT = 20


FORGED = gettext_lazy("This invitation link is not valid: check that it was copied whole.")


class InvalidLink(DomainError):
    """An invitation link that can do nothing: `reason` is forged, expired, used or revoked."""

    def __init__(self, reason: str, message: str, invitation: Invitation | None = None):
        super().__init__(message)
        self.reason = reason
        self.invitation = invitation


# --- Sending --------------------------------------------------------------------------------


def _check_rate(by) -> None:
    """Counted in the database (one InvitationSending row per e-mail), not with django-ratelimit:
    the limit is per person, must hold across workers and through a Redis outage (the
    project's ratelimit fails open), and the rows are the audit of who sent what."""
    since = timezone.now() - dt.timedelta(hours=1)
    sent = InvitationSending.objects.filter(sent_by=by, sent_at__gte=since).count()
    if sent >= HOURLY_LIMIT:
        raise DomainError(
            gettext(
                "You have sent %(n)s invitations in the last hour, the most allowed: "
                "please wait a little before sending more."
            )
            % {"n": HOURLY_LIMIT}
        )


def _send(invitation: Invitation, by) -> Invitation:
    now = timezone.now()
    invitation.expires_at = now + VALID_FOR
    invitation.sent_count += 1
    invitation.last_sent_at = now
    invitation.save(update_fields=["expires_at", "sent_count", "last_sent_at"])
    InvitationSending.objects.create(invitation=invitation, sent_by=by, sent_at=now)
    emails.send_invitation(invitation)
    return invitation


def _clean_email(email: str) -> str:
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": gettext("Give a valid e-mail address.")}) from None
    return email


@transaction.atomic
def invitation_send(
    *,
    city: Partner,
    email: str,
    by,
    partnership: Partnership | None = None,
    language: str = "",
) -> Invitation:
    """Invite `email` to work for `city`; an open invitation to the same address and city is
    renewed and sent again rather than doubled."""
    email = _clean_email(email)
    if partnership is not None and not partnership.members.filter(partner=city).exists():
        raise DomainError(
            gettext("%(city)s is not a member city of this partnership.") % {"city": city.name}
        )
    if not permissions.can_invite(by, city, partnership):
        raise DomainError(gettext("You may not invite officers of %(city)s.") % {"city": city.name})
    lock_city(city.pk)
    if CityMembership.objects.filter(partner=city, user__email__iexact=email).exists():
        raise ValidationError(
            {
                "email": gettext("%(email)s already works for %(city)s on the portal.")
                % {"email": email, "city": city.name}
            }
        )
    # Refused now rather than when the link is opened: an address of someone on the other
    # side (the inviter's own, say) would make one person both sides.
    for account in get_user_model().objects.filter(email__iexact=email):
        try:
            check_one_side(account, city.pk)
        except DomainError as exc:
            raise ValidationError({"email": exc.message}) from None
    _check_rate(by)
    invitation = (
        Invitation.objects.select_for_update()
        .filter(city=city, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True)
        .first()
    )
    if invitation is None:
        invitation = Invitation(city=city, email=email, expires_at=timezone.now() + VALID_FOR)
    invitation.invited_by = by
    if language:
        invitation.language = language
    if partnership is not None:
        invitation.partnership = partnership
    invitation.full_clean()
    invitation.save()
    return _send(invitation, by)


def _lock_open(invitation: Invitation, by) -> Invitation:
    current = lock(Invitation, invitation.pk, related=["city"])  # partnership: nullable
    if not permissions.can_manage_invitation(by, current):
        raise DomainError(gettext("You may not change this invitation."))
    if current.accepted_at is not None:
        raise DomainError(
            gettext("%(email)s has already accepted this invitation.") % {"email": current.email}
        )
    if current.revoked_at is not None:
        raise DomainError(
            gettext("The invitation to %(email)s was revoked.") % {"email": current.email}
        )
    return current


@transaction.atomic
def invitation_resend(*, invitation: Invitation, by) -> Invitation:
    """Send the invitation again, valid for 7 days from now."""
    current = _lock_open(invitation, by)
    _check_rate(by)
    return _send(current, by)


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by) -> Invitation:
    """Withdraw the invitation: its link stops working."""
    current = _lock_open(invitation, by)
    current.revoked_at = timezone.now()
    current.revoked_by = by
    current.save(update_fields=["revoked_at", "revoked_by"])
    return current


# --- Accepting ------------------------------------------------------------------------------


def invitation_from_key(key: str, *, for_update: bool = False) -> Invitation:
    """The invitation a link may still accept, or InvalidLink saying why not."""
    found = tokens.read_key(key)
    if found is None:
        raise InvalidLink("forged", FORGED)
    pk, email = found
    qs = Invitation.objects.select_related("city", "partnership", "invited_by")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    invitation = qs.filter(pk=pk).first()
    if invitation is None or invitation.email.lower() != email:
        raise InvalidLink("forged", FORGED)
    if invitation.revoked_at is not None:
        raise InvalidLink(
            "revoked", gettext("This invitation was withdrawn by the city."), invitation
        )
    if invitation.accepted_at is not None:
        raise InvalidLink(
            "used",
            gettext("This invitation has already been accepted: sign in instead."),
            invitation,
        )
    if invitation.is_expired:
        raise InvalidLink(
            "expired",
            gettext(
                "This invitation has expired: ask the person who invited you to send it again."
            ),
            invitation,
        )
    return invitation


def _free_username(email: str) -> str:
    """The address's part before the @, numbered when taken: a whole address as username could
    not be @mentioned in a discussion (a mention ends at the @)."""
    User = get_user_model()
    base = re.sub(r"[^\w.+-]", "", email.lower().rsplit("@", 1)[0])[:140].strip(".")
    base = base or "officer"
    name, n = base, 1
    while User.objects.filter(username__iexact=name).exists():
        n += 1
        name = f"{base}{n}"
    return name


def _new_account(*, email: str, password: str, first_name: str, last_name: str, language: str = ""):
    User = get_user_model()
    errors: dict[str, list[str]] = {}
    if User.objects.filter(email__iexact=email).exists():
        raise DomainError(
            gettext("An account with this e-mail address exists: sign in with it first.")
        )
    user = User(
        username=_free_username(email),
        email=email,
        first_name=(first_name or "").strip(),
        last_name=(last_name or "").strip(),
        # The language they were invited in (else account_save_new: the page's).
        language=language,
    )
    return account_save_new(user, password, errors)


def _make_officer(user, city_id: int) -> CityMembership:
    """`user` works for the city from now on; the first to join a city without a coordinator
    becomes its coordinator, so the rule "a city always keeps one coordinator" holds for cities
    brought in by invitation too. Locks the city: two first officers at once queue."""
    lock_city(city_id)
    existing = CityMembership.objects.filter(partner_id=city_id, user=user).first()
    if existing is not None:
        return existing
    check_one_side(user, city_id)
    has_coordinator = CityMembership.objects.filter(
        partner_id=city_id, role=CityMembership.Role.COORDINATOR
    ).exists()
    role = CityMembership.Role.OFFICER if has_coordinator else CityMembership.Role.COORDINATOR
    return CityMembership.objects.create(partner_id=city_id, user=user, role=role)


@transaction.atomic
def invitation_accept(
    *, key: str, user=None, password: str = "", first_name: str = "", last_name: str = ""
) -> tuple[Invitation, CityMembership]:
    """Accept for the signed-in `user` (whose address must be the invited one), or for a new
    account with that address and `password`. Returns the invitation and the membership."""
    # The city first, then the invitation: the order invitation_send locks them in.
    lock_city(invitation_from_key(key).city_id)
    invitation = invitation_from_key(key, for_update=True)
    if user is not None and user.is_authenticated:
        if (user.email or "").lower() != invitation.email.lower():
            raise DomainError(
                gettext(
                    "This invitation is for %(email)s, and you are signed in as "
                    "%(username)s: sign out, then open the link again."
                )
                % {"email": invitation.email, "username": user.username}
            )
        if not user.is_active:
            raise DomainError(gettext("This account is deactivated."))
    else:
        user = _new_account(
            email=invitation.email,
            password=password,
            first_name=first_name,
            last_name=last_name,
            language=invitation.language,
        )
    membership = _make_officer(user, invitation.city_id)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    # A request of theirs to join the same city is answered by the invitation.
    JoinRequest.objects.filter(
        user=user, city_id=invitation.city_id, status=JoinRequest.Status.PENDING
    ).update(status=JoinRequest.Status.APPROVED, decided_at=invitation.accepted_at)
    emit(
        Event(
            kind=Kind.INVITATION_ACCEPTED,
            partnership_id=invitation.partnership_id,
            actor_id=user.pk,
            object_id=invitation.pk,
            partner_ids=(invitation.city_id,),
            user_ids=(invitation.invited_by_id,) if invitation.invited_by_id else (),
        )
    )
    return invitation, membership


# --- Asking to join -------------------------------------------------------------------------


@transaction.atomic
def join_request_create(
    *,
    city: Partner,
    user=None,
    message: str = "",
    email: str = "",
    password: str = "",
    first_name: str = "",
    last_name: str = "",
) -> JoinRequest:
    """Ask to work for `city`: as the signed-in `user`, or as a new account made from the
    other arguments. Its coordinators decide, or the admins where it has none (e-mailed)."""
    if user is None or not user.is_authenticated:
        email = _clean_email(email)
        user = _new_account(
            email=email, password=password, first_name=first_name, last_name=last_name
        )
    elif CityMembership.objects.filter(partner=city, user=user).exists():
        raise DomainError(gettext("You already work for %(city)s.") % {"city": city.name})
    if JoinRequest.objects.filter(user=user, city=city, status=JoinRequest.Status.PENDING).exists():
        raise DomainError(
            gettext("You have already asked to join %(city)s; the decision is pending.")
            % {"city": city.name}
        )
    join_request = JoinRequest(user=user, city=city, message=(message or "").strip())
    join_request.full_clean()
    join_request.save()
    emails.send_join_request(join_request)
    return join_request


@transaction.atomic
def join_request_decide(
    *, join_request: JoinRequest, by, approve: bool, reason: str = ""
) -> JoinRequest:
    """Approve (the requester becomes an officer of the city) or reject with a reason."""
    current = lock(JoinRequest, join_request.pk, related=["city", "user"])
    if not permissions.can_decide(by, current):
        raise DomainError(
            gettext("Only the coordinators of %(city)s (or an admin) decide.")
            % {"city": current.city.name}
        )
    if current.status != JoinRequest.Status.PENDING:
        if current.status == JoinRequest.Status.APPROVED:
            raise DomainError(gettext("This request was already approved."))
        raise DomainError(gettext("This request was already rejected."))
    reason = (reason or "").strip()
    if not approve and not reason:
        raise ValidationError(
            {"reason": gettext("Say why the request is rejected: they will read it.")}
        )
    if approve:
        _make_officer(current.user, current.city_id)
    current.status = JoinRequest.Status.APPROVED if approve else JoinRequest.Status.REJECTED
    current.decided_by = by
    current.decided_at = timezone.now()
    current.reason = reason
    current.full_clean()
    current.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    emails.send_join_decision(current)
    return current
