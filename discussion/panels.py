"""The latest comments and the form for a new one, on a partnership's page (hook
`partnership.panels`) and on a sub-alliance's (hook `alliances.sub_alliance_panels`). Two
query: the latest comments with their writers (and whether there are older ones)."""

from __future__ import annotations

from django.urls import reverse

from discussion import permissions, selectors
from discussion.forms import CommentForm
from discussion.views import rows


def _panel(request, partnership, sub_alliance=None) -> dict | None:
    if not permissions.can_see_thread(request.user, partnership, sub_alliance):
        return None
    latest = selectors.latest(partnership, sub_alliance)
    if sub_alliance is not None:
        thread_url = reverse("discussion:sub_alliance_thread", args=[sub_alliance.pk])
    else:
        thread_url = reverse("discussion:partnership_thread", args=[partnership.pk])
    return {
        "template": "discussion/_panel.html",
        "rows": rows(request.user, latest.comments),
        "earlier": latest.earlier,
        "thread_url": thread_url,
        "post_url": thread_url,
        "form": CommentForm(),
    }


def partnership_panel(request, partnership, can_edit) -> dict | None:
    return _panel(request, partnership)


def sub_alliance_panel(request, sub_alliance, can_manage) -> dict | None:
    return _panel(request, sub_alliance.partnership, sub_alliance)
