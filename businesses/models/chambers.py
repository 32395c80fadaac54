"""Business associations (chambers), their staff accounts, and their member businesses."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from alliances.models import Organisation


class Need(models.Model):
    """Something a business seeks or offers (buyers, suppliers, investment, technology,
    students, tourism): a small reference table seeded by a data migration.

    A table with two many-to-many relations (rather than a JSON list or an array) filters in
    plain SQL on SQLite and PostgreSQL alike: `BusinessProfile.objects.filter(seeks__code=…)`.
    """

    code = models.SlugField(max_length=24, unique=True, verbose_name=_("code"))
    name = models.CharField(
        max_length=80, help_text=_("How it reads when sought."), verbose_name=_("name")
    )
    offer_name = models.CharField(
        max_length=80, help_text=_("How it reads when offered."), verbose_name=_("offer name")
    )
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("position"))

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("need")
        verbose_name_plural = _("needs")

    def __str__(self) -> str:
        return str(self.label)

    # Stored in English, translated when shown (businesses/reference_data.py marks them).
    @property
    def label(self) -> str:
        return gettext(self.name)

    @property
    def offer_label(self) -> str:
        return gettext(self.offer_name)


class BusinessAssociation(models.Model):
    """A business association or chamber of commerce, whose staff manage member businesses.

    It wraps an `alliances.Organisation` of kind "chamber" one-to-one: the chamber is itself a
    party that can join sub-alliances (so it must be an Organisation), while foreign keys that
    mean "an association" (staff, businesses, registrations, leads) point at this model and so
    can never point at a municipal department or a school.
    """

    class Status(models.TextChoices):
        # Registered by an officer or an admin, or a proposal that was approved.
        LISTED = "listed", _("Listed")
        # Proposed by someone signing up whose chamber was not listed; deciding that person's
        # membership decides the association too.
        PROPOSED = "proposed", _("Proposed at sign-up")
        REJECTED = "rejected", _("Not accepted")

    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.PROTECT,
        related_name="association",
        verbose_name=_("organisation"),
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.LISTED, verbose_name=_("status")
    )
    email = models.EmailField(blank=True, verbose_name=_("email"))
    phone = models.CharField(max_length=40, blank=True, verbose_name=_("phone"))
    contact_name = models.CharField(_("contact person"), max_length=120, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["organisation__name"]
        indexes = [models.Index(fields=["status"])]
        verbose_name = _("business association")
        verbose_name_plural = _("business associations")

    def __str__(self) -> str:
        return self.organisation.name

    @property
    def name(self) -> str:
        return self.organisation.name

    @property
    def partner_id(self) -> int:
        """The association's city."""
        return self.organisation.partner_id

    def clean(self) -> None:
        if self.organisation_id and self.organisation.kind != Organisation.Kind.CHAMBER:
            raise ValidationError(
                {
                    "organisation": _(
                        "Choose an organisation of kind business association or chamber."
                    )
                }
            )


class ChamberMembership(models.Model):
    """A user working for a business association. Sign-up creates it pending; an officer of the
    association's city (or an admin) approves or rejects it. Only approved staff act."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="chamber_memberships",
        verbose_name=_("user"),
    )
    association = models.ForeignKey(
        BusinessAssociation,
        on_delete=models.CASCADE,
        related_name="staff",
        verbose_name=_("association"),
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, verbose_name=_("status")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
    decision_note = models.TextField(blank=True, verbose_name=_("decision note"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "association"],
                name="chambermembership_unique",
                violation_error_message=_("This user has already asked to join this association."),
            ),
            models.CheckConstraint(
                condition=models.Q(status="pending", decided_at__isnull=True)
                | (~models.Q(status="pending") & models.Q(decided_at__isnull=False)),
                name="chambermembership_decision_has_date",
                violation_error_message=_(
                    "A decided membership has its decision date; a pending one has none."
                ),
            ),
        ]
        indexes = [models.Index(fields=["association", "status"])]
        verbose_name = _("chamber membership")
        verbose_name_plural = _("chamber memberships")

    def __str__(self) -> str:
        return f"{self.user} – {self.association} ({self.get_status_display()})"


class BusinessProfile(models.Model):
    """A member business of an association: an Organisation of kind business with what the
    matchmaking needs. Its name, city and sectors live on the organisation."""

    class SizeBand(models.TextChoices):
        MICRO = "micro", _("Micro (fewer than 10 people)")
        SMALL = "small", _("Small (10–49)")
        MEDIUM = "medium", _("Medium (50–249)")
        LARGE = "large", _("Large (250 or more)")

    class ExportReadiness(models.TextChoices):
        NONE = "none", _("Not exporting")
        EXPLORING = "exploring", _("Exploring export")
        READY = "ready", _("Export-ready")  # product, capacity and certification in place
        EXPORTING = "exporting", _("Already exporting")

    class ChainPosition(models.TextChoices):
        """Where the business stands in its value chain: a buyer–supplier (vertical) pair is
        one link apart, a horizontal pair stands at the same place."""

        PRIMARY = "primary", _("Raw materials and primary produce")
        PROCESSING = "processing", _("Manufacturing and processing")
        DISTRIBUTION = "distribution", _("Wholesale, distribution and logistics")
        RETAIL = "retail", _("Retail and services to consumers")
        SERVICES = "services", _("Services to other businesses")

    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        related_name="business",
        verbose_name=_("organisation"),
    )
    association = models.ForeignKey(
        BusinessAssociation,
        on_delete=models.PROTECT,
        related_name="businesses",
        verbose_name=_("association"),
    )
    size_band = models.CharField(
        max_length=8, choices=SizeBand.choices, verbose_name=_("size band")
    )
    products_services = models.TextField(
        _("products and services"), blank=True, help_text=_("What the business makes or sells.")
    )
    products_sought = models.TextField(
        _("products and services sought"),
        blank=True,
        help_text=_("What it buys or wants to find: inputs, parts, services, partners."),
    )
    chain_position = models.CharField(
        _("position in the value chain"), max_length=16, choices=ChainPosition.choices, blank=True
    )
    markets_sought = CountryField(_("export markets sought"), multiple=True, blank=True)
    export_readiness = models.CharField(
        max_length=16,
        choices=ExportReadiness.choices,
        default=ExportReadiness.NONE,
        verbose_name=_("export readiness"),
    )
    seeks = models.ManyToManyField(
        Need, blank=True, related_name="sought_by", verbose_name=_("seeks")
    )
    offers = models.ManyToManyField(
        Need, blank=True, related_name="offered_by", verbose_name=_("offers")
    )
    contact_name = models.CharField(max_length=120, blank=True, verbose_name=_("contact name"))
    contact_email = models.EmailField(blank=True, verbose_name=_("contact email"))
    contact_phone = models.CharField(max_length=40, blank=True, verbose_name=_("contact phone"))
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

    class Meta:
        verbose_name = _("business")
        verbose_name_plural = _("businesses")
        ordering = ["organisation__name"]
        indexes = [
            models.Index(fields=["association", "size_band"]),
            models.Index(fields=["export_readiness"]),
        ]

    def __str__(self) -> str:
        return self.organisation.name

    @property
    def name(self) -> str:
        return self.organisation.name

    def clean(self) -> None:
        errors = {}
        if self.organisation_id:
            if self.organisation.kind != Organisation.Kind.BUSINESS:
                errors["organisation"] = _("Choose an organisation of kind business.")
            elif (
                self.association_id
                and self.organisation.partner_id != self.association.organisation.partner_id
            ):
                errors["association"] = _("A business belongs to an association of its own city.")
        if errors:
            raise ValidationError(errors)
