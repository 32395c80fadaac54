"""Forms of the joint sign-off given outside the portal: recording one (the home side),
disputing one (the city's own officers). Endorsing needs no field."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import PortalForm, PortalModelForm, text_area
from partnerships.forms.uploads import HeldUploadMixin
from partnerships.models import OfflineConfirmation


class OfflineConfirmationForm(HeldUploadMixin, PortalModelForm):
    """Who confirmed for the city, in what role, when, and the signed paper that proves it.
    The PDF is read by the model's validators (content, size, a document a reader opens),
    and held while the form is corrected (`forms/uploads.py`)."""

    class Meta:
        model = OfflineConfirmation
        fields = [
            "partner",
            "confirmed_by_name",
            "confirmed_by_role",
            "confirmed_on",
            "evidence",
            "document",
        ]
        labels = {
            "partner": _("The city that confirmed"),
            "confirmed_by_name": _("Who confirmed for it"),
            "confirmed_by_role": _("Their role"),
            "confirmed_on": _("When they confirmed"),
            "evidence": _("Evidence"),
            "document": _("The signed letter or MOU (PDF)"),
        }
        help_texts = {
            "confirmed_by_role": _("E.g. Executive Mayor, or Director of International Relations."),
            "confirmed_on": _("The date on the signed paper; not in the future."),
            "document": _(
                "A PDF of at most 10 MB, stored privately: the partnership's cities' "
                "officers and admins can open it."
            ),
        }

    def __init__(self, *args, cities: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = cities
        self.fields["partner"].empty_label = None
        self.fields["partner"].error_messages["invalid_choice"] = _(
            "Choose a city of this partnership whose confirmation is awaited and that has no "
            "officer in the portal."
        )
        self.fields["evidence"].widget = forms.RadioSelect(choices=self.fields["evidence"].choices)
        self.fields["evidence"].choices = OfflineConfirmation.Evidence.choices
        self.fields["document"].widget = forms.FileInput(attrs={"accept": "application/pdf,.pdf"})
        self.fields["document"].required = True

    def clean_confirmed_on(self):
        value = self.cleaned_data.get("confirmed_on")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return value


class DisputeForm(PortalForm):
    reason = forms.CharField(
        label=_("Why is it disputed?"),
        widget=text_area(4),
        help_text=_("Both cities see the reason on the partnership's timeline."),
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say why the confirmation is disputed."))
        return reason
