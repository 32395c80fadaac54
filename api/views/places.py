"""Partner cities: the directory (its filters), one city, and the same cities as GeoJSON
points with their population (for QGIS or a web map). The directory is open to everyone
signed in, as its page."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from api import serializers as s
from api.pagination import Cursor
from api.renderers import GeoJSONRenderer
from api.views.common import ApiListView, ApiView
from partnerships.forms.cities import CityFilter, directory_queryset
from partnerships.models import Partner

CITY_FILTERS = [
    OpenApiParameter(
        "format", str, enum=["json", "geojson"], description="geojson: GeoJSON (all at once)."
    ),
    OpenApiParameter("q", str, description="Name."),
    OpenApiParameter("country", str, description="ISO 3166 code."),
    OpenApiParameter("kind", str, enum=list(Partner.Kind.values)),
    OpenApiParameter("global_region", str, enum=list(Partner.GlobalRegion.values)),
    OpenApiParameter("sector", int, description="Id of a sector."),
]


class ByName(Cursor):
    ordering = ("name", "id")


def filtered(request):
    filters = CityFilter(request.query_params)
    if not filters.is_valid():
        raise exceptions.ValidationError(filters.errors)
    return filters.qs


class CityList(ApiListView):
    """The directory; `?format=geojson` answers as `cities/geojson/` (all the cities at once)."""

    serializer_class = s.CitySerializer
    pagination_class = ByName
    renderer_classes = [JSONRenderer, GeoJSONRenderer]

    def get_queryset(self):
        return filtered(self.request)

    @extend_schema(
        parameters=CITY_FILTERS,
        responses={
            (200, "application/json"): s.CitySerializer(many=True),
            # Not paginated: the whole collection (api.schema.add_errors unwraps it).
            (200, "application/geo+json"): s.CityCollectionSerializer,
        },
    )
    def get(self, request, *args, **kwargs):
        if request.accepted_renderer.format == "geojson":
            return CityGeoJson().get(request)
        return super().get(request, *args, **kwargs)


class CityDetail(ApiView):
    serializer_class = s.CitySerializer

    def get(self, request, city_id: int):
        city = get_object_or_404(directory_queryset(), pk=city_id)
        return Response(self.get_serializer(city).data)


class CityGeoJson(ApiView):
    """The directory's cities (and filters) that have coordinates, as a GeoJSON
    FeatureCollection of points (longitude, latitude) with their population."""

    serializer_class = s.CityCollectionSerializer
    pagination_class = None
    renderer_classes = [JSONRenderer, GeoJSONRenderer]

    @extend_schema(
        parameters=CITY_FILTERS,
        responses={(200, "application/geo+json"): s.CityCollectionSerializer},
    )
    def get(self, request):
        features = [
            {
                "type": "Feature",
                "id": city.pk,
                "geometry": {
                    "type": "Point",
                    "coordinates": [float(city.longitude), float(city.latitude)],
                },
                "properties": {
                    "name": city.name,
                    "province": city.province,
                    "country": str(city.country),
                    "kind": city.kind,
                    "population": city.population,
                    "global_region": city.global_region,
                    "partnerships": city.partnership_count,
                },
            }
            for city in filtered(request).filter(latitude__isnull=False, longitude__isnull=False)
        ]
        return Response(
            {"type": "FeatureCollection", "features": features},
            content_type="application/geo+json",
        )
