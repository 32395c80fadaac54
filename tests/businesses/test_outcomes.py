"""The economic results of business sub-alliances, recorded and added up."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from alliances import services as alliance_services
from alliances.models import Grouping
from businesses import selectors, services
from businesses.models import Outcome
from core.errors import DomainError
from tests.factories.alliances import SubAllianceFactory
from tests.factories.businesses import OutcomeFactory, chamber_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def linkage(world):
    return alliance_services.sub_alliance_create(
        partnership=world.partnership,
        user=world.home_officer,
        name="Citrus to Sweden",
        purpose="Export citrus.",
        grouping=Grouping.BUSINESS,
        form="partnership",
        organisations=[
            world.organisation("home", kind="business"),
            world.organisation("away", kind="business"),
        ],
        linkage_scope="bilateral",
        linkage_locus="external",
        linkage_direction="vertical",
    )


def record(linkage, user, **fields):
    values = {
        "sub_alliance": linkage,
        "user": user,
        "kind": Outcome.Kind.EXPORT_VALUE,
        "amount": Decimal("2500000"),
        "currency": "zar",
        "occurred_on": dt.date(2025, 4, 30),
    }
    values.update(fields)
    return services.outcome_record(**values)


def test_an_officer_records_money_with_its_currency(world, linkage):
    outcome = record(linkage, world.away_officer, partner=world.home, note="First container.")
    assert (outcome.amount, outcome.currency, outcome.partner) == (
        Decimal("2500000"),
        "ZAR",
        world.home,
    )
    assert outcome.recorded_by == world.away_officer


def test_and_counts_without_one(world, linkage):
    outcome = record(linkage, world.home_officer, kind=Outcome.Kind.JOBS, amount=12, currency="")
    assert outcome.amount == 12 and outcome.currency == ""


def test_money_without_a_currency_is_a_field_error(world, linkage):
    with pytest.raises(ValidationError) as error:
        record(linkage, world.home_officer, currency="")
    assert error.value.message_dict == {
        "currency": ["Give the currency of this amount (e.g. ZAR, EUR)."]
    }


def test_an_amount_that_is_no_number_is_a_field_error(world, linkage):
    with pytest.raises(ValidationError) as error:
        record(linkage, world.home_officer, kind=Outcome.Kind.JOBS, amount="a dozen", currency="")
    assert error.value.message_dict == {"amount": ["“a dozen” value must be a decimal number."]}


def test_a_result_is_recorded_once_it_has_happened(world, linkage):
    with pytest.raises(ValidationError) as error:
        record(linkage, world.home_officer, occurred_on=timezone.localdate() + dt.timedelta(days=1))
    assert error.value.message_dict == {"occurred_on": ["Record a result once it has happened."]}


def test_outcomes_belong_to_business_or_mixed_sub_alliances(world):
    network = SubAllianceFactory(partnership=world.partnership, grouping=Grouping.GOVERNMENT)
    with pytest.raises(DomainError, match="this one is local government"):
        record(network, world.home_officer)


def test_the_side_must_be_a_side_of_the_sub_alliance(world, linkage):
    with pytest.raises(DomainError, match="Polokwane is not a side"):
        record(linkage, world.home_officer, partner=world.third)


@pytest.mark.parametrize("who", ["stranger", "chamber"])
def test_only_the_partner_cities_officers_record_outcomes(world, linkage, who):
    user = world.stranger_officer if who == "stranger" else chamber_staff()
    with pytest.raises(DomainError, match="Only officers of the partner cities"):
        record(linkage, user)
    assert not Outcome.objects.exists()


def test_the_summary_adds_up_per_kind_and_never_across_currencies(
    world, linkage, django_assert_num_queries
):
    for amount, currency in ((100, "ZAR"), (250, "ZAR"), (40, "SEK")):
        OutcomeFactory(sub_alliance=linkage, kind="export_value", amount=amount, currency=currency)
    OutcomeFactory(sub_alliance=linkage, kind="jobs", amount=3)
    OutcomeFactory(sub_alliance=linkage, kind="jobs", amount=4)
    OutcomeFactory(sub_alliance=linkage, kind="contacts", amount=20)
    OutcomeFactory(kind="deals", amount=9)  # another partnership's
    with django_assert_num_queries(1):
        summary = [
            (t.label, t.currency, t.total, t.records, t.is_money)
            for t in selectors.outcomes_summary(world.partnership)
        ]
    assert summary == [
        ("Business contacts made", "", Decimal(20), 1, False),
        ("Export value", "SEK", Decimal(40), 1, True),
        ("Export value", "ZAR", Decimal(350), 2, True),
        ("Jobs created", "", Decimal(7), 2, False),
    ]
    with django_assert_num_queries(1):
        by_alliance = selectors.outcomes_by_sub_alliance(world.partnership)
    assert list(by_alliance) == [linkage.pk]
    assert [t.total for t in by_alliance[linkage.pk]] == [20, 40, 350, 7]
