"""Step 6: the agreement or memorandum of understanding, and who signed it."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from partnerships.models.partners import CooperationArea, Partner
from partnerships.models.partnership import Partnership
from partnerships.models.uploads import private_document_path, validate_pdf


class MOU(models.Model):
    """A memorandum of understanding. A partnership has at most one signed MOU at a time."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED = "signed", _("Signed")
        EXPIRED = "expired", _("Expired")
        TERMINATED = "terminated", _("Terminated")

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="mous", verbose_name=_("partnership")
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.DRAFT, verbose_name=_("status")
    )
    areas = models.ManyToManyField(
        CooperationArea, blank=True, related_name="+", verbose_name=_("areas of cooperation")
    )
    effective_on = models.DateField(null=True, blank=True, verbose_name=_("effective on"))
    expires_on = models.DateField(null=True, blank=True, verbose_name=_("expires on"))
    termination_conditions = models.TextField(blank=True, verbose_name=_("termination conditions"))
    other_terms = models.TextField(blank=True, verbose_name=_("other terms"))
    signed_on = models.DateField(null=True, blank=True, verbose_name=_("signed on"))
    ceremony_on = models.DateField(null=True, blank=True, verbose_name=_("ceremony on"))
    ceremony_place = models.CharField(max_length=160, blank=True, verbose_name=_("ceremony place"))
    document = models.FileField(
        upload_to=private_document_path,
        blank=True,
        validators=[validate_pdf],
        verbose_name=_("document"),
    )
    terminated_on = models.DateField(null=True, blank=True, verbose_name=_("terminated on"))
    termination_reason = models.TextField(blank=True, verbose_name=_("termination reason"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("MOU")
        verbose_name_plural = _("MOUs")
        ordering = ["-effective_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True)
                | models.Q(effective_on__isnull=True)
                | models.Q(expires_on__gt=models.F("effective_on")),
                name="mou_expiry_after_effective",
                violation_error_message=_("The expiry date must be after the effective date."),
            ),
            models.UniqueConstraint(
                fields=["partnership"],
                condition=models.Q(status="signed"),
                name="mou_one_signed_per_partnership",
                violation_error_message=_("This partnership already has a signed MOU."),
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_on"])]

    def __str__(self) -> str:
        return gettext("MOU of %(partnership)s (%(status)s)") % {
            "partnership": self.partnership,
            "status": self.get_status_display(),
        }

    def clean(self) -> None:
        errors = {}
        if self.effective_on and self.expires_on and self.expires_on <= self.effective_on:
            errors["expires_on"] = _("The expiry date must be after the effective date.")
        if self.status == self.Status.SIGNED:
            for field in ("signed_on", "effective_on", "expires_on"):
                if not getattr(self, field):
                    errors.setdefault(field, _("A signed MOU needs this date."))
        if errors:
            raise ValidationError(errors)


class MOUSignatory(models.Model):
    """A person who signed the MOU, on one side."""

    mou = models.ForeignKey(
        MOU, on_delete=models.CASCADE, related_name="signatories", verbose_name=_("mou")
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="+", verbose_name=_("partner")
    )
    name = models.CharField(max_length=120, verbose_name=_("name"))
    title = models.CharField(max_length=160, blank=True, verbose_name=_("title"))

    class Meta:
        verbose_name_plural = _("MOU signatories")
        verbose_name = _("mou signatory")

    def __str__(self) -> str:
        return gettext("%(name)s for %(city)s") % {"name": self.name, "city": self.partner.name}
