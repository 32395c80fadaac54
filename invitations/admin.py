"""Invitations and requests to join, for admins: shown, written only by the services. Admins
decide the requests of cities without a coordinator here (approve), or on the page the e-mail
links to (approve or reject with a reason)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin import RecordAdmin
from core.errors import DomainError
from invitations import services
from invitations.models import Invitation, InvitationSending, JoinRequest


@admin.register(Invitation)
class InvitationAdmin(RecordAdmin):
    list_display = (
        "email",
        "city",
        "invited_by",
        "partnership",
        "created_at",
        "expires_at",
        "sent_count",
        "accepted_at",
        "revoked_at",
    )
    list_filter = ("created_at",)
    search_fields = ("email", "city__name")
    list_select_related = ("city", "invited_by", "partnership")


@admin.register(InvitationSending)
class InvitationSendingAdmin(RecordAdmin):
    list_display = ("invitation", "sent_by", "sent_at")
    list_select_related = ("invitation__city", "sent_by")


@admin.register(JoinRequest)
class JoinRequestAdmin(RecordAdmin):
    list_display = ("user", "city", "status", "created_at", "decided_by", "decided_at", "decide")
    list_filter = ("status",)
    search_fields = ("user__username", "user__email", "city__name")
    list_select_related = ("user", "city", "decided_by")
    actions = ["approve"]

    @admin.display(description=_("Decide"))
    def decide(self, obj: JoinRequest) -> str:
        if obj.status != JoinRequest.Status.PENDING:
            return "—"
        url = reverse("invitations:join_decide", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Approve or reject"))

    @admin.action(description=_("Approve the selected requests"))
    def approve(self, request, queryset) -> None:
        for join_request in queryset:
            try:
                services.join_request_decide(
                    join_request=join_request, by=request.user, approve=True
                )
            except DomainError as exc:
                self.message_user(
                    request,
                    gettext("%(request)s: %(message)s")
                    % {"request": join_request, "message": exc.message},
                    messages.WARNING,
                )
            else:
                self.message_user(
                    request,
                    gettext("%(user)s now works for %(city)s.")
                    % {"user": join_request.user, "city": join_request.city.name},
                )
