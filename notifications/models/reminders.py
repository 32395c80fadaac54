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

from babel.lists import format_list
from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.formatting import day
from partnerships.events import Kind as EventKind
from partnerships.health import rules
from partnerships.models import Partnership, Step

# The events that notify someone (a partnership created only makes its creator follow it).
EVENT_KIND_VALUES = tuple(k.value for k in EventKind if k != EventKind.CREATED)


def _lazily(build) -> str:
    """A label built when it is read (in the reader's language), e.g. with a number in it."""
    return lazy(build, str)()


class Reminder(models.Model):
    class Kind(models.TextChoices):
        REVIEW_DUE = (
            "review_due",
            _lazily(
                lambda: (
                    ngettext(
                        "Review due within %(days)s day",
                        "Review due within %(days)s days",
                        rules.REVIEW_DUE_REMINDED_DAYS,
                    )
                    % {"days": rules.REVIEW_DUE_REMINDED_DAYS}
                )
            ),
        )
        REVIEW_OVERDUE = "review_overdue", _("Review overdue")
        # Sent to the member cities' coordinators once a review is that late.
        REVIEW_ESCALATION = (
            "review_escalation",
            _lazily(
                lambda: (
                    ngettext(
                        "Review overdue by more than %(days)s day",
                        "Review overdue by more than %(days)s days",
                        rules.REVIEW_ESCALATED_AFTER_DAYS,
                    )
                    % {"days": rules.REVIEW_ESCALATED_AFTER_DAYS}
                )
            ),
        )
        # The three windows before an MOU's expiry (the codes keep the days they had when made).
        MOU_EXPIRING_90 = (
            "mou_expiring_90",
            _lazily(
                lambda: (
                    ngettext(
                        "MOU expires within %(days)s day",
                        "MOU expires within %(days)s days",
                        rules.MOU_EXPIRING_DAYS,
                    )
                    % {"days": rules.MOU_EXPIRING_DAYS}
                )
            ),
        )
        MOU_EXPIRING_30 = (
            "mou_expiring_30",
            _lazily(
                lambda: (
                    ngettext(
                        "MOU expires within %(days)s day",
                        "MOU expires within %(days)s days",
                        rules.MOU_EXPIRING_SOON_DAYS,
                    )
                    % {"days": rules.MOU_EXPIRING_SOON_DAYS}
                )
            ),
        )
        MOU_EXPIRING_7 = (
            "mou_expiring_7",
            _lazily(
                lambda: (
                    ngettext(
                        "MOU expires within %(days)s day",
                        "MOU expires within %(days)s days",
                        rules.MOU_EXPIRING_LAST_DAYS,
                    )
                    % {"days": rules.MOU_EXPIRING_LAST_DAYS}
                )
            ),
        )
        MOU_EXPIRED = "mou_expired", _("MOU expired")
        STALLED = "stalled", _("Partnership stalled in its step")
        ACTION_OVERDUE = "action_overdue", _("Plan action overdue")
        # Told to its assignee only (the rule is agenda's: notifications.reminder_rules.all_rules).
        ACTIVITY_OVERDUE = "activity_overdue", _("Scheduled activity overdue")
        # Events (partnerships.events), told when they happen rather than found by the scan.
        CONFIRMATION_AWAITED = EventKind.CONFIRMATION_AWAITED.value, _("Confirmation awaited")
        CONFIRMED = EventKind.CONFIRMED.value, _("The other city confirmed")
        ADVANCED = EventKind.ADVANCED.value, _("Moved to the next step")
        RETURNED = EventKind.RETURNED.value, _("Returned to an earlier step")
        OFFLINE_CONFIRMATION_DISPUTED = (
            EventKind.OFFLINE_CONFIRMATION_DISPUTED.value,
            _("Confirmation outside the portal disputed"),
        )
        INVITATION_ACCEPTED = EventKind.INVITATION_ACCEPTED.value, _("Invitation accepted")
        MENTIONED = EventKind.MENTIONED.value, _("You were mentioned")
        # The chamber journey (businesses.notify).
        CHAMBER_SIGNUP_REQUESTED = (
            EventKind.CHAMBER_SIGNUP_REQUESTED.value,
            _("Chamber sign-up to decide"),
        )
        CHAMBER_SIGNUP_DECIDED = (
            EventKind.CHAMBER_SIGNUP_DECIDED.value,
            _("Chamber sign-up decided"),
        )
        INTEREST_DECIDED = EventKind.INTEREST_DECIDED.value, _("Interest decided")
        MATCH_PROPOSED = EventKind.MATCH_PROPOSED.value, _("Match of businesses proposed")
        MATCH_DECIDED = EventKind.MATCH_DECIDED.value, _("Proposed match decided")
        INTEREST_PARTNERSHIP_MOVED = (
            EventKind.INTEREST_PARTNERSHIP_MOVED.value,
            _("Partnership of interest reached the MOU or implementation"),
        )

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        # Claimed by one worker, which is sending it now (see delivery.deliver).
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        # The person chose a weekly digest: the row waits for it (in the portal already).
        DIGEST = "digest", _("Waiting for the weekly digest")
        # An event for someone who takes those by a daily digest (notifications.events).
        DAILY = "daily", _("Waiting for the daily digest")
        # An event of a kind the person turned off by email: in the portal only.
        QUIET = "quiet", _("In the portal only (email off)")
        # Every retry failed: stays visible until an admin retries it.
        FAILED = "failed", _("Failed")
        SNOOZED = "snoozed", _("Snoozed")

    class Role(models.TextChoices):
        CHAMPION = "champion", _("Champion")
        OFFICER = "officer", _("Officer of a member city")
        COORDINATOR = "coordinator", _("Coordinator of a member city")
        FOLLOWER = "follower", _("Follower of the partnership")
        CONCERNED = "concerned", _("Person concerned")

    partnership = models.ForeignKey(
        Partnership,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminders",
        help_text=_("Empty only for an event about no partnership (an invitation to a city)."),
        verbose_name=_("partnership"),
    )
    kind = models.CharField(max_length=32, choices=Kind.choices, verbose_name=_("kind"))
    object_id = models.PositiveBigIntegerField(
        help_text=_(
            "What it is about: the partnership (reviews, stalled), the MOU or the action; "
            "for an event, the record the event names (a move, a confirmation, a comment...)."
        ),
        verbose_name=_("object id"),
    )
    occurrence = models.DateField(
        help_text=_(
            "The date that identifies this occurrence: the review date, the MOU's "
            "expiry, the action's due date, or the day the partnership entered its step."
        ),
        verbose_name=_("occurrence"),
    )
    about = models.CharField(
        max_length=240,
        blank=True,
        help_text=_("The action's description, or the number of the step stalled in."),
        verbose_name=_("about"),
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminders",
        help_text=_("Empty for a champion without a portal account: then email only."),
        verbose_name=_("recipient"),
    )
    recipient_email = models.EmailField(
        blank=True,
        help_text=_("The address written to (lower case), when there is one."),
        verbose_name=_("recipient email"),
    )
    role = models.CharField(max_length=16, choices=Role.choices, verbose_name=_("role"))
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, verbose_name=_("status")
    )
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    last_error = models.TextField(blank=True, verbose_name=_("last error"))
    batch = models.UUIDField(
        null=True,
        blank=True,
        help_text=_("The scan or digest run that last took this row."),
        verbose_name=_("batch"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    claimed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("claimed at"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))
    read_at = models.DateTimeField(null=True, blank=True, verbose_name=_("read at"))
    snoozed_until = models.DateField(null=True, blank=True, verbose_name=_("snoozed until"))
    snooze_reason = models.TextField(blank=True, verbose_name=_("snooze reason"))
    # Events only: who did it, and the event's short texts (`actor_name`, `step`, `reason`...).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    data = models.JSONField(default=dict, blank=True, verbose_name=_("data"))

    REVIEW_KINDS = (Kind.REVIEW_DUE, Kind.REVIEW_OVERDUE, Kind.REVIEW_ESCALATION)
    MOU_KINDS = (Kind.MOU_EXPIRING_90, Kind.MOU_EXPIRING_30, Kind.MOU_EXPIRING_7, Kind.MOU_EXPIRED)
    EVENT_KINDS = (
        Kind.CONFIRMATION_AWAITED,
        Kind.CONFIRMED,
        Kind.ADVANCED,
        Kind.RETURNED,
        Kind.OFFLINE_CONFIRMATION_DISPUTED,
        Kind.INVITATION_ACCEPTED,
        Kind.MENTIONED,
        Kind.CHAMBER_SIGNUP_REQUESTED,
        Kind.CHAMBER_SIGNUP_DECIDED,
        Kind.INTEREST_DECIDED,
        Kind.MATCH_PROPOSED,
        Kind.MATCH_DECIDED,
        Kind.INTEREST_PARTNERSHIP_MOVED,
    )

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
            # An event told twice (a listener run again) records nothing new, with or
            # without a partnership (NULLs never collide in the two constraints above).
            models.UniqueConstraint(
                fields=["kind", "object_id", "occurrence", "recipient"],
                condition=models.Q(kind__in=EVENT_KIND_VALUES),
                name="event_once_per_user",
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
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")

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
    def is_event(self) -> bool:
        return self.kind in self.EVENT_KINDS

    @property
    def headline(self) -> str:
        """One line saying what is due or what happened (reads no other row)."""
        if self.is_event:
            return event_headline(self.kind, self.data)
        return headline(self.kind, self.occurrence, self.about)

    @property
    def reason(self) -> str:
        """The reason given for a return or a dispute, if any."""
        return str(self.data.get("reason") or "") if self.is_event else ""

    @property
    def is_unread(self) -> bool:
        return self.read_at is None and self.status != self.Status.SNOOZED


def headline(kind: str, occurrence: dt.date, about: str = "") -> str:
    """What is due, in a line (in the active language). `about` is the action's description,
    or for a stalled partnership the number of the step it stalled in."""
    when = day(occurrence)
    k = Reminder.Kind
    if kind == k.STALLED and about.isdigit() and int(about) in Step.values:
        step = Step(int(about))
        about = gettext("step %(number)s: %(label)s") % {"number": step.value, "label": step.label}
    values = {"when": when, "about": about}
    if kind == k.REVIEW_DUE:
        return gettext("Review due on %(when)s") % values
    if kind == k.REVIEW_OVERDUE:
        return gettext("Review overdue since %(when)s") % values
    if kind == k.REVIEW_ESCALATION:
        days = rules.REVIEW_ESCALATED_AFTER_DAYS
        return ngettext(
            "Review overdue by more than %(days)s day (due %(when)s)",
            "Review overdue by more than %(days)s days (due %(when)s)",
            days,
        ) % {"days": days, "when": when}
    if kind == k.MOU_EXPIRING_90:
        days = rules.MOU_EXPIRING_DAYS
        return ngettext(
            "MOU expires on %(when)s, within %(days)s day",
            "MOU expires on %(when)s, within %(days)s days",
            days,
        ) % {"days": days, "when": when}
    if kind == k.MOU_EXPIRING_30:
        days = rules.MOU_EXPIRING_SOON_DAYS
        return ngettext(
            "MOU expires on %(when)s, within %(days)s day",
            "MOU expires on %(when)s, within %(days)s days",
            days,
        ) % {"days": days, "when": when}
    if kind == k.MOU_EXPIRING_7:
        return gettext("MOU expires on %(when)s, within a week") % values
    if kind == k.MOU_EXPIRED:
        return gettext("MOU expired on %(when)s") % values
    if kind == k.STALLED:
        if about:
            return gettext("In “%(about)s” since %(when)s") % values
        return gettext("In the same step since %(when)s") % values
    if kind == k.ACTION_OVERDUE:
        return gettext("Plan action “%(about)s” was due on %(when)s") % values
    if kind == k.ACTIVITY_OVERDUE:
        return gettext("Your activity “%(about)s” was due on %(when)s") % values
    return f"{kind} ({when})"


def _step_label(text: str) -> str:
    """A step's label as events store it (in English, partnerships.events' `data["step"]`), in
    the active language; any other text as it is."""
    with translation.override("en"):
        english = {str(step.label): step for step in Step}
    step = english.get(text)
    return str(step.label) if step is not None else text


def _cities(data: dict) -> str:
    """The event's cities as the active language lists them (rows written before the list
    was kept hold one text, "A and B")."""
    names = data.get("cities")
    if isinstance(names, list) and names:
        locale = translation.to_locale(translation.get_language() or "en")
        return format_list([str(n) for n in names], locale=locale)
    return str(data.get("city") or "")


def event_headline(kind: str, data: dict) -> str:
    """What happened, in a line (in the active language), from the event's short texts (see
    notifications.events)."""
    k = Reminder.Kind
    who = str(data.get("actor_name") or gettext("Someone"))
    city = _cities(data)
    step = _step_label(str(data.get("step") or ""))
    values = {"who": who, "city": city, "step": step}
    if kind == k.CONFIRMATION_AWAITED:
        if step:
            return gettext("Your city’s confirmation is awaited at “%(step)s”") % values
        return gettext("Your city’s confirmation is awaited")
    if kind == k.CONFIRMED:
        values["who"] = city or who
        if step:
            return gettext("%(who)s confirmed at “%(step)s”") % values
        return gettext("%(who)s confirmed") % values
    if kind == k.ADVANCED:
        if step:
            return gettext("%(who)s moved the partnership on to “%(step)s”") % values
        return gettext("%(who)s moved it on") % values
    if kind == k.RETURNED:
        if step:
            return gettext("%(who)s returned the partnership to “%(step)s”") % values
        return gettext("%(who)s returned it") % values
    if kind == k.OFFLINE_CONFIRMATION_DISPUTED:
        if city:
            return (
                gettext(
                    "%(who)s disputed the confirmation recorded outside the portal for %(city)s"
                )
                % values
            )
        return gettext("%(who)s disputed the confirmation recorded outside the portal") % values
    if kind == k.INVITATION_ACCEPTED:
        return gettext("%(who)s accepted your invitation") % values
    if kind == k.MENTIONED:
        return gettext("%(who)s mentioned you") % values
    return _chamber_headline(kind, data, who, city, step)


def _chamber_headline(kind: str, data: dict, who: str, city: str, step: str) -> str:
    """The chamber journey's events (businesses.notify gives `association`, `decision`:
    "approved"/"rejected", `businesses`: the pair's names, `proposed`: a new association)."""
    k = Reminder.Kind
    # Translators: stands for a chamber of commerce whose name is not known.
    association = str(data.get("association") or gettext("the chamber"))
    yes = data.get("decision") == "approved"
    # The association's name, with its city when known: "Name (City)".
    named = f"{association} ({city})" if city else association
    values = {"who": who, "association": association, "named": named, "step": step}
    if kind == k.CHAMBER_SIGNUP_REQUESTED:
        if data.get("proposed"):
            return (
                gettext(
                    "%(who)s proposes a chamber not yet listed, %(named)s, and asks to join it "
                    "as its staff"
                )
                % values
            )
        return gettext("%(who)s asks to join %(named)s as its staff") % values
    if kind == k.CHAMBER_SIGNUP_DECIDED:
        if yes:
            return gettext("Your request to join %(named)s was approved") % values
        return gettext("Your request to join %(named)s was not accepted") % values
    if kind == k.INTEREST_DECIDED:
        if yes:
            return (
                gettext(
                    "The partnership's officers accepted the interest %(association)s registered"
                )
                % values
            )
        return (
            gettext("The partnership's officers declined the interest %(association)s registered")
            % values
        )
    # Translators: stands for a pair of businesses whose names are not known.
    values["pair"] = str(data.get("businesses") or gettext("two businesses"))
    if kind == k.MATCH_PROPOSED:
        return gettext("%(association)s proposes a match of businesses: %(pair)s") % values
    if kind == k.MATCH_DECIDED:
        if yes:
            return (
                gettext(
                    "The match %(association)s proposed (%(pair)s) was accepted into a sub-alliance"
                )
                % values
            )
        return gettext("The match %(association)s proposed (%(pair)s) was declined") % values
    if kind == k.INTEREST_PARTNERSHIP_MOVED:
        if step:
            return (
                gettext("A partnership %(association)s registered interest in reached “%(step)s”")
                % values
            )
        return (
            gettext("A partnership %(association)s registered interest in reached its next step")
            % values
        )
    return str(kind)
