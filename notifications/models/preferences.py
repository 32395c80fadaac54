"""What each person chose: how their reminders and events come by e-mail, what they follow, and
their personal calendar feed."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from notifications.models.reminders import EVENT_KIND_VALUES, Reminder
from partnerships.events import CHAMBER_KINDS


class NotificationPreference(models.Model):
    """How a person wants their reminders by email (in the portal they appear at once)."""

    class Delivery(models.TextChoices):
        IMMEDIATE = "immediate", _("An email for each reminder, as it comes")
        DIGEST = "digest", _("One email a week listing them (the weekly digest)")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("user"),
    )
    delivery = models.CharField(
        max_length=16,
        choices=Delivery.choices,
        default=Delivery.IMMEDIATE,
        verbose_name=_("delivery"),
    )
    # {event kind: an EventChoice}, only the kinds the person changed from EVENT_DEFAULTS.
    events = models.JSONField(default=dict, blank=True, verbose_name=_("events"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class EventChoice(models.TextChoices):
        IMMEDIATE = "immediate", _("At once")
        DAILY = "daily", _("In a daily digest")
        OFF = "off", _("Off (in the portal only)")

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user}: {self.get_delivery_display()}"

    def event_choice(self, kind: str) -> str:
        return event_choice(self.events, kind)


# What a person gets by email for each kind of event until they choose: what waits for them
# at once, the rest in the daily digest.
EVENT_DEFAULTS: dict[str, str] = {
    **dict.fromkeys(EVENT_KIND_VALUES, NotificationPreference.EventChoice.DAILY),
    Reminder.Kind.CONFIRMATION_AWAITED: NotificationPreference.EventChoice.IMMEDIATE,
    Reminder.Kind.MENTIONED: NotificationPreference.EventChoice.IMMEDIATE,
    # The chamber journey: a decision waits for someone, or was made about them: at once.
    **dict.fromkeys(CHAMBER_KINDS, NotificationPreference.EventChoice.IMMEDIATE),
}


def event_choice(events: dict | None, kind: str) -> str:
    """The person's choice for this kind (`events` as stored), else the default."""
    chosen = (events or {}).get(kind)
    if chosen in NotificationPreference.EventChoice.values:
        return chosen
    return EVENT_DEFAULTS[kind]


class Follow(models.Model):
    """A person follows a record (a partnership; a sub-alliance later, hence the generic
    link): they hear of its moves. Written by `notifications.services.follow`/`unfollow`."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="follows",
        verbose_name=_("user"),
    )
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", verbose_name=_("content type")
    )
    object_id = models.PositiveBigIntegerField(
        verbose_name=_("object id"),
    )
    target = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "content_type", "object_id"], name="follow_once"
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="follow_target")]
        verbose_name = _("follow")
        verbose_name_plural = _("follows")

    def __str__(self) -> str:
        return gettext("%(user)s follows %(model)s %(id)s") % {
            "user": self.user,
            "model": self.content_type.model,
            "id": self.object_id,
        }


class CalendarFeed(models.Model):
    """A person's private calendar (ICS) feed. The address carries a token derived from
    `secret` with the SECRET_KEY (see `notifications.calendar`): the token itself is stored
    nowhere, and a new secret revokes every address given out before."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feed",
        verbose_name=_("user"),
    )
    secret = models.CharField(max_length=64, verbose_name=_("secret"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    last_fetched_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last fetched at"))

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return gettext("Calendar feed of %(user)s") % {"user": self.user}
