"""Step 7: what the partnership does, logged as activities."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerships.models import (
    Activity,
    Partnership,
)
from partnerships.services.common import (
    check_may_edit,
)

# An activity may be logged ahead of time (a visit already booked), but not further than this.
ACTIVITY_MAX_DAYS_AHEAD = 365


def activity_date_problem(occurred_on: dt.date, today: dt.date | None = None) -> str:
    """Why an activity date is refused, or "" (see ACTIVITY_MAX_DAYS_AHEAD)."""
    today = today or timezone.localdate()
    if occurred_on > today + dt.timedelta(days=ACTIVITY_MAX_DAYS_AHEAD):
        return _("An activity may be logged at most a year ahead.")
    return ""


@transaction.atomic
def activity_log(
    *,
    partnership: Partnership,
    user=None,
    kind: str,
    title: str,
    occurred_on: dt.date,
    description: str = "",
    participants: int | None = None,
) -> Activity:
    """Log something the partnership did (or has firmly scheduled, up to a year ahead)."""
    check_may_edit(user, partnership)
    problem = activity_date_problem(occurred_on)
    if problem:
        raise ValidationError({"occurred_on": problem})
    activity = Activity(
        partnership=partnership,
        kind=kind,
        title=title,
        occurred_on=occurred_on,
        description=description,
        participants=participants,
        created_by=user,
    )
    activity.full_clean()
    activity.save()
    return activity
