"""CSV and Excel exports: they reopen and match the database, hold only the user's portfolio
(never another city's private rows), guard against formulas, and ask a constant number of
queries."""

from __future__ import annotations

import csv
import io

import pytest
from django.apps import apps
from django.urls import reverse
from openpyxl import load_workbook

from core.formatting import day
from partnerships import exports
from partnerships.models import Activity, KPIResult, Partnership, Review, SuccessFactorRating
from tests.factories.businesses import (
    BusinessAssociationFactory,
    BusinessProfileFactory,
    InterestRegistrationFactory,
    chamber_staff,
)
from tests.factories.partnerships import ActivityFactory, MOUFactory
from tests.partnerships.test_reports import _portfolio_of, _queries, portfolio_world

pytestmark = pytest.mark.django_db

ALL = ["partnerships", "mous", "activities", "reviews", "businesses", "interest", "outcomes"]


@pytest.fixture(autouse=True)
def _business_hooks():
    apps.get_app_config("businesses").ready()  # idempotent: the hooks are registered


@pytest.fixture
def world():
    w = portfolio_world()
    MOUFactory(partnership=w["p1"])
    MOUFactory(partnership=w["private"], ceremony_place="Secret hall")
    # Businesses and interest: one in A (officer's city), one in C (not the officer's).
    assoc_a = BusinessAssociationFactory(organisation__partner=w["a"])
    assoc_c = BusinessAssociationFactory(organisation__partner=w["c"])
    w["business_a"] = BusinessProfileFactory(association=assoc_a, contact_name="@boss")
    w["business_c"] = BusinessProfileFactory(association=assoc_c)
    InterestRegistrationFactory(
        association=assoc_a, partnership=w["p1"], businesses=[w["business_a"]]
    )
    InterestRegistrationFactory(
        association=assoc_c, partnership=w["private"], businesses=[w["business_c"]]
    )
    w["assoc_c"] = assoc_c
    return w


def get_csv(client, dataset, **params):
    response = client.get(reverse("partnerships:export", args=[dataset]), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def get_xlsx(client, dataset, **params):
    response = client.get(
        reverse("partnerships:export", args=[dataset]), {"format": "xlsx", **params}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX_TYPE
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_every_dataset_is_registered():
    assert [d.name for d in exports.datasets()] == ALL


@pytest.mark.parametrize("dataset", ALL)
def test_csv_and_xlsx_hold_the_same_rows(client, world, dataset):
    client.force_login(world["officer"])
    rows = get_csv(client, dataset)
    sheet = get_xlsx(client, dataset)
    assert rows[0] == list(exports.dataset(dataset).headers) == sheet[0]
    assert len(rows) == len(sheet) >= 2
    assert [r[0] for r in rows[1:]] == [str(r[0]) for r in sheet[1:]]


def test_partnerships_export_matches_the_database(client, world):
    client.force_login(world["officer"])
    rows = get_csv(client, "partnerships")
    mine = Partnership.objects.filter(members__partner=world["a"]).order_by("title")
    assert [int(r[0]) for r in rows[1:]] == list(mine.values_list("pk", flat=True))
    by_title = {r[1]: r for r in rows[1:]}
    berlin = by_title["Alpha–Berlin"]
    assert berlin[2:5] == ["Alpha", "ZA", "Berlin"]
    assert berlin[5] == "Sister city / twinning" and berlin[8] == "Implementation"
    assert by_title["Lyon–Alpha"][4] == "Alpha"


def test_activities_export_matches_the_database(client, world):
    client.force_login(world["officer"])
    sheet = get_xlsx(client, "activities")
    mine = Activity.objects.filter(partnership__members__partner=world["a"])
    assert sorted(r[0] for r in sheet[1:]) == sorted(mine.values_list("pk", flat=True))
    first = Activity.objects.get(pk=sheet[1][0])
    assert sheet[1][3].date() == first.occurred_on  # a real date cell
    assert sheet[1][4] == first.get_kind_display()


def test_mou_dates_export(client, world):
    client.force_login(world["officer"])
    rows = get_csv(client, "mous")
    assert len(rows) == 2
    assert rows[1][4:7] == ["2024-09-01", "2029-08-31", "2024-09-01"]


@pytest.mark.parametrize("dataset", ALL)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_never_hold_another_citys_private_rows(client, world, dataset, fmt):
    client.force_login(world["officer"])
    rows = get_csv(client, dataset) if fmt == "csv" else get_xlsx(client, dataset)
    text = repr(rows)
    for secret in ("Gamma–Delta secret", "SECRET", "Secret hall", world["business_c"].name):
        assert secret not in text
    # Published partnerships of other cities are readable in the portal but not exported.
    assert "Gamma–E public" not in text
    partnership_columns = {"partnerships": 0, "mous": 1, "activities": 1, "reviews": 1}
    if dataset in partnership_columns:
        ids = {int(r[partnership_columns[dataset]]) for r in rows[1:]}
        assert world["private"].pk not in ids


def test_other_city_gets_its_own_rows(client, world):
    client.force_login(world["other"])
    titles = [r[1] for r in get_csv(client, "partnerships")[1:]]
    assert titles == ["Gamma–Delta secret", "Gamma–E public"]


def test_city_filter_is_checked(client, world):
    client.force_login(world["officer"])
    url = reverse("partnerships:export", args=["partnerships"])
    assert client.get(url, {"city": world["c"].pk}).status_code == 404
    assert client.get(url, {"format": "pdf"}).status_code == 404
    assert client.get(reverse("partnerships:export", args=["nope"])).status_code == 404
    rows = get_csv(client, "partnerships", city=world["a"].pk)
    assert len(rows) == 4


def test_chamber_staff_export_their_chambers_rows(client, world):
    client.force_login(chamber_staff(world["assoc_c"]))
    assert len(get_csv(client, "partnerships")) == 1  # header only: no portfolio
    names = [r[1] for r in get_csv(client, "businesses")[1:]]
    assert names == [world["business_c"].name]
    assert len(get_csv(client, "interest")) == 2


def test_formula_injection_is_neutralised(client, world):
    ActivityFactory(partnership=world["p1"], title='=HYPERLINK("http://x")')
    client.force_login(world["officer"])
    titles = [r[5] for r in get_csv(client, "activities")[1:]]
    assert '\'=HYPERLINK("http://x")' in titles
    sheet = get_xlsx(client, "activities")
    assert '\'=HYPERLINK("http://x")' in [r[5] for r in sheet[1:]]
    contacts = [r[9] for r in get_csv(client, "businesses")[1:]]
    assert "'@boss" in contacts
    assert exports.safe(-3) == -3 and exports.safe("-3") == "'-3"


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("partnerships:export", args=["partnerships"]))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("dataset", ALL)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_queries_are_constant(client, dataset, fmt):
    counts = []
    for n in (5, 50):
        client.force_login(_portfolio_of(n))
        url = reverse("partnerships:export", args=[dataset]) + f"?format={fmt}"
        counts.append(_queries(client, url))
    assert counts[0] == counts[1] <= 6


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_reviews_export_holds_kpi_actuals_and_factor_ratings(client, world, fmt):
    """Issue 19: every measurement a review records reaches its row — each KPI's actual read
    against its target, and a column per success factor (empty when not rated)."""
    review = Review.objects.get(partnership=world["p1"], period_start__year=2024)
    SuccessFactorRating.objects.create(
        review=review, factor=SuccessFactorRating.Factor.COMMUNICATION, rating=4
    )
    kpi = world["p1"].kpis.create(name="Jobs", unit="jobs", baseline=0, target=12500)
    KPIResult.objects.create(review=review, kpi=kpi, actual=13250)
    # Due in full twice the period's length after its start: half of it is due by its end.
    start, end = review.period_start, review.period_end
    visits = world["p1"].kpis.create(
        name="Visits", unit="visits", baseline=0, target=40,
        start_date=start, target_date=end + (end - start),
    )  # fmt: skip
    KPIResult.objects.create(review=review, kpi=visits, actual=14)
    client.force_login(world["officer"])
    rows = get_csv(client, "reviews") if fmt == "csv" else get_xlsx(client, "reviews")
    headers = [str(h) for h in rows[0]]
    row = next(r for r in rows[1:] if str(r[0]) == str(review.pk))
    row = [*row, *[None] * (len(headers) - len(row))]  # a sheet drops trailing empty cells
    cell = dict(zip(headers, row, strict=True))
    assert cell["KPI results"] == (
        "Jobs (jobs): 13,250 of 12,500, on target; KPI 0 (things): 3 of 2, on target; "
        "KPI 1 (things): 7 of 5, off target; Visits (visits): 14 of 20 due by the period's "
        f"end (target 40 by {day(visits.target_date)}), off target"
    )
    # Every factor has its column, so a review's ratings line up under the same headers.
    factor_headers = [h for h in headers if h.startswith("Rating: ")]
    assert len(factor_headers) == len(SuccessFactorRating.Factor)
    rated = "Rating: Active, frequent communication (1-5)"
    assert str(cell[rated]) == "4"
    assert all(cell[h] in ("", None) for h in factor_headers if h != rated)
    # Every measurement table that hangs off a review is in the export.
    measured = {
        f.related_model
        for f in Review._meta.related_objects
        if f.related_model in (KPIResult, SuccessFactorRating)
    }
    assert measured == {KPIResult, SuccessFactorRating}
