"""GeoJSON, chosen with `?format=geojson` (or `Accept: application/geo+json`) on a list that
has a map: the list's own GeoJSON route answers then."""

from __future__ import annotations

from rest_framework.renderers import JSONRenderer


class GeoJSONRenderer(JSONRenderer):
    media_type = "application/geo+json"
    format = "geojson"
