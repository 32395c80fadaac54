"""The chamber's own workspace: its home page instead of the officers' dashboard, its view of
the sub-alliances its businesses are in, outcomes it records, and the registry as its view of a
partnership (found by any of a city's names)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alliances.models import Organisation
from businesses.models import InterestRegistration, MatchProposal, Outcome
from tests.factories.alliances import (
    ScorecardMeasureFactory,
    StartUpTaskFactory,
    SubAllianceFactory,
    SubAlliancePartyFactory,
)
from tests.factories.businesses import (
    BusinessAssociationFactory,
    BusinessProfileFactory,
    InterestRegistrationFactory,
    OutcomeFactory,
    chamber_staff,
    sectors,
)
from tests.factories.gazetteer import load_places
from tests.factories.partnerships import PartnershipFactory

pytestmark = pytest.mark.django_db

QUERY_BUDGET = 12  # as every page (tests/partnerships/test_query_budgets.py)


def url(name, *args):
    return reverse(f"businesses:{name}", args=args)


def business_alliance(world, business, **fields):
    """A business sub-alliance of the world's partnership between `business` and a Gävle firm."""
    sa = SubAllianceFactory(partnership=world.partnership, business=True, **fields)
    SubAlliancePartyFactory(sub_alliance=sa, organisation=business.organisation)
    SubAlliancePartyFactory(
        sub_alliance=sa, organisation=world.organisation("away", kind=Organisation.Kind.BUSINESS)
    )
    return sa


@pytest.fixture
def chamber(world):
    association = BusinessAssociationFactory(
        organisation__partner=world.home, organisation__name="Nelson Mandela Bay Business Chamber"
    )
    citrus = BusinessProfileFactory(
        association=association, organisation__name="Citrus Co", sectors=sectors("A")
    )
    staff = chamber_staff(association)
    other = BusinessAssociationFactory(organisation__partner=world.home)
    return SimpleNamespace(
        association=association, citrus=citrus, staff=staff, other_staff=chamber_staff(other)
    )


def test_chamber_staff_land_on_their_own_home_not_the_officers_dashboard(client, world, chamber):
    client.force_login(chamber.staff)
    response = client.get(reverse("partnerships:dashboard"))
    assert response.status_code == 302 and response.url == url("chamber_home")
    client.force_login(world.home_officer)
    assert client.get(reverse("partnerships:dashboard")).status_code == 200


def test_the_home_shows_what_the_chambers_businesses_have_going_on(client, world, chamber):
    InterestRegistrationFactory(
        association=chamber.association,
        partnership=world.partnership,
        businesses=[chamber.citrus],
        status=InterestRegistration.Status.ACCEPTED,
        officer_message="Welcome aboard: we meet in March.",
        decided_at="2025-02-01T10:00Z",
    )
    sa = business_alliance(world, chamber.citrus, name="Citrus to Gävle")
    StartUpTaskFactory(sub_alliance=sa, done=True, done_on="2025-02-03")
    ScorecardMeasureFactory(sub_alliance=sa, added_by_partner=world.home)
    OutcomeFactory(sub_alliance=sa, kind=Outcome.Kind.EXPORT_VALUE, amount=125000, currency="ZAR")
    world.away.sectors.set(sectors("A"))
    MatchProposal.objects.create(
        partnership=world.partnership,
        first=chamber.citrus,
        second=BusinessProfileFactory(
            association__organisation__partner=world.away, organisation__name="Nordic Fruit AB"
        ),
        association=chamber.association,
        score=90,
        status=MatchProposal.Status.DECLINED,
        decided_at="2025-02-01T10:00Z",
        officer_message="They buy only organic fruit.",
    )
    client.force_login(chamber.staff)
    html = client.get(url("chamber_home")).content.decode()
    assert "Citrus Co ↔ Nordic Fruit AB" in html and "They buy only organic fruit." in html
    assert "Citrus Co" in html
    assert "Welcome aboard: we meet in March." in html and "Accepted" in html
    assert "Citrus to Gävle" in html and "1 of 1 done" in html and "1 measure" in html
    assert "ZAR\u00a0125,000.00" in html
    # Worth a look: its city's published partnership, with the sector its members work in.
    assert "1 sector your members work in" in html and "interest registered" in html
    # Another chamber of the same city sees none of it.
    client.force_login(chamber.other_staff)
    html = client.get(url("chamber_home")).content.decode()
    assert "Citrus" not in html and "125,000.00" not in html


def test_the_home_asks_the_same_queries_whatever_the_rows(client, world, chamber):
    def grow():
        business = BusinessProfileFactory(association=chamber.association, sectors=sectors("C"))
        InterestRegistrationFactory(
            association=chamber.association,
            partnership=PartnershipFactory(home=world.home, published=True),
            businesses=[business],
        )
        OutcomeFactory(sub_alliance=business_alliance(world, business))
        MatchProposal.objects.create(
            partnership=world.partnership,
            first=business,
            second=BusinessProfileFactory(association__organisation__partner=world.away),
            association=chamber.association,
        )

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("chamber_home")).status_code == 200
        return len(ctx.captured_queries)

    client.force_login(chamber.staff)
    grow()
    first = queries()
    for _ in range(6):
        grow()
    assert queries() == first, "the chamber's home asks more queries as rows grow"
    assert first <= QUERY_BUDGET


def test_the_home_is_for_approved_chamber_staff_only(client, world, chamber):
    client.force_login(world.home_officer)
    assert client.get(url("chamber_home")).status_code == 404
    assert client.get(url("chamber_home")).status_code == 404


def test_a_party_chamber_follows_its_sub_alliance_and_records_an_outcome(client, world, chamber):
    sa = business_alliance(world, chamber.citrus)
    StartUpTaskFactory(sub_alliance=sa)
    client.force_login(chamber.staff)
    page = client.get(url("chamber_sub_alliance", sa.pk))
    assert page.status_code == 200 and "0 of 1 done" in page.content.decode()
    response = client.post(
        url("outcome_record", sa.pk),
        {"kind": "export_value", "amount": "48000", "currency": "EUR", "occurred_on": "2025-04-02"},
    )
    assert response.status_code == 302
    assert response.url == url("chamber_sub_alliance", sa.pk) + "#outcomes"
    outcome = Outcome.objects.get(sub_alliance=sa)
    assert (outcome.amount, outcome.currency, outcome.recorded_by) == (48000, "EUR", chamber.staff)
    assert "€48,000.00" in client.get(url("chamber_home")).content.decode()
    # The officers see it in the partnership's figures.
    client.force_login(world.home_officer)
    page = client.get(reverse("alliances:partnership_sub_alliances", args=[world.partnership.pk]))
    assert "48,000.00" in page.content.decode()


def test_a_refused_outcome_keeps_what_was_typed(client, world, chamber):
    sa = business_alliance(world, chamber.citrus)
    client.force_login(chamber.staff)
    response = client.post(
        url("outcome_record", sa.pk),
        {"kind": "export_value", "amount": "48000", "currency": "", "note": "First container"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "First container" in response.content.decode()
    assert not Outcome.objects.exists()


def test_chambers_not_party_to_a_sub_alliance_neither_see_it_nor_record(client, world, chamber):
    sa = business_alliance(world, chamber.citrus)
    government = SubAllianceFactory(partnership=world.partnership)
    SubAlliancePartyFactory(sub_alliance=government, organisation__partner=world.home)
    for user, target in (
        (chamber.other_staff, sa),
        (chamber.staff, government),
        (world.away_officer, sa),  # officers have their own page for it
    ):
        client.force_login(user)
        assert client.get(url("chamber_sub_alliance", target.pk)).status_code == 404
    client.force_login(chamber.other_staff)
    response = client.post(
        url("outcome_record", sa.pk), {"kind": "deals", "amount": "1", "occurred_on": "2025-04-02"}
    )
    assert response.status_code == 404
    assert not Outcome.objects.exists()
    client.force_login(chamber.staff)
    assert client.get(url("chamber_sub_alliance", 10**12)).status_code == 404


def test_the_chamber_itself_as_a_party_counts_too(client, world, chamber):
    sa = SubAllianceFactory(partnership=world.partnership, business=True)
    SubAlliancePartyFactory(sub_alliance=sa, organisation=chamber.association.organisation)
    client.force_login(chamber.staff)
    assert client.get(url("chamber_sub_alliance", sa.pk)).status_code == 200


def test_the_registry_finds_a_city_by_any_of_its_names(client, world):
    load_places()
    world.home.geonameid = 1007311  # Durban, whose municipality is eThekwini
    world.home.name = "eThekwini"
    world.home.save()
    for query in ("Durban", "durban", "德班", "eThekwini"):
        page = client.get(url("registry"), {"q": query})
        assert page.status_code == 200
        assert world.partnership.title in page.content.decode(), query
    page = client.get(url("registry"), {"q": "Pretoria"})
    assert world.partnership.title not in page.content.decode()
    # One letter is not a name: it finds only by title and city name, and never fails.
    assert client.get(url("registry"), {"q": "D"}).status_code == 200


def test_the_registry_page_is_the_chambers_view_of_a_partnership(client, world, chamber):
    sa = business_alliance(world, chamber.citrus, name="Citrus to Gävle")
    SubAllianceFactory(partnership=world.partnership, name="Water utilities")  # government
    InterestRegistrationFactory(
        association=chamber.association, partnership=world.partnership, businesses=[chamber.citrus]
    )
    client.force_login(chamber.staff)
    html = client.get(url("registry_detail", world.partnership.pk)).content.decode()
    assert "Sub-alliances open to business" in html and sa.name in html
    assert "Water utilities" not in html
    assert "Your chamber registered interest here" in html and "Waiting for the officers" in html
    assert f"{url('interest_register')}?partnership={world.partnership.pk}" in html
    # Anonymous visitors read the registry, not which firms are in sub-alliances.
    client.logout()
    html = client.get(url("registry_detail", world.partnership.pk)).content.decode()
    assert sa.name not in html and "Your chamber" not in html
