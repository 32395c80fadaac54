"""What every form of the portal shares: dates within a plausible range, bounded free text, and
model-choice options read once.

Model-choice <select>s have their options read while the view builds the form, never while
the template renders it (tests/partnerships/test_query_budgets.py checks every page for that).

Left alone, a ModelChoiceField's options are a lazy iterator over its queryset: the template
runs the query when it draws the <select> (and `{% for %}` over `field.field.choices` may count
them first). `read_choices(form)` turns them into a list, one query per select; validation
still asks the queryset (`queryset.get()` / `filter(pk__in=…)`), so a choice made stale by a
concurrent change is still refused.

`ChoicesReadOnce` does it for a form once its most derived `__init__` has returned, so a form
may still narrow a field's queryset in its own `__init__` (setting a queryset afterwards, from a
view, would keep the list read before: narrow it in the form instead). For a django-filter
FilterSet, set `Meta.form = ChoicesForm`.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.core.validators import MaxLengthValidator
from django.db.models import QuerySet
from django.forms.utils import flatatt
from django.forms.widgets import ChoiceWidget
from django.utils.functional import lazy
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.text import ControlCharacterValidator

# Dates outside this range are typing mistakes (a year of 0202 or 20255), not history.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)
# Free text is generous but bounded: a memo, not a book.
LONG_TEXT = 10_000
# The largest id a bigint column holds.
MAX_ID = 2**63 - 1


class DateInput(forms.DateInput):
    """The browser's date picker, with the ISO value it expects."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class LongSelect(forms.Select):
    """A <select> of plain options drawn in Python: Django's draws each option through its own
    template, about 0.1 ms apiece, a second for a network coordinator's filter of 10,000 cities.
    Only flat (value, label) choices; the markup is the same as `forms.Select`'s."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in self.format_value(value)}
        options = "".join(
            f'<option value="{escape(option)}"{" selected" if str(option) in chosen else ""}>'
            f"{escape(label)}</option>"
            for option, label in self.choices
        )
        final = self.build_attrs(self.attrs, attrs or {})
        final["name"] = name
        return format_html("<select{}>{}</select>", flatatt(final), mark_safe(options))


def text_area(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def check_dates(form: forms.BaseForm) -> None:
    """A field error on every date outside EARLIEST_DATE..LATEST_DATE."""
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        is_date = isinstance(field, forms.DateField) and value is not None
        if is_date and not EARLIEST_DATE <= value <= LATEST_DATE:
            form.add_error(
                name,
                gettext("Give a date between %(first)s and %(last)s.")
                % {"first": EARLIEST_DATE.year, "last": LATEST_DATE.year},
            )


def beyond_ids(value) -> bool:
    """A whole number no id column holds (past the 64-bit range)."""
    try:
        number = int(str(value).strip())
    except ValueError:
        return False
    return not -MAX_ID - 1 <= number <= MAX_ID


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, but an id beyond the 64-bit range is an invalid choice before the database is
    asked: on SQLite an IN of such a number raises OverflowError (a 500), where a single
    `pk=` lookup already copes."""

    def _check_values(self, value):
        try:
            values = list(value)
        except TypeError:
            values = []
        for pk in values:
            if beyond_ids(pk):  # not a number at all: Django reports it
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)


def read_choices(form: forms.BaseForm) -> None:
    """Read the options of every model-choice field drawn as a select, radio buttons or check
    boxes into a list (a hidden or text input lists no options: left alone)."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField) and isinstance(field.widget, ChoiceWidget):
            # iter(): list() of the iterator itself would COUNT first (its __len__). Django's
            # own setter: django-filter's would wrap the list in a model iterator again.
            forms.ChoiceField.choices.fset(field, list(iter(field.choices)))


def check_text(form: forms.BaseForm) -> None:
    """Every text field of the form refuses control characters (core/text.py); a text area
    takes tab and line breaks. Passwords are not text anyone reads: left alone."""
    for field in form.fields.values():
        if not isinstance(field, forms.CharField) or isinstance(field.widget, forms.PasswordInput):
            continue
        validator = ControlCharacterValidator(multiline=isinstance(field.widget, forms.Textarea))
        if validator not in field.validators:
            field.validators.append(validator)


def _then_read_choices(init):
    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        outermost = not self.__dict__.get("_building_choices", False)
        self._building_choices = True
        try:
            init(self, *args, **kwargs)
        finally:
            if outermost:
                self._building_choices = False
        if outermost:
            check_text(self)
            read_choices(self)

    return __init__


class ChoicesReadOnce:
    """Form mixin (first among the bases): `read_choices(self)` once the form is built, and
    `check_text(self)`."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "__init__" in cls.__dict__:
            cls.__init__ = _then_read_choices(cls.__dict__["__init__"])

    @_then_read_choices
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)


# --- A form of a stored record refuses to overwrite what changed since it was drawn ----------

SEEN = "seen"


def _plain(value) -> str:
    """A value as a form's initial holds it, in a form that compares across requests."""
    if isinstance(value, (list, tuple, set, frozenset, QuerySet)):
        return "[" + ",".join(sorted(_plain(v) for v in value)) + "]"
    return str(getattr(value, "pk", value))


def _fingerprint(form) -> dict[str, str]:
    """A short digest of each field's stored value (the form's initial, which a model form
    reads from its instance and an edit view gives a plain form from the record)."""
    return {
        name: hashlib.blake2b(_plain(form.initial.get(name)).encode(), digest_size=4).hexdigest()
        for name in form.fields
        if name != SEEN and name in form.initial
    }


def _encode(digests: dict[str, str]) -> str:
    return ",".join(f"{name}={digest}" for name, digest in sorted(digests.items()))


def _decode(text: str) -> dict[str, str]:
    pairs = (part.partition("=") for part in (text or "").split(",") if "=" in part)
    return {name: digest for name, _sep, digest in pairs}


class SeenRecord:
    """Form mixin (first among the bases) for a form that edits a stored record: a model form
    of a saved instance, or a plain form given the record's values (`edits_a_record = True`).

    The form carries, hidden, a digest of each field's value as it was drawn. When it comes
    back, a field that someone else saved since (another officer, a review that ended the
    partnership) refuses the whole form, naming the fields, instead of silently writing the
    old value back (a lost update). The hidden digest is then renewed: saving again, having
    looked, goes through. A form posted without the digest (a script) is not checked."""

    edits_a_record = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if self.edits_a_record or (instance is not None and instance.pk is not None):
            # Drawn lazily: fields a subclass adds after this __init__ are counted too.
            self.fields[SEEN] = forms.CharField(
                widget=forms.HiddenInput,
                required=False,
                initial=lambda: _encode(_fingerprint(self)),
            )

    def full_clean(self):
        super().full_clean()
        if not self.is_bound or SEEN not in self.fields:
            return
        self.cleaned_data.pop(SEEN, None)  # not a field of the record
        posted = _decode(self.data.get(self.add_prefix(SEEN), ""))
        if not posted:
            return
        now = _fingerprint(self)
        changed = [name for name, digest in now.items() if posted.get(name, digest) != digest]
        if not changed:
            return
        self.add_error(
            None,
            gettext(
                "Someone else saved a change to %(fields)s after you opened this form, so "
                "nothing is saved yet. Check your values against theirs (open the page again "
                "in another tab to see them), then save again."
            )
            % {"fields": ", ".join(str(self.fields[name].label or name) for name in changed)},
        )
        data = self.data.copy()
        data[self.add_prefix(SEEN)] = _encode(now)
        self.data = data


class ChoicesForm(ChoicesReadOnce, forms.Form):
    """A plain form with its model-choice options read once (e.g. a FilterSet's `Meta.form`)."""


class ChoicesModelForm(SeenRecord, ChoicesReadOnce, forms.ModelForm):
    """A model form with its model-choice options read once."""


class TextChecked:
    """Form mixin (first among the bases) for a form without model choices read once:
    `check_text(self)` once the form is built. Every form of ours has this or ChoicesReadOnce
    (tests/security/test_control_characters.py)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        check_text(self)


class PlainForm(TextChecked, forms.Form):
    """A plain form whose text refuses control characters."""


class PlainModelForm(SeenRecord, TextChecked, forms.ModelForm):
    """A model form whose text refuses control characters."""


class PortalFormMixin:
    """Every date a date picker within a plausible range, every unbounded text at most
    LONG_TEXT characters, and a message said once (a model's `clean()` may repeat what a field
    already said). First among the bases, before ChoicesForm / ChoicesModelForm."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DateField) and not isinstance(field.widget, DateInput):
                field.widget = DateInput(attrs=field.widget.attrs)
                field.widget.is_required = field.required
            elif isinstance(field, forms.CharField) and field.max_length is None:
                field.max_length = LONG_TEXT
                field.widget.attrs["maxlength"] = str(LONG_TEXT)
                field.validators.append(MaxLengthValidator(LONG_TEXT))

    def add_error(self, field, error):
        super().add_error(field, error)
        for errors in self._errors.values():
            texts = list(errors)
            if len(set(texts)) < len(texts):
                errors.data = [e for i, e in enumerate(errors.data) if texts[i] not in texts[:i]]

    def clean(self):
        cleaned = super().clean()
        check_dates(self)
        return cleaned


class PortalForm(PortalFormMixin, ChoicesForm):
    """A plain form of the portal (see PortalFormMixin)."""


class PortalModelForm(PortalFormMixin, ChoicesModelForm):
    """A model form of the portal (see PortalFormMixin)."""


class NewPasswordFields(forms.Form):
    """A new password typed twice, checked against the password validators' help (mix into a
    sign-up or account form; the validators themselves run when the account is saved:
    accounts.services.account_save_new)."""

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        # Built when shown, in the reader's language (not once, when this module is imported).
        help_text=lazy(password_validators_help_text_html, SafeString)(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", gettext("The two passwords differ."))
        return cleaned
