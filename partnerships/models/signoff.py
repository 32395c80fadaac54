"""The joint sign-off's other half: a city's confirmation given outside the portal.

At the steps that commit both cities (selection, MOU) the gate asks each member city to
confirm. A city with officers in the portal confirms itself (`MoveConfirmation`); for a city
with none, the home side records what that city said and the signed paper that proves it.
Such a confirmation is never shown as the city's own: once the city's officers join, they
endorse it or dispute it, and a disputed one no longer counts.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.formatting import day
from partnerships.models.choices import Step
from partnerships.models.partners import Partner
from partnerships.models.partnership import Partnership
from partnerships.models.uploads import private_document_path, validate_pdf, validate_pdf_document


class OfflineConfirmation(models.Model):
    """A member city's confirmation of the move out of a joint sign-off step, given outside
    the portal and recorded by the home side's officers with its evidence.

    Like an officer's confirmation, it counts only for the step's current passage (recorded
    since the partnership entered the step), and only while it is not disputed."""

    class Evidence(models.TextChoices):
        LETTER = "letter", _("A signed letter")
        MOU = "mou", _("The signed MOU")

    class Status(models.TextChoices):
        # The city's own officers have not said anything about it (it still counts).
        RECORDED = "recorded", _("Awaiting the city's own word")
        ENDORSED = "endorsed", _("Endorsed by the city's officers")
        # It no longer counts: the gate reopens.
        DISPUTED = "disputed", _("Disputed by the city's officers")

    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="offline_confirmations",
        verbose_name=_("partnership"),
    )
    step = models.PositiveSmallIntegerField(choices=Step.choices, verbose_name=_("step"))
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="+", verbose_name=_("partner")
    )
    confirmed_by_name = models.CharField(_("who confirmed"), max_length=120)
    confirmed_by_role = models.CharField(_("their role"), max_length=160)
    confirmed_on = models.DateField(_("confirmed on"))
    evidence = models.CharField(max_length=8, choices=Evidence.choices, verbose_name=_("evidence"))
    document = models.FileField(
        upload_to=private_document_path,
        validators=[validate_pdf, validate_pdf_document],
        verbose_name=_("document"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(default=timezone.now, verbose_name=_("recorded at"))
    status = models.CharField(
        max_length=8, choices=Status.choices, default=Status.RECORDED, verbose_name=_("status")
    )
    # The city's officer who endorsed or disputed it, when, and (a dispute) why.
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("reviewed at"))
    dispute_reason = models.TextField(blank=True, verbose_name=_("dispute reason"))

    class Meta:
        ordering = ["recorded_at", "id"]
        indexes = [
            models.Index(fields=["partnership", "step", "recorded_at"]),
            # The dashboards: what waits for a city's officers to endorse or dispute.
            models.Index(fields=["partner", "status"], name="offline_conf_partner_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="disputed") | ~models.Q(dispute_reason=""),
                name="offline_conf_dispute_has_reason",
                violation_error_message=_("Say why the confirmation is disputed."),
            ),
            models.CheckConstraint(
                condition=models.Q(step__in=[Step.SELECTION, Step.AGREEMENT]),
                name="offline_conf_joint_step",
                violation_error_message=_("Only selection and the MOU need a joint confirmation."),
            ),
        ]
        verbose_name = _("offline confirmation")
        verbose_name_plural = _("offline confirmations")

    def __str__(self) -> str:
        return f"{self.partner.name}: {self.shown}"

    @property
    def shown(self) -> str:
        """How it reads everywhere: never as the city's own confirmation."""
        on = day(self.confirmed_on, "?")
        return gettext("confirmed outside the portal by %(name)s, %(role)s, on %(date)s") % {
            "name": self.confirmed_by_name,
            "role": self.confirmed_by_role,
            "date": on,
        }

    @property
    def counts(self) -> bool:
        return self.status != self.Status.DISPUTED

    def clean(self) -> None:
        if self.confirmed_on and self.confirmed_on > timezone.localdate():
            raise ValidationError({"confirmed_on": _("The date cannot be in the future.")})
