"""Matchmaking on a designed fixture whose best pair is known, turning a suggestion into a
business sub-alliance in one click, and recording its outcomes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alliances.models import Grouping, Organisation, SubAlliance
from businesses.models import BusinessProfile, Outcome
from core.converters import LARGEST_ID  # in an address (10**30 matches no URL)
from tests.factories.accounts import UserFactory
from tests.factories.alliances import SubAllianceFactory, SubAlliancePartyFactory
from tests.factories.businesses import (
    BusinessAssociationFactory,
    BusinessProfileFactory,
    chamber_staff,
    needs,
    sectors,
)
from tests.growth import save, save_links, save_parents

pytestmark = pytest.mark.django_db

QUERY_BUDGET = 12
HUGE = 10**30  # past the database's integer: for form values


def url(name, *args):
    return reverse(f"businesses:{name}", args=args)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def business(association, name, codes, seeks=(), offers=(), readiness="none", **fields):
    return BusinessProfileFactory(
        association=association,
        organisation__name=name,
        sectors=sectors(*codes),
        seeks=needs(*seeks),
        offers=needs(*offers),
        export_readiness=readiness,
        **{"products_services": "", **fields},
    )


@pytest.fixture
def market(world):
    """Designed so that the best pair is known: a citrus packhouse (A, processing) that offers
    fresh citrus, seeks buyers and offers supply, export-ready, and a Nordic fruit importer (G,
    distribution) that seeks citrus and suppliers and offers a market, export-ready — the
    product (30), adjacent stages (10), sectors (5), both trading (10), two export-ready firms
    (5 + 5): 65. Complements score 15 with a sector link (5): 20; pairs linked only by sectors
    score 5; others do not match at all (see businesses/matching.py)."""
    home = BusinessAssociationFactory(organisation__partner=world.home)
    away = BusinessAssociationFactory(organisation__partner=world.away)
    return SimpleNamespace(
        home=home,
        away=away,
        staff=chamber_staff(home),
        citrus=business(
            home,
            "Citrus Co",
            "A",
            ["buyers"],
            ["suppliers"],
            "ready",
            products_services="Fresh citrus",
            chain_position="processing",
        ),
        textiles=business(home, "Textile Coop", "C", ["investment"]),
        software=business(home, "Software Studio", "J", ["investment"], ["technology"]),
        importer=business(
            away,
            "Nordic Fruit Import",
            "G",
            ["suppliers"],
            ["buyers"],
            "ready",
            products_sought="citrus and other fruit",
            chain_position="distribution",
        ),
        cleantech=business(away, "Clean Tech AB", "D", [], ["investment"]),
        paper=business(away, "Paper AB", "C", ["technology"]),
        admin=UserFactory(is_superuser=True, is_staff=True),
    )


def test_the_known_best_pair_comes_first_with_its_reasons(client, world, market):
    client.force_login(world.home_officer)
    response = client.get(url("matchmaking", world.partnership.pk))
    assert response.status_code == 200
    rows = response.context["rows"]
    best = rows[0]["s"]
    assert {best.first, best.second} == {market.citrus, market.importer}
    assert best.score == 65
    assert best.supplier == market.citrus and best.buyer == market.importer
    assert [row["s"].score for row in rows] == [65, 20, 20, 20, 5, 5, 5, 5]
    page = response.content.decode()
    assert (
        "Vertical (buyer–supplier): Nordic Fruit Import seeks ‘citrus and other fruit’; Citrus "
        "Co offers ‘Fresh citrus’ (matched: citrus)."
    ) in page
    assert "Complement: Clean Tech AB offers investment capital; Textile Coop seeks" in page
    assert page.index("Nordic Fruit Import") < page.index("Clean Tech AB")


def test_one_click_turns_a_suggestion_into_a_business_sub_alliance(client, world, market):
    client.force_login(world.away_officer)
    response = client.post(
        url("matchmaking_form", world.partnership.pk),
        {"first": market.citrus.pk, "second": market.importer.pk, "form": "alliance"},
        follow=True,
    )
    sub_alliance = SubAlliance.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "alliances:sub_alliance_detail", args=[sub_alliance.pk]
    )
    assert sub_alliance.grouping == Grouping.BUSINESS and sub_alliance.form == "alliance"
    assert (sub_alliance.linkage_scope, sub_alliance.linkage_locus) == ("bilateral", "external")
    assert sub_alliance.linkage_direction == "vertical"
    roles = {p.organisation.name: p.role for p in sub_alliance.parties.all()}
    assert roles == {"Citrus Co": "supplier", "Nordic Fruit Import": "buyer"}
    assert sub_alliance.startup_tasks.count() == 5
    assert sub_alliance.created_by == world.away_officer
    assert any("formed" in m for m in messages_of(response))

    # The pair leaves the suggestions; forming it again is refused.
    rows = client.get(url("matchmaking", world.partnership.pk)).context["rows"]
    assert all({r["s"].first, r["s"].second} != {market.citrus, market.importer} for r in rows)
    response = client.post(
        url("matchmaking_form", world.partnership.pk),
        {"first": market.citrus.pk, "second": market.importer.pk},
        follow=True,
    )
    assert any("already in a sub-alliance" in m for m in messages_of(response))
    assert SubAlliance.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose one of the suggested pairs."),
        ({"first": HUGE, "second": HUGE}, "Choose one of the suggested pairs."),
        ({"first": "x", "second": "y"}, "Choose one of the suggested pairs."),
        ({"first": 1, "second": 1, "form": "cult"}, "Choose one of the suggested pairs."),
    ],
)
def test_bad_pairs_are_refused_and_form_nothing(client, world, market, data, message):
    client.force_login(world.home_officer)
    response = client.post(url("matchmaking_form", world.partnership.pk), data, follow=True)
    assert response.status_code == 200
    assert message in messages_of(response)
    assert not SubAlliance.objects.exists()


def test_a_pair_that_does_not_match_is_refused(client, world, market):
    client.force_login(world.home_officer)
    for first, second, message in [
        (market.citrus, market.cleantech, "not (or no longer) a suggested match"),
        (market.citrus, market.textiles, "two different cities"),
        (market.citrus, BusinessProfileFactory(), "member cities"),
    ]:
        response = client.post(
            url("matchmaking_form", world.partnership.pk),
            {"first": first.pk, "second": second.pk},
            follow=True,
        )
        assert any(message in m for m in messages_of(response)), messages_of(response)
    assert not SubAlliance.objects.exists()


def test_matchmaking_is_for_the_member_cities_officers(client, world, market):
    address = url("matchmaking", world.partnership.pk)
    pair = {"first": market.citrus.pk, "second": market.importer.pk}
    for user, status in [
        (world.home_officer, 200),
        (world.away_officer, 200),
        (market.admin, 200),
        (world.stranger_officer, 404),
        (market.staff, 404),
        (UserFactory(), 302),  # no role: sent to its status page
    ]:
        client.force_login(user)
        assert client.get(address).status_code == status
        if status != 200:
            response = client.post(url("matchmaking_form", world.partnership.pk), pair)
            assert response.status_code == status
    assert not SubAlliance.objects.exists()
    client.force_login(world.home_officer)
    assert client.get(url("matchmaking", LARGEST_ID)).status_code == 404
    assert client.get(url("matchmaking_form", world.partnership.pk)).status_code == 405


def test_matchmaking_queries_do_not_grow(client, world, market):
    def add(n):
        """2n businesses, as `business` makes them, in bulk (tests/growth.py)."""
        specs = []
        for i in range(n):
            specs.append((market.home, f"Grower {i} {n}", "A", "buyers", "suppliers"))
            specs.append((market.away, f"Trader {i} {n}", "G", "suppliers", "buyers"))
        built = [
            BusinessProfileFactory.build(association=association, organisation__name=name)
            for association, name, *_ in specs
        ]
        save_parents(built, "organisation", Organisation)
        save(BusinessProfile, built)
        sector = {x.code: x for x in sectors("A", "G")}
        need = {x.code: x for x in needs("buyers", "suppliers")}
        pairs = list(zip(built, specs, strict=True))
        save_links(Organisation.sectors, [(b.organisation, sector[s[2]]) for b, s in pairs])
        save_links(BusinessProfile.seeks, [(b, need[s[3]]) for b, s in pairs])
        save_links(BusinessProfile.offers, [(b, need[s[4]]) for b, s in pairs])

    client.force_login(world.home_officer)
    add(5)
    with CaptureQueriesContext(connection) as few:
        client.get(url("matchmaking", world.partnership.pk))
    add(45)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url("matchmaking", world.partnership.pk))
    assert len(response.context["rows"]) == 20
    assert len(few) == len(many) <= QUERY_BUDGET, [q["sql"][:80] for q in many.captured_queries]


# --- Outcomes -------------------------------------------------------------------------------------


@pytest.fixture
def linkage(client, world, market):
    client.force_login(world.home_officer)
    client.post(
        url("matchmaking_form", world.partnership.pk),
        {"first": market.citrus.pk, "second": market.importer.pk},
    )
    return SubAlliance.objects.get()


def test_an_officer_records_outcomes_shown_on_the_sub_alliance(client, world, linkage):
    address = url("outcome_record", linkage.pk)
    assert client.get(address).status_code == 200
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(
        address,
        {
            "kind": "export_value",
            "amount": "1250000.50",
            "currency": "zar",
            "occurred_on": yesterday.isoformat(),
            "partner": world.home.pk,
            "note": "First season",
        },
    )
    detail = reverse("alliances:sub_alliance_detail", args=[linkage.pk])
    assert response["Location"] == f"{detail}#outcomes"
    outcome = Outcome.objects.get()
    assert (outcome.amount, outcome.currency, outcome.partner) == (
        Decimal("1250000.50"),
        "ZAR",
        world.home,
    )
    client.post(address, {"kind": "deals", "amount": "2", "occurred_on": yesterday})
    page = client.get(detail).content.decode()
    assert "Export value" in page and "ZAR\u00a01,250,000.50" in page and "Deals concluded" in page


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "kind"),
        ({"kind": "deals", "amount": "-1"}, "amount"),
        ({"kind": "deals", "amount": "1.5"}, "amount"),
        ({"kind": "deals", "amount": "abc"}, "amount"),
        ({"kind": "deals", "amount": "1" * 40}, "amount"),
        ({"kind": "export_value", "amount": "10"}, "currency"),
        ({"kind": "export_value", "amount": "10", "currency": "RANDS"}, "currency"),
        ({"kind": "deals", "amount": "1", "currency": "ZAR"}, "currency"),
        ({"kind": "deals", "amount": "1", "occurred_on": "2999-01-01"}, "occurred_on"),
        ({"kind": "deals", "amount": "1", "occurred_on": "0001-01-01"}, "occurred_on"),
        ({"kind": "deals", "amount": "1", "occurred_on": "yesterday"}, "occurred_on"),
        ({"kind": "deals", "amount": "1", "partner": HUGE}, "partner"),
        ({"kind": "magic", "amount": "1"}, "kind"),
    ],
)
def test_outcome_errors_are_field_errors_and_save_nothing(client, world, linkage, data, field):
    data.setdefault("occurred_on", timezone.localdate().isoformat())
    response = client.post(url("outcome_record", linkage.pk), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    assert not Outcome.objects.exists()


def test_a_side_not_in_the_sub_alliance_is_not_a_choice(client, world, linkage):
    response = client.post(
        url("outcome_record", linkage.pk),
        {"kind": "deals", "amount": "1", "partner": world.third.pk},
    )
    assert "partner" in response.context["form"].errors


def test_outcomes_are_for_business_sub_alliances_and_their_officers(client, world, linkage):
    government = SubAllianceFactory(partnership=world.partnership, grouping=Grouping.GOVERNMENT)
    SubAlliancePartyFactory(sub_alliance=government, organisation=world.organisation("home"))
    response = client.get(url("outcome_record", government.pk))
    assert response.status_code == 200 and response.context["form"] is None
    response = client.post(url("outcome_record", government.pk), {"kind": "deals", "amount": 1})
    assert response.status_code == 200 and not Outcome.objects.exists()

    refusals = ((world.stranger_officer, 404), (chamber_staff(), 404), (UserFactory(), 302))
    for user, refused in refusals:
        client.force_login(user)
        assert client.get(url("outcome_record", linkage.pk)).status_code == refused
        assert client.post(url("outcome_record", linkage.pk), {}).status_code == refused
    client.force_login(world.away_officer)
    assert client.get(url("outcome_record", linkage.pk)).status_code == 200
    assert client.get(url("outcome_record", LARGEST_ID)).status_code == 404
