"""How the demo's records read: fictitious people, mayors' titles and sentence helpers."""

from __future__ import annotations

import datetime as dt
import zlib

from django.utils.text import slugify

from demo import dataset
from partnerships.models import Partner

NORDIC = {"SE", "NO", "DK", "FI"}


def stable(text: str) -> int:
    """A hash that is the same in every process (`hash()` of a str is not)."""
    return zlib.crc32(text.encode())


def person(city: dict, slot: int) -> str:
    """The same fictitious person for the same city and slot, across the whole dataset."""
    phrases = dataset.get().phrases
    pool = phrases.people.get(city["country"], phrases.fallback_people)
    return pool[(stable(city["name"]) + slot) % len(pool)]


def mayor_title(city: dict) -> str:
    if city["country"] == "ZA":
        kind = "Executive Mayor" if city["kind"] == "metro" else "Mayor"
        return f"{kind} of {city['name']}"
    if city["country"] in NORDIC:
        return f"Chair of the Municipal Executive Board, {city['name']}"
    return f"Mayor of {city['name']}"


def signer(partner: Partner) -> tuple[str, str]:
    """Who signs for a city: its (fictitious) mayor."""
    city = dataset.get().city[partner.name]
    return person(city, 0), mayor_title(city)


def email(name: str) -> str:
    words = [w for w in name.split() if w.rstrip(".") not in {"Cllr", "Mr", "Ms", "Dr", "Prof"}]
    return f"{slugify(' '.join(words)).replace('-', '.')}@example.org"


def join(items: list[str]) -> str:
    """ "a", "a and b", "a, b, and c" (the serial comma keeps "x and y" items readable)."""
    items = list(items)
    if len(items) <= 2:
        return " and ".join(items)
    return f"{', '.join(items[:-1])}, and {items[-1]}"


def long_date(d: dt.date) -> str:
    return f"{d.day} {d:%B %Y}"
