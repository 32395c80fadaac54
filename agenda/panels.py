"""What the agenda adds to other apps' pages, through their hooks: the person's open
activities on the officers' dashboard, a link on a partnership's page, the open activities of
a sub-alliance on its page, and the board's "assigned to" filter."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext

from agenda import permissions, selectors
from agenda.models import OVERDUE, ScheduledActivity


def dashboard_panel(user) -> dict | None:
    """A placeholder the page fetches once loaded (htmx, from "my activities"): the dashboard
    is at its query budget, and the panel is then always fresh. Without JavaScript, a link."""
    if not user.is_authenticated:
        return None
    return {"template": "agenda/_dashboard_panel_deferred.html"}


def my_panel(user) -> dict:
    """The dashboard's panel itself: the person's open activities, overdue first, at most
    PANEL_LENGTH (one query: each links to "my activities", where it is completed)."""
    agenda = selectors.my_agenda(user, checked=False)
    rows = [a for group in agenda.groups.values() for a in group]
    return {
        "rows": rows[: selectors.PANEL_LENGTH],
        "more": max(0, len(rows) - selectors.PANEL_LENGTH),
        "overdue": len(agenda.groups[OVERDUE]),
        "today": agenda.today,
    }


def partnership_link(request, partnership, can_edit: bool) -> list[dict]:
    """No query: the page's partnership has its members prefetched."""
    if not permissions.can_see(request.user, partnership):
        return []
    return [
        {
            "label": gettext("Scheduled activities"),
            "url": reverse("agenda:partnership", args=[partnership.pk]),
            "icon": "calendar-check",
        }
    ]


def sub_alliance_panel(request, sub_alliance, can_manage: bool) -> dict | None:
    """A placeholder fetched once the page has loaded (as the dashboard's): no query."""
    if not permissions.can_see(request.user, sub_alliance.partnership, sub_alliance):
        return None
    return {
        "template": "agenda/_sub_alliance_panel_deferred.html",
        "url": reverse("agenda:sub_alliance", args=[sub_alliance.pk]),
    }


def record_panel(sub_alliance, can_schedule: bool) -> dict:
    """The sub-alliance's panel itself: its open activities (one query)."""
    open_rows, _ = selectors.for_record(sub_alliance.partnership, sub_alliance, done=False)
    return {
        "rows": open_rows,
        "url": reverse("agenda:sub_alliance", args=[sub_alliance.pk]),
        "can_schedule": can_schedule,
    }


def assigned(user_ids) -> Q:
    """The board's filter: partnerships with open work assigned to one of these people."""
    return Q(
        Exists(
            ScheduledActivity.objects.filter(
                partnership=OuterRef("pk"), done_at__isnull=True, assignee__in=list(user_ids)
            )
        )
    )
