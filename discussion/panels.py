"""The thread on a record's page: the latest comments and the form for a new one.

On a sub-alliance's page (hook `alliances.sub_alliance_panels`) it is drawn with the page: one
query, the latest comments with their writers. On a partnership's page (hook
`partnership.panels`) it costs the page nothing: the page is at its query budget and cached
per session, so the panel is fetched after the page has loaded (htmx, from the thread's own
address), always fresh; without JavaScript it is a link to the thread's page.
"""

from __future__ import annotations

from django.urls import reverse

from discussion import permissions, selectors, services
from discussion.forms import CommentForm


def rows(user, comments) -> list[dict]:
    """Each comment with what the user may do with it (no query: the writer is loaded)."""
    return [
        {
            "c": c,
            "can_edit": permissions.can_edit_comment(user, c) and services.edit_window_open(c),
            "can_remove": permissions.can_remove_comment(user, c),
        }
        for c in comments
    ]


def thread_url(partnership, sub_alliance=None) -> str:
    if sub_alliance is not None:
        return reverse("discussion:sub_alliance_thread", args=[sub_alliance.pk])
    return reverse("discussion:partnership_thread", args=[partnership.pk])


def panel(request, partnership, sub_alliance=None, form=None) -> dict:
    """The panel's data (the caller has checked that the user may see the thread)."""
    latest = selectors.latest(partnership, sub_alliance)
    url = thread_url(partnership, sub_alliance)
    return {
        "template": "discussion/_panel.html",
        "rows": rows(request.user, latest.comments),
        "earlier": latest.earlier,
        "thread_url": url,
        "post_url": url,
        "form": form or CommentForm(),
    }


def partnership_panel(request, partnership, can_edit) -> dict | None:
    if not permissions.can_see_thread(request.user, partnership):
        return None
    return {"template": "discussion/_panel_deferred.html", "thread_url": thread_url(partnership)}


def sub_alliance_panel(request, sub_alliance, can_manage) -> dict | None:
    if not permissions.can_see_thread(request.user, sub_alliance.partnership, sub_alliance):
        return None
    return panel(request, sub_alliance.partnership, sub_alliance)
