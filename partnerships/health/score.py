"""The score of one partnership from its facts: a pure function, no query (see health/)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, ngettext

from partnerships.health.rules import (
    AT_RISK_FROM,
    FINISHED,
    HEALTHY_FROM,
    IMPLEMENTATION_FROM,
    KPIS_OFF_TARGET_POINTS,
    MOU_EXPIRED_POINTS,
    MOU_EXPIRING_DAYS,
    MOU_EXPIRING_POINTS,
    NO_BUSINESS_POINTS,
    NO_CHAMPION_POINTS,
    NO_CHAMPION_REASON,
    NO_RECENT_ACTIVITY_POINTS,
    QUIET_DAYS,
    REVIEW_ESCALATED_AFTER_DAYS,
    REVIEW_OVERDUE_POINTS,
    STALLED_DAYS,
    STALLED_POINTS,
    day,
    is_quiet,
    lasting_points,
    mou_lapsed_reason,
    mou_not_renewed_reason,
    quiet_days,
    quiet_reason,
)
from partnerships.models import Step

# In English, marked for the catalogues: `gettext()` it where it is given.
BUSINESS_NOT_ASSESSED = gettext_noop(
    "Business involvement was not assessed: no business data is connected."
)


class Deduction(NamedTuple):
    points: int
    reason: str


# The health bands' names, translated when shown (`Health.label`).
BAND_LABELS = {
    "healthy": gettext_noop("Healthy"),
    "at_risk": gettext_noop("At risk"),
    "weak": gettext_noop("Weak"),
    "finished": gettext_noop("Not scored"),
}


@dataclass(frozen=True)
class Health:
    """A score (None for a partnership that has ended or is archived) and why points were
    taken off, largest first; `not_assessed` names checks that could not be made."""

    score: int | None
    deductions: list[Deduction] = field(default_factory=list)
    not_assessed: list[str] = field(default_factory=list)

    @property
    def scored(self) -> bool:
        return self.score is not None

    @property
    def band(self) -> str:
        """ "healthy", "at_risk", "weak", or "finished" when not scored."""
        if self.score is None:
            return "finished"
        if self.score >= HEALTHY_FROM:
            return "healthy"
        if self.score >= AT_RISK_FROM:
            return "at_risk"
        return "weak"

    @property
    def label(self) -> str:
        # Only the band's own label is translated (a list page reads one per row).
        return gettext(BAND_LABELS[self.band])

    @property
    def css(self) -> str:
        """The Bootstrap badge class of the band."""
        return {
            "healthy": "text-bg-success",
            "at_risk": "text-bg-warning",
            "weak": "text-bg-danger",
            "finished": "text-bg-light border",
        }[self.band]

    @property
    def summary(self) -> str:
        """One line for a tooltip: the reasons, or that nothing is wrong."""
        if self.score is None:
            return gettext("Ended or archived partnerships are not scored.")
        if not self.deductions:
            return gettext("No warning signs.")
        return " ".join(str(d.reason) for d in self.deductions)


def _date(value: dt.date | dt.datetime | None) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


def score(facts: dict[str, Any], today: dt.date) -> Health:
    """The health of one partnership from its facts:

    status, step, step_entered_at: the partnership's own fields;
    next_review_on: when the next review is due (None: none planned);
    last_activity_on: the latest activity up to today (None: none);
    has_champion: whether anyone actively champions it;
    signed_mou_expires_on: the signed MOU's expiry (None: no signed MOU, or no expiry);
    has_signed_mou: whether there is a signed MOU;
    expired_mou_on: the latest expiry of an MOU marked expired (None: none);
    last_review_end: the end of the period of the last completed review (None: none);
    kpis_measured, kpis_off_target: that review's KPI results, and how many missed what was
        due by the end of its period (the share of the target its time allows);
    business_involved: True / False, or None when not assessed (no provider registered).
    """
    if facts["status"] in FINISHED:
        return Health(score=None)
    step = facts["step"]
    running = step >= IMPLEMENTATION_FROM
    entered = _date(facts.get("step_entered_at"))
    found: list[Deduction] = []
    not_assessed: list[str] = []

    next_review_on = facts.get("next_review_on")
    if next_review_on and next_review_on < today:
        reason = gettext("Review overdue: it was due on %(date)s.") % {"date": day(next_review_on)}
        points = lasting_points(
            REVIEW_OVERDUE_POINTS, (today - next_review_on).days, REVIEW_ESCALATED_AFTER_DAYS
        )
        found.append(Deduction(points, reason))

    measured, off = facts.get("kpis_measured") or 0, facts.get("kpis_off_target") or 0
    if measured and off:
        points = math.ceil(KPIS_OFF_TARGET_POINTS * off / measured)
        reason = ngettext(
            "%(off)s of %(measured)s KPI off target in the last review (to %(date)s).",
            "%(off)s of %(measured)s KPIs off target in the last review (to %(date)s).",
            measured,
        ) % {"off": off, "measured": measured, "date": day(facts["last_review_end"])}
        found.append(Deduction(points, reason))

    last = facts.get("last_activity_on")
    if running and is_quiet(last, today, step=step, entered_on=entered):
        days = quiet_days(last, today, step=step, entered_on=entered)
        points = lasting_points(NO_RECENT_ACTIVITY_POINTS, days, QUIET_DAYS)
        found.append(Deduction(points, quiet_reason(last)))

    involved = facts.get("business_involved")
    if involved is None:
        not_assessed.append(gettext(BUSINESS_NOT_ASSESSED))
    elif running and not involved:
        found.append(
            Deduction(
                NO_BUSINESS_POINTS,
                gettext(
                    "No business involvement: no business sub-alliance and no accepted interest "
                    "from business."
                ),
            )
        )

    expires_on = facts.get("signed_mou_expires_on")
    expired_on = facts.get("expired_mou_on")
    if expires_on and expires_on < today:
        found.append(Deduction(MOU_EXPIRED_POINTS, mou_lapsed_reason(expires_on)))
    elif expires_on and expires_on <= today + dt.timedelta(days=MOU_EXPIRING_DAYS):
        found.append(
            Deduction(
                MOU_EXPIRING_POINTS,
                gettext("The MOU expires on %(date)s, within %(days)s days: decide on its renewal.")
                % {"date": day(expires_on), "days": MOU_EXPIRING_DAYS},
            )
        )
    elif running and expired_on and not facts.get("has_signed_mou"):
        found.append(Deduction(MOU_EXPIRED_POINTS, mou_not_renewed_reason(expired_on)))

    if not facts.get("has_champion"):
        found.append(Deduction(NO_CHAMPION_POINTS, gettext(NO_CHAMPION_REASON)))

    if not running and entered and (today - entered).days > STALLED_DAYS:
        found.append(
            Deduction(
                lasting_points(STALLED_POINTS, (today - entered).days, STALLED_DAYS),
                gettext("Stalled: in step %(step)s (%(label)s) for %(days)s days.")
                % {"step": step, "label": Step(step).label, "days": (today - entered).days},
            )
        )

    found.sort(key=lambda d: -d.points)
    total = sum(d.points for d in found)
    return Health(score=max(0, 100 - total), deductions=found, not_assessed=not_assessed)
