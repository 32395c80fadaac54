"""The API's routes: /api/schema/ and its pages, everything else under /api/v1/ (names
`api:<name>`)."""

from __future__ import annotations

from django.http import JsonResponse
from django.urls import path, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from api.views import docs, me, partnerships, places, records, registry

app_name = "api"

V1 = "v1/"

urlpatterns = [
    path("schema/", docs.SchemaView.as_view(), name="schema"),
    path("docs/", docs.SwaggerView.as_view(), name="docs"),
    path("redoc/", docs.RedocView.as_view(), name="redoc"),
    path(f"{V1}me/", me.Me.as_view(), name="me"),
    # Partnerships and their records.
    path(f"{V1}partnerships/", partnerships.PartnershipList.as_view(), name="partnership_list"),
    path(
        f"{V1}partnerships/geojson/",
        partnerships.PartnershipGeoJson.as_view(),
        name="partnership_geojson",
    ),
    path(
        f"{V1}partnerships/<id:pk>/",
        partnerships.PartnershipDetail.as_view(),
        name="partnership_detail",
    ),
    path(
        f"{V1}partnerships/<id:pk>/advance/",
        partnerships.PartnershipAdvance.as_view(),
        name="partnership_advance",
    ),
    path(
        f"{V1}partnerships/<id:pk>/return/",
        partnerships.PartnershipReturn.as_view(),
        name="partnership_return",
    ),
    path(f"{V1}partnerships/<id:pk>/mous/", records.MouList.as_view(), name="partnership_mous"),
    path(
        f"{V1}partnerships/<id:pk>/reviews/",
        records.ReviewList.as_view(),
        name="partnership_reviews",
    ),
    path(
        f"{V1}partnerships/<id:pk>/reviews/<id:review_id>/kpi-actuals/",
        records.ReviewKpiActuals.as_view(),
        name="review_kpi_actuals",
    ),
    path(
        f"{V1}partnerships/<id:pk>/activities/",
        records.ActivityList.as_view(),
        name="partnership_activities",
    ),
    path(
        f"{V1}partnerships/<id:pk>/sub-alliances/",
        records.SubAllianceList.as_view(),
        name="partnership_sub_alliances",
    ),
    path(
        f"{V1}partnerships/<id:pk>/outcomes/",
        records.OutcomeList.as_view(),
        name="partnership_outcomes",
    ),
    path(
        f"{V1}partnerships/<id:pk>/lessons/",
        records.LessonList.as_view(),
        name="partnership_lessons",
    ),
    path(
        f"{V1}partnerships/<id:pk>/comments/",
        records.CommentList.as_view(),
        name="partnership_comments",
    ),
    path(
        f"{V1}sub-alliances/<id:sub_alliance_id>/outcomes/",
        records.SubAllianceOutcomes.as_view(),
        name="sub_alliance_outcomes",
    ),
    # Partner cities.
    path(f"{V1}cities/", places.CityList.as_view(), name="city_list"),
    path(f"{V1}cities/geojson/", places.CityGeoJson.as_view(), name="city_geojson"),
    path(f"{V1}cities/<id:city_id>/", places.CityDetail.as_view(), name="city_detail"),
    # The public registry.
    path(f"{V1}registry/", registry.RegistryList.as_view(), name="registry_list"),
    path(f"{V1}registry/<id:pk>/", registry.RegistryDetail.as_view(), name="registry_detail"),
]


@csrf_exempt  # it changes nothing: a POST to a wrong address is a 404 too, not a CSRF page
def not_found(request, rest=""):
    """Anything else under /api/: a JSON 404 like the API's own, not the HTML page."""
    return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)


urlpatterns.append(re_path(r"^(?P<rest>.*)$", not_found))


class OpenViews:
    """Every named API route, for the hook `access.open_views` (read when asked, after the
    URLs are loaded)."""

    def __iter__(self):
        return iter(f"api:{p.name}" for p in urlpatterns if getattr(p, "name", None))

    def __eq__(self, other) -> bool:
        return isinstance(other, OpenViews)

    def __hash__(self) -> int:
        return hash(OpenViews)
