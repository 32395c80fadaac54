"""The dashboard's board you can work on (issue 20): moves answered in JSON through the same
views and service as the partnership page's buttons, the controls that work without
JavaScript (a local `next` only), who sees them, the filters (bad values noted, never a 500),
the page cache, and a fixed number of queries with filters whatever the portfolio's size."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core import hooks
from partnerships import workflow
from partnerships.health import health_for
from partnerships.models import MOU, Partner, Partnership, PartnershipMember, Step
from tests.factories.accounts import UserFactory
from tests.factories.partnerships import (
    CandidateFactory,
    CityMembershipFactory,
    MOUFactory,
    NorthPartnerFactory,
    PartnerFactory,
    PartnershipFactory,
    PartnershipMemberFactory,
)
from tests.growth import save, save_parents, save_partnerships

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}
# The dashboard with every filter: the pages' budget (test_query_budgets.QUERY_BUDGET), and one
# query more for the assignee filter's choices, offered once a provider is registered.
BOARD_QUERY_BUDGET = 13


@pytest.fixture
def world():
    home = PartnerFactory(name="Springfield")
    away = NorthPartnerFactory(name="Aachen")
    harbour = PartnershipFactory(title="Harbour twinning", home=home, step=Step.SEARCH)
    PartnershipMemberFactory(partnership=harbour, partner=away)
    schools = PartnershipFactory(
        title="School exchange",
        home=home,
        step=Step.APPROACH,
        category=Partnership.Category.MIC,
    )
    archived = PartnershipFactory(
        title="Old friendship", home=home, step=Step.SEARCH, status=Partnership.Status.ARCHIVED
    )
    officer = CityMembershipFactory(partner=home, user=UserFactory(username="olive")).user
    colleague = CityMembershipFactory(partner=home, user=UserFactory(username="otto")).user
    stranger = CityMembershipFactory(partner=PartnerFactory(name="Elsewhere")).user
    return {
        "home": home,
        "away": away,
        "harbour": harbour,
        "schools": schools,
        "archived": archived,
        "officer": officer,
        "colleague": colleague,
        "stranger": stranger,
    }


def advance(client, p, from_step, **extra):
    data = {"from_step": from_step, **extra}
    return client.post(reverse("partnerships:advance", args=[p.pk]), data, **JSON)


def send_back(client, p, from_step, to_step, reason):
    data = {"from_step": from_step, "to_step": to_step, "reason": reason}
    return client.post(reverse("partnerships:return", args=[p.pk]), data, **JSON)


def step_of(p) -> int:
    return Partnership.objects.values_list("step", flat=True).get(pk=p.pk)


def dashboard(client, **params):
    return client.get(reverse("partnerships:dashboard"), params)


def card_tag(page: str, p) -> str:
    """The opening tag of a partnership's card on the board."""
    start = page.index(f'id="board-card-{p.pk}"')
    return page[page.rindex("<", 0, start) : page.index(">", start)]


def cards(response) -> set[str]:
    return {card.title for column in response.context["columns"] for card in column.cards}


# --- Moves in JSON -------------------------------------------------------------------------


def test_an_advance_is_refused_with_the_gates_missing_list_then_accepted(client, world):
    p = world["harbour"]
    client.force_login(world["officer"])
    response = advance(client, p, Step.SEARCH)
    assert response.status_code == 409
    body = response.json()
    assert body["ok"] is False
    assert body["reasons"] == workflow.missing_to_advance(p) != []
    assert body["step"] == Step.SEARCH
    assert step_of(p) == Step.SEARCH

    CandidateFactory(partnership=p)  # the gate's artefact
    response = advance(client, p, Step.SEARCH)
    assert response.status_code == 200
    assert response.json() == {
        "ok": True,
        "step": Step.APPROACH.value,
        "label": str(Step.APPROACH.label),
        "message": f"The partnership moved on to step 3: {Step.APPROACH.label}.",
    }
    assert step_of(p) == Step.APPROACH


def test_two_steps_ahead_is_refused_by_the_server_too(client, world):
    p = world["harbour"]
    CandidateFactory(partnership=p)
    client.force_login(world["officer"])
    response = advance(client, p, Step.SEARCH, to_step=Step.SELECTION)
    assert response.status_code == 409
    assert response.json()["message"] == "A partnership advances one step at a time."
    assert step_of(p) == Step.SEARCH


def test_a_return_needs_a_reason(client, world):
    p = world["harbour"]
    client.force_login(world["officer"])
    response = send_back(client, p, Step.SEARCH, Step.STRATEGY, "  ")
    assert response.status_code == 400
    assert response.json()["reasons"] == workflow.problems_with_return(p, Step.STRATEGY, "")
    response = send_back(client, p, Step.SEARCH, Step.SEARCH, "Why not")
    assert response.status_code == 400
    assert response.json()["reasons"] == ["Choose an earlier step to return to."]
    assert step_of(p) == Step.SEARCH

    response = send_back(client, p, Step.SEARCH, Step.STRATEGY, "The strategy changed.")
    assert response.status_code == 200
    assert response.json()["ok"] is True
    assert response.json()["step"] == Step.STRATEGY
    assert step_of(p) == Step.STRATEGY
    assert p.transitions.get().reason == "The strategy changed."


def test_a_move_from_a_stale_board_is_refused(client, world):
    p = world["harbour"]
    CandidateFactory(partnership=p)
    client.force_login(world["officer"])
    response = advance(client, p, Step.STRATEGY)  # the board showed step 1; it is in 2
    assert response.status_code == 409
    assert response.json()["step"] == Step.SEARCH
    assert "meanwhile" in response.json()["message"]
    response = send_back(client, p, Step.APPROACH, Step.STRATEGY, "Redo it.")
    assert response.status_code == 409
    assert response.json()["step"] == Step.SEARCH
    assert step_of(p) == Step.SEARCH


@pytest.mark.parametrize("who", ["stranger", "viewer"])
def test_someone_who_may_not_edit_gets_a_404_in_json(client, world, who):
    """Another city's officer cannot see it; the officers of an archived one may only see."""
    p = world["harbour"] if who == "stranger" else world["archived"]
    client.force_login(world["stranger" if who == "stranger" else "officer"])
    for response in (
        advance(client, p, Step.SEARCH),
        send_back(client, p, Step.SEARCH, Step.STRATEGY, "Because."),
    ):
        assert response.status_code == 404
        assert response.json()["ok"] is False
    assert step_of(p) == Step.SEARCH
    assert client.post(reverse("partnerships:advance", args=[p.pk]), {}).status_code == 404


# --- Without JavaScript: the forms, and where they come back to ------------------------------


@pytest.mark.parametrize(
    ("next_", "local"),
    [
        ("/?category=mic", True),
        ("https://evil.example/", False),
        ("//evil.example/", False),
        ("/\\evil.example", False),
        ("/ok\r\nSet-Cookie: x=1", False),
        ("javascript:alert(1)", False),
    ],
)
def test_a_form_post_comes_back_to_a_local_next_only(client, world, next_, local):
    p = world["harbour"]
    CandidateFactory(partnership=p)
    client.force_login(world["officer"])
    url = reverse("partnerships:advance", args=[p.pk])
    response = client.post(url, {"from_step": Step.SEARCH, "next": next_})
    assert response.status_code == 302
    expected = next_ if local else reverse("partnerships:detail", args=[p.pk])
    assert response["Location"] == expected
    assert step_of(p) == Step.APPROACH
    # The return page carries a local next into its form, and goes back there.
    page = client.get(reverse("partnerships:return", args=[p.pk]), {"next": next_})
    assert page.status_code == 200
    assert (f'name="next" value="{next_}"' in page.content.decode()) is local
    response = client.post(
        reverse("partnerships:return", args=[p.pk]),
        {"from_step": Step.APPROACH, "to_step": Step.SEARCH, "reason": "Again.", "next": next_},
    )
    assert response["Location"] == expected
    assert step_of(p) == Step.SEARCH


def test_a_refused_form_post_comes_back_to_the_board_with_the_missing_list(client, world):
    p = world["harbour"]
    client.force_login(world["officer"])
    response = client.post(
        reverse("partnerships:advance", args=[p.pk]),
        {"from_step": Step.SEARCH, "next": "/"},
        follow=True,
    )
    assert response.redirect_chain == [("/", 302)]
    shown = [str(m) for m in response.context["messages"]]
    assert workflow.missing_to_advance(p)[0] in shown
    assert step_of(p) == Step.SEARCH


def test_the_controls_are_only_on_cards_the_person_may_change(client, world):
    client.force_login(world["officer"])
    page = dashboard(client).content.decode()
    for key in ("harbour", "schools"):
        assert reverse("partnerships:advance", args=[world[key].pk]) in page
        assert reverse("partnerships:return", args=[world[key].pk]) in page
    archived = world["archived"]
    assert reverse("partnerships:detail", args=[archived.pk]) in page  # seen, not changed
    assert reverse("partnerships:advance", args=[archived.pk]) not in page
    assert reverse("partnerships:return", args=[archived.pk]) not in page
    assert "draggable" not in card_tag(page, archived)
    assert 'draggable="true"' in card_tag(page, world["harbour"])
    assert f"Advance to 3. {Step.APPROACH.label}" in page


# --- Filters -------------------------------------------------------------------------------


def test_the_filters_narrow_the_board(client, world, replace_hook):
    client.force_login(world["officer"])
    everything = {"Harbour twinning", "School exchange", "Old friendship"}
    assert cards(dashboard(client)) == everything
    assert cards(dashboard(client, category="mic")) == {"School exchange"}
    assert cards(dashboard(client, city=world["away"].pk)) == {"Harbour twinning"}
    assert cards(dashboard(client, city=world["home"].pk)) == everything
    assert cards(dashboard(client, health="finished")) == {"Old friendship"}
    # Without a provider of the hook (the agenda app is one), no assignee filter.
    with hooks.replaced("board.assigned", []):
        assert "assignee" not in dashboard(client).context["board_form"].fields

    asked = []

    def assigned(user_ids):
        asked.append(list(user_ids))
        return Q(title__startswith="School") if world["colleague"].pk in user_ids else None

    replace_hook("board.assigned", [assigned])
    response = dashboard(client, assignee=world["colleague"].pk)
    assert cards(response) == {"School exchange"}
    assert asked[-1] == [world["colleague"].pk]
    choices = dict(response.context["board_form"].fields["assignee"].choices)
    assert {world["officer"].pk, world["colleague"].pk} <= set(choices)
    assert world["stranger"].pk not in choices
    assert cards(dashboard(client, assignee=world["officer"].pk)) == set()
    # Someone who is not an officer of the user's cities is not a choice: noted, ignored.
    response = dashboard(client, assignee=world["stranger"].pk)
    assert cards(response) == everything
    assert response.context["board_notes"]


def test_the_health_filter_keeps_the_cards_of_that_band(client, world):
    stalled = world["schools"]
    Partnership.objects.filter(pk=stalled.pk).update(
        step_entered_at=timezone.now() - dt.timedelta(days=800)
    )
    health = health_for(Partnership.objects.exclude(status=Partnership.Status.ARCHIVED))
    bands = {pk: h.band for pk, h in health.items()}
    assert len(set(bands.values())) == 2, bands  # the stalled one scores lower
    client.force_login(world["officer"])
    for band in ("healthy", "at_risk", "weak"):
        response = dashboard(client, health=band)
        shown = {card.pk for column in response.context["columns"] for card in column.cards}
        assert shown == {pk for pk, b in bands.items() if b == band}, band
        for column in response.context["columns"]:
            assert column.total == len(column.cards)
            assert all(card.health.band == band for card in column.cards)


@pytest.mark.parametrize(
    "params",
    [
        {"category": "nonsense"},
        {"city": "99999999999999999999999"},
        {"city": "-1"},
        {"health": "\x00"},
        {"assignee": "x"},
        {"category": ["mic", "sister_city"], "city": "abc"},
    ],
)
def test_a_bad_filter_value_is_ignored_with_a_note(client, world, params):
    client.force_login(world["officer"])
    response = dashboard(client, **params)
    assert response.status_code == 200
    if set(params) - {"assignee"}:  # no assignee filter without a provider: not read
        assert response.context["board_notes"]
        assert "it is ignored" in response.content.decode()


def test_a_city_off_the_board_is_not_a_choice(client, world):
    client.force_login(world["officer"])
    response = dashboard(client, city=world["stranger"].city_memberships.get().partner_id)
    assert response.context["board_notes"]
    assert cards(response) == {"Harbour twinning", "School exchange", "Old friendship"}


# --- The page cache ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_cached_board_is_keyed_by_its_filters_and_a_move_makes_it_stale(
    client, world, settings
):
    settings.PAGE_CACHE = True
    cache.clear()
    try:
        p = world["harbour"]
        CandidateFactory(partnership=p)
        client.force_login(world["officer"])
        dashboard(client)  # hands out the CSRF cookie: not stored
        assert cards(dashboard(client)) == {"Harbour twinning", "School exchange", "Old friendship"}
        again = dashboard(client)
        assert again.context is None  # answered from the cache
        filtered = dashboard(client, category="mic")
        assert filtered.context is not None  # another key
        assert cards(filtered) == {"School exchange"}

        assert advance(client, p, Step.SEARCH).status_code == 200
        fresh = dashboard(client)
        assert fresh.context is not None
        column = next(c for c in fresh.context["columns"] if c.step == Step.APPROACH)
        assert {card.title for card in column.cards} == {"Harbour twinning", "School exchange"}
    finally:
        cache.clear()


# --- A fixed number of queries -------------------------------------------------------------


def test_the_filtered_board_asks_a_fixed_number_of_queries(client, world, replace_hook):
    """As tests/partnerships/test_query_budgets.py: the same count at 5 and at 50 of the
    city's partnerships (each with a counterpart and an MOU), within a budget, for the board
    with every filter (a health band: the health is then read for the board)."""
    home, today = world["home"], timezone.localdate()
    replace_hook("board.assigned", [lambda ids: Q(category=Partnership.Category.SISTER_CITY)])

    def add(n):
        added = save_partnerships(
            PartnershipFactory.build_batch(n, next_review_on=today), [home] * n
        )
        counterparts = [PartnershipMemberFactory.build(partnership=p) for p in added]
        save_parents(counterparts, "partner", Partner)
        save(PartnershipMember, counterparts)
        dates = {
            "effective_on": today - dt.timedelta(days=400),
            "signed_on": today - dt.timedelta(days=400),
            "expires_on": today + dt.timedelta(days=5),
        }
        save(MOU, [MOUFactory.build(partnership=p, **dates) for p in added])

    def counts() -> dict[str, int]:
        found = {}
        for name, params in {
            "unfiltered": {},
            "filtered": {
                "category": "sister_city",
                "city": home.pk,
                "assignee": world["colleague"].pk,
            },
            "by health": {"category": "sister_city", "health": "healthy"},
            "finished": {"health": "finished", "assignee": world["officer"].pk},
        }.items():
            dashboard(client, **params)  # per-process caches (content types) warmed
            with CaptureQueriesContext(connection) as ctx:
                response = dashboard(client, **params)
            assert response.status_code == 200
            assert not response.context["board_notes"], name
            found[name] = len(ctx.captured_queries)
        return found

    client.force_login(world["officer"])
    add(5)
    small = counts()
    add(45)
    large = counts()
    assert small == large
    assert max(large.values()) <= BOARD_QUERY_BUDGET, large
    # At most eight cards a step; the column's count says how many there are.
    response = dashboard(client, category="sister_city")
    column = next(c for c in response.context["columns"] if c.step == Step.STRATEGY)
    assert len(column.cards) == 8 and column.total == 50
    band = column.cards[0].health.band
    response = dashboard(client, category="sister_city", health=band)
    column = next(c for c in response.context["columns"] if c.step == Step.STRATEGY)
    assert len(column.cards) == 8 and column.total == 50  # the 50 are alike


def test_the_boards_status_order_names_real_statuses():
    """STATUS_RANK is written with the statuses' values (the index is declared before the
    model's choices): each must be one."""
    from partnerships.models.partnership import STATUS_RANK

    assert set(STATUS_RANK) <= set(Partnership.Status.values)
    assert set(STATUS_RANK) == {Partnership.Status.ACTIVE, Partnership.Status.PAUSED}
