"""Steps 7–8: what the partnership does (activities), and how it is reviewed and learnt from."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from partnerships.models.choices import Step
from partnerships.models.partnership import Partnership


class Activity(models.Model):
    """Something the partnership did during implementation."""

    class Kind(models.TextChoices):
        EXCHANGE_VISIT = "exchange_visit", "Exchange visit"
        TRADE_MISSION = "trade_mission", "Trade mission"
        CULTURAL_EVENT = "cultural_event", "Cultural event"
        COMMUNICATION = "communication", "Communication"
        COMMUNITY_EVENT = "community_event", "Community event"
        MARKETING = "marketing", "Marketing"
        CONFLICT_RESOLUTION = "conflict_resolution", "Conflict resolution"
        SUB_ALLIANCE_FORMED = "sub_alliance_formed", "Sub-alliance formed"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="activities"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    title = models.CharField(max_length=200)
    occurred_on = models.DateField(default=timezone.localdate)
    description = models.TextField(blank=True)
    participants = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "activities"
        ordering = ["-occurred_on", "-id"]
        indexes = [
            models.Index(fields=["partnership", "-occurred_on"]),
            models.Index(fields=["occurred_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"


class Review(models.Model):
    """A periodic review of the partnership against the measures agreed in planning."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        COMPLETED = "completed", "Completed"

    class Decision(models.TextChoices):
        CONTINUE = "continue", "Continue"
        ADJUST = "adjust", "Adjust the plan"
        RENEW = "renew", "Renew the MOU"
        PAUSE = "pause", "Pause"
        END = "end", "End the partnership"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="reviews")
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    narrative = models.TextField(blank=True)
    decision = models.CharField(max_length=16, choices=Decision.choices, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-period_end", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="review_period_ordered",
                violation_error_message="The period must end on or after its start.",
            )
        ]
        indexes = [models.Index(fields=["partnership", "-period_end"])]

    def __str__(self) -> str:
        return f"Review of {self.partnership}, {self.period_start} – {self.period_end}"

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": "The period must end on or after its start."})


class Lesson(models.Model):
    """Something learnt, kept so that the city's alliance capability grows."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="lessons")
    review = models.ForeignKey(
        Review, null=True, blank=True, on_delete=models.SET_NULL, related_name="lessons"
    )
    step = models.PositiveSmallIntegerField(choices=Step.choices)
    theme = models.CharField(max_length=80)
    text = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.theme}: {self.text[:60]}"
