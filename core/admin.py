"""The base classes of every admin page of ours.

They keep the Django admin to the rules of the rest of the code and free of per-row queries:

* `list_select_related` applies to every queryset the admin reads (list, change page,
  autocomplete results), since `__str__` often walks a relation; inline rows are read with
  their `related` rows and given their parent object; a select's choices are read once per
  formset; autocomplete widgets label the selected option from the object the row holds.
* Who created a row (`created_by`, `added_by`, …) is recorded from the request, not typed.
* Fields a service owns (`protected_fields`) are never written by a save or a history revert.
* Repeat visits to a changelist are answered from the per-session page cache, after the
  admin's own permission check (core/page_cache.py).
* A filter value the database cannot take (a NUL byte, a year beyond any calendar, a number
  beyond 64 bits) shows the list unfiltered with a message, as Django does for a lookup it
  cannot build, never a 500.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import widgets
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.widgets import AutocompleteSelect, ForeignKeyRawIdWidget
from django.db import DatabaseError, models, transaction
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.errors import DomainError
from core.forms import ModelMultipleChoiceField as BoundedModelMultipleChoiceField
from core.forms import beyond_ids, check_dates, check_text
from core.page_cache import CachedChangelistMixin

# Fields that record who made a row: filled in from the request, shown read-only.
CREATOR_FIELDS = ("created_by", "added_by", "recorded_by", "decided_by")

UNUSABLE_FILTER = _(
    "A filter or search of the list had a value no row can have: the list is shown unfiltered."
)

OLD_VERSIONS_ARE_READ_ONLY = _(
    "An old version is shown, not restored: change the record itself, where the portal's "
    "rules apply."
)
COMPACT_TEXT = {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})}


def constraint_message(model: type[models.Model], name: str) -> str:
    """The model's own wording for a constraint, so the admin and the database say the same."""
    for constraint in model._meta.constraints:
        if constraint.name == name:
            return str(constraint.violation_error_message)
    raise LookupError(f"{model.__name__} has no constraint named {name!r}")


def stamp_creator(obj, user) -> None:
    for name in CREATOR_FIELDS:
        if hasattr(obj, f"{name}_id") and getattr(obj, f"{name}_id") is None:
            setattr(obj, name, user)


# --- No per-row queries --------------------------------------------------------------------


class PrimedAutocompleteSelect(AutocompleteSelect):
    """An autocomplete select that labels its selected option from an object already loaded.

    Django's widget looks the selected object up again for every form it renders, so a
    tabular inline of 30 rows costs 30 queries. The form primes the widget with the related
    object its instance already holds (from `select_related`), and the lookup is skipped.
    """

    primed: models.Model | None = None

    def optgroups(self, name, value, attr=None):
        # An invalid form drawn again: an id past the 64-bit range was never a row, and asking
        # for it overflowed SQLite's integer (a 500).
        value = [v for v in value if not beyond_ids(v)]
        selected = [str(v) for v in value if str(v) not in self.choices.field.empty_values]
        obj = self.primed
        if obj is None or selected != [str(obj.pk)]:
            return super().optgroups(name, value, attr)
        options = []
        if not self.is_required:
            options.append(self.create_option(name, "", "", False, 0))
        label = self.choices.field.label_from_instance(obj)
        options.append(self.create_option(name, obj.pk, label, True, len(options)))
        return [(None, options, 0)]


class _DryRun(Exception):
    pass


def service_refusal(write) -> str | None:
    """What the service `write()` would refuse, run in a savepoint that is always rolled back
    (its on-commit work is dropped with it), or None. For an admin form whose save calls a
    service: its clean() shows the service's own refusal as a form error, instead of the
    save raising it (a 500), and no second copy of the service's rules is kept here."""
    try:
        with transaction.atomic():
            write()
            raise _DryRun
    except _DryRun:
        return None
    except DomainError as exc:
        return str(exc)


class AdminModelForm(forms.ModelForm):
    """The base of every admin form: primes autocomplete widgets with loaded objects; its text
    refuses control characters, its dates the years the portal's forms refuse."""

    def clean(self):
        cleaned = super().clean()
        check_dates(self)
        return cleaned

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        check_text(self)
        opts = self._meta.model._meta
        for name, field in self.fields.items():
            widget = getattr(field.widget, "widget", field.widget)  # unwrap the "+" wrapper
            if not isinstance(widget, PrimedAutocompleteSelect):
                continue
            model_field = opts.get_field(name)
            if model_field.is_relation and model_field.is_cached(self.instance):
                widget.primed = getattr(self.instance, name)


class AdminInlineFormSet(BaseInlineFormSet):
    """Gives each row its parent object, so `__str__` and `clean()` need not fetch it again."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if self.instance.pk is not None:
            setattr(form.instance, self.fk.name, self.instance)
        return form

    def kept_forms(self):
        """The valid rows that will exist after saving: not deleted, not left empty."""
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            yield form

    def at_most_one(self, field: str, value, message: str) -> None:
        """Refuse a save that would leave two rows with `field == value` (a partial unique
        constraint the per-row validation cannot see while both rows are still unsaved)."""
        if any(self.errors):
            return
        if sum(1 for f in self.kept_forms() if f.cleaned_data.get(field) == value) > 1:
            raise forms.ValidationError(message)


class PrimedAutocompleteMixin:
    def formfield_for_manytomany(self, db_field, request, **kwargs):
        # Ours: an id past the 64-bit range is an invalid choice, not a 500 (SQLite).
        kwargs.setdefault("form_class", BoundedModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = PrimedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# --- Model admins --------------------------------------------------------------------------


class FilterValuesMixin:
    """For every ModelAdmin of ours (a third-party base such as UserAdmin's too)."""

    def get_changelist_instance(self, request):
        """Django turns a filter it cannot build into IncorrectLookupParameters (the list
        unfiltered, `?e=1`), but not one that fails only when counted (a NUL byte, an integer
        or a year out of range): the same here, and said in a message either way. The
        ChangeList counts its rows as it is built; a savepoint keeps a refused query from
        breaking the request's transaction."""
        try:
            with transaction.atomic():
                return super().get_changelist_instance(request)
        except (IncorrectLookupParameters, DatabaseError, ValueError, OverflowError) as exc:
            messages.warning(request, UNUSABLE_FILTER)
            if isinstance(exc, IncorrectLookupParameters):
                raise
            raise IncorrectLookupParameters(exc) from exc


class PortalAdminMixin(FilterValuesMixin, CachedChangelistMixin, PrimedAutocompleteMixin):
    form = AdminModelForm
    list_select_related: tuple[str, ...] = ()
    list_per_page = 50
    formfield_overrides = {
        models.URLField: {"widget": widgets.AdminURLFieldWidget, "assume_scheme": "https"}
    }
    # Rows written only by services, deleted only with the row they belong to (an admin sets
    # it on the records' own ModelAdmin): they must not block deleting that row.
    deleted_with_parent = False

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        related = self.list_select_related
        return qs.select_related(*related) if isinstance(related, list | tuple) and related else qs

    def save_model(self, request, obj, form, change):
        if not change:
            stamp_creator(obj, request.user)
        super().save_model(request, obj, form, change)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        records = {
            str(model._meta.verbose_name)
            for model, model_admin in self.admin_site._registry.items()
            if getattr(model_admin, "deleted_with_parent", False)
        }
        perms_needed = {name for name in perms_needed if str(name) not in records}
        return deleted, counts, perms_needed, protected

    def save_inline(self, request, obj) -> None:
        """Save one row of an inline; a subclass sends some rows through a service."""
        obj.save()

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for obj in instances:
            if obj.pk is None:
                stamp_creator(obj, request.user)
            self.save_inline(request, obj)
        formset.save_m2m()


class PortalAdmin(PortalAdminMixin, admin.ModelAdmin):
    pass


class PortalHistoryAdmin(PortalAdminMixin, SimpleHistoryAdmin):
    """For models with django-simple-history: their history is browsable from the change page.

    `protected_fields` change only through services: a save, or a revert to an old version,
    leaves them as they are in the database.
    """

    protected_fields: frozenset[str] = frozenset()

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Shown, never restored: a revert writes a whole old row back around the services'
        # rules (it reopened a completed review, re-signed a terminated MOU). The setting
        # SIMPLE_HISTORY_REVERT_DISABLED only hides the button; the POST still saved.
        if request.method == "POST":
            messages.error(request, OLD_VERSIONS_ARE_READ_ONLY)
            return HttpResponseRedirect(request.path)
        return super().history_form_view(request, object_id, version_id, extra_context)

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


class RecordAdmin(PortalAdmin):
    """Rows only the services write (a step move, a confirmation, a strength change): shown,
    never added, changed or deleted on their own."""

    deleted_with_parent = True

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Inlines -------------------------------------------------------------------------------


def _is_lazy_widget(widget) -> bool:
    return isinstance(getattr(widget, "widget", widget), AutocompleteSelect | ForeignKeyRawIdWidget)


class PortalInlineMixin(PrimedAutocompleteMixin):
    form = AdminModelForm
    formset = AdminInlineFormSet
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


class RecordInline(TabularInline):
    """Records the services write (moves, confirmations): shown on the parent's page, never
    added, changed or deleted here."""

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
