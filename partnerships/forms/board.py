"""The dashboard board's filters: GET parameters, checked by a form. A value the board does
not know (a city not on it, a band that does not exist, garbage) is left out with a note the
page shows, never an error page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.forms import LongSelect
from partnerships.models import Partnership
from partnerships.selectors.board import (
    HEALTH_BANDS,
    BoardFilters,
    assignment_hook_registered,
    board_choices,
)

SELECT = forms.Select(attrs={"class": "form-select form-select-sm"})


class BoardFilterForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("Any category")), *Partnership.Category.choices],
        widget=SELECT,
    )
    # An admin's board may hold every city of the portal.
    city = forms.TypedChoiceField(
        label=_("City"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=LongSelect(attrs=SELECT.attrs),
    )
    health = forms.ChoiceField(
        label=_("Health"),
        required=False,
        choices=[("", _("Any health")), *HEALTH_BANDS],
        widget=SELECT,
    )
    assignee = forms.TypedChoiceField(
        label=_("Assigned to"), required=False, coerce=int, empty_value=None, widget=SELECT
    )

    def __init__(self, data, *, user):
        super().__init__(data)
        # The choices are read here, in one query, never while the page renders.
        people = assignment_hook_registered()
        cities, assignees = board_choices(user, people)
        self.fields["city"].choices = [("", _("Any city")), *cities]
        if people:
            self.fields["assignee"].choices = [("", _("Anyone")), *assignees]
        else:  # nobody knows who is assigned to what: no filter to offer
            del self.fields["assignee"]

    def filters(self) -> tuple[BoardFilters, list[str]]:
        """The valid filters, and a note for each parameter that was left out."""
        self.is_valid()
        notes = [
            gettext("The filter “%(name)s” had a value the board does not know: it is ignored.")
            % {"name": self.fields[name].label}
            for name in self.errors
            if name in self.fields
        ]
        return BoardFilters(**{k: v or None for k, v in self.cleaned_data.items()}), notes

    @property
    def active(self) -> bool:
        return any(v for v in getattr(self, "cleaned_data", {}).values())
