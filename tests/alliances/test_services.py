"""Sub-alliances formed and kept through the services: what they record, and what they refuse."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from alliances import services
from alliances.models import (
    Grouping,
    Organisation,
    StartUpTask,
    StrengthRecord,
    SubAlliance,
)
from core.errors import DomainError
from partnerships.models import Activity, Partnership
from tests.factories.accounts import UserFactory
from tests.factories.alliances import OrganisationFactory

pytestmark = pytest.mark.django_db


def form_network(world, user=None, **overrides):
    fields = {
        "partnership": world.partnership,
        "user": user or world.home_officer,
        "name": "Water utilities network",
        "purpose": "Share know-how on reducing water losses.",
        "grouping": Grouping.GOVERNMENT,
        "form": SubAlliance.Form.KNOWLEDGE_NETWORK,
        "strength": 4,
        "started_on": dt.date(2025, 2, 1),
    }
    fields.update(overrides)
    if "organisations" not in fields:
        fields["organisations"] = [
            world.organisation("home", name="Gqeberha Water"),
            world.organisation("away", name="Gästrike Vatten"),
        ]
    return services.sub_alliance_create(**fields)


def test_forming_a_sub_alliance_records_its_parties_tasks_history_and_activity(world):
    sub_alliance = form_network(world)

    parties = {(p.organisation.name, p.partner.name) for p in sub_alliance.parties.all()}
    assert parties == {("Gqeberha Water", "Gqeberha"), ("Gästrike Vatten", "Gävle")}
    assert list(sub_alliance.startup_tasks.values_list("kind", "done")) == [
        ("relationship_history", False),
        ("mandates_cultures", False),
        ("roles", False),
        ("operational_challenges", False),
        ("monitoring_framework", False),
    ]
    assert list(sub_alliance.strength_records.values_list("previous", "strength")) == [(None, 4)]
    activity = Activity.objects.get(partnership=world.partnership)
    assert activity.kind == Activity.Kind.SUB_ALLIANCE_FORMED
    assert activity.title == "Sub-alliance formed: Water utilities network"
    assert activity.occurred_on == dt.date(2025, 2, 1)
    assert activity.created_by == world.home_officer


def test_the_other_sides_officer_may_form_one_too(world):
    assert form_network(world, user=world.away_officer).created_by == world.away_officer


def test_an_officer_of_another_city_may_not(world):
    with pytest.raises(DomainError, match="Only officers of the partner cities"):
        form_network(world, user=world.stranger_officer)
    assert not SubAlliance.objects.exists()


def test_a_chamber_or_plain_user_may_not(world):
    with pytest.raises(DomainError):
        form_network(world, user=UserFactory())


def test_both_sides_must_take_part(world):
    with pytest.raises(DomainError, match="organisations of both sides"):
        form_network(
            world,
            organisations=[world.organisation("home"), world.organisation("home")],
        )
    assert not SubAlliance.objects.exists()
    assert not Activity.objects.exists()


def test_every_party_belongs_to_a_member_city(world):
    outsider = OrganisationFactory(partner=world.third, name="Limpopo Water")
    with pytest.raises(DomainError) as refused:
        form_network(
            world,
            organisations=[world.organisation("home"), world.organisation("away"), outsider],
        )
    assert refused.value.message == (
        "Limpopo Water belongs to Polokwane, which is not a member of this partnership."
    )


def test_the_parties_fit_the_grouping(world):
    with pytest.raises(DomainError) as refused:
        form_network(
            world,
            grouping=Grouping.BUSINESS,
            linkage_scope="bilateral",
            linkage_locus="external",
            linkage_direction="vertical",
        )
    assert refused.value.message == (
        "Gqeberha Water is a municipal department, not business: choose the grouping “Mixed”."
    )


def test_a_donor_agency_fits_any_grouping_and_mixed_takes_anyone(world):
    donor = world.organisation("away", kind=Organisation.Kind.DONOR, name="Sida")
    form_network(
        world, organisations=[world.organisation("home"), donor], name="Donor-backed network"
    )
    business = world.organisation("away", kind=Organisation.Kind.BUSINESS)
    form_network(
        world,
        grouping=Grouping.MIXED,
        organisations=[world.organisation("home"), business],
        name="Mixed",
    )


def test_a_bilateral_linkage_has_exactly_two_parties(world):
    firms = [
        world.organisation("home", kind="business"),
        world.organisation("away", kind="business"),
        world.organisation("away", kind="business"),
    ]
    with pytest.raises(DomainError, match="exactly two organisations, not 3"):
        form_network(
            world,
            grouping=Grouping.BUSINESS,
            organisations=firms,
            linkage_scope="bilateral",
            linkage_locus="external",
            linkage_direction="vertical",
        )
    with pytest.raises(DomainError, match="three or more"):
        form_network(
            world,
            grouping=Grouping.BUSINESS,
            organisations=firms[:2],
            linkage_scope="multilateral",
            linkage_locus="external",
            linkage_direction="vertical",
        )


def test_a_business_sub_alliance_without_its_linkage_type_is_a_field_error(world):
    firms = [
        world.organisation("home", kind="business"),
        world.organisation("away", kind="business"),
    ]
    with pytest.raises(ValidationError) as error:
        form_network(world, grouping=Grouping.BUSINESS, organisations=firms)
    assert set(error.value.message_dict) == {"linkage_scope", "linkage_locus", "linkage_direction"}


def test_an_ended_partnership_forms_no_sub_alliances(world):
    Partnership.objects.filter(pk=world.partnership.pk).update(status=Partnership.Status.ENDED)
    world.partnership.refresh_from_db()
    with pytest.raises(DomainError, match="is ended: it forms no new sub-alliances"):
        form_network(world)


def test_setting_the_strength_keeps_its_history(world):
    sub_alliance = form_network(world)
    first = services.sub_alliance_set_strength(
        sub_alliance=sub_alliance, strength=6, user=world.home_officer, note="Joint bid won."
    )
    second = services.sub_alliance_set_strength(
        sub_alliance=sub_alliance, strength=8, user=world.away_officer
    )
    assert (first.previous, first.strength, first.note) == (4, 6, "Joint bid won.")
    assert (second.previous, second.strength, second.recorded_by) == (6, 8, world.away_officer)
    sub_alliance.refresh_from_db()
    assert sub_alliance.strength == 8
    assert sub_alliance.strength_records.count() == 3


def test_setting_the_same_strength_records_nothing(world):
    sub_alliance = form_network(world)
    assert (
        services.sub_alliance_set_strength(
            sub_alliance=sub_alliance, strength=4, user=world.home_officer
        )
        is None
    )
    assert StrengthRecord.objects.count() == 1


@pytest.mark.parametrize("strength", [-1, 11])
def test_strength_outside_0_to_10_is_refused(world, strength):
    sub_alliance = form_network(world)
    with pytest.raises(DomainError, match="runs from 0 to 10"):
        services.sub_alliance_set_strength(
            sub_alliance=sub_alliance, strength=strength, user=world.home_officer
        )


def test_only_the_partner_cities_officers_set_the_strength(world):
    sub_alliance = form_network(world)
    with pytest.raises(DomainError):
        services.sub_alliance_set_strength(
            sub_alliance=sub_alliance, strength=9, user=world.stranger_officer
        )
    sub_alliance.refresh_from_db()
    assert sub_alliance.strength == 4


def test_ticking_a_start_up_task_dates_it_and_unticking_clears_the_date(world):
    task = form_network(world).startup_tasks.get(kind=StartUpTask.Kind.ROLES)
    task = services.startup_task_update(
        task=task, user=world.home_officer, done=True, notes="Focal persons named."
    )
    assert task.done and task.done_on is not None and task.notes == "Focal persons named."
    task = services.startup_task_update(task=task, user=world.home_officer, done=False)
    assert not task.done and task.done_on is None


def test_each_side_adds_its_own_scorecard_measures(world):
    sub_alliance = form_network(world)
    ours = services.scorecard_measure_add(
        sub_alliance=sub_alliance,
        user=world.home_officer,
        side=world.home,
        dimension="effectiveness",
        name="Water losses reduced",
        unit="%",
        target=Decimal("10"),
    )
    theirs = services.scorecard_measure_add(
        sub_alliance=sub_alliance,
        user=world.away_officer,
        side=world.away,
        dimension="efficiency",
        name="Meetings held on time",
        unit="%",
        target=Decimal("90"),
    )
    assert {m.added_by_partner for m in (ours, theirs)} == {world.home, world.away}
    with pytest.raises(DomainError, match="Only officers of Gävle may add its measures"):
        services.scorecard_measure_add(
            sub_alliance=sub_alliance,
            user=world.home_officer,
            side=world.away,
            dimension="efficiency",
            name="Reports",
            unit="reports",
        )
    with pytest.raises(DomainError, match="Polokwane is not a side of this sub-alliance"):
        services.scorecard_measure_add(
            sub_alliance=sub_alliance,
            user=None,
            side=world.third,
            dimension="efficiency",
            name="Reports",
            unit="reports",
        )


def test_a_side_keeps_its_own_measures_up_to_date(world):
    sub_alliance = form_network(world)
    measure = services.scorecard_measure_add(
        sub_alliance=sub_alliance,
        user=world.home_officer,
        side=world.home,
        dimension="effectiveness",
        name="Water losses reduced",
        unit="%",
    )
    updated = services.scorecard_measure_update(
        measure=measure, user=world.home_officer, actual=Decimal("7.5")
    )
    assert updated.actual == Decimal("7.5")
    with pytest.raises(DomainError, match="belongs to Gqeberha: only its officers"):
        services.scorecard_measure_update(measure=measure, user=world.away_officer, actual=1)
    with pytest.raises(DomainError, match="cannot be changed here: added_by_partner"):
        services.scorecard_measure_update(
            measure=measure, user=world.home_officer, added_by_partner=world.away
        )


def test_ending_a_sub_alliance_dates_its_end(world):
    sub_alliance = services.sub_alliance_update(
        sub_alliance=form_network(world), user=world.home_officer, status=SubAlliance.Status.ENDED
    )
    assert sub_alliance.ended_on is not None


def test_the_strength_is_not_changed_by_an_update(world):
    with pytest.raises(DomainError, match="cannot be changed here: strength"):
        services.sub_alliance_update(
            sub_alliance=form_network(world), user=world.home_officer, strength=9
        )


def test_parties_may_join_and_leave_while_both_sides_remain(world):
    sub_alliance = form_network(world)
    extra = world.organisation("away", name="Gävle University", kind="education")
    with pytest.raises(DomainError, match="choose the grouping “Mixed”"):
        services.sub_alliance_add_party(
            sub_alliance=sub_alliance, organisation=extra, user=world.away_officer
        )
    sub_alliance = services.sub_alliance_update(
        sub_alliance=sub_alliance, user=world.away_officer, grouping=Grouping.MIXED
    )
    services.sub_alliance_add_party(
        sub_alliance=sub_alliance, organisation=extra, user=world.away_officer, role="research"
    )
    with pytest.raises(DomainError, match="already a party"):
        services.sub_alliance_add_party(
            sub_alliance=sub_alliance, organisation=extra, user=world.away_officer
        )
    home_party = sub_alliance.parties.get(partner=world.home)
    with pytest.raises(DomainError, match="both sides"):
        services.sub_alliance_remove_party(party=home_party, user=world.home_officer)
    services.sub_alliance_remove_party(
        party=sub_alliance.parties.get(organisation=extra), user=world.home_officer
    )
    assert sub_alliance.parties.count() == 2


def test_officers_add_organisations_of_their_own_city_only(world):
    organisation = services.organisation_create(
        user=world.home_officer,
        partner=world.home,
        kind=Organisation.Kind.CIVIL_SOCIETY,
        name="Masifunde",
    )
    assert organisation.created_by == world.home_officer
    with pytest.raises(DomainError, match="Only officers of Gävle"):
        services.organisation_create(
            user=world.home_officer, partner=world.away, kind="municipal", name="Gävle Kommun"
        )
    with pytest.raises(DomainError, match="may not change this organisation"):
        services.organisation_update(
            organisation=organisation, user=world.away_officer, description="x"
        )
    with pytest.raises(DomainError, match="cannot be changed here: partner"):
        services.organisation_update(
            organisation=organisation, user=world.home_officer, partner=world.away
        )


def test_the_migration_empties_only_zeros_never_assessed(world):
    """alliances 0003 (issue 19): a 0 whose strength history never held another value was the
    old default, not an assessment; every other value, and every record, is kept."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("alliances.migrations.0003_strength_not_assessed")
    organisations = [
        world.organisation("home", name="Gqeberha Water"),
        world.organisation("away", name="Gästrike Vatten"),
    ]

    def formed(name, strength):
        return form_network(world, name=name, strength=strength, organisations=organisations)

    never = formed("Never assessed", 0)
    back = formed("Assessed, then none", 0)
    services.sub_alliance_set_strength(sub_alliance=back, strength=5, user=world.home_officer)
    services.sub_alliance_set_strength(sub_alliance=back, strength=0, user=world.home_officer)
    kept = formed("Assessed 6", 6)
    records = StrengthRecord.objects.count()

    migration.unassessed_zeros_to_null(apps, None)
    strengths = dict(SubAlliance.objects.values_list("name", "strength"))
    assert strengths == {never.name: None, back.name: 0, kept.name: 6}
    assert StrengthRecord.objects.count() == records
    migration.null_to_zero(apps, None)
    assert not SubAlliance.objects.filter(strength__isnull=True).exists()


def test_a_sub_alliance_formed_without_a_strength_has_no_history_yet(world):
    sub_alliance = form_network(world, strength=None)
    assert sub_alliance.strength is None and not sub_alliance.strength_records.exists()
    record = services.sub_alliance_set_strength(
        sub_alliance=sub_alliance, strength=2, user=world.home_officer
    )
    assert (record.previous, record.strength) == (None, 2)
