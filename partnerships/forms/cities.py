"""Forms of the cities area: the partner city directory's filters, a strategy draft with its
weighted criteria, approving a draft, and a city's officers."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.formatting import country_name
from core.forms import ChoicesForm, PlainForm, PlainModelForm
from partnerships.models import (
    CityMembership,
    Partner,
    PartnershipMember,
    Sector,
    StrategyCriterion,
    TwinningStrategy,
)
from partnerships.selectors.names import city_named

# --- The directory ---------------------------------------------------------------------------

# (value, label, lowest, highest): the bands a population filter offers, upper bound exclusive.
POPULATION_BANDS = [
    ("lt100k", _("Under 100,000"), None, 100_000),
    ("100k-500k", _("100,000 – 500,000"), 100_000, 500_000),
    ("500k-1m", _("500,000 – 1 million"), 500_000, 1_000_000),
    ("1m-5m", _("1 – 5 million"), 1_000_000, 5_000_000),
    ("5m+", _("5 million and more"), 5_000_000, None),
]


def directory_queryset() -> QuerySet[Partner]:
    """Every city with the number of partnerships it belongs to, counted in the same query.

    A correlated subquery, not a join and Count: a sector filter joins the cities to their
    sectors, and a count over that join would need DISTINCT to stay right.
    """
    memberships = (
        PartnershipMember.objects.filter(partner=OuterRef("pk"))
        .order_by()
        .values("partner")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Partner.objects.annotate(
        partnership_count=Coalesce(Subquery(memberships, output_field=IntegerField()), Value(0))
    ).order_by("name", "country", "pk")


class CityFilter(django_filters.FilterSet):
    """Search and filters of the partner city directory (GET parameters)."""

    q = django_filters.CharFilter(
        method="search",
        label=_("Name"),
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("e.g. Cape Town")}),
    )
    country = django_filters.ChoiceFilter(label=_("Country"), empty_label=_("Any country"))
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Partner.Kind.choices, empty_label=_("Any kind")
    )
    global_region = django_filters.ChoiceFilter(
        label=_("North/South"),
        choices=Partner.GlobalRegion.choices,
        empty_label=_("North and South"),
    )
    sector = django_filters.ModelChoiceFilter(
        field_name="sectors",
        label=_("Sector"),
        queryset=Sector.objects.all(),
        empty_label=_("Any sector"),
    )
    population = django_filters.ChoiceFilter(
        label=_("Population"),
        choices=[(value, label) for value, label, _, _ in POPULATION_BANDS],
        method="population_band",
        empty_label=_("Any size"),
    )

    class Meta:
        model = Partner
        fields = ["q", "country", "kind", "global_region", "sector", "population"]
        form = ChoicesForm

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data, queryset=directory_queryset() if queryset is None else queryset)
        # Only the countries some city is in: a list of ~250 names would mostly lead nowhere.
        present = Partner.objects.order_by().values_list("country", flat=True).distinct()
        choices = sorted(((code, country_name(code)) for code in present), key=lambda c: c[1])
        self.filters["country"].extra["choices"] = choices
        for field in self.form.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select" if select else "form-control"

    def search(self, queryset, name, value):
        value = value.strip()
        # Any of the city's names: "Canton" finds Guangzhou.
        return queryset.filter(city_named(value)) if value else queryset

    def population_band(self, queryset, name, value):
        for band, _label, lowest, highest in POPULATION_BANDS:
            if band == value:
                if lowest is not None:
                    queryset = queryset.filter(population__gte=lowest)
                if highest is not None:
                    queryset = queryset.filter(population__lt=highest)
        return queryset

    @property
    def is_filtered(self) -> bool:
        return bool(self.form.is_valid() and any(self.form.cleaned_data.values()))


# --- Strategies ------------------------------------------------------------------------------


class StrategyForm(PlainModelForm):
    """The text of a strategy version (never its city, version, status or approval)."""

    class Meta:
        model = TwinningStrategy
        fields = [
            "vision",
            "goals",
            "champion",
            "senior_management_involvement",
            "learning_capture",
            "development_plan_context",
            "national_policy_context",
        ]
        labels = {
            "vision": _("Vision"),
            "goals": _("Goals"),
            "champion": _("Champion"),
            "senior_management_involvement": _("Senior management involvement"),
        }
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in fields if name != "champion"}


class CriterionForm(PlainForm):
    """One weighted criterion for choosing partners. `id` is empty for a new one."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name"), max_length=120)
    measure = forms.ChoiceField(
        label=_("What it measures"),
        choices=[("", _("Choose what it measures")), *StrategyCriterion.Measure.choices],
        help_text=StrategyCriterion._meta.get_field("measure").help_text,
        error_messages={"required": _("Say what this criterion measures.")},
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
    weight = forms.IntegerField(
        label=_("Weight"),
        min_value=1,
        max_value=10,
        initial=1,
        help_text=_("1 (minor) to 10 (decisive)."),
    )
    max_score = forms.IntegerField(
        label=_("Max score"),
        min_value=1,
        max_value=100,
        initial=5,
        help_text=_("Candidates are scored from 0 to this."),
    )

    def clean_name(self):
        return self.cleaned_data["name"].strip()


class BaseCriterionFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen: dict[str, int] = {}
        for index, form in enumerate(self.forms):
            if self._should_delete_form(form) or not form.cleaned_data:
                continue
            name = form.cleaned_data["name"]
            if name.casefold() in seen:
                form.add_error("name", _("Another criterion has this name."))
                raise forms.ValidationError(
                    _(
                        "Criteria %(first)s and %(second)s are both called “%(name)s”: each "
                        "criterion needs its own name."
                    )
                    % {"first": seen[name.casefold()] + 1, "second": index + 1, "name": name}
                )
            seen[name.casefold()] = index

    def criteria(self) -> list[dict]:
        """The criteria to keep, in the form the services take."""
        kept = []
        for form in self.forms:
            if self._should_delete_form(form) or not form.cleaned_data:
                continue
            item = {
                k: form.cleaned_data[k]
                for k in ("name", "measure", "description", "weight", "max_score")
            }
            if form.cleaned_data.get("id"):
                item["id"] = form.cleaned_data["id"]
            kept.append(item)
        return kept


CriterionFormSet = forms.formset_factory(
    CriterionForm,
    formset=BaseCriterionFormSet,
    extra=2,
    can_delete=True,
    max_num=40,
    validate_max=True,
    absolute_max=60,
)


def criteria_initial(strategy: TwinningStrategy | None) -> list[dict]:
    """A formset's initial rows from a version's (prefetched) criteria."""
    if strategy is None:
        return []
    return [
        {
            "id": c.pk,
            "name": c.name,
            "measure": c.measure,
            "description": c.description,
            "weight": c.weight,
            "max_score": c.max_score,
        }
        for c in strategy.criteria.all()
    ]


class ApproveStrategyForm(PlainForm):
    approved_on = forms.DateField(
        label=_("Approved on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The date council (or the delegated authority) approved it. Empty: today."),
    )

    def clean_approved_on(self) -> dt.date | None:
        value = self.cleaned_data["approved_on"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The approval date cannot be in the future."))
        return value


# --- Officers --------------------------------------------------------------------------------


class OfficerAddForm(PlainForm):
    """Add an existing portal user to a city by username or email address."""

    user = forms.CharField(
        label=_("Username or email"),
        max_length=254,
        help_text=_("They need a portal account already."),
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=CityMembership.Role.choices, initial=CityMembership.Role.OFFICER
    )

    def __init__(self, *args, partner: Partner, **kwargs):
        super().__init__(*args, **kwargs)
        self.partner = partner

    def clean_user(self):
        wanted = self.cleaned_data["user"].strip()
        users = get_user_model().objects.all()
        user = users.filter(username=wanted).first()
        if user is None:
            # Email addresses are not unique, so only one match counts.
            matches = list(users.filter(Q(username__iexact=wanted) | Q(email__iexact=wanted))[:2])
            if len(matches) > 1:
                raise forms.ValidationError(
                    _("Several accounts match this; enter the exact username instead.")
                )
            user = matches[0] if matches else None
        if user is None:
            raise forms.ValidationError(
                _("No portal user has the username or email “%(wanted)s”.") % {"wanted": wanted}
            )
        if not user.is_active:
            raise forms.ValidationError(_("%(user)s's account is deactivated.") % {"user": user})
        if CityMembership.objects.filter(partner=self.partner, user=user).exists():
            raise forms.ValidationError(
                _("%(user)s already works for %(city)s.")
                % {"user": user, "city": self.partner.name}
            )
        return user


class OfficerRoleForm(PlainForm):
    role = forms.ChoiceField(label=_("Role"), choices=CityMembership.Role.choices)
