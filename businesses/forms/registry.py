"""The public registry's filters."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.forms import ChoicesForm
from partnerships.models import CooperationArea, Partnership
from partnerships.selectors.names import has_member_named

# --- The public registry -------------------------------------------------------------------------


class RegistryFilterForm(ChoicesForm):
    q = forms.CharField(
        label=_("City (any of its names) or title"),
        required=False,
        max_length=100,
        help_text=_("“Durban” finds eThekwini, “Canton” Guangzhou."),
    )
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("Any category")), *Partnership.Category.choices],
    )
    area = forms.ModelChoiceField(
        label=_("Area of cooperation"),
        required=False,
        queryset=CooperationArea.objects.none(),
        empty_label=_("Any area"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = CooperationArea.objects.order_by("name")

    def filter(self, qs):
        if not self.is_valid():
            return qs
        data = self.cleaned_data
        if data.get("q"):
            text = data["q"].strip()
            # A city by any of its names in the gazetteer: "Durban" finds eThekwini.
            qs = qs.filter(Q(title__icontains=text) | has_member_named(text))
        if data.get("category"):
            qs = qs.filter(category=data["category"])
        if data.get("area"):
            qs = qs.filter(areas=data["area"])
        return qs
