"""Steps 7–8: what the partnership does (activities), and how it is reviewed and learnt from."""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.search import vector as search_vector
from partnerships.models.choices import Step
from partnerships.models.partnership import Partnership


class Activity(models.Model):
    """Something the partnership did during implementation."""

    class Kind(models.TextChoices):
        EXCHANGE_VISIT = "exchange_visit", _("Exchange visit")
        TRADE_MISSION = "trade_mission", _("Trade mission")
        CULTURAL_EVENT = "cultural_event", _("Cultural event")
        COMMUNICATION = "communication", _("Communication")
        COMMUNITY_EVENT = "community_event", _("Community event")
        MARKETING = "marketing", _("Marketing")
        CONFLICT_RESOLUTION = "conflict_resolution", _("Conflict resolution")
        SUB_ALLIANCE_FORMED = "sub_alliance_formed", _("Sub-alliance formed")

    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="activities",
        verbose_name=_("partnership"),
    )
    kind = models.CharField(max_length=24, choices=Kind.choices, verbose_name=_("kind"))
    title = models.CharField(max_length=200, verbose_name=_("title"))
    occurred_on = models.DateField(default=timezone.localdate, verbose_name=_("occurred on"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    participants = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("participants")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        verbose_name_plural = _("activities")
        ordering = ["-occurred_on", "-id"]
        indexes = [
            models.Index(fields=["partnership", "-occurred_on"]),
            models.Index(fields=["occurred_on"]),
        ]
        verbose_name = _("activity")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"


class Review(models.Model):
    """A periodic review of the partnership against the measures agreed in planning."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        COMPLETED = "completed", _("Completed")

    class Decision(models.TextChoices):
        # Translators: what a review decides for the partnership (verbs).
        CONTINUE = "continue", _("Continue")
        ADJUST = "adjust", _("Adjust the plan")
        RENEW = "renew", _("Renew the MOU")
        PAUSE = "pause", _("Pause")
        END = "end", _("End the partnership")

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("partnership")
    )
    period_start = models.DateField(
        verbose_name=_("period start"),
    )
    period_end = models.DateField(
        verbose_name=_("period end"),
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.DRAFT, verbose_name=_("status")
    )
    narrative = models.TextField(blank=True, verbose_name=_("narrative"))
    decision = models.CharField(
        max_length=16, choices=Decision.choices, blank=True, verbose_name=_("decision")
    )
    decision_reason = models.TextField(
        blank=True,
        help_text=_("Why; required to end the partnership."),
        verbose_name=_("decision reason"),
    )
    new_expiry_on = models.DateField(
        null=True,
        blank=True,
        help_text=_("With a renewal: the MOU's new expiry date."),
        verbose_name=_("new expiry on"),
    )
    end_on = models.DateField(
        null=True,
        blank=True,
        help_text=_("With an end: the date the partnership ends."),
        verbose_name=_("end on"),
    )
    # The shared scorecard: is it achieving its objectives, and is it well managed? (1-5)
    effectiveness = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        verbose_name=_("effectiveness"),
    )
    effectiveness_note = models.TextField(blank=True, verbose_name=_("effectiveness note"))
    efficiency = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        verbose_name=_("efficiency"),
    )
    efficiency_note = models.TextField(blank=True, verbose_name=_("efficiency note"))
    # The known causes of failure (seed research), ticked where they showed in the period.
    cause_management_capacity = models.BooleanField(_("lack of management capacity"), default=False)
    cause_community_continuity = models.BooleanField(
        _("lack of community involvement or continuity of leadership"), default=False
    )
    cause_business_involvement = models.BooleanField(
        _("lack of business involvement"), default=False
    )
    cause_marketing = models.BooleanField(
        _("lack of marketing to citizens and media"), default=False
    )
    cause_planning = models.BooleanField(_("lack of planning"), default=False)
    cause_support_training = models.BooleanField(
        _("lack of support, coordination and training"), default=False
    )
    completed_on = models.DateField(null=True, blank=True, verbose_name=_("completed on"))
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("completed by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    history = HistoricalRecords()

    FAILURE_CAUSE_FIELDS = (
        "cause_management_capacity",
        "cause_community_continuity",
        "cause_business_involvement",
        "cause_marketing",
        "cause_planning",
        "cause_support_training",
    )

    class Meta:
        ordering = ["-period_end", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="review_period_ordered",
                violation_error_message=_("The period must end on or after its start."),
            )
        ]
        indexes = [models.Index(fields=["partnership", "-period_end"])]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self) -> str:
        return gettext("Review of %(partnership)s, %(start)s – %(end)s") % {
            "partnership": self.partnership,
            "start": self.period_start,
            "end": self.period_end,
        }

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The period must end on or after its start.")})


class KPIResult(models.Model):
    """A KPI's actual value over a review's period, read against its target."""

    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="kpi_results", verbose_name=_("review")
    )
    kpi = models.ForeignKey(
        "partnerships.KPI", on_delete=models.CASCADE, related_name="results", verbose_name=_("kpi")
    )
    actual = models.DecimalField(max_digits=14, decimal_places=2, verbose_name=_("actual"))
    note = models.CharField(max_length=240, blank=True, verbose_name=_("note"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["review", "kpi"],
                name="kpiresult_unique",
                violation_error_message=_("This review already has a value for that KPI."),
            )
        ]
        verbose_name = _("kpi result")
        verbose_name_plural = _("kpi results")

    def __str__(self) -> str:
        return f"{self.kpi.name}: {self.actual}"

    @property
    def due(self) -> Decimal:
        """The KPI's value due by the end of the review's period (KPI.due_by)."""
        return self.kpi.due_by(self.review.period_end)

    @property
    def on_target(self) -> bool:
        """Reached what was due by the end of the review's period (the share of the target
        its time allows), in whichever direction the target lies from the baseline."""
        return self.kpi.reached(self.actual, on=self.review.period_end)


class SuccessFactorRating(models.Model):
    """How one of the nine implementation success factors fared in a review's period."""

    class Factor(models.TextChoices):
        TOP_MANAGEMENT = "top_management", _("Top-management commitment on both sides")
        SHARED_CONTROL = "shared_control", _("Shared control, risk and rewards")
        PEOPLE_EXCHANGE = "people_exchange", _("Regular exchange of people")
        COMMUNICATION = "communication", _("Active, frequent communication")
        COMMUNITY = "community", _("Community-wide participation")
        RELATIONSHIPS = "relationships", _("Relationship building")
        CONFLICT_RESOLUTION = "conflict_resolution", _("Conflict resolution")
        MARKETING = "marketing", _("Marketing of the alliance")
        SUB_ALLIANCES = "sub_alliances", _("Forming sub-alliances")

    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="factor_ratings", verbose_name=_("review")
    )
    factor = models.CharField(max_length=24, choices=Factor.choices, verbose_name=_("factor"))
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1 poor – 5 strong"),
        verbose_name=_("rating"),
    )
    note = models.CharField(max_length=240, blank=True, verbose_name=_("note"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "factor"], name="factorrating_unique"),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="factorrating_1_5"
            ),
        ]
        verbose_name = _("success factor rating")
        verbose_name_plural = _("success factor ratings")

    def __str__(self) -> str:
        return f"{self.get_factor_display()}: {self.rating}"


class Lesson(models.Model):
    """Something learnt, kept so that the city's alliance capability grows."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="lessons", verbose_name=_("partnership")
    )
    review = models.ForeignKey(
        Review,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lessons",
        verbose_name=_("review"),
    )
    step = models.PositiveSmallIntegerField(choices=Step.choices, verbose_name=_("step"))
    theme = models.CharField(max_length=80, db_index=True, verbose_name=_("theme"))
    text = models.TextField(
        verbose_name=_("text"),
    )
    shared = models.BooleanField(
        _("shared in the lesson library"),
        default=True,
        help_text=_(
            "Officers of every city may read it in the lesson library (not the rest of "
            "the partnership); unshared, only this partnership's cities' officers may."
        ),
    )
    adopted_in = models.ForeignKey(
        "partnerships.TwinningStrategy",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="adopted_lessons",
        help_text=_("The strategy version this lesson was adopted into (step 8 feeding step 1)."),
        verbose_name=_("adopted in"),
    )
    adopted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("adopted at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        ordering = ["-created_at"]
        # The portal's search (core/search.py; built on PostgreSQL only).
        indexes = [GinIndex(search_vector("theme", "text"), name="lesson_search")]
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    def __str__(self) -> str:
        return f"{self.theme}: {self.text[:60]}"
