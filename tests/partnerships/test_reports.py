"""The portfolio report: every chart's numbers against the database, for a designed portfolio;
the map; who may see what; the query budget."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerships import reports, world_map
from partnerships.models import (
    Activity,
    CityMembership,
    KPIResult,
    Partnership,
    PartnershipMember,
    Review,
    Step,
)
from tests.factories.accounts import UserFactory
from tests.factories.alliances import SubAllianceFactory
from tests.factories.businesses import OutcomeFactory, chamber_staff
from tests.factories.partnerships import (
    ActivityFactory,
    CityMembershipFactory,
    KPIFactory,
    NorthPartnerFactory,
    PartnerFactory,
    PartnershipFactory,
    PartnershipMemberFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _business_hooks():
    """What `BusinessesConfig.ready()` will do once the lead applies the hook (see README)."""
    apps.get_app_config("businesses").ready()  # idempotent: the hooks are registered


def partnership(home, partner, *, step=Step.STRATEGY, published=False, **fields):
    p = PartnershipFactory(home=home, published=published, **fields)
    PartnershipMemberFactory(partnership=p, partner=partner)
    if step != Step.STRATEGY:
        Partnership.objects.filter(pk=p.pk).update(step=step)
        p.refresh_from_db()
    return p


def completed_review(p, year, results):
    """A completed review of `p` for `year` with KPI results [(baseline, target, actual)]."""
    review = ReviewFactory(
        partnership=p,
        period_start=dt.date(year, 1, 1),
        period_end=dt.date(year, 12, 31),
        status=Review.Status.COMPLETED,
        completed_on=dt.date(year + 1, 1, 15),
    )
    for i, (baseline, target, actual) in enumerate(results):
        kpi, _ = p.kpis.get_or_create(
            name=f"KPI {i}", defaults={"unit": "things", "baseline": baseline, "target": target}
        )
        KPIResult.objects.create(review=review, kpi=kpi, actual=actual)
    return review


def portfolio_world():
    """City A's designed portfolio, and partnerships of other cities that must not show.

    P1 A–Berlin (DE), step 7, sister city, commercial: 3 activities, two completed reviews (the
      latest: 1 KPI on target, 1 off, the target of the second below its baseline) and a draft
      review; outcomes: deals 2+1, jobs 5, export value 1000 ZAR and 200 EUR.
    P2 A–Bonn (DE), step 3, MIC, associative.
    P3 Lyon (FR)–A (A as counterpart), step 8, decentralised, reciprocative: 1 activity, a
      completed review with 1 KPI off target.
    Private C–D (step 6) with 5 activities, a review and outcomes; published C–E (step 8).
    """
    a = PartnerFactory(name="Alpha", country="ZA")
    berlin = NorthPartnerFactory(name="Berlin", country="DE", latitude=52.52, longitude=13.4)
    bonn = NorthPartnerFactory(name="Bonn", country="DE", latitude=None, longitude=None)
    lyon = NorthPartnerFactory(name="Lyon", country="FR", latitude=45.76, longitude=4.83)
    c, d, e = PartnerFactory(name="Gamma"), PartnerFactory(name="Delta"), PartnerFactory()
    officer = UserFactory(username="officer_a")
    CityMembershipFactory(user=officer, partner=a)
    other = UserFactory(username="officer_c")
    CityMembershipFactory(user=other, partner=c)

    p1 = partnership(
        a,
        berlin,
        step=Step.IMPLEMENTATION,
        title="Alpha–Berlin",
        category=Partnership.Category.SISTER_CITY,
        phase=Partnership.Phase.COMMERCIAL,
    )
    p2 = partnership(
        a,
        bonn,
        step=Step.APPROACH,
        title="Alpha–Bonn",
        category=Partnership.Category.MIC,
        phase=Partnership.Phase.ASSOCIATIVE,
    )
    p3 = partnership(
        lyon,
        a,
        step=Step.MEASUREMENT,
        title="Lyon–Alpha",
        category=Partnership.Category.DECENTRALISED,
        phase=Partnership.Phase.RECIPROCATIVE,
    )
    private = partnership(c, d, step=Step.AGREEMENT, title="Gamma–Delta secret")
    published = partnership(c, e, step=Step.MEASUREMENT, title="Gamma–E public", published=True)

    for day in (dt.date(2025, 1, 5), dt.date(2025, 1, 20), dt.date(2025, 3, 2)):
        ActivityFactory(partnership=p1, occurred_on=day)
    ActivityFactory(partnership=p3, occurred_on=dt.date(2025, 3, 9))
    for _ in range(5):
        ActivityFactory(partnership=private, occurred_on=dt.date(2025, 2, 1), title="=SECRET()")

    completed_review(p1, 2023, [(0, 2, 5)])  # older: ignored
    completed_review(p1, 2024, [(0, 2, 3), (10, 5, 7)])  # on, off (a decrease not reached)
    ReviewFactory(partnership=p1, period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 6, 30))
    completed_review(p3, 2024, [(0, 2, 1)])  # off
    completed_review(private, 2024, [(0, 1, 9), (0, 1, 9)])  # not A's

    sub = SubAllianceFactory(partnership=p1, business=True)
    OutcomeFactory(sub_alliance=sub, kind="deals", amount=2)
    OutcomeFactory(sub_alliance=sub, kind="deals", amount=1)
    OutcomeFactory(sub_alliance=sub, kind="jobs", amount=5)
    OutcomeFactory(sub_alliance=sub, kind="export_value", amount=1000, currency="ZAR")
    OutcomeFactory(sub_alliance=sub, kind="export_value", amount=200, currency="EUR")
    OutcomeFactory(sub_alliance=sub, kind="contacts", amount=7)  # not one the report shows
    secret = SubAllianceFactory(partnership=private, business=True)
    OutcomeFactory(sub_alliance=secret, kind="deals", amount=99)
    return {
        "a": a,
        "c": c,
        "officer": officer,
        "other": other,
        "p1": p1,
        "p2": p2,
        "p3": p3,
        "private": private,
        "published": published,
    }


@pytest.fixture
def world():
    return portfolio_world()


def _counts(rows):
    return {row["key"]: row["count"] for row in rows}


def test_charts_equal_the_database(world):
    a = world["a"]
    qs = reports.portfolio(world["officer"], a.pk)
    mine = Partnership.objects.filter(members__partner=a)
    report = reports.portfolio_report(qs, a.pk)

    assert report["total"] == mine.count() == 3
    for step in Step:
        assert _counts(report["by_step"])[step] == mine.filter(step=step).count()
        reached = next(r["reached"] for r in report["by_step"] if r["key"] == step)
        assert reached == mine.filter(step__gte=step).count()
    assert [r["reached"] for r in report["by_step"]] == [3, 3, 3, 2, 2, 2, 2, 1]
    for value, _ in Partnership.Category.choices:
        assert _counts(report["by_category"])[value] == mine.filter(category=value).count()
    for value, _ in Partnership.Phase.choices:
        assert _counts(report["by_phase"])[value] == mine.filter(phase=value).count()

    by_country = _counts(report["by_country"])
    assert by_country == {"DE": 2, "FR": 1}
    for code, n in by_country.items():
        others = PartnershipMember.objects.filter(partnership__in=mine, partner__country=code)
        assert n == others.exclude(partner=a).values("partnership").distinct().count()

    activities = _counts(report["activities"])
    assert activities == {"2025-01": 2, "2025-02": 0, "2025-03": 2}
    assert sum(activities.values()) == Activity.objects.filter(partnership__in=mine).count()

    kpis = report["kpis"]
    assert (kpis["on"], kpis["off"]) == (1, 2)
    latest = {
        p.pk: p.reviews.filter(status="completed").order_by("-period_end").first() for p in mine
    }
    expected = [
        r.on_target
        for review in latest.values()
        if review
        for r in KPIResult.objects.filter(review=review)
    ]
    assert kpis["on"] == expected.count(True) and kpis["off"] == expected.count(False)
    assert {r["label"]: (r["on"], r["off"]) for r in kpis["rows"]} == {
        "Alpha–Berlin": (1, 1),
        "Lyon–Alpha": (0, 1),
    }

    outcomes = report["outcomes"]
    assert [c["label"] for c in outcomes["columns"]] == [
        "Deals concluded",
        "Export value (EUR)",
        "Export value (ZAR)",
        "Jobs created",
    ]
    assert outcomes["rows"] == [
        {
            "partnership_id": world["p1"].pk,
            "label": "Alpha–Berlin",
            "values": [Decimal(3), Decimal(200), Decimal(1000), Decimal(5)],
        }
    ]
    # Health is not faked while the health module is missing.
    assert report["health"]["available"] in (True, False)
    if not report["health"]["available"]:
        assert report["health"]["rows"] == []


def test_chart_data_is_the_tables(world):
    qs = reports.portfolio(world["officer"], world["a"].pk)
    report = reports.portfolio_report(qs, world["a"].pk)
    data = reports.chart_data(report)
    assert data["by_category"]["datasets"][0]["data"] == [r["count"] for r in report["by_category"]]
    assert data["by_step"]["datasets"][0]["data"] == [r["reached"] for r in report["by_step"]]
    assert data["kpis"]["datasets"][0]["data"] == [1, 0]
    assert data["kpis"]["datasets"][1]["data"] == [1, 1]
    assert data["outcomes_counts"]["datasets"][0]["data"] == [3.0]
    assert {d["label"] for d in data["outcomes_money"]["datasets"]} == {
        "Export value (EUR)",
        "Export value (ZAR)",
    }


def test_admin_all_cities_covers_every_partnership(world):
    admin = UserFactory(is_superuser=True)
    report = reports.portfolio_report(reports.portfolio(admin), None)
    assert report["total"] == Partnership.objects.count() == 5
    assert (
        sum(_counts(report["by_country"]).values())
        == PartnershipMember.objects.filter(role="counterpart").count()
    )


def test_the_map_draws_a_line_per_partner(world):
    qs = reports.portfolio(world["officer"], world["a"].pk)
    result = reports.partner_map(qs, world["a"].pk)
    lines = {(line.home, line.partner): line for line in result.lines}
    assert set(lines) == {("Alpha", "Berlin"), ("Alpha", "Bonn"), ("Alpha", "Lyon")}
    assert lines[("Alpha", "Bonn")].drawn is False  # no coordinates: listed, not drawn
    berlin = lines[("Alpha", "Berlin")]
    assert berlin.colour == reports.STEP_COLOURS[Step.IMPLEMENTATION]
    assert (berlin.x2, berlin.y2) == world_map.project(13.4, 52.52)
    assert len(result.countries) == 177


def test_project_is_equirectangular():
    assert world_map.project(-180, world_map.MAP_NORTH) == (0, 0)
    assert world_map.project(180, world_map.MAP_SOUTH) == (
        world_map.MAP_WIDTH,
        world_map.MAP_HEIGHT,
    )


def test_page_shows_tables_map_and_data_block(client, world):
    client.force_login(world["officer"])
    response = client.get(reverse("partnerships:reports"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="chart-data" type="application/json"' in html
    assert "<script>" not in html.replace('<script src="', "")  # no inline script
    assert 'class="partner-map"' in html and "Alpha–Berlin" in html
    assert "Gamma–Delta secret" not in html and "Gamma–E public" not in html
    data = json.loads(
        html.split('id="chart-data" type="application/json">')[1].split("</script>")[0]
    )
    assert data["by_country"]["labels"] == ["Germany", "France"]


def test_officer_cannot_report_on_another_city(client, world):
    client.force_login(world["officer"])
    response = client.get(reverse("partnerships:reports"), {"city": world["c"].pk})
    assert response.status_code == 404


def test_admin_may_choose_any_city(client, world):
    client.force_login(UserFactory(is_superuser=True))
    response = client.get(reverse("partnerships:reports"), {"city": world["c"].pk})
    assert response.status_code == 200
    assert "Gamma–Delta secret" in response.content.decode()
    assert "Alpha–Bonn" not in response.content.decode()


def test_user_without_a_city_sees_only_exports(client, world):
    client.force_login(chamber_staff())  # a role, but no city
    response = client.get(reverse("partnerships:reports"))
    assert response.status_code == 200
    assert "no portfolio" in response.content.decode()
    client.force_login(UserFactory())  # no role: sent to its status page
    assert client.get(reverse("partnerships:reports")).status_code == 302


def _portfolio_of(n):
    city = PartnerFactory()
    user = UserFactory()
    CityMembershipFactory(user=user, partner=city, role=CityMembership.Role.COORDINATOR)
    for i in range(n):
        p = partnership(city, NorthPartnerFactory(), step=Step(i % 8 + 1))
        ActivityFactory(partnership=p, occurred_on=dt.date(2025, i % 12 + 1, 1))
        kpi = KPIFactory(partnership=p)
        review = ReviewFactory(partnership=p, status=Review.Status.COMPLETED)
        KPIResult.objects.create(review=review, kpi=kpi, actual=i % 3)
        OutcomeFactory(sub_alliance=SubAllianceFactory(partnership=p, business=True))
    return user


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)  # a streamed export queries as it streams
    return len(ctx)


def test_report_queries_are_few_and_constant(client):
    counts = []
    for n in (5, 50):
        client.force_login(_portfolio_of(n))
        counts.append(_queries(client, reverse("partnerships:reports")))
    assert counts[0] == counts[1]
    assert counts[0] <= 12


def _subpaths(d: str) -> list[list[tuple[float, float]]]:
    """The points of each subpath of SVG path data made of M, L and Z."""
    result = []
    for sub in d.split("M")[1:]:
        points = sub.rstrip("Z").split("L")
        result.append([tuple(float(v) for v in p.split(",")) for p in points])
    return result


def _no_band(d: str) -> bool:
    """No segment (nor a subpath's closing line) runs across half the map or more: that is a
    line meant to cross the antimeridian, drawn back across the whole world instead."""
    poles = {world_map.project(0, 90)[1], world_map.project(0, -90)[1]}
    for points in _subpaths(d):
        closing = [(points[-1], points[0])] if len(points) > 2 else []
        for a, b in [*itertools.pairwise(points), *closing]:
            along_a_pole = a[1] == b[1] and a[1] in poles  # a polar cap's edge (Antarctica)
            if abs(a[0] - b[0]) >= world_map.MAP_WIDTH / 2 and not along_a_pole:
                return False
    return True


def test_no_country_is_drawn_as_a_band_across_the_map():
    """Issue 19: Russia's east and Fiji cross the antimeridian; every country's rings are cut
    there, each piece closed along the map's edge."""
    paths = dict(world_map.world_paths())
    assert all(_no_band(d) for d in paths.values())
    # Chukotka is still drawn, on the map's western edge (not dropped).
    russia = [p for points in _subpaths(paths["Russia"]) for p in points]
    assert min(x for x, _ in russia) == 0 and max(x for x, _ in russia) > 950


@pytest.mark.parametrize(
    "a, b",
    [
        ((-118.24, 34.05), (113.26, 23.13)),  # Los Angeles – Guangzhou, across the Pacific
        ((174.76, -36.85), (-149.57, -17.53)),  # Auckland – Papeete
        ((13.4, 52.52), (-74.0, 40.71)),  # Berlin – New York, no crossing
        ((139.69, 35.69), (-122.42, 37.77)),  # Tokyo – San Francisco
        ((179.9, 0.0), (-179.9, 0.0)),
    ],
)
def test_partner_links_are_great_circles_split_at_the_antimeridian(a, b):
    d = world_map.arc_path(a, b)
    assert _no_band(d)
    points = [p for sub in _subpaths(d) for p in sub]
    assert points[0] == world_map.project(*a) and points[-1] == world_map.project(*b)
    crosses = abs(a[0] - b[0]) > 180
    assert len(_subpaths(d)) == (2 if crosses else 1)
    if crosses:  # each piece ends on the map's edge, at the same latitude
        first, second = _subpaths(d)
        assert {first[-1][0], second[0][0]} == {0, world_map.MAP_WIDTH}
        assert first[-1][1] == second[0][1]


def test_a_great_circle_bends_towards_the_pole():
    # Berlin – New York: the great circle passes north of both ends (over the Atlantic's north).
    mid = world_map.great_circle((13.4, 52.52), (-74.0, 40.71))[32]
    assert mid[1] > 52.52
    # Along the equator it stays on it.
    assert all(abs(lat) < 1e-9 for _, lat in world_map.great_circle((0, 0), (90, 0)))


def test_the_map_draws_each_link_as_its_arc(client, world):
    client.force_login(world["officer"])
    html = client.get(reverse("partnerships:reports")).content.decode()
    assert "<line " not in html
    berlin = next(
        line
        for line in reports.partner_map(reports.portfolio(world["officer"], world["a"].pk)).lines
        if line.partner == "Berlin"
    )
    assert berlin.path and f'd="{berlin.path}"' in html
