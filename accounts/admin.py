from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.admin import FilterValuesMixin


@admin.register(User)
class UserAdmin(FilterValuesMixin, BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Portal"), {"fields": ("job_title", "language")}),
    )
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "is_active")
    list_filter = (*BaseUserAdmin.list_filter, "language")
