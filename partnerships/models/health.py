"""A partnership's health facts and score, stored (partnerships.health.stored keeps them).

The score is computed, never typed in (partnerships/health/). Computing it means ten
subqueries per partnership, and a portfolio ranked weakest first needs every score: a network
coordinator's dashboard scored all of 100,000 partnerships on every visit (4.2 s). So each
running partnership's facts and score are kept here, for the day they were computed on.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerships.models.partnership import Partnership


class HealthSummary(models.Model):
    """The facts `health.score` reads besides the partnership's own fields, and the score, as
    they were on `scored_on`. A write to any of them marks the row stale (`scored_on` None,
    `stamp` + 1); a reader recomputes a stale or missing row, or one of an earlier day (the
    score depends on the day), before reading it. `stamp` tells a recomputation that a write
    came in meanwhile: it then leaves the row stale rather than store what it read before."""

    partnership = models.OneToOneField(
        Partnership,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="health_summary",
        verbose_name=_("partnership"),
    )
    stamp = models.BigIntegerField(default=0, db_default=0, verbose_name=_("stamp"))
    scored_on = models.DateField(null=True, blank=True, verbose_name=_("scored on"))
    score = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("score"))
    last_activity_on = models.DateField(null=True, blank=True, verbose_name=_("last activity on"))
    has_champion = models.BooleanField(
        default=False, db_default=False, verbose_name=_("has a champion")
    )
    signed_mou_expires_on = models.DateField(
        null=True, blank=True, verbose_name=_("signed MOU expires on")
    )
    has_signed_mou = models.BooleanField(
        default=False, db_default=False, verbose_name=_("has a signed MOU")
    )
    expired_mou_on = models.DateField(null=True, blank=True, verbose_name=_("MOU expired on"))
    last_review_end = models.DateField(null=True, blank=True, verbose_name=_("last review's end"))
    kpis_measured = models.PositiveIntegerField(
        default=0, db_default=0, verbose_name=_("KPIs measured")
    )
    kpis_off_target = models.PositiveIntegerField(
        default=0, db_default=0, verbose_name=_("KPIs off target")
    )
    # None: not assessed (no business-involvement provider registered).
    business_involved = models.BooleanField(
        null=True, blank=True, verbose_name=_("business involved")
    )
    has_kpis = models.BooleanField(default=False, db_default=False, verbose_name=_("has KPIs"))

    class Meta:
        verbose_name = _("health summary")
        verbose_name_plural = _("health summaries")
        indexes = [
            # The weakest first, and the rows a day's first reader must recompute.
            models.Index(fields=["score"], name="health_score_idx"),
            models.Index(fields=["scored_on"], name="health_scored_on_idx"),
            models.Index(fields=["signed_mou_expires_on"], name="health_mou_expires_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.partnership_id}: {self.score} ({self.scored_on})"
