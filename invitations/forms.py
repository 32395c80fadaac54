"""The invitation, acceptance, join-request and decision forms."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.forms import NewPasswordFields, PortalForm
from core.languages import language_for_country
from partnerships.models import Partner


class InviteForm(PortalForm):
    """An address to invite; from a partnership's page, also which member city."""

    city = forms.TypedChoiceField(label=_("To work for"), coerce=int, choices=())
    email = forms.EmailField(label=_("Their e-mail address"), max_length=254)
    language = forms.ChoiceField(
        label=_("Their language"),
        choices=settings.LANGUAGES,
        required=False,
        help_text=_("The invitation is written in it, and their account starts with it."),
    )

    def __init__(
        self, *args, cities: list[Partner] | None = None, city: Partner | None = None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        if cities is None:
            del self.fields["city"]
        else:
            self.fields["city"].choices = [(c.pk, c.name) for c in cities]
        # A first guess from the (first) city's country; the inviter may change it.
        first = city or (cities[0] if cities else None)
        if first is not None:
            self.fields["language"].initial = language_for_country(first.country)


class PasswordFields(PortalForm, NewPasswordFields):
    """A portal form with a new password typed twice."""


class AcceptForm(PasswordFields):
    """A new account for the invited address."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    field_order = ["first_name", "last_name", "password", "password2"]


class JoinForm(PortalForm):
    """A signed-in person asking to work for a city."""

    city = forms.ModelChoiceField(
        label=_("City"), queryset=Partner.objects.none(), help_text=_("The city you work for.")
    )
    message = forms.CharField(
        label=_("Message to its coordinators"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Your role and department, so they know who you are."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = Partner.objects.order_by("name", "country")


class JoinSignupForm(PasswordFields, JoinForm):
    """Someone without an account: the request and their new account at once."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("Work e-mail address"), max_length=254)
    field_order = ["city", "message", "first_name", "last_name", "email", "password", "password2"]


class DecisionForm(PortalForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (sent to the requester)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Say why the request is rejected: the requester reads it."))
        return cleaned
