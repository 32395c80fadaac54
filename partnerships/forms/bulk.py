"""The parameters of the list's bulk actions (partnerships/bulk.py): a form per action that
has any, shown on the confirmation page with the selected partnerships."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import PortalForm
from partnerships.models import Partnership
from partnerships.services import PAUSE_REASON_MAX


class BulkForm(PortalForm):
    """Base of every bulk action's form (outer apps' too): it is given the person and the
    partnerships selected that they may see, so that its fields may depend on them (e.g. the
    people an activity may be assigned to). Its fields are posted with the prefix "params"."""

    def __init__(self, *args, user, partnerships: list[Partnership], **kwargs):
        self.user = user
        self.partnerships = partnerships
        super().__init__(*args, **kwargs)


class CadenceForm(BulkForm):
    cadence = forms.TypedChoiceField(
        label=_("Review cadence"), choices=Partnership.Cadence.choices, coerce=int
    )


class PauseForm(BulkForm):
    reason = forms.CharField(
        label=_("Why are they paused?"),
        max_length=PAUSE_REASON_MAX,
        help_text=_("Kept in each partnership's history."),
    )
