"""core.choices.ChoiceDisplay: a partnership's get_FOO_display() gives what Django's own gives,
for every value of every field with choices, in the language active when it is called, and the
stored value itself for a value that is not a choice."""

from __future__ import annotations

from django.db import models
from django.utils import translation

from partnerships.models import Partnership


def _django(partnership, field):
    return models.Model._get_FIELD_display(partnership, field)


def test_every_choice_of_every_field_in_two_languages():
    fields = [f for f in Partnership._meta.concrete_fields if f.choices]
    assert {"category", "status", "step"} <= {f.name for f in fields}
    for language in ("en", "fr"):
        with translation.override(language):
            for field in fields:
                for value, _ in field.flatchoices:
                    partnership = Partnership(**{field.attname: value})
                    shown = getattr(partnership, f"get_{field.name}_display")()
                    assert shown == _django(partnership, field), (language, field.name, value)
                    assert type(shown) is str
    with translation.override("fr"):
        assert Partnership(status="paused").get_status_display() != "Paused"


def test_a_value_that_is_not_a_choice_is_shown_as_stored():
    assert Partnership(status="unheard-of").get_status_display() == "unheard-of"
    assert Partnership(step=None).get_step_display() is None
    assert _django(Partnership(step=None), Partnership._meta.get_field("step")) is None
