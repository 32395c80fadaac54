"""The admin of reminders, notification preferences and calendar feeds."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.admin import PortalAdmin
from notifications import services
from notifications.models import CalendarFeed, NotificationPreference, Reminder


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

    @admin.display(description=_("recipient"), ordering="recipient__username")
    def recipient_shown(self, obj: Reminder) -> str:
        return obj.recipient_label

    @admin.action(description=_("Retry failed reminders (send them again)"))
    def retry_failed(self, request, queryset):
        n = services.retry_failed(queryset)
        if n:
            self.message_user(
                request,
                ngettext(
                    "%(n)s failed reminder(s) handed to delivery again.",
                    "%(n)s failed reminder(s) handed to delivery again.",
                    n,
                )
                % {"n": n},
            )
        else:
            self.message_user(request, gettext("None of these had failed."), level=messages.WARNING)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(PortalAdmin):
    list_display = ("user", "delivery", "events", "updated_at")
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
