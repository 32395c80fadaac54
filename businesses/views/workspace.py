"""The chamber's own workspace: its home page (what its businesses have going on across the
partnerships) and its read-only view of a sub-alliance its businesses take part in. Approved
chamber staff only; officers have their own pages for the same records."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_GET

from alliances.models import SubAlliance
from alliances.selectors import sub_alliance_for_page
from businesses import permissions as perms
from businesses import selectors, services
from businesses.views import panels
from businesses.views.common import require_association_manager
from core.views import require

ROWS = 8  # of each list on the home page; each links to its whole page


def _first(qs, n: int = ROWS) -> tuple[list, bool]:
    rows = list(qs[: n + 1])
    return rows[:n], len(rows) > n


@login_required
@require_GET
def home(request):
    """The chamber's home: its businesses, its interest and the answers, its proposals, the
    sub-alliances its businesses are in (tasks, scorecard), outcomes, and partnerships of its
    city worth a look. A fixed number of queries whatever the rows."""
    user = request.user
    require(perms.is_chamber_staff(user))
    associations = list(require_association_manager(user))
    businesses, more_businesses = _first(selectors.businesses_for_home(user))
    for business in businesses:
        business.sector_names = selectors.sector_names(business.sector_codes)
    registrations, more_registrations = _first(
        panels.with_business_names(selectors.registrations_for_chamber(user))
    )
    sub_alliances, more_sub_alliances = _first(selectors.chamber_sub_alliances_for_home(user), 20)
    outcomes, more_outcomes = _first(selectors.chamber_outcomes(user), 5)
    worth_a_look, _more = _first(selectors.partnerships_worth_a_look(user), 6)
    proposals, _more_proposals = _first(selectors.match_proposals_of(user), 5)
    return render(
        request,
        "businesses/workspace/home.html",
        {
            "associations": associations,
            "businesses": businesses,
            "more_businesses": more_businesses,
            "registrations": registrations,
            "more_registrations": more_registrations,
            "sub_alliances": sub_alliances,
            "more_sub_alliances": more_sub_alliances,
            "outcomes": outcomes,
            "more_outcomes": more_outcomes,
            "outcome_totals": selectors.chamber_outcome_totals(user),
            "worth_a_look": worth_a_look,
            "proposals": proposals,
        },
    )


@login_required
@require_GET
def sub_alliance(request, sub_alliance_id: int):
    """A sub-alliance as its chamber party sees it: parties, start-up tasks, scorecard and
    outcomes, and recording an outcome. Officers manage it on their own page."""
    try:
        sa = sub_alliance_for_page(sub_alliance_id)
    except SubAlliance.DoesNotExist:
        sa = None
    require(sa is not None and perms.can_see_sub_alliance_as_chamber(request.user, sa))
    parties = list(sa.parties.all())
    sides: dict[int, dict] = {}
    for party in parties:
        sides.setdefault(party.partner_id, {"city": party.partner, "parties": []})[
            "parties"
        ].append(party)
    tasks = list(sa.startup_tasks.all())
    records_outcomes = sa.grouping in services.OUTCOME_GROUPINGS
    return render(
        request,
        "businesses/workspace/sub_alliance.html",
        {
            "sa": sa,
            "sides": list(sides.values()),
            "tasks": tasks,
            "tasks_done": sum(1 for t in tasks if t.done),
            "scorecard": list(sa.scorecard.all()),
            "outcomes": list(selectors.outcomes_of(sa)[:200]) if records_outcomes else [],
            "records_outcomes": records_outcomes,
            "record_url": reverse("businesses:outcome_record", args=[sa.pk])
            if records_outcomes
            else None,
        },
    )


urlpatterns = [
    path("chamber/", home, name="chamber_home"),
    path("chamber/sub-alliances/<id:sub_alliance_id>/", sub_alliance, name="chamber_sub_alliance"),
]
