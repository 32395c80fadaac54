"""Personal API tokens (accounts.ApiToken): `Authorization: Token <key>` or `Bearer <key>`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from accounts import services as accounts_services

KEYWORDS = ("token", "bearer")


class PortalTokenAuthentication(authentication.BaseAuthentication):
    """`request.user` is the token's owner and `request.auth` the token (its access is checked
    by api.permissions.TokenAccess). A wrong, revoked or unknown key is a 401, never a fall
    back to the session."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode(errors="replace").lower() not in KEYWORDS:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Give the token after the word Token."))
        try:
            key = header[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("This token is not valid.")) from None
        token = accounts_services.api_token_authenticate(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("This token is not valid or was revoked."))
        return token.user, token

    def authenticate_header(self, request) -> str:
        return "Token"
