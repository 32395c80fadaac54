"""Adding a partner city from the gazetteer: the search page, the one city per place, who may."""

from decimal import Decimal

import pytest
from django.urls import reverse

from core.errors import DomainError
from partnerships import services
from partnerships.models import Partner
from tests.factories.accounts import UserFactory
from tests.factories.gazetteer import DURBAN, GUANGZHOU, LOS_ANGELES, load_places
from tests.factories.partnerships import CityMembershipFactory, PartnerFactory

pytestmark = pytest.mark.django_db

URL = reverse("partnerships:city_add")


@pytest.fixture
def officer():
    load_places()
    return CityMembershipFactory().user


@pytest.fixture
def signed_in(client, officer):
    client.force_login(officer)
    return client


def test_search_shows_country_region_and_population(signed_in):
    page = signed_in.get(URL, {"q": "Springfield"}).content.decode()
    assert "Missouri" in page and "Illinois" in page
    assert "United States of America" in page
    assert "170,188" in page
    assert page.index("Missouri") < page.index("Illinois")  # the bigger first


def test_search_by_another_script_shows_the_name_it_was_found_by(signed_in):
    page = signed_in.get(URL, {"q": "Canton"}).content.decode()
    assert "Guangzhou" in page and "(Canton)" in page


def test_choosing_a_place_creates_the_city_with_its_figures(signed_in):
    response = signed_in.post(URL, {"place": LOS_ANGELES["geonameid"], "q": "Los"})
    city = Partner.objects.get(geonameid=LOS_ANGELES["geonameid"])
    assert response.status_code == 302
    assert response["Location"] == reverse("partnerships:city_detail", args=[city.pk])
    assert (city.name, city.province, city.country.code) == ("Los Angeles", "California", "US")
    assert city.population == 3820914
    assert (city.latitude, city.longitude) == (Decimal("34.05223"), Decimal("-118.24368"))
    assert city.global_region == Partner.GlobalRegion.NORTH
    page = signed_in.get(response["Location"]).content.decode()
    assert "3,820,914" in page and "34.05223" in page
    assert "GeoNames place 5368361" in page


def test_adding_a_place_twice_goes_to_the_same_city(signed_in):
    first = signed_in.post(URL, {"place": GUANGZHOU["geonameid"]})
    second = signed_in.post(URL, {"place": GUANGZHOU["geonameid"]})
    assert first["Location"] == second["Location"]
    assert Partner.objects.filter(geonameid=GUANGZHOU["geonameid"]).count() == 1
    # The results say so and link to it.
    page = signed_in.get(URL, {"q": "广州"}).content.decode()
    assert "In the portal" in page


def test_a_city_entered_before_the_gazetteer_is_linked_not_duplicated(officer):
    durban = PartnerFactory(
        name="Durban", province="KwaZulu-Natal", country="ZA", population=None, latitude=None
    )
    city, created = services.partner_city_add(geonameid=DURBAN["geonameid"], user=officer)
    durban.refresh_from_db()
    assert (city, created) == (durban, False)
    assert durban.geonameid == DURBAN["geonameid"]
    assert durban.population == 3338026  # filled where it was missing
    assert durban.longitude == Decimal("27.9")  # kept: it was recorded


def test_a_new_city_takes_its_countrys_side_of_the_north_south_divide(officer):
    PartnerFactory(country="ZA", global_region=Partner.GlobalRegion.SOUTH)
    city, _ = services.partner_city_add(geonameid=DURBAN["geonameid"], user=officer)
    assert city.global_region == Partner.GlobalRegion.SOUTH
    assert services.global_region_for("FR") == Partner.GlobalRegion.NORTH
    assert services.global_region_for("CN") == Partner.GlobalRegion.SOUTH


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, None),
        ({"q": ""}, "This field is required."),
        ({"q": "a"}, "Type at least 2 letters"),
        ({"q": "--"}, "Type at least 2 letters"),
        ({"q": "x" * 500}, "at most 100 characters"),
        ({"q": "Dur\x00ban"}, "Null characters are not allowed."),
        ({"q": "Dur\x07ban"}, "invisible control character"),
        ({"q": "Atlantis"}, "No place of the gazetteer"),
        ({"q": "Springfield", "page": "nine"}, None),
        ({"q": "Springfield", "page": "999"}, None),
    ],
)
def test_bad_searches_get_a_message_never_an_error(signed_in, params, message):
    response = signed_in.get(URL, params)
    assert response.status_code == 200
    if message:
        assert message in response.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose a city from the search results."),
        ({"place": "abc"}, "Choose a city from the search results."),
        ({"place": "-5"}, "Choose a city from the search results."),
        ({"place": str(2**40)}, "Choose a city from the search results."),
        ({"place": "123456789"}, "That place is not in the gazetteer"),
    ],
)
def test_a_bad_choice_gets_a_message_and_creates_nothing(signed_in, data, message):
    before = Partner.objects.count()
    response = signed_in.post(URL, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Partner.objects.count() == before


def test_only_officers_and_admins_may_add_cities():
    load_places()
    chamber_or_nobody = UserFactory()
    with pytest.raises(DomainError):
        services.partner_city_add(geonameid=DURBAN["geonameid"], user=chamber_or_nobody)
    admin = UserFactory(is_superuser=True, is_staff=True)
    city, created = services.partner_city_add(geonameid=DURBAN["geonameid"], user=admin)
    assert created and city.geonameid == DURBAN["geonameid"]


def test_the_cities_list_links_to_the_page_for_officers_only(client, officer):
    client.force_login(officer)
    assert URL in client.get(reverse("partnerships:city_list")).content.decode()
