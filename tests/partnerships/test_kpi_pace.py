"""A KPI's pace (issue 19): a review expects the share of the target due by the end of its
period, not the whole target. The rule (`due_share`, `KPI.due_by`, `KPI.reached`), its SQL
twin in the health facts (they must agree case for case), and the health it changes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils import timezone

from partnerships.health import health_for
from partnerships.health.facts import OFF_TARGET
from partnerships.models import KPI, KPIResult, Review
from partnerships.models.planning import due_share
from tests.factories.partnerships import KPIFactory, PartnershipFactory, ReviewFactory

START = dt.date(2026, 1, 1)
TARGET_ON = dt.date(2027, 1, 1)  # 365 days after START


# --- The share ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "share"),
    [
        (dt.date(2025, 12, 1), Fraction(0)),  # the period ended before the KPI's start
        (START, Fraction(0)),
        (dt.date(2026, 1, 2), Fraction(1, 365)),
        (dt.date(2026, 7, 2), Fraction(182, 365)),
        (dt.date(2026, 12, 31), Fraction(364, 365)),
        (TARGET_ON, Fraction(1)),
        (dt.date(2028, 6, 1), Fraction(1)),  # after the target date: never more than all
    ],
)
def test_the_share_due_grows_with_time_and_is_clamped(on, share):
    assert due_share(START, TARGET_ON, on) == share


def test_without_a_target_date_the_whole_target_is_due():
    assert due_share(START, None, dt.date(2020, 1, 1)) == 1
    assert due_share(START, None, dt.date(2030, 1, 1)) == 1


def test_a_target_date_on_the_start_divides_by_nothing():
    assert due_share(START, START, dt.date(2025, 1, 1)) == 0
    assert due_share(START, START, START) == 1


def test_the_value_due_is_rounded_away_from_the_baseline():
    rising = KPI(baseline=0, target=40, start_date=START, target_date=TARGET_ON)
    # 40 × 182/365 = 19.945…: 19.95 is due; 19.94 falls short, 19.95 reaches it.
    assert rising.due_by(dt.date(2026, 7, 2)) == Decimal("19.95")
    assert not rising.reached(Decimal("19.94"), dt.date(2026, 7, 2))
    assert rising.reached(Decimal("19.95"), dt.date(2026, 7, 2))
    falling = KPI(baseline=100, target=60, start_date=START, target_date=TARGET_ON)
    # 100 − 40 × 182/365 = 80.054…: at most 80.05 is due.
    assert falling.due_by(dt.date(2026, 7, 2)) == Decimal("80.05")
    assert falling.reached(Decimal("80.05"), dt.date(2026, 7, 2))
    assert not falling.reached(Decimal("80.06"), dt.date(2026, 7, 2))
    assert falling.due_by(dt.date(2025, 1, 1)) == 100
    assert falling.due_by(dt.date(2030, 1, 1)) == 60


# --- The SQL count and the Python property agree -------------------------------------------

SPECS = {
    "rising": {"baseline": 0, "target": 40, "target_date": TARGET_ON},
    "falling": {"baseline": 100, "target": 60, "target_date": TARGET_ON},
    "rising, no date": {"baseline": 0, "target": 40, "target_date": None},
    "falling, no date": {"baseline": 100, "target": 60, "target_date": None},
    "due on its start": {"baseline": 5, "target": 9, "target_date": START},
    "flat": {"baseline": 7, "target": 7, "target_date": TARGET_ON},
}
PERIOD_ENDS = [
    dt.date(2025, 12, 1),  # before the start
    START,
    dt.date(2026, 7, 2),
    dt.date(2026, 12, 31),
    TARGET_ON,
    dt.date(2028, 6, 1),
]


@pytest.mark.django_db
def test_the_health_count_agrees_with_the_property_case_for_case():
    partnership = PartnershipFactory()
    results = []
    for end in PERIOD_ENDS:
        review = ReviewFactory(partnership=partnership, period_start=end, period_end=end)
        for label, spec in SPECS.items():
            kpi = KPI(start_date=START, **spec)
            due = kpi.due_by(end)
            around = (due - Decimal("0.01"), due, due + Decimal("0.01"), Decimal(0))
            for actual in sorted({a.quantize(Decimal("0.01")) for a in around}):
                kpi = KPIFactory(
                    partnership=partnership,
                    name=f"{label} {end} {actual}",
                    start_date=START,
                    **spec,
                )
                results.append(KPIResult(review=review, kpi=kpi, actual=actual))
    KPIResult.objects.bulk_create(results)

    read = KPIResult.objects.filter(review__partnership=partnership).select_related("kpi", "review")
    off_in_python = {r.pk for r in read if not r.on_target}
    off_in_sql = set(read.filter(OFF_TARGET).values_list("pk", flat=True))
    assert off_in_sql == off_in_python
    # Both sides of each line are there: the agreement is not that of an empty set.
    assert 0 < len(off_in_python) < len(results)
    verdicts = {(r.kpi.name, r.on_target) for r in read}
    assert ("rising 2026-07-02 19.95", True) in verdicts
    assert ("rising 2026-07-02 19.94", False) in verdicts
    assert ("falling 2026-07-02 80.06", False) in verdicts
    assert ("rising, no date 2025-12-01 39.99", False) in verdicts
    assert ("rising 2025-12-01 0.00", True) in verdicts


# --- The health of a first review -----------------------------------------------------------


@pytest.mark.django_db
def test_a_first_review_on_pace_no_longer_reads_off_target():
    today = timezone.localdate()
    on_pace = PartnershipFactory(title="On pace")
    old_kind = PartnershipFactory(title="No target date")
    for p, target_date in ((on_pace, today + dt.timedelta(days=540)), (old_kind, None)):
        # Agreed 180 days ago, 40 visits in two years: 10 are due after the first 180 days.
        kpi = KPIFactory(
            partnership=p,
            baseline=0,
            target=40,
            start_date=today - dt.timedelta(days=180),
            target_date=target_date,
        )
        review = ReviewFactory(
            partnership=p,
            period_start=today - dt.timedelta(days=180),
            period_end=today,
            status=Review.Status.COMPLETED,
        )
        review.kpi_results.create(kpi=kpi, actual=12)

    scores = health_for([on_pace.pk, old_kind.pk])
    assert not [d for d in scores[on_pace.pk].deductions if "off target" in d.reason]
    assert [d.points for d in scores[old_kind.pk].deductions if "off target" in d.reason] == [15]
