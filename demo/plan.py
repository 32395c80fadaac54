"""The demo's story, decided before anything is written: when each partnership entered each
step and what state it is in (stalled, quiet, review overdue, MOU expiring…).

All variation comes from `random.Random(SEED)`, drawn in the same order on every run, so two
loads on the same day give the same data. Dates are relative to today.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
from dataclasses import dataclass, field

from partnerships.models import Partnership, Step

SEED = 2026
DAY = dt.timedelta(days=1)


# --- Dates ----------------------------------------------------------------------------------


def add_months(d: dt.date, months: int) -> dt.date:
    index = d.month - 1 + months
    year, month = d.year + index // 12, index % 12 + 1
    return d.replace(year=year, month=month, day=min(d.day, calendar.monthrange(year, month)[1]))


def add_years(d: dt.date, years: int) -> dt.date:
    return add_months(d, 12 * years)


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    if end <= start:
        return start
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


# --- The plan: every random choice, made before touching the database ------------------------


@dataclass
class PartnershipPlan:
    """The story of one partnership: when it entered each step and what state it is in."""

    entry: dict
    rng: random.Random
    entered: dict[int, dt.date] = field(default_factory=dict)
    cadence: int = Partnership.Cadence.YEARLY
    stalled: bool = False
    published: bool = False
    quiet: bool = False  # no activity in the last 90 days although active
    review_overdue: bool = False
    gate_met: bool = True  # whether the current step's own artefacts are complete
    mou_state: str = ""  # "draft" or "signed" for the MOU in force or under negotiation
    mou_effective: dt.date | None = None
    mou_expires: dt.date | None = None
    mou_signed: dt.date | None = None
    review_period: tuple[dt.date, dt.date] | None = None
    review_completed: dt.date | None = None
    next_review_on: dt.date | None = None
    stopped_on: dt.date | None = None  # paused or ended on: activities stop there

    @property
    def step(self) -> int:
        return self.entry["step"]

    @property
    def established(self) -> dt.date | None:
        return self.entry["established"]

    def window(self, step: int, today: dt.date) -> tuple[dt.date, dt.date]:
        """The days the partnership spent in `step` (to today for the current one)."""
        start = self.entered[step]
        if step + 1 in self.entered:
            return start, self.entered[step + 1] - DAY
        return start, min(self.stopped_on or today, today)


@dataclass
class DemoPlan:
    partnerships: list[PartnershipPlan]
    strategy_approved: dict[str, dt.date]


def make_plan(entries: list[dict], today: dt.date) -> DemoPlan:
    """Decide everything random, in a fixed order, from `random.Random(SEED)`.
    `entries` are the partnerships of the dataset (`demo.dataset`), in their order."""
    rng = random.Random(SEED)

    def pick(pool: list[dict], k: int) -> set[str]:
        return {e["title"] for e in rng.sample(pool, min(k, len(pool)))}

    running = [e for e in entries if e["step"] >= 7 and e["status"] == "active"]
    expiring = pick(running, 2)
    expired = pick([e for e in running if e["title"] not in expiring], 1)
    quiet = pick([e for e in running if e["title"] not in expiring | expired], 1)
    overdue = pick(running, max(1, len(running) // 3))
    agreed = [e for e in entries if e["step"] >= 6]
    published = pick(agreed, round(len(agreed) / 2))
    walking = [e for e in entries if 2 <= e["step"] <= 6 and e["status"] == "active"]
    stalled = pick(walking, len(walking) // 3) | {
        e["title"] for e in entries if e["status"] == "paused" and e["step"] <= 6
    }

    plans = []
    for entry in entries:
        title = entry["title"]
        plan = PartnershipPlan(entry=entry, rng=random.Random(rng.getrandbits(64)))
        plan.published = title in published
        plan.quiet = title in quiet
        plan.review_overdue = title in overdue
        plan.stalled = title in stalled
        _plan_dates(plan, today, expiring=title in expiring, expired=title in expired)
        plans.append(plan)

    approved = {}
    for plan in plans:
        home = plan.entry["home"]
        first = plan.entered[1] - days(rng.randint(14, 120))
        approved[home] = min(approved.get(home, first), first)
    return DemoPlan(partnerships=plans, strategy_approved=approved)


def _plan_dates(plan: PartnershipPlan, today: dt.date, *, expiring: bool, expired: bool) -> None:
    r, step, status = plan.rng, plan.step, plan.entry["status"]
    if step >= Step.PLANNING:
        choices = (3, 6, 12) if step == Step.MEASUREMENT else (6, 12, 12, 24)
        plan.cadence = r.choice(choices)
    cadence_days = plan.cadence * 30

    if step == Step.MEASUREMENT:
        if status == "ended":
            period_end = today - days(r.randint(200, 500))
        elif plan.review_overdue:
            period_end = add_months(today - days(r.randint(10, 90)), -plan.cadence)
        else:
            period_end = today - days(r.randint(15, max(16, cadence_days - 45)))
        period_start = add_months(period_end, -plan.cadence)
        plan.review_period = (period_start, period_end)
        plan.review_completed = min(period_end + days(r.randint(7, 30)), today)
        plan.entered[8] = period_end - days(r.randint(0, 14))
        if status == "ended":
            plan.stopped_on = plan.review_completed
        else:
            plan.next_review_on = add_months(period_end, plan.cadence)

    if step >= Step.IMPLEMENTATION:
        plan.mou_state = "signed"
        term = r.choice((3, 4, 5))
        if expiring or expired:
            plan.mou_expires = (
                today + days(r.randint(20, 80)) if expiring else today - days(r.randint(20, 60))
            )
            plan.mou_effective = add_years(plan.mou_expires, -term)
        else:
            latest = today - days(300)
            if plan.review_period:
                latest = min(latest, plan.review_period[0] - days(30))
            plan.mou_effective = latest - days(r.randint(0, 300 if plan.review_period else 600))
            terms = [3, 4, 5]
            r.shuffle(terms)
            term = next(
                (t for t in terms if add_years(plan.mou_effective, t) >= today + days(150)), 5
            )
            plan.mou_expires = add_years(plan.mou_effective, term)
        plan.mou_signed = plan.mou_effective
        plan.entered[7] = plan.mou_effective + days(r.randint(1, 14))
        if step == Step.IMPLEMENTATION:
            if status == "paused":
                plan.stopped_on = max(plan.entered[7] + days(60), today - days(r.randint(120, 300)))
            plan.next_review_on = (
                today - days(r.randint(10, 120))
                if plan.review_overdue
                else today + days(r.randint(20, 200))
            )
    else:
        back = r.randint(200, 480) if plan.stalled else r.randint(3, 75)
        plan.entered[step] = today - days(back)
        if step in (Step.APPROACH, Step.PLANNING):
            plan.gate_met = r.random() < 0.5
        if step == Step.AGREEMENT:
            term = r.choice((3, 4, 5))
            if status == "active" and r.random() < 0.4:
                plan.mou_state = "signed"
                plan.mou_signed = between(r, plan.entered[step] + DAY, today)
                plan.mou_effective = plan.mou_signed
            else:
                plan.mou_state = "draft"
                plan.gate_met = False
                plan.mou_effective = today + days(r.randint(30, 120))
            plan.mou_expires = add_years(plan.mou_effective, term)
        if status == "paused":
            plan.stopped_on = min(plan.entered[step] + days(r.randint(10, 60)), today)

    for k in range(min(step, Step.IMPLEMENTATION) - 1, 0, -1):
        plan.entered[k] = plan.entered[k + 1] - days(r.randint(21, 110))
