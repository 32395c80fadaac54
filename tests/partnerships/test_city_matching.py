"""Matching existing cities to the gazetteer: what the migration 0011_gazetteer and
`manage.py match_cities` do (partnerships.matching, over gazetteer.matching)."""

import importlib
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from gazetteer.matching import Index, best_match
from partnerships.matching import match_partners
from partnerships.models import Partner
from tests.factories.gazetteer import (
    DURBAN,
    PLACES,
    PRETORIA,
    SPRINGFIELD_IL,
    SPRINGFIELD_MO,
    place,
)
from tests.factories.partnerships import PartnerFactory

pytestmark = pytest.mark.django_db

# A second, smaller Durban elsewhere: a city's country and province decide.
DURBAN_FR = place(3020686, "Durban", "FR", "76", 900, 43.0, 2.8, "Europe/Paris")
RECORDS = [*PLACES, DURBAN_FR]


def index():
    return Index(RECORDS, {"ZA", "US", "FR", "CN", "SE"})


@pytest.mark.parametrize(
    ("name", "province", "country", "geonameid"),
    [
        ("Durban", "", "ZA", DURBAN["geonameid"]),
        ("eThekwini", "KwaZulu-Natal", "ZA", DURBAN["geonameid"]),  # an alternate name
        ("Tshwane", "Gauteng", "ZA", PRETORIA["geonameid"]),
        ("Springfield", "Illinois", "US", SPRINGFIELD_IL["geonameid"]),
        ("springfield", "missouri", "US", SPRINGFIELD_MO["geonameid"]),
        ("Springfield", "", "US", SPRINGFIELD_MO["geonameid"]),  # no province: the biggest
        ("Springfield", "Nowhere State", "US", SPRINGFIELD_MO["geonameid"]),
        ("Durban", "", "FR", DURBAN_FR["geonameid"]),
        ("Durban", "", "GB", None),
        ("Ekurhuleni", "Gauteng", "ZA", None),
    ],
)
def test_best_match(name, province, country, geonameid):
    found = best_match(index(), name, province, country)
    assert (found.geonameid if found else None) == geonameid


def test_matching_fills_ids_and_missing_figures_keeps_every_row_and_reports():
    durban = PartnerFactory(
        name="eThekwini", province="KwaZulu-Natal", country="ZA", population=4_239_901,
        latitude=None, longitude=None,
    )  # fmt: skip
    springfield = PartnerFactory(name="Springfield", province="Illinois", country="US")
    unknown = PartnerFactory(name="Ekurhuleni", province="Gauteng", country="ZA")
    twin = PartnerFactory(name="Durban", province="KwaZulu-Natal", country="ZA")
    before = Partner.objects.count()

    report = match_partners(Partner, records=RECORDS)

    assert Partner.objects.count() == before
    durban.refresh_from_db()
    assert durban.geonameid == DURBAN["geonameid"]
    assert durban.population == 4_239_901  # the metro's figure is kept
    assert (durban.latitude, durban.longitude) == (Decimal("-29.85790"), Decimal("31.02920"))
    springfield.refresh_from_db()
    assert springfield.geonameid == SPRINGFIELD_IL["geonameid"]
    unknown.refresh_from_db()
    twin.refresh_from_db()
    assert unknown.geonameid is None and twin.geonameid is None
    lines = "\n".join(report.lines())
    assert "2 cities matched, 2 not" in lines
    assert "Ekurhuleni, Gauteng, ZA: no place of that name" in lines
    taken = "Durban, KwaZulu-Natal, ZA (GeoNames 1007311) is already the place of eThekwini"
    assert f"Durban, KwaZulu-Natal, ZA: {taken}" in lines

    # Run again: nothing left to match but those two, and nothing changes.
    again = match_partners(Partner, records=RECORDS)
    assert (len(again.matched), len(again.unmatched)) == (0, 2)


def test_cities_that_already_have_a_place_are_not_read_again():
    PartnerFactory(geonameid=DURBAN["geonameid"])
    report = match_partners(Partner, records=iter(()))
    assert (report.matched, report.unmatched) == ([], [])


def test_match_cities_command_reads_the_bundled_data_and_prints_the_report():
    PartnerFactory(name="Tshwane", province="Gauteng", country="ZA")
    PartnerFactory(name="Ekurhuleni", province="Gauteng", country="ZA")
    out = io.StringIO()
    call_command("match_cities", stdout=out, verbosity=2)
    text = out.getvalue()
    assert "1 city matched, 1 not" in text
    assert "matched: Tshwane, Gauteng, ZA → Pretoria, Gauteng, ZA (GeoNames 964137)" in text
    assert "not matched: Ekurhuleni, Gauteng, ZA: no place of that name" in text


def test_the_migration_matches_existing_cities_keeps_every_row_and_prints_the_report(capsys):
    """The migration's own function, over the bundled data (the place table is empty)."""
    from django.apps import apps

    migration = importlib.import_module("partnerships.migrations.0011_gazetteer")
    kobe = PartnerFactory(name="Kobe", province="Hyogo", country="JP", population=None)
    metro = PartnerFactory(name="Ekurhuleni", province="Gauteng", country="ZA")
    before = Partner.objects.count()

    migration.match_cities(apps, None)

    assert Partner.objects.count() == before
    kobe.refresh_from_db()
    metro.refresh_from_db()
    assert (kobe.geonameid, kobe.population) == (1859171, 1525152)
    assert metro.geonameid is None
    printed = capsys.readouterr().out
    assert "1 city matched, 1 not" in printed
    assert "not matched: Ekurhuleni, Gauteng, ZA" in printed
