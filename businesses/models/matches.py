"""A chamber proposing one of the matchmaking's pairs to a partnership's officers, who accept it
into a sub-alliance or decline it. Chambers never form sub-alliances themselves: the partnership
is the cities' to run."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliances.models import SubAlliance
from businesses.models.chambers import BusinessAssociation, BusinessProfile
from partnerships.models import Partnership


class MatchProposal(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the officers")
        ACCEPTED = "accepted", _("Accepted into a sub-alliance")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="match_proposals",
        verbose_name=_("partnership"),
    )
    # The proposing chamber's own business is `first`; `second` is in another member city.
    first = models.ForeignKey(
        BusinessProfile, on_delete=models.CASCADE, related_name="+", verbose_name=_("first")
    )
    second = models.ForeignKey(
        BusinessProfile, on_delete=models.CASCADE, related_name="+", verbose_name=_("second")
    )
    association = models.ForeignKey(
        BusinessAssociation,
        on_delete=models.PROTECT,
        related_name="match_proposals",
        verbose_name=_("association"),
    )
    # The pair's score and reasons when proposed: the officers judge what the chamber saw.
    score = models.PositiveIntegerField(default=0, verbose_name=_("score"))
    reasons = models.JSONField(default=list, blank=True, verbose_name=_("reasons"))
    direction = models.CharField(max_length=16, blank=True, verbose_name=_("direction"))
    message = models.TextField(_("message to the officers"), blank=True)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, verbose_name=_("status")
    )
    sub_alliance = models.ForeignKey(
        SubAlliance,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("sub alliance"),
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
                condition=~models.Q(first=models.F("second")),
                name="match_proposal_two_businesses",
                violation_error_message=_("A match is between two businesses."),
            ),
            models.UniqueConstraint(
                fields=["partnership", "first", "second"],
                condition=models.Q(status="pending"),
                name="match_proposal_one_pending_per_pair",
                violation_error_message=_("This pair is already waiting for the officers."),
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "withdrawn"], decided_at__isnull=True)
                | models.Q(status__in=["accepted", "declined"], decided_at__isnull=False),
                name="match_proposal_decision_has_date",
                violation_error_message=_("A decided proposal has its decision date."),
            ),
        ]
        indexes = [
            models.Index(fields=["partnership", "status"]),
            models.Index(fields=["association", "-created_at"]),
        ]
        verbose_name = _("match proposal")
        verbose_name_plural = _("match proposals")

    def __str__(self) -> str:
        return str(
            _("%(first)s + %(second)s in %(partnership)s (%(status)s)")
            % {
                "first": self.first,
                "second": self.second,
                "partnership": self.partnership,
                "status": self.get_status_display(),
            }
        )

    def clean(self) -> None:
        if self.first_id and self.first_id == self.second_id:
            raise ValidationError({"second": _("A match is between two businesses.")})
