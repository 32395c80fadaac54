"""Reading one data file of `demo/data/` and converting its records field by field.

Every reader (`Record.choice`, `.code`, `.country`, `.integer`…) returns the converted value or
raises DatasetError naming the file, the record and the field, so a mistake in a hand-edited
file is found at once and where it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from enum import Enum
from pathlib import Path
from typing import Any, NoReturn

import yaml
from django.conf import settings
from django_countries import countries

# libyaml's loader when PyYAML was built with it (ten times faster), else the pure-Python one.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


_BARE_WORD_HINT = " (YAML reads bare yes/no/on/off as true/false: put the code in quotes)"


class DatasetError(ValueError):
    """A data file says something the portal would not accept."""


class DataFile:
    """One YAML file: a mapping of exactly the `sections` named, each read through records."""

    def __init__(self, directory: Path, name: str, sections: set[str]):
        self.path = directory / name
        try:
            self.label = str(self.path.relative_to(settings.BASE_DIR))
        except ValueError:
            self.label = str(self.path)
        try:
            with self.path.open(encoding="utf-8") as f:
                self.doc = yaml.load(f, Loader=SafeLoader)
        except (OSError, yaml.YAMLError) as error:
            raise DatasetError(f"{self.label}: {error}") from error
        if not isinstance(self.doc, dict):
            raise DatasetError(f"{self.label}: expected a mapping of sections at the top")
        for name in sorted(set(self.doc) ^ sections):
            problem = "missing" if name in sections else "not a section of this file"
            raise DatasetError(f"{self.label}: section {name!r}: {problem}")

    def section(self, name: str, kind: type = list):
        value = self.doc.get(name)
        if not isinstance(value, kind) or not value:
            raise DatasetError(
                f"{self.label}: section {name!r} is missing or not a non-empty "
                f"{'list' if kind is list else 'mapping'}"
            )
        return value

    def records(self, section: str, key: str, keys: set[str] | None = None) -> list[Record]:
        """The section's records, each named by its `key` field in error messages."""
        found = []
        for i, data in enumerate(self.section(section), start=1):
            if not isinstance(data, dict):
                raise DatasetError(f"{self.label}: {section} #{i}: expected a mapping")
            record = Record(self, f"{section} #{i} ({data.get(key)!r})", data)
            if keys is not None:
                record.keys(keys)
            found.append(record)
        return found

    def unique(self, items: list[dict], key: str, what: str) -> None:
        seen = set()
        for item in items:
            if item[key] in seen:
                raise DatasetError(f"{self.label}: {what} {item[key]!r} appears twice")
            seen.add(item[key])


MISSING = object()


class Record:
    """One record of a file; every reader converts a field or fails naming file, record, field."""

    def __init__(self, file: DataFile, label: str, data: dict):
        self.file, self.label, self.data = file, label, data

    def fail(self, field: str, message: str) -> NoReturn:
        raise DatasetError(f"{self.file.label}: {self.label}, field {field!r}: {message}")

    def keys(self, required: set[str], optional: frozenset[str] = frozenset()) -> None:
        missing = required - set(self.data)
        unknown = set(self.data) - required - optional
        if missing or unknown:
            field = sorted(missing or unknown)[0]
            self.fail(field, "missing" if missing else "not a field of this record")

    def value(self, field: str, given=MISSING):
        """The field's value (or `given`, a value read elsewhere and reported as this field)."""
        if given is not MISSING:
            return given
        if field not in self.data:
            self.fail(field, "missing")
        return self.data[field]

    def text(self, field: str, value=MISSING, *, blank: bool = False) -> str:
        value = self.value(field, value)
        if not isinstance(value, str) or not (blank or value.strip()):
            self.fail(field, f"expected {'a' if blank else 'a non-empty'} text, got {value!r}")
        return value

    def integer(self, field: str, low: int, high: int, value=MISSING) -> int:
        value = self.value(field, value)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(field, f"expected a whole number from {low} to {high}, got {value!r}")
        return value

    def number(self, field: str, low: float | None = None, high: float | None = None):
        value = self.value(field)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(field, f"expected a number, got {value!r}")
        if (low is not None and value < low) or (high is not None and value > high):
            self.fail(field, f"expected a number from {low} to {high}, got {value!r}")
        return value

    def choice(self, field: str, choices: type[Enum], value=MISSING) -> Any:
        """The member of `choices` (a model's TextChoices/IntegerChoices) the code names."""
        value = self.value(field, value)
        if not isinstance(value, bool):
            try:
                return choices(value)
            except ValueError:
                pass
        hint = _BARE_WORD_HINT if isinstance(value, bool) else ""
        if isinstance(value, int | float) and not hint and issubclass(choices, str):
            hint = " (YAML reads a bare 0_6 as a number: put the code in quotes)"
        allowed = ", ".join(str(c.value) for c in choices)
        self.fail(field, f"{value!r} is not one of {choices.__qualname__}: {allowed}{hint}")

    def code(self, field: str, allowed: set[str], what: str, value=MISSING) -> str:
        value = self.value(field, value)
        if not isinstance(value, Hashable) or value not in allowed:
            hint = _BARE_WORD_HINT if isinstance(value, bool) else ""
            if len(allowed) <= 25:  # a list of 50 city names would hide the message
                hint = f" ({', '.join(sorted(allowed))}){hint}"
            self.fail(field, f"{value!r} is not {what}{hint}")
        return value

    def codes(self, field: str, allowed: set[str], what: str, *, empty: bool = False) -> list:
        values = self.value(field)
        if not isinstance(values, list) or not (empty or values):
            self.fail(field, f"expected a {'' if empty else 'non-empty '}list, got {values!r}")
        codes = [self.code(field, allowed, what, value=v) for v in values]
        if len(set(codes)) != len(codes):
            self.fail(field, f"a code appears twice in {values!r}")
        return codes

    def names(self, field: str, cities: set[str], *, empty: bool = False) -> list[str]:
        return self.codes(field, cities, "a city of cities.yaml", empty=empty)

    def country(self, field: str, value=MISSING) -> str:
        value = self.value(field, value)
        if not isinstance(value, str) or countries.alpha2(value) != value:
            hint = _BARE_WORD_HINT if isinstance(value, bool) else ""
            self.fail(field, f"{value!r} is not an ISO 3166-1 alpha-2 country code{hint}")
        return value

    def date(self, field: str) -> dt.date | None:
        value = self.value(field)
        if value is None or isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            self.fail(field, f"expected a date (YYYY-MM-DD) or null, got {value!r}")

    def mapping(self, field: str) -> Record:
        value = self.value(field)
        if not isinstance(value, dict):
            self.fail(field, f"expected a mapping, got {value!r}")
        return Record(self.file, f"{self.label}, {field}", value)
