"""Member businesses: their profile, the list's filters and the CSV import."""

from __future__ import annotations

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from businesses import imports
from businesses.forms.common import (
    AssociationChoiceField,
    AssociationMixin,
)
from businesses.models import (
    BusinessAssociation,
    BusinessProfile,
    Need,
)
from core.forms import (
    ChoicesForm,
    ModelMultipleChoiceField,
    SeenRecord,
)
from core.uploads import too_large_message
from partnerships.models import Sector

# --- Businesses ----------------------------------------------------------------------------------


class BusinessForm(SeenRecord, AssociationMixin, ChoicesForm):
    """A member business's profile: the organisation's name, sectors, website and description,
    and what the matchmaking reads (size, export readiness, what it offers and seeks — products
    and needs —, its position in the value chain and the export markets it seeks)."""

    edits_a_record = True  # given `initial_for(business)` when it edits one

    association = AssociationChoiceField(
        label=_("Association"), queryset=BusinessAssociation.objects.none()
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    sectors = ModelMultipleChoiceField(
        label=_("Sectors"),
        queryset=Sector.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("ISIC sections the business works in."),
    )
    size_band = forms.ChoiceField(label=_("Size"), choices=BusinessProfile.SizeBand.choices)
    export_readiness = forms.ChoiceField(
        label=_("Export readiness"),
        choices=BusinessProfile.ExportReadiness.choices,
        initial=BusinessProfile.ExportReadiness.NONE,
    )
    products_services = forms.CharField(
        label=_("Products and services"),
        required=False,
        widget=forms.Textarea({"rows": 2}),
        help_text=_(
            "What the business makes or sells, in plain words: the matchmaking compares "
            "them with what other businesses seek."
        ),
    )
    products_sought = forms.CharField(
        # Not "Products and services sought": a label search for the field above would find both.
        label=_("What it buys or wants to find"),
        required=False,
        widget=forms.Textarea({"rows": 2}),
        help_text=_(
            "Inputs, parts, services, partners: the matchmaking compares these words with "
            "what other businesses offer."
        ),
    )
    chain_position = forms.ChoiceField(
        label=_("Position in the value chain"),
        required=False,
        choices=[("", _("Not said")), *BusinessProfile.ChainPosition.choices],
        help_text=_("A supplier is one stage before its buyer; services serve any stage."),
    )
    markets_sought = forms.MultipleChoiceField(
        label=_("Export markets sought"),
        required=False,
        # A callable: read per form, in the reader's language and sorted by its names.
        choices=lambda: list(countries),
        widget=forms.SelectMultiple({"size": 6}),
        help_text=_("Countries where it wants to sell (hold Ctrl or ⌘ to choose several)."),
    )
    seeks = ModelMultipleChoiceField(
        label=_("It seeks"),
        queryset=Need.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    offers = ModelMultipleChoiceField(
        label=_("It offers"),
        queryset=Need.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=120, required=False)
    contact_email = forms.EmailField(label=_("Contact email"), required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea({"rows": 3})
    )

    def __init__(self, *args, associations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_association(associations)
        self.fields["sectors"].queryset = Sector.objects.order_by("code")
        needs = list(Need.objects.order_by("position", "code"))
        self.fields["seeks"].queryset = Need.objects.order_by("position", "code")
        self.fields["offers"].queryset = Need.objects.order_by("position", "code")
        # One read of the needs serves both lists (and their labels differ).
        self.fields["seeks"].choices = [(n.pk, n.label) for n in needs]
        self.fields["offers"].choices = [(n.pk, n.offer_label) for n in needs]

    @staticmethod
    def initial_for(business: BusinessProfile) -> dict:
        organisation = business.organisation
        return {
            "name": organisation.name,
            "sectors": [s.pk for s in organisation.sectors.all()],
            "size_band": business.size_band,
            "export_readiness": business.export_readiness,
            "products_services": business.products_services,
            "products_sought": business.products_sought,
            "chain_position": business.chain_position,
            "markets_sought": [c.code for c in business.markets_sought],
            "seeks": [n.pk for n in business.seeks.all()],
            "offers": [n.pk for n in business.offers.all()],
            "contact_name": business.contact_name,
            "contact_email": business.contact_email,
            "contact_phone": business.contact_phone,
            "website": organisation.website,
            "description": organisation.description,
        }

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("association", None)
        return data


class BusinessFilterForm(ChoicesForm):
    q = forms.CharField(label=_("Name contains"), required=False, max_length=100)
    sector = forms.ModelChoiceField(
        label=_("Sector"),
        required=False,
        queryset=Sector.objects.none(),
        empty_label=_("Any sector"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].queryset = Sector.objects.order_by("code")

    def filter(self, qs):
        if not self.is_valid():
            return qs
        if self.cleaned_data.get("q"):
            qs = qs.filter(organisation__name__icontains=self.cleaned_data["q"].strip())
        if self.cleaned_data.get("sector"):
            qs = qs.filter(organisation__sectors=self.cleaned_data["sector"])
        return qs


class ImportForm(AssociationMixin, ChoicesForm):
    association = AssociationChoiceField(
        label=_("Association"), queryset=BusinessAssociation.objects.none()
    )
    file = forms.FileField(
        label=_("CSV file"),
    )

    def __init__(self, *args, associations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_association(associations)
        self.fields["file"].help_text = gettext(
            "A header row, then one business per row (UTF-8; comma, semicolon or tab "
            "separated; at most %(rows)s rows). Download the template to start."
        ) % {"rows": number_format(imports.MAX_ROWS, force_grouping=True)}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > imports.MAX_BYTES:
            raise forms.ValidationError(
                gettext("%(problem)s Split it into several.")
                % {"problem": too_large_message(upload.size, imports.MAX_BYTES)}
            )
        return upload
