"""Step 5: letter of intent, business plan with actions, and the KPIs reviews measure against."""

import datetime as dt
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core.formatting import day
from partnerships.models.partners import CooperationArea, Partner
from partnerships.models.partnership import Partnership
from partnerships.models.uploads import private_document_path, validate_pdf


class LetterOfIntent(models.Model):
    """Shows both sides' commitment once negotiations start."""

    partnership = models.OneToOneField(
        Partnership,
        on_delete=models.CASCADE,
        related_name="letter_of_intent",
        verbose_name=_("partnership"),
    )
    signed_on = models.DateField(
        verbose_name=_("signed on"),
    )
    signed_by = models.TextField(
        help_text=_("Who signed, on each side."), verbose_name=_("signed by")
    )
    summary = models.TextField(blank=True, verbose_name=_("summary"))
    document = models.FileField(
        upload_to=private_document_path,
        blank=True,
        validators=[validate_pdf],
        verbose_name=_("document"),
    )

    class Meta:
        verbose_name_plural = _("letters of intent")
        verbose_name = _("letter of intent")

    def __str__(self) -> str:
        return gettext("Letter of intent, %(date)s") % {"date": self.signed_on}


class BusinessPlan(models.Model):
    """The common vision, goals, objectives and scope agreed in planning."""

    partnership = models.OneToOneField(
        Partnership,
        on_delete=models.CASCADE,
        related_name="business_plan",
        verbose_name=_("partnership"),
    )
    vision = models.TextField(
        verbose_name=_("vision"),
    )
    goals = models.TextField(
        verbose_name=_("goals"),
    )
    objectives = models.TextField(
        verbose_name=_("objectives"),
    )
    scope = models.TextField(
        verbose_name=_("scope"),
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("business plan")
        verbose_name_plural = _("business plans")

    def __str__(self) -> str:
        return gettext("Business plan of %(partnership)s") % {"partnership": self.partnership}


class PlanAction(models.Model):
    """An action of the business plan, with its owner and due date."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("action status", "Open")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    plan = models.ForeignKey(
        BusinessPlan, on_delete=models.CASCADE, related_name="actions", verbose_name=_("plan")
    )
    description = models.CharField(max_length=240, verbose_name=_("description"))
    owner = models.CharField(max_length=120, verbose_name=_("owner"))
    owner_partner = models.ForeignKey(
        Partner,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The side responsible."),
        verbose_name=_("owner partner"),
    )
    due_on = models.DateField(
        verbose_name=_("due on"),
    )
    status = models.CharField(
        max_length=8, choices=Status.choices, default=Status.OPEN, verbose_name=_("status")
    )
    completed_on = models.DateField(null=True, blank=True, verbose_name=_("completed on"))

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"])]
        verbose_name = _("plan action")
        verbose_name_plural = _("plan actions")

    def __str__(self) -> str:
        return self.description


class KPI(models.Model):
    """A measure agreed in planning, by which the partnership is reviewed later."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="kpis", verbose_name=_("partnership")
    )
    name = models.CharField(max_length=160, verbose_name=_("name"))
    unit = models.CharField(
        max_length=40, help_text=_("What is counted: visits, jobs, ZAR…"), verbose_name=_("unit")
    )
    baseline = models.DecimalField(
        max_digits=14, decimal_places=2, default=0, verbose_name=_("baseline")
    )
    target = models.DecimalField(max_digits=14, decimal_places=2, verbose_name=_("target"))
    area = models.ForeignKey(
        CooperationArea,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("area"),
    )
    # The day the baseline holds: progress toward the target is expected from then on.
    start_date = models.DateField(
        default=timezone.localdate,
        help_text=_("The day the baseline was measured; progress is expected from then on."),
        verbose_name=_("measured from"),
    )
    # Null only for KPIs agreed before target dates existed: they are judged against the
    # whole target at every review, as they always were.
    target_date = models.DateField(
        null=True,
        blank=True,
        help_text=_("When the target should be reached; reviews before then expect a share of it."),
        verbose_name=_("target date"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "name"],
                name="kpi_unique_name",
                violation_error_message=_("This partnership already has a KPI with that name."),
            ),
            models.CheckConstraint(condition=~models.Q(unit=""), name="kpi_has_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"

    def clean(self) -> None:
        # An empty unit is already "required"; this catches a unit of only spaces.
        if self.unit and not self.unit.strip():
            raise ValidationError({"unit": _("Give the unit the KPI is measured in.")})
        if self.target_date and self.start_date and self.target_date < self.start_date:
            raise ValidationError(
                {
                    "target_date": gettext(
                        "The target date cannot be before the day the KPI is measured from "
                        "(%(day)s)."
                    )
                    % {"day": day(self.start_date)}
                }
            )

    # --- The pace: what is due by a review's end (the SQL twin is health.facts.OFF_TARGET) ---

    def due_share(self, on: dt.date) -> Fraction:
        """The share of the way from baseline to target due by `on`: see `due_share`."""
        return due_share(self.start_date, self.target_date, on)

    def due_by(self, on: dt.date) -> Decimal:
        """The value due by `on`, to the cent, rounded away from the baseline: an actual of
        at least this (at most, for a falling target) is on target (`reached`)."""
        share = self.due_share(on)
        baseline, target = _decimal(self.baseline), _decimal(self.target)
        exact = baseline + (target - baseline) * share.numerator / share.denominator
        rounding = ROUND_CEILING if target >= baseline else ROUND_FLOOR
        return exact.quantize(Decimal("0.01"), rounding=rounding)

    def reached(self, actual: Decimal, on: dt.date) -> bool:
        """Whether `actual` reached what is due by `on`, in whichever direction the target lies
        from the baseline. Compared by cross-multiplying (no division), as the SQL does."""
        share = self.due_share(on)
        baseline, target = _decimal(self.baseline), _decimal(self.target)
        gained = (_decimal(actual) - baseline) * share.denominator
        due = (target - baseline) * share.numerator
        return gained >= due if target >= baseline else gained <= due


def _decimal(value) -> Decimal:
    # A KPI built in memory may hold ints (the field's default, a test's literal).
    return value if isinstance(value, Decimal) else Decimal(str(value))


def due_share(start: dt.date | None, target_date: dt.date | None, on: dt.date) -> Fraction:
    """The share of a KPI's target due by `on`: the time elapsed from `start` to `on` over the
    time from `start` to `target_date`, in days, clamped to [0, 1]. The whole target without a
    target date (the KPIs agreed before there were any) or from the target date on; nothing on
    or before the start. The checks run in that order, so the division is by a positive number
    of days even when the dates are wrong."""
    if target_date is None or on >= target_date:
        return Fraction(1)
    if start is None or on <= start:
        return Fraction(0)
    return Fraction((on - start).days, (target_date - start).days)
