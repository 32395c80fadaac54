"""What this app adds to other apps' pages, through core.hooks (registered in apps.py): the
role of a person waiting for a decision, the pages open to people without a role, the link on a
partnership's page, the panel on a city's officers page and the one on the account's status
page."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext

from invitations import permissions, selectors
from invitations.forms import InviteForm
from partnerships import permissions as city_perms

PENDING = "pending"  # core.access.WAITING: no access yet, only the status page

# Open to a signed-in person without a role: accepting an invitation, asking to join a city.
OPEN_VIEWS = ("invitations:accept", "invitations:join")


def roles(user) -> tuple[str, ...]:
    """("pending",) while a request to join a city waits and the user works for none."""
    if city_perms.is_officer(user):
        return ()
    return (PENDING,) if selectors.has_pending_join_request(user) else ()


def partnership_links(request, partnership, can_edit: bool) -> list[dict]:
    """ "Invite officers" for those who may invite from it (no query: the members and the
    user's cities are read already; the page says to which cities, if any, they may)."""
    if not can_edit or not permissions.may_invite_from(request.user, partnership):
        return []
    return [
        {
            "label": gettext("Invite officers"),
            "url": reverse("invitations:partnership_invite", args=[partnership.pk]),
            "icon": "envelope-plus",
        }
    ]


def officers_panel(request, city) -> dict:
    """The city's open invitations (to resend or revoke), the form to invite, and the requests
    to join it waiting for a decision."""
    return {
        "template": "invitations/_officers_panel.html",
        "invitations": list(selectors.open_invitations(city.pk)[: selectors.SHOWN]),
        "join_requests": list(selectors.pending_join_requests(city.pk)[: selectors.SHOWN]),
        "invite_form": InviteForm(),
        "city": city,
    }


def status_panel(request) -> dict | None:
    """A person's requests to join a city, and the way to ask."""
    if not request.user.is_authenticated:
        return None
    return {
        "template": "invitations/_status_panel.html",
        "join_requests": list(selectors.join_requests_of(request.user)[:20]),
        "works_for_city": city_perms.is_officer(request.user),
    }
