"""The admin of comments: read, and removed through the service (a trace stays), never
written here."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import RecordAdmin
from core.errors import DomainError
from discussion import services
from discussion.models import Comment


@admin.register(Comment)
class CommentAdmin(RecordAdmin):
    list_display = ("__str__", "partnership", "sub_alliance", "author", "created_at", "removed_at")
    list_select_related = ("partnership", "sub_alliance", "author")
    list_filter = ("removed_at",)
    search_fields = ("body", "author__username")
    date_hierarchy = "created_at"
    actions = ["remove"]

    @admin.action(description=_("Remove the selected comments (a trace stays)"))
    def remove(self, request, queryset):
        removed = 0
        for comment in queryset.filter(removed_at__isnull=True):
            try:
                services.comment_remove(user=request.user, comment=comment)
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                removed += 1
        self.message_user(
            request,
            ngettext("%(n)s comment(s) removed.", "%(n)s comment(s) removed.", removed)
            % {"n": removed},
        )
