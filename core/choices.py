"""`get_FOO_display()` without translating every choice of the field on each call.

Django's own builds a dict of all the field's choices each time, hashing every label; a
translated label is lazy, and hashing it translates it. A list of twenty partnerships shows
three such labels a row (category, step, status), so a page translated hundreds of labels to
show sixty. `ChoiceDisplay` keeps each field's choices by value, once, and translates only the
label shown, in the language active when it is shown.
"""

from __future__ import annotations

import functools

from django.db import models
from django.utils.encoding import force_str


@functools.cache
def _labels(field: models.Field) -> dict:
    return dict(field.flatchoices)  # keyed by value: the lazy labels are not hashed


class ChoiceDisplay:
    """Mix into a model: its `get_FOO_display()` answer as Django's do, more cheaply."""

    def _get_FIELD_display(self, field: models.Field):
        value = getattr(self, field.attname)
        try:
            label = _labels(field).get(value, value)
        except TypeError:  # an unhashable value (a list): Django's own way
            return super()._get_FIELD_display(field)
        return force_str(label, strings_only=True)
