"""What drf-spectacular cannot guess: the token scheme, the enums' names, and the errors every
operation may answer (api/errors.py), so that the schema says all a client can receive."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension

ERROR = {"$ref": "#/components/schemas/Error"}
REFUSED = {"$ref": "#/components/schemas/Refused"}
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {}},
        "missing": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["detail", "code"],
}
ERRORS = {
    "400": "Invalid input: `errors` holds the messages per field.",
    "401": "No credentials, or a token that is wrong or revoked.",
    "403": "Not allowed: a read-only token on a write, or a change this person may not make.",
    "404": "Nothing here, or nothing this person may see (another city's partnership).",
    "405": "Method not allowed.",
    "406": "Not acceptable.",
    "415": "Send JSON.",
    "429": "Too many requests for this token: wait for `Retry-After` seconds.",
}


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.PortalTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>` (or `Bearer <key>`): a personal token from the "
            "account page.",
        }


def add_errors(result, generator, request, public):
    """Postprocessing hook: the JSON errors every operation may answer; and a list's GeoJSON
    (`?format=geojson`), which is the whole collection, not a page of them."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            geojson = responses.get("200", {}).get("content", {}).get("application/geo+json")
            ref = geojson and geojson["schema"].get("$ref", "")
            if ref and ref.rsplit("/", 1)[-1].startswith("Paginated"):
                page = schemas.pop(ref.rsplit("/", 1)[-1])
                geojson["schema"] = page["properties"]["results"]["items"]
            for code, description in ERRORS.items():
                if code == "400" and method == "get" and "parameters" not in operation:
                    continue
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": ERROR}},
                    },
                )
    return result
