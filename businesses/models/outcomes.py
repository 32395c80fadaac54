"""The measured economic results of business sub-alliances."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliances.models import SubAlliance
from partnerships.models import Partner


class Outcome(models.Model):
    """One result of a sub-alliance: a count (contacts, deals, jobs…) or a sum of money
    (export value, investment) with its currency, on a date."""

    class Kind(models.TextChoices):
        CONTACTS = "contacts", _("Business contacts made")
        DEALS = "deals", _("Deals concluded")
        EXPORT_VALUE = "export_value", _("Export value")  # money
        INVESTMENT = "investment", _("Investment")  # money
        JOBS = "jobs", _("Jobs created")
        STUDENTS = "students", _("Students placed or exchanged")
        VISITORS = "visitors", _("Visitors (tourism)")

    MONEY_KINDS = frozenset({Kind.EXPORT_VALUE, Kind.INVESTMENT})

    sub_alliance = models.ForeignKey(
        SubAlliance,
        on_delete=models.CASCADE,
        related_name="outcomes",
        verbose_name=_("sub alliance"),
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, verbose_name=_("kind"))
    amount = models.DecimalField(
        max_digits=16,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
        verbose_name=_("amount"),
    )
    currency = models.CharField(
        max_length=3,
        blank=True,
        validators=[
            RegexValidator(r"^[A-Z]{3}$", _("Give the ISO 4217 currency code, e.g. ZAR, EUR, SEK."))
        ],
        help_text=_("ISO 4217 code, for export value and investment only."),
        verbose_name=_("currency"),
    )
    occurred_on = models.DateField(default=timezone.localdate, verbose_name=_("occurred on"))
    partner = models.ForeignKey(
        Partner,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("city"),
        help_text=_("The side where the result was achieved, if it belongs to one."),
    )
    note = models.TextField(blank=True, verbose_name=_("note"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(default=timezone.now, verbose_name=_("recorded at"))

    class Meta:
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0),
                name="outcome_amount_not_negative",
                violation_error_message=_("The amount cannot be negative."),
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind__in=["export_value", "investment"]) & ~models.Q(currency="")
                )
                | (~models.Q(kind__in=["export_value", "investment"]) & models.Q(currency="")),
                name="outcome_currency_for_money_only",
                violation_error_message=_("Money needs a currency; counts have none."),
            ),
        ]
        indexes = [
            models.Index(fields=["sub_alliance", "kind"]),
            models.Index(fields=["occurred_on"]),
        ]
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")

    def __str__(self) -> str:
        values = {"kind": self.get_kind_display(), "amount": self.amount, "currency": self.currency}
        if self.currency:
            return str(_("%(kind)s: %(amount)s %(currency)s") % values)
        return str(_("%(kind)s: %(amount)s") % values)

    @property
    def is_money(self) -> bool:
        return self.kind in self.MONEY_KINDS

    def clean_fields(self, exclude=None) -> None:
        # "zar " is ZAR: normalised before the field's own validation.
        self.currency = (self.currency or "").strip().upper()
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        errors = {}
        if self.kind in self.MONEY_KINDS:
            if not self.currency:
                errors["currency"] = _("Give the currency of this amount (e.g. ZAR, EUR).")
        elif self.kind:
            if self.currency:
                errors["currency"] = _("A count has no currency.")
            if isinstance(self.amount, Decimal) and self.amount != self.amount.to_integral_value():
                errors["amount"] = _("A count is a whole number.")
        if errors:
            raise ValidationError(errors)
