"""A chamber telling a partnership its member businesses want to take part, and a chamber
proposing a partnership its city does not have yet."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from businesses.models.chambers import BusinessAssociation, BusinessProfile
from partnerships.models import Candidate, Partner, Partnership, Sector


class InterestRegistration(models.Model):
    """Member businesses' interest in a partnership, registered by their chamber's staff and
    accepted or declined, with a message, by an officer of a member city."""

    class Timeframe(models.TextChoices):
        SOON = "0_6", _("Within 6 months")
        YEAR = "6_12", _("Within a year")
        LATER = "12_24", _("In one to two years")
        OPEN = "open", _("No fixed timeframe")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the officers")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn by the chamber")

    association = models.ForeignKey(
        BusinessAssociation,
        on_delete=models.PROTECT,
        related_name="registrations",
        verbose_name=_("association"),
    )
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="interest_registrations",
        verbose_name=_("partnership"),
    )
    businesses = models.ManyToManyField(
        BusinessProfile,
        through="InterestedBusiness",
        related_name="registrations",
        verbose_name=_("businesses"),
    )
    objectives = models.TextField(
        help_text=_("What the businesses want from the partnership."), verbose_name=_("objectives")
    )
    sectors = models.ManyToManyField(
        Sector, blank=True, related_name="+", verbose_name=_("sectors")
    )
    offers = models.TextField(_("what they offer"), blank=True)
    seeks = models.TextField(_("what they seek"), blank=True)
    timeframe = models.CharField(
        max_length=8, choices=Timeframe.choices, default=Timeframe.OPEN, verbose_name=_("timeframe")
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, verbose_name=_("status")
    )
    officer_message = models.TextField(blank=True, verbose_name=_("officer message"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
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
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="pending", decided_at__isnull=True)
                | models.Q(status__in=["accepted", "declined"], decided_at__isnull=False)
                | models.Q(status="withdrawn"),
                name="registration_decision_has_date",
                violation_error_message=_(
                    "An accepted or declined registration has its decision "
                    "date; a pending one has none."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["partnership", "status", "-created_at"]),
            models.Index(fields=["association", "-created_at"]),
        ]
        verbose_name = _("interest registration")
        verbose_name_plural = _("interest registrations")

    def __str__(self) -> str:
        return f"{self.association} → {self.partnership} ({self.get_status_display()})"

    def clean(self) -> None:
        if not (self.objectives or "").strip():
            raise ValidationError({"objectives": _("Say what the businesses want to achieve.")})
        if self.status == self.Status.DECLINED and not (self.officer_message or "").strip():
            raise ValidationError(
                {"officer_message": _("Tell the chamber why the interest is declined.")}
            )


class InterestedBusiness(models.Model):
    """One business named in a registration.

    The partnership and whether the registration was withdrawn are copied here (the services
    keep them in step) so that the database itself refuses the same business's interest in
    the same partnership twice, among registrations that were not withdrawn.
    """

    registration = models.ForeignKey(
        InterestRegistration,
        on_delete=models.CASCADE,
        related_name="entries",
        verbose_name=_("registration"),
    )
    business = models.ForeignKey(
        BusinessProfile, on_delete=models.CASCADE, related_name="+", verbose_name=_("business")
    )
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="+", verbose_name=_("partnership")
    )
    withdrawn = models.BooleanField(default=False, verbose_name=_("withdrawn"))

    class Meta:
        verbose_name = _("interested business")
        constraints = [
            models.UniqueConstraint(
                fields=["business", "partnership"],
                condition=models.Q(withdrawn=False),
                name="interest_unique_business_per_partnership",
                violation_error_message=_(
                    "This business has already registered interest in this partnership."
                ),
            ),
            models.UniqueConstraint(
                fields=["registration", "business"], name="interest_business_once_per_registration"
            ),
        ]
        indexes = [models.Index(fields=["partnership", "withdrawn"])]

    def __str__(self) -> str:
        return str(
            _("%(business)s in %(partnership)s")
            % {"business": self.business, "partnership": self.partnership}
        )

    def clean(self) -> None:
        if self.registration_id and self.partnership_id != self.registration.partnership_id:
            raise ValidationError({"partnership": _("Must be the registration's partnership.")})


class PartnershipLead(models.Model):
    """A chamber's proposal of a partnership with a city its own city has none with.

    It reaches the officers of the chamber's own city (the home city), whose search step it
    feeds: they take it up as a candidate on one of their partnerships in the search step, or
    decline it with a message. The target city's officers do not see it: a chamber lobbies its
    own municipality, which then approaches the other city.
    """

    class Status(models.TextChoices):
        NEW = "new", _("New")
        TAKEN_UP = "taken_up", _("Taken up as a candidate")
        DECLINED = "declined", _("Declined")

    association = models.ForeignKey(
        BusinessAssociation,
        on_delete=models.PROTECT,
        related_name="leads",
        verbose_name=_("association"),
    )
    home = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("home city"),
        help_text=_("The association's city, whose officers receive the lead."),
    )
    target = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed partner city")
    )
    rationale = models.TextField(
        help_text=_("Why this city: markets, sectors, existing ties."), verbose_name=_("rationale")
    )
    trade = models.TextField(
        _("trade in view"), blank=True, help_text=_("What would be bought, sold or made together.")
    )
    businesses = models.ManyToManyField(
        BusinessProfile,
        blank=True,
        related_name="+",
        help_text=_("The member businesses behind the proposal."),
        verbose_name=_("businesses"),
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.NEW, verbose_name=_("status")
    )
    candidate = models.ForeignKey(
        Candidate,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The candidate it became."),
        verbose_name=_("candidate"),
    )
    officer_message = models.TextField(blank=True, verbose_name=_("officer message"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
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
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(home=models.F("target")),
                name="lead_target_not_home",
                violation_error_message=_("A city cannot partner with itself."),
            ),
            models.UniqueConstraint(
                fields=["home", "target"],
                condition=models.Q(status="new"),
                name="lead_one_open_per_pair",
                violation_error_message=_(
                    "A lead for this city is already waiting for the officers."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["home", "status"]),
            models.Index(fields=["association", "-created_at"]),
        ]
        verbose_name = _("partnership lead")
        verbose_name_plural = _("partnership leads")

    def __str__(self) -> str:
        return str(
            _("%(home)s ↔ %(target)s (proposed by %(association)s)")
            % {"home": self.home.name, "target": self.target.name, "association": self.association}
        )

    def clean(self) -> None:
        if self.home_id and self.home_id == self.target_id:
            raise ValidationError({"target": _("A city cannot partner with itself.")})
        if not (self.rationale or "").strip():
            raise ValidationError({"rationale": _("Say why this city would be a good partner.")})
