"""Every portal page asks a constant number of SQL queries, at most 12, none while rendering.

The pages are generated from the URL configuration, like tests/access/test_permission_matrix.py:
every named URL of the `partnerships` namespace that answers a GET (POST-only actions are left
out, as is `document`, which streams a file and renders no template; a new route that answers
405 to a GET is skipped at run time, one with an argument `_address` cannot fill is skipped
with a note saying so). Each page is requested
by a coordinator of the partnership's home city (a member officer who may also open the
strategy and officers pages) at 5 rows, then again after every related table grew to 50 rows:
the two counts must be equal and at most QUERY_BUDGET.

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
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from partnerships.models import CityMembership, Step
from tests.factories.accounts import UserFactory
from tests.factories.partnerships import (
    ActivityFactory,
    ApproachContactFactory,
    CandidateFactory,
    ChampionFactory,
    CityMembershipFactory,
    KPIFactory,
    LessonFactory,
    PartnerFactory,
    PartnershipFactory,
    PartnershipMemberFactory,
    PlanActionFactory,
    ReviewFactory,
    walked_to,
)

pytestmark = pytest.mark.django_db

QUERY_BUDGET = 12
SMALL, LARGE = 5, 50

# Routes that answer only a POST, or stream a file (no template, nothing to render).
NOT_PAGES = {
    "advance",
    "confirm",
    "candidate_add",
    "action_status",
    "mou_sign",
    "strategy_approve",
    "document",
}

# page id -> {check: why it fails today}, checks being "constant", "budget", "rendering".
# Found by this test (see docs/performance.md); the lead removes an entry when the page is fixed.
NOTIFY = (
    "base.html evaluates the lazy Unread(user).count from the context processor "
    "partnerships.notify.unread_count (SELECT COUNT(*) FROM partnerships_reminder)"
)
SELECTS = "the form's model-choice <select> options are queried by the template"
KNOWN_FAILURES: dict[str, dict[str, str]] = {
    **{
        page: {"rendering": NOTIFY}
        for page in [
            "dashboard",
            "calendar",
            "city_detail",
            "officers",
            "strategy",
            "lessons",
            "notifications",
            "notification_preferences",
            "detail",
            *[f"detail?step={s}" for s in Step.values],
            "activity_add",
            "candidate",
            "contact_add",
            "due_diligence",
            "feasibility",
            "mou",
            "action_add",
            "letter_of_intent",
            "business_plan",
            "return",
            "review_add",
            "review",
            "search",
            "selection",
            "reports",
            "cities_import",
            "lesson_add",
        ]
    },
    **{
        page: {"rendering": f"{NOTIFY}; {SELECTS}"}
        for page in ["city_list", "champion_add", "edit", "kpi_add", "create"]
    },
    "list": {"rendering": f"{NOTIFY}; the filter form's <select> options"},
    "dossier": {"budget": "16 queries, constant, over the budget of 12"},
}


def _partnership_routes() -> dict[str, str]:
    """name -> route of every named URL in the `partnerships` namespace."""
    found = {}

    def walk(patterns, namespace=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and p.name and namespace == "partnerships":
                found[p.name] = str(p.pattern)

    walk(get_resolver().url_patterns)
    return found


def _page_ids() -> list[str]:
    ids = []
    for name in sorted(_partnership_routes()):
        if name in NOT_PAGES:
            continue
        ids.append(name)
        if name == "detail":  # the detail page shows one step's artefacts at a time
            ids += [f"detail?step={s}" for s in Step.values]
    return ids


@pytest.fixture
def world():
    """Partnership P of home city A (with twinned city B) walked to the last step, so every
    step's artefacts exist; a coordinator of A; the grow(n) function."""
    city_a = PartnerFactory()
    coordinator = CityMembershipFactory(partner=city_a, role=CityMembership.Role.COORDINATOR).user
    p = walked_to(Step.MEASUREMENT, home=city_a, user=coordinator)
    candidate = p.candidates.order_by("pk").first()
    state = {"p": p, "a": city_a, "user": coordinator, "candidate": candidate, "rows": 0}

    def grow(n: int) -> None:
        """Bring every table a page lists to about n rows more than the walk made."""
        k = n - state["rows"]
        state["rows"] = n
        for _ in range(k):
            other = PartnershipFactory(home=city_a)
            PartnershipMemberFactory(partnership=other)
            PartnerFactory()  # the city directory
            CityMembershipFactory(partner=city_a, user=UserFactory())  # the officers page
        CandidateFactory.create_batch(k, partnership=p)
        ApproachContactFactory.create_batch(k, candidate=candidate)
        ActivityFactory.create_batch(k, partnership=p)
        ReviewFactory.create_batch(k, partnership=p)
        LessonFactory.create_batch(k, partnership=p)
        KPIFactory.create_batch(k, partnership=p)
        ChampionFactory.create_batch(k, partnership=p, partner=city_a)
        PlanActionFactory.create_batch(k, plan=p.business_plan)

    state["grow"] = grow
    return state


def _address(page_id: str, world) -> str:
    name, _, query = page_id.partition("?")
    route = _partnership_routes()[name]
    kwargs = {}
    if "<int:pk>" in route:
        kwargs["pk"] = world["a"].pk if route.startswith("cities/") else world["p"].pk
    if "<int:candidate_id>" in route:
        kwargs["candidate_id"] = world["candidate"].pk
    if "<int:review_id>" in route:
        kwargs["review_id"] = world["p"].reviews.order_by("pk").first().pk
    if "<int:lesson_id>" in route:
        kwargs["lesson_id"] = world["p"].lessons.order_by("pk").first().pk
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


@pytest.mark.parametrize("page_id", _page_ids())
def test_constant_queries_within_budget_none_while_rendering(client, world, page_id, monkeypatch):
    client.force_login(world["user"])
    world["grow"](SMALL)
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
