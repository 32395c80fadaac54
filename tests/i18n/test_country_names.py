"""core.formatting.country_name: a country's name in the reader's language, remembered per
language (django-countries translates on every lookup), on pages through `|country_name`."""

from django.template import engines
from django.utils import translation
from django_countries.fields import Country

from core.formatting import country_name


def test_each_language_gets_its_own_name_and_keeps_it():
    with translation.override("fr"):
        assert country_name("ZA") == "Afrique du Sud"
    with translation.override("zh-hans"):
        assert country_name("ZA") == "南非"
    with translation.override("en"):
        assert country_name("ZA") == "South Africa"
    with translation.override("fr"):  # remembered, still French
        assert country_name("DE") == "Allemagne" and country_name("ZA") == "Afrique du Sud"


def test_a_country_object_an_unknown_code_and_nothing():
    assert country_name(Country("SE")) == "Sweden"
    assert country_name("XX") == "XX"
    assert country_name("") == country_name(None) == ""


def test_the_template_filter_reads_a_cities_country():
    template = engines["django"].from_string("{% load formatting %}{{ country|country_name }}")
    with translation.override("es"):
        assert template.render({"country": Country("DE")}) == "Alemania"
