"""Which of the portal's languages a city's people most likely read, from its country: the
first guess when an officer invites someone there (they can change it, and the invited person
can change their account's later)."""

from __future__ import annotations

from babel import Locale, UnknownLocaleError
from babel.languages import get_official_languages
from django.conf import settings
from django.utils.translation import get_language, to_locale

_BY_LANGUAGE = {
    "fr": "FR BE LU MC CH SN CI CM ML BF NE TD GA CG CD BJ TG GN MG HT RW BI DJ KM",
    "es": "ES AR MX CO CL PE UY PY BO EC VE CR CU DO GT HN NI PA SV GQ",
    "pt-br": "BR PT AO MZ CV GW ST TL",
    "de": "DE AT LI",
    "sv": "SE",
    "zh-hans": "CN SG",
    "ar": "SA AE EG MA DZ TN JO LB IQ KW QA BH OM YE SY LY SD PS MR",
}
COUNTRY_LANGUAGE = {
    country: language
    for language, countries in _BY_LANGUAGE.items()
    for country in countries.split()
}


def language_for_country(country_code: str) -> str:
    """The portal's language for a country (an ISO 3166 code), else the portal's default."""
    return COUNTRY_LANGUAGE.get(str(country_code or "").upper(), settings.LANGUAGE_CODE)


def spoken_languages(country_code: str) -> tuple[str, ...]:
    """The languages a country's people speak, official or de facto (CLDR, through Babel), as
    language codes ("es", "fr"…): the languages of all the world's countries, not only the
    portal's. Empty for an unknown country."""
    code = str(country_code or "").upper()
    if not code:
        return ()
    return tuple(get_official_languages(code, de_facto=True))


def language_name(code: str) -> str:
    """A language code's name in the active language ("es" → "Spanish"); the code if unknown."""
    try:
        locale = Locale.parse(to_locale(get_language() or settings.LANGUAGE_CODE))
    except (ValueError, UnknownLocaleError):
        locale = Locale("en")
    return locale.languages.get(code) or Locale("en").languages.get(code) or code
