"""How dates, numbers and countries read everywhere a person reads them: pages, e-mails,
exports' text cells and the dossier. Django's own formats (`date_format`, `number_format`), so
the active language's conventions apply; never string formatting by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.formats import date_format, number_format
from django.utils.translation import get_language, gettext
from django_countries import countries

# The active language's named formats (English: config/formats/en/formats.py).
SHORT_DATE = "SHORT_DATE_FORMAT"  # 3 Sep 2026, 2026年9月3日, 03.09.2026
LONG_DATE = "DATE_FORMAT"  # 3 September 2026, 2026年9月3日, 3. September 2026


def day(value: dt.date | dt.datetime | None, default: str = "") -> str:
    """A date as "3 Sep 2026" (the active language's month names)."""
    return date_format(value, SHORT_DATE) if value else default


def long_day(value: dt.date | dt.datetime | None, default: str = "") -> str:
    """A date as "3 September 2026"."""
    return date_format(value, LONG_DATE) if value else default


def number(value: int | float | Decimal | None, decimals: int | None = None, default="") -> str:
    """A number with thousands grouped ("1,234,567"), `decimals` places when given."""
    if value is None:
        return default
    return number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


# Country names by (language, code): django-countries looks a name up and translates it anew on
# every call (20 µs), and a page of the list shows dozens. The names never change while the
# process runs.
_COUNTRY_NAMES: dict[tuple[str | None, str], str] = {}


def country_name(code) -> str:
    """A country's name in the active language, from its code or a `Country`; the code itself
    for a code django-countries does not know."""
    code = str(code or "")
    key = (get_language(), code)
    try:
        return _COUNTRY_NAMES[key]
    except KeyError:
        name = _COUNTRY_NAMES[key] = countries.name(code) or code
        return name


# The areas of cooperation are stored in English and translated in the catalogs; a query that
# joins a row's areas into one column (GroupConcat, ", ") hands back the English. (No area's
# name holds ", "; sectors' names do, and are not joined so.)
NAMES_SEPARATOR = ", "


def reference_names(text) -> str:
    """ "Trade, Tourism" (stored names joined by GroupConcat) in the active language."""
    if not text:
        return ""
    return NAMES_SEPARATOR.join(gettext(name) for name in str(text).split(NAMES_SEPARATOR))
