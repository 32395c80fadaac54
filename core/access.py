"""An account without a role sees what an anonymous visitor sees.

Apps say which roles a person has (hook `access.roles`: a city's officer, a chamber's staff, a
pending chamber sign-up...) and which pages are open to people without one (hook
`access.open_views`: signing in and out, the password pages, the public registry, the sign-up
and invitation pages...). `RoleMiddleware` sends a signed-in person with no role (or only a
waiting one, "pending") from every other page to their account's status page
(settings.ACCOUNT_STATUS_VIEW), where they see what they asked for and what they can do.

Why the roles are remembered in the session: officers and chamber staff make nearly all
requests, and every page has a query budget; their roles are read once when they sign in
(`remember_roles`, on `user_logged_in`) and kept with their user id. Only a session that holds
no role asks again on each request (a small query per app), so an approval or an accepted
invitation takes effect at the next click. A remembered role grants nothing by itself: every
view checks its permissions against the database. At worst a person whose role is withdrawn
while signed in keeps reaching pages that then show them nothing of anyone's, until they sign
in again. `request.roles` (a frozenset) tells templates and the navigation bar who it is,
without a query.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.shortcuts import redirect

from core import hooks

ROLES_KEY = "core.roles"
ADMIN = "admin"
# A role that gives no access yet (a chamber sign-up waiting for an officer's decision).
WAITING = frozenset({"pending"})

# Open to anyone, role or not: the pages of signing in and out and the machines' probes.
OPEN_VIEWS = (
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "healthz",
    "readyz",
    "favicon",  # the icon browsers ask for on every page (config/urls.py)
)


def roles_of(user) -> frozenset[str]:
    """Every role the apps give this user (one small query per app)."""
    if user is None or not user.is_authenticated:
        return frozenset()
    roles = {ADMIN} if user.is_superuser else set()
    for provider in hooks.providers("access.roles"):
        roles.update(provider(user))
    return frozenset(roles)


def has_a_role(roles: frozenset[str]) -> bool:
    return bool(roles - WAITING)


def remember_roles(request, user) -> frozenset[str]:
    """Store the user's roles in the session (after signing in, or after a change of role)."""
    for cache in ("_city_roles", "_chamber_roles"):  # per-request caches of the apps
        if hasattr(user, cache):
            delattr(user, cache)
    roles = roles_of(user)
    value = [str(user.pk), sorted(roles)]
    if request.session.get(ROLES_KEY) != value:
        request.session[ROLES_KEY] = value
    request.roles = roles
    return roles


def on_login(sender, request, user, **kwargs) -> None:
    """Receiver of `user_logged_in`."""
    if request is not None and hasattr(request, "session"):
        remember_roles(request, user)


def open_views() -> frozenset[str]:
    names = set(OPEN_VIEWS) | {settings.ACCOUNT_STATUS_VIEW}
    for provider in hooks.providers("access.open_views"):
        names.update(provider)
    return frozenset(names)


class RoleMiddleware:
    """Sets `request.roles`, and sends a signed-in person without a role to their account's
    status page from every page not open to them (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        request.roles = frozenset()
        session = getattr(request, "session", None)
        user_id = session.get(SESSION_KEY) if session is not None else None
        if user_id is None:
            return None
        stored = session.get(ROLES_KEY)
        if isinstance(stored, list) and len(stored) == 2 and stored[0] == str(user_id):
            roles = frozenset(stored[1])
        elif request.user.is_authenticated:  # a session from before this rule, or another's
            roles = remember_roles(request, request.user)
        else:
            return None
        if not has_a_role(roles):
            # Ask again: an officer may have decided, or an invitation been accepted, since.
            if not request.user.is_authenticated:
                return None
            roles = remember_roles(request, request.user)
        request.roles = roles
        if has_a_role(roles):
            return None
        match = request.resolver_match
        if match is None or match.view_name in open_views():
            return None
        if "admin" in match.namespaces:
            # Django admin keeps its own gate: staff status and each model's permissions.
            return None
        return redirect(settings.ACCOUNT_STATUS_VIEW)


@functools.cache
def has_role(*wanted: str, admins: bool = True):
    """For a NavItem's `shown`: the person holds one of these roles (or is an admin, unless
    `admins` is False: a page of one's own chamber, which an admin does not have).

    Cached, so that the same roles give the same function: a NavItem registered again (an
    app's ready() run twice) is then equal to the first and the hook keeps one."""

    def shown(request) -> bool:
        roles = getattr(request, "roles", frozenset())
        return (admins and ADMIN in roles) or bool(roles & set(wanted))

    return shown


def holds_a_role(request) -> bool:
    """For a NavItem's `shown`: signed in with a role that gives access (not only a waiting
    one). An account without one (a pending or rejected chamber sign-up) sees its status page
    and the public pages only, so its navigation offers nothing else."""
    return request.user.is_authenticated and has_a_role(getattr(request, "roles", frozenset()))
