"""Lists of names in a sentence, joined as the reader's language joins them ("Gävle and
Buffalo City", "Gävle et Buffalo City", "耶夫勒和布法罗市", "Gävle و Buffalo City"), by
Babel's CLDR data rather than a translated "and" glued between the names."""

from __future__ import annotations

from babel.lists import format_list
from django import template
from django.utils import translation

register = template.Library()


def _attribute(item, path: str):
    for name in path.split(".") if path else ():
        item = getattr(item, name)
    return item


@register.filter
def and_list(items, path: str = "") -> str:
    """`{{ members|and_list:"partner.name" }}`: each item's `path` (or the item), joined."""
    names = [str(_attribute(item, path)) for item in items]
    if not names:
        return ""
    locale = translation.to_locale(translation.get_language() or "en")
    return format_list(names, locale=locale)
