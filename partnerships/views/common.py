"""What every portal view needs: finding a partnership the user may see or change, or 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404

from partnerships import selectors
from partnerships.models import Partnership
from partnerships.services import DomainError


def visible_partnership_or_404(request, pk: int) -> Partnership:
    """A 404, not a 403, for other cities' private partnerships: their existence is private too."""
    return get_object_or_404(selectors.partnerships_visible_to(request.user), pk=pk)


def editable_partnership_or_404(request, pk: int) -> Partnership:
    return get_object_or_404(selectors.partnerships_editable_by(request.user), pk=pk)


def require(condition: bool) -> None:
    if not condition:
        raise Http404


def report_refusal(request, exc: DomainError | ValidationError) -> None:
    """Show a refused operation as an error message, with each missing item."""
    if isinstance(exc, DomainError):
        messages.error(request, exc.message, extra_tags="refusal")
        for item in exc.missing:
            messages.error(request, item, extra_tags="missing")
    else:
        for message in exc.messages:
            messages.error(request, message)


def apply_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (or the form) so nothing is lost."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
