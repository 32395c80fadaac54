"""Forms of steps 2-4: finding cities, adding candidates, approaching and evaluating them,
scoring them against the strategy's criteria and recording the selection decision."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from core.forms import PlainForm, PlainModelForm
from partnerships.models import (
    ApproachContact,
    Candidate,
    DueDiligence,
    FeasibilityStudy,
    Partner,
    Sector,
    StrategyCriterion,
)
from partnerships.services import CANDIDATE_STATUSES_BY_HAND

# Population bands: lower bound inclusive, upper bound exclusive.
POPULATION_BANDS: dict[str, tuple[str, int | None, int | None]] = {
    "lt50k": (_("Under 50,000"), None, 50_000),
    "50k-250k": (_("50,000 – 250,000"), 50_000, 250_000),
    "250k-1m": (_("250,000 – 1 million"), 250_000, 1_000_000),
    "1m-5m": (_("1 – 5 million"), 1_000_000, 5_000_000),
    "gt5m": (_("Over 5 million"), 5_000_000, None),
}

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CitySearchForm(PlainForm):
    """Find cities (a GET form): every field optional; sectors match any of those chosen."""

    name = forms.CharField(label=_("Name contains"), required=False, max_length=120)
    country = forms.ChoiceField(label=_("Country"), required=False)
    province = forms.CharField(label=_("Province / region"), required=False, max_length=120)
    population = forms.ChoiceField(
        label=_("Population"),
        required=False,
        choices=[("", _("Any size")), *((k, v[0]) for k, v in POPULATION_BANDS.items())],
    )
    sectors = forms.TypedMultipleChoiceField(
        label=_("Sectors"),
        required=False,
        coerce=int,
        help_text=_("Cities active in any of the chosen sectors (ISIC sections)."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *Partner.Kind.choices]
    )
    global_region = forms.ChoiceField(
        label=_("North/South"),
        required=False,
        choices=[("", _("Either")), *Partner.GlobalRegion.choices],
    )

    def __init__(self, *args, sectors: Iterable[Sector] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("Any country")), *countries]
        self.fields["sectors"].choices = [(s.pk, str(s)) for s in sectors]

    def filter(self, qs: QuerySet[Partner]) -> QuerySet[Partner]:
        """Apply the valid criteria (an invalid one is reported on its field and ignored)."""
        data = self.cleaned_data if self.is_bound else {}
        if data.get("name"):
            qs = qs.filter(name__icontains=data["name"].strip())
        if data.get("country"):
            qs = qs.filter(country=data["country"])
        if data.get("province"):
            qs = qs.filter(province__icontains=data["province"].strip())
        if data.get("population"):
            _, low, high = POPULATION_BANDS[data["population"]]
            if low is not None:
                qs = qs.filter(population__gte=low)
            if high is not None:
                qs = qs.filter(population__lt=high)
        if data.get("sectors"):
            qs = qs.filter(
                Exists(
                    Partner.sectors.through.objects.filter(
                        partner_id=OuterRef("pk"), sector_id__in=data["sectors"]
                    )
                )
            )
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        if data.get("global_region"):
            qs = qs.filter(global_region=data["global_region"])
        return qs


class CandidateAddForm(PlainForm):
    """Add a city as a candidate: from the search results or from a suggestion."""

    partner = forms.ModelChoiceField(
        queryset=Partner.objects.all(),
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": _("That city is not in the portal (it may have been removed)."),
            "required": _("Choose a city to add."),
        },
    )
    rationale = forms.CharField(
        label=_("Why it fits the strategy"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why this city fits the strategy.")},
    )
    source = forms.ChoiceField(
        choices=[
            (Candidate.Source.OFFICER, Candidate.Source.OFFICER.label),
            (Candidate.Source.SUGGESTION, Candidate.Source.SUGGESTION.label),
        ],
        required=False,
        widget=forms.HiddenInput,
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_source(self) -> str:
        return self.cleaned_data.get("source") or Candidate.Source.OFFICER


class ContactForm(PlainModelForm):
    class Meta:
        model = ApproachContact
        fields = ["contacted_on", "channel", "contact_name", "contact_role", "summary", "response"]
        labels = {
            "contacted_on": _("Date"),
            "contact_role": _("Role"),
            "channel": _("Channel"),
            "contact_name": _("Contact name"),
            "summary": _("Summary"),
            "response": _("Response"),
        }
        widgets = {"contacted_on": DATE_INPUT, "summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The channel is chosen, not assumed: an empty first choice, selected on a new contact
        # (the model's default would otherwise preselect e-mail). Still required.
        channel = self.fields["channel"]
        channel.choices = [("", "—"), *ApproachContact.Channel.choices]
        channel.error_messages["required"] = _("Choose how the contact was made.")
        if self.instance.pk is None:
            self.initial["channel"] = ""


class DueDiligenceForm(PlainModelForm):
    class Meta:
        model = DueDiligence
        fields = [
            "alliance_history",
            "existing_partnerships",
            "failed_partnerships",
            "capability_gaps",
            "risks",
            "completed_on",
        ]
        labels = {
            "existing_partnerships": _("Existing partnerships"),
            "failed_partnerships": _("Failed or ended partnerships"),
            "alliance_history": _("Alliance history"),
            "capability_gaps": _("Capability gaps"),
            "risks": _("Risks"),
            "completed_on": _("Completed on"),
        }
        widgets = {
            "alliance_history": forms.Textarea(attrs={"rows": 4}),
            "capability_gaps": forms.Textarea(attrs={"rows": 3}),
            "risks": forms.Textarea(attrs={"rows": 3}),
            "completed_on": DATE_INPUT,
        }


class FeasibilityForm(PlainModelForm):
    class Meta:
        model = FeasibilityStudy
        fields = ["summary", "resources_required", "conclusion", "completed_on"]
        labels = {
            "summary": _("Summary"),
            "resources_required": _("Resources required"),
            "conclusion": _("Conclusion"),
            "completed_on": _("Completed on"),
        }
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "resources_required": forms.Textarea(attrs={"rows": 3}),
            "completed_on": DATE_INPUT,
        }


class CandidateStatusForm(PlainForm):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(s.value, s.label) for s in CANDIDATE_STATUSES_BY_HAND],
    )


def score_field_name(candidate_id: int, criterion_id: int) -> str:
    return f"s_{candidate_id}_{criterion_id}"


class ScoreGridForm(PlainForm):
    """One whole-number field per candidate × criterion, 0 to the criterion's maximum.

    An empty cell means "not scored yet" (and clears a score saved before).
    """

    def __init__(
        self,
        *args,
        candidates: Sequence[Candidate],
        criteria: Sequence[StrategyCriterion],
        initial_scores: dict[tuple[int, int], int] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.candidates, self.criteria = list(candidates), list(criteria)
        initial_scores = initial_scores or {}
        for candidate in self.candidates:
            for criterion in self.criteria:
                name = score_field_name(candidate.pk, criterion.pk)
                self.fields[name] = forms.IntegerField(
                    label=_("Score of %(city)s on %(criterion)s")
                    % {"city": candidate.partner.name, "criterion": criterion.name},
                    required=False,
                    min_value=0,
                    max_value=criterion.max_score,
                    initial=initial_scores.get((candidate.pk, criterion.pk)),
                    widget=forms.NumberInput(
                        attrs={"class": "form-control form-control-sm score-input"}
                    ),
                )

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"
                widget.attrs["aria-invalid"] = "true"

    def rows(self) -> list[tuple[Candidate, list[forms.BoundField]]]:
        """(candidate, its bound fields in criterion order), for the grid's rows."""
        return [
            (c, [self[score_field_name(c.pk, k.pk)] for k in self.criteria])
            for c in self.candidates
        ]

    def scores(self) -> dict[tuple[int, int], int | None]:
        """The cells the person submitted (a cell missing from the POST is left alone)."""
        return {
            (c.pk, k.pk): self.cleaned_data.get(name)
            for c in self.candidates
            for k in self.criteria
            if self.add_prefix(name := score_field_name(c.pk, k.pk)) in self.data
        }


class SelectionDecisionForm(PlainForm):
    candidate = forms.TypedChoiceField(label=_("Selected partner city"), coerce=int)
    reasons = forms.CharField(
        label=_("Reasons for the selection"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Refer to the evaluation and to the fit with the strategy's criteria."),
        error_messages={"required": _("Give the reasons for the selection.")},
    )

    def __init__(self, *args, candidates: Sequence[Candidate], **kwargs):
        super().__init__(*args, **kwargs)
        self.by_id = {c.pk: c for c in candidates}
        self.fields["candidate"].choices = [("", _("Choose a candidate"))] + [
            (c.pk, str(c.partner)) for c in candidates
        ]

    def clean_reasons(self) -> str:
        reasons = self.cleaned_data["reasons"].strip()
        if not reasons:
            raise forms.ValidationError(_("Give the reasons for the selection."))
        return reasons

    @property
    def chosen(self) -> Candidate:
        return self.by_id[self.cleaned_data["candidate"]]
