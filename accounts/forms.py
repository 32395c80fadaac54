from __future__ import annotations

from django.contrib.auth import forms as auth_forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiToken, User
from core.forms import PlainModelForm, TextChecked


class AccountForm(PlainModelForm):
    """What a person may change about themselves: how they are named, and their language."""

    class Meta:
        model = User
        fields = ["first_name", "last_name", "job_title", "language"]
        help_texts = {
            "language": _(
                "The portal's pages, your e-mails and the dossiers you download are written in "
                "this language. Left empty, the pages follow your browser and e-mails are in "
                "English."
            ),
        }


class ApiTokenForm(PlainModelForm):
    """A new personal API token: what it is for, and whether it may change anything."""

    prefix = "token"

    class Meta:
        model = ApiToken
        fields = ["name", "access"]
        help_texts = {
            "access": _(
                "A read-only token can read everything you can read through the API and change "
                "nothing. A read-and-write token can also make the changes you can make."
            ),
        }


class PasswordResetForm(TextChecked, auth_forms.PasswordResetForm):
    """Django's, writing to each account in its own language, as every other mail of the
    portal does: it wrote in the language of the page that asked (found from outside: a reset
    asked from an English browser reached a Chinese officer in English)."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        with translation.override(context["user"].language_or_default):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)
