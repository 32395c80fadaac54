from django.contrib import admin

from agenda.models import ScheduledActivity
from core.admin import RecordAdmin


@admin.register(ScheduledActivity)
class ScheduledActivityAdmin(RecordAdmin):
    """Read-only: activities are scheduled and completed in the portal, whose services check
    who may be assigned; the admin helps find one."""

    list_display = ("summary", "kind", "partnership", "assignee", "due_on", "done_at")
    list_filter = ("kind", ("done_at", admin.EmptyFieldListFilter), "due_on")
    search_fields = ("summary", "partnership__title", "assignee__username", "assignee__email")
    list_select_related = ("partnership", "assignee")
    raw_id_fields = ("partnership", "sub_alliance", "plan_action", "assignee", "done_by")
