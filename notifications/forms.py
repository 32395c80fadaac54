"""Forms of the notifications pages: snoozing a reminder, and how reminders come by email."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput, PlainForm, PortalForm
from notifications.models import EVENT_KIND_VALUES, NotificationPreference, Reminder

LATEST_SNOOZE = dt.timedelta(days=366)
MAX_REASON = 1000


class SnoozeForm(PlainForm):
    until = forms.DateField(
        label=_("Snooze until"),
        widget=DateInput(),
        help_text=_("If it still applies on that day, it reminds you again."),
    )
    reason = forms.CharField(
        label=_("Why"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For instance: “Review meeting set for 14 March with the other side”."),
    )

    def clean_until(self) -> dt.date:
        until = self.cleaned_data["until"]
        today = timezone.localdate()
        if until <= today:
            raise forms.ValidationError(_("Choose a date after today."))
        if until > today + LATEST_SNOOZE:
            raise forms.ValidationError(_("Snooze for a year at most."))
        return until

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say why, so that you (and others) know later."))
        return reason


# The kinds of event a person chooses for, with the words the preferences page uses.
EVENT_LABELS = {
    Reminder.Kind.CONFIRMATION_AWAITED: _("Your city’s confirmation is awaited"),
    Reminder.Kind.CONFIRMED: _("The other city confirmed a step"),
    Reminder.Kind.ADVANCED: _("A partnership moved on to its next step"),
    Reminder.Kind.RETURNED: _("A partnership was returned to an earlier step (with the reason)"),
    Reminder.Kind.OFFLINE_CONFIRMATION_DISPUTED: _(
        "A confirmation recorded outside the portal was disputed"
    ),
    Reminder.Kind.INVITATION_ACCEPTED: _("An invitation you sent was accepted"),
    Reminder.Kind.MENTIONED: _("Someone mentioned you"),
    Reminder.Kind.CHAMBER_SIGNUP_REQUESTED: _(
        "Someone signed up as staff of a chamber you decide on"
    ),
    Reminder.Kind.CHAMBER_SIGNUP_DECIDED: _("Your request to join a chamber was decided"),
    Reminder.Kind.INTEREST_DECIDED: _("Your chamber's interest in a partnership was decided"),
    Reminder.Kind.MATCH_PROPOSED: _("A chamber proposed a match of businesses in your partnership"),
    Reminder.Kind.MATCH_DECIDED: _("A match your chamber proposed was decided"),
    Reminder.Kind.INTEREST_PARTNERSHIP_MOVED: _(
        "A partnership your chamber registered interest in reached the MOU or implementation"
    ),
}


def event_field(kind: str) -> str:
    return f"event_{kind}"


class PreferenceForm(PortalForm):
    """How reminders come by email (one each, or the weekly digest) and, per kind of event, at
    once, in the daily digest, or not at all (the bell shows every one of them anyway)."""

    delivery = forms.ChoiceField(
        label=_("Reminders by email"),
        choices=NotificationPreference.Delivery.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "In the portal every reminder shows at once, whatever you choose. "
            "The digest goes out on Monday mornings."
        ),
    )

    def __init__(self, *args, pref: NotificationPreference, **kwargs):
        initial = {"delivery": pref.delivery}
        for kind in EVENT_KIND_VALUES:
            initial[event_field(kind)] = pref.event_choice(kind)
        super().__init__(*args, initial=initial, **kwargs)
        for kind in EVENT_KIND_VALUES:
            self.fields[event_field(kind)] = forms.ChoiceField(
                label=EVENT_LABELS[kind],
                choices=NotificationPreference.EventChoice.choices,
                widget=forms.RadioSelect,
                required=False,  # left out: kept as it was
            )

    def event_choices(self) -> dict[str, str]:
        chosen = {kind: self.cleaned_data.get(event_field(kind)) for kind in EVENT_KIND_VALUES}
        return {kind: choice for kind, choice in chosen.items() if choice}


class FollowForm(PortalForm):
    follow = forms.ChoiceField(
        label=_("Follow this partnership"),
        choices=[("yes", _("Follow it")), ("no", _("Stop following it"))],
        error_messages={"required": _("Choose to follow it or to stop following it.")},
    )
