from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import PortalForm, text_area
from discussion.models import MAX_BYTES, normalise_newlines, validate_body


class CommentForm(PortalForm):
    body = forms.CharField(
        label=_("Comment"),
        # Characters: the 10 KB (bytes) are checked by validate_body, with its own message.
        max_length=MAX_BYTES,
        widget=text_area(3),
        help_text=_(
            "Plain text; links become clickable. Mention someone with @ and their "
            "username: they are told if they may see this record."
        ),
    )

    def __init__(self, *args, prefix_id: str = "comment", **kwargs):
        kwargs.setdefault("auto_id", f"{prefix_id}-%s")
        super().__init__(*args, **kwargs)

    def clean_body(self) -> str:
        body = normalise_newlines(self.cleaned_data["body"])
        validate_body(body)
        return body
