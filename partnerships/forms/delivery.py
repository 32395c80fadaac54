"""Forms of steps 5-7: planning, the MOU and activities (step 8: `forms/measurement.py`).

They expose only what an officer may set (never the partnership, step or author) and check
what a person can get wrong, with the message on the field. The writes themselves are done
by the services in `partnerships.services` ("planning and delivery" section).
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import (
    EARLIEST_DATE,
    DateInput,
    ModelMultipleChoiceField,
    PlainForm,
    PortalModelForm,
    text_area,
)
from partnerships import services
from partnerships.forms.uploads import HeldUploadMixin
from partnerships.models import (
    KPI,
    MOU,
    Activity,
    BusinessPlan,
    CooperationArea,
    LetterOfIntent,
    Partner,
    PlanAction,
)

MAX_PARTICIPANTS = 1_000_000


class DocumentFormMixin(HeldUploadMixin):
    """The `document` upload of the MOU and the letter of intent (held while the form is
    corrected: `forms/uploads.py`).

    A plain file input: the stored file is linked by the page through the `document` view,
    never by its storage URL. A new upload is checked by the model's `validate_pdf` (content,
    size) and its message lands on the `document` field. An unchanged stored PDF is not read
    and checked again: it passed when uploaded, and a missing file must not turn a save into a
    server error.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].widget = forms.FileInput(attrs={"accept": "application/pdf,.pdf"})
        if self.instance.document:
            self.fields["remove_document"] = forms.BooleanField(
                required=False, label=_("Remove the stored document")
            )

    def _get_validation_exclusions(self):
        excluded = super()._get_validation_exclusions()
        if "document" not in self.changed_data:
            excluded.add("document")
        return excluded

    def document_change(self):
        """For the service: None keeps the file, False removes it, a file replaces it."""
        if "document" in self.changed_data:
            return self.cleaned_data["document"]
        if self.cleaned_data.get("remove_document"):
            return False
        return None


# --- Step 5: planning ----------------------------------------------------------------------


class LetterOfIntentForm(DocumentFormMixin, PortalModelForm):
    class Meta:
        model = LetterOfIntent
        fields = ["signed_on", "signed_by", "summary", "document"]
        widgets = {"signed_by": text_area(2), "summary": text_area(4)}
        labels = {
            "document": _("Signed letter (PDF)"),
            "signed_on": _("Signed on"),
            "signed_by": _("Signed by"),
            "summary": _("Summary"),
        }
        help_texts = {
            "document": _("A PDF of at most 10 MB. Stored privately under a random name.")
        }

    def clean_signed_on(self):
        signed_on = self.cleaned_data["signed_on"]
        if signed_on and signed_on > timezone.localdate() + dt.timedelta(days=1):
            raise forms.ValidationError(_("A letter cannot be signed in the future."))
        return signed_on


class BusinessPlanForm(PortalModelForm):
    class Meta:
        model = BusinessPlan
        fields = ["vision", "goals", "objectives", "scope"]
        labels = {
            "vision": _("Vision"),
            "goals": _("Goals"),
            "objectives": _("Objectives"),
            "scope": _("Scope"),
        }
        widgets = {name: text_area(3) for name in fields}
        help_texts = {
            "vision": _("The common vision both cities agreed."),
            "objectives": _("Measurable where possible: the KPIs below measure them."),
            "scope": _("The areas, groups and places the partnership covers."),
        }


class MemberChoiceField(forms.TypedChoiceField):
    """A member city of the partnership, from a list already loaded (no query per form)."""

    def __init__(self, *, partners: list[Partner], empty_label: str, **kwargs):
        self.partners = {p.pk: p for p in partners}
        choices = [("", empty_label), *((p.pk, p.name) for p in partners)]
        super().__init__(
            choices=choices,
            coerce=self.partner_of,
            empty_value=None,
            error_messages={"invalid_choice": _("Choose one of the partnership's cities.")},
            **kwargs,
        )

    def partner_of(self, value) -> Partner:
        if not self.valid_value(value):
            raise ValueError(value)  # reported as "invalid_choice"
        return self.partners[int(value)]

    def valid_value(self, value):
        return str(value).isdigit() and int(value) in self.partners

    def prepare_value(self, value):
        return value.pk if isinstance(value, Partner) else value


class PlanActionForm(PortalModelForm):
    class Meta:
        model = PlanAction
        fields = ["description", "owner", "owner_partner", "due_on"]
        labels = {
            "owner": _("Owner"),
            "owner_partner": _("Side"),
            "due_on": _("Due on"),
            "description": _("Description"),
        }
        help_texts = {"owner": _("The person or department responsible.")}

    def __init__(self, *args, partners: list[Partner], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_partner"] = MemberChoiceField(
            partners=partners,
            empty_label=_("Both sides (joint)"),
            required=False,
            label=_("Side"),
            help_text=_("The member city responsible."),
        )


class ActionStatusForm(PlainForm):
    status = forms.ChoiceField(label=_("Status"), choices=PlanAction.Status.choices)


class KPIForm(PortalModelForm):
    class Meta:
        model = KPI
        fields = ["name", "unit", "baseline", "target", "start_date", "target_date", "area"]
        labels = {
            "area": _("Area of cooperation"),
            "name": _("Name"),
            "unit": _("Unit"),
            "baseline": _("Baseline"),
            "target": _("Target"),
            "start_date": _("Measured from"),
            "target_date": _("Target date"),
        }
        help_texts = {
            "start_date": _("The day the baseline holds; empty: today."),
            "target_date": _(
                "When the target should be reached. A review before then expects the share "
                "of the way from baseline to target that its time allows."
            ),
        }

    def __init__(self, *args, partnership, areas: QuerySet[CooperationArea], **kwargs):
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        self.fields["area"].queryset = areas
        self.fields["area"].empty_label = _("Not tied to one area")
        self.fields["unit"].required = True
        self.fields["unit"].error_messages["required"] = _("Give the unit the KPI is measured in.")
        # Required of every new KPI; the database allows none only for those agreed before.
        self.fields["target_date"].required = True
        self.fields["target_date"].error_messages["required"] = _(
            "Give the date by which the target should be reached."
        )
        self.fields["start_date"].required = False
        self.fields["start_date"].initial = timezone.localdate

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if KPI.objects.filter(partnership=self.partnership, name__iexact=name).exists():
            raise forms.ValidationError(_("This partnership already has a KPI with that name."))
        return name

    def clean_start_date(self):
        return self.cleaned_data.get("start_date") or timezone.localdate()


# --- Step 6: the MOU -----------------------------------------------------------------------


class MOUForm(DocumentFormMixin, PortalModelForm):
    class Meta:
        model = MOU
        fields = [
            "areas",
            "effective_on",
            "expires_on",
            "termination_conditions",
            "other_terms",
            "ceremony_on",
            "ceremony_place",
            "document",
        ]
        widgets = {
            "areas": forms.CheckboxSelectMultiple,
            "termination_conditions": text_area(3),
            "other_terms": text_area(3),
        }
        labels = {
            "effective_on": _("Effective from"),
            "expires_on": _("Expires on"),
            "termination_conditions": _("Termination conditions"),
            "ceremony_on": _("Signing ceremony on"),
            "ceremony_place": _("Signing ceremony place"),
            "document": _("The agreement (PDF)"),
            "other_terms": _("Other terms"),
        }
        help_texts = {
            "termination_conditions": _("How either side may end it (the “divorce” clause)."),
            "document": _("A PDF of at most 10 MB. Stored privately under a random name."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["areas"] = ModelMultipleChoiceField(
            queryset=CooperationArea.objects.order_by("name"),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            label=_("Areas of cooperation"),
        )


class SignatoryForm(PlainForm):
    """One person signing the MOU for one of the member cities. A row left empty is skipped."""

    name = forms.CharField(label=_("Name"), max_length=120, required=False)
    title = forms.CharField(label=_("Title"), max_length=160, required=False)

    def __init__(self, *args, partners: list[Partner], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"] = MemberChoiceField(
            partners=partners, empty_label=_("Choose the side"), required=False, label=_("Side")
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("partner") and not cleaned.get("name"):
            self.add_error("name", _("Give the signatory's name."))
        if cleaned.get("name") and not cleaned.get("partner") and "partner" not in self.errors:
            self.add_error("partner", _("Choose the side this person signs for."))
        return cleaned

    def signatory(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("name") or data.get("DELETE"):
            return None
        return {"partner": data["partner"], "name": data["name"], "title": data.get("title", "")}


class BaseSignatoryFormSet(forms.BaseFormSet):
    def __init__(self, *args, partners: list[Partner], **kwargs):
        self.partners = partners
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "partners": self.partners}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            partners=self.partners,
            renderer=self.renderer,
        )
        self.add_fields(form, None)
        return form

    def signatories(self) -> list[dict]:
        return [row for form in self.forms if (row := form.signatory())]


SignatoryFormSet = forms.formset_factory(
    SignatoryForm,
    formset=BaseSignatoryFormSet,
    extra=2,
    can_delete=True,
    max_num=60,
    validate_max=True,
    absolute_max=200,
)


class MOUSignForm(PlainForm):
    signed_on = forms.DateField(
        label=_("Signed on"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty for today."),
    )

    def clean_signed_on(self):
        signed_on = self.cleaned_data["signed_on"]
        if signed_on and signed_on > timezone.localdate() + dt.timedelta(days=1):
            raise forms.ValidationError(_("An MOU cannot be signed in the future."))
        if signed_on and signed_on < EARLIEST_DATE:
            raise forms.ValidationError(
                _("Give a date after %(year)s.") % {"year": EARLIEST_DATE.year}
            )
        return signed_on


# --- Step 7: activities ------------------------------------------------------------------


class ActivityForm(PortalModelForm):
    participants = forms.IntegerField(
        label=_("Participants"),
        min_value=0,
        max_value=MAX_PARTICIPANTS,
        required=False,
        help_text=_("How many people took part, if known."),
    )

    class Meta:
        model = Activity
        fields = ["kind", "title", "occurred_on", "description", "participants"]
        widgets = {"description": text_area(3)}
        labels = {
            "occurred_on": _("Date"),
            "kind": _("Kind"),
            "title": _("Title"),
            "description": _("Description"),
        }
        help_texts = {
            "occurred_on": _(
                "When it happened; a firmly scheduled activity may be logged up to a year ahead."
            ),
        }

    def clean_occurred_on(self):
        occurred_on = self.cleaned_data["occurred_on"]
        problem = services.activity_date_problem(occurred_on) if occurred_on else ""
        if problem:
            raise forms.ValidationError(problem)
        return occurred_on
