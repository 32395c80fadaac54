"""What every API view states on the server. Which rows a person may read is never decided
here: the views read through the pages' own selectors and permission helpers
(`partnerships_visible_to`, `can_edit_partnership`, `can_record_outcome`...), so the API and
the pages cannot drift apart."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from accounts.models import ApiToken


class TokenAccess(permissions.BasePermission):
    """A read-only token reads; it never writes (403), whatever its owner may do."""

    message = _("This token is read-only: create a read-and-write token to make changes.")

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        token = request.auth
        return not (isinstance(token, ApiToken) and token.read_only)


# Signed in (a token or the session): every route but the registry and the schema.
SIGNED_IN = [permissions.IsAuthenticated, TokenAccess]
# Anyone, signed in or not: the public registry.
ANYONE = [permissions.AllowAny, TokenAccess]
