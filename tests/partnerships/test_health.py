"""The health score: the pure scoring function, the set-based `health_for` over designed
partnerships (one per deduction, with its exact reason), the business-involvement provider
registry, and the query count (constant in the number of partnerships)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format
from hypothesis import given, settings
from hypothesis import strategies as st

from partnerships import health
from partnerships.health import Deduction, Health, health_for, score, stored
from partnerships.models import MOU, Partnership, Review, Step
from tests.factories.partnerships import (
    ActivityFactory,
    ChampionFactory,
    KPIFactory,
    MOUFactory,
    PartnershipFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def day(value: dt.date) -> str:
    return date_format(value, "j M Y")


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def ahead(days: int) -> dt.date:
    return TODAY + dt.timedelta(days=days)


@pytest.fixture
def involved(replace_hook):
    """A business-involvement provider, registered for the test: the ids in the set returned
    are the partnerships involving business. Records each call's ids."""
    state = {"ids": set(), "calls": []}

    def provider(ids):
        ids = list(ids)
        state["calls"].append(ids)
        return state["ids"] & set(ids)

    replace_hook("health.business_involvement", [provider])
    return state


@pytest.fixture
def no_provider(replace_hook):
    replace_hook("health.business_involvement", [])


# --- The pure function --------------------------------------------------------------------


def facts(**overrides):
    """The facts of a healthy partnership in implementation."""
    base = {
        "status": Partnership.Status.ACTIVE,
        "step": Step.IMPLEMENTATION,
        "step_entered_at": timezone.now() - dt.timedelta(days=400),
        "next_review_on": ahead(30),
        "last_activity_on": ago(10),
        "has_champion": True,
        "signed_mou_expires_on": ahead(900),
        "has_signed_mou": True,
        "expired_mou_on": None,
        "last_review_end": ago(60),
        "kpis_measured": 3,
        "kpis_off_target": 0,
        "business_involved": True,
    }
    return {**base, **overrides}


def test_a_healthy_partnership_scores_100_with_no_deduction():
    assert score(facts(), TODAY) == Health(score=100, deductions=[], not_assessed=[])


@pytest.mark.parametrize(
    "overrides, deduction",
    [
        (
            {"next_review_on": ago(1)},
            Deduction(20, f"Review overdue: it was due on {day(ago(1))}."),
        ),
        (
            {"kpis_measured": 4, "kpis_off_target": 1},
            Deduction(4, f"1 of 4 KPIs off target in the last review (to {day(ago(60))})."),
        ),
        (
            {"kpis_measured": 1, "kpis_off_target": 1},
            Deduction(15, f"1 of 1 KPI off target in the last review (to {day(ago(60))})."),
        ),
        (
            {"last_activity_on": ago(90)},
            Deduction(15, f"No activity in the last 90 days (the last on {day(ago(90))})."),
        ),
        (
            {"last_activity_on": None, "step_entered_at": timezone.now() - dt.timedelta(days=100)},
            Deduction(15, "No activity logged since implementation began."),
        ),
        (
            {"business_involved": False},
            Deduction(
                10,
                "No business involvement: no business sub-alliance and no accepted interest "
                "from business.",
            ),
        ),
        (
            {"signed_mou_expires_on": ahead(90)},
            Deduction(
                5,
                f"The MOU expires on {day(ahead(90))}, within 90 days: decide on its renewal.",
            ),
        ),
        (
            {"signed_mou_expires_on": ago(1)},
            Deduction(15, f"The signed MOU expired on {day(ago(1))}."),
        ),
        (
            {"signed_mou_expires_on": None, "has_signed_mou": False, "expired_mou_on": ago(30)},
            Deduction(15, f"The MOU expired on {day(ago(30))} and no new one is signed."),
        ),
        ({"has_champion": False}, Deduction(15, "No active champion.")),
        (
            {"step": Step.APPROACH, "step_entered_at": timezone.now() - dt.timedelta(days=181)},
            Deduction(10, "Stalled: in step 3 (Approach and evaluation) for 181 days."),
        ),
    ],
)
def test_each_deduction_with_its_points_and_reason(overrides, deduction):
    result = score(facts(**overrides), TODAY)
    assert result.deductions == [deduction]
    assert result.score == 100 - deduction.points


def test_thresholds_are_exclusive_where_the_words_say_so():
    # Activity 89 days ago is recent; an MOU 91 days from expiry is not yet "expiring";
    # 180 days in an early step is not yet a stall.
    assert score(facts(last_activity_on=ago(89)), TODAY).score == 100
    assert score(facts(signed_mou_expires_on=ahead(91)), TODAY).score == 100
    early = facts(step=Step.SEARCH, step_entered_at=timezone.now() - dt.timedelta(days=180))
    assert score(early, TODAY).score == 100


def test_checks_of_implementation_do_not_apply_before_it():
    early = facts(
        step=Step.PLANNING,
        step_entered_at=timezone.now() - dt.timedelta(days=5),
        last_activity_on=None,
        business_involved=False,
        signed_mou_expires_on=None,
        has_signed_mou=False,
        expired_mou_on=ago(10),
    )
    assert score(early, TODAY).score == 100


def test_every_deduction_at_once_floors_at_zero_and_lists_the_largest_first():
    worst = facts(
        next_review_on=ago(3),
        kpis_off_target=3,
        last_activity_on=None,
        step_entered_at=timezone.now() - dt.timedelta(days=100),
        business_involved=False,
        signed_mou_expires_on=ago(2),
        has_champion=False,
    )
    result = score(worst, TODAY)
    assert result.score == 100 - (20 + 15 + 15 + 10 + 15 + 15)
    assert [d.points for d in result.deductions] == [20, 15, 15, 15, 15, 10]
    assert result.band == "weak" and result.label == "Weak"


def test_without_a_provider_business_is_not_assessed_and_costs_nothing():
    result = score(facts(business_involved=None), TODAY)
    assert result.score == 100
    assert result.not_assessed == [health.BUSINESS_NOT_ASSESSED]


def test_finished_partnerships_are_not_scored():
    for status in (Partnership.Status.ENDED, Partnership.Status.ARCHIVED):
        result = score(facts(status=status, has_champion=False), TODAY)
        assert result.score is None and not result.scored and result.label == "Not scored"


def test_bands():
    assert Health(score=80).band == "healthy"
    assert Health(score=79).band == "at_risk"
    assert Health(score=50).band == "at_risk"
    assert Health(score=49).band == "weak"


def test_the_points_add_up_to_100():
    biggest_mou = max(health.MOU_EXPIRED_POINTS, health.MOU_EXPIRING_POINTS)
    assert (
        health.REVIEW_OVERDUE_POINTS
        + health.KPIS_OFF_TARGET_POINTS
        + health.NO_RECENT_ACTIVITY_POINTS
        + health.NO_BUSINESS_POINTS
        + biggest_mou
        + health.NO_CHAMPION_POINTS
        + health.STALLED_POINTS
        == 100
    )


# Each sign that is a matter of time: the facts with that sign lasting `days` (past its
# threshold), and its threshold.
def _stalled(days):
    return {"step": Step.APPROACH, "step_entered_at": timezone.now() - dt.timedelta(days=days)}


def _quiet(days):
    return {"last_activity_on": ago(days)}


def _quiet_since_implementation(days):
    return {"last_activity_on": None, "step_entered_at": timezone.now() - dt.timedelta(days=days)}


def _overdue(days):
    return {"next_review_on": ago(days)}


LASTING_SIGNS = [
    (_stalled, health.STALLED_DAYS + 1),
    (_quiet, health.QUIET_DAYS),
    (_quiet_since_implementation, health.QUIET_DAYS),
    (_overdue, 1),
]
LASTING_IDS = ["stalled", "quiet", "quiet since implementation", "review overdue"]


@pytest.mark.parametrize("sign, first_day", LASTING_SIGNS, ids=LASTING_IDS)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_a_sign_lasting_long_is_never_healthy_and_never_costs_less(sign, first_day, data):
    """The class of fault of "stalled 418 days, still Healthy 90": a sign's cost that does not
    grow with how long it lasts. Once a sign has lasted twice its threshold, it alone takes the
    partnership out of "Healthy"; and a sign never costs less for lasting longer."""
    days = data.draw(st.integers(min_value=first_day, max_value=5000), label="days")
    later = data.draw(st.integers(min_value=days, max_value=6000), label="later")
    now, then = score(facts(**sign(days)), TODAY), score(facts(**sign(later)), TODAY)
    assert len(now.deductions) == 1 and now.band != "weak"
    assert then.score <= now.score
    threshold = {
        _stalled: health.STALLED_DAYS,
        _quiet: health.QUIET_DAYS,
        _quiet_since_implementation: health.QUIET_DAYS,
        _overdue: health.REVIEW_ESCALATED_AFTER_DAYS,
    }[sign]
    if days >= health.LONG_STANDING_TIMES * threshold:
        assert now.band != "healthy", (days, now)


def test_stalled_418_days_is_not_healthy():
    result = score(facts(**_stalled(418)), TODAY)
    assert result.band == "at_risk"
    assert result.deductions == [
        Deduction(
            health.LONG_STANDING_POINTS,
            "Stalled: in step 3 (Approach and evaluation) for 418 days.",
        )
    ]


@pytest.mark.parametrize("days_in", range(0, health.IMPLEMENTATION_GRACE_DAYS + 2))
def test_implementation_has_a_grace_period_before_it_can_be_quiet(days_in):
    """Whatever the last activity (none, or long before implementation), a partnership that
    entered implementation fewer than IMPLEMENTATION_GRACE_DAYS ago is not quiet; from then
    on it is. Measurement (step 8) comes after implementation: no grace there."""
    entered = timezone.now() - dt.timedelta(days=days_in)
    for last in (None, ago(400)):
        result = score(facts(step_entered_at=entered, last_activity_on=last), TODAY)
        if days_in < health.IMPLEMENTATION_GRACE_DAYS:
            assert result.score == 100, (last, result)
        else:
            assert result.score < 100 and result.band != "weak", (last, result)
        later = facts(step=Step.MEASUREMENT, step_entered_at=entered, last_activity_on=last)
        assert score(later, TODAY).score < 100


def test_the_warning_signs_give_the_same_grace(involved):
    just_in = healthy("Just in implementation")
    just_in.activities.all().delete()
    Partnership.objects.filter(pk=just_in.pk).update(
        step_entered_at=timezone.now() - dt.timedelta(days=health.IMPLEMENTATION_GRACE_DAYS - 1)
    )
    past_grace = healthy("Past its grace")
    past_grace.activities.all().delete()
    Partnership.objects.filter(pk=past_grace.pk).update(
        step_entered_at=timezone.now() - dt.timedelta(days=health.IMPLEMENTATION_GRACE_DAYS)
    )
    KPIFactory(partnership=just_in)
    KPIFactory(partnership=past_grace)
    involved["ids"] = {just_in.pk, past_grace.pk}
    stored.refresh_stale(Partnership.objects.all(), TODAY)
    signs = {
        p.title: health.warning_reasons(p, TODAY)
        for p in health.with_warning_signs(Partnership.objects.all(), TODAY)
    }
    assert signs == {"Past its grace": ["No activity logged since implementation began."]}
    scores = health_for(Partnership.objects.all())
    assert scores[just_in.pk].score == 100
    assert reasons(scores[past_grace.pk]) == ["No activity logged since implementation began."]


# --- health_for over designed partnerships -------------------------------------------------


def healthy(title: str, step: int = Step.IMPLEMENTATION, **fields) -> Partnership:
    """A running partnership with nothing wrong: champion, recent activity, a signed MOU far
    from expiry, a review planned ahead."""
    p = PartnershipFactory(title=title, next_review_on=ahead(60), **fields)
    # In its step for 100 days: past implementation's grace, not yet stalled.
    Partnership.objects.filter(pk=p.pk).update(
        step=step, step_entered_at=timezone.now() - dt.timedelta(days=100)
    )
    ChampionFactory(partnership=p)
    ActivityFactory(partnership=p, occurred_on=ago(10))
    MOUFactory(partnership=p, effective_on=ago(300), signed_on=ago(300), expires_on=ahead(900))
    return p


def completed_review(p, period_end, off=0, on=0, status=Review.Status.COMPLETED):
    review = ReviewFactory(
        partnership=p,
        period_start=period_end - dt.timedelta(days=180),
        period_end=period_end,
        status=status,
    )
    for _ in range(off):
        kpi = KPIFactory(partnership=p, baseline=0, target=10)
        review.kpi_results.create(kpi=kpi, actual=4)
    for _ in range(on):
        kpi = KPIFactory(partnership=p, baseline=100, target=50)  # lower is better
        review.kpi_results.create(kpi=kpi, actual=40)
    return review


def reasons(result: Health) -> list[str]:
    return [d.reason for d in result.deductions]


def test_designed_partnerships_one_deduction_each(involved):
    ok = healthy("Healthy")
    overdue = healthy("Overdue")
    Partnership.objects.filter(pk=overdue.pk).update(next_review_on=ago(7))
    off_target = healthy("Off target")
    completed_review(off_target, ago(400), off=0, on=1)  # an older review: all on target
    completed_review(off_target, ago(30), off=1, on=2)  # the last completed one
    completed_review(off_target, ago(5), off=3, status=Review.Status.DRAFT)  # a draft: ignored
    quiet = healthy("Quiet")
    quiet.activities.update(occurred_on=ago(120))
    ActivityFactory(partnership=quiet, occurred_on=ahead(20))  # scheduled: not activity yet
    no_business = healthy("No business")
    expiring = healthy("Expiring")
    expiring.mous.update(expires_on=ahead(45))
    lapsed = healthy("Lapsed")
    lapsed.mous.update(expires_on=ago(3))
    expired = healthy("Expired")
    expired.mous.update(status=MOU.Status.EXPIRED, expires_on=ago(40))
    terminated_too = healthy("Renewed after a termination")
    MOUFactory(
        partnership=terminated_too, status=MOU.Status.TERMINATED, effective_on=ago(900)
    )  # a terminated MOU beside the signed one changes nothing
    orphan = healthy("No champion")
    orphan.champions.update(is_active=False)
    stalled = healthy("Stalled", step=Step.APPROACH)
    Partnership.objects.filter(pk=stalled.pk).update(
        step_entered_at=timezone.now() - dt.timedelta(days=200)
    )
    ended = healthy("Ended", status=Partnership.Status.ENDED)
    involved["ids"] = {
        p.pk for p in (ok, overdue, off_target, quiet, expiring, lapsed, expired, orphan, stalled)
    } | {terminated_too.pk, ended.pk}

    scores = health_for(Partnership.objects.all())
    by_title = {p.title: scores[p.pk] for p in Partnership.objects.all()}

    assert by_title["Healthy"] == Health(score=100)
    assert by_title["Renewed after a termination"] == Health(score=100)
    assert reasons(by_title["Overdue"]) == [f"Review overdue: it was due on {day(ago(7))}."]
    assert by_title["Overdue"].score == 80
    assert reasons(by_title["Off target"]) == [
        f"1 of 3 KPIs off target in the last review (to {day(ago(30))})."
    ]
    assert by_title["Off target"].score == 95
    assert reasons(by_title["Quiet"]) == [
        f"No activity in the last 90 days (the last on {day(ago(120))})."
    ]
    assert reasons(by_title["No business"]) == [
        "No business involvement: no business sub-alliance and no accepted interest from business."
    ]
    assert by_title["No business"].score == 90
    assert reasons(by_title["Expiring"]) == [
        f"The MOU expires on {day(ahead(45))}, within 90 days: decide on its renewal."
    ]
    assert reasons(by_title["Lapsed"]) == [f"The signed MOU expired on {day(ago(3))}."]
    assert reasons(by_title["Expired"]) == [
        f"The MOU expired on {day(ago(40))} and no new one is signed."
    ]
    assert reasons(by_title["No champion"]) == ["No active champion."]
    assert by_title["Stalled"].score == 90  # 200 days: not yet twice STALLED_DAYS
    assert reasons(by_title["Stalled"]) == [
        "Stalled: in step 3 (Approach and evaluation) for 200 days."
    ]
    assert by_title["Ended"].score is None
    # The provider is asked once, only about running partnerships from implementation on.
    assert len(involved["calls"]) == 1
    assert stalled.pk not in involved["calls"][0] and ended.pk not in involved["calls"][0]
    assert no_business.pk in involved["calls"][0]


def test_health_for_takes_ids_or_a_queryset(involved):
    p = healthy("Healthy")
    involved["ids"] = {p.pk}
    assert health_for([p.pk])[p.pk].score == 100
    assert health_for(Partnership.objects.filter(pk=p.pk))[p.pk].score == 100
    assert health_for([]) == {}


def test_without_a_provider_the_check_is_skipped_and_said(no_provider):
    p = healthy("Healthy")
    result = health_for([p.pk])[p.pk]
    assert result.score == 100
    assert result.not_assessed == [health.BUSINESS_NOT_ASSESSED]


def test_several_providers_are_united(replace_hook):
    a, b, c = healthy("A"), healthy("B"), healthy("C")
    replace_hook("health.business_involvement", [lambda ids: {a.pk}, lambda ids: {b.pk}])
    scores = health_for([a.pk, b.pk, c.pk])
    assert (scores[a.pk].score, scores[b.pk].score, scores[c.pk].score) == (100, 100, 90)


def test_attach_health_reads_the_annotations_of_a_page_query(involved):
    p = healthy("Healthy")
    involved["ids"] = {p.pk}
    Partnership.objects.filter(pk=p.pk).update(next_review_on=ago(1))
    rows = list(health.with_health_facts(Partnership.objects.all(), TODAY))
    with CaptureQueriesContext(connection) as ctx:
        health.attach_health(rows, TODAY)
    assert len(ctx.captured_queries) == 0  # the provider here asks no query
    assert rows[0].health == health_for([p.pk])[p.pk]
    assert rows[0].health.score == 80
    assert health.health_of(rows[0]) == rows[0].health


def make(n: int) -> list[int]:
    ids = []
    for i in range(n):
        p = healthy(f"P{i}")
        completed_review(p, ago(30), off=1, on=1)
        ChampionFactory(partnership=p, is_active=False)
        ids.append(p.pk)
    return ids


def test_health_for_asks_a_constant_number_of_queries(replace_hook):
    def provider(ids):
        # A provider asking one query of its own, as the businesses app's does.
        return set(
            Partnership.objects.filter(pk__in=list(ids), title__endswith="0").values_list(
                "pk", flat=True
            )
        )

    replace_hook("health.business_involvement", [provider])
    few = make(5)
    with CaptureQueriesContext(connection) as small:
        result_few = health_for(few)
    many = few + make(45)
    with CaptureQueriesContext(connection) as large:
        result_many = health_for(many)
    assert len(small.captured_queries) == len(large.captured_queries) == 2
    assert len(result_few) == 5 and len(result_many) == 50
    assert {h.score for h in result_many.values()} == {92, 82}
