"""Every threshold of the portal's judgement of a partnership, defined once: the health score,
the dashboard's warning signs and lists, and the reminders all read them from here.

Each says what it means in the domain (see DOMAIN.md, "Why partnerships fail")."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext, gettext_noop

from core.formatting import day
from partnerships.models import Partnership, Step

# --- When things are late or quiet ---------------------------------------------------------

# Implementation that shows no activity for this long has gone quiet.
QUIET_DAYS = 90
# A partnership that has just entered implementation is given this many days before it can
# be found quiet ("no activity since implementation began"): nothing happens on day one.
IMPLEMENTATION_GRACE_DAYS = 30
# A signed MOU expiring within this many days needs a renewal decision now (the health score,
# the dashboard's list and the first of the reminders' three windows).
MOU_EXPIRING_DAYS = 90
# The reminders' later windows before an MOU's expiry: within a month, within a week.
MOU_EXPIRING_SOON_DAYS = 30
MOU_EXPIRING_LAST_DAYS = 7
# Steps 1-6 are preparation: a partnership in one of them for longer than this has stalled
# (the health score and the stalled reminder; `send_reminders --stalled-days` overrides it
# for one run).
STALLED_DAYS = 180
# Reviews due within this many days are listed on the dashboard.
REVIEW_DUE_LISTED_DAYS = 30
# A review due within this many days is reminded of.
REVIEW_DUE_REMINDED_DAYS = 14
# A review late by more than this many days is escalated to the member cities' coordinators.
REVIEW_ESCALATED_AFTER_DAYS = 30
# Activities, sub-alliances and business involvement are expected from implementation on.
IMPLEMENTATION_FROM = Step.IMPLEMENTATION
# Measures to review against are expected from the agreement on.
KPIS_EXPECTED_FROM = Step.AGREEMENT

# Partnerships that no longer run: not scored, not listed as due, no warning signs.
FINISHED = frozenset({Partnership.Status.ENDED, Partnership.Status.ARCHIVED})

# --- Points the health score takes off (they add up to 100) --------------------------------

REVIEW_OVERDUE_POINTS = 20
# Scaled by the share of KPIs off target in the last completed review, rounded up. Off target
# means short of what was due by the end of the review's period (KPI.due_by), not of the whole
# target: a first review of a KPI on pace costs nothing.
KPIS_OFF_TARGET_POINTS = 15
NO_RECENT_ACTIVITY_POINTS = 15
NO_BUSINESS_POINTS = 10
MOU_EXPIRED_POINTS = 15
MOU_EXPIRING_POINTS = 5
NO_CHAMPION_POINTS = 15
STALLED_POINTS = 10

# Bands for the badge.
HEALTHY_FROM = 80
AT_RISK_FROM = 50

# A sign that lasts grows worse: once it has lasted this many times its threshold (stalled
# for twice STALLED_DAYS, quiet for twice QUIET_DAYS, a review late by twice
# REVIEW_ESCALATED_AFTER_DAYS), it takes off at least LONG_STANDING_POINTS on its own, enough
# that the partnership is no longer "Healthy" whatever else is right.
LONG_STANDING_TIMES = 2
LONG_STANDING_POINTS = 100 - HEALTHY_FROM + 1


def lasting_points(points: int, days: int, threshold_days: int) -> int:
    """The points a sign takes off when it has lasted `days` against its threshold."""
    if days >= LONG_STANDING_TIMES * threshold_days:
        return max(points, LONG_STANDING_POINTS)
    return points


# --- The words for each sign, shared by the score and the warning signs --------------------


def in_grace(step: int, entered_on: dt.date | None, today: dt.date) -> bool:
    """Whether a partnership entered implementation too recently to be found quiet."""
    return (
        step == Step.IMPLEMENTATION
        and entered_on is not None
        and (today - entered_on).days < IMPLEMENTATION_GRACE_DAYS
    )


def is_quiet(
    last_activity_on: dt.date | None,
    today: dt.date,
    *,
    step: int = Step.IMPLEMENTATION,
    entered_on: dt.date | None = None,
) -> bool:
    """Whether a running partnership has gone quiet (`step` and `entered_on`, the day it
    entered its step, give a partnership just in implementation its grace period)."""
    if in_grace(step, entered_on, today):
        return False
    return last_activity_on is None or last_activity_on <= today - dt.timedelta(days=QUIET_DAYS)


def quiet_days(
    last_activity_on: dt.date | None, today: dt.date, *, step: int, entered_on: dt.date | None
) -> int:
    """How long a quiet partnership has been quiet: since its last activity or, with none,
    since it entered implementation (0 when that is not known: in step 8 with no activity)."""
    if last_activity_on is not None:
        return (today - last_activity_on).days
    if step == Step.IMPLEMENTATION and entered_on is not None:
        return (today - entered_on).days
    return 0


def quiet_reason(last_activity_on: dt.date | None) -> str:
    if last_activity_on:
        return gettext("No activity in the last %(days)s days (the last on %(date)s).") % {
            "days": QUIET_DAYS,
            "date": day(last_activity_on),
        }
    return gettext("No activity logged since implementation began.")


def mou_lapsed_reason(expires_on: dt.date) -> str:
    return gettext("The signed MOU expired on %(date)s.") % {"date": day(expires_on)}


def mou_not_renewed_reason(expired_on: dt.date | None) -> str:
    if expired_on:
        return gettext("The MOU expired on %(date)s and no new one is signed.") % {
            "date": day(expired_on)
        }
    return gettext("The MOU expired and no new one is signed.")


# In English, marked for the catalogues: `gettext()` them where a reason is given (the
# reader's language at that moment).
NO_CHAMPION_REASON = gettext_noop("No active champion.")
NO_KPIS_REASON = gettext_noop("No KPIs agreed: there is nothing to review it against.")
