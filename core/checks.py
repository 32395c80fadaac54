"""Deployment checks (`manage.py check --deploy`, run by the release step and by CI).

PORTAL_BASE_URL starts every link in every e-mail and calendar event. Settings default it to
http://127.0.0.1:8000 for a developer's laptop; in production that default would send people
links to their own machine, and nothing else would notice. So with DEBUG off it must be set
explicitly (settings record whether it was, PORTAL_BASE_URL_SET), be http(s) with a host, and
that host must not be a loopback or unspecified address or a localhost name. http rather than
https is only a warning (a portal reached over plain http inside a network is possible).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

HINT = (
    "Set PORTAL_BASE_URL to the address people use, e.g. https://portal.example.org "
    "(docs/deployment.md)."
)


def _local_host(host: str) -> bool:
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


@register(Tags.security, "portal", deploy=True)
def check_portal_base_url(app_configs=None, **kwargs):
    if settings.DEBUG:
        return []
    value = getattr(settings, "PORTAL_BASE_URL", "") or ""
    if not getattr(settings, "PORTAL_BASE_URL_SET", True) or not value:
        return [
            Error(
                "PORTAL_BASE_URL is not set: links in e-mails and calendar events would point "
                f"to {value or 'nowhere'}.",
                hint=HINT,
                id="portal.E001",
            )
        ]
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
    except ValueError:
        parts, host = None, ""
    if parts is None or parts.scheme not in ("http", "https") or not host:
        return [
            Error(
                f"PORTAL_BASE_URL ({value!r}) is not an http(s) address with a host.",
                hint=HINT,
                id="portal.E002",
            )
        ]
    if _local_host(host):
        return [
            Error(
                f"PORTAL_BASE_URL ({value!r}) points to this machine ({host}): people "
                "receiving e-mails would reach their own computer.",
                hint=HINT,
                id="portal.E003",
            )
        ]
    if parts.scheme != "https":
        return [
            Warning(
                f"PORTAL_BASE_URL ({value!r}) is not https: links in e-mails travel in clear.",
                hint="Use https unless the portal is only reached inside a trusted network.",
                id="portal.W004",
            )
        ]
    return []
