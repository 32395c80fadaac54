"""Forms of the partnership pages: create, edit, champions and the moves between steps.

They expose only what an officer may set: never the step (that moves only through
`services.partnership_move`), the author, or the strategy the partnership serves.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import (
    ChoicesModelForm,
    DateInput,
    ModelMultipleChoiceField,
    PlainForm,
    check_dates,
)
from partnerships import permissions, workflow
from partnerships.models import Champion, CooperationArea, Partner, Partnership, Step

# Lendrum's relationship scale, the words officers see next to each number.
LENDRUM_SCALE = [
    (0, _("0 – None (by choice)")),
    (1, _("1 – Vendor: combative")),
    (2, _("2 – Vendor: tribal")),
    (3, _("3 – Vendor: trading")),
    (4, _("4 – Vendor: transactional")),
    (5, _("5 – Supplier: basic")),
    (6, _("6 – Supplier: major")),
    (7, _("7 – Supplier: key")),
    (8, _("8 – Partner: partnering")),
    (9, _("9 – Partner: pioneering")),
    (10, _("10 – Partner: community")),
]
LENDRUM_HELP = _(
    "Lendrum's scale of how close the relationship is: 0 none by choice; 1–4 a vendor "
    "relationship (combative to transactional); 5–7 a supplier relationship (basic, major, "
    "key); 8–10 a partner relationship (partnering, pioneering, community). City partnerships "
    "aim at 8–10."
)


# A strength nobody has assessed yet (None): not the same as 0, "none by choice".
NOT_ASSESSED = _("Not assessed yet")


def lendrum_label(value: int | None) -> str:
    if value is None:
        return str(NOT_ASSESSED)
    return str(dict(LENDRUM_SCALE).get(value, value))


class PartnershipCreateForm(ChoicesModelForm):
    """A new partnership: the home city that runs it, and what it is about."""

    home = forms.ModelChoiceField(
        label=_("Home city"),
        queryset=Partner.objects.none(),
        help_text=_("The city that runs the partnership; partner cities join it later."),
    )

    class Meta:
        model = Partnership
        fields = ["title", "category", "phase", "areas", "summary"]
        labels = {
            "title": _("Title"),
            "category": _("Category"),
            "phase": _("Phase"),
            "summary": _("Summary"),
        }
        field_classes = {"areas": ModelMultipleChoiceField}  # a huge id is a field error
        widgets = {
            "areas": forms.CheckboxSelectMultiple,
            "summary": forms.Textarea(attrs={"rows": 4}),
        }

    field_order = ["home", "title", "category", "phase", "areas", "summary"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if permissions.is_admin(user):
            homes = Partner.objects.order_by("name", "country")
        else:
            homes = Partner.objects.filter(pk__in=permissions.city_ids(user)).order_by("name")
        self.fields["home"].queryset = homes
        self.fields["areas"].queryset = CooperationArea.objects.order_by("name")
        self.fields["areas"].required = False
        if not permissions.is_admin(user) and len(permissions.city_ids(user)) == 1:
            self.fields["home"].initial = next(iter(permissions.city_ids(user)))


class PartnershipEditForm(ChoicesModelForm):
    relationship_strength = forms.TypedChoiceField(
        label=_("Relationship strength"),
        choices=[("", NOT_ASSESSED), *LENDRUM_SCALE],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=LENDRUM_HELP,
    )

    class Meta:
        model = Partnership
        fields = [
            "title",
            "summary",
            "category",
            "phase",
            "areas",
            "status",
            "relationship_strength",
            "review_cadence_months",
            "next_review_on",
            "established_on",
            "published",
            "publish_mou_document",
            "orientation",
            "orientation_overridden",
        ]
        field_classes = {"areas": ModelMultipleChoiceField}  # a huge id is a field error
        labels = {
            "review_cadence_months": _("Review cadence"),
            "next_review_on": _("Next review on"),
            "established_on": _("Established on"),
            "orientation_overridden": _("Keep the orientation as set here"),
            "title": _("Title"),
            "summary": _("Summary"),
            "category": _("Category"),
            "phase": _("Phase"),
            "status": _("Status"),
            "orientation": _("Orientation"),
        }
        help_texts = {
            "orientation": _(
                "Derived from the member cities (North/South) unless you keep it "
                "as set here; East–West can only be set by hand."
            ),
        }
        widgets = {
            "areas": forms.CheckboxSelectMultiple,
            "summary": forms.Textarea(attrs={"rows": 4}),
            "next_review_on": DateInput,
            "established_on": DateInput,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["areas"].queryset = CooperationArea.objects.order_by("name")
        self.fields["areas"].required = False

    def clean(self):
        cleaned = super().clean()
        check_dates(self)
        if "orientation" in self.changed_data and not cleaned.get("orientation_overridden"):
            self.add_error(
                "orientation_overridden",
                _(
                    "Tick this to keep an orientation you set by hand (otherwise it is derived "
                    "from the member cities)."
                ),
            )
        return cleaned


class ChampionForm(ChoicesModelForm):
    class Meta:
        model = Champion
        fields = ["name", "title", "email", "partner", "is_active"]
        labels = {
            "partner": _("Side"),
            "is_active": _("Active"),
            "name": _("Name"),
            "title": _("Title"),
            "email": _("Email"),
        }
        help_texts = {
            "partner": _("The member city this champion works for."),
            "is_active": _("Reminders go to active champions."),
        }

    def __init__(self, *args, partnership: Partnership, **kwargs):
        super().__init__(*args, **kwargs)
        side = self.fields["partner"]
        side.queryset = Partner.objects.filter(memberships__partnership=partnership).order_by(
            "name"
        )
        side.required = True
        side.empty_label = None


class MoveForm(PlainForm):
    """The step the page showed, so that a move made meanwhile by someone else is refused."""

    from_step = forms.TypedChoiceField(choices=Step.choices, coerce=int, widget=forms.HiddenInput)


class AdvanceForm(MoveForm):
    """A move to the next step. `to_step` is the column a card was dropped on (the board):
    left out it is the next step; any other is refused by the service, as it would be."""

    to_step = forms.TypedChoiceField(
        choices=Step.choices,
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.HiddenInput,
    )


class ReturnForm(MoveForm):
    to_step = forms.TypedChoiceField(
        label=_("Return to step"),
        coerce=int,
        choices=[],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control form-control-sm"}),
        help_text=_("Why the partnership goes back: both sides and the record will see it."),
    )

    def __init__(self, *args, partnership: Partnership, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("from_step", partnership.step)
        super().__init__(*args, **kwargs)
        self.fields["to_step"].choices = [
            (s.value, f"{s.value}. {s.label}") for s in workflow.earlier_steps(partnership.step)
        ]

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say why the partnership returns to an earlier step."))
        return reason


class PublishContactsForm(PlainForm):
    """One side's choice: show its champions in the registry, or not."""

    partner = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
    publish = forms.BooleanField(label=_("Publish"), required=False)
