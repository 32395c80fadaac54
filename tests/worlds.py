"""Worlds many tests read: built once per test module (and xdist worker), not once per test.

A world is built by a module-scoped fixture inside a transaction that is opened before the
module's first test that asks for it and rolled back after the module's last test. Each test
then runs as usual inside its own savepoint (pytest-django's `db`), rolled back at its end: what
a test writes (a POST, a second demo load) is never seen by the next test.

What does not live in the database is reset per test too: the function-scoped fixture that a
test asks for (`matrix_world`, `budget_world`, `demo_loaded`, ...) clears the cache, copies the
world's uploaded files into the test's own MEDIA_ROOT, and re-reads every model instance it
hands out from the database (a user object keeps per-request state such as `_city_roles` and
`last_login`, which a rollback does not undo).

Within a module, the tests that ask for no world run first (this plugin reorders them), and a
test that runs while a world it did not ask for is open fails at set-up; a transactional
test (`django_db(transaction=True)`, `live_server`) cannot use a shared world.

The worlds:

- the permission matrix's world (`matrix_world`): partnership P of cities A and B with every
  artefact a URL needs, and one user per role of tests/access/matrix.py; also used by the
  bad-input suites (tests/security);
- the query budgets' worlds (`budget_world`): a partnership walked to the last step, with or
  without the chamber world, grown to SMALL rows (tests/partnerships/test_query_budgets.py);
  the rows are added in bulk (tests/growth.py), so each test's own growth to LARGE is cheap;
- the demo data set (`demo_loaded`): `manage.py load_demo` run once, its output.
"""

from __future__ import annotations

import copy
import datetime as dt
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.models import User
from agenda import services as agenda_services
from alliances import services as alliance_services
from businesses.models import ChamberMembership, MatchProposal
from discussion import services as discussion_services
from invitations import services as invitation_services
from invitations import tokens as invitation_tokens
from partnerships import services
from partnerships.health import stored
from partnerships.models import Candidate, CityMembership, Partner, Partnership, Review, Step
from tests.access.matrix import MATRIX, OPEN
from tests.factories.accounts import UserFactory
from tests.factories.businesses import (
    BusinessAssociationFactory,
    BusinessProfileFactory,
    ChamberMembershipFactory,
    InterestRegistrationFactory,
    PartnershipLeadFactory,
)
from tests.factories.partnerships import (
    BusinessPlanFactory,
    CityMembershipFactory,
    LetterOfIntentFactory,
    MOUFactory,
    OfflineConfirmationFactory,
    PartnerFactory,
    PartnershipFactory,
    PlanActionFactory,
    ReviewFactory,
    walked_to,
)
from tests.factories.reminders import ReminderFactory
from tests.growth import grow_chamber_pages, grow_invitations, grow_partnership_pages
from tests.transactional import is_transactional

# --- The machinery ------------------------------------------------------------------------

# The world whose transaction is open in this process, if any (at most one at a time).
ACTIVE: SharedWorld | None = None
# The names of the module-scoped fixtures that build a world (see `shared_world`).
SHARED_WORLDS: set[str] = set()


def shared_world(function):
    """Declare a module-scoped world fixture (a generator using `SharedWorld`): the tests of a
    module that ask for it run after those that do not."""
    SHARED_WORLDS.add(function.__name__)
    return pytest.fixture(scope="module")(function)


class SharedWorld:
    """One world's transaction, its data and its uploaded files.

    In a module-scoped fixture::

        with SharedWorld(request, django_db_blocker, tmp_path_factory) as world:
            world.build(build_function)
            yield world

    and per test, `world.enter(request)` returns a deep copy of what `build_function` returned
    (keep it to plain data: primary keys, not model instances).
    """

    def __init__(self, request, django_db_blocker, tmp_path_factory):
        self.fixture_name = request.fixturename
        self.blocker = django_db_blocker
        self.media_root = Path(tmp_path_factory.mktemp(f"{self.fixture_name}_media"))
        self.data = None
        self._atomic = None

    def __enter__(self) -> SharedWorld:
        global ACTIVE
        if ACTIVE is not None:
            raise RuntimeError(f"{self.fixture_name}: {ACTIVE.fixture_name} is still open")
        with self.blocker.unblock():
            if connection.in_atomic_block:
                raise RuntimeError(f"{self.fixture_name}: a transaction is already open")
            self._atomic = transaction.atomic()
            self._atomic.__enter__()
        ACTIVE = self
        return self

    def __exit__(self, *exc_info) -> None:
        global ACTIVE
        ACTIVE = None
        with self.blocker.unblock():
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)
        cache.clear()

    def build(self, function, *args, **kwargs):
        """Run `function` with database access, its uploads kept under the world's folder."""
        with self.blocker.unblock(), override_settings(MEDIA_ROOT=self.media_root):
            self.data = function(*args, **kwargs)
        cache.clear()
        return self.data

    def enter(self, request):
        """Per test, inside its savepoint: no cache left by another test, the world's files in
        the test's MEDIA_ROOT, and a copy of the world's data."""
        if is_transactional(request):
            pytest.fail(f"{self.fixture_name} is shared: a transactional test cannot use it")
        if not connection.in_atomic_block:
            pytest.fail(f"{self.fixture_name}: the test needs the database (`db`)")
        cache.clear()
        if any(self.media_root.iterdir()):
            shutil.copytree(self.media_root, settings.MEDIA_ROOT, dirs_exist_ok=True)
        return copy.deepcopy(self.data)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Within each run of consecutive tests of one module, those that ask for a shared world
    run after those that do not: a world's transaction stays open from its first test to the
    end of the run. (Runs, not whole modules: pytest-django has put the transactional tests
    last, after every test that runs in a transaction; that order is kept.)"""
    runs = []
    for item in items:
        if runs and runs[-1][0].path == item.path:
            runs[-1].append(item)
        else:
            runs.append([item])
    items[:] = [item for run in runs for item in sorted(run, key=_uses_a_world)]


def _uses_a_world(item) -> bool:
    return any(name in SHARED_WORLDS for name in getattr(item, "fixturenames", ()))


@pytest.fixture(autouse=True)
def _no_foreign_world(request):
    """No test runs inside a world it did not ask for."""
    if ACTIVE is not None and ACTIVE.fixture_name not in request.fixturenames:
        pytest.fail(
            f"{request.node.nodeid} runs while {ACTIVE.fixture_name} is open: the tests "
            "asking for no shared world must run before it (pytest_collection_modifyitems)"
        )


def _users(pks: dict[str, int | None]) -> dict[str, User | None]:
    """The users of a world, read afresh: no state of another test's request on them."""
    found = User.objects.in_bulk([pk for pk in pks.values() if pk is not None])
    return {role: found[pk] if pk is not None else None for role, pk in pks.items()}


def _sessions(users: dict[str, User | None]) -> dict[str, str]:
    """A signed-in session per role, made once with the world: a login writes a session,
    rotates it and runs the login signals (a quarter of the permission matrix's time when each
    of its 2,000 requests signed in afresh). Each test's savepoint keeps them as they were."""
    sessions = {}
    for role, user in users.items():
        if user is not None:
            client = Client()
            client.force_login(user)
            sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return sessions


def sign_in(client: Client, world: dict, role: str) -> Client:
    """`client` signed in as the world's `role`, through the session made with the world."""
    client.cookies[settings.SESSION_COOKIE_NAME] = world["sessions"][role]
    return client


# --- URLs ---------------------------------------------------------------------------------


def named_urls() -> dict[str, URLPattern]:
    """Every named route outside the Django admin (tested on its own in test_admin)."""
    found = {}

    def walk(patterns, namespace=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin":
                    continue
                walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and p.name:
                found[f"{namespace}:{p.name}" if namespace else p.name] = p

    walk(get_resolver().url_patterns)
    return found


def url_for(name, world):
    """The address of URL `name` with the objects of a world in the matrix world's shape
    (its "kwargs", "city_kwargs" and "kwargs_for")."""
    pattern = named_urls()[name]
    wanted = pattern.pattern.converters.keys() if hasattr(pattern.pattern, "converters") else []
    source = (
        world["city_kwargs"]
        if name.startswith("partnerships:") and "cities/" in str(pattern.pattern)
        else world["kwargs"]
    )
    source = {**source, **world["kwargs_for"].get(name, {})}
    kwargs = {k: (source.get(k) or world["kwargs"][k]) for k in wanted}
    return reverse(name, kwargs=kwargs)


# --- The permission matrix's world --------------------------------------------------------


def build_matrix_world() -> dict:
    """Partnership P between A and B (private, in the MOU step) with every artefact a URL needs."""
    city_a, city_b, city_c = PartnerFactory(), PartnerFactory(), PartnerFactory()
    users = {
        "officer_a": UserFactory(),
        "officer_b": UserFactory(),
        "officer_c": UserFactory(),
        "coordinator_a": UserFactory(),
        "plain": UserFactory(),
        "admin": UserFactory(is_superuser=True, is_staff=True),
    }
    for role, city in [("officer_a", city_a), ("officer_b", city_b), ("officer_c", city_c)]:
        CityMembershipFactory(user=users[role], partner=city)
    CityMembershipFactory(
        user=users["coordinator_a"], partner=city_a, role=CityMembership.Role.COORDINATOR
    )
    partnership = walked_to(Step.SELECTION, home=city_a)
    candidate = partnership.candidates.get()
    services.candidate_add(partnership=partnership, partner=city_b, rationale="Twin port")
    services.selection_decide(
        partnership=partnership, candidate=partnership.candidates.get(partner=city_b), reasons="x"
    )
    plan = BusinessPlanFactory(partnership=partnership)
    action = PlanActionFactory(plan=plan)
    pdf = ContentFile(b"%PDF-1.4\n%test\n", name="x.pdf")
    mou = MOUFactory(partnership=partnership, status="draft", signed_on=None, document=pdf)
    loi = LetterOfIntentFactory(partnership=partnership, document=pdf)
    draft = services.strategy_create(
        partner=city_a,
        vision="v",
        goals="g",
        criteria=[{"name": "Port", "measure": "shared_sectors", "weight": 2}],
    )
    review = services.review_create_draft(
        partnership=partnership, period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 6, 30)
    )
    lesson = services.lesson_add(partnership=partnership, step=7, theme="T", text="Name a deputy.")
    chamber_kwargs, published = chamber_world(users, city_a, city_b, partnership, pdf)
    # Recorded for B by A's side before officer_b joined: B's officers endorse or dispute it.
    offline = OfflineConfirmationFactory(
        partnership=partnership, partner=city_b, step=Step.SELECTION
    )
    kwargs = {
        "pk": partnership.pk,
        **chamber_kwargs,
        "review_id": review.pk,
        "lesson_id": lesson.pk,
        "candidate_id": candidate.pk,
        "doc_id": mou.pk,
        "confirmation_id": offline.pk,
        "kind": "mou",
        "action_id": action.pk,
        "strategy_id": draft.pk,
        "uidb64": "MQ",
        "token": "set-password",
        "dataset": "partnerships",
    }
    kwargs["view_id"] = services.saved_view_save(
        user=users["officer_a"], name="At the MOU", query="step=6", shared_with=city_a
    ).pk
    notification = ReminderFactory(partnership=partnership, recipient=users["officer_a"])
    kwargs["reminder_id"] = notification.pk
    # The API: a partner city's page, and a personal token of officer_a's (its revocation).
    kwargs["city_id"] = city_a.pk
    kwargs["token_id"] = account_services.api_token_create(
        user=users["officer_a"], name="Spreadsheet", access="read"
    )[0].pk
    kwargs["comment_id"] = discussion_services.comment_post(
        user=users["officer_a"], partnership=partnership, body="Shall we meet in March?"
    ).comment.pk
    # Officer_a's call for officer_b: its assignee or P's editors complete or cancel it.
    kwargs["activity_id"] = agenda_services.activity_schedule(
        user=users["officer_a"],
        partnership=partnership,
        kind="call",
        summary="Call B about the MOU",
        assignee=users["officer_b"],
        due_on=dt.date.today() + dt.timedelta(days=7),
    ).pk
    kwargs.update(invitation_world(users, city_a))
    city_kwargs = {"pk": city_a.pk}
    assert loi.pk
    return {
        "users": {role: user.pk for role, user in users.items()},
        "sessions": _sessions(users),
        "kwargs": kwargs,
        "city_kwargs": city_kwargs,
        # The registry's pages show a published partnership (P is private).
        "kwargs_for": {
            **{name: published for name in OPEN if "registry" in name},
            "invitations:city_invite": city_kwargs,
        },
    }


def invitation_world(users, city_a) -> dict:
    """An invitation of coordinator_a's to A, for an address without an account (its key), and
    a request to join A of a new account."""
    invitation = invitation_services.invitation_send(
        city=city_a, email="invitee@example.org", by=users["coordinator_a"]
    )
    join_request = invitation_services.join_request_create(
        city=city_a,
        email="asks-to-join@example.org",
        password="a long pass phrase 42",
        first_name="Asks",
        last_name="To Join",
    )
    return {
        "invitation_id": invitation.pk,
        "key": invitation_tokens.make_key(invitation),
        "join_request_id": join_request.pk,
    }


def chamber_world(users, city_a, city_b, partnership, pdf):
    """A's business association with approved staff ("chamber") and a pending sign-up; a
    business of each city; interest of A's chamber registered in P; a lead of A's chamber; a
    business sub-alliance in P with a measure of A's side; a match of A's chamber proposed in P;
    and a published partnership Q with a signed MOU for the registry."""
    association = BusinessAssociationFactory(organisation__partner=city_a)
    users["chamber"] = ChamberMembershipFactory(association=association).user
    pending = ChamberMembershipFactory(association=association, pending=True)
    users["pending"] = pending.user
    users["rejected"] = ChamberMembershipFactory(
        association=association, status=ChamberMembership.Status.REJECTED
    ).user
    # Staff of a chamber of another city (C: no member of P).
    users["chamber_other"] = ChamberMembershipFactory(
        association__organisation__partner=PartnerFactory()
    ).user
    business = BusinessProfileFactory(association=association)
    other = BusinessProfileFactory(association__organisation__partner=city_b)
    registration = InterestRegistrationFactory(
        association=association, partnership=partnership, businesses=[business]
    )
    lead = PartnershipLeadFactory(association=association)
    sub_alliance = alliance_services.sub_alliance_create(
        partnership=partnership,
        user=None,
        name="Citrus linkage",
        purpose="Buyer and supplier.",
        grouping="business",
        form="partnership",
        organisations=[business.organisation, other.organisation],
        linkage_scope="bilateral",
        linkage_locus="external",
        linkage_direction="vertical",
    )
    measure = alliance_services.scorecard_measure_add(
        sub_alliance=sub_alliance,
        user=None,
        side=city_a,
        dimension="effectiveness",
        name="Containers shipped",
        unit="containers",
    )
    # A match A's chamber proposed in P, waiting for the officers (the matches' part).
    proposal = MatchProposal.objects.create(
        partnership=partnership, first=business, second=other, association=association
    )
    published = PartnershipFactory(
        home=city_a, title="Q", published=True, publish_mou_document=True
    )
    signed = MOUFactory(partnership=published, status="signed", document=pdf)
    kwargs = {
        "membership_id": pending.pk,
        "business_id": business.pk,
        "registration_id": registration.pk,
        "lead_id": lead.pk,
        "sub_alliance_id": sub_alliance.pk,
        "task_id": sub_alliance.startup_tasks.first().pk,
        "measure_id": measure.pk,
        "proposal_id": proposal.pk,
    }
    return kwargs, {"pk": published.pk, "mou_id": signed.pk}


@shared_world
def matrix_world_once(request, django_db_setup, django_db_blocker, tmp_path_factory):
    with SharedWorld(request, django_db_blocker, tmp_path_factory) as world:
        world.build(build_matrix_world)
        yield world


@pytest.fixture
def matrix_world(matrix_world_once, db, request) -> dict:
    """The permission matrix's world, as a test sees it: users read afresh, today's date."""
    world = matrix_world_once.enter(request)
    world["users"] = _users(world["users"])
    world["date"] = dt.date.today()
    return world


def health_current() -> None:
    """Recompute the stored health the test's writes marked stale, as their commits would in
    production (a test's transaction never commits; rows written in bulk are marked by
    tests/growth.py). For a count of a page's own queries: what a recomputation asks is
    measured in tests/partnerships/test_health_stored.py."""
    stored.refresh_stale(Partnership.objects.all(), timezone.localdate())


# --- The query budgets' worlds ------------------------------------------------------------

# The query budgets request each page at SMALL rows, then at LARGE.
SMALL, LARGE = 5, 50


def build_budget_world(with_chamber: bool) -> dict:
    """Partnership P of home city A (with twinned city B) walked to the last step, so every
    step's artefacts exist; a coordinator of A; with the chamber world or not; every table a
    page lists grown to SMALL rows."""
    city_a = PartnerFactory()
    coordinator = CityMembershipFactory(partner=city_a, role=CityMembership.Role.COORDINATOR).user
    p = walked_to(Step.MEASUREMENT, home=city_a, user=coordinator)
    # A completed review too: pages (the dossier, the health panel) read its results.
    ReviewFactory(partnership=p, status=Review.Status.COMPLETED, completed_on=dt.date(2025, 1, 20))
    candidate = p.candidates.order_by("pk").first()
    state = {"p": p, "a": city_a, "user": coordinator, "candidate": candidate, "rows": 0}
    state["growers"] = [grow_partnership_pages]
    state["grow"] = _grow_function(state)
    if with_chamber:
        _with_chamber(state)
    state["grow"](SMALL)
    data = {
        "p": p.pk,
        "a": city_a.pk,
        "user": coordinator.pk,
        "candidate": candidate.pk,
        "rows": state["rows"],
        "chamber": with_chamber,
    }
    if with_chamber:
        data["users"] = {role: u.pk if u else None for role, u in state["users"].items()}
        data["matrix"] = state["matrix"]
    return data


def _grow_function(state):
    def grow(n: int) -> None:
        """Bring every table a page lists to about n rows more than the walk made."""
        k = n - state["rows"]
        state["rows"] = n
        for grower in state["growers"]:
            grower(state, k)
        health_current()

    return grow


def _with_chamber(world) -> None:
    """Add the chamber world of the permission matrix (A's association with staff, a pending
    sign-up, businesses, interest in P, a lead, a business sub-alliance of P with a measure, a
    published partnership with a signed MOU) and grow its lists too."""
    p, city_a = world["p"], world["a"]
    city_b = p.members.exclude(partner=city_a).select_related("partner").first().partner
    users = {"coordinator_a": world["user"]}
    pdf = ContentFile(b"%PDF-1.4\n%test\n", name="x.pdf")
    kwargs, published = chamber_world(users, city_a, city_b, p, pdf)
    kwargs.update(invitation_world(users, city_a))
    world["users"] = {**users, "anonymous": None}
    # In the shape url_for() reads.
    world["matrix"] = {
        "kwargs": {"pk": p.pk, **kwargs},
        "city_kwargs": {"pk": city_a.pk},
        "kwargs_for": {
            **{n: published for n in MATRIX if n.startswith("businesses:registry")},
            "invitations:city_invite": {"pk": city_a.pk},
        },
    }
    world["growers"].append(grow_chamber_pages)
    world["growers"].append(grow_invitations)


@shared_world
def budget_world_once(request, django_db_setup, django_db_blocker, tmp_path_factory):
    """Parametrized indirectly: "pages" (the partnership's own pages) or "chamber" (the other
    apps' pages, with the chamber world). A module holds one at a time: pytest builds the next
    after tearing the previous down."""
    with SharedWorld(request, django_db_blocker, tmp_path_factory) as world:
        world.build(build_budget_world, with_chamber=request.param == "chamber")
        yield world


@pytest.fixture
def budget_world(budget_world_once, db, request) -> dict:
    """A query budget's world at SMALL rows, as a test sees it: its objects read afresh, and
    its own grow(n)."""
    data = budget_world_once.enter(request)
    p = Partnership.objects.get(pk=data["p"])
    state = {
        "p": p,
        "a": Partner.objects.get(pk=data["a"]),
        "user": User.objects.get(pk=data["user"]),
        "candidate": Candidate.objects.get(pk=data["candidate"]),
        "rows": data["rows"],
        "growers": [grow_partnership_pages],
    }
    if data["chamber"]:
        state["users"] = _users(data["users"])
        state["users"]["coordinator_a"] = state["user"]
        state["matrix"] = data["matrix"]
        state["growers"].append(grow_chamber_pages)
        state["growers"].append(grow_invitations)
    state["grow"] = _grow_function(state)
    return state


# --- The demo data set --------------------------------------------------------------------


def load_demo() -> str:
    """`manage.py load_demo`, its output."""
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@shared_world
def demo_loaded_once(request, django_db_setup, django_db_blocker, tmp_path_factory):
    with SharedWorld(request, django_db_blocker, tmp_path_factory) as world:
        world.build(load_demo)
        yield world


@pytest.fixture
def demo_loaded(demo_loaded_once, db, request) -> str:
    """The demo data set, loaded once for the module; the output of that load."""
    return demo_loaded_once.enter(request)
