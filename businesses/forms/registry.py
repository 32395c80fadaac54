"""The public registry's filters."""

from __future__ import annotations

from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from core.forms import ChoicesForm
from gazetteer.models import PlaceName
from gazetteer.selectors import MIN_QUERY, search_key
from partnerships.models import (
    CooperationArea,
    Partnership,
    PartnershipMember,
)

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
            member = PartnershipMember.objects.filter(partnership=OuterRef("pk"))
            found = Q(title__icontains=text) | Exists(member.filter(partner__name__icontains=text))
            key = search_key(text)
            if len(key) >= MIN_QUERY:
                # A city by any of its names in the gazetteer: "Durban" finds eThekwini.
                places = PlaceName.objects.filter(key__startswith=key).values("place_id")
                found |= Exists(member.filter(partner__geonameid__in=places))
            qs = qs.filter(found)
        if data.get("category"):
            qs = qs.filter(category=data["category"])
        if data.get("area"):
            qs = qs.filter(areas=data["area"])
        return qs
