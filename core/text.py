"""Control characters in free text: refused where a person types, removed where we write.

A bell (U+0007) or vertical tab (U+000B) pasted into a title is invisible on the page but
breaks what is written from it: openpyxl refuses it in a cell (the whole export a 500), RFC 5545
forbids it in a calendar feed, XML and PDF text choke on it. So every free-text form field
refuses it (`ControlCharacterValidator`, applied by core/forms.py and core/admin.py to every
text field of our forms), and every writer passes stored text through `printable()` for what
was stored before, or arrived another way (imports, the shell).

Tab and line breaks are text where a text area takes them; a single-line field takes neither.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.functional import Promise
from django.utils.translation import gettext

# C0 controls but tab, line feed and carriage return; DEL; the C1 controls.
_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
CONTROL = re.compile(f"[{_CONTROL}]")
CONTROL_OR_BREAK = re.compile(f"[{_CONTROL}\t\n\r]")


def printable(value):
    """`value` without its control characters (tab and line breaks kept); a lazy translation
    as the text of the active language; not text: as is."""
    if isinstance(value, Promise):
        value = str(value)
    return CONTROL.sub("", value) if isinstance(value, str) else value


@deconstructible
class ControlCharacterValidator:
    """Refuses text holding a control character; `multiline` allows tab and line breaks."""

    def __init__(self, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, value) -> None:
        pattern = CONTROL if self.multiline else CONTROL_OR_BREAK
        found = pattern.search(str(value))
        if found:
            raise ValidationError(
                gettext(
                    "This text holds an invisible control character (U+%(code)04X), which "
                    "cannot be saved: type the text again without it."
                ),
                code="control_character",
                params={"code": ord(found.group())},
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, ControlCharacterValidator) and other.multiline == self.multiline
