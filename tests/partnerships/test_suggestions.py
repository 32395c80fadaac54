"""Suggested candidates: the score's parts, the reasons, the strategy's weights, the queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnerships import suggestions
from partnerships.models import CooperationArea, Partner, Partnership, Sector
from partnerships.suggestions import City, Evidence
from tests.factories.partnerships import (
    CandidateFactory,
    NorthPartnerFactory,
    PartnerFactory,
    PartnershipFactory,
    PartnershipMemberFactory,
)

# --- Pure functions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "component"),
    [
        ("Complementary economy", suggestions.COMPLEMENTARY_SECTORS),
        ("Similar size and challenges", suggestions.SIZE),
        ("Population", suggestions.SIZE),
        ("Existing community ties", suggestions.TIES),
        ("Shared port and logistics interests", suggestions.SHARED_SECTORS),
        ("Experience in our areas of cooperation", suggestions.AREAS),
        ("North–South development aid", suggestions.NORTH_SOUTH),
        ("Commitment of leadership", None),
        ("Support of the council", None),  # "port" only as a whole word
    ],
)
def test_a_criterion_maps_to_a_component_by_its_name(name, component):
    assert suggestions.criterion_component(name) == component


def test_weights_come_from_matching_criteria_and_default_to_one():
    weights = suggestions.component_weights(
        [("Similar size", 3), ("Population", 2), ("Existing ties", 4), ("Leadership", 5)],
        north_south=False,
    )
    assert weights == {
        "size": 5,
        "shared_sectors": 1,
        "complementary_sectors": 1,
        "areas": 1,
        "ties": 4,
    }
    equal = suggestions.component_weights([], north_south=True)
    assert set(equal.values()) == {1} and len(equal) == 6


@pytest.mark.parametrize(
    ("n", "text"), [(1_100_000, "1.1 M"), (900_000, "0.9 M"), (45_300, "45 k"), (800, "800")]
)
def test_human_population(n, text):
    assert suggestions.human_population(n) == text


SECTORS = {1: "Manufacturing", 2: "Transport", 3: "Tourism", 4: "Finance"}


def test_score_and_reasons_of_one_city():
    home = City(1, "Buffalo City", "ZA", 800_000, "south", frozenset({1, 2}))
    city = City(2, "Kiel", "DE", 1_100_000, "north", frozenset({1, 3}))
    weights = suggestions.component_weights([], north_south=True)

    s = suggestions.score_city(
        home,
        city,
        Evidence(shared_areas=("Trade",), ties=3),
        weights=weights,
        sector_names=SECTORS,
    )

    assert s.components == {
        "size": pytest.approx(800 / 1100),
        "shared_sectors": 0.5,
        "complementary_sectors": pytest.approx(1 / 3),
        "areas": 0.5,
        "ties": 1.0,
        "north_south": 1.0,
    }
    assert s.score == pytest.approx(100 * (800 / 1100 + 0.5 + 1 / 3 + 0.5 + 1 + 1) / 6)
    assert s.reasons == [
        "Similar size: 1.1 M vs 0.8 M",
        "Shares sectors: Manufacturing",
        "Complementary sectors: Tourism",
        "Already cooperates elsewhere on: Trade",
        "3 other cities in South Africa partner with it",
        "Global North partner, for North–South cooperation",
    ]
    assert s.rationale.startswith(f"Suggested by the portal (fit {s.rounded}/100): Similar size")


def test_rank_keeps_the_best_and_drops_cities_with_no_fit():
    home = City(1, "Home", "ZA", 500_000, "south", frozenset({1}))
    cities = [
        City(2, "Good", "DE", 500_000, "north", frozenset({1})),
        City(3, "Nothing", "DE", None, "south", frozenset()),
        City(4, "Fair", "DE", 250_000, "north", frozenset()),
        home,
    ]
    weights = suggestions.component_weights([], north_south=False)

    ranked = suggestions.rank(home, cities, {}, weights=weights, sector_names=SECTORS, top=5)

    assert [s.city.name for s in ranked] == ["Good", "Fair"]


# --- Against the database ------------------------------------------------------------------


def _sectors(*codes):
    return list(Sector.objects.filter(code__in=codes))


def _suggest(partnership, home, **kwargs):
    sectors = list(Sector.objects.all())
    exclude = set(partnership.members.values_list("partner_id", flat=True))
    exclude |= set(partnership.candidates.values_list("partner_id", flat=True))
    return suggestions.suggest(
        partnership,
        home=home,
        home_sector_ids=home.sectors.values_list("pk", flat=True),
        exclude_ids=exclude,
        criteria=kwargs.pop("criteria", []),
        sector_names={s.pk: s.name for s in sectors},
        **kwargs,
    )


@pytest.fixture
def home(db):
    city = PartnerFactory(name="Buffalo City", country="ZA", population=800_000)
    city.sectors.set(_sectors("C", "H"))
    return city


@pytest.fixture
def designed(home):
    """A: similar size, same sectors. B: tiny, unrelated. C: complementary sectors."""
    a = NorthPartnerFactory(name="A", population=900_000)
    a.sectors.set(_sectors("C", "H"))
    b = NorthPartnerFactory(name="B", population=5_000)
    b.sectors.set(_sectors("T"))
    c = NorthPartnerFactory(name="C", population=2_000_000)
    c.sectors.set(_sectors("I", "J", "K"))
    return a, b, c


@pytest.mark.django_db
def test_the_best_match_ranks_first_with_its_reasons(home, designed):
    a, b, c = designed
    partnership = PartnershipFactory(home=home, category=Partnership.Category.SISTER_CITY)

    ranked = _suggest(partnership, home).suggestions

    assert [s.partner for s in ranked] == [a, c, b]
    assert ranked[0].reasons == [
        "Similar size: 0.9 M vs 0.8 M",
        "Shares sectors: Manufacturing, Transportation and storage",
    ]
    assert ranked[1].reasons == [
        "Complementary sectors: Accommodation and food service (tourism), "
        "Financial and insurance activities, Information and communication"
    ]
    # Equal weights over five components (no North–South outside decentralised cooperation).
    assert ranked[0].score == pytest.approx(100 * (0.9 / 0.9 * 800 / 900 + 1) / 5)
    assert ranked[0].score > ranked[1].score > ranked[2].score


@pytest.mark.django_db
def test_ties_areas_and_north_south_give_their_reasons(home, designed):
    a, _, _ = designed
    trade = CooperationArea.objects.get(code="trade")
    partnership = PartnershipFactory(home=home, category=Partnership.Category.DECENTRALISED)
    partnership.areas.add(trade)
    # Two other South African cities already partner with A, in a partnership on trade.
    for name in ("Durban", "Johannesburg"):
        other = PartnershipFactory(home=PartnerFactory(name=name, country="ZA"))
        other.areas.add(trade)
        PartnershipMemberFactory(partnership=other, partner=a)

    top = _suggest(partnership, home).suggestions[0]

    assert top.partner == a
    assert top.reasons[2:] == [
        "Already cooperates elsewhere on: Trade and export promotion",
        "2 other cities in South Africa partner with it",
        "Global North partner, for North–South cooperation",
    ]
    assert top.components["ties"] == pytest.approx(2 / 3)


@pytest.mark.django_db
def test_the_strategys_weights_change_the_order(home, designed):
    _, _, c = designed
    partnership = PartnershipFactory(home=home)

    by_complement = _suggest(partnership, home, criteria=[("Complementary economy", 10)])

    assert by_complement.suggestions[0].partner == c
    assert by_complement.weights["complementary_sectors"] == 10


@pytest.mark.django_db
def test_members_candidates_and_the_home_city_are_never_suggested(home, designed):
    a, b, c = designed
    partnership = PartnershipFactory(home=home)
    PartnershipMemberFactory(partnership=partnership, partner=a)
    CandidateFactory(partnership=partnership, partner=c)

    ranked = _suggest(partnership, home).suggestions

    assert [s.partner for s in ranked] == [b]


@pytest.mark.django_db
def test_suggestions_take_three_queries_however_many_cities(home):
    partnership = PartnershipFactory(home=home)
    partnership.areas.add(CooperationArea.objects.get(code="trade"))
    sectors = list(Sector.objects.all())

    def add_cities(n):
        for i in range(n):
            city = NorthPartnerFactory(population=50_000 * (i + 1))
            city.sectors.set(sectors[i % 20 : i % 20 + 2])
            other = PartnershipFactory(home=PartnerFactory(country="ZA"))
            other.areas.add(CooperationArea.objects.get(code="trade"))
            PartnershipMemberFactory(partnership=other, partner=city)

    add_cities(10)
    with CaptureQueriesContext(connection) as few:
        _suggest(partnership, home)
    add_cities(50)
    with CaptureQueriesContext(connection) as many:
        ranking = _suggest(partnership, home)

    # _suggest's own helper queries (members, candidates, home sectors, all sectors) aside.
    assert len(few) == len(many) == 3 + 4
    assert len(ranking.suggestions) == suggestions.TOP
    assert all(s.reasons for s in ranking.suggestions)


@pytest.mark.django_db
def test_the_pool_is_bounded(home, designed):
    partnership = PartnershipFactory(home=home)

    ranking = _suggest(partnership, home, pool_size=2)

    assert len(ranking.suggestions) == 2


def test_distance_is_the_great_circle_between_the_coordinates():
    london = Partner(latitude=51.50853, longitude=-0.12574)
    paris = Partner(latitude=48.85341, longitude=2.3488)
    assert suggestions.distance_km(london, paris) == 344
    assert suggestions.distance_km(paris, paris) == 0
    # Across the antimeridian: Fiji's Suva to Samoa's Apia is short, not half the world.
    suva = Partner(latitude=-18.14, longitude=178.44)
    apia = Partner(latitude=-13.83, longitude=-171.77)
    assert suggestions.distance_km(suva, apia) < 1200
    assert suggestions.distance_km(london, Partner(latitude=None, longitude=None)) is None
