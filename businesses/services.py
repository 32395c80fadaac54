"""Everything that writes chambers, businesses, interest, leads and outcomes. Each function is
one transaction.

Each function re-checks that `user` may do it (`None` means a trusted caller: a command, a
task, the demo data) and raises `DomainError` (from `partnerships.services`) with a message fit
for a person; field errors come out of `full_clean()` as `ValidationError`, for forms to show
on their fields.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from alliances import permissions as alliance_permissions
from alliances import services as alliance_services
from alliances.models import Grouping, Organisation, SubAlliance
from businesses import imports, matching
from businesses import permissions as perms
from businesses.models import (
    BusinessAssociation,
    BusinessProfile,
    ChamberMembership,
    InterestedBusiness,
    InterestRegistration,
    Need,
    Outcome,
    PartnershipLead,
)
from config import page_cache
from partnerships import permissions as core_permissions
from partnerships import services as core_services
from partnerships.models import (
    Candidate,
    Partner,
    Partnership,
    PartnershipMember,
    Sector,
    Step,
)
from partnerships.services import DomainError

# Partnerships in these statuses take no new interest and count as "no partnership" for leads.
CLOSED_PARTNERSHIP_STATUSES = frozenset({Partnership.Status.ENDED, Partnership.Status.ARCHIVED})


def _forget_roles(user) -> None:
    """Drop the per-request caches of a user's roles after changing them."""
    if user is not None:
        for cache in ("_chamber_roles", "_city_roles"):
            if hasattr(user, cache):
                delattr(user, cache)


# --- Associations and their staff -----------------------------------------------------------


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
    try:
        validate_password(password, user)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    user.set_password(password)
    try:
        user.full_clean()
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    user.save()
    return user


@transaction.atomic
def chamber_membership_decide(
    *, membership: ChamberMembership, user, approve: bool, note: str = ""
) -> ChamberMembership:
    """Approve or reject a pending request to join an association."""
    membership = (
        ChamberMembership.objects.select_for_update()
        .select_related("association__organisation__partner", "user")
        .get(pk=membership.pk)
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


# --- Businesses ------------------------------------------------------------------------------

ORGANISATION_FIELDS = frozenset({"name", "website", "description"})
PROFILE_FIELDS = frozenset(
    {
        "size_band",
        "products_services",
        "export_readiness",
        "contact_name",
        "contact_email",
        "contact_phone",
    }
)


def _require_association_manager(user, association: BusinessAssociation) -> None:
    if user is not None and not perms.can_manage_association(user, association):
        raise DomainError(f"Only approved staff of {association.name} may manage its businesses.")


def _clean_into(errors: dict[str, list[str]], obj, exclude=None, **checks) -> None:
    """`full_clean` one of the two rows of a business, gathering its field errors. The
    organisation's row-level errors (its unique name per city) concern its name field."""
    try:
        obj.full_clean(exclude=exclude, **checks)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            if field == NON_FIELD_ERRORS and isinstance(obj, Organisation):
                field = "name"
            errors.setdefault(field, []).extend(messages)


@dataclass
class _NewBusiness:
    """The unsaved rows of one new business and its many-to-many lists."""

    organisation: Organisation
    profile: BusinessProfile
    sectors: list[Sector]
    seeks: list[Need]
    offers: list[Need]

    def validate(self, *, trusted: bool = False) -> None:
        """Field errors of both rows, as one ValidationError. `trusted` (the import) skips the
        checks that ask the database: the foreign keys it set itself, and the unique name it
        checked in memory (the database constraint still guards it)."""
        errors: dict[str, list[str]] = {}
        if trusted:
            _clean_into(
                errors,
                self.organisation,
                exclude=["partner", "created_by"],
                validate_constraints=False,
            )
            _clean_into(
                errors,
                self.profile,
                exclude=["organisation", "association", "created_by"],
                validate_unique=False,
            )
        else:
            _clean_into(errors, self.organisation)
            _clean_into(errors, self.profile, exclude=["organisation"])
        if errors:
            raise ValidationError(errors)

    def save(self) -> BusinessProfile:
        self.organisation.save()
        self.profile.organisation = self.organisation
        self.profile.save()
        _save_lists([self])
        return self.profile


def _new_business(
    *,
    association: BusinessAssociation,
    user,
    name: str,
    size_band: str,
    sectors: Iterable[Sector] = (),
    seeks: Iterable[Need] = (),
    offers: Iterable[Need] = (),
    website: str = "",
    description: str = "",
    **profile_fields,
) -> _NewBusiness:
    organisation = Organisation(
        kind=Organisation.Kind.BUSINESS,
        partner_id=association.organisation.partner_id,
        name=name,
        website=website,
        description=description,
        created_by=user,
    )
    profile = BusinessProfile(
        organisation=organisation,
        association=association,
        size_band=size_band,
        created_by=user,
        **profile_fields,
    )
    return _NewBusiness(organisation, profile, list(sectors), list(seeks), list(offers))


def _save_lists(businesses: Sequence[_NewBusiness]) -> None:
    """The sectors, seeks and offers of saved businesses: three inserts for all of them."""
    SectorLink = Organisation.sectors.through
    SeekLink, OfferLink = BusinessProfile.seeks.through, BusinessProfile.offers.through
    SectorLink.objects.bulk_create(
        SectorLink(organisation_id=b.organisation.pk, sector_id=s.pk)
        for b in businesses
        for s in b.sectors
    )
    SeekLink.objects.bulk_create(
        SeekLink(businessprofile_id=b.profile.pk, need_id=n.pk) for b in businesses for n in b.seeks
    )
    OfferLink.objects.bulk_create(
        OfferLink(businessprofile_id=b.profile.pk, need_id=n.pk)
        for b in businesses
        for n in b.offers
    )


def _save_batch(batch: Sequence[_NewBusiness]) -> None:
    """Insert validated businesses a few queries per batch (their primary keys come back from
    the insert on PostgreSQL and SQLite ≥ 3.35)."""
    Organisation.objects.bulk_create([b.organisation for b in batch])
    for b in batch:
        b.profile.organisation = b.organisation
    BusinessProfile.objects.bulk_create([b.profile for b in batch])
    _save_lists(batch)
    page_cache.bump()  # bulk_create sends no signal; matchmaking shows these businesses


@transaction.atomic
def business_create(
    *,
    association: BusinessAssociation,
    user,
    name: str,
    size_band: str,
    sectors: Iterable[Sector] = (),
    seeks: Iterable[Need] = (),
    offers: Iterable[Need] = (),
    **fields,
) -> BusinessProfile:
    """A member business of the association, in the association's city. The same business
    (name, whatever its case, + city) is never created twice: that is a field error on name."""
    _require_association_manager(user, association)
    unknown = set(fields) - ORGANISATION_FIELDS - PROFILE_FIELDS
    if unknown:
        raise DomainError("Unknown business fields: " + ", ".join(sorted(unknown)))
    business = _new_business(
        association=association,
        user=user,
        name=name,
        size_band=size_band,
        sectors=sectors,
        seeks=seeks,
        offers=offers,
        **fields,
    )
    business.validate()
    return business.save()


@transaction.atomic
def business_update(
    *,
    business: BusinessProfile,
    user,
    sectors: Iterable[Sector] | None = None,
    seeks: Iterable[Need] | None = None,
    offers: Iterable[Need] | None = None,
    **fields,
) -> BusinessProfile:
    """Change a business's profile (not its association or city)."""
    unknown = set(fields) - ORGANISATION_FIELDS - PROFILE_FIELDS
    if unknown:
        raise DomainError("These fields cannot be changed here: " + ", ".join(sorted(unknown)))
    business = (
        BusinessProfile.objects.select_for_update()
        .select_related("organisation", "association__organisation")
        .get(pk=business.pk)
    )
    _require_association_manager(user, business.association)
    organisation = business.organisation
    for name, value in fields.items():
        setattr(organisation if name in ORGANISATION_FIELDS else business, name, value)
    errors: dict[str, list[str]] = {}
    _clean_into(errors, organisation)
    _clean_into(errors, business)
    if errors:
        raise ValidationError(errors)
    organisation.save()
    business.save()
    if sectors is not None:
        organisation.sectors.set(sectors)
    if seeks is not None:
        business.seeks.set(seeks)
    if offers is not None:
        business.offers.set(offers)
    return business


IMPORT_BATCH_SIZE = 500


@transaction.atomic
def businesses_import_csv(*, file, association: BusinessAssociation, user) -> imports.ImportReport:
    """Import member businesses from a CSV file (see `businesses.imports` for the format).

    Good rows are saved, bad rows are reported one by one with the reason, nothing is
    silently dropped. A business already registered (same name, whatever its case, in the
    association's city) is reported as "already exists" and left unchanged: an import adds
    businesses, it never overwrites a profile someone has since edited in the portal. Problems
    with the file as a whole (not UTF-8 at all, header, size) raise `DomainError` and import
    nothing.

    Every row is judged in Python first (values, duplicates, model validation), so the rows
    left are saved in batches of IMPORT_BATCH_SIZE, each in a savepoint: a few queries per
    batch, so that 5,000 rows fit in a web request. Should the database still refuse a batch
    (someone registered one of its businesses meanwhile), that batch is saved again row by row,
    each in its own savepoint, so that a bad row never blocks the good ones.
    """
    _require_association_manager(user, association)
    parsed = imports.parse_business_csv(file)
    city_id = association.organisation.partner_id
    existing = {
        name.lower()
        for name in Organisation.objects.filter(partner_id=city_id).values_list("name", flat=True)
    }
    report = imports.ImportReport(rows=parsed.rows, warnings=list(parsed.warnings))
    queued: list[tuple[imports.RowResult, _NewBusiness]] = []
    first_line: dict[str, int] = {}
    for row in parsed.rows:
        if row.status is not None:  # refused or skipped while parsing
            continue
        key = row.values["name"].lower()
        if key in existing:
            row.refuse(imports.RowStatus.EXISTS, "Already registered in this city: left unchanged.")
            continue
        if key in first_line:
            row.refuse(
                imports.RowStatus.DUPLICATE,
                f"Same business as line {first_line[key]}: not imported twice.",
            )
            continue
        business = _new_business(association=association, user=user, **row.values)
        try:
            business.validate(trusted=True)
        except ValidationError as exc:
            row.refuse(imports.RowStatus.REFUSED, imports.describe(exc))
            continue
        first_line[key] = row.line
        queued.append((row, business))
    for start in range(0, len(queued), IMPORT_BATCH_SIZE):
        _import_batch(queued[start : start + IMPORT_BATCH_SIZE])
    return report


def _import_batch(batch: list[tuple[imports.RowResult, _NewBusiness]]) -> None:
    try:
        with transaction.atomic():
            _save_batch([business for _, business in batch])
    except IntegrityError:
        for row, business in batch:
            business.organisation.pk = business.profile.pk = None
            try:
                with transaction.atomic():
                    business.save()
            except IntegrityError:
                row.refuse(
                    imports.RowStatus.EXISTS,
                    "Already registered in this city (saved meanwhile): left unchanged.",
                )
            else:
                row.created(business.profile.pk)
    else:
        for row, business in batch:
            row.created(business.profile.pk)


# --- Interest in a partnership ---------------------------------------------------------------


@transaction.atomic
def interest_register(
    *,
    association: BusinessAssociation,
    partnership: Partnership,
    user,
    businesses: Sequence[BusinessProfile],
    objectives: str,
    sectors: Iterable[Sector] = (),
    offers: str = "",
    seeks: str = "",
    timeframe: str = InterestRegistration.Timeframe.OPEN,
) -> InterestRegistration:
    """Register member businesses' interest in a partnership: published, or one of the
    association's own city. The same business's interest in the same partnership is refused
    while an earlier registration of it stands (pending, accepted or declined)."""
    if user is not None and not (
        core_permissions.is_admin(user) or perms.is_staff_of(user, association)
    ):
        raise DomainError(f"Only approved staff of {association.name} may register its interest.")
    own_city = association.organisation.partner_id
    if not (partnership.published or own_city in core_permissions.member_city_ids(partnership)):
        raise DomainError(
            "Interest can be registered in published partnerships and in those of your own city."
        )
    if partnership.status in CLOSED_PARTNERSHIP_STATUSES:
        raise DomainError(
            f"This partnership is {partnership.get_status_display().lower()}: it takes no new "
            "interest."
        )
    chosen = list({b.pk: b for b in businesses}.values())
    if not chosen:
        raise ValidationError({"businesses": "Choose at least one member business."})
    strangers = [b.name for b in chosen if b.association_id != association.pk]
    if strangers:
        raise DomainError(
            f"Only {association.name}'s own member businesses can be registered: "
            + ", ".join(strangers)
            + "."
        )
    earlier = list(
        InterestedBusiness.objects.filter(
            partnership=partnership, business__in=chosen, withdrawn=False
        )
        .select_related("business__organisation", "registration")
        .order_by("business__organisation__name")
    )
    if earlier:
        raise DomainError(
            "The same interest cannot be registered twice; already registered in this partnership:",
            [
                f"{e.business.name} ({e.registration.get_status_display().lower()}, "
                f"registered {timezone.localtime(e.registration.created_at):%d %b %Y})"
                for e in earlier
            ],
        )
    registration = InterestRegistration(
        association=association,
        partnership=partnership,
        objectives=objectives,
        offers=offers,
        seeks=seeks,
        timeframe=timeframe,
        created_by=user,
    )
    registration.full_clean()
    registration.save()
    if sectors:
        registration.sectors.set(sectors)
    try:
        with transaction.atomic():
            InterestedBusiness.objects.bulk_create(
                InterestedBusiness(registration=registration, business=b, partnership=partnership)
                for b in chosen
            )
    except IntegrityError as exc:
        raise DomainError(
            "Someone registered the interest of one of these businesses meanwhile; reload to "
            "see it."
        ) from exc
    return registration


@transaction.atomic
def interest_decide(
    *, registration: InterestRegistration, user, accept: bool, message: str = ""
) -> InterestRegistration:
    """An officer of a member city accepts or declines a pending registration, with a message
    the chamber sees (required when declining)."""
    registration = (
        InterestRegistration.objects.select_for_update()
        .select_related("partnership")
        .get(pk=registration.pk)
    )
    if user is not None and not perms.can_decide_interest(user, registration):
        raise DomainError("Only officers of the partner cities may decide on this interest.")
    if registration.status != InterestRegistration.Status.PENDING:
        raise DomainError(
            f"This registration is already {registration.get_status_display().lower()}."
        )
    registration.status = (
        InterestRegistration.Status.ACCEPTED if accept else InterestRegistration.Status.DECLINED
    )
    registration.officer_message = message.strip()
    registration.decided_by = user
    registration.decided_at = timezone.now()
    registration.full_clean()
    registration.save()
    return registration


@transaction.atomic
def interest_withdraw(*, registration: InterestRegistration, user) -> InterestRegistration:
    """The chamber withdraws a pending or accepted registration; its businesses may then
    register interest in the partnership again."""
    registration = InterestRegistration.objects.select_for_update().get(pk=registration.pk)
    if user is not None and not perms.can_withdraw_interest(user, registration):
        raise DomainError("Only the registering association's staff may withdraw it.")
    if registration.status not in (
        InterestRegistration.Status.PENDING,
        InterestRegistration.Status.ACCEPTED,
    ):
        raise DomainError(
            f"This registration is {registration.get_status_display().lower()}: there is "
            "nothing to withdraw."
        )
    registration.status = InterestRegistration.Status.WITHDRAWN
    registration.save(update_fields=["status"])
    InterestedBusiness.objects.filter(registration=registration).update(withdrawn=True)
    return registration


# --- Leads for new partnerships --------------------------------------------------------------


def partnered_city_ids(partner_id: int) -> set[int]:
    """Cities that `partner_id` has a partnership with, not ended or archived (one query)."""
    return set(
        PartnershipMember.objects.filter(partnership__members__partner_id=partner_id)
        .exclude(partnership__status__in=CLOSED_PARTNERSHIP_STATUSES)
        .exclude(partner_id=partner_id)
        .values_list("partner_id", flat=True)
    )


@transaction.atomic
def lead_propose(
    *, association: BusinessAssociation, user, target: Partner, rationale: str
) -> PartnershipLead:
    """Propose a partnership between the association's city and a city it has none with. The
    lead reaches the officers of the association's city, for their search step."""
    if user is not None and not (
        core_permissions.is_admin(user) or perms.is_staff_of(user, association)
    ):
        raise DomainError(f"Only approved staff of {association.name} may propose partnerships.")
    home = association.organisation.partner
    if target.pk == home.pk:
        raise DomainError(f"{home.name} is your own city.")
    if target.pk in partnered_city_ids(home.pk):
        raise DomainError(
            f"{home.name} already has a partnership with {target.name}: register your "
            "businesses' interest in it instead."
        )
    if PartnershipLead.objects.filter(
        home=home, target=target, status=PartnershipLead.Status.NEW
    ).exists():
        raise DomainError(
            f"A proposal of {target.name} is already waiting for the officers of {home.name}."
        )
    lead = PartnershipLead(
        association=association, home=home, target=target, rationale=rationale, created_by=user
    )
    lead.full_clean()
    lead.save()
    return lead


def _lock_new_lead(lead: PartnershipLead, user) -> PartnershipLead:
    lead = (
        PartnershipLead.objects.select_for_update()
        .select_related("association__organisation", "home", "target")
        .get(pk=lead.pk)
    )
    if user is not None and not perms.can_decide_lead(user, lead):
        raise DomainError(f"Only officers of {lead.home.name} may act on this proposal.")
    if lead.status != PartnershipLead.Status.NEW:
        raise DomainError(f"This proposal was already {lead.get_status_display().lower()}.")
    return lead


@transaction.atomic
def lead_take_up(*, lead: PartnershipLead, partnership: Partnership, user) -> Candidate:
    """Take a lead up as a candidate (source: chamber) on one of the home city's partnerships
    in the search step."""
    lead = _lock_new_lead(lead, user)
    if not partnership.members.filter(partner_id=lead.home_id).exists():
        raise DomainError(f"Choose a partnership of {lead.home.name}.")
    if user is not None and not core_permissions.can_edit_partnership(user, partnership):
        raise DomainError("You may not change this partnership.")
    if partnership.step != Step.SEARCH:
        raise DomainError(
            f"“{partnership.title}” is at the step “{partnership.step_label}”: a proposal "
            "becomes a candidate in the search step."
        )
    try:
        candidate = core_services.candidate_add(
            partnership=partnership,
            partner=lead.target,
            rationale=f"Proposed by {lead.association.name}: {lead.rationale}",
            user=user,
            source=Candidate.Source.CHAMBER,
        )
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from exc
    lead.status = PartnershipLead.Status.TAKEN_UP
    lead.candidate = candidate
    lead.decided_by = user
    lead.decided_at = timezone.now()
    lead.save(update_fields=["status", "candidate", "decided_by", "decided_at"])
    return candidate


@transaction.atomic
def lead_decline(*, lead: PartnershipLead, user, message: str) -> PartnershipLead:
    """Decline a proposal, telling the chamber why."""
    lead = _lock_new_lead(lead, user)
    if not (message or "").strip():
        raise ValidationError({"officer_message": "Tell the chamber why the proposal is declined."})
    lead.status = PartnershipLead.Status.DECLINED
    lead.officer_message = message.strip()
    lead.decided_by = user
    lead.decided_at = timezone.now()
    lead.save(update_fields=["status", "officer_message", "decided_by", "decided_at"])
    return lead


# --- Outcomes of business sub-alliances ------------------------------------------------------

OUTCOME_GROUPINGS = frozenset({Grouping.BUSINESS, Grouping.MIXED})


@transaction.atomic
def outcome_record(
    *,
    sub_alliance: SubAlliance,
    user,
    kind: str,
    amount: Decimal | int | str,
    currency: str = "",
    occurred_on: dt.date | None = None,
    partner: Partner | None = None,
    note: str = "",
) -> Outcome:
    """Record an economic result of a business (or mixed) sub-alliance: a count, or a sum of
    money with its currency, on the date it happened (not in the future)."""
    partnership = sub_alliance.partnership
    if user is not None and not alliance_permissions.can_manage_sub_alliances(user, partnership):
        raise DomainError("Only officers of the partner cities may record its outcomes.")
    if sub_alliance.grouping not in OUTCOME_GROUPINGS:
        raise DomainError(
            "Economic outcomes are recorded for business (or mixed) sub-alliances; this one is "
            f"{sub_alliance.get_grouping_display().lower()}."
        )
    occurred_on = occurred_on or timezone.localdate()
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": "Record a result once it has happened."})
    if partner is not None and not sub_alliance.parties.filter(partner=partner).exists():
        raise DomainError(f"{partner.name} is not a side of this sub-alliance.")
    outcome = Outcome(
        sub_alliance=sub_alliance,
        kind=kind,
        amount=amount,
        currency=currency,
        occurred_on=occurred_on,
        partner=partner,
        note=note,
        recorded_by=user,
    )
    outcome.full_clean()
    outcome.save()
    return outcome


# --- Matchmaking -----------------------------------------------------------------------------


@transaction.atomic
def matchmaking_to_sub_alliance(
    *,
    partnership: Partnership,
    first: BusinessProfile,
    second: BusinessProfile,
    user,
    form: str = SubAlliance.Form.PARTNERSHIP,
    name: str = "",
    started_on: dt.date | None = None,
) -> SubAlliance:
    """Turn a matchmaking suggestion into a bilateral, external business sub-alliance in one
    step: the pair is scored again (so a stale page cannot form a pair that no longer
    matches), and the direction, roles and reasons come from the suggestion."""
    if user is not None and not alliance_permissions.can_manage_sub_alliances(user, partnership):
        raise DomainError("Only officers of the partner cities may form its sub-alliances.")
    suggestion = matching.evaluate_pair(partnership, first, second)
    if suggestion is None:
        raise DomainError(
            f"{first.name} and {second.name} are not (or no longer) a suggested match in this "
            "partnership: form the sub-alliance by hand if you still want it."
        )
    together = SubAlliance.objects.filter(
        Q(parties__organisation_id=first.organisation_id),
        partnership=partnership,
    ).filter(parties__organisation_id=second.organisation_id)
    if together.exclude(status=SubAlliance.Status.ENDED).exists():
        raise DomainError(f"{first.name} and {second.name} are already in a sub-alliance here.")
    roles = {}
    if suggestion.supplier is not None:
        roles = {
            suggestion.supplier.organisation_id: "supplier",
            suggestion.buyer.organisation_id: "buyer",
        }
    return alliance_services.sub_alliance_create(
        partnership=partnership,
        user=user,
        name=name or f"{first.name} – {second.name}",
        purpose="Formed from a matchmaking suggestion. " + " ".join(suggestion.reasons),
        grouping=Grouping.BUSINESS,
        form=form,
        organisations=[suggestion.first.organisation, suggestion.second.organisation],
        roles=roles,
        linkage_scope=SubAlliance.LinkageScope.BILATERAL,
        linkage_locus=SubAlliance.LinkageLocus.EXTERNAL,
        linkage_direction=suggestion.direction,
        started_on=started_on,
    )
