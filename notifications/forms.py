"""Forms of the notifications pages: snoozing a reminder, and how reminders come by email."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from core.forms import DateInput
from notifications.models import NotificationPreference

LATEST_SNOOZE = dt.timedelta(days=366)
MAX_REASON = 1000


class SnoozeForm(forms.Form):
    until = forms.DateField(
        label="Snooze until",
        widget=DateInput(),
        help_text="If it still applies on that day, it reminds you again.",
    )
    reason = forms.CharField(
        label="Why",
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For instance: “Review meeting set for 14 March with the other side”.",
    )

    def clean_until(self) -> dt.date:
        until = self.cleaned_data["until"]
        today = timezone.localdate()
        if until <= today:
            raise forms.ValidationError("Choose a date after today.")
        if until > today + LATEST_SNOOZE:
            raise forms.ValidationError("Snooze for a year at most.")
        return until

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Say why, so that you (and others) know later.")
        return reason


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["delivery"]
        labels = {"delivery": "Reminders by email"}
        widgets = {"delivery": forms.RadioSelect}
        help_texts = {
            "delivery": "In the portal every reminder shows at once, whatever you choose. "
            "The digest goes out on Monday mornings."
        }
