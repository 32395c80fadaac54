"""Each rule of the organisation and sub-alliance models gives a clear error, and the database
refuses what must never be stored."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from alliances.models import Grouping, Organisation, StartUpTask, SubAlliance, SubAllianceParty
from tests.factories.alliances import (
    OrganisationFactory,
    ScorecardMeasureFactory,
    StartUpTaskFactory,
    SubAllianceFactory,
)
from tests.factories.partnerships import PartnerFactory

pytestmark = pytest.mark.django_db


def errors_of(obj) -> dict:
    with pytest.raises(ValidationError) as error:
        obj.full_clean()
    return error.value.message_dict


def test_an_organisation_name_is_unique_per_city_whatever_its_case():
    first = OrganisationFactory(name="Nelson Mandela Bay Business Chamber")
    twin = Organisation(
        kind=Organisation.Kind.CHAMBER,
        name="  nelson mandela   BAY business chamber ",
        partner=first.partner,
    )
    assert errors_of(twin) == {
        "__all__": ["An organisation of this name already exists in this city."]
    }
    assert twin.name == "nelson mandela BAY business chamber"  # spaces normalised by clean()


def test_the_database_refuses_the_same_organisation_twice_in_a_city():
    first = OrganisationFactory(name="Acme Foods")
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(kind="business", name="ACME FOODS", partner=first.partner)


def test_the_same_name_in_another_city_is_another_organisation():
    OrganisationFactory(name="Acme Foods")
    other = Organisation(kind="business", name="Acme Foods", partner=PartnerFactory())
    other.full_clean()


def test_a_blank_organisation_name_is_a_field_error():
    assert errors_of(Organisation(kind="business", name="   ", partner=PartnerFactory())) == {
        "name": ["Give the organisation's name."]
    }


@pytest.mark.parametrize(
    ("kind", "grouping"),
    [
        ("municipal", Grouping.GOVERNMENT),
        ("civil_society", Grouping.CIVIL_SOCIETY),
        ("education", Grouping.CIVIL_SOCIETY),
        ("business", Grouping.BUSINESS),
        ("chamber", Grouping.BUSINESS),
        ("donor", None),
    ],
)
def test_each_kind_of_organisation_belongs_to_a_grouping(kind, grouping):
    assert Organisation(kind=kind).grouping == grouping


@pytest.mark.parametrize("strength", [-1, 11])
def test_strength_outside_0_to_10_is_a_field_error(strength):
    sub_alliance = SubAllianceFactory.build(partnership=SubAllianceFactory().partnership)
    sub_alliance.strength = strength
    assert "strength" in errors_of(sub_alliance)


def test_the_database_refuses_strength_above_10():
    sub_alliance = SubAllianceFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        SubAlliance.objects.filter(pk=sub_alliance.pk).update(strength=11)


def test_a_business_sub_alliance_needs_its_linkage_type():
    sub_alliance = SubAllianceFactory.build(
        partnership=SubAllianceFactory().partnership, grouping=Grouping.BUSINESS
    )
    message = ["A business sub-alliance needs its linkage type."]
    assert errors_of(sub_alliance) == {
        "linkage_scope": message,
        "linkage_locus": message,
        "linkage_direction": message,
    }


def test_only_business_sub_alliances_have_a_linkage_type():
    sub_alliance = SubAllianceFactory.build(
        partnership=SubAllianceFactory().partnership,
        grouping=Grouping.GOVERNMENT,
        linkage_direction=SubAlliance.LinkageDirection.VERTICAL,
    )
    assert errors_of(sub_alliance) == {
        "linkage_direction": ["Only business sub-alliances have a linkage type."]
    }


def test_the_database_refuses_a_linkage_type_outside_business():
    with pytest.raises(IntegrityError), transaction.atomic():
        SubAllianceFactory(grouping=Grouping.CIVIL_SOCIETY, linkage_direction="horizontal")


def test_a_sub_alliance_cannot_end_before_it_started():
    sub_alliance = SubAllianceFactory.build(
        partnership=SubAllianceFactory().partnership,
        status=SubAlliance.Status.ENDED,
        started_on=dt.date(2025, 5, 1),
        ended_on=dt.date(2025, 4, 1),
    )
    assert errors_of(sub_alliance) == {"ended_on": ["A sub-alliance cannot end before it started."]}
    with pytest.raises(IntegrityError), transaction.atomic():
        SubAllianceFactory(started_on=dt.date(2025, 5, 1), ended_on=dt.date(2025, 4, 1))


def test_an_ended_sub_alliance_has_its_end_date_and_only_an_ended_one():
    partnership = SubAllianceFactory().partnership
    ended = SubAllianceFactory.build(partnership=partnership, status=SubAlliance.Status.ENDED)
    assert errors_of(ended) == {"ended_on": ["Give the date the sub-alliance ended."]}
    active = SubAllianceFactory.build(
        partnership=partnership, status=SubAlliance.Status.ACTIVE, ended_on=dt.date(2025, 1, 1)
    )
    assert errors_of(active) == {"ended_on": ["Only an ended sub-alliance has an end date."]}


def test_sub_alliance_names_are_unique_in_a_partnership():
    first = SubAllianceFactory(name="Water utilities network")
    twin = SubAllianceFactory.build(partnership=first.partnership, name="WATER utilities network")
    assert errors_of(twin) == {
        "__all__": ["This partnership already has a sub-alliance of this name."]
    }


@pytest.mark.parametrize(
    ("strength", "band"),
    [(None, "Not assessed yet"), (0, "None"), (4, "Vendor"), (7, "Supplier"), (8, "Partner")],
)
def test_strength_bands_follow_lendrums_scale(strength, band):
    assert SubAlliance(strength=strength).strength_band == band


def test_a_party_takes_part_on_its_own_citys_side():
    party = SubAllianceParty(
        sub_alliance=SubAllianceFactory(),
        organisation=OrganisationFactory(),
        partner=PartnerFactory(),
    )
    assert errors_of(party) == {"partner": ["An organisation takes part on its city's side."]}


def test_a_task_is_done_exactly_when_it_has_a_completion_date():
    task = StartUpTaskFactory.build(sub_alliance=SubAllianceFactory(), done=True)
    assert errors_of(task) == {"done_on": ["Give the date the task was done."]}
    task = StartUpTaskFactory.build(
        sub_alliance=SubAllianceFactory(), done=False, done_on=dt.date(2025, 1, 1)
    )
    assert errors_of(task) == {"done_on": ["Only a task that is done has a completion date."]}
    with pytest.raises(IntegrityError), transaction.atomic():
        StartUpTask.objects.create(sub_alliance=SubAllianceFactory(), kind="roles", done=True)


def test_a_scorecard_measure_name_is_unique_in_its_scorecard():
    first = ScorecardMeasureFactory(name="Meetings held")
    twin = ScorecardMeasureFactory.build(
        sub_alliance=first.sub_alliance,
        added_by_partner=first.added_by_partner,
        name="meetings HELD",
    )
    assert errors_of(twin) == {"__all__": ["The scorecard already has a measure of this name."]}


def test_a_scorecard_measure_needs_a_unit():
    measure = ScorecardMeasureFactory.build(
        sub_alliance=SubAllianceFactory(), added_by_partner=PartnerFactory(), unit="  "
    )
    assert errors_of(measure) == {"unit": ["Give the unit the measure is counted in."]}
