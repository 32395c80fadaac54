"""What every API view states on the server. Which rows a person may read is never decided
here: the views read through the pages' own selectors and permission helpers
(`partnerships_visible_to`, `can_edit_partnership`, `can_record_outcome`...), so the API and
the pages cannot drift apart."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions

from accounts.models import ApiToken
from core import access


class TokenAccess(permissions.BasePermission):
    """A read-only token reads; it never writes (403), whatever its owner may do."""

    message = _("This token is read-only: create a read-and-write token to make changes.")

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        token = request.auth
        return not (isinstance(token, ApiToken) and token.read_only)


class HasARole(permissions.BasePermission):
    """The portal's rule (core.access): an account without a role (no city, no approved
    chamber: a sign-up waiting, or turned down) sees what an anonymous visitor sees, so the API
    answers it as it answers a visitor (401), through a token as through the session."""

    def has_permission(self, request, view) -> bool:
        if isinstance(request.auth, ApiToken):
            roles = access.roles_of(request.user)
        else:  # the session's, read by core.access.RoleMiddleware
            roles = getattr(request, "roles", frozenset())
        if not access.has_a_role(roles):
            raise exceptions.NotAuthenticated(
                _("This account has no role in the portal yet: it sees what a visitor sees.")
            )
        return True


# Signed in with a role (a token or the session): every route but the registry and the schema.
SIGNED_IN = [permissions.IsAuthenticated, HasARole, TokenAccess]
# Anyone, signed in or not: the public registry.
ANYONE = [permissions.AllowAny, TokenAccess]
