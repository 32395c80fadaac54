"""The partnership list's filters. Every filter that looks at member cities or areas is an
Exists subquery, so a partnership never appears twice whatever matches."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from core.formatting import country_name
from core.forms import ChoicesForm
from partnerships import selectors
from partnerships.models import CooperationArea, Partner, Partnership, PartnershipMember, Step
from partnerships.selectors.names import has_member_named

SCOPE_MINE = "mine"
SCOPE_CHOICES = [("", _("All visible (incl. published)")), (SCOPE_MINE, _("Only my cities"))]

SORTS = {
    "title": (_("Title"), [F("title").asc(), F("pk").asc()]),
    "step": (_("Step"), [F("step").asc(), F("title").asc(), F("pk").asc()]),
    "updated": (_("Recently updated"), [F("updated_at").desc(), F("pk").desc()]),
    "next_review": (
        _("Next review"),
        [F("next_review_on").asc(nulls_last=True), F("title").asc(), F("pk").asc()],
    ),
}


def _members(**lookup) -> Exists:
    return Exists(PartnershipMember.objects.filter(partnership=OuterRef("pk"), **lookup))


def country_choices() -> list[tuple[str, str]]:
    """Countries that have a city in the portal (one query), by name."""
    codes = set(Partner.objects.order_by().values_list("country", flat=True).distinct())
    return sorted(((c, country_name(c)) for c in codes if c), key=lambda c: c[1])


class PartnershipFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method="filter_text", help_text=_("Title or member city.")
    )
    scope = django_filters.ChoiceFilter(
        label=_("Show"),
        choices=SCOPE_CHOICES[1:],
        empty_label=SCOPE_CHOICES[0][1],
        method="filter_scope",
    )
    step = django_filters.ChoiceFilter(
        choices=Step.choices, label=_("Step"), empty_label=_("Any step")
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=Partnership.Category.choices, empty_label=_("Any category")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Partnership.Status.choices, empty_label=_("Any status")
    )
    country = django_filters.ChoiceFilter(
        label=_("Country of a member city"),
        choices=[],
        method="filter_country",
        empty_label=_("Any country"),
    )
    area = django_filters.ModelChoiceFilter(
        label=_("Area of cooperation"),
        queryset=CooperationArea.objects.order_by("name"),
        method="filter_area",
        empty_label=_("Any area"),
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=[(key, label) for key, (label, _) in SORTS.items()],
        empty_label=None,
        method="filter_sort",
    )

    class Meta:
        model = Partnership
        fields = ["q", "scope", "step", "category", "status", "country", "area", "sort"]
        form = ChoicesForm

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # A member city by any of its names: "Durban" finds eThekwini's partnerships.
        return queryset.filter(Q(title__icontains=value) | has_member_named(value))

    def filter_scope(self, queryset, name, value):
        if value != SCOPE_MINE:
            return queryset
        return queryset & selectors.partnerships_of_my_cities(self.request.user)

    def filter_country(self, queryset, name, value):
        return queryset.filter(_members(partner__country=value))

    def filter_area(self, queryset, name, value):
        through = Partnership.areas.through
        return queryset.filter(
            Exists(through.objects.filter(partnership=OuterRef("pk"), cooperationarea=value))
        )

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*SORTS.get(value, SORTS["title"])[1])

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        # Unsorted (or sorted by something unknown), the list is by title, stably.
        self.queryset = self.queryset.order_by(*SORTS["title"][1])
        # Read once: a callable would be asked again to render and to validate.
        self.filters["country"].extra["choices"] = country_choices()
