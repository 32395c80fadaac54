"""The admin of steps 5-6: the letter of intent, the business plan, KPIs and the MOU."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.admin import (
    PortalAdmin,
    PortalHistoryAdmin,
    RecordAdmin,
    TabularInline,
)
from partnerships.models import (
    KPI,
    MOU,
    BusinessPlan,
    HeldUpload,
    LetterOfIntent,
    MOUSignatory,
    PlanAction,
)

# --- Step 5: planning -----------------------------------------------------------------------


@admin.register(LetterOfIntent)
class LetterOfIntentAdmin(PortalAdmin):
    list_display = ("partnership", "signed_on", "signed_by")
    search_fields = ("partnership__title", "signed_by", "summary")
    autocomplete_fields = ("partnership",)
    list_select_related = ("partnership",)
    date_hierarchy = "signed_on"
    ordering = ("-signed_on",)


class PlanActionInline(TabularInline):
    model = PlanAction
    fields = ("description", "owner", "owner_partner", "due_on", "status", "completed_on")
    autocomplete_fields = ("owner_partner",)
    related = ("owner_partner",)


@admin.register(BusinessPlan)
class BusinessPlanAdmin(PortalAdmin):
    list_display = ("partnership", "n_actions", "n_open_actions", "updated_at")
    search_fields = ("partnership__title", "vision", "goals")
    autocomplete_fields = ("partnership",)
    list_select_related = ("partnership",)
    readonly_fields = ("updated_at",)
    date_hierarchy = "updated_at"
    ordering = ("partnership__title",)
    inlines = (PlanActionInline,)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_actions=Count("actions"),
                n_open_actions=Count("actions", filter=Q(actions__status=PlanAction.Status.OPEN)),
            )
        )

    @admin.display(description=_("actions"), ordering="n_actions")
    def n_actions(self, obj):
        return obj.n_actions

    # Translators: column header, the number of actions still open (not done).
    @admin.display(description=_("open"), ordering="n_open_actions")
    def n_open_actions(self, obj):
        return obj.n_open_actions


@admin.register(PlanAction)
class PlanActionAdmin(PortalAdmin):
    list_display = ("description", "partnership", "owner", "owner_partner", "due_on", "status")
    list_filter = ("status",)
    search_fields = ("description", "owner", "plan__partnership__title")
    autocomplete_fields = ("plan", "owner_partner")
    list_select_related = ("plan__partnership", "owner_partner")
    date_hierarchy = "due_on"
    ordering = ("due_on", "id")

    @admin.display(description=_("partnership"), ordering="plan__partnership__title")
    def partnership(self, obj):
        return obj.plan.partnership


@admin.register(KPI)
class KPIAdmin(PortalAdmin):
    list_display = (
        "name",
        "partnership",
        "unit",
        "baseline",
        "target",
        "start_date",
        "target_date",
        "area",
    )
    list_filter = ("area",)
    search_fields = ("name", "unit", "partnership__title")
    autocomplete_fields = ("partnership",)
    list_select_related = ("partnership", "area")
    readonly_fields = ("created_at",)
    date_hierarchy = "created_at"
    ordering = ("partnership__title", "name")


# --- Step 6: the agreement ------------------------------------------------------------------


def _signed(mou) -> bool:
    return mou is not None and mou.pk is not None and mou.status != MOU.Status.DRAFT


class MOUSignatoryInline(TabularInline):
    model = MOUSignatory
    fields = ("name", "title", "partner")
    autocomplete_fields = ("partner",)
    related = ("partner",)

    # Who signed a signed MOU is part of what was signed (see MOUAdmin.get_readonly_fields).
    def has_add_permission(self, request, obj=None):
        return not _signed(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not _signed(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _signed(obj) and super().has_delete_permission(request, obj)


@admin.register(MOU)
class MOUAdmin(PortalHistoryAdmin):
    list_display = (
        "partnership",
        "status",
        "effective_on",
        "expires_on",
        "signed_on",
        "ceremony_on",
        "ceremony_place",
    )
    list_filter = ("status",)
    search_fields = ("partnership__title", "ceremony_place", "other_terms")
    autocomplete_fields = ("partnership",)
    list_select_related = ("partnership",)
    filter_horizontal = ("areas",)
    readonly_fields = ("created_at", "updated_at")
    date_hierarchy = "effective_on"
    ordering = ("-effective_on", "-id")
    history_list_display = ("status", "effective_on", "expires_on")
    fieldsets = (
        (None, {"fields": ("partnership", "status", "areas", "document")}),
        (_("When it runs"), {"fields": (("effective_on", "expires_on"), "signed_on")}),
        (_("Ceremony"), {"fields": (("ceremony_on", "ceremony_place"),)}),
        (_("Terms"), {"fields": ("termination_conditions", "other_terms")}),
        (
            _("Termination"),
            {"classes": ("collapse",), "fields": ("terminated_on", "termination_reason")},
        ),
        (
            pgettext_lazy("noun: who created it and when", "Record"),
            {"classes": ("collapse",), "fields": ("created_at", "updated_at")},
        ),
    )
    inlines = (MOUSignatoryInline,)

    def get_readonly_fields(self, request, obj=None):
        # A signed (then expired or terminated) MOU is a record of what the cities signed: read
        # here, changed only through the portal's services, which refuse what the admin let
        # through (a signed MOU's dates, set back to draft, a second draft).
        if _signed(obj):
            return [f.name for f in MOU._meta.fields if f.editable] + [
                "areas",
                *self.readonly_fields,
            ]
        return self.readonly_fields


@admin.register(MOUSignatory)
class MOUSignatoryAdmin(PortalAdmin):
    list_display = ("name", "title", "partner", "mou")
    search_fields = ("name", "title", "partner__name", "mou__partnership__title")
    autocomplete_fields = ("mou", "partner")
    list_select_related = ("mou__partnership", "partner")
    ordering = ("mou__partnership__title", "name")


@admin.register(HeldUpload)
class HeldUploadAdmin(RecordAdmin):
    """PDFs held while their form is corrected (partnerships/services/uploads.py): listed so
    that an admin sees what is kept and for whom; the file itself is never linked."""

    list_display = ("name", "user", "scope", "size", "created_at")
    list_select_related = ("user",)
    fields = ("name", "user", "scope", "size", "created_at")
    readonly_fields = fields
    ordering = ("-created_at", "-pk")
