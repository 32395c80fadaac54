"""Keeping a form's checked PDF while the form is refused for another field's error.

A browser cannot refill a file input: without this, a MOU refused for its dates would be saved
without the agreement the officer had chosen. The view gives the form who is posting and which
form it is (`holder`, `hold_scope`); after a refusal it calls `keep_upload()`, which holds a new
file that passed the field's own checks (`partnerships.services.uploads`) and puts its token in
a hidden field; the next submission without a new file uses the held one, checked again as a
fresh upload. After a successful save the view calls `upload_used()`.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext

from core.uploads import size_label
from partnerships import services


class HeldUploadMixin:
    held_field = "document"

    def __init__(self, *args, holder=None, hold_scope: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.holder = holder if holder is not None and holder.is_authenticated else None
        self.hold_scope = hold_scope
        self.hold = None
        self.token_field = f"{self.held_field}_held"
        self.fields[self.token_field] = forms.CharField(
            required=False, widget=forms.HiddenInput, max_length=64
        )
        if not (self.is_bound and self.holder and hold_scope):
            return
        token = str(self.data.get(self.add_prefix(self.token_field), ""))
        if self.files.get(self.add_prefix(self.held_field)):
            # A newly chosen file replaces the held one.
            services.upload_release(user=self.holder, scope=hold_scope, token=token)
            self._set_token("")
            return
        self.hold = services.upload_held(user=self.holder, scope=hold_scope, token=token)
        if self.hold is None:
            self._set_token("")  # another user's, expired or forged: ignored
            return
        self.files = self.files.copy()
        self.files[self.add_prefix(self.held_field)] = services.held_file(self.hold)
        self._say_kept(self.hold.name, self.hold.size)

    def _set_token(self, token: str) -> None:
        self.data = self.data.copy()
        self.data[self.add_prefix(self.token_field)] = token

    def _say_kept(self, name: str, size: int) -> None:
        kept = gettext("Kept: %(name)s (%(size)s) — choose another file to replace it.") % {
            "name": name,
            "size": size_label(size),
        }
        self.fields[self.held_field].help_text = kept
        self[self.held_field].help_text = kept  # the bound field copied it when first made

    def keep_upload(self) -> None:
        """After a refusal: hold the new file if its own field found nothing wrong with it."""
        if not (self.is_bound and self.holder and self.hold_scope) or self.hold is not None:
            return
        if self.held_field in self.errors or self.held_field not in self.changed_data:
            return
        upload = self.cleaned_data.get(self.held_field)
        if not upload or not hasattr(upload, "read"):
            return
        token = services.upload_hold(user=self.holder, scope=self.hold_scope, file=upload)
        self._set_token(token)
        self._say_kept(upload.name.rsplit("/", 1)[-1], upload.size)

    def upload_used(self) -> None:
        """After a successful save: the held file is stored with its record now."""
        if self.hold is not None:
            services.upload_release(
                user=self.holder,
                scope=self.hold_scope,
                token=str(self.data.get(self.add_prefix(self.token_field), "")),
            )
            self.hold = None
