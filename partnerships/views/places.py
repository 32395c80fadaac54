"""Adding a partner city from the world gazetteer: search it by any name, choose a place.

Any officer (or admin) may add a city; the city directory is shared reference data. Choosing
a place already in the portal leads to that city instead of a second one.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from core.formatting import country_name
from core.views import paginate, require
from gazetteer.selectors import BadQuery, search_places
from partnerships import services
from partnerships.forms.places import PlaceChoiceForm, PlaceSearchForm
from partnerships.models import Partner

PLACES_PER_PAGE = 20
MOST_RESULTS = 200  # ten pages: past that, the name typed is too short to be useful


def _page(request, search: PlaceSearchForm, choice: PlaceChoiceForm | None = None):
    paged, cities = None, {}
    if search.is_bound and search.is_valid():
        try:
            places = search_places(search.cleaned_data["q"])
        except BadQuery as exc:
            search.search_error(exc)
        else:
            paged = paginate(request, places[:MOST_RESULTS], PLACES_PER_PAGE)
            ids = [p.pk for p in paged["page"].object_list]
            # Places already in the portal link to their city instead of offering to add it.
            cities = dict(Partner.objects.filter(geonameid__in=ids).values_list("geonameid", "pk"))
            for place in paged["page"].object_list:
                place.city_pk = cities.get(place.pk)
                place.country_name = country_name(place.country)
    return render(
        request,
        "partnerships/cities/city_add.html",
        {
            "search": search,
            "choice": choice,
            "most": MOST_RESULTS,
            **(paged or {}),
            "places": paged["page"].object_list if paged else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def city_add(request):
    require(services.may_add_city(request.user))
    if request.method == "GET":
        return _page(request, PlaceSearchForm(request.GET if "q" in request.GET else None))

    choice = PlaceChoiceForm(request.POST)
    search = PlaceSearchForm({"q": request.POST.get("q", "")} if request.POST.get("q") else None)
    if not choice.is_valid():
        choice.add_error(None, _("Choose a city from the search results."))
        return _page(request, search, choice)
    try:
        city, created = services.partner_city_add(
            geonameid=choice.cleaned_data["place"], user=request.user
        )
    except DomainError as exc:
        choice.add_error(None, exc.message)
        return _page(request, search, choice)
    if created:
        messages.success(
            request, _("%(city)s is now a partner city in the portal.") % {"city": city.name}
        )
    else:
        messages.info(
            request, _("%(city)s was already in the portal: here it is.") % {"city": city.name}
        )
    return redirect("partnerships:city_detail", pk=city.pk)


urlpatterns = [
    path("cities/add/", city_add, name="city_add"),
]
