from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import User
from core.admin import FilterValuesMixin


@admin.register(User)
class UserAdmin(FilterValuesMixin, BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Portal", {"fields": ("job_title",)}),
    )
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "is_active")
