"""Steps 2–4: candidates found in the search, approached and evaluated, scored and selected."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from partnerships.models.partners import Partner
from partnerships.models.partnership import Partnership
from partnerships.models.strategy import StrategyCriterion


class Candidate(models.Model):
    """A possible partner city drawn up in the search step, with the reason it fits."""

    class Source(models.TextChoices):
        OFFICER = "officer", _("Found by an officer")
        SUGGESTION = "suggestion", _("Suggested by the portal")
        CHAMBER = "chamber", _("Proposed by a chamber of commerce")

    class Status(models.TextChoices):
        CONSIDERED = "considered", _("Considered")
        APPROACHED = "approached", _("Approached")
        SHORTLISTED = "shortlisted", _("Shortlisted")
        REJECTED = "rejected", _("Rejected")
        SELECTED = "selected", _("Selected")

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="candidates"
    )
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="candidacies")
    rationale = models.TextField(help_text=_("Why this city fits the strategy."))
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.OFFICER)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CONSIDERED)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["partner__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "partner"],
                name="candidate_unique_partner",
                violation_error_message=_("This city is already a candidate."),
            )
        ]

    def __str__(self) -> str:
        return gettext("%(city)s for %(partnership)s") % {
            "city": self.partner.name,
            "partnership": self.partnership,
        }


class ApproachContact(models.Model):
    """A contact made with a candidate city in step 3."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        LETTER = "letter", _("Letter")
        CALL = "call", _("Call")
        MEETING = "meeting", _("Meeting")
        VISIT = "visit", _("Visit")
        EMBASSY = "embassy", _("Through an embassy or consulate")
        NETWORK = "network", _("Through a city network")

    class Response(models.TextChoices):
        AWAITING = "awaiting", _("Awaiting a reply")
        POSITIVE = "positive", _("Interested")
        NEGATIVE = "negative", _("Not interested")

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="contacts")
    contacted_on = models.DateField(default=timezone.localdate)
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.EMAIL)
    contact_name = models.CharField(max_length=120)
    contact_role = models.CharField(max_length=160, blank=True)
    summary = models.TextField(blank=True)
    response = models.CharField(max_length=16, choices=Response.choices, default=Response.AWAITING)

    class Meta:
        ordering = ["-contacted_on", "-id"]

    def __str__(self) -> str:
        return f"{self.contact_name} ({self.contacted_on})"


class DueDiligence(models.Model):
    """What was learnt about a candidate: its alliance history and capability gaps."""

    candidate = models.OneToOneField(
        Candidate, on_delete=models.CASCADE, related_name="due_diligence"
    )
    alliance_history = models.TextField(help_text=_("Existing and failed partnerships."))
    existing_partnerships = models.PositiveSmallIntegerField(default=0)
    failed_partnerships = models.PositiveSmallIntegerField(default=0)
    capability_gaps = models.TextField()
    risks = models.TextField(blank=True)
    completed_on = models.DateField(default=timezone.localdate)

    class Meta:
        verbose_name_plural = _("due diligence")

    def __str__(self) -> str:
        return gettext("Due diligence on %(city)s") % {"city": self.candidate.partner.name}


class FeasibilityStudy(models.Model):
    """A realistic look at whether a partnership with the candidate can work."""

    class Conclusion(models.TextChoices):
        FEASIBLE = "feasible", _("Feasible")
        CONDITIONAL = "conditional", _("Feasible with conditions")
        NOT_FEASIBLE = "not_feasible", _("Not feasible")

    candidate = models.OneToOneField(
        Candidate, on_delete=models.CASCADE, related_name="feasibility"
    )
    summary = models.TextField()
    resources_required = models.TextField(blank=True)
    conclusion = models.CharField(max_length=16, choices=Conclusion.choices)
    completed_on = models.DateField(default=timezone.localdate)

    class Meta:
        verbose_name_plural = _("feasibility studies")

    def __str__(self) -> str:
        return gettext("Feasibility of %(city)s: %(conclusion)s") % {
            "city": self.candidate.partner.name,
            "conclusion": self.get_conclusion_display(),
        }


class CriterionScore(models.Model):
    """A candidate's score on one of the strategy's selection criteria."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(
        StrategyCriterion, on_delete=models.CASCADE, related_name="scores"
    )
    score = models.PositiveSmallIntegerField()
    note = models.CharField(max_length=240, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "criterion"],
                name="score_unique_per_criterion",
                violation_error_message=_("This candidate already has a score for this criterion."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.criterion.name}: {self.score}"

    def clean(self) -> None:
        if self.criterion_id and self.score is not None:
            top = self.criterion.max_score
            if not 0 <= self.score <= top:
                raise ValidationError(
                    {"score": _("Score must be between 0 and %(top)s.") % {"top": top}}
                )


class SelectionDecision(models.Model):
    """The choice made in step 4, with its reasons."""

    partnership = models.OneToOneField(
        Partnership, on_delete=models.CASCADE, related_name="selection_decision"
    )
    # RESTRICT: a chosen candidate can't be deleted alone, but goes with its partnership.
    candidate = models.ForeignKey(Candidate, on_delete=models.RESTRICT, related_name="+")
    reasons = models.TextField()
    decided_on = models.DateField(default=timezone.localdate)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return gettext("Selected %(city)s") % {"city": self.candidate.partner.name}

    def clean(self) -> None:
        if (
            self.candidate_id
            and self.partnership_id
            and self.candidate.partnership_id != self.partnership_id
        ):
            raise ValidationError({"candidate": _("Choose one of this partnership's candidates.")})
