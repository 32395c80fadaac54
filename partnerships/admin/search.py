"""The admin of steps 2-4: candidates, their evaluation, their scores and the selection."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.admin import (
    COMPACT_TEXT,
    AdminModelForm,
    PortalAdmin,
    StackedInline,
    TabularInline,
    service_refusal,
)
from partnerships import selectors, services
from partnerships.admin.forms import CandidateForm, CriterionScoreForm
from partnerships.models import (
    ApproachContact,
    Candidate,
    CriterionScore,
    DueDiligence,
    FeasibilityStudy,
    SelectionDecision,
)


def record_selection(decision: SelectionDecision, user) -> SelectionDecision:
    """Save a selection through `services.selection_decide`, so the chosen city joins the
    partnership as its counterpart exactly as it does outside the admin."""
    saved = services.selection_decide(
        partnership=decision.partnership,
        candidate=decision.candidate,
        reasons=decision.reasons,
        user=user,
    )
    if decision.decided_on and saved.decided_on != decision.decided_on:
        SelectionDecision.objects.filter(pk=saved.pk).update(decided_on=decision.decided_on)
    decision.pk, decision.decided_by = saved.pk, saved.decided_by
    decision._state.adding = False
    return decision


class SelectionDecisionForm(AdminModelForm):
    """The service's refusals (a rejected candidate, another partnership's, no reasons) as
    form errors: saved through `record_selection`, they were a 500."""

    def clean(self):
        cleaned = super().clean()
        partnership = cleaned.get("partnership") or (
            self.instance.partnership if self.instance.partnership_id else None
        )
        candidate = cleaned.get("candidate")
        if partnership is not None and candidate is not None and not self.errors:
            refused = service_refusal(
                lambda: services.selection_decide(
                    partnership=partnership,
                    candidate=candidate,
                    reasons=cleaned.get("reasons") or "",
                    user=None,
                )
            )
            if refused:
                raise ValidationError(refused)
        return cleaned


class ApproachContactInline(TabularInline):
    model = ApproachContact
    fields = ("contacted_on", "channel", "contact_name", "contact_role", "response", "summary")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "summary":
            kwargs.update(COMPACT_TEXT)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class DueDiligenceInline(StackedInline):
    model = DueDiligence
    fields = (
        "alliance_history",
        ("existing_partnerships", "failed_partnerships"),
        "capability_gaps",
        "risks",
        "completed_on",
    )


class FeasibilityStudyInline(StackedInline):
    model = FeasibilityStudy
    fields = ("summary", "resources_required", "conclusion", "completed_on")


class CriterionScoreInline(TabularInline):
    model = CriterionScore
    form = CriterionScoreForm
    fields = ("criterion", "score", "note")
    related = ("criterion",)

    def scoped_querysets(self, request, obj):
        return {
            "criterion": selectors.criteria_of(
                obj.partnership if obj is not None and obj.pk else None
            )
        }


@admin.register(Candidate)
class CandidateAdmin(PortalAdmin):
    form = CandidateForm
    list_display = ("partner", "partnership", "status", "source", "added_by", "created_at")
    list_filter = ("status", "source")
    search_fields = ("partner__name", "partnership__title", "rationale")
    autocomplete_fields = ("partnership", "partner")
    list_select_related = ("partner", "partnership", "added_by")
    readonly_fields = ("added_by", "created_at")
    date_hierarchy = "created_at"
    ordering = ("partnership__title", "partner__name")
    fields = ("partnership", "partner", "rationale", "source", "status", "added_by", "created_at")
    inlines = (
        ApproachContactInline,
        DueDiligenceInline,
        FeasibilityStudyInline,
        CriterionScoreInline,
    )


class CandidateChildAdmin(PortalAdmin):
    """Rows that hang off a candidate: listed with the candidate's city and partnership."""

    autocomplete_fields = ("candidate",)
    list_select_related = ("candidate__partner", "candidate__partnership")
    search_fields = ("candidate__partner__name", "candidate__partnership__title")

    @admin.display(description=_("partnership"), ordering="candidate__partnership__title")
    def partnership(self, obj):
        return obj.candidate.partnership


@admin.register(ApproachContact)
class ApproachContactAdmin(CandidateChildAdmin):
    list_display = ("contact_name", "candidate", "channel", "response", "contacted_on")
    list_filter = ("channel", "response")
    search_fields = ("contact_name", "contact_role", *CandidateChildAdmin.search_fields)
    date_hierarchy = "contacted_on"
    ordering = ("-contacted_on", "-id")


@admin.register(DueDiligence)
class DueDiligenceAdmin(CandidateChildAdmin):
    list_display = (
        "candidate",
        "partnership",
        "existing_partnerships",
        "failed_partnerships",
        "completed_on",
    )
    date_hierarchy = "completed_on"
    ordering = ("-completed_on",)


@admin.register(FeasibilityStudy)
class FeasibilityStudyAdmin(CandidateChildAdmin):
    list_display = ("candidate", "partnership", "conclusion", "completed_on")
    list_filter = ("conclusion",)
    date_hierarchy = "completed_on"
    ordering = ("-completed_on",)


@admin.register(CriterionScore)
class CriterionScoreAdmin(CandidateChildAdmin):
    form = CriterionScoreForm
    list_display = ("candidate", "partnership", "criterion", "score", "note")
    search_fields = ("criterion__name", *CandidateChildAdmin.search_fields)
    autocomplete_fields = ("candidate", "criterion")
    list_select_related = (*CandidateChildAdmin.list_select_related, "criterion")
    ordering = ("candidate__partnership__title", "candidate__partner__name", "criterion__name")


@admin.register(SelectionDecision)
class SelectionDecisionAdmin(PortalAdmin):
    form = SelectionDecisionForm
    list_display = ("partnership", "candidate", "decided_on", "decided_by")
    search_fields = ("partnership__title", "candidate__partner__name", "reasons")
    autocomplete_fields = ("partnership", "candidate")
    list_select_related = (
        "partnership",
        "candidate__partner",
        "candidate__partnership",
        "decided_by",
    )
    date_hierarchy = "decided_on"
    ordering = ("-decided_on",)

    def get_readonly_fields(self, request, obj=None):
        # A decision belongs to its partnership; choose again on that partnership instead.
        return ("partnership", "decided_by") if obj is not None else ("decided_by",)

    def save_model(self, request, obj, form, change):
        record_selection(obj, request.user)
