"""Model-choice <select>s whose options are read while the view builds the form, never while
the template renders it (tests/partnerships/test_query_budgets.py checks every page for that).

Left alone, a ModelChoiceField's options are a lazy iterator over its queryset: the template
runs the query when it draws the <select> (and `{% for %}` over `field.field.choices` may count
them first). `read_choices(form)` turns them into a list, one query per select; validation
still asks the queryset (`queryset.get()` / `filter(pk__in=…)`), so a choice made stale by a
concurrent change is still refused.

`ChoicesReadOnce` does it for a form once its most derived `__init__` has returned, so a form
may still narrow a field's queryset in its own `__init__` (setting a queryset afterwards, from a
view, would keep the list read before: narrow it in the form instead). For a django-filter
FilterSet, set `Meta.form = ChoicesForm`.
"""

from __future__ import annotations

import functools

from django import forms
from django.forms.widgets import ChoiceWidget


def read_choices(form: forms.BaseForm) -> None:
    """Read the options of every model-choice field drawn as a select, radio buttons or check
    boxes into a list (a hidden or text input lists no options: left alone)."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField) and isinstance(field.widget, ChoiceWidget):
            # iter(): list() of the iterator itself would COUNT first (its __len__). Django's
            # own setter: django-filter's would wrap the list in a model iterator again.
            forms.ChoiceField.choices.fset(field, list(iter(field.choices)))


def _then_read_choices(init):
    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        outermost = not self.__dict__.get("_building_choices", False)
        self._building_choices = True
        try:
            init(self, *args, **kwargs)
        finally:
            if outermost:
                self._building_choices = False
        if outermost:
            read_choices(self)

    return __init__


class ChoicesReadOnce:
    """Form mixin (first among the bases): `read_choices(self)` once the form is built."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "__init__" in cls.__dict__:
            cls.__init__ = _then_read_choices(cls.__dict__["__init__"])

    @_then_read_choices
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)


class ChoicesForm(ChoicesReadOnce, forms.Form):
    """A plain form with its model-choice options read once (e.g. a FilterSet's `Meta.form`)."""


class ChoicesModelForm(ChoicesReadOnce, forms.ModelForm):
    """A model form with its model-choice options read once."""
