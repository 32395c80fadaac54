"""The admin of organisations and sub-alliances.

A sub-alliance's strength changes through `services.sub_alliance_set_strength` even here, so
its history is never skipped; a sub-alliance added here gets its start-up tasks, first
strength record and "formed" activity from the same service code as in the portal. The
history itself is read-only. Every list and inline reads its related rows with
`select_related`, so no page asks a query per row.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from alliances import services
from alliances.models import (
    Organisation,
    ScorecardMeasure,
    StartUpTask,
    StrengthRecord,
    SubAlliance,
    SubAllianceParty,
)
from core.admin import AdminModelForm, PortalAdmin, RecordAdmin, TabularInline
from core.errors import DomainError
from partnerships.forms.partnerships import lendrum_label


@admin.register(Organisation)
class OrganisationAdmin(PortalAdmin):
    list_display = ("name", "kind", "partner", "website")
    list_filter = ("kind",)
    search_fields = ("name", "partner__name", "description")
    autocomplete_fields = ("partner", "sectors")
    list_select_related = ("partner",)
    readonly_fields = ("created_by", "created_at", "updated_at")


class PartyInline(TabularInline):
    model = SubAllianceParty
    fields = ("organisation", "partner", "role", "joined_on")
    readonly_fields = ("partner",)
    autocomplete_fields = ("organisation",)
    related = ("organisation", "partner")


class StartUpTaskInline(TabularInline):
    model = StartUpTask
    fields = ("kind", "done", "done_on", "notes")
    readonly_fields = ("kind",)
    can_delete = False
    max_num = 0  # the five tasks are created with the sub-alliance

    def has_add_permission(self, request, obj=None):
        return False


class ScorecardInline(TabularInline):
    model = ScorecardMeasure
    fields = ("dimension", "name", "unit", "target", "actual", "added_by_partner", "added_by")
    readonly_fields = ("added_by",)
    autocomplete_fields = ("added_by_partner",)
    related = ("added_by_partner", "added_by")


class StrengthHistoryInline(TabularInline):
    model = StrengthRecord
    fields = ("recorded_at", "previous", "strength", "note", "recorded_by")
    readonly_fields = fields
    can_delete = False
    related = ("recorded_by",)
    verbose_name_plural = _("strength history")

    def has_add_permission(self, request, obj=None):
        return False


class SubAllianceForm(AdminModelForm):
    def clean_started_on(self):
        # The service's rule, as a field error: formation logs an activity on that date, which
        # refused a date more than a year ahead from save_model (a 500).
        started_on = self.cleaned_data.get("started_on")
        try:
            services.check_start(started_on)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["started_on"]) from None
        return started_on


@admin.register(SubAlliance)
class SubAllianceAdmin(PortalAdmin):
    form = SubAllianceForm
    list_display = (
        "name",
        "partnership",
        "grouping",
        "form",
        "status",
        "strength_label",
        "started_on",
    )
    list_filter = ("grouping", "form", "status", "linkage_direction", "linkage_scope")
    search_fields = ("name", "purpose", "partnership__title", "organisations__name")
    autocomplete_fields = ("partnership",)
    list_select_related = ("partnership",)
    readonly_fields = ("created_by", "created_at", "updated_at")
    inlines = (PartyInline, StartUpTaskInline, ScorecardInline, StrengthHistoryInline)

    @admin.display(
        description=_("relationship strength"),
        ordering=F("strength").asc(nulls_first=True),
    )
    def strength_label(self, obj):
        return lendrum_label(obj.strength)

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            services.sub_alliance_record_formation(sub_alliance=obj, user=request.user)
            return
        if "strength" not in form.changed_data:
            return super().save_model(request, obj, form, change)
        strength = obj.strength
        obj.strength = SubAlliance.objects.values_list("strength", flat=True).get(pk=obj.pk)
        super().save_model(request, obj, form, change)
        try:
            services.sub_alliance_set_strength(
                sub_alliance=obj, strength=strength, user=request.user, note="Changed in the admin."
            )
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)

    def save_inline(self, request, obj) -> None:
        if isinstance(obj, SubAllianceParty):
            obj.partner_id = obj.organisation.partner_id
        obj.save()


@admin.register(StrengthRecord)
class StrengthRecordAdmin(RecordAdmin):
    """The history of strength: written by the services only."""

    list_display = ("sub_alliance", "previous", "strength", "recorded_at", "recorded_by")
    list_filter = ("strength",)
    search_fields = ("sub_alliance__name", "note")
    list_select_related = ("sub_alliance", "recorded_by")


@admin.register(StartUpTask)
class StartUpTaskAdmin(PortalAdmin):
    list_display = ("sub_alliance", "kind", "done", "done_on")
    list_filter = ("kind", "done")
    search_fields = ("sub_alliance__name", "notes")
    list_select_related = ("sub_alliance",)
    readonly_fields = ("sub_alliance", "kind")

    def has_add_permission(self, request):
        return False


@admin.register(ScorecardMeasure)
class ScorecardMeasureAdmin(PortalAdmin):
    list_display = (
        "name",
        "sub_alliance",
        "dimension",
        "target",
        "actual",
        "unit",
        "added_by_partner",
    )
    list_filter = ("dimension",)
    search_fields = ("name", "sub_alliance__name")
    autocomplete_fields = ("sub_alliance", "added_by_partner")
    list_select_related = ("sub_alliance", "added_by_partner")
    readonly_fields = ("added_by",)


@admin.register(SubAllianceParty)
class SubAlliancePartyAdmin(PortalAdmin):
    list_display = ("organisation", "sub_alliance", "partner", "role", "joined_on")
    search_fields = ("organisation__name", "sub_alliance__name")
    autocomplete_fields = ("sub_alliance", "organisation")
    list_select_related = ("organisation", "sub_alliance", "partner")
    readonly_fields = ("partner",)

    def save_model(self, request, obj, form, change):
        obj.partner_id = obj.organisation.partner_id
        super().save_model(request, obj, form, change)
