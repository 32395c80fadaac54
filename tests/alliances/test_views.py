"""The sub-alliance pages, per role: a partnership's list, forming one, an organisation, and a
sub-alliance's page with its strength, start-up tasks and shared scorecard."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alliances import services
from alliances.models import (
    Grouping,
    Organisation,
    ScorecardMeasure,
    StartUpTask,
    SubAlliance,
)
from core.converters import LARGEST_ID  # in an address (10**30 matches no URL)
from partnerships.models import Activity, Partnership
from tests.factories.accounts import UserFactory
from tests.factories.businesses import OutcomeFactory, chamber_staff

pytestmark = pytest.mark.django_db

QUERY_BUDGET = 12
HUGE = 10**30  # past the database's integer: for form values


def url(name, *args):
    return reverse(f"alliances:{name}", args=args)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def count_queries(client, address) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(address)
    assert response.status_code == 200, address
    return len(ctx.captured_queries)


def network(world, name="Water utilities network", **overrides):
    fields = {
        "partnership": world.partnership,
        "user": None,
        "name": name,
        "purpose": "Share know-how on reducing water losses.",
        "grouping": Grouping.GOVERNMENT,
        "form": SubAlliance.Form.KNOWLEDGE_NETWORK,
        "organisations": [
            world.organisation("home", name=f"{name} Gqeberha"),
            world.organisation("away", name=f"{name} Gävle"),
        ],
        "strength": 3,
    }
    fields.update(overrides)
    return services.sub_alliance_create(**fields)


def roles(world):
    return [
        ("home officer", world.home_officer, 200),
        ("away officer", world.away_officer, 200),
        ("admin", UserFactory(is_superuser=True, is_staff=True), 200),
        ("stranger officer", world.stranger_officer, 404),
        ("chamber staff", chamber_staff(), 404),
        ("plain user", UserFactory(), 302),  # no role: sent to its status page
    ]


# --- Who may see what ------------------------------------------------------------------------


def test_sub_alliance_pages_are_for_the_member_cities_officers(client, world):
    sub_alliance = network(world)
    task = sub_alliance.startup_tasks.first()
    pages = [
        url("partnership_sub_alliances", world.partnership.pk),
        url("sub_alliance_create", world.partnership.pk),
        url("organisation_add", world.partnership.pk),
        url("sub_alliance_detail", sub_alliance.pk),
        url("strength", sub_alliance.pk),
        url("startup_task", sub_alliance.pk, task.pk),
    ]
    for label, user, status in roles(world):
        client.force_login(user)
        for address in pages:
            assert client.get(address).status_code == status, (label, address)
    client.logout()
    for address in pages:
        assert client.get(address)["Location"].startswith("/accounts/login/")


def test_an_archived_partnership_is_read_only(client, world):
    sub_alliance = network(world)
    Partnership.objects.filter(pk=world.partnership.pk).update(status="archived")
    client.force_login(world.home_officer)
    page = client.get(url("partnership_sub_alliances", world.partnership.pk))
    assert page.status_code == 200 and not page.context["can_manage"]
    assert client.get(url("sub_alliance_detail", sub_alliance.pk)).status_code == 200
    assert client.get(url("sub_alliance_create", world.partnership.pk)).status_code == 404
    assert client.post(url("strength", sub_alliance.pk), {"strength": 5}).status_code == 404


def test_unknown_ids_are_404s(client, world):
    sub_alliance = network(world)
    other = network(world, name="Other network")
    client.force_login(world.home_officer)
    for address in [
        url("partnership_sub_alliances", LARGEST_ID),
        url("sub_alliance_detail", LARGEST_ID),
        url("strength", LARGEST_ID),
        url("startup_task", sub_alliance.pk, LARGEST_ID),
        url("startup_task", sub_alliance.pk, other.startup_tasks.first().pk),
        url("measure_edit", sub_alliance.pk, LARGEST_ID),
    ]:
        assert client.get(address).status_code == 404, address


# --- Forming a sub-alliance ---------------------------------------------------------------------


def organisation(world, side, name, **fields):
    city = world.home if side == "home" else world.away
    found = Organisation.objects.filter(partner=city, name=name).first()
    return found or world.organisation(side, name=name, **fields)


def create_data(world, **overrides):
    data = {
        "name": "Port authorities network",
        "purpose": "Exchange on port governance.",
        "grouping": Grouping.GOVERNMENT,
        "form": SubAlliance.Form.KNOWLEDGE_NETWORK,
        "organisations": [
            organisation(world, "home", "Gqeberha Port Office").pk,
            organisation(world, "away", "Gävle Hamn").pk,
        ],
        "strength": "4",
        "status": "forming",
        "started_on": "2025-03-01",
    }
    data.update(overrides)
    return data


def test_an_officer_forms_a_sub_alliance_with_its_start_up_tasks(client, world):
    client.force_login(world.away_officer)
    data = create_data(world)
    response = client.get(url("sub_alliance_create", world.partnership.pk))
    groups = dict(response.context["form"].fields["organisations"].choices)
    assert set(groups) == {"Gqeberha", "Gävle"}
    response = client.post(url("sub_alliance_create", world.partnership.pk), data, follow=True)
    sub_alliance = SubAlliance.objects.get()
    assert response.redirect_chain[-1][0] == url("sub_alliance_detail", sub_alliance.pk)
    assert sub_alliance.strength == 4 and sub_alliance.created_by == world.away_officer
    assert sub_alliance.startup_tasks.count() == 5
    assert Activity.objects.filter(kind=Activity.Kind.SUB_ALLIANCE_FORMED).count() == 1
    page = response.content.decode()
    assert "Gqeberha Port Office" in page and "Gävle Hamn" in page
    assert "0 of 5 done" in page


@pytest.mark.parametrize(
    ("overrides", "where"),
    [
        ({"name": ""}, "name"),
        ({"grouping": "business"}, "linkage_scope"),
        ({"grouping": "nonsense"}, "grouping"),
        ({"strength": "11"}, "strength"),
        ({"strength": "abc"}, "strength"),
        ({"started_on": "2999-01-01"}, "started_on"),
        ({"started_on": "0001-01-01"}, "started_on"),
        ({"organisations": [HUGE]}, "organisations"),
        ({"organisations": ["x"]}, "organisations"),
        ({"status": "ended"}, "status"),
        ({"linkage_scope": "bilateral"}, "linkage_scope"),
    ],
)
def test_form_errors_save_nothing(client, world, overrides, where):
    client.force_login(world.home_officer)
    data = create_data(world, **overrides)
    response = client.post(url("sub_alliance_create", world.partnership.pk), data)
    assert response.status_code == 200
    assert where in response.context["form"].errors, response.context["form"].errors
    assert not SubAlliance.objects.exists()


def test_rules_across_parties_are_refused_with_a_message(client, world):
    client.force_login(world.home_officer)
    one_side = [world.organisation("home").pk, world.organisation("home").pk]
    business = world.organisation("away", kind=Organisation.Kind.BUSINESS).pk
    for overrides, message in [
        ({"organisations": one_side}, "organisations of both sides"),
        ({"organisations": [*one_side, business]}, "choose the grouping “Mixed”"),
    ]:
        response = client.post(
            url("sub_alliance_create", world.partnership.pk), create_data(world, **overrides)
        )
        assert message in str(response.context["form"].non_field_errors())
    assert not SubAlliance.objects.exists()
    client.post(url("sub_alliance_create", world.partnership.pk), create_data(world))
    response = client.post(
        url("sub_alliance_create", world.partnership.pk),
        create_data(world, name="port AUTHORITIES network"),
    )
    assert "already has a sub-alliance" in str(response.context["form"].errors["name"])
    assert SubAlliance.objects.count() == 1


def test_an_empty_post_shows_the_required_fields(client, world):
    client.force_login(world.home_officer)
    response = client.post(url("sub_alliance_create", world.partnership.pk), {})
    assert {"name", "purpose", "grouping", "form", "organisations"} <= set(
        response.context["form"].errors
    )


def test_an_officer_adds_an_organisation_of_their_own_city(client, world):
    client.force_login(world.home_officer)
    address = url("organisation_add", world.partnership.pk)
    choices = list(client.get(address).context["form"].fields["partner"].queryset)
    assert choices == [world.home]
    response = client.post(
        address, {"partner": world.away.pk, "kind": "municipal", "name": "Gävle Water"}
    )
    assert "partner" in response.context["form"].errors
    for data in ({}, {"partner": world.home.pk, "kind": "business", "name": "Shop"}):
        assert client.post(address, data).context["form"].errors
    response = client.post(
        address, {"partner": world.home.pk, "kind": "municipal", "name": "Gqeberha Water"}
    )
    assert response["Location"] == url("sub_alliance_create", world.partnership.pk)
    assert Organisation.objects.get(name="Gqeberha Water").created_by == world.home_officer
    response = client.post(
        address, {"partner": world.home.pk, "kind": "municipal", "name": "gqeberha water"}
    )
    assert "name" in response.context["form"].errors


# --- A sub-alliance's page --------------------------------------------------------------------


def test_the_strength_changes_with_its_history(client, world):
    sub_alliance = network(world)
    client.force_login(world.home_officer)
    response = client.post(
        url("strength", sub_alliance.pk), {"strength": "7", "note": "A joint project funded."}
    )
    assert response["Location"] == url("sub_alliance_detail", sub_alliance.pk) + "#strength"
    sub_alliance.refresh_from_db()
    assert sub_alliance.strength == 7
    page = client.get(url("sub_alliance_detail", sub_alliance.pk)).content.decode()
    assert "3 – Vendor: trading → 7 – Supplier: key" in page
    assert "A joint project funded." in page
    response = client.post(url("strength", sub_alliance.pk), {"strength": "7"}, follow=True)
    assert "The strength is unchanged." in messages_of(response)
    for value in ("11", "-1", "abc", ""):
        response = client.post(url("strength", sub_alliance.pk), {"strength": value})
        assert response.status_code == 200 and "strength" in response.context["form"].errors


def test_start_up_tasks_are_ticked_off(client, world):
    sub_alliance = network(world)
    task = sub_alliance.startup_tasks.get(kind=StartUpTask.Kind.ROLES)
    client.force_login(world.away_officer)
    response = client.post(
        url("startup_task", sub_alliance.pk, task.pk), {"done": "on", "notes": "Named a lead."}
    )
    assert response["Location"].endswith("#tasks")
    task.refresh_from_db()
    assert task.done and task.done_on == timezone.localdate() and task.notes == "Named a lead."
    response = client.post(url("startup_task", sub_alliance.pk, task.pk), {"done_on": "2025-01-01"})
    assert "done_on" in response.context["form"].errors
    response = client.post(url("startup_task", sub_alliance.pk, task.pk), {})
    task.refresh_from_db()
    assert response.status_code == 302 and not task.done and task.done_on is None
    page = client.get(url("sub_alliance_detail", sub_alliance.pk)).content.decode()
    assert "0 of 5 done" in page


def test_each_side_adds_and_keeps_its_own_measures(client, world):
    sub_alliance = network(world)
    client.force_login(world.home_officer)
    form = client.get(url("measure_add", sub_alliance.pk)).context["form"]
    assert list(form.fields["side"].queryset) == [world.home]
    data = {
        "side": world.home.pk,
        "dimension": "effectiveness",
        "name": "Water losses halved",
        "unit": "%",
        "target": "50",
    }
    response = client.post(url("measure_add", sub_alliance.pk), data)
    assert response["Location"].endswith("#scorecard")
    measure = ScorecardMeasure.objects.get()
    assert measure.added_by_partner == world.home
    for bad in (
        {**data, "side": world.away.pk},
        {**data, "name": "water LOSSES halved"},
        {**data, "unit": ""},
        {**data, "target": "1" * 20},
        {**data, "dimension": "beauty"},
        {},
    ):
        response = client.post(url("measure_add", sub_alliance.pk), bad)
        assert response.status_code == 200 and response.context["form"].errors, bad
    assert ScorecardMeasure.objects.count() == 1

    # The other side sees it but may not change it; they add their own.
    client.force_login(world.away_officer)
    assert client.get(url("measure_edit", sub_alliance.pk, measure.pk)).status_code == 404
    client.post(
        url("measure_add", sub_alliance.pk),
        {**data, "side": world.away.pk, "name": "Meetings held", "unit": "meetings"},
    )
    assert ScorecardMeasure.objects.filter(added_by_partner=world.away).exists()
    client.force_login(world.home_officer)
    response = client.post(
        url("measure_edit", sub_alliance.pk, measure.pk),
        {"name": "Water losses halved", "unit": "%", "target": "50", "actual": "31.5"},
    )
    measure.refresh_from_db()
    assert measure.actual == Decimal("31.5")
    page = client.get(url("sub_alliance_detail", sub_alliance.pk)).content.decode()
    assert "Meetings held" in page and "31.5" in page


def test_business_sub_alliances_show_their_outcomes(client, world):
    sub_alliance = network(
        world,
        name="Citrus linkage",
        grouping=Grouping.BUSINESS,
        form=SubAlliance.Form.PARTNERSHIP,
        linkage_scope="bilateral",
        linkage_locus="external",
        linkage_direction="vertical",
        organisations=[
            world.organisation("home", kind=Organisation.Kind.BUSINESS),
            world.organisation("away", kind=Organisation.Kind.BUSINESS),
        ],
    )
    OutcomeFactory(sub_alliance=sub_alliance, kind="jobs", amount=9)
    client.force_login(world.home_officer)
    page = client.get(url("sub_alliance_detail", sub_alliance.pk)).content.decode()
    assert "Economic outcomes" in page and "Jobs created" in page
    assert reverse("businesses:outcome_record", args=[sub_alliance.pk]) in page
    listing = client.get(url("partnership_sub_alliances", world.partnership.pk))
    assert "Jobs created: 9" in listing.content.decode()
    assert reverse("businesses:matchmaking", args=[world.partnership.pk]) in (
        listing.content.decode()
    )


# --- Query budgets ------------------------------------------------------------------------------


def test_the_list_queries_do_not_grow(client, world):
    client.force_login(world.home_officer)

    def add(start, n):
        for i in range(start, start + n):
            sub_alliance = network(world, name=f"Network {i}")
            OutcomeFactory(sub_alliance=sub_alliance) if i % 2 else None

    add(0, 5)
    few = count_queries(client, url("partnership_sub_alliances", world.partnership.pk))
    add(5, 45)
    many = count_queries(client, url("partnership_sub_alliances", world.partnership.pk))
    assert few == many <= QUERY_BUDGET


def test_the_detail_queries_do_not_grow(client, world):
    sub_alliance = network(
        world,
        name="Citrus linkage",
        grouping=Grouping.MIXED,
        strength=2,
    )
    client.force_login(world.home_officer)

    def add(start, n):
        for i in range(start, start + n):
            services.scorecard_measure_add(
                sub_alliance=sub_alliance,
                user=None,
                side=world.home if i % 2 else world.away,
                dimension="efficiency",
                name=f"Measure {i}",
                unit="meetings",
            )
            services.sub_alliance_set_strength(
                sub_alliance=sub_alliance, strength=(i % 10) + 1, user=world.home_officer
            )
            OutcomeFactory(sub_alliance=sub_alliance, occurred_on=dt.date(2025, 1, 1))

    add(0, 5)
    few = count_queries(client, url("sub_alliance_detail", sub_alliance.pk))
    add(5, 45)
    many = count_queries(client, url("sub_alliance_detail", sub_alliance.pk))
    assert few == many <= QUERY_BUDGET


def test_a_sub_alliance_formed_without_a_strength_is_not_assessed_yet(client, world):
    """Issue 19: not "0 – none by choice" by default; 0 stays a choice of its own."""
    client.force_login(world.home_officer)
    form = client.get(url("sub_alliance_create", world.partnership.pk)).context["form"]
    assert form.fields["strength"].choices[0] == ("", "Not assessed yet")
    response = client.post(
        url("sub_alliance_create", world.partnership.pk), create_data(world, strength="")
    )
    assert response.status_code == 302
    sub_alliance = SubAlliance.objects.get()
    assert sub_alliance.strength is None
    assert not sub_alliance.strength_records.exists()  # no history until it is assessed
    page = client.get(url("sub_alliance_detail", sub_alliance.pk)).content.decode()
    assert "Not assessed yet" in page
    listing = client.get(url("partnership_sub_alliances", world.partnership.pk))
    assert "Not assessed yet" in listing.content.decode()

    client.post(url("strength", sub_alliance.pk), {"strength": "0", "note": "None, by choice."})
    sub_alliance.refresh_from_db()
    assert sub_alliance.strength == 0
    record = sub_alliance.strength_records.get()
    assert (record.previous, record.strength) == (None, 0)
    page = client.get(url("sub_alliance_detail", sub_alliance.pk)).content.decode()
    assert "0 – None (by choice)" in page
