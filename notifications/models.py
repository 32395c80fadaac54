"""Reminders of what is due (reviews, MOU expiries, stalled steps, overdue plan actions), each
person's in-app notifications, their delivery preference, and their personal calendar feed.

A `Reminder` is one message to one person about one occurrence of something due. It is the
record that makes the reminders "exactly once in effect": the daily scan inserts rows and lets
the unique constraints drop those that exist already, and only the worker that moves a row
from *pending* to *sending* (a conditional UPDATE) sends its email. The same row is the
person's in-app notification (`read_at`) and, once sent, an entry of the partnership's
timeline. Written only by `notifications.reminders` (the scan), `notifications.delivery` and
`notifications.services`.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from core.formatting import day
from partnerships.health import rules
from partnerships.models import Partnership, Step


class Reminder(models.Model):
    class Kind(models.TextChoices):
        REVIEW_DUE = "review_due", f"Review due within {rules.REVIEW_DUE_REMINDED_DAYS} days"
        REVIEW_OVERDUE = "review_overdue", "Review overdue"
        # Sent to the member cities' coordinators once a review is that late.
        REVIEW_ESCALATION = (
            "review_escalation",
            f"Review overdue by more than {rules.REVIEW_ESCALATED_AFTER_DAYS} days",
        )
        # The three windows before an MOU's expiry (the codes keep the days they had when made).
        MOU_EXPIRING_90 = (
            "mou_expiring_90",
            f"MOU expires within {rules.MOU_EXPIRING_DAYS} days",
        )
        MOU_EXPIRING_30 = (
            "mou_expiring_30",
            f"MOU expires within {rules.MOU_EXPIRING_SOON_DAYS} days",
        )
        MOU_EXPIRING_7 = (
            "mou_expiring_7",
            f"MOU expires within {rules.MOU_EXPIRING_LAST_DAYS} days",
        )
        MOU_EXPIRED = "mou_expired", "MOU expired"
        STALLED = "stalled", "Partnership stalled in its step"
        ACTION_OVERDUE = "action_overdue", "Plan action overdue"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        # Claimed by one worker, which is sending it now (see delivery.deliver).
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        # The person chose a weekly digest: the row waits for it (in the portal already).
        DIGEST = "digest", "Waiting for the weekly digest"
        # Every retry failed: stays visible until an admin retries it.
        FAILED = "failed", "Failed"
        SNOOZED = "snoozed", "Snoozed"

    class Role(models.TextChoices):
        CHAMPION = "champion", "Champion"
        OFFICER = "officer", "Officer of a member city"
        COORDINATOR = "coordinator", "Coordinator of a member city"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(
        help_text="What it is about: the partnership (reviews, stalled), the MOU or the action."
    )
    occurrence = models.DateField(
        help_text="The date that identifies this occurrence: the review date, the MOU's "
        "expiry, the action's due date, or the day the partnership entered its step."
    )
    about = models.CharField(
        max_length=240,
        blank=True,
        help_text="The action's description, or the number of the step stalled in.",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminders",
        help_text="Empty for a champion without a portal account: then email only.",
    )
    recipient_email = models.EmailField(
        blank=True, help_text="The address written to (lower case), when there is one."
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    batch = models.UUIDField(
        null=True, blank=True, help_text="The scan or digest run that last took this row."
    )
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    snoozed_until = models.DateField(null=True, blank=True)
    snooze_reason = models.TextField(blank=True)

    REVIEW_KINDS = (Kind.REVIEW_DUE, Kind.REVIEW_OVERDUE, Kind.REVIEW_ESCALATION)
    MOU_KINDS = (Kind.MOU_EXPIRING_90, Kind.MOU_EXPIRING_30, Kind.MOU_EXPIRING_7, Kind.MOU_EXPIRED)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Exactly once: one row per kind, object, occurrence and person, whoever inserts it.
            models.UniqueConstraint(
                fields=["kind", "partnership", "object_id", "occurrence", "recipient"],
                condition=models.Q(recipient__isnull=False),
                name="reminder_once_per_user",
            ),
            models.UniqueConstraint(
                fields=["kind", "partnership", "object_id", "occurrence", "recipient_email"],
                condition=models.Q(recipient__isnull=True),
                name="reminder_once_per_address",
            ),
            models.CheckConstraint(
                condition=models.Q(recipient__isnull=False) | ~models.Q(recipient_email=""),
                name="reminder_has_a_recipient",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="reminder_inbox"),
            models.Index(fields=["status", "created_at"], name="reminder_status"),
            models.Index(fields=["partnership", "status"], name="reminder_partnership"),
            models.Index(fields=["batch"], name="reminder_batch"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.partnership_id} → {self.recipient_label}"

    @property
    def recipient_label(self) -> str:
        if self.recipient_id is None:
            return self.recipient_email
        return str(self.recipient)

    @property
    def address(self) -> str:
        """Where the email goes: the account's current address, else the one recorded."""
        if self.recipient_id is not None and self.recipient.email:
            return self.recipient.email
        return self.recipient_email

    @property
    def headline(self) -> str:
        """One line saying what is due (reads the partnership only for its title)."""
        return headline(self.kind, self.occurrence, self.about)

    @property
    def is_unread(self) -> bool:
        return self.read_at is None and self.status != self.Status.SNOOZED


def headline(kind: str, occurrence: dt.date, about: str = "") -> str:
    """What is due, in a line. `about` is the action's description, or for a stalled
    partnership the number of the step it stalled in."""
    when = day(occurrence)
    k = Reminder.Kind
    if kind == k.STALLED and about.isdigit() and int(about) in Step.values:
        step = Step(int(about))
        about = f"step {step.value}: {step.label}"
    return {
        k.REVIEW_DUE: f"Review due on {when}",
        k.REVIEW_OVERDUE: f"Review overdue since {when}",
        k.REVIEW_ESCALATION: (
            f"Review overdue by more than {rules.REVIEW_ESCALATED_AFTER_DAYS} days (due {when})"
        ),
        k.MOU_EXPIRING_90: f"MOU expires on {when}, within {rules.MOU_EXPIRING_DAYS} days",
        k.MOU_EXPIRING_30: f"MOU expires on {when}, within {rules.MOU_EXPIRING_SOON_DAYS} days",
        k.MOU_EXPIRING_7: f"MOU expires on {when}, within a week",
        k.MOU_EXPIRED: f"MOU expired on {when}",
        k.STALLED: f"In “{about}” since {when}" if about else f"In the same step since {when}",
        k.ACTION_OVERDUE: f"Plan action “{about}” was due on {when}",
    }.get(kind, f"{kind} ({when})")


class NotificationPreference(models.Model):
    """How a person wants their reminders by email (in the portal they appear at once)."""

    class Delivery(models.TextChoices):
        IMMEDIATE = "immediate", "An email for each reminder, as it comes"
        DIGEST = "digest", "One email a week listing them (the weekly digest)"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    delivery = models.CharField(max_length=16, choices=Delivery.choices, default=Delivery.IMMEDIATE)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user}: {self.get_delivery_display()}"


class CalendarFeed(models.Model):
    """A person's private calendar (ICS) feed. The address carries a token derived from
    `secret` with the SECRET_KEY (see `notifications.calendar`): the token itself is stored
    nowhere, and a new secret revokes every address given out before."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    secret = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"


class Follow(models.Model):
    """A person follows a record (a partnership, a sub-alliance: hence the generic link).
    Written by `notifications.services.follow`/`unfollow`. (The same model as branch
    `notify`'s, which the merge keeps.)"""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "content_type", "object_id"], name="follow_once"
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="follow_target")]

    def __str__(self) -> str:
        return f"{self.user} follows {self.content_type.model} {self.object_id}"
