"""Step 1: a city's twinning strategy, versioned, with one version in force."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from partnerships.models.partners import Partner


class TwinningStrategy(models.Model):
    """Why a city partners, and how it chooses partners. Serves many partnerships."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_FORCE = "in_force", _("In force")
        SUPERSEDED = "superseded", _("Superseded")

    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="strategies", verbose_name=_("partner")
    )
    version = models.PositiveIntegerField(default=1, verbose_name=_("version"))
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.DRAFT, verbose_name=_("status")
    )
    vision = models.TextField(
        verbose_name=_("vision"),
    )
    goals = models.TextField(
        verbose_name=_("goals"),
    )
    champion = models.CharField(
        max_length=160,
        blank=True,
        help_text=_("The political or senior champion of the strategy."),
        verbose_name=_("champion"),
    )
    senior_management_involvement = models.TextField(
        blank=True, verbose_name=_("senior management involvement")
    )
    learning_capture = models.TextField(
        _("how learning is captured"),
        blank=True,
        help_text=_("How lessons feed back into strategy."),
    )
    development_plan_context = models.TextField(
        _("development plan context"),
        blank=True,
        help_text=_("Links to the local development plan."),
    )
    national_policy_context = models.TextField(_("national / provincial policy"), blank=True)
    approved_on = models.DateField(null=True, blank=True, verbose_name=_("approved on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = _("twinning strategies")
        ordering = ["partner__name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "version"], name="strategy_unique_version"),
            models.UniqueConstraint(
                fields=["partner"],
                condition=models.Q(status="in_force"),
                name="strategy_one_in_force_per_partner",
                violation_error_message=_("This city already has a strategy in force."),
            ),
            models.CheckConstraint(
                condition=~models.Q(status="in_force") | models.Q(approved_on__isnull=False),
                name="strategy_in_force_has_approval_date",
                violation_error_message=_("A strategy in force needs its approval date."),
            ),
        ]
        verbose_name = _("twinning strategy")

    def __str__(self) -> str:
        return gettext("%(city)s strategy v%(version)s (%(status)s)") % {
            "city": self.partner.name,
            "version": self.version,
            "status": self.get_status_display(),
        }


class CriterionMeasure(models.TextChoices):
    """What a strategy criterion measures: the parts of step 2's fit, and a judgement."""

    SIZE = "size", _("Similar size (population)")
    SHARED_SECTORS = "shared_sectors", _("Sectors in common")
    # Sectors the home city lacks and the partner has.
    COMPLEMENTARY_SECTORS = "complementary_sectors", _("Complementary sectors")
    # The partner's other partnerships on this partnership's areas of cooperation.
    AREAS = "areas", _("Experience in the partnership's areas of cooperation")
    # Other cities of the home city's country already in partnership with it.
    TIES = "ties", _("Existing ties with cities of our country")
    # Counted only for decentralised cooperation.
    NORTH_SOUTH = "north_south", _("Other side of the North/South divide")
    DISTANCE = "distance", _("Nearness (distance between the cities)")
    LANGUAGE = "language", _("A language in common")
    # Not computed: the officers score it by hand in step 4.
    JUDGEMENT = "judgement", _("Judgement, scored by hand")


class StrategyCriterion(models.Model):
    """A weighted guideline for choosing partners; candidates are scored against it in step 4.

    `measure` says what it looks at, so that step 2's suggestions score exactly that
    (partnerships/suggestions.py); a judgement is left to the officers' scores in step 4.
    """

    Measure = CriterionMeasure

    strategy = models.ForeignKey(
        TwinningStrategy,
        on_delete=models.CASCADE,
        related_name="criteria",
        verbose_name=_("strategy"),
    )
    name = models.CharField(max_length=120, verbose_name=_("name"))
    measure = models.CharField(
        max_length=24,
        choices=Measure.choices,
        verbose_name=_("what it measures"),
        help_text=_(
            "What the portal's suggestions score for this criterion in step 2. Choose "
            "“Judgement” for what only people can weigh (commitment, trust): it is scored "
            "by hand in step 4 only."
        ),
    )
    description = models.TextField(blank=True, verbose_name=_("description"))
    weight = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        verbose_name=_("weight"),
    )
    max_score = models.PositiveSmallIntegerField(
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Scores run from 0 to this value."),
        verbose_name=_("max score"),
    )

    class Meta:
        ordering = ["-weight", "name"]
        verbose_name_plural = _("strategy criteria")
        constraints = [
            models.UniqueConstraint(fields=["strategy", "name"], name="criterion_unique_name"),
            models.CheckConstraint(
                condition=models.Q(weight__gte=1, weight__lte=10), name="criterion_weight_range"
            ),
            models.CheckConstraint(
                condition=models.Q(max_score__gte=1, max_score__lte=100),
                name="criterion_max_score_range",
            ),
            models.CheckConstraint(
                condition=models.Q(measure__in=CriterionMeasure.values),
                name="criterion_measure_known",
            ),
        ]
        verbose_name = _("strategy criterion")

    def __str__(self) -> str:
        return f"{self.name} (×{self.weight})"
