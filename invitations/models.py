"""Invitations to work for a city on the portal, and requests to join a city as its officer.

An invitation's link is signed (invitations.tokens), but what it may still do lives here, in
its row: it is used once (`accepted_at`), withdrawn (`revoked_at`) or out of date
(`expires_at`, renewed by a resend). A join request is decided by a coordinator of the city,
or by an admin where the city has none.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from partnerships.models import Partner, Partnership

VALID_FOR = dt.timedelta(days=7)


class Invitation(models.Model):
    """An e-mail address invited to work for `city` (landing on `partnership` when given)."""

    city = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("city")
    )
    email = models.EmailField(_("email address"))
    # The invited person's language: the invitation e-mail is written in it and their new
    # account starts with it (empty: the portal's default).
    language = models.CharField(
        _("language"), max_length=10, blank=True, choices=settings.LANGUAGES
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="invitations_sent",
        verbose_name=_("invited by"),
    )
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
        help_text=_("Where the invitee lands once they accept."),
        verbose_name=_("partnership"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    expires_at = models.DateTimeField(
        verbose_name=_("expires at"),
    )
    sent_count = models.PositiveIntegerField(default=0, verbose_name=_("sent count"))
    last_sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last sent at"))
    accepted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("accepted at"))
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_accepted",
        verbose_name=_("accepted by"),
    )
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("revoked at"))
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_revoked",
        verbose_name=_("revoked by"),
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One open invitation per address and city: inviting again renews it.
            models.UniqueConstraint(
                Lower("email"),
                "city",
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_address",
                violation_error_message=_(
                    "This address already has an open invitation to the city."
                ),
            ),
        ]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.city.name}"

    @property
    def is_open(self) -> bool:
        """Neither accepted nor revoked (it may still have expired)."""
        return self.accepted_at is None and self.revoked_at is None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_pending(self) -> bool:
        return self.is_open and not self.is_expired


class InvitationSending(models.Model):
    """One e-mail of an invitation (the first or a resend): what the hourly limit counts."""

    invitation = models.ForeignKey(
        Invitation, on_delete=models.CASCADE, related_name="sendings", verbose_name=_("invitation")
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="invitation_sendings",
        verbose_name=_("sent by"),
    )
    sent_at = models.DateTimeField(default=timezone.now, verbose_name=_("sent at"))

    class Meta:
        indexes = [models.Index(fields=["sent_by", "sent_at"], name="invitation_sending_by_time")]
        verbose_name = _("invitation sending")
        verbose_name_plural = _("invitation sendings")

    def __str__(self) -> str:
        return gettext("%(invitation)s at %(time)s") % {
            "invitation": self.invitation,
            "time": f"{self.sent_at:%Y-%m-%d %H:%M}",
        }


class JoinRequest(models.Model):
    """A person asking to work for a city as its officer."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="city_join_requests",
        verbose_name=_("user"),
    )
    city = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="join_requests", verbose_name=_("city")
    )
    message = models.TextField(blank=True, max_length=2000, verbose_name=_("message"))
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, verbose_name=_("status")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="city_join_requests_decided",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
    reason = models.TextField(blank=True, max_length=2000, verbose_name=_("reason"))

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "city"],
                condition=models.Q(status="pending"),
                name="joinrequest_one_pending_per_city",
                violation_error_message=_("You have already asked to join this city."),
            ),
        ]
        verbose_name = _("join request")
        verbose_name_plural = _("join requests")

    def __str__(self) -> str:
        return gettext("%(user)s asks to join %(city)s") % {
            "user": self.user,
            "city": self.city.name,
        }
