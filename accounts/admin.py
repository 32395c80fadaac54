from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.admin import FilterValuesMixin
from core.forms import TextChecked


class UserForm(TextChecked, UserChangeForm):
    """Django's, with names that refuse control characters as every form of ours does (a bell
    and an escape sequence were saved in a person's name, found from outside)."""


class NewUserForm(TextChecked, AdminUserCreationForm):
    """The same for a new account."""


@admin.register(User)
class UserAdmin(FilterValuesMixin, BaseUserAdmin):
    form = UserForm
    add_form = NewUserForm
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Portal"), {"fields": ("job_title", "language")}),
    )
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "is_active")
    list_filter = (*BaseUserAdmin.list_filter, "language")
