"""What views of every app share: a 404 for what may not be seen, a refusal shown as messages,
a service's errors put back on the form, the form data of a POST, a page of a list, and where
to go back to after a form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.utils.http import url_has_allowed_host_and_scheme

from core.errors import DomainError

PER_PAGE = 25


def not_a_page(view):
    """For a view that answers a file or a feed, not a page: nothing that only a page shows
    (the notifications bell's count) is read for it."""
    view.not_a_page = True
    return view


def require(condition: bool) -> None:
    """A 404 unless `condition`: what a person may not see, they cannot tell exists."""
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


def posted(request, files: bool = False):
    """The form data of a POST (an empty POST included, so that it shows its field errors
    rather than an unbound form), None for a GET."""
    if request.method != "POST":
        return None
    return request.FILES if files else request.POST


def paginate(request, rows, per_page: int = PER_PAGE, read=list) -> dict:
    """The page `?page=` asks for (the last one when beyond, the first when not a number), for
    templates/core/_pager.html: `page`, `page_range` and `ellipsis`. The rows are read here by
    `read` (list by default), never while the template renders."""
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    page.object_list = read(page.object_list)
    return {
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number),
        "ellipsis": Paginator.ELLIPSIS,
    }


def local_next(request, default: str) -> str:
    """The `next` address the form or link carries when it is a path on this site (an open
    redirect to another site is the classic phishing aid), else `default`. Control characters
    are refused too: a header with a line break in it is an error, not a redirect."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if (
        candidate.startswith("/")
        and len(candidate) <= 2000
        and not any(ord(c) < 32 or ord(c) == 127 for c in candidate)
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return candidate
    return default
