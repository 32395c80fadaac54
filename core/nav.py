"""The navigation bar, built once: each app registers its items on the hook `nav.items` from its
AppConfig.ready(), and `navigation(request)` (a context processor) lays them out with the
current page marked, so no template of an inner app names an outer app's URLs.

An item is active (highlighted, `aria-current="page"`) on its own page and on the pages whose
view names it lists in `also_on`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import hooks
from core.access import has_a_role, holds_a_role

# Where an item goes: the bar, its right end, the person's menu, or the bar of a visitor.
MAIN, END, ACCOUNT, PUBLIC = "main", "end", "account", "public"


def signed_in(request) -> bool:
    return request.user.is_authenticated


def anonymous(request) -> bool:
    return not request.user.is_authenticated


@dataclass(frozen=True)
class NavItem:
    label: str
    view: str  # "namespace:name" of the page it opens
    order: int  # left to right, top to bottom
    place: str = MAIN  # MAIN, END, ACCOUNT or PUBLIC (see above)
    icon: str = ""  # a Bootstrap icon name
    shown: Callable = signed_in  # (request) -> bool
    also_on: tuple[str, ...] = ()
    # (request) -> (the icon to show instead, a badge's text or ""), e.g. the bell's count
    state: Callable | None = None


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    icon: str
    active: bool
    badge: str


def _current(request) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else ""


def navigation(request) -> dict:
    """Context processor: `nav` = {"main": [...], "end": [...], "account": [...]} of Links."""
    user = getattr(request, "user", None)
    if user is None:
        return {}
    current = _current(request)
    places: dict[str, list[Link]] = {MAIN: [], END: [], ACCOUNT: [], PUBLIC: []}
    for item in sorted(hooks.providers("nav.items"), key=lambda i: i.order):
        if not item.shown(request):
            continue
        icon, badge = item.icon, ""
        if item.state is not None:
            icon, badge = item.state(request)
        places[item.place].append(
            Link(
                label=item.label,
                url=reverse(item.view),
                icon=icon,
                active=current == item.view or current in item.also_on,
                badge=badge,
            )
        )
    # The search box: for people with a role (an account without one has no page to find).
    return {"nav": places, "nav_home": _home(request), "nav_search": holds_a_role(request)}


def _home(request) -> str:
    """Where the portal's name leads: a signed-in account without a role (a chamber sign-up
    waiting or rejected) to its status page, the only page of its own; "" for the default."""
    if request.user.is_authenticated and not has_a_role(getattr(request, "roles", frozenset())):
        return reverse(settings.ACCOUNT_STATUS_VIEW)
    return ""


def is_superuser(request) -> bool:
    return request.user.is_superuser


CORE_ITEMS = (
    NavItem(_("Admin"), "admin:index", order=900, shown=is_superuser),
    NavItem(_("Change password"), "password_change", order=900, place=ACCOUNT),
    NavItem(_("Log in"), "login", order=900, place=PUBLIC, shown=anonymous),
)
