"""Forms of the sub-alliance pages: forming one, adding an organisation, its strength, its
start-up tasks and its shared scorecard.

They expose only what an officer may set; the services check every rule that spans rows (both
sides take part, the grouping fits the parties, a bilateral linkage has two parties…).
"""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.utils.translation import gettext_lazy as _

from alliances.models import (
    Grouping,
    Organisation,
    ScorecardMeasure,
    SubAlliance,
    normalise_name,
)
from core.forms import (
    ChoicesForm,
    ChoicesModelForm,
    DateInput,
    ModelMultipleChoiceField,
    PlainForm,
    PlainModelForm,
    check_dates,
)
from partnerships.forms.partnerships import LENDRUM_HELP, LENDRUM_SCALE, NOT_ASSESSED
from partnerships.models import Partner, Sector


def _blank(choices, label="—") -> list:
    return [("", label), *choices]


class StrengthField(forms.TypedChoiceField):
    """Lendrum's scale after an empty "Not assessed yet" choice: a sub-alliance formed without
    an assessment has none (not 0, which means "none by choice"). Where a strength must be
    given (setting it), leave `required` on and the empty choice is refused."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Relationship strength"))
        kwargs.setdefault("help_text", LENDRUM_HELP)
        super().__init__(
            choices=[("", NOT_ASSESSED), *LENDRUM_SCALE], coerce=int, empty_value=None, **kwargs
        )


class SubAllianceForm(ChoicesForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea({"rows": 3}))
    grouping = forms.ChoiceField(
        label=_("Grouping"),
        choices=Grouping.choices,
        help_text=_(
            "Local government, civil society or business on both sides; “Mixed” when "
            "the parties are of different groupings."
        ),
    )
    form = forms.ChoiceField(label=_("Form of collaboration"), choices=SubAlliance.Form.choices)
    organisations = ModelMultipleChoiceField(
        label=_("Parties"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("At least one organisation of each partner city."),
    )
    linkage_scope = forms.ChoiceField(
        label=_("Linkage: scope"),
        required=False,
        choices=_blank(SubAlliance.LinkageScope.choices),
        help_text=_(
            "Business sub-alliances only: two firms (bilateral) or a group (multilateral)."
        ),
    )
    linkage_locus = forms.ChoiceField(
        label=_("Linkage: market"),
        required=False,
        choices=_blank(SubAlliance.LinkageLocus.choices),
        help_text=_("Business sub-alliances only: the local market, or the other city's."),
    )
    linkage_direction = forms.ChoiceField(
        label=_("Linkage: direction"),
        required=False,
        choices=_blank(SubAlliance.LinkageDirection.choices),
        help_text=_("Business sub-alliances only: buyer–supplier, or firms at the same stage."),
    )
    strength = StrengthField(required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (SubAlliance.Status.FORMING, SubAlliance.Status.FORMING.label),
            (SubAlliance.Status.ACTIVE, SubAlliance.Status.ACTIVE.label),
        ],
    )
    started_on = forms.DateField(label=_("Started on"), required=False, widget=DateInput())

    def __init__(
        self, *args, organisations: Sequence[Organisation] = (), partnership=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        field = self.fields["organisations"]
        field.queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])
        groups: dict[str, list] = {}
        for o in organisations:
            groups.setdefault(o.partner.name, []).append(
                (
                    o.pk,
                    _("%(organisation)s (%(kind)s)")
                    % {"organisation": o.name, "kind": o.get_kind_display().lower()},
                )
            )
        # Grouped by city, from the list the view read once (no query while rendering).
        field.choices = list(groups.items())

    def clean(self):
        cleaned = super().clean()
        check_dates(self)
        grouping = cleaned.get("grouping")
        for name in SubAlliance.LINKAGE_FIELDS:
            if grouping == Grouping.BUSINESS and not cleaned.get(name):
                self.add_error(name, _("A business sub-alliance needs its linkage type."))
            elif grouping and grouping != Grouping.BUSINESS and cleaned.get(name):
                self.add_error(name, _("Only business sub-alliances have a linkage type."))
        name = normalise_name(cleaned.get("name", ""))
        taken = SubAlliance.objects.filter(partnership=self.partnership, name__iexact=name)
        if name and self.partnership is not None and taken.exists():
            self.add_error("name", _("This partnership already has a sub-alliance of this name."))
        return cleaned


class OrganisationForm(ChoicesForm):
    partner = forms.ModelChoiceField(label=_("City"), queryset=Partner.objects.none())
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            c
            for c in Organisation.Kind.choices
            if c[0] not in (Organisation.Kind.BUSINESS, Organisation.Kind.CHAMBER)
        ],
        help_text=_("Businesses and chambers are added by their chamber's staff."),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    sectors = ModelMultipleChoiceField(
        label=_("Sectors"),
        queryset=Sector.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea({"rows": 2})
    )

    def __init__(self, *args, cities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = cities if cities is not None else Partner.objects.none()
        self.fields["sectors"].queryset = Sector.objects.order_by("code")

    def clean(self):
        cleaned = super().clean()
        name, city = normalise_name(cleaned.get("name", "")), cleaned.get("partner")
        if name and city and Organisation.objects.filter(partner=city, name__iexact=name).exists():
            self.add_error(
                "name",
                _("%(city)s already has an organisation of this name.") % {"city": city.name},
            )
        return cleaned


class StrengthForm(PlainForm):
    strength = StrengthField(
        error_messages={"required": _("Choose a strength on Lendrum's scale (0 to 10).")}
    )
    note = forms.CharField(
        label=_("What changed"),
        required=False,
        widget=forms.Textarea({"rows": 2}),
        help_text=_("Kept in the strength's history."),
    )


class TaskForm(PlainForm):
    done = forms.BooleanField(label=_("Done"), required=False)
    done_on = forms.DateField(
        label=_("Done on"), required=False, widget=DateInput(), help_text=_("Today if left empty.")
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea({"rows": 2}))

    def clean(self):
        cleaned = super().clean()
        check_dates(self)
        if cleaned.get("done_on") and not cleaned.get("done"):
            self.add_error("done_on", _("Only a task that is done has a completion date."))
        return cleaned


class MeasureForm(ChoicesModelForm):
    side = forms.ModelChoiceField(
        label=_("On behalf of"), queryset=Partner.objects.none(), empty_label=None
    )

    class Meta:
        model = ScorecardMeasure
        fields = ["dimension", "name", "unit", "target", "actual"]
        help_texts = {
            "dimension": _(
                "Effectiveness: is it achieving its objectives? Efficiency: is it well managed?"
            )
        }

    field_order = ["side", "dimension", "name", "unit", "target", "actual"]

    def __init__(self, *args, sides=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["side"].queryset = sides if sides is not None else Partner.objects.none()

    def _post_clean(self):
        # The row is built and validated by the service, with its sub-alliance and side.
        pass


class MeasureUpdateForm(PlainModelForm):
    class Meta:
        model = ScorecardMeasure
        fields = ["name", "unit", "target", "actual"]

    def _post_clean(self):
        pass
