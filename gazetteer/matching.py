"""Finding the gazetteer's place for a city known only by its name, province and country.

Used by the migration that gives existing partner cities their GeoNames id and by
`manage.py match_cities`. Both read the bundled data directly (gazetteer.source), since the
place table may be empty when migrations run.

A city matches a place of its country that has the city's name among its names (main or
alternate, compared by search key: "eThekwini" finds Durban). Among several, those in the
city's province win (when any is), then those whose main name it is, then the most populous.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from gazetteer import source
from gazetteer.names import search_key


@dataclass(frozen=True)
class Candidate:
    geonameid: int
    name: str
    country: str
    region: str
    latitude: float
    longitude: float
    population: int
    main: bool  # the city's name is the place's main name, not one of its alternates

    def __str__(self) -> str:
        return f"{self.name}, {self.region or '?'}, {self.country} (GeoNames {self.geonameid})"


class Index:
    """Places by (country, search key of one of their names), for the countries asked for."""

    def __init__(self, records: Iterable[dict], countries: Iterable[str]):
        wanted = set(countries)
        self._by_key: dict[tuple[str, str], list[tuple[dict, bool]]] = defaultdict(list)
        for record in records:
            country = record["countrycode"]
            if country not in wanted:
                continue
            main_key = search_key(record["name"])
            keys = {main_key} | {search_key(n) for n in record.get("alternatenames") or ()}
            for key in keys - {""}:
                self._by_key[(country, key)].append((record, key == main_key))

    def candidates(self, name: str, country: str) -> list[Candidate]:
        return [
            Candidate(
                geonameid=int(r["geonameid"]),
                name=r["name"],
                country=r["countrycode"],
                region=source.region_of(r["countrycode"], r.get("admin1code") or ""),
                latitude=float(r["latitude"]),
                longitude=float(r["longitude"]),
                population=int(r.get("population") or 0),
                main=main,
            )
            for r, main in self._by_key.get((country, search_key(name)), [])
        ]


def best_match(index: Index, name: str, province: str, country: str) -> Candidate | None:
    """The place a city (name, province, country code) most likely is, or None."""
    found = index.candidates(name, country)
    if province:
        in_province = [c for c in found if search_key(c.region) == search_key(province)]
        found = in_province or found
    found = [c for c in found if c.main] or found
    return max(found, key=lambda c: (c.population, -c.geonameid), default=None)


def index_for(countries: Iterable[str], records: Iterable[dict] | None = None) -> Index:
    return Index(source.cities() if records is None else records, countries)
