"""Interest in partnerships, and leads for new ones."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from businesses.forms.common import (
    AssociationChoiceField,
    AssociationMixin,
)
from businesses.models import (
    BusinessAssociation,
    BusinessProfile,
    InterestRegistration,
)
from core.forms import (
    ChoicesForm,
    ChoicesModelForm,
    ModelMultipleChoiceField,
)
from partnerships.models import (
    Partner,
    Partnership,
    PartnershipMember,
    Sector,
)

CLOSED = [Partnership.Status.ENDED, Partnership.Status.ARCHIVED]


# --- Interest and leads --------------------------------------------------------------------------


class BusinessChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.organisation.name


def partnerships_open_to(association_cities: Iterable[int] | None) -> QuerySet[Partnership]:
    """Partnerships a chamber may register interest in: published ones and its own city's,
    still running (`None`: all running ones, for admins)."""
    qs = Partnership.objects.exclude(status__in=CLOSED)
    if association_cities is not None:
        own = PartnershipMember.objects.filter(
            partnership=OuterRef("pk"), partner_id__in=list(association_cities)
        )
        qs = qs.filter(Q(published=True) | Exists(own))
    return qs.order_by("title")


class InterestForm(AssociationMixin, ChoicesModelForm):
    association = AssociationChoiceField(
        label=_("Association"), queryset=BusinessAssociation.objects.none()
    )
    partnership = forms.ModelChoiceField(
        label=_("Partnership"),
        queryset=Partnership.objects.none(),
        help_text=_("A published partnership, or one of your own city's."),
    )
    businesses = BusinessChoiceField(
        label=_("Member businesses"),
        queryset=BusinessProfile.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The businesses that want to take part."),
    )
    sectors = ModelMultipleChoiceField(
        label=_("Sectors"),
        queryset=Sector.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = InterestRegistration
        fields = ["objectives", "offers", "seeks", "timeframe"]
        widgets = {
            "objectives": forms.Textarea({"rows": 3}),
            "offers": forms.Textarea({"rows": 2}),
            "seeks": forms.Textarea({"rows": 2}),
        }

    field_order = [
        "association",
        "partnership",
        "businesses",
        "objectives",
        "sectors",
        "offers",
        "seeks",
        "timeframe",
    ]

    def __init__(
        self,
        *args,
        associations=None,
        partnerships=None,
        businesses=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self._setup_association(associations)
        self.fields["partnership"].queryset = partnerships
        self.fields["businesses"].queryset = businesses
        self.fields["sectors"].queryset = Sector.objects.order_by("code")
        self.fields["objectives"].required = True

    def _post_clean(self):
        # The registration is built and checked by the service (with its partnership and
        # association); the form only validates its own fields.
        pass


class LeadForm(AssociationMixin, ChoicesForm):
    association = AssociationChoiceField(
        label=_("Association"), queryset=BusinessAssociation.objects.none()
    )
    target = forms.ModelChoiceField(
        label=_("Proposed partner city"),
        queryset=Partner.objects.none(),
        help_text=_("A city your city has no partnership with yet."),
    )
    rationale = forms.CharField(
        label=_("Why this city"),
        widget=forms.Textarea({"rows": 4}),
        help_text=_("Markets, sectors, existing business ties: what your members would gain."),
    )
    businesses = BusinessChoiceField(
        label=_("Member businesses behind it"),
        queryset=BusinessProfile.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The businesses that would trade or work with the city."),
    )
    trade = forms.CharField(
        label=_("Trade in view"),
        required=False,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("What would be bought, sold or made together, and roughly how much."),
    )

    def __init__(self, *args, associations=None, targets=None, businesses=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_association(associations)
        self.fields["target"].queryset = targets
        self.fields["businesses"].queryset = (
            businesses if businesses is not None else BusinessProfile.objects.none()
        )


class LeadDecisionForm(ChoicesForm):
    TAKE_UP, DECLINE = "take_up", "decline"
    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            (TAKE_UP, _("Take it up as a candidate of a partnership in the search step")),
            (DECLINE, _("Decline it")),
        ],
    )
    partnership = forms.ModelChoiceField(
        label=_("Partnership in the search step"),
        queryset=Partnership.objects.none(),
        required=False,
        empty_label=_("Choose the partnership"),
    )
    message = forms.CharField(
        label=_("Message to the chamber"),
        required=False,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("Required when declining."),
    )

    def __init__(self, *args, partnerships=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partnership"].queryset = (
            partnerships if partnerships is not None else Partnership.objects.none()
        )

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision == self.TAKE_UP and not cleaned.get("partnership"):
            self.add_error("partnership", _("Choose the partnership whose search it feeds."))
        if decision == self.DECLINE and not (cleaned.get("message") or "").strip():
            self.add_error("message", _("Tell the chamber why the proposal is declined."))
        return cleaned
