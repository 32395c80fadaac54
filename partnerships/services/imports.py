"""Importing partner cities into the shared directory (the reports page's upload)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import DomainError
from partnerships import permissions
from partnerships.models import (
    CityMembership,
    Partner,
)


def may_import_partner_cities(user) -> bool:
    """Admins and coordinators (of any city) keep the shared directory of partner cities."""
    return permissions.is_admin(user) or (
        CityMembership.Role.COORDINATOR in permissions.city_roles(user).values()
    )


@transaction.atomic
def partner_city_upsert(
    *, user, name: str, province: str, country: str, sector_ids=None, **fields
) -> tuple[str, Partner]:
    """Create the city, or update the one with this name, province and country (case
    ignored). Only the values given are set: a blank cell leaves the stored value alone.
    Returns ("created" | "updated" | "unchanged", city). One transaction (a savepoint when
    called inside an import), so a refused row leaves nothing behind."""
    if not may_import_partner_cities(user):
        raise DomainError(_("Only coordinators and admins may import partner cities."))
    partner = (
        Partner.objects.select_for_update()
        .filter(name__iexact=name, province__iexact=province, country=country)
        .first()
    )
    created = partner is None
    if created:
        partner = Partner(name=name, province=province, country=country)
    changed = False
    for field_name, value in fields.items():
        if value is None or value == "":
            continue
        if getattr(partner, field_name) != value:
            setattr(partner, field_name, value)
            changed = True
    if created or changed:
        partner.full_clean()
        partner.save()
    if sector_ids:
        current = set(partner.sectors.values_list("pk", flat=True)) if not created else set()
        if current != set(sector_ids):
            partner.sectors.set(sector_ids)
            changed = True
    return ("created" if created else "updated" if changed else "unchanged"), partner
