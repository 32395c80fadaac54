"""The OpenAPI schema and its two pages, Swagger UI and ReDoc, from our own static files
(drf-spectacular-sidecar). Neither page has an inline script: Swagger UI's start-up script is
a file of its own (`SpectacularSwaggerSplitView`), ReDoc starts from its element. Both draw
their styles at run time, which the portal's `style-src 'self'` would refuse; these two pages
alone may add inline styles (never scripts), and ReDoc its search worker from a blob."""

from __future__ import annotations

from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.permissions import AllowAny

DOCS_CSP = {"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]}


class SchemaView(SpectacularAPIView):
    permission_classes = [AllowAny]


@method_decorator(csp_update(DOCS_CSP), name="get")
class SwaggerView(SpectacularSwaggerSplitView):
    permission_classes = [AllowAny]
    url_name = "api:schema"
    template_name = "api/swagger_ui.html"


@method_decorator(csp_update(DOCS_CSP), name="get")
class RedocView(SpectacularRedocView):
    permission_classes = [AllowAny]
    url_name = "api:schema"
    template_name = "api/redoc.html"
