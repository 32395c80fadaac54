"""The partnerships app's kinds of result for the portal's search (hook `search.results`,
core/search.py): partnerships, cities, people, lessons and documents. Each reads through the
app's own visibility selectors and asks one query (documents: two, MOUs and letters)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import CharField, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from core.formatting import country_name
from core.search import Group, Hit, Query, first, matching
from partnerships import selectors
from partnerships.models import (
    MOU,
    CityMembership,
    LetterOfIntent,
    Partner,
    PartnershipMember,
)
from partnerships.selectors.names import city_named, has_member_named


def _names_of(model, ref: str = "partnership") -> Subquery:
    """The names of the cities of `model`'s rows (members, memberships) pointing at the outer
    row, as one column: a correlated subquery, evaluated for the rows kept only."""
    return Subquery(
        model.objects.filter(**{ref: OuterRef("pk")})
        .order_by()
        .values(ref)
        .annotate(names=selectors.GroupConcat("partner__name"))
        .values("names"),
        output_field=CharField(),
    )


def _see_all(view: str, query: Query) -> str:
    return f"{reverse(view)}?{urlencode({'q': query.text})}"


def partnerships_found(user, query: Query) -> Group:
    """By title, or by a member city's name in any language ("eThekwini" finds Durban's)."""
    # The member cities as one column, computed for the few rows shown only.
    qs = selectors.partnerships_visible_to(user).annotate(cities=_names_of(PartnershipMember))
    rows, more = first(matching(qs, ("title",), query, also=has_member_named(query.text)), query)
    return Group(
        kind="partnerships",
        label=_("Partnerships"),
        order=10,
        hits=[
            Hit(
                row.title,
                reverse("partnerships:detail", args=[row.pk]),
                " · ".join(part for part in (row.cities, str(row.step_label)) if part),
            )
            for row in rows
        ],
        more=more,
        more_url=_see_all("partnerships:list", query),
    )


def cities_found(user, query: Query) -> Group:
    """Every partner city, as the city directory lists them to anyone with a role, by any of
    its names."""
    qs = Partner.objects.order_by("name")
    rows, more = first(matching(qs, ("name",), query, also=city_named(query.text)), query)
    return Group(
        kind="cities",
        label=_("Cities"),
        order=20,
        hits=[
            Hit(
                row.name,
                reverse("partnerships:city_detail", args=[row.pk]),
                ", ".join(p for p in (row.province, country_name(row.country)) if p),
            )
            for row in rows
        ],
        more=more,
        more_url=_see_all("partnerships:city_list", query),
    )


def people_found(user, query: Query) -> Group:
    """Colleagues by name or job title (selectors.officers_visible_to): never by e-mail."""
    own = CityMembership.objects.filter(user=OuterRef("pk")).order_by("partner__name")
    qs = (
        selectors.officers_visible_to(user)
        .annotate(
            cities=_names_of(CityMembership, ref="user"),
            city=Subquery(own.values("partner")[:1]),
        )
        .order_by("last_name", "first_name", "pk")
    )
    rows, more = first(
        matching(qs, ("first_name", "last_name", "username", "job_title"), query), query
    )
    return Group(
        kind="people",
        label=_("People"),
        order=30,
        hits=[
            Hit(
                row.get_full_name() or row.username,
                reverse("partnerships:city_detail", args=[row.city]),
                " · ".join(part for part in (row.job_title, row.cities) if part),
            )
            for row in rows
        ],
        more=more,
    )


def lessons_found(user, query: Query) -> Group:
    qs = selectors.lessons_visible_to(user).select_related("partnership").order_by("-created_at")
    rows, more = first(matching(qs, ("theme", "text"), query), query)
    return Group(
        kind="lessons",
        label=_("Lessons"),
        order=60,
        hits=[
            Hit(
                row.theme,
                # The library, not the partnership: a lesson shared by another city is
                # readable there without its partnership's inside.
                f"{reverse('partnerships:lessons')}?{urlencode({'q': row.theme})}",
                f"{row.partnership.title} · {Truncator(row.text).chars(80)}",
            )
            for row in rows
        ],
        more=more,
        more_url=_see_all("partnerships:lessons", query),
    )


def documents_found(user, query: Query) -> Group:
    """The agreements (MOUs) and letters of intent of the partnerships the user may open,
    by their title: the kind of document and its partnership's title."""
    visible = selectors.partnerships_visible_to(user).values("pk")
    mous, more_mous = first(
        matching(
            MOU.objects.filter(partnership__in=visible)
            .select_related("partnership")
            .order_by("-effective_on", "-pk"),
            ("partnership__title",),
            query,
            also=Q(ceremony_place__icontains=query.text),
        ),
        query,
    )
    letters, more_letters = first(
        matching(
            LetterOfIntent.objects.filter(partnership__in=visible)
            .select_related("partnership")
            .order_by("-signed_on", "-pk"),
            ("partnership__title",),
            query,
        ),
        query,
    )
    hits = [
        Hit(
            _("MOU: %(title)s") % {"title": mou.partnership.title},
            reverse("partnerships:mou", args=[mou.partnership_id]),
            mou.get_status_display(),
        )
        for mou in mous
    ] + [
        Hit(
            _("Letter of intent: %(title)s") % {"title": letter.partnership.title},
            reverse("partnerships:letter_of_intent", args=[letter.partnership_id]),
            str(letter.signed_on),
        )
        for letter in letters
    ]
    return Group(
        kind="documents",
        label=_("Documents"),
        order=70,
        hits=hits[: query.limit],
        more=more_mous or more_letters or len(hits) > query.limit,
    )


PROVIDERS = (partnerships_found, cities_found, people_found, lessons_found, documents_found)
