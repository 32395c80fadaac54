"""A chamber's member businesses: adding, changing and importing them from a spreadsheet."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from alliances.models import Organisation
from businesses import imports
from businesses import permissions as perms
from businesses.models import (
    BusinessAssociation,
    BusinessProfile,
    Need,
)
from core import page_cache
from core.errors import DomainError
from core.services import lock
from partnerships.models import (
    Sector,
)

ORGANISATION_FIELDS = frozenset({"name", "website", "description"})


PROFILE_FIELDS = frozenset(
    {
        "size_band",
        "products_services",
        "products_sought",
        "chain_position",
        "markets_sought",
        "export_readiness",
        "contact_name",
        "contact_email",
        "contact_phone",
    }
)


def _require_association_manager(user, association: BusinessAssociation) -> None:
    if user is not None and not perms.can_manage_association(user, association):
        raise DomainError(
            _("Only approved staff of %(association)s may manage its businesses.")
            % {"association": association.name}
        )


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
        raise DomainError(
            _("Unknown business fields: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
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
        raise DomainError(
            _("These fields cannot be changed here: %(names)s")
            % {"names": ", ".join(sorted(unknown))}
        )
    business = lock(
        BusinessProfile, business.pk, related=["organisation", "association__organisation"]
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
            row.refuse(
                imports.RowStatus.EXISTS, _("Already registered in this city: left unchanged.")
            )
            continue
        if key in first_line:
            row.refuse(
                imports.RowStatus.DUPLICATE,
                _("Same business as line %(line)s: not imported twice.")
                % {"line": first_line[key]},
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
                    _("Already registered in this city (saved meanwhile): left unchanged."),
                )
            else:
                row.created(business.profile.pk)
    else:
        for row, business in batch:
            row.created(business.profile.pk)
