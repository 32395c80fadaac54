"""What each measure of a strategy criterion finds in a candidate city: a value from 0 to 1
and the raw fact in words, which the search page shows. The rules, and how the values make the
fit, are in partnerships/suggestions.py."""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from core.formatting import country_name, number
from core.languages import language_name, spoken_languages
from partnerships.models import Partner, StrategyCriterion

Measure = StrategyCriterion.Measure
SIZE = Measure.SIZE.value
SHARED_SECTORS = Measure.SHARED_SECTORS.value
COMPLEMENTARY_SECTORS = Measure.COMPLEMENTARY_SECTORS.value
AREAS = Measure.AREAS.value
TIES = Measure.TIES.value
NORTH_SOUTH = Measure.NORTH_SOUTH.value
DISTANCE = Measure.DISTANCE.value
LANGUAGE = Measure.LANGUAGE.value
JUDGEMENT = Measure.JUDGEMENT.value
# The baseline: each weighs 1 when no criterion measures it.
COMPONENTS = (SIZE, SHARED_SECTORS, COMPLEMENTARY_SECTORS, AREAS, TIES, NORTH_SOUTH)
# Computed, but only when a criterion asks for them.
ON_REQUEST = (DISTANCE, LANGUAGE)
COMPUTED = COMPONENTS + ON_REQUEST
# The distance at which nearness is worth half.
HALF_NEARNESS_KM = 1000


@dataclass(frozen=True)
class City:
    """What the score looks at in a city."""

    pk: int
    name: str
    country: str  # ISO 3166 code
    population: int | None
    global_region: str
    sectors: frozenset[int] = frozenset()
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class Evidence:
    """What the portal's partnerships say about a candidate, beyond its own profile."""

    shared_areas: tuple[str, ...] = ()  # names of this partnership's areas it works on elsewhere
    ties: int = 0  # other cities of the home country in partnership with it


def human_population(n: int) -> str:
    """1_100_000 → '1.1 M', 900_000 → '0.9 M', 45_000 → '45 k'."""
    if n >= 100_000:
        # Translators: a population in millions, e.g. 1.1 M
        return _("%(n)s M") % {"n": number(round(n / 1_000_000, 1), 1)}
    if n >= 1_000:
        # Translators: a population in thousands, e.g. 45 k
        return _("%(n)s k") % {"n": number(round(n / 1_000))}
    return str(n)


EARTH_RADIUS_KM = 6371.0


def distance_km(a: Partner | City, b: Partner | City) -> int | None:
    """The great-circle distance between two cities' coordinates (from the gazetteer), in
    whole kilometres; None when either has none."""
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    lat1, lon1, lat2, lon2 = map(
        math.radians, (float(a.latitude), float(a.longitude), float(b.latitude), float(b.longitude))
    )
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return round(2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h))))


def nearness(km: int | None) -> float:
    """1 next door, ½ at HALF_NEARNESS_KM, ever smaller further away; 0 when unknown."""
    return 0.0 if km is None else 1 / (1 + km / HALF_NEARNESS_KM)


def size_similarity(a: int | None, b: int | None) -> float:
    if not a or not b:
        return 0.0
    return min(a, b) / max(a, b)


@functools.lru_cache(maxsize=512)
def _language_names_in(codes: tuple[str, ...], active: str | None) -> str:
    """The languages' names in the active language (part of the key: the cache must not mix
    them)."""
    return ", ".join(language_name(code) for code in codes)


def language_names(codes: Iterable[str]) -> str:
    return _language_names_in(tuple(codes), get_language())


def sector_list(ids: Iterable[int], sector_names: Mapping[int, str]) -> str:
    return ", ".join(sector_names[i] for i in sorted(ids, key=lambda i: sector_names.get(i, "")))


def measure_city(
    measure: str,
    home: City,
    city: City,
    evidence: Evidence,
    sector_names: Mapping[int, str],
) -> tuple[float, str]:
    """What `measure` finds for `city`: (its value from 0 to 1, the raw fact in words)."""
    if measure == SIZE:
        if not home.population or not city.population:
            return 0.0, _("population unknown")
        return size_similarity(home.population, city.population), _(
            "population %(city)s vs %(home)s"
        ) % {
            "city": human_population(city.population),
            "home": human_population(home.population),
        }
    if measure == SHARED_SECTORS:
        if not home.sectors:
            return 0.0, _("%(home)s lists no sectors") % {"home": home.name}
        shared = city.sectors & home.sectors
        if not shared:
            return 0.0, _("no sector in common")
        return len(shared) / len(home.sectors), ngettext(
            "%(n)s of %(total)s sectors in common: %(sectors)s",
            "%(n)s of %(total)s sectors in common: %(sectors)s",
            len(shared),
        ) % {
            "n": len(shared),
            "total": len(home.sectors),
            "sectors": sector_list(shared, sector_names),
        }
    if measure == COMPLEMENTARY_SECTORS:
        extra = city.sectors - home.sectors
        if not extra:
            return 0.0, _("no sector %(home)s lacks") % {"home": home.name}
        return min(len(extra), 3) / 3, ngettext(
            "%(n)s sector %(home)s lacks: %(sectors)s",
            "%(n)s sectors %(home)s lacks: %(sectors)s",
            len(extra),
        ) % {"n": len(extra), "home": home.name, "sectors": sector_list(extra, sector_names)}
    if measure == AREAS:
        if not evidence.shared_areas:
            return 0.0, _("no other partnership in this partnership's areas")
        return min(len(evidence.shared_areas), 2) / 2, _("cooperates elsewhere on: %(areas)s") % {
            "areas": ", ".join(evidence.shared_areas)
        }
    if measure == TIES:
        if not evidence.ties:
            return 0.0, _("no other city in %(country)s partners with it") % {
                "country": country_name(home.country)
            }
        return min(evidence.ties, 3) / 3, ngettext(
            "%(n)s other city in %(country)s partners with it",
            "%(n)s other cities in %(country)s partner with it",
            evidence.ties,
        ) % {"n": evidence.ties, "country": country_name(home.country)}
    if measure == NORTH_SOUTH:
        regions = Partner.GlobalRegion
        return 1.0 if city.global_region != home.global_region else 0.0, _(
            "%(city)s vs %(home)s"
        ) % {
            "city": regions(city.global_region).label,
            "home": regions(home.global_region).label,
        }
    if measure == DISTANCE:
        km = distance_km(home, city)
        if km is None:
            missing = city if city.latitude is None or city.longitude is None else home
            return 0.0, _("no coordinates for %(city)s") % {"city": missing.name}
        return nearness(km), _("%(km)s km") % {"km": number(km)}
    if measure == LANGUAGE:
        ours, theirs = spoken_languages(home.country), spoken_languages(city.country)
        if not ours or not theirs:
            unknown = home.country if not ours else city.country
            return 0.0, _("the languages of %(country)s are unknown") % {
                "country": country_name(unknown)
            }
        common = [code for code in theirs if code in ours]
        if common:
            return 1.0, _("both %(languages)s") % {"languages": language_names(common)}
        return 0.0, _("%(city)s vs %(home)s") % {
            "city": language_names(theirs),
            "home": language_names(ours),
        }
    return 0.0, ""
