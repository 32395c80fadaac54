"""Business associations (chambers) and their staff: creating one, signing up, deciding."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.services import account_save_new
from alliances import permissions as alliance_permissions
from alliances import services as alliance_services
from alliances.models import Organisation
from businesses import notify, selectors
from businesses import permissions as perms
from businesses.models import (
    BusinessAssociation,
    ChamberMembership,
)
from businesses.services.common import _forget_roles
from core.errors import DomainError
from core.services import lock
from gazetteer.models import Place
from partnerships import permissions as core_permissions
from partnerships.models import (
    Partner,
)
from partnerships.services.places import partner_city_add


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
        raise DomainError(
            _("Only officers of %(partner)s may register its associations.")
            % {"partner": partner.name}
        )
    if organisation is None:
        organisation = alliance_services.organisation_create(
            user=user,
            partner=partner,
            kind=Organisation.Kind.CHAMBER,
            name=name,
            **organisation_fields,
        )
    elif organisation.partner_id != partner.pk:
        raise DomainError(
            _("%(organisation)s is not in %(partner)s.")
            % {"organisation": organisation.name, "partner": partner.name}
        )
    elif BusinessAssociation.objects.filter(organisation=organisation).exists():
        raise DomainError(
            _("%(organisation)s is already registered as an association.")
            % {"organisation": organisation.name}
        )
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
    """Ask to join a listed association as its staff: a pending membership, for the signed-in
    `user` or for a new account made from the other arguments.

    The account can sign in at once (it is an active Django user) but, while its membership is
    pending, may only see its status (`permissions.is_pending_chamber`). An officer of the
    association's city, or an admin where the city has none, decides
    (`chamber_membership_decide`); they are told (`notify.signup_requested`). A rejected
    request may be made again: it becomes pending once more.
    """
    if association.status != BusinessAssociation.Status.LISTED:
        raise DomainError(
            _(
                "%(association)s is not a listed association: choose one from the "
                "list, or propose yours as not listed."
            )
            % {"association": association.name}
        )
    user = _applicant(
        user,
        username=username,
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        job_title=job_title,
    )
    return _ask_to_join(user, association)


@transaction.atomic
def chamber_propose(
    *,
    name: str,
    geonameid: int | None,
    contact_name: str,
    website: str = "",
    user=None,
    username: str = "",
    email: str = "",
    password: str = "",
    first_name: str = "",
    last_name: str = "",
    job_title: str = "",
) -> ChamberMembership:
    """Sign up for a chamber that is not listed: propose it (`name`, its city as the
    gazetteer's place `geonameid`, `website`, `contact_name`) and ask to join it, in one go.

    Makes (or finds) the city of the place, the chamber's organisation, its association with
    the status "proposed", and the pending membership; deciding that membership decides the
    association too (`chamber_membership_decide`). A chamber of the same name in that city is
    refused, pointing to it (a listed one is chosen from the list); a rejected proposal of the
    same name is proposed again. All or nothing: any refusal saves none of it.
    """
    name = " ".join((name or "").split())
    contact_name = " ".join((contact_name or "").split())
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give your chamber's name.")]
    if not contact_name:
        errors["contact_name"] = [
            _("Name a contact person the officers can ask about the chamber.")
        ]
    place = Place.objects.filter(pk=geonameid).first() if geonameid else None
    if place is None:
        errors["place"] = [_("Choose your chamber's city among the places found.")]
    if errors:
        # The account's own problems are said together with these (nothing is saved).
        if user is None or not user.is_authenticated:
            try:
                _applicant(
                    None,
                    username=username,
                    email=email,
                    password=password,
                    first_name=first_name,
                    last_name=last_name,
                    job_title=job_title,
                )
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    errors.setdefault(field, []).extend(messages)
        raise ValidationError(errors)
    user = _applicant(
        user,
        username=username,
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        job_title=job_title,
    )
    city, _created = partner_city_add(geonameid=place.pk, user=None)
    namesake = (
        Organisation.objects.select_for_update(of=("self",))
        .filter(partner=city, name__iexact=name)
        .select_related("association")
        .first()
    )
    association = getattr(namesake, "association", None) if namesake else None
    if namesake is None:
        try:
            with transaction.atomic():
                organisation = alliance_services.organisation_create(
                    user=None,
                    partner=city,
                    kind=Organisation.Kind.CHAMBER,
                    name=name,
                    website=website,
                )
        except IntegrityError as exc:  # the same name, proposed by someone a moment ago
            raise DomainError(
                _(
                    "%(name)s (%(city)s) was proposed a moment ago: reload the page and "
                    "choose it, or wait for its decision."
                )
                % {"name": name, "city": city.name}
            ) from exc
        association = BusinessAssociation(organisation=organisation)
    elif association is None:
        if namesake.kind != Organisation.Kind.CHAMBER:
            raise ValidationError(
                {
                    "name": [
                        _(
                            "%(name)s is already in %(city)s as a %(kind)s: give your "
                            "chamber's full name."
                        )
                        % {
                            "name": namesake.name,
                            "city": city.name,
                            "kind": namesake.get_kind_display().lower(),
                        }
                    ]
                }
            )
        association = BusinessAssociation(organisation=namesake)
    elif association.status == BusinessAssociation.Status.LISTED:
        raise DomainError(
            _(
                "%(association)s (%(city)s) is listed already: choose it from the "
                "list instead of proposing it."
            )
            % {"association": association.name, "city": city.name}
        )
    elif association.status == BusinessAssociation.Status.PROPOSED:
        raise DomainError(
            _(
                "%(association)s (%(city)s) was proposed already and waits for a "
                "decision; you can ask to join it once it is listed."
            )
            % {"association": association.name, "city": city.name}
        )
    else:  # proposed before and not accepted: proposed again
        association = lock(BusinessAssociation, association.pk, related=["organisation"])
    if website and not association.organisation.website:
        association.organisation.website = website
        association.organisation.full_clean()
        association.organisation.save(update_fields=["website", "updated_at"])
    association.status = BusinessAssociation.Status.PROPOSED
    association.contact_name = contact_name
    association.proposed_by = user
    association.full_clean()
    try:
        with transaction.atomic():
            association.save()
    except IntegrityError as exc:  # its organisation registered a moment ago by someone else
        raise DomainError(
            _("%(name)s (%(city)s) was registered a moment ago: reload the page and choose it.")
            % {"name": name, "city": city.name}
        ) from exc
    return _ask_to_join(user, association)


def _applicant(user, **account):
    """The signed-in `user` (not an officer or admin), or a new account made of `account`."""
    if user is None or not user.is_authenticated:
        return _new_account(**account)
    if core_permissions.is_admin(user) or core_permissions.is_officer(user):
        raise DomainError(
            _("You work for a city in the portal; chamber staff need an account of their own.")
        )
    return user


def _ask_to_join(user, association: BusinessAssociation) -> ChamberMembership:
    membership = (
        ChamberMembership.objects.select_for_update()
        .filter(user=user, association=association)
        .first()
    )
    if membership is None:
        membership = ChamberMembership(user=user, association=association)
    elif membership.status == ChamberMembership.Status.PENDING:
        raise DomainError(
            _("You have already asked to join %(association)s; %(deciders_label)s will decide.")
            % {
                "association": association.name,
                "deciders_label": selectors.deciders_label(association),
            }
        )
    elif membership.status == ChamberMembership.Status.APPROVED:
        raise DomainError(
            _("You are already staff of %(association)s.") % {"association": association.name}
        )
    else:
        membership.status = ChamberMembership.Status.PENDING
        membership.decided_by, membership.decided_at, membership.decision_note = None, None, ""
    membership.full_clean()
    membership.save()
    _forget_roles(user)
    notify.signup_requested(membership)
    return membership


def _new_account(
    *, username: str, email: str, password: str, first_name: str, last_name: str, job_title: str
):
    User = get_user_model()
    email = (email or "").strip()
    errors: dict[str, list[str]] = {}
    if not email:
        errors["email"] = [_("Give your work email address.")]
    elif User.objects.filter(email__iexact=email).exists():
        errors["email"] = [
            _("An account with this email address exists: sign in and ask to join from it.")
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
            _("Only an officer of %(city)s or an admin may decide who works for %(association)s.")
            % {"city": city, "association": membership.association.name}
        )
    if membership.status != ChamberMembership.Status.PENDING:
        raise DomainError(
            _("This request was already %(status)s on %(date)s.")
            % {
                "status": membership.get_status_display().lower(),
                "date": date_format(timezone.localtime(membership.decided_at), "d M Y"),
            }
        )
    membership.status = (
        ChamberMembership.Status.APPROVED if approve else ChamberMembership.Status.REJECTED
    )
    membership.decided_by = user
    membership.decided_at = timezone.now()
    membership.decision_note = note
    membership.full_clean()
    membership.save()
    association = membership.association
    if association.status == BusinessAssociation.Status.PROPOSED:
        # The association proposed at sign-up is decided with its proposer's request.
        association.status = (
            BusinessAssociation.Status.LISTED if approve else BusinessAssociation.Status.REJECTED
        )
        association.save(update_fields=["status"])
    _forget_roles(membership.user)
    notify.signup_decided(membership)
    return membership
