"""Suggested candidates: the score's parts, the reasons, the strategy's weights, the queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnerships import measures, suggestions
from partnerships.models import CooperationArea, Partner, Partnership, Sector, StrategyCriterion
from partnerships.suggestions import City, Criterion, Evidence
from tests.factories.partnerships import (
    CandidateFactory,
    NorthPartnerFactory,
    PartnerFactory,
    PartnershipFactory,
    PartnershipMemberFactory,
)

# --- Pure functions ------------------------------------------------------------------------


M = StrategyCriterion.Measure


def test_each_criterion_is_a_line_and_unmeasured_basics_weigh_one():
    aspects = suggestions.plan(
        [
            Criterion("Similar size", M.SIZE, 3),
            Criterion("Population", M.SIZE, 2),
            Criterion("Existing ties", M.TIES, 4),
            Criterion("Leadership", M.JUDGEMENT, 5),
            Criterion("Near us", M.DISTANCE, 2),
        ],
        north_south=False,
    )
    assert [(a.name, a.measure, a.weight, a.counted) for a in aspects] == [
        ("Similar size", "size", 3, True),
        ("Population", "size", 2, True),
        ("Existing ties", "ties", 4, True),
        ("Leadership", "judgement", 5, False),
        ("Near us", "distance", 2, True),
        ("", "shared_sectors", 1, True),
        ("", "complementary_sectors", 1, True),
        ("", "areas", 1, True),
    ]
    assert suggestions.component_weights(aspects) == {
        "size": 5,
        "shared_sectors": 1,
        "complementary_sectors": 1,
        "areas": 1,
        "ties": 4,
        "distance": 2,
    }
    equal = suggestions.component_weights(suggestions.plan([], north_south=True))
    assert set(equal.values()) == {1} and set(equal) == set(suggestions.COMPONENTS)


def test_a_north_south_criterion_counts_only_in_decentralised_cooperation():
    criteria = [Criterion("Donor and recipient", M.NORTH_SOUTH, 4)]
    outside = suggestions.plan(criteria, north_south=False)
    assert outside[0].counted is False
    assert outside[0].why_not_counted == "Counts only in decentralised cooperation."
    assert "north_south" not in suggestions.component_weights(outside)
    inside = suggestions.plan(criteria, north_south=True)
    assert suggestions.component_weights(inside)["north_south"] == 4


@pytest.mark.parametrize(
    ("n", "text"), [(1_100_000, "1.1 M"), (900_000, "0.9 M"), (45_300, "45 k"), (800, "800")]
)
def test_human_population(n, text):
    assert suggestions.human_population(n) == text


SECTORS = {1: "Manufacturing", 2: "Transport", 3: "Tourism", 4: "Finance"}


def test_score_and_reasons_of_one_city():
    home = City(1, "Buffalo City", "ZA", 800_000, "south", frozenset({1, 2}))
    city = City(2, "Kiel", "DE", 1_100_000, "north", frozenset({1, 3}))
    aspects = suggestions.plan([], north_south=True)

    s = suggestions.score_city(
        home,
        city,
        Evidence(shared_areas=("Trade",), ties=3),
        aspects=aspects,
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
    aspects = suggestions.plan([], north_south=False)

    ranked = suggestions.rank(home, cities, {}, aspects=aspects, sector_names=SECTORS, top=5)

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

    by_complement = _suggest(
        partnership,
        home,
        criteria=[Criterion("Complementary economy", M.COMPLEMENTARY_SECTORS, 10)],
    )

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


# --- Measures: each criterion scores what it says it measures -------------------------------

BUFFALO = City(1, "Buffalo City", "ZA", 800_000, "south", frozenset({1, 2}), -33.0, 27.9)


NO_EVIDENCE = Evidence()


def _score(city, criteria, *, home=BUFFALO, evidence=NO_EVIDENCE, north_south=False):
    aspects = suggestions.plan(criteria, north_south=north_south)
    return suggestions.score_city(home, city, evidence, aspects=aspects, sector_names=SECTORS)


def _line(suggestion, name):
    return next(line for line in suggestion.lines if line.aspect.name == name)


def test_a_criterion_named_port_that_measures_distance_scores_distance_not_sectors():
    # Same sectors as the home city, 9,858 km away (Kiel).
    kiel = City(2, "Kiel", "DE", 250_000, "north", frozenset({1, 2}), 54.32133, 10.13489)
    port = Criterion("Port", M.DISTANCE, 5)

    s = _score(kiel, [port])

    line = _line(s, "Port")
    assert line.aspect.measure_label == "Nearness (distance between the cities)"
    assert line.fact == "9,858 km"
    assert line.value == pytest.approx(1 / (1 + 9.858))
    assert line.points == pytest.approx(5 / (1 + 9.858))
    # The sectors still count, but only as the baseline line of weight 1.
    sectors = next(x for x in s.lines if x.aspect.measure == "shared_sectors")
    assert (sectors.aspect.name, sectors.aspect.weight, sectors.value) == ("", 1.0, 1.0)
    assert s.components["distance"] == pytest.approx(line.value)
    assert "9,858 km from Buffalo City" in s.reasons


@pytest.mark.parametrize(
    ("km", "value"), [(0, 1.0), (1000, 0.5), (3000, 0.25), (9000, 0.1), (None, 0.0)]
)
def test_nearness_halves_at_a_thousand_kilometres(km, value):
    assert measures.nearness(km) == pytest.approx(value)


def test_a_city_without_coordinates_scores_zero_on_distance_and_says_why():
    nowhere = City(2, "Nowhere", "DE", 800_000, "north", frozenset({1, 2}))

    line = _line(_score(nowhere, [Criterion("Close by", M.DISTANCE, 3)]), "Close by")

    assert (line.value, line.fact) == (0.0, "no coordinates for Nowhere")


@pytest.mark.parametrize(
    ("home_country", "city_country", "value", "fact"),
    [
        ("ES", "AR", 1.0, "both Spanish"),
        ("CH", "DE", 1.0, "both German"),  # Switzerland speaks German, French and Italian
        ("DE", "FR", 0.0, "French vs German"),
    ],
)
def test_a_language_in_common_from_the_countries(home_country, city_country, value, fact):
    home = City(1, "Home", home_country, 500_000, "north")
    city = City(2, "City", city_country, 500_000, "north")

    s = _score(city, [Criterion("Language", M.LANGUAGE, 2)], home=home)

    line = _line(s, "Language")
    assert (line.value, line.fact) == (value, fact)
    assert ("A language in common" in "; ".join(s.reasons)) == bool(value)


def test_judgement_criteria_stay_out_of_the_automatic_fit():
    kiel = City(2, "Kiel", "DE", 1_100_000, "north", frozenset({1, 3}))
    without = _score(kiel, [Criterion("Size", M.SIZE, 3)])
    judged = _score(
        kiel, [Criterion("Size", M.SIZE, 3), Criterion("Commitment of leadership", M.JUDGEMENT, 9)]
    )

    assert judged.score == pytest.approx(without.score)
    assert judged.total_weight == without.total_weight == 3 + 4  # size ×3, four baselines ×1
    line = _line(judged, "Commitment of leadership")
    assert (line.value, line.points) == (None, 0.0)
    assert line.aspect.why_not_counted == "Scored by hand in step 4; not part of this fit."


def test_the_working_adds_up_to_the_fit():
    kiel = City(2, "Kiel", "DE", 1_100_000, "north", frozenset({1, 3}), 54.32133, 10.13489)
    criteria = [
        Criterion("Complementary economy", M.COMPLEMENTARY_SECTORS, 5),
        Criterion("Similar size and challenges", M.SIZE, 3),
        Criterion("Shared port and logistics interests", M.SHARED_SECTORS, 3),
        Criterion("Commitment of leadership", M.JUDGEMENT, 5),
    ]

    s = _score(kiel, criteria, evidence=Evidence(shared_areas=("Trade",), ties=0))

    facts = [(line.aspect.name, line.fact, line.value) for line in s.lines]
    assert facts == [
        ("Complementary economy", "1 sector Buffalo City lacks: Tourism", pytest.approx(1 / 3)),
        ("Similar size and challenges", "population 1.1 M vs 0.8 M", pytest.approx(8 / 11)),
        ("Shared port and logistics interests", "1 of 2 sectors in common: Manufacturing", 0.5),
        ("Commitment of leadership", "", None),
        ("", "cooperates elsewhere on: Trade", 0.5),
        ("", "no other city in South Africa partners with it", 0.0),
    ]
    assert s.total_weight == 5 + 3 + 3 + 1 + 1
    assert s.points == pytest.approx(5 / 3 + 3 * 8 / 11 + 1.5 + 0.5)
    assert s.score == pytest.approx(100 * s.points / s.total_weight)
