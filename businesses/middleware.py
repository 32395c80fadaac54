"""Keep pending chamber sign-ups on their status page, and tell templates who is chamber staff.

A pending account (signed up, not yet approved) may sign in and see its status, nothing more:
this middleware redirects it from every other page to the status page, except logging out,
changing the password and the public pages.

Why the role is remembered in the session rather than asked of the database on every request:
officers and admins, who make nearly all requests, would pay a query on every page for a rule
that never concerns them, and every page has a budget of twelve. So the role is read once when
the user signs in (`remember_role`, on Django's `user_logged_in`, connected in
`BusinessesConfig.ready`) and kept in the session with the user's id. Only a session that says
"pending" asks again on each request (one small query), so an approval takes effect at the
user's next click. A session that does not say "pending" grants nothing by itself: every view
checks its permissions against the database. At worst a user whose request is created while
already signed in (e.g. by an admin) keeps a plain user's reach until they sign in again —
which is what they had before asking.
"""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY
from django.shortcuts import redirect

from businesses import permissions as perms

ROLE_KEY = "businesses.chamber_role"
STAFF, PENDING, NONE = "staff", "pending", ""

STATUS_PAGE = "businesses:status"
# What a pending account may reach: its status, logging out, its password, and public pages.
ALLOWED_WHILE_PENDING = frozenset(
    {
        STATUS_PAGE,
        "logout",
        "password_change",
        "password_change_done",
        # Public pages.
        "login",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
        "healthz",
        "readyz",
        "businesses:signup",
        "businesses:registry",
        "businesses:registry_detail",
        "businesses:registry_mou",
    }
)


def role_of(user) -> str:
    """ "staff" (approved in at least one association), "pending" (waiting, approved nowhere)
    or "" — one query, cached on the user for the rest of the request."""
    if perms.is_chamber_staff(user):
        return STAFF
    if perms.is_pending_chamber(user):
        return PENDING
    return NONE


def remember_role(request, user) -> str:
    """Store the user's chamber role in the session (after signing in or signing up)."""
    if hasattr(user, "_chamber_roles"):
        del user._chamber_roles
    role = role_of(user)
    if request.session.get(ROLE_KEY) != [str(user.pk), role]:
        request.session[ROLE_KEY] = [str(user.pk), role]
    return role


def on_login(sender, request, user, **kwargs) -> None:
    """Receiver of `user_logged_in`."""
    if request is not None and hasattr(request, "session"):
        remember_role(request, user)


class ChamberRoleMiddleware:
    """Sets `request.chamber_role` ("staff", "pending" or "") for templates, and sends pending
    accounts to their status page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        request.chamber_role = NONE
        session = getattr(request, "session", None)
        user_id = session.get(SESSION_KEY) if session is not None else None
        if user_id is None:
            return None
        stored = session.get(ROLE_KEY)
        if not (isinstance(stored, list) and len(stored) == 2 and stored[0] == str(user_id)):
            # A session from before this rule, or another user's: learn the role once.
            if not request.user.is_authenticated:
                return None
            stored = [str(user_id), remember_role(request, request.user)]
        role = stored[1]
        if role == PENDING:
            # Ask again: an officer may have decided since the last request.
            if not request.user.is_authenticated:
                return None
            role = role_of(request.user)
            if role != PENDING:
                session[ROLE_KEY] = [str(user_id), role]
        request.chamber_role = role
        if role != PENDING:
            return None
        match = request.resolver_match
        if match is not None and match.view_name in ALLOWED_WHILE_PENDING:
            return None
        return redirect(STATUS_PAGE)


def is_staff(request) -> bool:
    """For the navigation bar (core.nav): approved chamber staff."""
    return getattr(request, "chamber_role", NONE) == STAFF
