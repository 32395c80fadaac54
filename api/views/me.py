"""Who the API takes the request to be: a quick check of a token."""

from __future__ import annotations

from rest_framework.response import Response

from accounts.models import ApiToken
from api import serializers as s
from api.views.common import ApiView


class Me(ApiView):
    serializer_class = s.MeSerializer
    pagination_class = None

    def get(self, request):
        token = request.auth if isinstance(request.auth, ApiToken) else None
        return Response(
            self.get_serializer(
                {
                    "username": request.user.get_username(),
                    "authenticated_by": "token" if token else "session",
                    "token": token,
                    "read_only": bool(token and token.read_only),
                }
            ).data
        )
