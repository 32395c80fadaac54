"""What every API view shares: its permissions stated on the server, no page-only work, and
private answers kept out of shared caches."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, generics
from rest_framework.renderers import JSONRenderer

from api import serializers as s
from api.permissions import SIGNED_IN
from api.renderers import GeoJSONRenderer
from partnerships import health, permissions, selectors
from partnerships.models import Partnership
from partnerships.views.common import visible_partnership_or_404

PRIVATE_CACHE_CONTROL = "private, no-store"


class ApiView(generics.GenericAPIView):
    permission_classes = SIGNED_IN

    @classmethod
    def as_view(cls, **initkwargs):
        view = super().as_view(**initkwargs)
        # Not a page: the notifications bell's count is not read for it (core.views.not_a_page).
        view.not_a_page = True
        return view

    def finalize_response(self, request, response, *args, **kwargs):
        if response.status_code >= 400 and isinstance(
            getattr(request, "accepted_renderer", None), GeoJSONRenderer
        ):
            # An error is JSON, even where GeoJSON was asked for (api/errors.py).
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        response = super().finalize_response(request, response, *args, **kwargs)
        if "Cache-Control" not in response:
            response["Cache-Control"] = PRIVATE_CACHE_CONTROL
        return response


class ApiListView(ApiView, generics.ListAPIView):
    pass


def partnership_rows(qs):
    """The list page's rows (members, areas) with the health facts in the same query."""
    return selectors.partnership_rows(health.with_health_facts(qs, timezone.localdate()))


def visible(request, pk: int) -> Partnership:
    """The partnership if the person may open it (the pages' own rule), else a 404."""
    return visible_partnership_or_404(request, pk)


def editable(request, pk: int) -> Partnership:
    """Visible (else 404), and the person may change it (else 403: an archived one)."""
    partnership = visible(request, pk)
    if not permissions.can_edit_partnership(request.user, partnership):
        raise exceptions.PermissionDenied(_("You may not change this partnership."))
    return partnership


# A service's refusal (api/errors.py), for the schema of the writes.
REFUSED = {409: s.RefusedSerializer}
