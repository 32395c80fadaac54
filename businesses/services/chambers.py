"""Business associations (chambers) and their staff: creating one, signing up, deciding."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.services import account_save_new
from alliances import permissions as alliance_permissions
from alliances import services as alliance_services
from alliances.models import Organisation
from businesses import permissions as perms
from businesses.models import (
    BusinessAssociation,
    ChamberMembership,
)
from businesses.services.common import _forget_roles
from core.errors import DomainError
from core.services import lock
from partnerships import permissions as core_permissions
from partnerships.models import (
    Partner,
)


@transaction.atomic
def association_create(
    *,
    user,
    partner: Partner,
    name: str = "",
    organisation: Organisation | None = None,
    email: str = "",
    phone: str = "",
    **organisation_fields,
) -> BusinessAssociation:
    """Register a business association or chamber of a city (by its officers or an admin):
    either wrap an existing organisation of kind chamber or create one named `name`."""
    if user is not None and not alliance_permissions.can_create_organisation_in(user, partner):
        raise DomainError(f"Only officers of {partner.name} may register its associations.")
    if organisation is None:
        organisation = alliance_services.organisation_create(
            user=user,
            partner=partner,
            kind=Organisation.Kind.CHAMBER,
            name=name,
            **organisation_fields,
        )
    elif organisation.partner_id != partner.pk:
        raise DomainError(f"{organisation.name} is not in {partner.name}.")
    elif BusinessAssociation.objects.filter(organisation=organisation).exists():
        raise DomainError(f"{organisation.name} is already registered as an association.")
    association = BusinessAssociation(organisation=organisation, email=email, phone=phone)
    association.full_clean()
    association.save()
    return association


@transaction.atomic
def chamber_signup(
    *,
    association: BusinessAssociation,
    user=None,
    username: str = "",
    email: str = "",
    password: str = "",
    first_name: str = "",
    last_name: str = "",
    job_title: str = "",
) -> ChamberMembership:
    """Ask to join an association as its staff: a pending membership, for the signed-in `user`
    or for a new account made from the other arguments.

    The account can sign in at once (it is an active Django user) but, while its membership is
    pending, may only see its status (`permissions.is_pending_chamber`). An officer of the
    association's city or an admin decides (`chamber_membership_decide`). A rejected request
    may be made again: it becomes pending once more.
    """
    if user is None or not user.is_authenticated:
        user = _new_account(
            username=username,
            email=email,
            password=password,
            first_name=first_name,
            last_name=last_name,
            job_title=job_title,
        )
    elif core_permissions.is_admin(user) or core_permissions.is_officer(user):
        raise DomainError(
            "You work for a city in the portal; chamber staff need an account of their own."
        )
    membership = (
        ChamberMembership.objects.select_for_update()
        .filter(user=user, association=association)
        .first()
    )
    if membership is None:
        membership = ChamberMembership(user=user, association=association)
    elif membership.status == ChamberMembership.Status.PENDING:
        raise DomainError(
            f"You have already asked to join {association.name}; an officer of its city will "
            "decide."
        )
    elif membership.status == ChamberMembership.Status.APPROVED:
        raise DomainError(f"You are already staff of {association.name}.")
    else:
        membership.status = ChamberMembership.Status.PENDING
        membership.decided_by, membership.decided_at, membership.decision_note = None, None, ""
    membership.full_clean()
    membership.save()
    _forget_roles(user)
    return membership


def _new_account(
    *, username: str, email: str, password: str, first_name: str, last_name: str, job_title: str
):
    User = get_user_model()
    email = (email or "").strip()
    errors: dict[str, list[str]] = {}
    if not email:
        errors["email"] = ["Give your work email address."]
    elif User.objects.filter(email__iexact=email).exists():
        errors["email"] = [
            "An account with this email address exists: sign in and ask to join from it."
        ]
    user = User(
        username=(username or "").strip(),
        email=email,
        first_name=first_name,
        last_name=last_name,
        job_title=job_title,
    )
    return account_save_new(user, password, errors)


@transaction.atomic
def chamber_membership_decide(
    *, membership: ChamberMembership, user, approve: bool, note: str = ""
) -> ChamberMembership:
    """Approve or reject a pending request to join an association."""
    membership = lock(
        ChamberMembership, membership.pk, related=["association__organisation__partner", "user"]
    )
    if user is not None and not perms.can_decide_membership(user, membership):
        city = membership.association.organisation.partner.name
        raise DomainError(
            f"Only an officer of {city} or an admin may decide who works for "
            f"{membership.association.name}."
        )
    if membership.status != ChamberMembership.Status.PENDING:
        raise DomainError(
            f"This request was already {membership.get_status_display().lower()} on "
            f"{timezone.localtime(membership.decided_at):%d %b %Y}."
        )
    membership.status = (
        ChamberMembership.Status.APPROVED if approve else ChamberMembership.Status.REJECTED
    )
    membership.decided_by = user
    membership.decided_at = timezone.now()
    membership.decision_note = note
    membership.full_clean()
    membership.save()
    _forget_roles(membership.user)
    return membership
