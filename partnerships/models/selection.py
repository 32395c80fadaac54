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
        Partnership,
        on_delete=models.CASCADE,
        related_name="candidates",
        verbose_name=_("partnership"),
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="candidacies", verbose_name=_("partner")
    )
    rationale = models.TextField(
        help_text=_("Why this city fits the strategy."), verbose_name=_("rationale")
    )
    source = models.CharField(
        max_length=16, choices=Source.choices, default=Source.OFFICER, verbose_name=_("source")
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.CONSIDERED, verbose_name=_("status")
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        ordering = ["partner__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "partner"],
                name="candidate_unique_partner",
                violation_error_message=_("This city is already a candidate."),
            )
        ]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")

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

    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("candidate")
    )
    contacted_on = models.DateField(default=timezone.localdate, verbose_name=_("contacted on"))
    channel = models.CharField(
        max_length=16, choices=Channel.choices, default=Channel.EMAIL, verbose_name=_("channel")
    )
    contact_name = models.CharField(max_length=120, verbose_name=_("contact name"))
    contact_role = models.CharField(max_length=160, blank=True, verbose_name=_("contact role"))
    summary = models.TextField(blank=True, verbose_name=_("summary"))
    response = models.CharField(
        max_length=16,
        choices=Response.choices,
        default=Response.AWAITING,
        verbose_name=_("response"),
    )

    class Meta:
        ordering = ["-contacted_on", "-id"]
        verbose_name = _("approach contact")
        verbose_name_plural = _("approach contacts")

    def __str__(self) -> str:
        return f"{self.contact_name} ({self.contacted_on})"


class DueDiligence(models.Model):
    """What was learnt about a candidate: its alliance history and capability gaps."""

    candidate = models.OneToOneField(
        Candidate,
        on_delete=models.CASCADE,
        related_name="due_diligence",
        verbose_name=_("candidate"),
    )
    alliance_history = models.TextField(
        help_text=_("Existing and failed partnerships."), verbose_name=_("alliance history")
    )
    existing_partnerships = models.PositiveSmallIntegerField(
        default=0, verbose_name=_("existing partnerships")
    )
    failed_partnerships = models.PositiveSmallIntegerField(
        default=0, verbose_name=_("failed partnerships")
    )
    capability_gaps = models.TextField(
        verbose_name=_("capability gaps"),
    )
    risks = models.TextField(blank=True, verbose_name=_("risks"))
    completed_on = models.DateField(default=timezone.localdate, verbose_name=_("completed on"))

    class Meta:
        verbose_name_plural = _("due diligence")
        verbose_name = _("due diligence")

    def __str__(self) -> str:
        return gettext("Due diligence on %(city)s") % {"city": self.candidate.partner.name}


class FeasibilityStudy(models.Model):
    """A realistic look at whether a partnership with the candidate can work."""

    class Conclusion(models.TextChoices):
        FEASIBLE = "feasible", _("Feasible")
        CONDITIONAL = "conditional", _("Feasible with conditions")
        NOT_FEASIBLE = "not_feasible", _("Not feasible")

    candidate = models.OneToOneField(
        Candidate, on_delete=models.CASCADE, related_name="feasibility", verbose_name=_("candidate")
    )
    summary = models.TextField(
        verbose_name=_("summary"),
    )
    resources_required = models.TextField(blank=True, verbose_name=_("resources required"))
    conclusion = models.CharField(
        max_length=16, choices=Conclusion.choices, verbose_name=_("conclusion")
    )
    completed_on = models.DateField(default=timezone.localdate, verbose_name=_("completed on"))

    class Meta:
        verbose_name_plural = _("feasibility studies")
        verbose_name = _("feasibility study")

    def __str__(self) -> str:
        return gettext("Feasibility of %(city)s: %(conclusion)s") % {
            "city": self.candidate.partner.name,
            "conclusion": self.get_conclusion_display(),
        }


class CriterionScore(models.Model):
    """A candidate's score on one of the strategy's selection criteria."""

    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="scores", verbose_name=_("candidate")
    )
    criterion = models.ForeignKey(
        StrategyCriterion,
        on_delete=models.CASCADE,
        related_name="scores",
        verbose_name=_("criterion"),
    )
    score = models.PositiveSmallIntegerField(
        verbose_name=_("score"),
    )
    note = models.CharField(max_length=240, blank=True, verbose_name=_("note"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "criterion"],
                name="score_unique_per_criterion",
                violation_error_message=_("This candidate already has a score for this criterion."),
            )
        ]
        verbose_name = _("criterion score")
        verbose_name_plural = _("criterion scores")

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
        Partnership,
        on_delete=models.CASCADE,
        related_name="selection_decision",
        verbose_name=_("partnership"),
    )
    # RESTRICT: a chosen candidate can't be deleted alone, but goes with its partnership.
    candidate = models.ForeignKey(
        Candidate, on_delete=models.RESTRICT, related_name="+", verbose_name=_("candidate")
    )
    reasons = models.TextField(
        verbose_name=_("reasons"),
    )
    decided_on = models.DateField(default=timezone.localdate, verbose_name=_("decided on"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )

    class Meta:
        verbose_name = _("selection decision")
        verbose_name_plural = _("selection decisions")

    def __str__(self) -> str:
        return gettext("Selected %(city)s") % {"city": self.candidate.partner.name}

    def clean(self) -> None:
        if (
            self.candidate_id
            and self.partnership_id
            and self.candidate.partnership_id != self.partnership_id
        ):
            raise ValidationError({"candidate": _("Choose one of this partnership's candidates.")})
