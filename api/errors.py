"""Every error as JSON: `{"detail": "...", "code": "..."}`, with `errors` (per field) for input
that is refused and `missing` (what a step's gate still asks for) for a refused move.

A service's refusal (core.errors.DomainError) is a 409 Conflict: the request was understood
and allowed, but the record's state refuses it (a gate not met, someone else's move first);
nothing was changed. A service's ValidationError is a 400 with its fields."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from config.middleware import server_error as portal_server_error
from core.errors import DomainError


class Refused(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The portal refused this change; nothing was changed.")
    default_code = "refused"

    def __init__(self, error: DomainError):
        super().__init__(str(error.message))
        self.missing = [str(m) for m in error.missing]


def _validation(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(
            {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
        )
    return exceptions.ValidationError({"non_field_errors": [str(m) for m in exc.messages]})


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        exc = Refused(exc)
    elif isinstance(exc, DjangoValidationError):
        exc = _validation(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real error: Django's 500 (logged, and sent to Sentry when configured)
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        body = {
            "detail": str(_("Some of what was sent is not valid.")),
            "code": "invalid",
            "errors": data if isinstance(data, dict) else {"non_field_errors": data},
        }
    else:
        detail = data.get("detail", "") if isinstance(data, dict) else data
        body = {"detail": str(detail), "code": getattr(detail, "code", None) or _code(exc)}
    if isinstance(exc, Refused):
        body["missing"] = exc.missing
    return Response(body, status=response.status_code, headers=_headers(response))


def _code(exc) -> str:
    return getattr(exc, "default_code", "error")


def _headers(response) -> dict:
    return {k: v for k, v in response.items() if k in ("WWW-Authenticate", "Retry-After", "Allow")}


def server_error(request):
    """handler500 (config/urls.py): under /api/ a JSON 500 like the API's other errors;
    everywhere else, and for a database outage, the portal's own (config.middleware)."""
    response = portal_server_error(request)
    if response.status_code != 500 or not request.path.startswith("/api/"):
        return response
    body = {"detail": str(_("Something went wrong on our side.")), "code": "server_error"}
    return JsonResponse(body, status=500)
