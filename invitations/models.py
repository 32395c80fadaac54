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

    city = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="invitations")
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
    )
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
        help_text=_("Where the invitee lands once they accept."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    sent_count = models.PositiveIntegerField(default=0)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_accepted",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_revoked",
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

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="sendings")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitation_sendings"
    )
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["sent_by", "sent_at"], name="invitation_sending_by_time")]

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
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="city_join_requests"
    )
    city = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="join_requests")
    message = models.TextField(blank=True, max_length=2000)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="city_join_requests_decided",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, max_length=2000)

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

    def __str__(self) -> str:
        return gettext("%(user)s asks to join %(city)s") % {
            "user": self.user,
            "city": self.city.name,
        }
