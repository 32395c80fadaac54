"""Matchmaking on a designed fixture whose ranking is known, and one step from a suggestion to a
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


class Market:
    """Two chambers' members, designed so that the ranking is known (see the points in
    businesses/matching.py)."""

    def __init__(self, world):
        home = BusinessAssociationFactory(organisation__partner=world.home)
        away = BusinessAssociationFactory(organisation__partner=world.away)

        def firm(association, name, codes, seeks=(), offers=(), readiness="none", products=""):
            return BusinessProfileFactory(
                association=association,
                organisation__name=name,
                sectors=sectors(*codes),
                seeks=needs(*seeks),
                offers=needs(*offers),
                export_readiness=readiness,
                products_services=products,
            )

        self.agri = firm(
            home,
            "Gqeberha Agri",
            "A",
            ["buyers"],
            ["suppliers"],
            "exporting",
            "citrus and table grapes",
        )
        self.motors = firm(home, "Karoo Motors", "C", ["technology"])
        self.lodges = firm(home, "Bay Lodges", "I", ["tourism"])
        self.juice = firm(home, "Gqeberha Juice", "C", ["suppliers"])  # only matches at home
        self.foods = firm(away, "Gävle Foods", "C", ["suppliers"], ["buyers"], "ready")
        self.auto = firm(away, "Nordic Auto", "C", ["technology"], ["technology"])
        self.tours = firm(away, "Gävle Tours", "R", [], ["tourism"])
        # The chamber registered Gqeberha Agri's interest in this partnership.
        InterestRegistrationFactory(
            association=home, partnership=world.partnership, businesses=[self.agri]
        )


@pytest.fixture
def market(world):
    return Market(world)


def pairs(suggestions):
    return [(s.first.name, s.second.name, s.score, s.direction) for s in suggestions]


def test_the_best_match_is_the_value_chain_pair_with_its_reasons(world, market):
    suggestions = matching.suggest_business_pairs(world.partnership)

    assert [[*sorted([f, s]), score, d] for f, s, score, d in pairs(suggestions)] == [
        ["Gqeberha Agri", "Gävle Foods", 80, "vertical"],
        ["Gqeberha Agri", "Nordic Auto", 55, "vertical"],
        ["Karoo Motors", "Nordic Auto", 45, "horizontal"],
        ["Bay Lodges", "Gävle Tours", 15, "vertical"],
    ]
    best = suggestions[0]
    assert best.reasons[0] == (
        "Vertical: Gqeberha Agri (A, offers citrus and table grapes, seeks buyers) supplies "
        "Gävle Foods (C, seeks suppliers, buys)."
    )
    assert set(best.reasons[1:]) == {
        "Export-ready: Gqeberha Agri (Already exporting).",
        "Registered interest in this partnership: Gqeberha Agri.",
        "Export-ready: Gävle Foods (Export-ready).",
    }
    assert (best.supplier, best.buyer) == (market.agri, market.foods)

    horizontal = suggestions[2]
    assert sorted(horizontal.reasons) == sorted(
        [
            "Horizontal: Karoo Motors and Nordic Auto are both in C (Manufacturing) and both "
            "seek technology and knowledge.",
            "Horizontal: Nordic Auto offers technology and know-how that Karoo Motors seeks, in "
            "the same sector (C (Manufacturing)).",
        ]
    )
    assert horizontal.supplier is None
    tourism = suggestions[3]
    assert tourism.reasons == [
        "Complement: Gävle Tours offers tourism packages and visitors; Bay Lodges seeks tourists "
        "and visitors."
    ]


def test_businesses_of_the_same_city_are_never_paired(world, market):
    for suggestion in matching.suggest_business_pairs(world.partnership, limit=100):
        assert suggestion.first.association.organisation.partner_id != (
            suggestion.second.association.organisation.partner_id
        )
    assert market.juice not in {
        b for s in matching.suggest_business_pairs(world.partnership) for b in (s.first, s.second)
    }


def test_the_limit_keeps_the_best(world, market):
    assert len(matching.suggest_business_pairs(world.partnership, limit=2)) == 2


def test_withdrawn_interest_earns_no_bonus(world, market):
    InterestedBusiness.objects.update(withdrawn=True)
    best = matching.suggest_business_pairs(world.partnership)[0]
    assert best.score == 70


def test_a_partnership_with_one_city_has_no_pairs(world, market):
    world.partnership.members.exclude(partner=world.home).delete()
    assert matching.suggest_business_pairs(world.partnership) == []


def run_counting(partnership):
    with CaptureQueriesContext(connection) as ctx:
        suggestions = matching.suggest_business_pairs(partnership, limit=500)
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
                seeks=needs("buyers"),
                offers=needs("suppliers"),
            )
            BusinessProfileFactory(
                association=away,
                sectors=sectors("C"),
                seeks=needs("suppliers"),
                offers=needs("buyers"),
            )

    add(5)
    five, found = run_counting(world.partnership)
    assert found == 25
    add(45)
    fifty, found = run_counting(world.partnership)
    assert found == 500
    assert five == fifty <= 9


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
        "Formed from a matchmaking suggestion. Vertical: Gqeberha Agri"
    )
    assert sub_alliance.startup_tasks.count() == 5
    assert Activity.objects.filter(
        partnership=world.partnership, kind=Activity.Kind.SUB_ALLIANCE_FORMED
    ).exists()
    # The pair is no longer suggested.
    assert ("Gqeberha Agri", "Gävle Foods") not in {
        tuple(sorted([s.first.name, s.second.name]))
        for s in matching.suggest_business_pairs(world.partnership)
    }
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
            second=market.foods,
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
