"""Matchmaking on a designed fixture whose ranking is known, reasons that name the facts that
matched, a chamber's view of its own businesses' pairs, and one step from a suggestion to a
business sub-alliance."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alliances.models import Grouping, SubAlliance
from businesses import matching, services
from businesses.models import InterestedBusiness
from core.errors import DomainError
from partnerships.models import Activity
from tests.factories.businesses import (
    BusinessAssociationFactory,
    BusinessProfileFactory,
    InterestRegistrationFactory,
    needs,
    sectors,
)

pytestmark = pytest.mark.django_db


def firm(association, name, codes, seeks=(), offers=(), readiness="none", **fields):
    fields.setdefault("products_services", "")
    return BusinessProfileFactory(
        association=association,
        organisation__name=name,
        sectors=sectors(*codes),
        seeks=needs(*seeks),
        offers=needs(*offers),
        export_readiness=readiness,
        **fields,
    )


class Market:
    """Two chambers' members (Gqeberha, South Africa; Gävle, Sweden), designed so that the
    ranking is known (see the points in businesses/matching.py)."""

    def __init__(self, world):
        self.home = home = BusinessAssociationFactory(organisation__partner=world.home)
        self.away = away = BusinessAssociationFactory(organisation__partner=world.away)
        self.agri = firm(
            home,
            "Gqeberha Agri",
            "A",
            ["buyers"],
            ["suppliers"],
            "exporting",
            products_services="Citrus and table grapes",
            chain_position="primary",
            markets_sought=["SE"],
        )
        self.motors = firm(
            home,
            "Karoo Motors",
            "C",
            ["technology"],
            products_services="Car seats and trims",
            chain_position="processing",
        )
        self.lodges = firm(home, "Bay Lodges", "I", ["tourism"])
        # Seeks citrus: only Gqeberha Agri offers it, at home.
        self.juice = firm(home, "Gqeberha Juice", "C", ["suppliers"], products_sought="citrus")
        self.ships = firm(
            home,
            "Algoa Ship Repair",
            "H",
            ["buyers"],
            ["suppliers"],
            "ready",
            products_services="ship repair",
        )
        self.foods = firm(
            away,
            "Gävle Foods",
            "C",
            ["suppliers"],
            ["buyers"],
            "ready",
            products_sought="Citrus fruit and grapes for juice",
            chain_position="processing",
        )
        self.auto = firm(
            away,
            "Nordic Auto",
            "C",
            ["technology"],
            ["technology"],
            products_services="car seats and dashboards",
            chain_position="processing",
        )
        self.tours = firm(away, "Gävle Tours", "R", [], ["tourism"])
        self.textiles = firm(
            away,
            "Gävle Textile Design",
            "C",
            ["suppliers"],
            ["buyers"],
            "exporting",
            products_services="textile design",
        )
        # The chamber registered Gqeberha Agri's interest in this partnership.
        InterestRegistrationFactory(
            association=home, partnership=world.partnership, businesses=[self.agri]
        )


@pytest.fixture
def market(world):
    return Market(world)


def pairs(suggestions):
    return [({s.first.name, s.second.name}, s.score, s.direction) for s in suggestions]


def of(suggestions, x, y):
    return next(s for s in suggestions if {s.first, s.second} == {x, y})


def test_the_best_match_is_the_product_match_with_its_facts(world, market):
    suggestions = matching.suggest_business_pairs(world.partnership, limit=100)

    assert pairs(suggestions)[:6] == [
        # Products 30 + 5 (two words), stages 10, sectors 5, trade 10, market 15, bonuses 20.
        ({"Gqeberha Agri", "Gävle Foods"}, 95, "vertical"),
        # Same trade 20, sector 5, stage 10, both seek technology 5, complement 15.
        ({"Karoo Motors", "Nordic Auto"}, 55, "horizontal"),
        # Gqeberha Agri seeks markets in Sweden: market 15, sectors 5, trade 10, bonuses 20…
        ({"Gqeberha Agri", "Gävle Textile Design"}, 50, "vertical"),
        # …market 15, stages 10, sectors 5, trade 5 (Nordic Auto says nothing of buying),
        # bonuses 15…
        ({"Gqeberha Agri", "Nordic Auto"}, 50, "vertical"),
        # …market 15, bonuses 15 (no link in the value chain).
        ({"Gqeberha Agri", "Gävle Tours"}, 30, "vertical"),
        # Complement 15, sectors 5.
        ({"Bay Lodges", "Gävle Tours"}, 20, "vertical"),
    ]
    # Every other pair has no concrete fact: the value chain alone, a few points at most.
    assert all(s.score <= matching.CONTEXT_ONLY for s in suggestions[6:])
    best = suggestions[0]
    assert (best.supplier, best.buyer) == (market.agri, market.foods)
    assert best.reasons[:2] == [
        "Vertical (buyer–supplier): Gävle Foods seeks ‘Citrus fruit and grapes for juice’; "
        "Gqeberha Agri offers ‘Citrus and table grapes’ (matched: citrus, grapes).",
        "Gqeberha Agri seeks markets in Sweden, Gävle Foods's country.",
    ]
    assert set(best.reasons[2:]) == {
        "Value chain: Gqeberha Agri (raw materials and primary produce) is the stage before "
        "Gävle Foods (manufacturing and processing).",
        "Sectors: Gqeberha Agri's A (Agriculture, forestry and fishing) supplies Gävle Foods's "
        "C (Manufacturing).",
        "Trade: Gävle Foods seeks suppliers; Gävle Foods offers a market; Gqeberha Agri seeks "
        "buyers; Gqeberha Agri offers supply.",
        "Export-ready: Gqeberha Agri (Already exporting).",
        "Registered interest in this partnership: Gqeberha Agri.",
        "Export-ready: Gävle Foods (Export-ready).",
    }

    horizontal = suggestions[1]
    assert horizontal.supplier is None
    assert horizontal.reasons[0].startswith("Horizontal (same trade): ")
    assert horizontal.reasons[0].endswith("both in C (Manufacturing) (matched: car, seats).")
    assert (
        "Complement: Nordic Auto offers technology and know-how; Karoo Motors seeks "
        "technology and knowledge."
    ) in horizontal.reasons
    assert "Same stage of the value chain: both in manufacturing and processing." in (
        horizontal.reasons
    )


def test_a_sector_only_pair_no_longer_ranks_high(world, market):
    """Ship repair (transport, H) "supplying" textile design (manufacturing, C): sector letters
    and generic trade needs, both export-ready — 87 points once; now a few, below every pair
    with a fact, and the reason says so."""
    suggestions = matching.suggest_business_pairs(world.partnership, limit=100)
    pair = of(suggestions, market.ships, market.textiles)
    assert pair.score <= matching.CONTEXT_ONLY
    assert pair.reasons[-1] == (
        "Only sectors or value-chain stages link them: no product, need or market of theirs "
        "matches yet."
    )
    assert not any(r.startswith("Export-ready") for r in pair.reasons)
    concrete = [s for s in suggestions if s.score > matching.CONTEXT_ONLY]
    assert len(concrete) == 6
    assert suggestions.index(pair) >= len(concrete)


def test_the_reasons_name_the_products_and_the_market_that_matched(world):
    home = BusinessAssociationFactory(organisation__partner=world.home)
    away = BusinessAssociationFactory(organisation__partner=world.away)
    harbour = firm(home, "Harbour Engineering", "C", products_sought="marine engine parts")
    canton = firm(
        away,
        "Canton Marine",
        "C",
        products_services="Marine engine parts and ship repair",
        markets_sought=["ZA", "SE"],
    )
    suggestion = matching.evaluate_pair(world.partnership, harbour, canton)
    assert suggestion.reasons[:2] == [
        "Vertical (buyer–supplier): Harbour Engineering seeks ‘marine engine parts’; Canton "
        "Marine offers ‘Marine engine parts and ship repair’ (matched: marine, engine, parts).",
        # Sweden is its own country: no export market there.
        "Canton Marine seeks markets in South Africa, Harbour Engineering's country.",
    ]
    assert (suggestion.supplier, suggestion.buyer) == (canton, harbour)
    # Products 30 + 2 × 5, market 15, the shared sector 5 (its direction is vertical).
    assert suggestion.score == 40 + 15
    assert suggestion.first == harbour  # the pair keeps the order it was asked in


def test_words_are_compared_after_normalising():
    assert list(matching.product_words("Pièces détachées, BATTERIES & boxes of the parts")) == [
        "piece",
        "detachee",
        "battery",
        "box",
        "part",
    ]
    # Stop words, numbers and short words say nothing about what is traded.
    assert matching.product_words("Products and services for the 2 of us, etc.") == {}
    assert matching.product_words("Glass") == {"glass": "glass"}
    # The words are shown as written.
    assert matching.product_words("Café beans") == {"cafe": "café", "bean": "beans"}


def test_the_chain_positions_are_directed():
    assert matching.chain_supplies("primary", "processing")
    assert matching.chain_supplies("distribution", "retail")
    assert not matching.chain_supplies("processing", "primary")
    assert not matching.chain_supplies("primary", "distribution")
    assert matching.chain_supplies("services", "retail")
    assert not matching.chain_supplies("", "retail")


def test_businesses_of_the_same_city_are_never_paired(world, market):
    suggestions = matching.suggest_business_pairs(world.partnership, limit=100)
    for suggestion in suggestions:
        assert suggestion.first.association.organisation.partner_id != (
            suggestion.second.association.organisation.partner_id
        )
    # Gqeberha Juice's only product match is at home: it ranks on nothing concrete.
    assert all(
        s.score <= matching.CONTEXT_ONLY for s in suggestions if market.juice in (s.first, s.second)
    )


def test_the_limit_keeps_the_best(world, market):
    assert len(matching.suggest_business_pairs(world.partnership, limit=2)) == 2


def test_withdrawn_interest_earns_no_bonus(world, market):
    InterestedBusiness.objects.update(withdrawn=True)
    best = matching.suggest_business_pairs(world.partnership)[0]
    assert best.score == 85


def test_a_partnership_with_one_city_has_no_pairs(world, market):
    world.partnership.members.exclude(partner=world.home).delete()
    assert matching.suggest_business_pairs(world.partnership) == []


def test_a_chambers_view_pairs_only_its_own_businesses(world, market):
    """Another chamber of Gqeberha has a citrus farm too: the first chamber never sees it, nor
    any pair of two other chambers' businesses."""
    rival = BusinessAssociationFactory(organisation__partner=world.home)
    farm = firm(
        rival, "Sundays River Citrus", "A", products_services="citrus", chain_position="primary"
    )
    own = matching.suggest_business_pairs(
        world.partnership, limit=100, own_associations=[market.home.pk]
    )
    assert own and all(s.first.association_id == market.home.pk for s in own)
    assert all(s.second.association_id == market.away.pk for s in own)
    assert pairs(own)[0] == ({"Gqeberha Agri", "Gävle Foods"}, 95, "vertical")
    theirs = matching.suggest_business_pairs(
        world.partnership, limit=100, own_associations=[rival.pk]
    )
    assert {s.first for s in theirs} == {farm}
    assert of(theirs, farm, market.foods).score > matching.CONTEXT_ONLY
    # The away chamber's view: its businesses first, paired with both Gqeberha chambers'.
    away = matching.suggest_business_pairs(
        world.partnership, limit=100, own_associations=[market.away.pk]
    )
    assert {s.first.association_id for s in away} == {market.away.pk}
    assert farm in {s.second for s in away}
    assert matching.suggest_business_pairs(world.partnership, own_associations=[]) == []


def run_counting(partnership, **kwargs):
    with CaptureQueriesContext(connection) as ctx:
        suggestions = matching.suggest_business_pairs(partnership, limit=500, **kwargs)
        [(s.reasons, s.first.name, s.second.name) for s in suggestions]
    return len(ctx.captured_queries), len(suggestions)


def test_matchmaking_asks_the_same_queries_for_5_or_50_businesses_a_side(world):
    home = BusinessAssociationFactory(organisation__partner=world.home)
    away = BusinessAssociationFactory(organisation__partner=world.away)

    def add(count):
        for _ in range(count):
            BusinessProfileFactory(
                association=home,
                sectors=sectors("A"),
                products_services="citrus",
                seeks=needs("buyers"),
                offers=needs("suppliers"),
            )
            BusinessProfileFactory(
                association=away,
                sectors=sectors("C"),
                products_sought="oranges and citrus",
                seeks=needs("suppliers"),
                offers=needs("buyers"),
            )

    add(5)
    five, found = run_counting(world.partnership)
    assert found == 25
    own_five, own_found = run_counting(world.partnership, own_associations=[home.pk])
    assert own_found == 25
    add(45)
    fifty, found = run_counting(world.partnership)
    assert found == 500
    assert five == fifty <= 6
    own_fifty, own_found = run_counting(world.partnership, own_associations=[home.pk])
    assert own_found == 500
    assert own_five == own_fifty <= 6


def test_a_suggestion_becomes_a_business_sub_alliance_in_one_step(world, market):
    sub_alliance = services.matchmaking_to_sub_alliance(
        partnership=world.partnership,
        first=market.foods,
        second=market.agri,
        user=world.away_officer,
    )
    assert sub_alliance.name == "Gävle Foods – Gqeberha Agri"
    assert (sub_alliance.grouping, sub_alliance.linkage_scope, sub_alliance.linkage_locus) == (
        Grouping.BUSINESS,
        "bilateral",
        "external",
    )
    assert sub_alliance.linkage_direction == "vertical"
    roles = {p.organisation.name: p.role for p in sub_alliance.parties.all()}
    assert roles == {"Gqeberha Agri": "supplier", "Gävle Foods": "buyer"}
    assert sub_alliance.purpose.startswith(
        "Formed from a matchmaking suggestion. Vertical (buyer–supplier): Gävle Foods seeks"
    )
    assert sub_alliance.startup_tasks.count() == 5
    assert Activity.objects.filter(
        partnership=world.partnership, kind=Activity.Kind.SUB_ALLIANCE_FORMED
    ).exists()
    # The pair is no longer suggested.
    assert {"Gqeberha Agri", "Gävle Foods"} not in [
        {s.first.name, s.second.name}
        for s in matching.suggest_business_pairs(world.partnership, limit=100)
    ]
    with pytest.raises(DomainError, match="already in a sub-alliance here"):
        services.matchmaking_to_sub_alliance(
            partnership=world.partnership,
            first=market.agri,
            second=market.foods,
            user=world.home_officer,
            name="Again",
        )


def test_a_horizontal_suggestion_becomes_a_horizontal_linkage(world, market):
    sub_alliance = services.matchmaking_to_sub_alliance(
        partnership=world.partnership, first=market.motors, second=market.auto, user=None
    )
    assert sub_alliance.linkage_direction == SubAlliance.LinkageDirection.HORIZONTAL
    assert {p.role for p in sub_alliance.parties.all()} == {""}


def test_a_pair_that_does_not_match_is_refused(world, market):
    with pytest.raises(DomainError, match="not \\(or no longer\\) a suggested match"):
        services.matchmaking_to_sub_alliance(
            partnership=world.partnership,
            first=market.motors,
            second=market.tours,
            user=world.home_officer,
        )
    with pytest.raises(DomainError, match="two different cities"):
        services.matchmaking_to_sub_alliance(
            partnership=world.partnership,
            first=market.agri,
            second=market.juice,
            user=world.home_officer,
        )
    outsider = BusinessProfileFactory(sectors=sectors("C"), seeks=needs("suppliers"))
    with pytest.raises(DomainError, match="member cities"):
        services.matchmaking_to_sub_alliance(
            partnership=world.partnership, first=market.agri, second=outsider, user=None
        )
    assert not SubAlliance.objects.exists()


def test_only_the_partner_cities_officers_turn_suggestions_into_sub_alliances(world, market):
    with pytest.raises(DomainError, match="Only officers of the partner cities"):
        services.matchmaking_to_sub_alliance(
            partnership=world.partnership,
            first=market.agri,
            second=market.foods,
            user=world.stranger_officer,
        )


def test_the_value_chain_is_directed():
    assert matching.upstream_links("A", "C") == [("A", "C")]
    assert matching.upstream_links("C", "A") == []
    assert ("J", "Q") in matching.upstream_links("J", "Q")
    assert matching.upstream_links("I", "R") == [("I", "R")]
    assert matching.upstream_links("R", "I") == [("R", "I")]
