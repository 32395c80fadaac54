"""Writes to accounts shared by the apps that let a person sign up (a chamber's staff, an
invited officer, a request to join a city)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import translation

from core.services import model_update


def account_save_new(user, password: str, errors: dict[str, list[str]] | None = None):
    """Save a new, unsaved `user` with `password`, after the password validators and the
    model's own checks; every problem (with `errors` the caller found already) is raised
    together as one ValidationError per field, and nothing is saved then."""
    errors = {field: list(messages) for field, messages in (errors or {}).items()}
    # A new account keeps the language its person signed up in (the page they read).
    if not user.language:
        user.language = active_language()
    try:
        validate_password(password, user)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    user.set_password(password)
    try:
        user.full_clean()
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    user.save()
    return user


ACCOUNT_FIELDS = ("first_name", "last_name", "job_title", "language")


def account_update(user, **values):
    """Change what a person may change about themselves (AccountForm's fields)."""
    unknown = set(values) - set(ACCOUNT_FIELDS)
    if unknown:
        raise TypeError(f"not an account field: {sorted(unknown)}")
    return model_update(user, values)


def active_language() -> str:
    """The active language if it is one of the portal's, else "" (the default)."""
    active = translation.get_language() or ""
    return active if active in {code for code, _name in settings.LANGUAGES} else ""
