"""Finding a place by any of its names, the biggest first, told apart by region."""

import pytest

from gazetteer.names import search_key
from gazetteer.selectors import BadQuery, search_places
from tests.factories.gazetteer import load_places

pytestmark = pytest.mark.django_db


@pytest.fixture
def places():
    load_places()


def names(query):
    return [(p.name, p.region, p.country) for p in search_places(query)]


def test_search_key_folds_case_accents_and_punctuation():
    assert search_key("Saint-Étienne") == "saint etienne"
    assert search_key("GÄVLE") == search_key("gavle") == "gavle"
    assert search_key("  Straße ") == "strasse"
    assert search_key("广州") == "广州"
    assert search_key("서울") == "서울"  # Hangul recomposed after the accents are stripped


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("Durban", "Durban"),
        ("eThekwini", "Durban"),
        ("ETHEKWINI", "Durban"),
        ("德班", "Durban"),
        ("Tshwane", "Pretoria"),
        ("广州", "Guangzhou"),
        ("ロサンゼルス", "Los Angeles"),
        ("gavle", "Gävle"),
        ("Gävle", "Gävle"),
        ("saint etienne", "Saint-Étienne"),
        ("Saint-Étienne", "Saint-Étienne"),
        ("los ang", "Los Angeles"),
    ],
)
def test_a_place_is_found_by_any_of_its_names(places, query, found):
    assert names(query)[0][0] == found


def test_canton_finds_guangzhou_first_then_canton_ohio(places):
    found = list(search_places("Canton"))
    assert [p.name for p in found] == ["Guangzhou", "Canton"]
    assert found[0].matched_name == "Canton"


def test_two_springfields_are_told_apart_by_region_the_biggest_first(places):
    assert names("Springfield") == [
        ("Springfield", "Missouri", "US"),
        ("Springfield", "Illinois", "US"),
        # A longer name only begins with the query: after the exact ones, however big.
        ("Springfield Gardens", "New York", "US"),
    ]


def test_exact_names_come_before_bigger_places_they_only_begin(places):
    load_places([{**SPRINGFIELD_HUGE}])
    assert [p.name for p in search_places("Springfield")][:2] == ["Springfield", "Springfield"]


SPRINGFIELD_HUGE = {
    "geonameid": 99,
    "name": "Springfieldtown",
    "latitude": 1.0,
    "longitude": 1.0,
    "countrycode": "US",
    "population": 10**8,
    "timezone": "",
    "admin1code": "",
    "alternatenames": [],
}


def test_nothing_found_is_an_empty_result(places):
    assert names("Atlantis") == []


# Punctuation is no letter: LIKE's wildcards ("%", "_") never reach the query either.
@pytest.mark.parametrize("query", ["", " ", "a", "-", "'!", "%%", "__", "x" * 101])
def test_too_short_or_too_long_a_query_is_refused_with_a_reason(places, query):
    with pytest.raises(BadQuery) as refused:
        search_places(query)
    assert "letters" in str(refused.value) or "shorter" in str(refused.value)
