"""The sub-alliance reads ask the same number of queries for 5 rows as for 50."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alliances import selectors, services
from alliances.models import Grouping, StartUpTask
from tests.factories.alliances import (
    ScorecardMeasureFactory,
    StrengthRecordFactory,
    SubAllianceFactory,
    SubAlliancePartyFactory,
)

pytestmark = pytest.mark.django_db


def add_sub_alliances(world, count):
    for _ in range(count):
        sub_alliance = SubAllianceFactory(partnership=world.partnership)
        SubAlliancePartyFactory(sub_alliance=sub_alliance, organisation=world.organisation("home"))
        SubAlliancePartyFactory(sub_alliance=sub_alliance, organisation=world.organisation("away"))
        StartUpTask.objects.create(sub_alliance=sub_alliance, kind="roles")
        ScorecardMeasureFactory(sub_alliance=sub_alliance, added_by_partner=world.home)


def read_list(partnership):
    with CaptureQueriesContext(connection) as ctx:
        rows = list(selectors.sub_alliances_of(partnership))
        shown = [
            (s.name, s.n_tasks, s.n_tasks_done, s.n_measures, [str(p) for p in s.parties.all()])
            for s in rows
        ]
    return len(ctx.captured_queries), shown


def test_the_list_of_sub_alliances_asks_two_queries_for_5_or_50(world):
    add_sub_alliances(world, 5)
    five, shown = read_list(world.partnership)
    assert len(shown) == 5
    assert shown[0][1:4] == (1, 0, 1)
    add_sub_alliances(world, 45)
    fifty, shown = read_list(world.partnership)
    assert len(shown) == 50
    assert five == fifty == 2


def test_a_sub_alliance_page_reads_everything_in_five_queries(world, django_assert_num_queries):
    sub_alliance = services.sub_alliance_create(
        partnership=world.partnership,
        user=None,
        name="Network",
        purpose="Learn together.",
        grouping=Grouping.GOVERNMENT,
        form="knowledge_network",
        organisations=[world.organisation("home"), world.organisation("away")],
    )
    for strength in range(1, 10):
        StrengthRecordFactory(sub_alliance=sub_alliance, strength=strength)
    for _ in range(10):
        ScorecardMeasureFactory(sub_alliance=sub_alliance, added_by_partner=world.away)
    with django_assert_num_queries(5):
        page = selectors.sub_alliance_for_page(sub_alliance.pk)
        assert len(page.startup_tasks.all()) == 5
        assert [str(p.partner) for p in page.parties.all()]
        assert [m.added_by_partner.name for m in page.scorecard.all()]
        assert [r.recorded_by for r in page.strength_records.all()]
        assert page.partnership.title


def test_organisations_of_the_member_cities(world, django_assert_num_queries):
    world.organisation("home", name="B", kind="business")
    world.organisation("away", name="A", kind="municipal")
    with django_assert_num_queries(2):
        names = [
            (o.partner.name, o.name, list(o.sectors.all()))
            for o in selectors.organisations_of([world.home.pk, world.away.pk])
        ]
    assert sorted(names) == [("Gqeberha", "B", []), ("Gävle", "A", [])]
