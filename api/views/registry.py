"""The public registry, anonymously: published partnerships only (archived ones leave it), as
businesses' registry pages show them (`businesses.selectors.published_registry` and its
filter form); contacts' e-mail addresses only to signed-in chamber staff, officers, admins."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from api import serializers as s
from api.pagination import Cursor
from api.permissions import ANYONE
from api.views.common import ApiListView, ApiView
from businesses import permissions as business_permissions
from businesses import selectors as business_selectors
from businesses.forms import RegistryFilterForm
from partnerships.models import Partnership


class ByTitle(Cursor):
    ordering = ("title", "id")


class RegistryMixin:
    permission_classes = ANYONE

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "show_emails": business_permissions.may_see_registry_emails(self.request.user),
        }

    def finalize_response(self, request, response, *args, **kwargs):
        # Public when anonymous, as the registry's pages; private once signed in (e-mails).
        if not request.user.is_authenticated:
            response["Cache-Control"] = "public, max-age=60"
        return super().finalize_response(request, response, *args, **kwargs)


class RegistryList(RegistryMixin, ApiListView):
    serializer_class = s.RegistrySerializer
    pagination_class = ByTitle

    def get_queryset(self):
        form = RegistryFilterForm(self.request.query_params or None)
        return form.filter(business_selectors.published_registry())

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="City (any of its names) or title."),
            OpenApiParameter("category", str, enum=list(Partnership.Category.values)),
            OpenApiParameter("area", int, description="Id of an area of cooperation."),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class RegistryDetail(RegistryMixin, ApiView):
    serializer_class = s.RegistrySerializer

    def get(self, request, pk: int):
        partnership = get_object_or_404(business_selectors.published_registry(), pk=pk)
        return Response(self.get_serializer(partnership).data)
