"""The bell in the navigation bar: the signed-in person's unread count, read once per page."""

from __future__ import annotations

from dataclasses import dataclass

from core import page_cache
from notifications import selectors


@dataclass(frozen=True)
class Unread:
    """The signed-in person's unread count, as the bell shows it."""

    count: int

    @property
    def label(self) -> str:
        return "99+" if self.count > 99 else str(self.count)


class UnreadCountMiddleware:
    """Counts the signed-in person's unread notifications (one query) just before the view
    runs, so that base.html's bell never queries while a template renders. Nothing for
    anonymous visitors, the Django admin, or htmx requests for a fragment of a page (no
    navigation bar in them)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if getattr(view_func, "not_a_page", False):
            return None
        match = request.resolver_match
        if match is not None and "admin" in match.namespaces:
            return None
        htmx = getattr(request, "htmx", None)
        if htmx and not htmx.boosted:
            return None

        def count() -> None:
            request.unread = Unread(selectors.unread_count(user))

        # A page served from the page cache already shows the count: no query for it then.
        page_cache.on_miss(request, view_func, count)
        return None


def unread_count(request) -> dict:
    """Context processor: the count the middleware read (no query of its own)."""
    found = getattr(request, "unread", None)
    return {"unread": found} if found is not None else {}


def bell(request) -> tuple[str, str]:
    """The bell's icon and badge in the navigation bar (core.nav): filled when something is
    unread, with the count the middleware read."""
    found = getattr(request, "unread", None)
    if found is None or not found.count:
        return "bell", ""
    return "bell-fill", found.label
