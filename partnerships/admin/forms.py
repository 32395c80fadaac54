"""Forms and formsets of the partnerships admin: the rules that span more than one row, which
the models' `clean()` and constraints cannot check before save. Without them the admin would
let the database refuse the row, and the user would get a server error instead of a form
error."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.admin import AdminInlineFormSet, AdminModelForm, constraint_message
from core.forms import PlainForm
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


class PartnershipMemberFormSet(AdminInlineFormSet):
    def clean(self):
        super().clean()
        self.at_most_one(
            "role",
            PartnershipMember.Role.HOME,
            constraint_message(PartnershipMember, "member_one_home"),
        )


class MOUFormSet(AdminInlineFormSet):
    def clean(self):
        super().clean()
        self.at_most_one(
            "status",
            MOU.Status.SIGNED,
            constraint_message(MOU, "mou_one_signed_per_partnership"),
        )


# --- Rules across rows ----------------------------------------------------------------------


class TwinningStrategyForm(AdminModelForm):
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
        partner = cleaned.get("partner")
        if self.instance.pk is None and partner is not None:
            # As in the portal (`services.strategy_draft_start`): one open draft per city.
            draft = partner.strategies.filter(status=TwinningStrategy.Status.DRAFT).first()
            if draft is not None:
                self.add_error(
                    "partner",
                    _(
                        "Version %(version)s of %(city)s's strategy is already a draft: "
                        "edit or discard it before starting another."
                    )
                    % {"version": draft.version, "city": partner.name},
                )
        in_force = self.instance.status == TwinningStrategy.Status.IN_FORCE
        if in_force and "approved_on" in self.fields and not cleaned.get("approved_on"):
            self.add_error(
                "approved_on",
                constraint_message(TwinningStrategy, "strategy_in_force_has_approval_date"),
            )
        return cleaned


class StrategyCriterionForm(AdminModelForm):
    """Criteria are added to a draft; a version in force has candidates scored against it."""

    class Meta:
        model = StrategyCriterion
        fields = ("strategy", "name", "measure", "description", "weight", "max_score")

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
                _(
                    "Version %(version)s is %(status)s: only a draft's criteria can change. "
                    "Start a new version instead."
                )
                % {"version": strategy.version, "status": strategy.get_status_display().lower()},
            )
        return cleaned


class CandidateForm(AdminModelForm):
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
            self.add_error(
                "partner",
                _("%(city)s is already a member of this partnership.") % {"city": partner.name},
            )
        return cleaned


class CriterionScoreForm(AdminModelForm):
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
                    "criterion", _("Choose a criterion of the strategy this partnership serves.")
                )
        return cleaned


class LessonForm(AdminModelForm):
    """A lesson drawn from a review belongs to that review's partnership."""

    class Meta:
        model = Lesson
        fields = ("partnership", "review", "step", "theme", "text")

    def clean(self):
        cleaned = super().clean()
        partnership, review = cleaned.get("partnership"), cleaned.get("review")
        if review and partnership and partnership.pk and review.partnership_id != partnership.pk:
            self.add_error("review", _("Choose a review of this partnership."))
        return cleaned


# --- The "Return to an earlier step…" action ------------------------------------------------


class ReturnToStepForm(PlainForm):
    """The intermediate page of the return action: where to, and why (the why is recorded)."""

    to_step = forms.TypedChoiceField(label=_("Return to"), coerce=int, choices=())
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Recorded with the move, in the partnership's record of moves."),
        error_messages={"required": _("Say why the partnership returns to an earlier step.")},
    )

    def __init__(self, *args, latest_step: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_step"].choices = [
            (step.value, f"{step.value}. {step.label}")
            for step in workflow.earlier_steps(latest_step)
        ]
