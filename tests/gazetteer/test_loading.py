"""Loading the gazetteer: idempotent, only what is needed, from the bundled data."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gazetteer import loading
from gazetteer.models import Place, PlaceName
from tests.factories.gazetteer import DURBAN, GUANGZHOU, PLACES, load_places

pytestmark = pytest.mark.django_db


def test_places_and_every_name_once_per_search_key():
    result = load_places()
    assert result.places_added == len(PLACES) == Place.objects.count()
    durban = Place.objects.get(pk=DURBAN["geonameid"])
    assert (durban.name, durban.region, durban.country) == ("Durban", "KwaZulu-Natal", "ZA")
    assert durban.population == 3338026
    assert durban.timezone == "Africa/Johannesburg"
    # "Durban" is both the main name and an alternate: one row for its key.
    assert sorted(durban.names.values_list("key", flat=True)) == ["durban", "ethekwini", "德班"]


def test_loading_twice_adds_nothing():
    load_places()
    names = PlaceName.objects.count()
    again = load_places()
    assert (again.places_added, again.places_skipped, again.names_added) == (0, len(PLACES), 0)
    assert PlaceName.objects.count() == names


def test_refresh_rewrites_a_place_and_its_names():
    load_places()
    renamed = {**GUANGZHOU, "population": 17_000_000, "alternatenames": ["Canton"]}
    result = loading.load([renamed], refresh=True)
    assert (result.places_refreshed, result.places_added) == (1, 0)
    place = Place.objects.get(pk=GUANGZHOU["geonameid"])
    assert place.population == 17_000_000
    assert sorted(place.names.values_list("key", flat=True)) == ["canton", "guangzhou"]


def test_the_command_loads_the_bundled_data_once():
    # The biggest cities only: the whole file would take minutes.
    call_command("load_gazetteer", min_population=5_000_000, verbosity=0)
    loaded = Place.objects.count()
    assert 20 < loaded < 200
    assert Place.objects.filter(name="Guangzhou", region="Guangdong", country="CN").exists()
    assert PlaceName.objects.filter(key="广州").exists()
    call_command("load_gazetteer", min_population=5_000_000, verbosity=0)
    assert Place.objects.count() == loaded


def test_a_negative_population_is_refused():
    with pytest.raises(CommandError):
        call_command("load_gazetteer", min_population=-1, verbosity=0)
