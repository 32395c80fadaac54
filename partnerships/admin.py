"""The Django admin of partner cities, strategies and partnerships walked through the eight steps.

How this admin keeps to the rules of the rest of the code:

* A partnership's `step` is read-only here; it moves only through the "Advance" and "Return"
  actions, which call `services.partnership_advance/return` (the one code path that checks the
  gate and records the move). A strategy's status likewise moves only through "Put in force".
  Saving a change form writes every field except those, so neither an ordinary save nor a
  django-simple-history "revert" can move them behind the services' back.
* Who created a row (`created_by`, `added_by`, …) is recorded from the request, not typed.
* Every list page and inline reads its related rows with `select_related`, inline selects
  evaluate their choices once per page, and autocomplete widgets reuse the row's loaded object,
  so no page issues a query per row (the tests count them).
"""

from __future__ import annotations

from collections import defaultdict

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect, ForeignKeyRawIdWidget
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join
from django_countries.filters import CountryFilter
from simple_history.admin import SimpleHistoryAdmin

from config.page_cache import CachedChangelistMixin
from partnerships import notify, services, workflow
from partnerships.filters import country_choices
from partnerships.forms_admin import (
    CandidateForm,
    CriterionScoreForm,
    LessonForm,
    MOUFormSet,
    PartnershipMemberFormSet,
    PortalInlineFormSet,
    PortalModelForm,
    PrimedAutocompleteSelect,
    ReturnToStepForm,
    StrategyCriterionForm,
    TwinningStrategyForm,
)
from partnerships.models import (
    KPI,
    MOU,
    Activity,
    ApproachContact,
    BusinessPlan,
    CalendarFeed,
    Candidate,
    Champion,
    CityMembership,
    CooperationArea,
    CriterionScore,
    DueDiligence,
    FeasibilityStudy,
    KPIResult,
    Lesson,
    LetterOfIntent,
    MOUSignatory,
    MoveConfirmation,
    NotificationPreference,
    Partner,
    Partnership,
    PartnershipMember,
    PlanAction,
    Reminder,
    Review,
    Sector,
    SelectionDecision,
    Step,
    StepTransition,
    StrategyCriterion,
    SuccessFactorRating,
    TwinningStrategy,
)

# Written only by the services; the admin shows them and never edits them.
RECORD_MODELS = (StepTransition, MoveConfirmation)

# Fields that record who made a row: filled in from the request, shown read-only.
CREATOR_FIELDS = ("created_by", "added_by", "recorded_by", "decided_by")

COMPACT_TEXT = {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})}


def stamp_creator(obj, user) -> None:
    for name in CREATOR_FIELDS:
        if hasattr(obj, f"{name}_id") and getattr(obj, f"{name}_id") is None:
            setattr(obj, name, user)


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


def criteria_for(partnership: Partnership | None) -> QuerySet[StrategyCriterion]:
    """The criteria a partnership's candidates are scored on: those of the strategy it serves,
    or, before it is tied to one, of its home city's strategy in force."""
    if partnership is None or partnership.pk is None:
        return StrategyCriterion.objects.none()
    if partnership.strategy_id:
        return StrategyCriterion.objects.filter(strategy_id=partnership.strategy_id)
    return StrategyCriterion.objects.filter(
        strategy__status=TwinningStrategy.Status.IN_FORCE,
        strategy__partner__memberships__partnership=partnership,
        strategy__partner__memberships__role=PartnershipMember.Role.HOME,
    )


# --- Shared behaviour -------------------------------------------------------------------------


class PrimedAutocompleteMixin:
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = PrimedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class PortalAdminMixin(CachedChangelistMixin, PrimedAutocompleteMixin):
    """`list_select_related` is applied to every queryset the admin reads (list, change page,
    autocomplete results), not only to the list, since `__str__` often walks a relation."""

    form = PortalModelForm
    list_select_related: tuple[str, ...] = ()
    list_per_page = 50

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.select_related(*self.list_select_related) if self.list_select_related else qs

    def save_model(self, request, obj, form, change):
        if not change:
            stamp_creator(obj, request.user)
        super().save_model(request, obj, form, change)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # Records (moves, confirmations) cannot be deleted on their own, but they go with the
        # partnership they record: they must not block deleting it.
        records = {str(m._meta.verbose_name) for m in RECORD_MODELS}
        perms_needed = {name for name in perms_needed if str(name) not in records}
        return deleted, counts, perms_needed, protected

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for obj in instances:
            if obj.pk is None:
                stamp_creator(obj, request.user)
            if isinstance(obj, SelectionDecision):
                record_selection(obj, request.user)
            else:
                obj.save()
        formset.save_m2m()


class PortalAdmin(PortalAdminMixin, admin.ModelAdmin):
    pass


class PortalHistoryAdmin(PortalAdminMixin, SimpleHistoryAdmin):
    """For models with django-simple-history: their history is browsable from the change page.

    `protected_fields` change only through services: a save, or a revert to an old version,
    leaves them as they are in the database.
    """

    protected_fields: frozenset[str] = frozenset()

    def save_model(self, request, obj, form, change):
        if not change or not self.protected_fields:
            return super().save_model(request, obj, form, change)
        obj._history_user = request.user
        obj.save(
            update_fields=[
                f.name
                for f in obj._meta.concrete_fields
                if not f.primary_key and f.name not in self.protected_fields
            ]
        )


def _is_lazy_widget(widget) -> bool:
    return isinstance(getattr(widget, "widget", widget), AutocompleteSelect | ForeignKeyRawIdWidget)


class PortalInlineMixin(PrimedAutocompleteMixin):
    form = PortalModelForm
    formset = PortalInlineFormSet
    extra = 0
    # select_related for the rows: whatever their __str__ and widgets read.
    related: tuple[str, ...] = ()

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.select_related(*self.related) if self.related else qs

    def scoped_querysets(self, request, obj) -> dict[str, QuerySet]:
        """Choices that depend on the parent (e.g. only this partnership's reviews)."""
        return {}

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        scoped = self.scoped_querysets(request, obj)
        for name, field in formset.form.base_fields.items():
            if name in scoped:
                field.queryset = scoped[name]
            if isinstance(field, forms.ModelChoiceField) and not _is_lazy_widget(field.widget):
                # Evaluate a select's choices once for the whole formset, not once per row.
                field.choices = list(field.choices)
        return formset


class TabularInline(PortalInlineMixin, admin.TabularInline):
    pass


class StackedInline(PortalInlineMixin, admin.StackedInline):
    pass


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
    verbose_name = "staff member"
    verbose_name_plural = "staff working for this city"


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
        ("Figures", {"fields": ("population", "latitude", "longitude", "website")}),
        ("Profile", {"fields": ("community_profile", "development_plan", "sectors")}),
        ("Record", {"classes": ("collapse",), "fields": ("created_at", "updated_at")}),
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


# --- Step 1: strategies ---------------------------------------------------------------------


def criteria_editable(strategy: TwinningStrategy | None) -> bool:
    """Only a draft's criteria change (as in `services.strategy_criteria_save`): candidates
    have been scored against those of a version in force or superseded."""
    return strategy is None or strategy.status == TwinningStrategy.Status.DRAFT


class StrategyCriterionInline(TabularInline):
    model = StrategyCriterion
    form = StrategyCriterionForm
    fields = ("name", "weight", "max_score", "description")

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
        ("Why the city partners", {"fields": ("vision", "goals")}),
        (
            "Leadership and learning",
            {"fields": ("champion", "senior_management_involvement", "learning_capture")},
        ),
        ("Context", {"fields": ("development_plan_context", "national_policy_context")}),
        (
            "Record",
            {"classes": ("collapse",), "fields": ("created_by", "created_at", "updated_at")},
        ),
    )
    inlines = (StrategyCriterionInline,)
    actions = ("put_in_force",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_criteria=Count("criteria"))

    def get_readonly_fields(self, request, obj=None):
        fixed = ("version_label", "status", "created_by", "created_at", "updated_at")
        return ("partner", *fixed) if obj is not None and obj.pk else fixed

    @admin.display(description="version", ordering="version")
    def version_label(self, obj):
        return f"v{obj.version}" if obj.pk else "The next free version, given on save"

    @admin.display(description="criteria", ordering="n_criteria")
    def n_criteria(self, obj):
        return obj.n_criteria

    def save_model(self, request, obj, form, change):
        if not change:
            # As services.strategy_create: versions count up per city.
            last = TwinningStrategy.objects.filter(partner=obj.partner).order_by("-version")
            obj.version = (last.values_list("version", flat=True).first() or 0) + 1
        super().save_model(request, obj, form, change)

    @admin.action(description="Put in force", permissions=["change"])
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
                    f"{city}: choose one version to put in force (selected: {versions}).",
                    messages.ERROR,
                )
                continue
            strategy = strategies[0]
            if strategy.status == TwinningStrategy.Status.IN_FORCE:
                self.message_user(
                    request,
                    f"{city} strategy v{strategy.version} is already in force.",
                    messages.WARNING,
                )
                continue
            try:
                services.strategy_put_in_force(strategy=strategy)
            except services.DomainError as exc:
                self.message_user(request, f"{city}: {exc}", messages.ERROR)
                continue
            self.message_user(
                request,
                f"{city} strategy v{strategy.version} is in force (approved on "
                f"{strategy.approved_on:%d %B %Y}); any version before it is superseded.",
                messages.SUCCESS,
            )


@admin.register(StrategyCriterion)
class StrategyCriterionAdmin(PortalAdmin):
    form = StrategyCriterionForm
    list_display = ("name", "strategy", "weight", "max_score")
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


# --- The partnership and its steps' artefacts ----------------------------------------------


class PartnershipMemberInline(TabularInline):
    model = PartnershipMember
    formset = PartnershipMemberFormSet
    fields = ("partner", "role", "joined_on")
    autocomplete_fields = ("partner",)
    related = ("partner",)
    extra = 1
    verbose_name = "member city"
    verbose_name_plural = "member cities"


class ChampionInline(TabularInline):
    model = Champion
    fields = ("name", "title", "email", "partner", "user", "is_active", "since")
    autocomplete_fields = ("partner", "user")
    related = ("partner", "user")


class CandidateInline(TabularInline):
    model = Candidate
    form = CandidateForm
    fields = ("partner", "status", "source", "rationale")
    autocomplete_fields = ("partner",)
    related = ("partner",)
    show_change_link = True

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "rationale":
            kwargs.update(COMPACT_TEXT)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class SelectionDecisionInline(StackedInline):
    model = SelectionDecision
    fields = ("candidate", "reasons", "decided_on", "decided_by")
    readonly_fields = ("decided_by",)
    related = ("candidate__partner", "decided_by")

    def scoped_querysets(self, request, obj):
        if obj is None or obj.pk is None:
            return {"candidate": Candidate.objects.none()}
        return {"candidate": obj.candidates.select_related("partner", "partnership")}


class LetterOfIntentInline(StackedInline):
    model = LetterOfIntent
    fields = ("signed_on", "signed_by", "summary", "document")


class BusinessPlanInline(StackedInline):
    model = BusinessPlan
    fields = ("vision", "goals", "objectives", "scope")
    show_change_link = True  # its actions are edited on the plan's own page


class KPIInline(TabularInline):
    model = KPI
    fields = ("name", "unit", "baseline", "target", "area")


class MOUInline(TabularInline):
    model = MOU
    formset = MOUFormSet
    fields = ("status", "effective_on", "expires_on", "signed_on", "ceremony_on")
    show_change_link = True  # areas, terms, document and signatories on the MOU's own page


class ActivityInline(TabularInline):
    model = Activity
    fields = ("occurred_on", "kind", "title", "participants")


class ReviewInline(TabularInline):
    model = Review
    fields = ("period_start", "period_end", "status", "decision", "completed_on")
    show_change_link = True


class LessonInline(TabularInline):
    model = Lesson
    form = LessonForm
    fields = ("step", "theme", "text", "review")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "text":
            kwargs.update(COMPACT_TEXT)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def scoped_querysets(self, request, obj):
        if obj is None or obj.pk is None:
            return {"review": Review.objects.none()}
        return {"review": obj.reviews.select_related("partnership")}


class RecordInline(TabularInline):
    """A record the services write (moves, confirmations): shown, never edited here."""

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StepTransitionInline(RecordInline):
    """The record of moves: written only by `services.partnership_move`."""

    model = StepTransition
    fields = ("at", "from_step", "to_step", "kind", "reason", "by")
    related = ("by",)
    ordering = ("-at", "-id")
    verbose_name = "move"
    verbose_name_plural = "record of moves"


class MoveConfirmationInline(RecordInline):
    """Officers' confirmations of a joint sign-off: written by `partnership_confirm_move`."""

    model = MoveConfirmation
    fields = ("at", "step", "partner", "user")
    related = ("partner", "user")
    ordering = ("-at",)
    verbose_name_plural = "joint sign-off confirmations"


class MemberCountryFilter(admin.SimpleListFilter):
    """The country of a member city. Its choices come from the cities (a small table), not
    from a DISTINCT over partnerships joined to their members (CountryFilter on
    `members__partner__country`: ~30 ms at 10,000 partnerships); it filters with EXISTS, so a
    partnership is listed once. Same parameter name as before: old links keep working."""

    title = "country of a member city"
    parameter_name = "members__partner__country"

    def lookups(self, request, model_admin):
        return country_choices()

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.filter(
            Exists(
                PartnershipMember.objects.filter(
                    partnership=OuterRef("pk"), partner__country=self.value()
                )
            )
        )


@admin.register(Partnership)
class PartnershipAdmin(PortalHistoryAdmin):
    list_display = (
        "title",
        "home_city",
        "step_label",
        "status",
        "category",
        "orientation",
        "phase",
        "relationship_strength",
        "next_review_on",
        "published",
    )
    list_filter = (
        "step",
        "status",
        "category",
        "orientation",
        "phase",
        "published",
        "review_cadence_months",
        MemberCountryFilter,
        # Not a date_hierarchy: that reads MIN/MAX(created_at) and a DISTINCT DATE_TRUNC over
        # the whole table on every request; this filter's choices cost no query.
        ("created_at", admin.DateFieldListFilter),
    )
    search_fields = ("title", "summary", "members__partner__name")
    autocomplete_fields = ("strategy",)
    # For the change page (the strategy autocomplete, created_by); the list shows neither,
    # but joining them costs nothing once the rows come from the (title, id) index.
    list_select_related = ("strategy__partner", "created_by")
    filter_horizontal = ("areas",)
    # The pk makes the order total, as Django would add "-pk" otherwise, and lets the
    # (title, id) index serve the page: no sort of the whole table.
    ordering = ("title", "pk")
    # No COUNT(*) of the unfiltered table beside the filtered one on every page.
    show_full_result_count = False
    list_per_page = 25
    readonly_fields = ("step", "step_entered_at", "gate", "created_by", "created_at", "updated_at")
    history_list_display = ("step", "status")
    # The step moves only through services.partnership_move (the actions below).
    protected_fields = frozenset({"step", "step_entered_at", "created_by", "created_at"})
    fieldsets = (
        (None, {"fields": ("title", "summary", "category", "phase", "areas")}),
        (
            "The eight steps",
            {
                "fields": ("step", "step_entered_at", "gate"),
                "description": "The step changes only through the “Advance to the next step” "
                "and “Return to an earlier step…” actions of the partnership list, which check "
                "the gate and record the move.",
            },
        ),
        (
            "Relationship",
            {
                "fields": (
                    "status",
                    "established_on",
                    "relationship_strength",
                    "orientation",
                    "orientation_overridden",
                    "published",
                )
            },
        ),
        (
            "Strategy and reviews",
            {"fields": ("strategy", "review_cadence_months", "next_review_on")},
        ),
        (
            "Record",
            {"classes": ("collapse",), "fields": ("created_by", "created_at", "updated_at")},
        ),
    )
    inlines = (
        PartnershipMemberInline,
        ChampionInline,
        CandidateInline,
        SelectionDecisionInline,
        LetterOfIntentInline,
        BusinessPlanInline,
        KPIInline,
        MOUInline,
        ActivityInline,
        ReviewInline,
        LessonInline,
        MoveConfirmationInline,
        StepTransitionInline,
    )
    actions = ("advance_to_next_step", "return_to_earlier_step")
    return_template = "admin/partnerships/partnership/return_to_step.html"

    def get_queryset(self, request):
        home = PartnershipMember.objects.filter(
            partnership=OuterRef("pk"), role=PartnershipMember.Role.HOME
        ).values("partner__name")[:1]
        return super().get_queryset(request).annotate(home_city=Subquery(home))

    @admin.display(description="home city", ordering="home_city")
    def home_city(self, obj):
        return getattr(obj, "home_city", None) or "—"

    @admin.display(description="step", ordering="step")
    def step_label(self, obj):
        return f"{obj.step}. {obj.get_step_display()}"

    @admin.display(description="Gate to leave this step")
    def gate(self, obj):
        if obj is None or obj.pk is None:
            return "Save the partnership to see what its step asks for."
        requirements = workflow.requirements(obj)
        if not requirements:
            return "This is the last step: nothing to leave it for."
        icon = {True: static("admin/img/icon-yes.svg"), False: static("admin/img/icon-no.svg")}
        return format_html(
            '<ul class="gate" style="margin:0; padding:0; list-style:none">{}</ul>',
            format_html_join(
                "",
                '<li class="{}"><img src="{}" alt="{}"> {}</li>',
                (
                    (
                        "met" if r.met else "unmet",
                        icon[r.met],
                        "met" if r.met else "missing",
                        r.text,
                    )
                    for r in requirements
                ),
            ),
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.partnership_refresh_orientation(form.instance)

    # --- Moving partnerships between steps --------------------------------------------------

    @admin.action(description="Advance to the next step", permissions=["change"])
    def advance_to_next_step(self, request, queryset):
        for partnership in queryset:
            try:
                move = services.partnership_advance(partnership=partnership, user=request.user)
            except services.DomainError as exc:
                self.message_user(request, f"“{partnership}”: {exc}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"“{partnership}” advanced to step {move.to_step}: {Step(move.to_step).label}.",
                    messages.SUCCESS,
                )

    @admin.action(description="Return to an earlier step…", permissions=["change"])
    def return_to_earlier_step(self, request, queryset):
        partnerships = list(queryset)
        latest = max(p.step for p in partnerships)
        if latest <= workflow.FIRST_STEP:
            self.message_user(
                request,
                "The selected partnerships are all at the first step; there is no earlier step.",
                messages.WARNING,
            )
            return None
        form = ReturnToStepForm(
            request.POST if "post" in request.POST else None, latest_step=latest
        )
        if form.is_valid():
            to_step, reason = form.cleaned_data["to_step"], form.cleaned_data["reason"]
            for partnership in partnerships:
                try:
                    # Asked here first: partnership_move treats a "return" to the next step
                    # as an advance, so the service alone would move such a partnership on.
                    problems = workflow.problems_with_return(partnership, to_step, reason)
                    if problems:
                        raise services.DomainError("The partnership cannot return there.", problems)
                    services.partnership_return(
                        partnership=partnership, to_step=to_step, reason=reason, user=request.user
                    )
                except services.DomainError as exc:
                    self.message_user(request, f"“{partnership}”: {exc}", messages.ERROR)
                else:
                    self.message_user(
                        request,
                        f"“{partnership}” returned to step {to_step}: {Step(to_step).label}.",
                        messages.SUCCESS,
                    )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Return to an earlier step",
            "opts": self.model._meta,
            "partnerships": partnerships,
            "form": form,
            "action_name": "return_to_earlier_step",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.return_template, context)


@admin.register(PartnershipMember)
class PartnershipMemberAdmin(PortalAdmin):
    list_display = ("partner", "partnership", "role", "joined_on")
    list_filter = ("role",)
    search_fields = ("partner__name", "partnership__title")
    autocomplete_fields = ("partnership", "partner")
    list_select_related = ("partner", "partnership")
    date_hierarchy = "joined_on"
    ordering = ("partnership__title", "role", "partner__name")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.partnership_refresh_orientation(obj.partnership)

    def delete_model(self, request, obj):
        partnership = obj.partnership
        super().delete_model(request, obj)
        services.partnership_refresh_orientation(partnership)

    def delete_queryset(self, request, queryset):
        partnerships = {m.partnership for m in queryset}
        super().delete_queryset(request, queryset)
        for partnership in partnerships:
            services.partnership_refresh_orientation(partnership)


@admin.register(Champion)
class ChampionAdmin(PortalAdmin):
    list_display = ("name", "title", "partnership", "partner", "is_active", "since")
    list_filter = ("is_active",)
    search_fields = ("name", "title", "email", "partnership__title", "partner__name")
    autocomplete_fields = ("partnership", "partner", "user")
    list_select_related = ("partnership", "partner", "user")
    date_hierarchy = "since"
    ordering = ("partnership__title", "-is_active", "name")


class RecordAdmin(PortalAdmin):
    """A record only the services write: browsable, never added, changed or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StepTransition)
class StepTransitionAdmin(RecordAdmin):
    """The record of moves: only `services.partnership_move` writes it."""

    list_display = ("at", "partnership", "kind", "from_step", "to_step", "by", "reason")
    list_filter = ("kind", "from_step", "to_step")
    search_fields = ("partnership__title", "reason")
    list_select_related = ("partnership", "by")
    date_hierarchy = "at"
    ordering = ("-at", "-id")


@admin.register(MoveConfirmation)
class MoveConfirmationAdmin(RecordAdmin):
    """Joint sign-off confirmations: only `services.partnership_confirm_move` writes them."""

    list_display = ("at", "partnership", "step", "partner", "user")
    list_filter = ("step",)
    search_fields = ("partnership__title", "partner__name", "user__username")
    list_select_related = ("partnership", "partner", "user")
    date_hierarchy = "at"
    ordering = ("-at",)


# --- Steps 2–4: candidates, their evaluation and the selection ------------------------------


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
        return {"criterion": criteria_for(obj.partnership if obj is not None and obj.pk else None)}


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

    @admin.display(description="partnership", ordering="candidate__partnership__title")
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

    @admin.display(description="actions", ordering="n_actions")
    def n_actions(self, obj):
        return obj.n_actions

    @admin.display(description="open", ordering="n_open_actions")
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

    @admin.display(description="partnership", ordering="plan__partnership__title")
    def partnership(self, obj):
        return obj.plan.partnership


@admin.register(KPI)
class KPIAdmin(PortalAdmin):
    list_display = ("name", "partnership", "unit", "baseline", "target", "area")
    list_filter = ("area",)
    search_fields = ("name", "unit", "partnership__title")
    autocomplete_fields = ("partnership",)
    list_select_related = ("partnership", "area")
    readonly_fields = ("created_at",)
    date_hierarchy = "created_at"
    ordering = ("partnership__title", "name")


# --- Step 6: the agreement ------------------------------------------------------------------


class MOUSignatoryInline(TabularInline):
    model = MOUSignatory
    fields = ("name", "title", "partner")
    autocomplete_fields = ("partner",)
    related = ("partner",)


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
        ("When it runs", {"fields": (("effective_on", "expires_on"), "signed_on")}),
        ("Ceremony", {"fields": (("ceremony_on", "ceremony_place"),)}),
        ("Terms", {"fields": ("termination_conditions", "other_terms")}),
        (
            "Termination",
            {"classes": ("collapse",), "fields": ("terminated_on", "termination_reason")},
        ),
        ("Record", {"classes": ("collapse",), "fields": ("created_at", "updated_at")}),
    )
    inlines = (MOUSignatoryInline,)


@admin.register(MOUSignatory)
class MOUSignatoryAdmin(PortalAdmin):
    list_display = ("name", "title", "partner", "mou")
    search_fields = ("name", "title", "partner__name", "mou__partnership__title")
    autocomplete_fields = ("mou", "partner")
    list_select_related = ("mou__partnership", "partner")
    ordering = ("mou__partnership__title", "name")


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
    list_display = ("kpi", "review", "actual")
    search_fields = ("kpi__name", "review__partnership__title")
    autocomplete_fields = ("kpi", "review")
    list_select_related = ("kpi", "review__partnership")


@admin.register(SuccessFactorRating)
class SuccessFactorRatingAdmin(PortalAdmin):
    list_display = ("factor", "rating", "review")
    list_filter = ("factor", "rating")
    search_fields = ("review__partnership__title",)
    autocomplete_fields = ("review",)
    list_select_related = ("review__partnership",)


@admin.register(Review)
class ReviewAdmin(SimpleHistoryAdmin, PortalAdmin):
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


# --- Reminders, notification preferences and calendar feeds ---------------------------------


@admin.register(Reminder)
class ReminderAdmin(PortalAdmin):
    """Reminders are recorded by the daily scan and sent by the workers: read-only here, except
    that failed ones can be sent again ("Retry failed")."""

    list_display = (
        "created_at",
        "kind",
        "partnership",
        "occurrence",
        "recipient_shown",
        "role",
        "status",
        "attempts",
        "sent_at",
        "read_at",
    )
    list_filter = ("status", "kind", "role")
    search_fields = (
        "partnership__title",
        "recipient__username",
        "recipient__email",
        "recipient_email",
        "about",
        "last_error",
    )
    list_select_related = ("partnership", "recipient")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    actions = ("retry_failed",)
    readonly_fields = [f.name for f in Reminder._meta.fields]

    def has_add_permission(self, request):
        return False

    @admin.display(description="recipient", ordering="recipient__username")
    def recipient_shown(self, obj: Reminder) -> str:
        return obj.recipient_label

    @admin.action(description="Retry failed reminders (send them again)")
    def retry_failed(self, request, queryset):
        n = notify.retry_failed(queryset)
        if n:
            self.message_user(request, f"{n} failed reminder(s) handed to delivery again.")
        else:
            self.message_user(request, "None of these had failed.", level=messages.WARNING)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(PortalAdmin):
    list_display = ("user", "delivery", "updated_at")
    list_filter = ("delivery",)
    search_fields = ("user__username", "user__email")
    autocomplete_fields = ("user",)
    list_select_related = ("user",)


@admin.register(CalendarFeed)
class CalendarFeedAdmin(PortalAdmin):
    """Only whether a person has a feed; its secret never shows. Deleting one revokes it."""

    list_display = ("user", "created_at", "last_fetched_at")
    search_fields = ("user__username", "user__email")
    list_select_related = ("user",)
    fields = ("user", "created_at", "last_fetched_at")
    readonly_fields = ("user", "created_at", "last_fetched_at")

    def has_add_permission(self, request):
        return False
