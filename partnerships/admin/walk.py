"""The admin of partnerships, their members and champions, and the record of their moves."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Exists, F, OuterRef, Subquery
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core.admin import (
    COMPACT_TEXT,
    PortalAdmin,
    PortalHistoryAdmin,
    RecordAdmin,
    RecordInline,
    StackedInline,
    TabularInline,
)
from core.errors import DomainError
from partnerships import services, workflow
from partnerships.admin.forms import (
    CandidateForm,
    LessonForm,
    MOUFormSet,
    PartnershipMemberFormSet,
    ReturnToStepForm,
)
from partnerships.admin.search import SelectionDecisionForm, record_selection
from partnerships.filters import country_choices
from partnerships.forms.partnerships import NOT_ASSESSED, lendrum_label
from partnerships.models import (
    KPI,
    MOU,
    Activity,
    BusinessPlan,
    Candidate,
    Champion,
    Lesson,
    LetterOfIntent,
    MoveConfirmation,
    OfflineConfirmation,
    Partnership,
    PartnershipMember,
    Review,
    SelectionDecision,
    Step,
    StepTransition,
)

# --- The partnership and its steps' artefacts ----------------------------------------------


class PartnershipMemberInline(TabularInline):
    model = PartnershipMember
    formset = PartnershipMemberFormSet
    fields = ("partner", "role", "joined_on")
    autocomplete_fields = ("partner",)
    related = ("partner",)
    extra = 1
    verbose_name = _("member city")
    verbose_name_plural = _("member cities")


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
    form = SelectionDecisionForm
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
    fields = ("name", "unit", "baseline", "target", "start_date", "target_date", "area")


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


class StepTransitionInline(RecordInline):
    """The record of moves: written only by `services.partnership_move`."""

    model = StepTransition
    fields = ("at", "from_step", "to_step", "kind", "reason", "by")
    related = ("by",)
    ordering = ("-at", "-id")
    verbose_name = _("move")
    verbose_name_plural = _("record of moves")


class MoveConfirmationInline(RecordInline):
    """Officers' confirmations of a joint sign-off: written by `partnership_confirm_move`."""

    model = MoveConfirmation
    fields = ("at", "step", "partner", "user")
    related = ("partner", "user")
    ordering = ("-at",)
    verbose_name_plural = _("joint sign-off confirmations")


class OfflineConfirmationInline(RecordInline):
    """Confirmations given outside the portal: written by `services.offline_confirmation_*`
    (the evidence is opened from the partnership's page, never by its storage address)."""

    model = OfflineConfirmation
    fields = (
        "recorded_at",
        "step",
        "partner",
        "confirmed_by_name",
        "confirmed_by_role",
        "confirmed_on",
        "status",
        "dispute_reason",
    )
    related = ("partner",)
    ordering = ("-recorded_at",)
    verbose_name_plural = _("confirmations given outside the portal")


class MemberCountryFilter(admin.SimpleListFilter):
    """The country of a member city. Its choices come from the cities (a small table), not
    from a DISTINCT over partnerships joined to their members (CountryFilter on
    `members__partner__country`: ~30 ms at 10,000 partnerships); it filters with EXISTS, so a
    partnership is listed once. Same parameter name as before: old links keep working."""

    title = _("country of a member city")
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


class StrengthFilter(admin.SimpleListFilter):
    """Lendrum's bands, and the partnerships nobody has assessed yet (an empty strength)."""

    title = _("relationship strength")
    parameter_name = "strength"
    BANDS = {"0": (0, 0), "vendor": (1, 4), "supplier": (5, 7), "partner": (8, 10)}

    def lookups(self, request, model_admin):
        return [
            ("none", NOT_ASSESSED),
            ("0", _("0 – None (by choice)")),
            ("vendor", _("1–4 vendor")),
            ("supplier", _("5–7 supplier")),
            ("partner", _("8–10 partner")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(relationship_strength__isnull=True)
        if self.value() in self.BANDS:
            return queryset.filter(relationship_strength__range=self.BANDS[self.value()])
        return queryset


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
        "strength",
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
        StrengthFilter,
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
            _("The eight steps"),
            {
                "fields": ("step", "step_entered_at", "gate"),
                "description": _(
                    "The step changes only through the “Advance to the next step” "
                    "and “Return to an earlier step…” actions of the partnership list, which "
                    "check the gate and record the move."
                ),
            },
        ),
        (
            _("Relationship"),
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
            _("Strategy and reviews"),
            {"fields": ("strategy", "review_cadence_months", "next_review_on")},
        ),
        (
            pgettext_lazy("noun: who created it and when", "Record"),
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
        OfflineConfirmationInline,
        StepTransitionInline,
    )
    actions = ("advance_to_next_step", "return_to_earlier_step")
    return_template = "admin/partnerships/partnership/return_to_step.html"

    def get_queryset(self, request):
        home = PartnershipMember.objects.filter(
            partnership=OuterRef("pk"), role=PartnershipMember.Role.HOME
        ).values("partner__name")[:1]
        return super().get_queryset(request).annotate(home_city=Subquery(home))

    @admin.display(description=_("home city"), ordering="home_city")
    def home_city(self, obj):
        return getattr(obj, "home_city", None) or "—"

    @admin.display(
        description=_("relationship strength"),
        ordering=F("relationship_strength").asc(nulls_first=True),
    )
    def strength(self, obj):
        return lendrum_label(obj.relationship_strength)

    @admin.display(description=_("step"), ordering="step")
    def step_label(self, obj):
        return f"{obj.step}. {obj.get_step_display()}"

    @admin.display(description=_("Gate to leave this step"))
    def gate(self, obj):
        if obj is None or obj.pk is None:
            return gettext("Save the partnership to see what its step asks for.")
        requirements = workflow.requirements(obj)
        if not requirements:
            return gettext("This is the last step: nothing to leave it for.")
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
                        gettext("met") if r.met else gettext("missing"),
                        r.text,
                    )
                    for r in requirements
                ),
            ),
        )

    def save_inline(self, request, obj) -> None:
        if isinstance(obj, SelectionDecision):
            record_selection(obj, request.user)
        else:
            obj.save()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.partnership_refresh_orientation(form.instance)

    # --- Moving partnerships between steps --------------------------------------------------

    @admin.action(description=_("Advance to the next step"), permissions=["change"])
    def advance_to_next_step(self, request, queryset):
        for partnership in queryset:
            try:
                move = services.partnership_advance(partnership=partnership, user=request.user)
            except DomainError as exc:
                self.message_user(
                    request,
                    gettext("“%(partnership)s”: %(error)s")
                    % {"partnership": partnership, "error": exc},
                    messages.ERROR,
                )
            else:
                self.message_user(
                    request,
                    gettext("“%(partnership)s” advanced to step %(step)s: %(label)s.")
                    % {
                        "partnership": partnership,
                        "step": move.to_step,
                        "label": Step(move.to_step).label,
                    },
                    messages.SUCCESS,
                )

    @admin.action(description=_("Return to an earlier step…"), permissions=["change"])
    def return_to_earlier_step(self, request, queryset):
        partnerships = list(queryset)
        latest = max(p.step for p in partnerships)
        if latest <= workflow.FIRST_STEP:
            self.message_user(
                request,
                gettext(
                    "The selected partnerships are all at the first step; there is no earlier step."
                ),
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
                    services.partnership_return(
                        partnership=partnership, to_step=to_step, reason=reason, user=request.user
                    )
                except DomainError as exc:
                    self.message_user(
                        request,
                        gettext("“%(partnership)s”: %(error)s")
                        % {"partnership": partnership, "error": exc},
                        messages.ERROR,
                    )
                else:
                    self.message_user(
                        request,
                        gettext("“%(partnership)s” returned to step %(step)s: %(label)s.")
                        % {
                            "partnership": partnership,
                            "step": to_step,
                            "label": Step(to_step).label,
                        },
                        messages.SUCCESS,
                    )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Return to an earlier step"),
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


@admin.register(OfflineConfirmation)
class OfflineConfirmationAdmin(RecordAdmin):
    """Confirmations given outside the portal: only `services.offline_confirmation_*` write
    them (the home side records, the city's officers endorse or dispute)."""

    list_display = ("recorded_at", "partnership", "step", "partner", "confirmed_by_name", "status")
    list_filter = ("step", "status")
    search_fields = ("partnership__title", "partner__name", "confirmed_by_name")
    list_select_related = ("partnership", "partner")
    exclude = ("document",)
    date_hierarchy = "recorded_at"
    ordering = ("-recorded_at",)
