"""Every portal page asks a constant number of SQL queries, at most 12, none while rendering.

The pages are generated from the URL configuration, like tests/access/test_permission_matrix.py:
every named URL of the `partnerships` namespace that answers a GET (POST-only actions are left
out, as is `document`, which streams a file and renders no template; a new route that answers
405 to a GET is skipped at run time, one with an argument `_address` cannot fill is skipped
with a note saying so), requested by a coordinator of the partnership's home city (a member
officer who may also open the strategy and officers pages); then every named URL of the
`alliances` and `businesses` namespaces and the account pages a signed-in user sees, each
requested by a role that the permission matrix (its MATRIX, tests/access/matrix.py, and its
world's chamber part and `url_for`, tests/worlds.py) lets GET it: anonymous for the public
registry and sign-up, chamber staff for the chamber's pages, else the coordinator. Each page is
requested at 5 rows, then again after every related table grew to 50 rows: the two counts must
be equal and at most QUERY_BUDGET. (The world at 5 rows is built once per module, the growth
to 50 is each test's own, rolled back: tests/worlds.py; it is written in bulk, tests/growth.py,
and `test_growth_adds_rows_to_every_list` checks that every list grows by 45.)

Queries during template rendering are caught by wrapping the Django template backend's
`Template.render` (django.template.backends.django.Template, the entry point of `render()` and
of TemplateResponse; `{% include %}` and inclusion tags render inside it): the number of queries
captured by a `CaptureQueriesContext` is read before and after each top-level render, and the
difference must be zero. A lazy queryset evaluated by `{% for %}`, a related manager called from
a template, or a context processor that queries all show up there.

A page that fails a check today keeps the strict assertion and is listed in KNOWN_FAILURES with
the check that fails: its other checks are still asserted, then the case is reported as an
xfail naming the page and the reason. It is strict: once the page passes that check the test
fails until the entry is removed. (A `pytest.mark.xfail(strict=True)` on the whole case would
also swallow a new failure of the page's other checks, which is why it is done per check.)
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.template.backends.django import Template as BackendTemplate
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alliances.models import ScorecardMeasure, StrengthRecord, SubAllianceParty
from businesses.models import (
    BusinessProfile,
    ChamberMembership,
    InterestRegistration,
    Outcome,
    PartnershipLead,
)
from discussion.models import Comment
from invitations.models import Invitation, JoinRequest
from partnerships import services
from partnerships.models import (
    KPI,
    MOU,
    Activity,
    ApproachContact,
    Champion,
    CityMembership,
    Partner,
    Partnership,
    PartnershipMember,
    PlanAction,
    Review,
    Step,
)
from tests.access.matrix import MATRIX
from tests.worlds import LARGE, SMALL, named_urls
from tests.worlds import url_for as matrix_url

pytestmark = pytest.mark.django_db

QUERY_BUDGET = 12

# Routes that answer only a POST, or stream a file (no template, nothing to render).
NOT_PAGES = {
    "advance",
    "confirm",
    "candidate_add",
    "action_status",
    "mou_sign",
    "strategy_approve",
    "document",
    "offline_endorse",
}

# The dashboard's board filtered (issue 20; the city and assignee filters, which need ids and
# a provider of the hook `board.assigned`, are measured in tests/partnerships/test_board.py).
BOARD_FILTERS = ["category=sister_city&health=healthy", "health=weak", "health=finished"]

# Pages only at a joint sign-off step, for one city's officers (the world's P is at the last
# step): their budgets are measured in tests/partnerships/test_signoff_views.py.
MEASURED_ELSEWHERE = {"offline_record", "offline_dispute"}

# page id -> {check: why it fails today}, checks being "constant", "budget", "rendering".
# Found by this test (see docs/performance.md); remove an entry when the page is fixed.
KNOWN_FAILURES: dict[str, dict[str, str]] = {}


def _partnership_routes() -> dict[str, str]:
    """name -> route of every named URL in the `partnerships` namespace."""
    return {
        name.partition(":")[2]: str(pattern.pattern)
        for name, pattern in named_urls().items()
        if name.startswith("partnerships:")
    }


# The other apps' pages, and the account pages a signed-in user sees (`login` and the password
# reset pages are public forms with no list to grow: left out).
OTHER_NAMESPACES = ("notifications:", "invitations:", "alliances:", "discussion:", "businesses:")
ACCOUNT_PAGES = {"password_change", "password_change_done"}


def _role(name: str) -> str | None:
    """Who requests page `name` (a full URL name): a role MATRIX lets GET it (200). Anonymous
    for public pages (the registry), chamber staff first for the chamber's pages, else the
    coordinator of A; None when no role may (a POST-only action: not a page)."""
    outcomes = MATRIX[name][0]
    preferred = ["anonymous", "coordinator_a", "chamber"]
    if name.startswith("businesses:"):
        preferred = ["anonymous", "chamber", "coordinator_a"]
    return next((role for role in preferred if outcomes.get(role) == 200), None)


def _page_ids() -> list[str]:
    """The `partnerships` pages by bare name (and the detail page once per step), then the
    other apps' pages and the account pages by full name."""
    ids = []
    for name in sorted(_partnership_routes()):
        if name in NOT_PAGES or name in MEASURED_ELSEWHERE:
            continue
        ids.append(name)
        if name == "detail":  # the detail page shows one step's artefacts at a time
            ids += [f"detail?step={s}" for s in Step.values]
        if name == "dashboard":  # the board filtered (a health band reads the health)
            ids += [f"dashboard?{query}" for query in BOARD_FILTERS]
    others = [n for n in named_urls() if n.startswith(OTHER_NAMESPACES) or n in ACCOUNT_PAGES]
    return ids + sorted(n for n in others if _role(n) is not None)


def _world_of(page_id: str) -> str:
    """Which world a page is measured in: "pages" (the partnership's own pages) or "chamber"
    (the other apps' pages and the account pages: the permission matrix's chamber world added)."""
    return "pages" if page_id in _partnership_routes() or "?" in page_id else "chamber"


@pytest.fixture
def world(budget_world):
    """Partnership P of home city A (with twinned city B) walked to the last step, so every
    step's artefacts exist; a coordinator of A; the grow(n) function; for the other apps' pages,
    the chamber world of the permission matrix too (A's association with staff, a pending
    sign-up, businesses, interest in P, a lead, a business sub-alliance of P with a measure, a
    published partnership with a signed MOU), its lists grown as well. Built once per module
    and world kind, already grown to SMALL rows (tests/worlds.py); each test grows it to LARGE in
    its own savepoint."""
    return budget_world


def _address(page_id: str, world) -> str:
    if page_id not in _partnership_routes() and "?" not in page_id:
        try:
            return matrix_url(page_id, world["matrix"])
        except KeyError as missing:
            pytest.skip(f"{page_id}: no value for {missing}; teach _with_chamber() about it")
    name, _, query = page_id.partition("?")
    route = _partnership_routes()[name]
    kwargs = {}
    if "<id:pk>" in route:
        kwargs["pk"] = world["a"].pk if route.startswith("cities/") else world["p"].pk
    if "<id:candidate_id>" in route:
        kwargs["candidate_id"] = world["candidate"].pk
    if "<id:review_id>" in route:
        kwargs["review_id"] = world["p"].reviews.order_by("pk").first().pk
    if "<id:lesson_id>" in route:
        kwargs["lesson_id"] = world["p"].lessons.order_by("pk").first().pk
    if "<id:view_id>" in route:
        kwargs["view_id"] = services.saved_view_save(user=world["user"], name="V", query="").pk
    unknown = set(re.findall(r"<(?:\w+:)?(\w+)>", route)) - set(kwargs)
    if unknown:
        pytest.skip(f"{name}: no value for {sorted(unknown)}; teach _address() about it")
    address = reverse(f"partnerships:{name}", kwargs=kwargs)
    return f"{address}?{query}" if query else address


def _measure(client, address: str, monkeypatch) -> tuple[int, int, list[str]]:
    """(status, queries, SQL of the queries issued while a template rendered) of one GET."""
    inside: list[str] = []
    original = BackendTemplate.render

    with CaptureQueriesContext(connection) as ctx:

        def counting_render(self, context=None, request=None):
            before = len(ctx.captured_queries)
            try:
                return original(self, context, request)
            finally:
                inside.extend(q["sql"] for q in ctx.captured_queries[before:])

        monkeypatch.setattr(BackendTemplate, "render", counting_render)
        try:
            response = client.get(address)
        finally:
            monkeypatch.setattr(BackendTemplate, "render", original)
    return response.status_code, len(ctx.captured_queries), inside


def test_every_page_is_generated():
    """Guards the generator itself: the main pages are among the cases."""
    ids = set(_page_ids())
    assert {"dashboard", "list", "detail", "city_list", "city_detail"} <= ids


def _known(page_id: str, check: str, failing: bool, message: str) -> None:
    """A check listed in KNOWN_FAILURES must still fail (strict): then the case is an xfail.
    Once the page is fixed it passes, and this fails until the entry is removed."""
    reason = KNOWN_FAILURES[page_id][check]
    if failing:
        pytest.xfail(f"{page_id}: {reason} ({message})")
    pytest.fail(f"{page_id} now passes '{check}': remove it from KNOWN_FAILURES ({reason})")


PAGE_IDS = _page_ids()


@pytest.mark.parametrize(
    ("budget_world_once", "page_id"),
    [(_world_of(page_id), page_id) for page_id in PAGE_IDS],
    ids=PAGE_IDS,
    indirect=["budget_world_once"],
    scope="module",  # one world per kind for the module, not one per case
)
def test_constant_queries_within_budget_none_while_rendering(client, world, page_id, monkeypatch):
    if page_id in _partnership_routes() or "?" in page_id:
        client.force_login(world["user"])
    else:
        user = world["users"][_role(page_id)]
        if user is not None:
            client.force_login(user)
    world["grow"](SMALL)  # the world is built at SMALL rows: nothing more to add
    address = _address(page_id, world)
    client.get(address)  # warm per-process caches (content types, site), as in production
    status, small, small_rendering = _measure(client, address, monkeypatch)
    if status == 405:
        pytest.skip(f"{address} answers only POST: not a page")
    assert status == 200, f"{address} answered {status}"
    world["grow"](LARGE)
    status, large, rendering = _measure(client, address, monkeypatch)
    assert status == 200, f"{address} answered {status}"

    known = KNOWN_FAILURES.get(page_id, {})
    checks = [
        ("constant", small != large, f"{small} queries at {SMALL} rows, {large} at {LARGE}"),
        ("budget", large > QUERY_BUDGET, f"{large} queries (budget {QUERY_BUDGET})"),
        (
            "rendering",
            bool(small_rendering or rendering),
            f"{len(rendering)} queries while rendering: "
            + " | ".join(sql[:160] for sql in rendering),
        ),
    ]
    # Every check not known to fail is asserted first, so a known failure never hides another.
    for check, failing, message in checks:
        if check not in known:
            assert not failing, f"{address}: {message}"
    for check, failing, message in checks:
        if check in known:
            _known(page_id, check, failing, message)


def _listed_rows(world) -> dict[str, int]:
    """How many rows each list the pages show holds (and the history rows written with them)."""
    p, a = world["p"], world["a"]
    association = world["users"]["chamber"].chamber_memberships.get().association
    sub_alliance = p.sub_alliances.order_by("pk").first()
    of_a = Partnership.objects.filter(members__partner=a)
    return {
        "A's partnerships with a counterpart": of_a.filter(
            members__role=PartnershipMember.Role.COUNTERPART
        ).count(),
        "cities": Partner.objects.count(),
        "A's officers": CityMembership.objects.filter(partner=a).count(),
        "P's candidates": p.candidates.count(),
        "contacts of P's candidate": ApproachContact.objects.filter(
            candidate=world["candidate"]
        ).count(),
        "P's activities": Activity.objects.filter(partnership=p).count(),
        "P's reviews": p.reviews.count(),
        "P's lessons": p.lessons.count(),
        "P's KPIs": KPI.objects.filter(partnership=p).count(),
        "P's champions of A": Champion.objects.filter(partnership=p, partner=a).count(),
        "P's plan actions": PlanAction.objects.filter(plan__partnership=p).count(),
        "the chamber's businesses": BusinessProfile.objects.filter(
            association=association, organisation__partner=a
        ).count(),
        "the chamber's pending sign-ups": ChamberMembership.objects.filter(
            association=association, status=ChamberMembership.Status.PENDING
        ).count(),
        "interest in P": InterestRegistration.objects.filter(partnership=p).count(),
        "the chamber's interest": InterestRegistration.objects.filter(
            association=association
        ).count(),
        "the chamber's leads": PartnershipLead.objects.filter(association=association).count(),
        "P's sub-alliances": p.sub_alliances.count(),
        "measures of A": ScorecardMeasure.objects.filter(
            sub_alliance=sub_alliance, added_by_partner=a
        ).count(),
        "strength records": StrengthRecord.objects.filter(sub_alliance=sub_alliance).count(),
        "outcomes": Outcome.objects.filter(sub_alliance=sub_alliance).count(),
        "parties of A": SubAllianceParty.objects.filter(
            sub_alliance=sub_alliance, partner=a, organisation__partner=a
        ).count(),
        "A's published partnerships with a signed MOU": of_a.filter(
            published=True, mous__status=MOU.Status.SIGNED
        ).count(),
        "comments on P": Comment.objects.filter(partnership=p, sub_alliance=None).count(),
        "comments on the sub-alliance": Comment.objects.filter(sub_alliance=sub_alliance).count(),
        "invitations to A from P": Invitation.objects.filter(city=a, partnership=p).count(),
        "requests to join A": JoinRequest.objects.filter(city=a).count(),
        "partnership history": Partnership.history.count(),
        "review history": Review.history.count(),
        "MOU history": MOU.history.count(),
    }


@pytest.mark.parametrize("budget_world_once", ["chamber"], indirect=True, scope="module")
def test_growth_adds_rows_to_every_list(world):
    """grow(LARGE) (bulk inserts, tests/growth.py) adds LARGE - SMALL rows to every list the
    pages show, with their history rows, as the factories one object at a time would."""
    k = LARGE - SMALL
    before = _listed_rows(world)
    world["grow"](LARGE)
    after = _listed_rows(world)
    many = {"cities": 6 * k, "partnership history": 3 * k}
    assert {name: after[name] - before[name] for name in before} == {
        name: many.get(name, k) for name in before
    }
