"""The forms of scheduled activities: scheduling one (on a record's page, and as a bulk action
of the partnership list) and completing one. They expose only what a person sets; the
services do the writes and the checks that need the database."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agenda import selectors
from agenda.models import ScheduledActivity
from core.forms import PortalForm, text_area
from partnerships.forms.bulk import BulkForm
from partnerships.models import Partnership, PlanAction
from partnerships.selectors import officers_visible_to, person


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return person(obj)


class ActivityFields(PortalForm):
    """What any scheduled activity needs; the assignee's choices are set by the subclass."""

    kind = forms.ChoiceField(label=_("Type"), choices=ScheduledActivity.Kind.choices)
    summary = forms.CharField(label=_("Summary"), max_length=200)
    assignee = PersonChoiceField(label=_("Assigned to"), queryset=None, empty_label=None)
    due_on = forms.DateField(label=_("Due on"))

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if due_on < timezone.localdate():
            raise forms.ValidationError(_("The due date has passed: choose today or later."))
        return due_on


class ScheduleForm(ActivityFields):
    """On a partnership's (or sub-alliance's) activities page: for one of its officers,
    optionally scheduling one of the business plan's open actions."""

    plan_action = forms.ModelChoiceField(
        label=_("Plan action"),
        queryset=None,
        required=False,
        empty_label=_("None: other work"),
        help_text=_("Scheduling a business-plan action: marking the activity done closes it."),
    )
    field_order = ["kind", "summary", "assignee", "due_on", "plan_action"]

    def __init__(self, *args, partnership: Partnership, user, sub_alliance=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = selectors.assignable_people(partnership)
        if not self.is_bound:
            self.initial.setdefault("assignee", user.pk)
        if sub_alliance is None:
            self.fields["plan_action"].queryset = PlanAction.objects.filter(
                plan__partnership=partnership, status=PlanAction.Status.OPEN
            ).order_by("due_on", "pk")
        else:
            del self.fields["plan_action"]


class BulkScheduleForm(BulkForm, ActivityFields):
    """The partnership list's bulk action: the same activity on each chosen partnership, for
    one person the user works with (a partnership that person cannot see refuses its row)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.user
        self.fields["assignee"].queryset = officers_visible_to(user).order_by(
            "first_name", "last_name", "username"
        )
        if not self.is_bound:
            self.initial.setdefault("assignee", user.pk)


class CompleteForm(PortalForm):
    outcome = forms.CharField(
        label=_("Outcome"),
        widget=text_area(2),
        help_text=_("What came of it: it goes on the partnership's timeline."),
    )
