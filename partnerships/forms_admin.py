"""Forms, formsets and widgets used only by the partnerships admin.

Two concerns live here:

* Rules that span more than one row, or a row and the rows around it, which the models'
  `clean()` and constraints cannot check before save. Without them the admin would let the
  database refuse the row, and the user would get a server error instead of a form error.
* Keeping inline pages free of per-row queries: an autocomplete widget normally fetches its
  selected object once per row; here it reuses the object the row already holds.
"""

from __future__ import annotations

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect
from django.db import models
from django.forms.models import BaseInlineFormSet

from partnerships import workflow
from partnerships.models import (
    MOU,
    Candidate,
    CriterionScore,
    Lesson,
    PartnershipMember,
    StrategyCriterion,
    TwinningStrategy,
)


def constraint_message(model: type[models.Model], name: str) -> str:
    """The model's own wording for a constraint, so the admin and the database say the same."""
    for constraint in model._meta.constraints:
        if constraint.name == name:
            return str(constraint.violation_error_message)
    raise LookupError(f"{model.__name__} has no constraint named {name!r}")


# --- No per-row queries --------------------------------------------------------------------


class PrimedAutocompleteSelect(AutocompleteSelect):
    """An autocomplete select that labels its selected option from an object already loaded.

    Django's widget looks the selected object up again for every form it renders, so a
    tabular inline of 30 rows costs 30 queries. The form primes the widget with the related
    object its instance already holds (from `select_related`), and the lookup is skipped.
    """

    primed: models.Model | None = None

    def optgroups(self, name, value, attr=None):
        selected = [str(v) for v in value if str(v) not in self.choices.field.empty_values]
        obj = self.primed
        if obj is None or selected != [str(obj.pk)]:
            return super().optgroups(name, value, attr)
        options = []
        if not self.is_required:
            options.append(self.create_option(name, "", "", False, 0))
        label = self.choices.field.label_from_instance(obj)
        options.append(self.create_option(name, obj.pk, label, True, len(options)))
        return [(None, options, 0)]


class PortalModelForm(forms.ModelForm):
    """The base of every admin form here: primes autocomplete widgets with loaded objects."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        opts = self._meta.model._meta
        for name, field in self.fields.items():
            widget = getattr(field.widget, "widget", field.widget)  # unwrap the "+" wrapper
            if not isinstance(widget, PrimedAutocompleteSelect):
                continue
            model_field = opts.get_field(name)
            if model_field.is_relation and model_field.is_cached(self.instance):
                widget.primed = getattr(self.instance, name)


class PortalInlineFormSet(BaseInlineFormSet):
    """Gives each row its parent object, so `__str__` and `clean()` need not fetch it again."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if self.instance.pk is not None:
            setattr(form.instance, self.fk.name, self.instance)
        return form

    def kept_forms(self):
        """The valid rows that will exist after saving: not deleted, not left empty."""
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            yield form

    def at_most_one(self, field: str, value, message: str) -> None:
        """Refuse a save that would leave two rows with `field == value` (a partial unique
        constraint the per-row validation cannot see while both rows are still unsaved)."""
        if any(self.errors):
            return
        if sum(1 for f in self.kept_forms() if f.cleaned_data.get(field) == value) > 1:
            raise forms.ValidationError(message)


class PartnershipMemberFormSet(PortalInlineFormSet):
    def clean(self):
        super().clean()
        self.at_most_one(
            "role",
            PartnershipMember.Role.HOME,
            constraint_message(PartnershipMember, "member_one_home"),
        )


class MOUFormSet(PortalInlineFormSet):
    def clean(self):
        super().clean()
        self.at_most_one(
            "status",
            MOU.Status.SIGNED,
            constraint_message(MOU, "mou_one_signed_per_partnership"),
        )


# --- Rules across rows ----------------------------------------------------------------------


class TwinningStrategyForm(PortalModelForm):
    """The status is read-only in the admin (it changes through "Put in force"), which hides
    the "in force needs its approval date" constraint from the form's own validation."""

    class Meta:
        model = TwinningStrategy
        fields = (
            "partner",
            "approved_on",
            "vision",
            "goals",
            "champion",
            "senior_management_involvement",
            "learning_capture",
            "development_plan_context",
            "national_policy_context",
        )

    def clean(self):
        cleaned = super().clean()
        in_force = self.instance.status == TwinningStrategy.Status.IN_FORCE
        if in_force and "approved_on" in self.fields and not cleaned.get("approved_on"):
            self.add_error(
                "approved_on",
                constraint_message(TwinningStrategy, "strategy_in_force_has_approval_date"),
            )
        return cleaned


class StrategyCriterionForm(PortalModelForm):
    """Criteria are added to a draft; a version in force has candidates scored against it."""

    class Meta:
        model = StrategyCriterion
        fields = ("strategy", "name", "description", "weight", "max_score")

    def clean(self):
        cleaned = super().clean()
        strategy = cleaned.get("strategy")
        if (
            strategy is not None
            and strategy.pk
            and strategy.status != TwinningStrategy.Status.DRAFT
            and (self.instance.pk is None or self.has_changed())
        ):
            self.add_error(
                "strategy" if "strategy" in self.fields else None,
                f"Version {strategy.version} is {strategy.get_status_display().lower()}: only "
                "a draft's criteria can change. Start a new version instead.",
            )
        return cleaned


class CandidateForm(PortalModelForm):
    """A city already in the partnership is not a candidate for it (as `candidate_add`)."""

    class Meta:
        model = Candidate
        fields = ("partnership", "partner", "rationale", "source", "status")

    def clean(self):
        cleaned = super().clean()
        partnership, partner = cleaned.get("partnership"), cleaned.get("partner")
        changed = self.instance.pk is None or "partner" in self.changed_data
        if (
            changed
            and partner
            and partnership
            and partnership.pk
            and partnership.members.filter(partner=partner).exists()
        ):
            self.add_error("partner", f"{partner.name} is already a member of this partnership.")
        return cleaned


class CriterionScoreForm(PortalModelForm):
    """A candidate is scored against the criteria of the strategy its partnership serves."""

    class Meta:
        model = CriterionScore
        fields = ("candidate", "criterion", "score", "note")

    def clean(self):
        cleaned = super().clean()
        candidate, criterion = cleaned.get("candidate"), cleaned.get("criterion")
        changed = {"candidate", "criterion"} & set(self.changed_data)
        if changed and candidate and criterion and candidate.partnership_id:
            strategy_id = candidate.partnership.strategy_id
            if strategy_id and criterion.strategy_id != strategy_id:
                self.add_error(
                    "criterion", "Choose a criterion of the strategy this partnership serves."
                )
        return cleaned


class LessonForm(PortalModelForm):
    """A lesson drawn from a review belongs to that review's partnership."""

    class Meta:
        model = Lesson
        fields = ("partnership", "review", "step", "theme", "text")

    def clean(self):
        cleaned = super().clean()
        partnership, review = cleaned.get("partnership"), cleaned.get("review")
        if review and partnership and partnership.pk and review.partnership_id != partnership.pk:
            self.add_error("review", "Choose a review of this partnership.")
        return cleaned


# --- The "Return to an earlier step…" action ------------------------------------------------


class ReturnToStepForm(forms.Form):
    """The intermediate page of the return action: where to, and why (the why is recorded)."""

    to_step = forms.TypedChoiceField(label="Return to", coerce=int, choices=())
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text="Recorded with the move, in the partnership's record of moves.",
        error_messages={"required": "Say why the partnership returns to an earlier step."},
    )

    def __init__(self, *args, latest_step: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_step"].choices = [
            (step.value, f"{step.value}. {step.label}")
            for step in workflow.earlier_steps(latest_step)
        ]
