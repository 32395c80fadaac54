"""The admin of steps 7-8: activities, reviews with their KPI results and ratings, lessons, and
the stored health."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import (
    PortalAdmin,
    PortalHistoryAdmin,
    RecordAdmin,
    TabularInline,
)
from partnerships.admin.forms import LessonForm
from partnerships.models import (
    KPI,
    Activity,
    HealthSummary,
    KPIResult,
    Lesson,
    Review,
    SuccessFactorRating,
)

# --- Steps 7–8: implementation, reviews and lessons -----------------------------------------


@admin.register(Activity)
class ActivityAdmin(PortalAdmin):
    list_display = ("title", "kind", "partnership", "occurred_on", "participants", "created_by")
    list_filter = ("kind",)
    search_fields = ("title", "description", "partnership__title")
    autocomplete_fields = ("partnership",)
    list_select_related = ("partnership", "created_by")
    readonly_fields = ("created_by", "created_at")
    date_hierarchy = "occurred_on"
    ordering = ("-occurred_on", "-id")


def _review_open(review) -> bool:
    """A completed review is read-only (amend it by writing a new one)."""
    return review is None or review.status == Review.Status.DRAFT


class OpenReviewOnlyMixin:
    """Rows of a completed review can be read, never changed."""

    def has_add_permission(self, request, obj=None):
        return _review_open(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return _review_open(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _review_open(obj) and super().has_delete_permission(request, obj)


class KPIResultInline(OpenReviewOnlyMixin, TabularInline):
    model = KPIResult
    fields = ("kpi", "actual", "note")
    related = ("kpi",)

    def scoped_querysets(self, request, obj):
        # Only the reviewed partnership's own KPIs may be given a value.
        kpis = KPI.objects.filter(partnership=obj.partnership_id) if obj else KPI.objects.none()
        return {"kpi": kpis}


class SuccessFactorRatingInline(OpenReviewOnlyMixin, TabularInline):
    model = SuccessFactorRating
    fields = ("factor", "rating", "note")


@admin.register(KPIResult)
class KPIResultAdmin(PortalAdmin):
    list_display = ("kpi", "review", "due", "actual", "on_target")
    search_fields = ("kpi__name", "review__partnership__title")
    autocomplete_fields = ("kpi", "review")
    list_select_related = ("kpi", "review__partnership")

    @admin.display(description=_("due by period end"))
    def due(self, obj):
        return obj.due

    @admin.display(description=_("on target"), boolean=True)
    def on_target(self, obj):
        return obj.on_target


@admin.register(SuccessFactorRating)
class SuccessFactorRatingAdmin(PortalAdmin):
    list_display = ("factor", "rating", "review")
    list_filter = ("factor", "rating")
    search_fields = ("review__partnership__title",)
    autocomplete_fields = ("review",)
    list_select_related = ("review__partnership",)


@admin.register(Review)
class ReviewAdmin(PortalHistoryAdmin):
    inlines = (KPIResultInline, SuccessFactorRatingInline)
    list_display = (
        "partnership",
        "period_start",
        "period_end",
        "status",
        "decision",
        "completed_on",
    )
    list_filter = ("status", "decision")
    search_fields = ("partnership__title", "narrative")
    autocomplete_fields = ("partnership",)
    list_select_related = ("partnership", "created_by")
    # Completing applies the decision: only services.review_complete may do it.
    readonly_fields = ("status", "completed_on", "completed_by", "created_by", "created_at")

    def has_change_permission(self, request, obj=None):
        return _review_open(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _review_open(obj) and super().has_delete_permission(request, obj)

    date_hierarchy = "period_end"
    ordering = ("-period_end", "-id")


@admin.register(Lesson)
class LessonAdmin(PortalAdmin):
    form = LessonForm
    list_display = ("theme", "partnership", "step", "review", "recorded_by", "created_at")
    list_filter = ("step",)
    search_fields = ("theme", "text", "partnership__title")
    autocomplete_fields = ("partnership", "review")
    list_select_related = ("partnership", "review__partnership", "recorded_by")
    readonly_fields = ("recorded_by", "created_at")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)


@admin.register(HealthSummary)
class HealthSummaryAdmin(RecordAdmin):
    """Each running partnership's stored health (partnerships.health.stored): computed, never
    typed in; `manage.py refresh_health` recomputes what is stale."""

    list_display = ("partnership", "score", "scored_on", "last_activity_on", "has_champion")
    list_filter = ("scored_on", "has_champion", "business_involved")
    search_fields = ("partnership__title",)
    list_select_related = ("partnership",)
    ordering = ("score", "partnership__title")
