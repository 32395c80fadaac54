"""The "Add a partner city" page's two forms: the search, and the place chosen."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import PortalForm
from gazetteer.selectors import MAX_QUERY, MIN_QUERY, BadQuery, search_key


class PlaceSearchForm(PortalForm):
    q = forms.CharField(
        label=_("City name"),
        max_length=MAX_QUERY,
        help_text=_(
            "Any of its names, in any language or script: Durban or eThekwini, Canton or 广州."
        ),
    )

    def clean_q(self):
        q = self.cleaned_data["q"]
        if any(ord(c) < 32 for c in q):
            raise forms.ValidationError(_("Type the name without control characters."))
        if len(search_key(q)) < MIN_QUERY:
            raise forms.ValidationError(
                _("Type at least %(n)s letters of the city's name.") % {"n": MIN_QUERY}
            )
        return q

    def search_error(self, exc: BadQuery) -> None:
        self.add_error("q", str(exc))


class PlaceChoiceForm(PortalForm):
    # GeoNames ids are positive and below 2^32.
    place = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    q = forms.CharField(max_length=MAX_QUERY, required=False)  # to return to the results
