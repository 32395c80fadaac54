"""The stored health (partnerships.health.stored): every write to a row the facts are read from
makes its partnership's row stale, a reader recomputes it (or the writer's commit does), the
day turns every row stale, a recomputation never stores what a concurrent write made old, and
what is stored is what is computed live."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import serializers
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from businesses.models import InterestRegistration
from partnerships import tasks
from partnerships.health import health_for, stored
from partnerships.models import MOU, HealthSummary, KPIResult, Partnership, Review, Step
from tests.factories.alliances import SubAllianceFactory
from tests.factories.businesses import InterestRegistrationFactory
from tests.factories.partnerships import (
    ActivityFactory,
    ChampionFactory,
    CityMembershipFactory,
    KPIFactory,
    MOUFactory,
    PartnerFactory,
    PartnershipFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def running(title: str = "Running", **fields) -> Partnership:
    """In implementation for 100 days (past its grace), championed, active 5 days ago."""
    p = PartnershipFactory(title=title, home=PartnerFactory(), **fields)
    Partnership.objects.filter(pk=p.pk).update(
        step=Step.IMPLEMENTATION, step_entered_at=timezone.now() - dt.timedelta(days=100)
    )
    ChampionFactory(partnership=p)
    ActivityFactory(partnership=p, occurred_on=TODAY - dt.timedelta(days=5))
    return p


def row(p: Partnership) -> HealthSummary:
    return HealthSummary.objects.get(partnership=p)


def is_stale(p: Partnership) -> bool:
    return stored.stale(Partnership.objects.filter(pk=p.pk), TODAY).exists()


def stored_health(p: Partnership):
    stored.refresh_stale(Partnership.objects.filter(pk=p.pk), TODAY)
    found = stored.with_summary(Partnership.objects.filter(pk=p.pk)).get()
    return stored.stored_health(found, TODAY)


def _add_activity(p):
    ActivityFactory(partnership=p, occurred_on=TODAY)


def _delete_activities(p):
    for activity in p.activities.all():
        activity.delete()


def _lose_champion(p):
    champion = p.champions.get()
    champion.is_active = False
    champion.save()


def _add_champion(p):
    ChampionFactory(partnership=p)


def _sign_mou_expiring(p):
    MOUFactory(partnership=p, status=MOU.Status.SIGNED, expires_on=TODAY + dt.timedelta(days=10))


def _expire_mou(p):
    mou = MOUFactory(partnership=p, status=MOU.Status.SIGNED, expires_on=TODAY - dt.timedelta(1))
    mou.status = MOU.Status.EXPIRED
    mou.save()


def _complete_review_off_target(p):
    kpi = KPIFactory(partnership=p, baseline=Decimal(0), target=Decimal(100), target_date=None)
    review = ReviewFactory(partnership=p, status=Review.Status.COMPLETED, completed_on=TODAY)
    KPIResult.objects.create(review=review, kpi=kpi, actual=Decimal(1))


def _change_a_kpi_result(p):
    result = KPIResult.objects.get(review__partnership=p)
    result.actual = Decimal(100)
    result.save()


def _overdue_review(p):
    p.next_review_on = TODAY - dt.timedelta(days=3)
    p.save()


def _business_sub_alliance(p):
    SubAllianceFactory(partnership=p, business=True)


def _accepted_interest(p):
    registration = InterestRegistrationFactory(partnership=p)
    registration.status = InterestRegistration.Status.ACCEPTED
    registration.decided_at = timezone.now()
    registration.save()


def _end_it(p):
    p.status = Partnership.Status.ENDED
    p.save()


WRITES = [
    _add_activity,
    _delete_activities,
    _lose_champion,
    _add_champion,
    _sign_mou_expiring,
    _expire_mou,
    _complete_review_off_target,
    _overdue_review,
    _business_sub_alliance,
    _accepted_interest,
]


@pytest.mark.parametrize("write", WRITES, ids=lambda w: w.__name__.strip("_"))
def test_a_write_to_any_fact_makes_the_row_stale_and_the_next_read_recomputes_it(write):
    p = running()
    assert stored_health(p) == health_for([p.pk], TODAY)[p.pk]
    assert not is_stale(p)
    write(p)
    assert is_stale(p), "the write did not mark the stored health"
    assert row(p).scored_on is None
    assert stored_health(p) == health_for([p.pk], TODAY)[p.pk]
    assert not is_stale(p)


def test_a_kpi_result_reaches_its_partnership_through_its_review():
    p = running()
    _complete_review_off_target(p)
    before = stored_health(p)
    assert before.score < 100
    _change_a_kpi_result(p)
    assert is_stale(p)
    assert stored_health(p) == health_for([p.pk], TODAY)[p.pk] != before


def test_each_write_changes_the_score_it_should():
    """The writes above are not idle: each changes the live health of a healthy partnership
    (else the test above would pass without the marking)."""
    for write in WRITES:
        p = running(write.__name__)
        before = health_for([p.pk], TODAY)[p.pk]
        write(p)
        after = health_for([p.pk], TODAY)[p.pk]
        if write in (_add_activity, _add_champion, _business_sub_alliance, _accepted_interest):
            continue  # already healthy on those counts: they stale the row, the score stays
        assert after != before, write.__name__


def test_an_ended_partnership_keeps_a_row_without_a_score():
    p = running()
    stored_health(p)
    _end_it(p)
    assert is_stale(p)
    assert stored.refresh_stale(Partnership.objects.all(), TODAY) == 1
    assert row(p).score is None and row(p).scored_on == TODAY
    assert not is_stale(p)


def test_the_writers_commit_recomputes_its_partnerships(django_capture_on_commit_callbacks):
    """One recomputation when the transaction commits, of every partnership it wrote: the
    next reader finds the rows current."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        p, other = running("P"), running("Other")
        _lose_champion(p)
    assert len(callbacks) == 1
    assert not is_stale(p) and not is_stale(other)
    assert row(p).score == health_for([p.pk], TODAY)[p.pk].score < row(other).score


def test_a_row_of_an_earlier_day_is_recomputed():
    p = running()
    stored_health(p)
    HealthSummary.objects.filter(partnership=p).update(scored_on=TODAY - dt.timedelta(days=1))
    assert is_stale(p)
    assert stored.refresh_stale(Partnership.objects.all(), TODAY) == 1
    assert row(p).scored_on == TODAY


def facts_as_read_before() -> dict:
    """Facts a recomputation read before the write (told apart by their 7 KPIs measured)."""
    facts = dict.fromkeys(stored.STORED_FACTS)
    facts.update(has_signed_mou=False, has_kpis=True, kpis_measured=7, kpis_off_target=0)
    facts.update(status="active", step=Step.IMPLEMENTATION, step_entered_at=None)
    facts.update(next_review_on=None, has_champion=True, business_involved=False)
    return facts


def test_a_recomputation_does_not_store_over_a_write_made_since_it_read():
    """The facts are read with the row's stamp; a write marks the row (stamp + 1) before the
    recomputation stores: the row stays stale for the next reader."""
    p = running()
    stored_health(p)
    HealthSummary.objects.filter(partnership=p).update(scored_on=None)
    read = list(stored._facts_query(TODAY, None).filter(pk=p.pk).values("pk", "h_stamp"))
    _lose_champion(p)  # a write lands between the read and the store
    stored._store(read, [facts_as_read_before()], TODAY, None)
    assert row(p).scored_on is None and row(p).kpis_measured != 7


def test_a_missing_row_written_meanwhile_is_not_stored_either():
    """A partnership without a row yet: the write creates one, marked; the recomputation that
    read before it does not store over it."""
    p = running()
    HealthSummary.objects.filter(partnership=p).delete()
    read = list(stored._facts_query(TODAY, None).filter(pk=p.pk).values("pk", "h_stamp"))
    assert read[0]["h_stamp"] == 0
    _lose_champion(p)
    stored._store(read, [facts_as_read_before()], TODAY, None)
    assert row(p).scored_on is None and row(p).kpis_measured != 7


def test_a_recomputation_asks_one_query_and_two_per_chunk_and_one_when_all_are_current(
    monkeypatch,
):
    monkeypatch.setattr(stored, "CHUNK", 3)
    for i in range(7):
        running(f"P{i}")
    everything = Partnership.objects.all()
    with CaptureQueriesContext(connection) as ctx:
        assert stored.refresh_stale(everything, TODAY) == 7
    providers = 2  # the businesses app's business involvement, read in the facts' query: 0
    assert len(ctx.captured_queries) <= 1 + 3 * 2 + providers * 3, ctx.captured_queries
    with CaptureQueriesContext(connection) as ctx:
        assert stored.refresh_stale(everything, TODAY) == 0
    assert len(ctx.captured_queries) == 1
    assert {r.score for r in HealthSummary.objects.all()} == {
        h.score for h in health_for(everything, TODAY).values()
    }


def test_the_nightly_task_and_the_command_recompute_every_row():
    ps = [running(f"P{i}") for i in range(3)]
    HealthSummary.objects.update(scored_on=TODAY - dt.timedelta(days=1))
    assert tasks.refresh_health() == 3
    assert all(row(p).scored_on == TODAY for p in ps)
    HealthSummary.objects.all().delete()
    call_command("refresh_health", verbosity=0)
    assert HealthSummary.objects.filter(scored_on=TODAY).count() == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statistics")
def test_the_nightly_task_leaves_the_planner_statistics_of_the_scores_it_wrote():
    """Planned on statistics from before the scores (all null), `score < 100` looked like one
    row; the task analyzes the table once it has rewritten it."""
    ps = [running(f"P{i}") for i in range(3)]
    HealthSummary.objects.update(scored_on=None, score=None)
    stored.analyze()
    assert _null_share_of_scores() == 1.0
    assert tasks.refresh_health() == 3
    assert _null_share_of_scores() == 0.0
    assert all(row(p).score is not None for p in ps)


def _null_share_of_scores() -> float:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT null_frac FROM pg_stats WHERE tablename = %s AND attname = 'score'",
            [HealthSummary._meta.db_table],
        )
        return cursor.fetchone()[0]


def test_every_partnership_has_a_row_from_its_first_save():
    p = PartnershipFactory()
    assert row(p).scored_on is None  # marked: computed when first read


def test_partnerships_inserted_without_signals_get_their_row_from_the_nightly_task():
    """The synthetic seed inserts in bulk: readers look for marked rows only (an index), so
    the nightly task first gives a row to any partnership without one."""
    built = PartnershipFactory.build_batch(3, step=Step.IMPLEMENTATION)
    Partnership.objects.bulk_create(built)
    assert not HealthSummary.objects.filter(partnership__in=built).exists()
    assert tasks.refresh_health() == 3
    assert HealthSummary.objects.filter(partnership__in=built, scored_on=TODAY).count() == 3


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_write_recomputes_at_once_and_a_delete_commits():
    """A write in autocommit (a shell, a task) recomputes its row at once. Deleting a
    partnership: its children's deletes mark the row, the partnership's own takes it, nothing
    left pointing at a deleted partnership when the transaction commits (checked then)."""
    p = running()
    _complete_review_off_target(p)
    _lose_champion(p)
    assert not is_stale(p)
    assert row(p).score == health_for([p.pk], TODAY)[p.pk].score
    p.delete()
    assert not HealthSummary.objects.exists()


def test_the_list_and_the_partnership_page_read_the_stored_health_and_recompute_a_stale_one(
    client,
):
    p = running()
    client.force_login(CityMembershipFactory(partner=p.members.get().partner).user)
    detail, listing = reverse("partnerships:detail", args=[p.pk]), reverse("partnerships:list")
    before = client.get(detail).context["health"]
    _lose_champion(p)  # marks the row; in a test its commit never recomputes it
    after = client.get(detail).context["health"]
    assert after == health_for([p.pk], TODAY)[p.pk] != before
    listed = {row.pk: row.health for row in client.get(listing).context["partnerships"]}
    assert listed == {p.pk: after}
    assert not is_stale(p)


def test_a_fixture_being_loaded_leaves_the_stored_rows_as_it_brings_them():
    """loaddata (the SQLite restore) saves rows raw: the backup holds the summaries as they
    were, so loading an activity must not mark its partnership's row (which then differed
    from the backup); a partnership the fixture brings no row for is computed when read."""
    p = running()
    stored_health(p)
    before = row(p)
    fixture = serializers.serialize("json", [ActivityFactory.build(partnership=p, pk=None)])
    for obj in serializers.deserialize("json", fixture):
        obj.save()  # raw, as loaddata does
    after = row(p)
    assert (after.stamp, after.scored_on) == (before.stamp, before.scored_on)
    assert not is_stale(p)
