"""The admin of chambers, their staff, businesses, interest, leads and outcomes.

Decisions go through the services even here: staff requests are approved or rejected with the
actions below, interest is accepted with its action, so the same checks and records apply as in
the portal. Decision fields are read-only on the change pages.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from businesses import services
from businesses.models import (
    BusinessAssociation,
    BusinessProfile,
    ChamberMembership,
    InterestedBusiness,
    InterestRegistration,
    Need,
    Outcome,
    PartnershipLead,
)
from core.admin import AdminInlineFormSet, PortalAdmin, TabularInline
from core.errors import DomainError

DECISION_FIELDS = ("decided_by", "decided_at")


def _apply(modeladmin, request, queryset, action, done) -> None:
    """Run a service on each selected row; report how many succeeded (`done`: an
    ngettext_lazy with a %(count)s placeholder) and each refusal."""
    succeeded = 0
    for obj in queryset:
        try:
            action(obj)
        except DomainError as exc:
            modeladmin.message_user(
                request,
                _("%(object)s: %(problem)s") % {"object": obj, "problem": exc.message},
                messages.WARNING,
            )
        else:
            succeeded += 1
    if succeeded:
        modeladmin.message_user(request, done % {"count": succeeded}, messages.SUCCESS)


@admin.register(Need)
class NeedAdmin(PortalAdmin):
    list_display = ("code", "name", "offer_name", "position")
    search_fields = ("code", "name", "offer_name")


class StaffInline(TabularInline):
    model = ChamberMembership
    fields = ("user", "status", "decided_by", "decided_at", "decision_note")
    readonly_fields = ("status", *DECISION_FIELDS)
    autocomplete_fields = ("user",)
    related = ("user", "decided_by")


@admin.register(BusinessAssociation)
class BusinessAssociationAdmin(PortalAdmin):
    list_display = ("organisation", "city", "status", "email", "phone", "created_at")
    list_filter = ("status",)
    search_fields = ("organisation__name", "organisation__partner__name", "email")
    autocomplete_fields = ("organisation",)
    # A proposed association is decided with its proposer's request (chamber_membership_decide).
    readonly_fields = ("proposed_by",)
    list_select_related = ("organisation__partner",)
    inlines = (StaffInline,)

    @admin.display(description=_("city"), ordering="organisation__partner__name")
    def city(self, obj):
        return obj.organisation.partner


@admin.register(ChamberMembership)
class ChamberMembershipAdmin(PortalAdmin):
    list_display = ("user", "association", "status", "created_at", "decided_by", "decided_at")
    list_filter = ("status",)
    search_fields = (
        "user__username",
        "user__email",
        "user__last_name",
        "association__organisation__name",
    )
    autocomplete_fields = ("user", "association")
    list_select_related = ("user", "association__organisation", "decided_by")
    readonly_fields = DECISION_FIELDS
    actions = ("approve", "reject")

    def get_readonly_fields(self, request, obj=None):
        # A request is decided with the actions, which check and record the decision.
        return (*DECISION_FIELDS, "status") if obj else DECISION_FIELDS

    def save_model(self, request, obj, form, change):
        if not change and obj.status != ChamberMembership.Status.PENDING:
            obj.decided_by, obj.decided_at = request.user, timezone.now()
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Approve the selected requests"))
    def approve(self, request, queryset):
        _apply(
            self,
            request,
            queryset,
            lambda m: services.chamber_membership_decide(
                membership=m, user=request.user, approve=True
            ),
            ngettext_lazy("%(count)s approved.", "%(count)s approved.", "count"),
        )

    @admin.action(description=_("Reject the selected requests"))
    def reject(self, request, queryset):
        _apply(
            self,
            request,
            queryset,
            lambda m: services.chamber_membership_decide(
                membership=m, user=request.user, approve=False
            ),
            ngettext_lazy("%(count)s rejected.", "%(count)s rejected.", "count"),
        )


@admin.register(BusinessProfile)
class BusinessProfileAdmin(PortalAdmin):
    list_display = ("organisation", "city", "association", "size_band", "export_readiness")
    list_filter = ("size_band", "export_readiness", "seeks", "offers")
    search_fields = ("organisation__name", "products_services", "association__organisation__name")
    autocomplete_fields = ("organisation", "association")
    filter_horizontal = ("seeks", "offers")
    list_select_related = ("organisation__partner", "association__organisation")
    readonly_fields = ("created_by", "created_at", "updated_at")

    @admin.display(description=_("city"), ordering="organisation__partner__name")
    def city(self, obj):
        return obj.organisation.partner

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class _RegistrationRows(AdminInlineFormSet):
    """Each row takes its registration's partnership before it is validated: the model's
    clean() compares the two, and the row's form has no such field (it was a 500)."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.instance.partnership_id = self.instance.partnership_id
        return form


class InterestedBusinessInline(TabularInline):
    model = InterestedBusiness
    formset = _RegistrationRows
    fields = ("business", "withdrawn")
    readonly_fields = ("withdrawn",)
    autocomplete_fields = ("business",)
    related = ("business__organisation", "partnership")


@admin.register(InterestRegistration)
class InterestRegistrationAdmin(PortalAdmin):
    list_display = ("partnership", "association", "status", "timeframe", "created_at")
    list_filter = ("status", "timeframe")
    search_fields = ("partnership__title", "association__organisation__name", "objectives")
    autocomplete_fields = ("partnership", "association", "sectors")
    list_select_related = ("partnership", "association__organisation")
    readonly_fields = ("status", "officer_message", *DECISION_FIELDS, "created_by")
    inlines = (InterestedBusinessInline,)
    actions = ("accept",)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        # The copy of the partnership and the withdrawn flag keep the uniqueness rule.
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for obj in instances:
            obj.partnership_id = form.instance.partnership_id
            obj.withdrawn = form.instance.status == InterestRegistration.Status.WITHDRAWN
            obj.save()
        formset.save_m2m()

    @admin.action(description=_("Accept the selected registrations"))
    def accept(self, request, queryset):
        _apply(
            self,
            request,
            queryset,
            lambda r: services.interest_decide(registration=r, user=request.user, accept=True),
            ngettext_lazy("%(count)s accepted.", "%(count)s accepted.", "count"),
        )


@admin.register(PartnershipLead)
class PartnershipLeadAdmin(PortalAdmin):
    list_display = ("target", "home", "association", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("target__name", "home__name", "association__organisation__name", "rationale")
    autocomplete_fields = ("association", "home", "target")
    list_select_related = ("target", "home", "association__organisation")
    readonly_fields = ("status", "candidate", "officer_message", *DECISION_FIELDS, "created_by")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Outcome)
class OutcomeAdmin(PortalAdmin):
    list_display = ("sub_alliance", "kind", "amount", "currency", "occurred_on", "partner")
    list_filter = ("kind", "currency")
    search_fields = ("sub_alliance__name", "sub_alliance__partnership__title", "note")
    autocomplete_fields = ("sub_alliance", "partner")
    list_select_related = ("sub_alliance", "partner")
    readonly_fields = ("recorded_by", "recorded_at")
    date_hierarchy = "occurred_on"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
