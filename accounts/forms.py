from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.models import ApiToken, User
from core.forms import PlainModelForm


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
