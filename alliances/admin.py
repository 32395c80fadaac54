"""The admin of organisations and sub-alliances.

A sub-alliance's strength changes through `services.sub_alliance_set_strength` even here, so
its history is never skipped; a sub-alliance added here gets its start-up tasks, first
strength record and "formed" activity from the same service code as in the portal. The
history itself is read-only. Every list and inline reads its related rows with
`select_related`, so no page asks a query per row.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import widgets
from django.db import models

from alliances import services
from alliances.models import (
    Organisation,
    ScorecardMeasure,
    StartUpTask,
    StrengthRecord,
    SubAlliance,
    SubAllianceParty,
)
from config.page_cache import CachedChangelistMixin
from partnerships.forms_admin import (
    PortalInlineFormSet,
    PortalModelForm,
    PrimedAutocompleteSelect,
)
from partnerships.services import DomainError


class SelectRelatedAdmin(CachedChangelistMixin, admin.ModelAdmin):
    """`list_select_related` applies to every queryset the admin reads (list, change page,
    autocomplete), since `__str__` often walks a relation."""

    list_per_page = 50
    formfield_overrides = {
        models.URLField: {"widget": widgets.AdminURLFieldWidget, "assume_scheme": "https"}
    }

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        related = self.list_select_related
        return qs.select_related(*related) if isinstance(related, list | tuple) else qs


class SelectRelatedInline:
    """Inline rows read with `select_related`, given their parent object, and autocomplete
    widgets labelled from the object each row already holds (the core admin's form, formset and
    primed widget), so an inline of 30 rows costs no 30 queries."""

    related: tuple[str, ...] = ()
    extra = 0
    form = PortalModelForm
    formset = PortalInlineFormSet

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.select_related(*self.related) if self.related else qs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = PrimedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Organisation)
class OrganisationAdmin(SelectRelatedAdmin):
    list_display = ("name", "kind", "partner", "website")
    list_filter = ("kind",)
    search_fields = ("name", "partner__name", "description")
    autocomplete_fields = ("partner", "sectors")
    list_select_related = ("partner",)
    readonly_fields = ("created_by", "created_at", "updated_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class PartyInline(SelectRelatedInline, admin.TabularInline):
    model = SubAllianceParty
    fields = ("organisation", "partner", "role", "joined_on")
    readonly_fields = ("partner",)
    autocomplete_fields = ("organisation",)
    related = ("organisation", "partner")


class StartUpTaskInline(SelectRelatedInline, admin.TabularInline):
    model = StartUpTask
    fields = ("kind", "done", "done_on", "notes")
    readonly_fields = ("kind",)
    can_delete = False
    max_num = 0  # the five tasks are created with the sub-alliance

    def has_add_permission(self, request, obj=None):
        return False


class ScorecardInline(SelectRelatedInline, admin.TabularInline):
    model = ScorecardMeasure
    fields = ("dimension", "name", "unit", "target", "actual", "added_by_partner", "added_by")
    readonly_fields = ("added_by",)
    autocomplete_fields = ("added_by_partner",)
    related = ("added_by_partner", "added_by")


class StrengthHistoryInline(SelectRelatedInline, admin.TabularInline):
    model = StrengthRecord
    fields = ("recorded_at", "previous", "strength", "note", "recorded_by")
    readonly_fields = fields
    can_delete = False
    related = ("recorded_by",)
    verbose_name_plural = "strength history"

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SubAlliance)
class SubAllianceAdmin(SelectRelatedAdmin):
    list_display = ("name", "partnership", "grouping", "form", "status", "strength", "started_on")
    list_filter = ("grouping", "form", "status", "linkage_direction", "linkage_scope")
    search_fields = ("name", "purpose", "partnership__title", "organisations__name")
    autocomplete_fields = ("partnership",)
    list_select_related = ("partnership",)
    readonly_fields = ("created_by", "created_at", "updated_at")
    inlines = (PartyInline, StartUpTaskInline, ScorecardInline, StrengthHistoryInline)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
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

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for obj in instances:
            if isinstance(obj, SubAllianceParty):
                obj.partner_id = obj.organisation.partner_id
            if isinstance(obj, ScorecardMeasure) and obj.added_by_id is None:
                obj.added_by = request.user
            obj.save()
        formset.save_m2m()


@admin.register(StrengthRecord)
class StrengthRecordAdmin(SelectRelatedAdmin):
    """The history of strength: written by the services only."""

    list_display = ("sub_alliance", "previous", "strength", "recorded_at", "recorded_by")
    list_filter = ("strength",)
    search_fields = ("sub_alliance__name", "note")
    list_select_related = ("sub_alliance", "recorded_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(StartUpTask)
class StartUpTaskAdmin(SelectRelatedAdmin):
    list_display = ("sub_alliance", "kind", "done", "done_on")
    list_filter = ("kind", "done")
    search_fields = ("sub_alliance__name", "notes")
    list_select_related = ("sub_alliance",)
    readonly_fields = ("sub_alliance", "kind")

    def has_add_permission(self, request):
        return False


@admin.register(ScorecardMeasure)
class ScorecardMeasureAdmin(SelectRelatedAdmin):
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

    def save_model(self, request, obj, form, change):
        if not change:
            obj.added_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(SubAllianceParty)
class SubAlliancePartyAdmin(SelectRelatedAdmin):
    list_display = ("organisation", "sub_alliance", "partner", "role", "joined_on")
    search_fields = ("organisation__name", "sub_alliance__name")
    autocomplete_fields = ("sub_alliance", "organisation")
    list_select_related = ("organisation", "sub_alliance", "partner")
    readonly_fields = ("partner",)

    def save_model(self, request, obj, form, change):
        obj.partner_id = obj.organisation.partner_id
        super().save_model(request, obj, form, change)
