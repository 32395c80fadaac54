"""The dashboard's warning signs: the running partnerships that show one of the signs the
research names (it went quiet, it has nothing to be reviewed against, its agreement lapsed,
nobody champions it), read from their stored health (partnerships.health.stored): the same
facts as the score's, and one more, whether any KPI was agreed. The same words as the score's
deductions."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from partnerships.health.rules import (
    FINISHED,
    IMPLEMENTATION_FROM,
    IMPLEMENTATION_GRACE_DAYS,
    KPIS_EXPECTED_FROM,
    NO_CHAMPION_REASON,
    NO_KPIS_REASON,
    QUIET_DAYS,
    is_quiet,
    mou_lapsed_reason,
    mou_not_renewed_reason,
    quiet_reason,
)
from partnerships.models import Partnership, Step

_S = "health_summary__"


def with_warning_signs(qs: QuerySet[Partnership], today: dt.date) -> QuerySet[Partnership]:
    """Those of `qs` that are running and show a warning sign, with their stored health (see
    `warning_reasons`). Bring it up to date first: `stored.refresh_stale(qs, today)`."""
    quiet_since = today - dt.timedelta(days=QUIET_DAYS)
    # Entered implementation on or after this day: still in its grace period (rules.in_grace).
    grace_from = timezone.make_aware(
        dt.datetime.combine(today - dt.timedelta(days=IMPLEMENTATION_GRACE_DAYS - 1), dt.time())
    )
    in_grace = Q(step=Step.IMPLEMENTATION, step_entered_at__gte=grace_from)
    quiet = Q(**{f"{_S}last_activity_on__isnull": True}) | Q(
        **{f"{_S}last_activity_on__lte": quiet_since}
    )
    lapsed = Q(
        step__gte=IMPLEMENTATION_FROM,
        **{f"{_S}expired_mou_on__isnull": False, f"{_S}has_signed_mou": False},
    )
    return (
        qs.exclude(status__in=FINISHED)
        .filter(
            Q(step__gte=IMPLEMENTATION_FROM) & ~in_grace & quiet
            | Q(step__gte=KPIS_EXPECTED_FROM, **{f"{_S}has_kpis": False})
            | Q(**{f"{_S}signed_mou_expires_on__lt": today})
            | lapsed
            | Q(**{f"{_S}has_champion": False})
        )
        .select_related("health_summary")
    )


def warning_reasons(p: Partnership, today: dt.date) -> list[str]:
    """The warning signs of a partnership read with `with_warning_signs`, in plain words."""
    s = p.health_summary
    reasons = []
    entered_on = timezone.localdate(p.step_entered_at) if p.step_entered_at else None
    if p.step >= IMPLEMENTATION_FROM and is_quiet(
        s.last_activity_on, today, step=p.step, entered_on=entered_on
    ):
        reasons.append(quiet_reason(s.last_activity_on))
    if p.step >= KPIS_EXPECTED_FROM and not s.has_kpis:
        reasons.append(gettext(NO_KPIS_REASON))
    if s.signed_mou_expires_on and s.signed_mou_expires_on < today:
        reasons.append(mou_lapsed_reason(s.signed_mou_expires_on))
    elif p.step >= IMPLEMENTATION_FROM and s.expired_mou_on and not s.has_signed_mou:
        reasons.append(mou_not_renewed_reason(s.expired_mou_on))
    if not s.has_champion:
        reasons.append(gettext(NO_CHAMPION_REASON))
    return reasons
