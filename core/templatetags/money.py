"""Sums of money as the reader's language writes them, with Babel's CLDR data: "ZAR 1,234.50"
in English, "1 234,50 ZAR" in French, "ZAR 1.234,50" in Brazilian Portuguese, "ZAR 1,234.50"
in Chinese; the currency's own decimals (none for yen). CLDR's currency spacing is applied
(a code of letters next to a digit gets a no-break space), which Babel leaves out."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from babel.numbers import UnknownCurrencyError, format_currency
from django import template
from django.utils import translation
from django.utils.formats import number_format

register = template.Library()


@register.filter
def money(amount, currency: str = "") -> str:
    """`{{ outcome.amount|money:outcome.currency }}`."""
    if amount in (None, ""):
        return ""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    locale = translation.to_locale(translation.get_language() or "en")
    code = str(currency or "").upper()
    try:
        text = format_currency(value, code, locale=locale)
    except (UnknownCurrencyError, ValueError):
        # A code CLDR does not know: the number in the language's format, then the code.
        return f"{number_format(value, 2, use_l10n=True, force_grouping=True)} {currency}".strip()
    return re.sub(rf"({re.escape(code)})(?=[\d\-])|(?<=\d)({re.escape(code)})", _spaced, text)


def _spaced(match) -> str:
    before, after = match.group(1), match.group(2)
    return f"{before}\u00a0" if before else f"\u00a0{after}"
