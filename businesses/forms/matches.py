"""Matchmaking, proposed matches and their decisions, and outcomes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from alliances.models import SubAlliance
from businesses.forms.chambers import DecisionForm
from businesses.models import (
    BusinessProfile,
    Outcome,
)
from core.forms import (
    ChoicesModelForm,
    DateInput,
    PlainForm,
    check_dates,
)
from partnerships.models import Partner

# --- Matchmaking and outcomes --------------------------------------------------------------------


class PairForm(PlainForm):
    """The pair of a matchmaking suggestion (hidden fields of its one-click button)."""

    first = forms.ModelChoiceField(
        queryset=BusinessProfile.objects.select_related("organisation"), widget=forms.HiddenInput
    )
    second = forms.ModelChoiceField(
        queryset=BusinessProfile.objects.select_related("organisation"), widget=forms.HiddenInput
    )
    form = forms.ChoiceField(
        label=_("Form of collaboration"),
        choices=SubAlliance.Form.choices,
        initial=SubAlliance.Form.PARTNERSHIP,
        required=False,
    )


PICK_A_MATCH = _("Choose one of the matches shown.")


class MatchProposalForm(PlainForm):
    """A chamber proposing one of its matches: the pair (hidden) and a word to the officers."""

    first = forms.ModelChoiceField(
        queryset=BusinessProfile.objects.select_related(
            "organisation", "association__organisation"
        ),
        widget=forms.HiddenInput,
        error_messages={"required": PICK_A_MATCH, "invalid_choice": PICK_A_MATCH},
    )
    second = forms.ModelChoiceField(
        queryset=BusinessProfile.objects.select_related("organisation"),
        widget=forms.HiddenInput,
        error_messages={"required": PICK_A_MATCH, "invalid_choice": PICK_A_MATCH},
    )
    message = forms.CharField(
        label=_("Message to the officers"),
        required=False,
        max_length=2000,
        widget=forms.Textarea({"rows": 2}),
        help_text=_("Optional: why this pair, what the businesses would do together."),
    )

    def clean(self):
        cleaned = super().clean()
        if self.has_error("first") or self.has_error("second"):
            # One plain message for a pair that is missing or not a business (anything a
            # page of matches could not have sent), on the form rather than hidden fields.
            self.errors.pop("first", None)
            self.errors.pop("second", None)
            self.add_error(None, PICK_A_MATCH)
        return cleaned


class MatchDecisionForm(DecisionForm):
    """Accept a proposed match into a sub-alliance (in which form) or decline it."""

    form = forms.ChoiceField(
        label=_("Form of collaboration"),
        choices=SubAlliance.Form.choices,
        initial=SubAlliance.Form.PARTNERSHIP,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("yes", _("Accept: form a business sub-alliance"))
        kwargs.setdefault("no", _("Decline"))
        kwargs.setdefault("note_label", _("Message to the chamber"))
        kwargs.setdefault("no_reason", _("Say why: the message is required to decline."))
        super().__init__(*args, **kwargs)


class OutcomeForm(ChoicesModelForm):
    class Meta:
        model = Outcome
        fields = ["kind", "amount", "currency", "occurred_on", "partner", "note"]
        widgets = {"occurred_on": DateInput(), "note": forms.Textarea({"rows": 2})}
        labels = {"occurred_on": _("Date"), "partner": _("Side")}
        help_texts = {"amount": _("A count, or a sum of money (then give its currency).")}

    def __init__(self, *args, sides=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = sides if sides is not None else Partner.objects.none()
        self.fields["partner"].empty_label = _("Both sides / not one side")
        self.fields["currency"].widget.attrs.update({"maxlength": 3, "size": 4})

    def clean(self):
        cleaned = super().clean()
        check_dates(self)
        return cleaned

    def _post_clean(self):
        # The sub-alliance is not on the instance yet; the service validates the whole row.
        currency = (self.cleaned_data.get("currency") or "").strip().upper()
        if "currency" in self.cleaned_data:
            self.cleaned_data["currency"] = currency
