"""What this app shows on the pages of the apps below it, which never import it.

`BusinessesConfig.ready` registers these functions in their hooks: each returns a dict with the
`template` to include and its data, or None to show nothing. Each asks a fixed number of
queries whatever the number of rows.
"""

from __future__ import annotations

from django.db.models import CharField, Count, OuterRef, Subquery, Value
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alliances.models import SubAlliance
from businesses import permissions as perms
from businesses import selectors, services
from businesses.models import InterestedBusiness, InterestRegistration
from partnerships import permissions as core
from partnerships.models import Partnership
from partnerships.selectors import GroupConcat

DASHBOARD_ROWS = 8


def with_business_names(qs):
    """Registration rows with the names of their businesses in the row (one query, no
    prefetch: the dashboard has little room in its budget)."""
    names = (
        InterestedBusiness.objects.filter(registration=OuterRef("pk"))
        .order_by()
        .values("registration")
        .annotate(names=GroupConcat("business__organisation__name"))
        .values("names")
    )
    return qs.prefetch_related(None).annotate(
        business_names=Subquery(names, output_field=CharField())
    )


def _waiting_counts(user) -> dict[str, int]:
    """New leads and staff requests waiting for the officer, in ONE query (a UNION of two
    counts; grouping by a constant groups nothing, so each side is exactly one row)."""

    def counted(qs, kind: str):
        return (
            qs.order_by()
            .annotate(kind=Value(kind, output_field=CharField()))
            .values("kind")
            .annotate(n=Count("pk"))
            .values_list("kind", "n")
        )

    leads = counted(selectors.leads_for_officer(user), "leads")
    requests = counted(selectors.memberships_to_decide(user), "requests")
    return {"leads": 0, "requests": 0, **dict(leads.union(requests, all=True))}


def dashboard_panel(user) -> dict | None:
    """The dashboard's "New interest registrations": for officers the pending registrations
    in their partnerships (with the new leads and staff requests to decide). Two queries."""
    if core.is_admin(user) or core.is_officer(user):
        rows = list(
            with_business_names(selectors.registrations_for_officer(user))[: DASHBOARD_ROWS + 1]
        )
        waiting = _waiting_counts(user)
        return {
            "template": "businesses/_dashboard_officer.html",
            "registrations": rows[:DASHBOARD_ROWS],
            "more": len(rows) > DASHBOARD_ROWS,
            "new_leads": waiting["leads"],
            "staff_requests": waiting["requests"],
        }
    # Chamber staff have a home of their own (businesses.views.workspace), not this dashboard.
    return None


def partnership_panel(request, partnership: Partnership, sub_alliances, can_manage: bool):
    """On a partnership's sub-alliances page: links to matchmaking and to the interest
    registered, and the economic outcomes of its business sub-alliances. Three queries."""
    pending = InterestRegistration.objects.filter(
        partnership=partnership, status=InterestRegistration.Status.PENDING
    ).count()
    by_alliance = selectors.outcomes_by_sub_alliance(partnership)
    outcome_rows = [
        {"sub_alliance": s, "totals": by_alliance[s.pk]}
        for s in sub_alliances
        if s.pk in by_alliance
    ]
    links = [
        {
            "label": ngettext(
                "Interest registered by chambers (%(n)s waiting)",
                "Interest registered by chambers (%(n)s waiting)",
                pending,
            )
            % {"n": pending}
            if pending
            else _("Interest registered by chambers"),
            "url": reverse("businesses:interest_inbox", args=[partnership.pk]),
            "icon": "briefcase",
        }
    ]
    if can_manage:
        links.insert(
            0,
            {
                "label": _("Matchmaking: suggested business pairs"),
                "url": reverse("businesses:matchmaking", args=[partnership.pk]),
                "icon": "people",
            },
        )
    return {
        "template": "businesses/_partnership_panel.html",
        "links": links,
        "outcome_rows": outcome_rows,
        "summary": selectors.outcomes_summary(partnership),
    }


def sub_alliance_panel(request, sub_alliance: SubAlliance, can_manage: bool):
    """On a sub-alliance's page: its recorded outcomes (business and mixed ones). One query."""
    if sub_alliance.grouping not in services.OUTCOME_GROUPINGS:
        return None
    return {
        "template": "businesses/_sub_alliance_outcomes.html",
        "outcomes": list(selectors.outcomes_of(sub_alliance)[:200]),
        "record_url": reverse("businesses:outcome_record", args=[sub_alliance.pk])
        if can_manage
        else None,
    }


def detail_links(request, partnership: Partnership, can_edit: bool) -> list[dict]:
    """Links on a partnership's own page: its sub-alliances, business interest and matchmaking
    for the member cities' officers; registering interest for chamber staff. No query for
    officers (their cities and the partnership's members are read already); one for others."""
    user = request.user
    links = []
    if core.is_admin(user) or core.city_ids(user) & core.member_city_ids(partnership):
        links.append(
            {
                "label": _("Sub-alliances and business interest"),
                "url": reverse("alliances:partnership_sub_alliances", args=[partnership.pk]),
                "icon": "diagram-3",
            }
        )
        if can_edit:
            links.append(
                {
                    "label": _("Matchmaking"),
                    "url": reverse("businesses:matchmaking", args=[partnership.pk]),
                    "icon": "people",
                }
            )
    elif perms.is_chamber_staff(user):
        links.append(
            {
                "label": _("Register interest"),
                "url": f"{reverse('businesses:interest_register')}?partnership={partnership.pk}",
                "icon": "hand-index",
            }
        )
    return links


def search_panel(request, partnership: Partnership, home) -> dict | None:
    """On a partnership's search step: the partner cities the home city's chambers proposed
    (new leads), to take up as candidates. One query (two when there are leads)."""
    if home is None or not getattr(home, "new_leads", 1):  # counted in the page's own query
        return None
    leads = list(selectors.new_leads_of_city(home.pk)[: DASHBOARD_ROWS + 1])
    if not leads:
        return None
    return {
        "template": "businesses/_search_leads.html",
        "leads": leads[:DASHBOARD_ROWS],
        "more": len(leads) > DASHBOARD_ROWS,
        "home": home,
    }


def search_city_annotations() -> dict:
    """How many new leads each city of the search step has (only the home city's are shown)."""
    return {"new_leads": selectors.new_leads_count()}
