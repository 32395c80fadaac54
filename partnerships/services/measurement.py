"""Step 8: reviews and lessons.

A review is drafted (`review_create_draft`), filled in (`review_update_draft`: KPI actual
values, the nine success factors, the scorecard, the failure causes, the narrative and the
decision) and completed (`review_complete`), which applies its decision to the partnership and
its MOU in the same transaction. A completed review is read-only: it is amended by writing a
new one. Lessons are recorded (`lesson_add`) and adopted into the home city's next strategy
version (step 8 feeding step 1). Writes lock the partnership row, then the review's, so an
edit and a completion of the same review queue instead of interleaving."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.errors import flatten as _flatten
from core.formatting import day
from core.services import lock
from partnerships.models import (
    KPI,
    MOU,
    KPIResult,
    Lesson,
    Partnership,
    PartnershipMember,
    Review,
    SuccessFactorRating,
    TwinningStrategy,
)
from partnerships.services.cities import _open_draft, strategy_draft_start
from partnerships.services.common import (
    check_may_edit,
    lock_city,
    require_coordinator,
)

REVIEW_FIELDS = frozenset(
    {
        "period_start",
        "period_end",
        "narrative",
        "decision",
        "decision_reason",
        "new_expiry_on",
        "end_on",
        "effectiveness",
        "effectiveness_note",
        "efficiency",
        "efficiency_note",
        *Review.FAILURE_CAUSE_FIELDS,
    }
)


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved on by whole months; a day the month reached lacks becomes its last day
    (31 January + 1 month = 28 or 29 February; 29 February + 12 months = 28 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def kpi_field(kpi_id: int) -> str:
    """The name under which a KPI's actual value is reported (and its errors keyed)."""
    return f"kpi_{kpi_id}"


def factor_field(factor: str) -> str:
    return f"factor_{factor}"


def _review_day(value: dt.date) -> str:
    return day(value)


def _review_period(review: Review) -> str:
    return f"{_review_day(review.period_start)} – {_review_day(review.period_end)}"


def _draft_review_locked(review: Review, user) -> tuple[Partnership, Review]:
    """The review's partnership and the review, both locked; refused unless `user` may edit
    and the review is still a draft."""
    partnership = lock(Partnership, review.partnership_id)
    check_may_edit(user, partnership)
    locked = lock(Review, review.pk)
    if locked.status != Review.Status.DRAFT:
        if locked.completed_on:
            raise DomainError(
                _(
                    "This review was completed on %(day)s and is read-only: amend it by writing "
                    "a new review."
                )
                % {"day": _review_day(locked.completed_on)}
            )
        raise DomainError(
            _("This review was completed and is read-only: amend it by writing a new review.")
        )
    return partnership, locked


@transaction.atomic
def review_create_draft(
    *,
    partnership: Partnership,
    user=None,
    period_start: dt.date,
    period_end: dt.date,
    narrative: str = "",
) -> Review:
    """Start a draft review of a period. Nothing else is created: the review page lists the
    partnership's KPIs and the nine success factors to be filled in."""
    check_may_edit(user, partnership)
    locked = lock(Partnership, partnership.pk)
    if locked.status == Partnership.Status.ENDED:
        raise DomainError(_("This partnership has ended: it is not reviewed any more."))
    # Checked under the partnership's lock: a double click made two drafts of one period, and
    # completing both applied the decision twice.
    if Review.objects.filter(
        partnership=locked,
        status=Review.Status.DRAFT,
        period_start=period_start,
        period_end=period_end,
    ).exists():
        raise DomainError(_("A draft review of this period is open already: continue that one."))
    review = Review(
        partnership=locked,
        period_start=period_start,
        period_end=period_end,
        narrative=narrative,
        created_by=user,
    )
    review.full_clean()
    review._history_user = user
    review.save()
    return review


def _kpi_rows(review: Review, partnership: Partnership, values: dict) -> tuple[list, list, list]:
    """(to create, to update, ids to delete) for `values` {kpi id: {"actual", "note"} or an
    actual value or None}; only the partnership's own KPIs may be given a value."""
    kpis = set(KPI.objects.filter(partnership=partnership).values_list("pk", flat=True))
    if set(values) - kpis:
        raise ValidationError(
            {"kpi_results": _("Give values only for this partnership's own KPIs; reload the page.")}
        )
    existing = {r.kpi_id: r for r in KPIResult.objects.filter(review=review)}
    create, update, delete, errors = [], [], [], {}
    for kpi_id, value in values.items():
        value = value if isinstance(value, dict) else {"actual": value}
        current = existing.get(kpi_id)
        if value.get("actual") is None:
            if current is not None:
                delete.append(current.pk)
            continue
        row = current or KPIResult(review=review, kpi_id=kpi_id)
        row.actual = value["actual"]
        row.note = (value.get("note") or "").strip()
        try:
            row.full_clean(
                exclude=["review", "kpi"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            errors[kpi_field(kpi_id)] = _flatten(exc)
            continue
        (update if current is not None else create).append(row)
    if errors:
        raise ValidationError(errors)
    return create, update, delete


def _factor_rows(review: Review, values: dict) -> tuple[list, list, list]:
    """(to create, to update, ids to delete) for `values` {factor: {"rating", "note"} or a
    rating or None}."""
    unknown = set(values) - set(SuccessFactorRating.Factor.values)
    if unknown:
        raise ValidationError(
            {
                "factor_ratings": _("Not a success factor: %(factors)s.")
                % {"factors": ", ".join(sorted(unknown))}
            }
        )
    existing = {r.factor: r for r in SuccessFactorRating.objects.filter(review=review)}
    create, update, delete, errors = [], [], [], {}
    for factor, value in values.items():
        value = value if isinstance(value, dict) else {"rating": value}
        current = existing.get(factor)
        if value.get("rating") is None:
            if current is not None:
                delete.append(current.pk)
            continue
        row = current or SuccessFactorRating(review=review, factor=factor)
        row.rating = value["rating"]
        row.note = (value.get("note") or "").strip()
        try:
            row.full_clean(exclude=["review"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors[factor_field(factor)] = _flatten(exc)
            continue
        (update if current is not None else create).append(row)
    if errors:
        raise ValidationError(errors)
    return create, update, delete


@transaction.atomic
def review_update_draft(
    *,
    review: Review,
    user=None,
    kpi_results: dict | None = None,
    factor_ratings: dict | None = None,
    **fields,
) -> Review:
    """Change a draft review: its own fields (see REVIEW_FIELDS), and when given, the KPI
    actual values {kpi id: {"actual": Decimal | None, "note": str}} and the factor ratings
    {factor: {"rating": 1-5 | None, "note": str}} (None removes a value). Everything is
    checked before anything is written; a completed review is refused."""
    unknown = set(fields) - REVIEW_FIELDS
    if unknown:
        raise TypeError(f"review_update_draft cannot set {sorted(unknown)}")
    partnership, locked = _draft_review_locked(review, user)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.full_clean()
    # Every value is checked before anything is written.
    kpi_rows = _kpi_rows(locked, partnership, kpi_results) if kpi_results is not None else None
    factor_rows = _factor_rows(locked, factor_ratings) if factor_ratings is not None else None
    locked._history_user = user
    locked.save()
    for model, rows, columns in (
        (KPIResult, kpi_rows, ["actual", "note"]),
        (SuccessFactorRating, factor_rows, ["rating", "note"]),
    ):
        if rows is None:
            continue
        create, update, delete = rows
        model.objects.filter(pk__in=delete).delete()
        model.objects.bulk_create(create)
        model.objects.bulk_update(update, columns)
    return locked


def _completion_problems(
    review: Review, partnership: Partnership, signed: MOU | None
) -> dict[str, str]:
    """What keeps the review from being completed, by field."""
    errors: dict[str, str] = {}
    measured = set(review.kpi_results.values_list("kpi_id", flat=True))
    for kpi in KPI.objects.filter(partnership=partnership).order_by("name"):
        if kpi.pk not in measured:
            errors[kpi_field(kpi.pk)] = _("Give the actual value of “%(kpi)s” for this period.") % {
                "kpi": kpi.name
            }
    decision = review.decision
    if not decision:
        errors["decision"] = _("Choose a decision: continue, adjust the plan, renew, pause or end.")
    elif decision == Review.Decision.END:
        if not review.decision_reason.strip():
            errors["decision_reason"] = _("Give the reason for ending the partnership.")
        if review.end_on is None:
            errors["end_on"] = _("Give the date the partnership ends.")
        elif review.end_on < review.period_start:
            errors["end_on"] = _("The partnership cannot end before the period reviewed starts.")
    elif decision == Review.Decision.RENEW:
        if signed is None:
            errors["decision"] = _("There is no signed MOU to renew: draft and sign a new one.")
        elif review.new_expiry_on is None:
            errors["new_expiry_on"] = _("Give the MOU's new expiry date.")
        elif signed.expires_on and review.new_expiry_on <= signed.expires_on:
            errors["new_expiry_on"] = _(
                "The new expiry must be after the current one (%(day)s)."
            ) % {"day": _review_day(signed.expires_on)}
    return errors


@transaction.atomic
def review_complete(*, review: Review, user=None, on: dt.date | None = None) -> Review:
    """Complete a draft review and apply its decision, all or nothing.

    Needs an actual value for every KPI of the partnership and a decision; ending needs a
    reason and a date, renewing a new expiry after the signed MOU's current one. Then:
    continue or adjust change nothing else; pause pauses the partnership; end ends it (date
    and reason) and terminates its signed MOU, and no further review is planned, so its
    reminders stop; renew moves the signed MOU's expiry (its history keeps the old terms).
    Except after an end, the next review falls a cadence after the completion date.
    """
    partnership, locked = _draft_review_locked(review, user)
    if partnership.status == Partnership.Status.ENDED:
        raise DomainError(
            _(
                "This partnership has ended already: the review cannot be completed. "
                "Record what was learnt as lessons."
            )
        )
    signed = (
        MOU.objects.select_for_update()
        .filter(partnership=partnership, status=MOU.Status.SIGNED)
        .first()
    )
    errors = _completion_problems(locked, partnership, signed)
    if errors:
        raise ValidationError(errors)

    today = on or timezone.localdate()
    decision = Review.Decision(locked.decision)
    why = f"Review of {_review_period(locked)}: {decision.label}"
    changed = ["next_review_on"]
    if decision == Review.Decision.PAUSE:
        partnership.status = Partnership.Status.PAUSED
        changed.append("status")
    elif decision == Review.Decision.END:
        partnership.status = Partnership.Status.ENDED
        partnership.ended_on = locked.end_on
        partnership.end_reason = locked.decision_reason.strip()
        changed += ["status", "ended_on", "end_reason"]
        if signed is not None:
            # One save (not .update()) so the MOU's history records the termination.
            signed.status = MOU.Status.TERMINATED
            signed.terminated_on = locked.end_on
            signed.termination_reason = locked.decision_reason.strip()
            signed._history_user = user
            signed._change_reason = why
            signed.save(
                update_fields=["status", "terminated_on", "termination_reason", "updated_at"]
            )
    elif decision == Review.Decision.RENEW:
        signed.expires_on = locked.new_expiry_on
        signed._history_user = user
        signed._change_reason = why
        signed.save(update_fields=["expires_on", "updated_at"])
    partnership.next_review_on = (
        None
        if decision == Review.Decision.END
        else add_months(today, partnership.review_cadence_months)
    )
    partnership._history_user = user
    partnership._change_reason = why
    partnership.save(update_fields=[*changed, "updated_at"])

    # The conditional fields are kept only with the decision they belong to.
    if decision != Review.Decision.RENEW:
        locked.new_expiry_on = None
    if decision != Review.Decision.END:
        locked.end_on = None
    locked.status = Review.Status.COMPLETED
    locked.completed_on = today
    locked.completed_by = user
    locked._history_user = user
    locked.save()
    return locked


@transaction.atomic
def lesson_add(
    *,
    partnership: Partnership,
    user=None,
    step: int,
    theme: str,
    text: str,
    review: Review | None = None,
    shared: bool = True,
) -> Lesson:
    """Capture a lesson, optionally drawn from one of this partnership's reviews; `shared`
    puts it in the library every city's officers read."""
    check_may_edit(user, partnership)
    if review is not None and review.partnership_id != partnership.pk:
        raise ValidationError({"review": _("Choose a review of this partnership.")})
    lesson = Lesson(
        partnership=partnership,
        review=review,
        step=step,
        theme=theme,
        text=text,
        shared=shared,
        recorded_by=user,
    )
    lesson.full_clean()
    lesson.save()
    return lesson


@transaction.atomic
def lesson_adopt_into_strategy(*, lessons: Lesson | Iterable[Lesson], user) -> TwinningStrategy:
    """Adopt lessons into their home city's next strategy version (step 8 feeding step 1).

    Only a coordinator of the home city (or an admin) may. The lessons are linked to the
    city's open draft version when there is one, else to a new draft prefilled from the
    version in force (`strategy_draft_start`). A lesson is adopted once.
    """
    wanted = [lessons] if isinstance(lessons, Lesson) else list(lessons)
    if not wanted:
        raise DomainError(_("Choose at least one lesson to adopt."))
    homes = set(
        PartnershipMember.objects.filter(
            partnership_id__in={lesson.partnership_id for lesson in wanted},
            role=PartnershipMember.Role.HOME,
        ).values_list("partner_id", flat=True)
    )
    if len(homes) != 1:
        raise DomainError(
            _(
                "These lessons come from partnerships of different home cities: "
                "adopt them city by city."
            )
        )
    home_id = homes.pop()
    require_coordinator(user, home_id)
    city = lock_city(home_id)
    locked = list(Lesson.objects.select_for_update().filter(pk__in=[x.pk for x in wanted]))
    if len(locked) != len({x.pk for x in wanted}):
        raise DomainError(_("One of these lessons was deleted meanwhile; reload the page."))
    adopted = [lesson for lesson in locked if lesson.adopted_in_id]
    if adopted:
        versions = dict(
            TwinningStrategy.objects.filter(pk__in={x.adopted_in_id for x in adopted}).values_list(
                "pk", "version"
            )
        )
        first = adopted[0]
        raise DomainError(
            _("“%(theme)s” was adopted into strategy version %(version)s already.")
            % {"theme": first.theme, "version": versions.get(first.adopted_in_id, "?")}
        )
    draft = _open_draft(home_id) or strategy_draft_start(partner=city, user=user)
    now = timezone.now()
    for lesson in locked:
        lesson.adopted_in = draft
        lesson.adopted_at = now
        lesson.save(update_fields=["adopted_in", "adopted_at"])
    for lesson in wanted:
        lesson.adopted_in, lesson.adopted_at = draft, now
    return draft
