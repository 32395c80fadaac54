"""Partnerships: the list (the list page's filters), one partnership, the lines between their
cities as GeoJSON, and the moves between steps (through `services.partnership_move`, the
only code that changes a step).

A list's page asks a fixed number of queries whatever its length: the rows with their health
facts, members, the gates' facts (two), the KPIs with their latest actuals, the MOUs, and the
health providers' own (tests/api/test_queries.py)."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from api import serializers as s
from api.pagination import Cursor
from api.renderers import GeoJSONRenderer
from api.views.common import REFUSED, ApiListView, ApiView, editable, partnership_rows
from partnerships import health, selectors, services, workflow
from partnerships.filters import PartnershipFilter
from partnerships.models import KPI, MOU, KPIResult, Partnership, Step, StepTransition


class ByTitle(Cursor):
    ordering = ("title", "id")


def prepare(rows: list[Partnership]) -> list[Partnership]:
    """Attach what the serializer shows to rows read with `partnership_rows`: the gate of the
    next step, the KPIs with their latest actual, the MOUs, the health. Constant in rows."""
    rows = list(rows)
    if not rows:
        return rows
    ids = [p.pk for p in rows]
    facts = workflow.gather_facts_many(rows)
    latest = KPIResult.objects.filter(kpi=OuterRef("pk")).order_by("-review__period_end", "-id")
    kpis: dict[int, list[KPI]] = {pk: [] for pk in ids}
    for kpi in (
        KPI.objects.filter(partnership_id__in=ids)
        .annotate(
            latest_actual=Subquery(latest.values("actual")[:1]),
            latest_review_id=Subquery(latest.values("review_id")[:1]),
            latest_period_end=Subquery(latest.values("review__period_end")[:1]),
            latest_review_status=Subquery(latest.values("review__status")[:1]),
        )
        .order_by("name", "id")
    ):
        kpis[kpi.partnership_id].append(kpi)
    mous: dict[int, list[MOU]] = {pk: [] for pk in ids}
    for mou in MOU.objects.filter(partnership_id__in=ids).only(
        "pk", "partnership_id", "status", "signed_on", "effective_on", "expires_on", "created_at"
    ):
        mous[mou.partnership_id].append(mou)
    health.attach_health(rows, timezone.localdate())
    for p in rows:
        last = p.step >= workflow.LAST_STEP
        p.gate = {
            "next_step": None if last else p.step + 1,
            "next_step_label": None if last else str(Step(p.step + 1).label),
            "missing": [str(m) for m in workflow.missing_to_advance(p, facts.get(p.pk))],
        }
        p.kpi_rows = kpis[p.pk]
        p.mou_rows = mous[p.pk]
    return rows


def one_partnership(request, pk: int) -> Partnership:
    """One partnership the person may open, prepared as a list row (404 otherwise)."""
    qs = partnership_rows(selectors.partnerships_visible_to(request.user))
    return prepare([get_object_or_404(qs, pk=pk)])[0]


def filtered(request):
    """The list page's filters on what the person may see; a 400 for a value it refuses."""
    filters = PartnershipFilter(
        request.query_params,
        queryset=selectors.partnerships_visible_to(request.user),
        request=request,
    )
    if not filters.is_valid():
        raise exceptions.ValidationError(filters.errors)
    return filters.qs


FILTERS = [
    OpenApiParameter(
        "format", str, enum=["json", "geojson"], description="geojson: GeoJSON (all at once)."
    ),
    OpenApiParameter("q", str, description="Title or member city."),
    OpenApiParameter("scope", str, enum=["mine"], description="Only my cities' partnerships."),
    OpenApiParameter("step", int, enum=list(Step.values)),
    OpenApiParameter("category", str, enum=list(Partnership.Category.values)),
    OpenApiParameter("status", str, enum=list(Partnership.Status.values)),
    OpenApiParameter("country", str, description="ISO code of a member city's country."),
    OpenApiParameter("area", int, description="Id of an area of cooperation."),
]


class PartnershipList(ApiListView):
    """The partnerships the person may open (their cities'; all for admins), by title.
    `?format=geojson` answers as `partnerships/geojson/` (lines between their cities)."""

    serializer_class = s.PartnershipSerializer
    pagination_class = ByTitle
    renderer_classes = [JSONRenderer, GeoJSONRenderer]

    def get_queryset(self):
        return partnership_rows(filtered(self.request))

    @extend_schema(
        parameters=FILTERS,
        responses={
            (200, "application/json"): s.PartnershipSerializer(many=True),
            # Not paginated: the whole collection (api.schema.add_errors unwraps it).
            (200, "application/geo+json"): s.LineCollectionSerializer,
        },
    )
    def get(self, request, *args, **kwargs):
        if request.accepted_renderer.format == "geojson":
            return PartnershipGeoJson().get(request)
        page = self.paginate_queryset(self.get_queryset())
        data = self.get_serializer(prepare(page), many=True).data
        return self.get_paginated_response(data)


class PartnershipDetail(ApiView):
    serializer_class = s.PartnershipDetailSerializer

    def get(self, request, pk: int):
        return Response(self.get_serializer(one_partnership(request, pk)).data)


def _line(members) -> list[list[list[float]]]:
    """From the home city to each other member city that has coordinates."""
    placed = [m for m in members if m.partner.latitude is not None and m.partner.longitude]
    if len(placed) < 2:
        return []
    home = next((m for m in placed if m.role == m.Role.HOME), placed[0])
    start = [float(home.partner.longitude), float(home.partner.latitude)]
    return [
        [start, [float(m.partner.longitude), float(m.partner.latitude)]]
        for m in placed
        if m is not home
    ]


class PartnershipGeoJson(ApiView):
    """The same partnerships (and filters) as lines between their cities: a GeoJSON
    FeatureCollection of MultiLineStrings (longitude, latitude), for QGIS or a web map.
    Partnerships with fewer than two cities placed on the map are left out."""

    serializer_class = s.LineCollectionSerializer
    pagination_class = None
    renderer_classes = [JSONRenderer, GeoJSONRenderer]

    @extend_schema(
        parameters=FILTERS, responses={(200, "application/geo+json"): s.LineCollectionSerializer}
    )
    def get(self, request):
        rows = selectors.with_members(filtered(request)).order_by("title", "pk")
        features = []
        for p in rows:
            members = list(p.members.all())
            lines = _line(members)
            if not lines:
                continue
            features.append(
                {
                    "type": "Feature",
                    "id": p.pk,
                    "geometry": {"type": "MultiLineString", "coordinates": lines},
                    "properties": {
                        "title": p.title,
                        "step": p.step,
                        "step_label": str(p.step_label),
                        "status": p.status,
                        "category": p.category,
                        "cities": ", ".join(m.partner.name for m in members),
                    },
                }
            )
        return Response(
            {"type": "FeatureCollection", "features": features},
            content_type="application/geo+json",
        )


# --- Moves ------------------------------------------------------------------------------------


def _moved(request, partnership: Partnership, move: StepTransition) -> Response:
    body = {
        "transition": {
            "id": move.pk,
            "from_step": move.from_step,
            "to_step": move.to_step,
            "kind": move.kind,
            "reason": move.reason,
            "at": move.at,
        },
        "partnership": one_partnership(request, partnership.pk),
    }
    return Response(s.MoveResultSerializer(body).data, status=status.HTTP_200_OK)


class PartnershipAdvance(ApiView):
    """Advance to the next step. Refused (409, nothing changed) while the gate misses
    something: `missing` lists it; or when someone moved the partnership meanwhile."""

    serializer_class = s.MoveSerializer

    @extend_schema(request=s.MoveSerializer, responses={200: s.MoveResultSerializer, **REFUSED})
    def post(self, request, pk: int):
        partnership = editable(request, pk)
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        from_step = int(data.validated_data["from_step"])
        move = services.partnership_move(
            partnership_id=partnership.pk,
            from_step=from_step,
            to_step=from_step + 1,
            kind=StepTransition.Kind.ADVANCE,
            user=request.user,
        )
        return _moved(request, partnership, move)


class PartnershipReturn(ApiView):
    """Return to an earlier step, saying why (409 when refused, nothing changed)."""

    serializer_class = s.ReturnSerializer

    @extend_schema(request=s.ReturnSerializer, responses={200: s.MoveResultSerializer, **REFUSED})
    def post(self, request, pk: int):
        partnership = editable(request, pk)
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        move = services.partnership_move(
            partnership_id=partnership.pk,
            from_step=int(data.validated_data["from_step"]),
            to_step=int(data.validated_data["to_step"]),
            kind=StepTransition.Kind.RETURN,
            user=request.user,
            reason=data.validated_data["reason"],
        )
        return _moved(request, partnership, move)
