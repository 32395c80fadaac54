"""The admin of the reference lists, partner cities, their staff and their strategies (step 1),
and the partnership list's saved views."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import admin, messages
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_countries.filters import CountryFilter

from core.admin import (
    COMPACT_TEXT,
    PortalAdmin,
    PortalHistoryAdmin,
    TabularInline,
)
from core.errors import DomainError
from core.formatting import long_day
from partnerships import services
from partnerships.admin.forms import StrategyCriterionForm, TwinningStrategyForm
from partnerships.models import (
    CityMembership,
    CooperationArea,
    DefaultView,
    Partner,
    SavedView,
    Sector,
    StrategyCriterion,
    TwinningStrategy,
)

# --- Reference lists ------------------------------------------------------------------------


@admin.register(Sector)
class SectorAdmin(PortalAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")
    ordering = ("code",)


@admin.register(CooperationArea)
class CooperationAreaAdmin(PortalAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}
    ordering = ("name",)


# --- Cities ---------------------------------------------------------------------------------


class CityMembershipInline(TabularInline):
    model = CityMembership
    fk_name = "partner"
    fields = ("user", "role")
    autocomplete_fields = ("user",)
    related = ("user",)
    verbose_name = _("staff member")
    verbose_name_plural = _("staff working for this city")


@admin.register(Partner)
class PartnerAdmin(PortalAdmin):
    list_display = ("name", "province", "country", "kind", "population", "global_region")
    list_filter = (("country", CountryFilter), "kind", "global_region")
    search_fields = ("name", "province")
    date_hierarchy = "created_at"
    ordering = ("name",)
    filter_horizontal = ("sectors",)
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("name", "province", "country", "kind", "global_region")}),
        (
            _("Figures"),
            {"fields": ("geonameid", "population", "latitude", "longitude", "website")},
        ),
        (_("Profile"), {"fields": ("community_profile", "development_plan", "sectors")}),
        (
            pgettext_lazy("noun: who created it and when", "Record"),
            {"classes": ("collapse",), "fields": ("created_at", "updated_at")},
        ),
    )
    inlines = (CityMembershipInline,)


@admin.register(CityMembership)
class CityMembershipAdmin(PortalAdmin):
    list_display = ("user", "partner", "role", "created_at")
    list_filter = ("role",)
    search_fields = (
        "user__username",
        "user__first_name",
        "user__last_name",
        "user__email",
        "partner__name",
    )
    autocomplete_fields = ("user", "partner")
    list_select_related = ("user", "partner")
    date_hierarchy = "created_at"
    ordering = ("partner__name", "user__username")


@admin.register(SavedView)
class SavedViewAdmin(PortalAdmin):
    """Kept by their owners on the list page; here to see what is shared, and to tidy up."""

    list_display = ("name", "owner", "shared_with", "query", "updated_at")
    search_fields = ("name", "owner__username", "owner__email", "shared_with__name")
    autocomplete_fields = ("owner", "shared_with")
    list_select_related = ("owner", "shared_with")
    readonly_fields = ("created_at", "updated_at")
    ordering = ("owner__username", "name")


@admin.register(DefaultView)
class DefaultViewAdmin(PortalAdmin):
    list_display = ("user", "view")
    search_fields = ("user__username", "user__email", "view__name")
    autocomplete_fields = ("user", "view")
    list_select_related = ("user", "view")
    ordering = ("user__username",)


# --- Step 1: strategies ---------------------------------------------------------------------


def criteria_editable(strategy: TwinningStrategy | None) -> bool:
    """Only a draft's criteria change (as in `services.strategy_criteria_save`): candidates
    have been scored against those of a version in force or superseded."""
    return strategy is None or strategy.status == TwinningStrategy.Status.DRAFT


class StrategyCriterionInline(TabularInline):
    model = StrategyCriterion
    form = StrategyCriterionForm
    fields = ("name", "measure", "weight", "max_score", "description")

    def has_add_permission(self, request, obj=None):
        return criteria_editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return criteria_editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return criteria_editable(obj) and super().has_delete_permission(request, obj)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "description":
            kwargs.update(COMPACT_TEXT)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(TwinningStrategy)
class TwinningStrategyAdmin(PortalHistoryAdmin):
    form = TwinningStrategyForm
    list_display = ("partner", "version_label", "status", "approved_on", "champion", "n_criteria")
    list_filter = ("status",)
    search_fields = ("partner__name", "champion", "vision", "goals")
    autocomplete_fields = ("partner",)
    list_select_related = ("partner", "created_by")
    date_hierarchy = "approved_on"
    ordering = ("partner__name", "-version")
    history_list_display = ("status", "approved_on")
    # The status changes through "Put in force"; the city and version are fixed once created.
    protected_fields = frozenset({"status", "partner", "version", "created_by", "created_at"})
    fieldsets = (
        (None, {"fields": ("partner", "version_label", "status", "approved_on")}),
        (_("Why the city partners"), {"fields": ("vision", "goals")}),
        (
            _("Leadership and learning"),
            {"fields": ("champion", "senior_management_involvement", "learning_capture")},
        ),
        (_("Context"), {"fields": ("development_plan_context", "national_policy_context")}),
        (
            pgettext_lazy("noun: who created it and when", "Record"),
            {"classes": ("collapse",), "fields": ("created_by", "created_at", "updated_at")},
        ),
    )
    inlines = (StrategyCriterionInline,)
    actions = ("put_in_force",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_criteria=Count("criteria"))

    def get_readonly_fields(self, request, obj=None):
        fixed = ("version_label", "status", "created_by", "created_at", "updated_at")
        if obj is not None and obj.pk and obj.status != TwinningStrategy.Status.DRAFT:
            # A version in force (or superseded) is what the council approved: its text and
            # date changed here had blocked the city's next approval ("not before the version
            # in force"). A new version is drafted in the portal.
            return [f.name for f in TwinningStrategy._meta.fields if f.editable] + list(fixed)
        return ("partner", *fixed) if obj is not None and obj.pk else fixed

    @admin.display(description=_("version"), ordering="version")
    def version_label(self, obj):
        return f"v{obj.version}" if obj.pk else _("The next free version, given on save")

    @admin.display(description=_("criteria"), ordering="n_criteria")
    def n_criteria(self, obj):
        return obj.n_criteria

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        # A new version is a draft opened by the same service as in the portal: numbered
        # under the city's lock, one draft at a time.
        draft = services.strategy_draft_start(
            partner=obj.partner,
            user=request.user,
            criteria=[],
            **{name: getattr(obj, name) for name in services.STRATEGY_TEXT_FIELDS},
        )
        obj.pk, obj.version, obj.status = draft.pk, draft.version, draft.status
        obj.created_by, obj.created_at, obj.updated_at = (
            draft.created_by,
            draft.created_at,
            draft.updated_at,
        )
        obj._state.adding = False

    @admin.action(description=_("Put in force"), permissions=["change"])
    def put_in_force(self, request, queryset):
        by_city: dict[int, list[TwinningStrategy]] = defaultdict(list)
        for strategy in queryset:
            by_city[strategy.partner_id].append(strategy)
        for strategies in by_city.values():
            city = strategies[0].partner.name
            if len(strategies) > 1:
                versions = ", ".join(f"v{s.version}" for s in strategies)
                self.message_user(
                    request,
                    gettext(
                        "%(city)s: choose one version to put in force (selected: %(versions)s)."
                    )
                    % {"city": city, "versions": versions},
                    messages.ERROR,
                )
                continue
            strategy = strategies[0]
            if strategy.status == TwinningStrategy.Status.IN_FORCE:
                self.message_user(
                    request,
                    gettext("%(city)s strategy v%(version)s is already in force.")
                    % {"city": city, "version": strategy.version},
                    messages.WARNING,
                )
                continue
            try:
                # The portal's approval, with its rules: a criterion at least, no future date,
                # not before the version in force.
                strategy = services.strategy_approve(
                    strategy=strategy,
                    user=request.user,
                    approved_on=strategy.approved_on or timezone.localdate(),
                )
            except DomainError as exc:
                self.message_user(
                    request,
                    gettext("%(city)s: %(error)s") % {"city": city, "error": exc},
                    messages.ERROR,
                )
                continue
            self.message_user(
                request,
                gettext(
                    "%(city)s strategy v%(version)s is in force (approved on %(date)s); any "
                    "version before it is superseded."
                )
                % {
                    "city": city,
                    "version": strategy.version,
                    "date": long_day(strategy.approved_on),
                },
                messages.SUCCESS,
            )


@admin.register(StrategyCriterion)
class StrategyCriterionAdmin(PortalAdmin):
    form = StrategyCriterionForm
    list_display = ("name", "strategy", "measure", "weight", "max_score")
    search_fields = ("name", "strategy__partner__name")
    autocomplete_fields = ("strategy",)
    list_select_related = ("strategy__partner",)
    ordering = ("strategy__partner__name", "-strategy__version", "-weight", "name")

    def has_change_permission(self, request, obj=None):
        editable = obj is None or criteria_editable(obj.strategy)
        return editable and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        editable = obj is None or criteria_editable(obj.strategy)
        return editable and super().has_delete_permission(request, obj)
