"""At most API_THROTTLE_RATE requests per token (per person for the session, per address for
anonymous requests), counted in the default cache: Redis in production, shared by every
worker."""

from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import ApiToken
from config.middleware import client_ip


class TokenRateThrottle(SimpleRateThrottle):
    scope = "api_token"

    def get_rate(self):
        # Read at each request rather than once at import: the setting may change (tests).
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            # The client's address as the login lockout and the forms' throttle resolve it
            # (AXES_PROXY_COUNT): a made-up X-Forwarded-For does not reset the count.
            ident = f"addr-{client_ip(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
