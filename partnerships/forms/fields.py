"""Form fields shared by every app's forms (the core app: alliances and businesses import it)."""

from __future__ import annotations

from django import forms

# The largest id a bigint column holds.
MAX_ID = 2**63 - 1


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, but an id beyond the 64-bit range is an invalid choice before the database is
    asked: on SQLite an IN of such a number raises OverflowError (a 500), where a single
    `pk=` lookup already copes."""

    def _check_values(self, value):
        try:
            values = list(value)
        except TypeError:
            values = []
        for pk in values:
            try:
                number = int(str(pk).strip())
            except ValueError:
                continue  # not a number: Django reports it
            if not -MAX_ID - 1 <= number <= MAX_ID:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)
