"""The partnership list's "save this view" form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import PlainForm
from partnerships import permissions
from partnerships.models import Partner, SavedView


class SavedViewForm(PlainForm):
    name = forms.CharField(
        label=_("Name of the view"),
        max_length=SavedView._meta.get_field("name").max_length,
    )
    shared_with = forms.TypedChoiceField(
        label=_("Who may use it"), required=False, coerce=int, empty_value=None
    )
    # The list's query string as the page was asked for (the service keeps the filters only).
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # The person's cities, read once (a model choice field reads them twice to render).
        ids = permissions.city_ids(user)
        self.cities = {c.pk: c for c in Partner.objects.filter(pk__in=ids).order_by("name")}
        self.fields["shared_with"].choices = [("", _("Only me"))] + [
            (pk, _("The officers of %(city)s") % {"city": city.name})
            for pk, city in self.cities.items()
        ]

    def clean_shared_with(self) -> Partner | None:
        chosen = self.cleaned_data["shared_with"]
        return self.cities[chosen] if chosen is not None else None
