"""Writes to accounts shared by the apps that let a person sign up (a chamber's staff, an
invited officer, a request to join a city)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from accounts.models import ApiToken
from core.errors import DomainError
from core.services import lock, model_update


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
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction stays usable
            user.save()
    except IntegrityError:
        # The same sign-up sent twice at once (a double click: the password hashing makes the
        # window wide): the first made the account; the second is told, not given a 500.
        raise DomainError(
            _(
                "An account with this name or address was created a moment ago (a second "
                "click?): sign in with it."
            )
        ) from None
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


# --- Personal API tokens (accounts.ApiToken, docs/api.md) ---------------------------------------

TOKEN_PREFIX_BYTES = 6  # 8 characters of base64: finds the row
TOKEN_SECRET_BYTES = 32  # 256 random bits: the secret
# Writing `last_used_at` on every request would make each API read a write: once a minute is
# precise enough for "last used".
TOKEN_LAST_USED_EVERY = dt.timedelta(minutes=1)
MAX_ACTIVE_TOKENS = 20


def _secret_hash(secret: str) -> str:
    """SHA-256 of the secret. A password hasher (Argon2, PBKDF2) stretches a guessable secret;
    this one is 256 random bits, which stretching would not make any harder to find, while
    costing every API request tens of milliseconds and megabytes (GitHub's tokens are kept the
    same way)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _split_key(key: str) -> tuple[str, str] | None:
    if not key.startswith("tp_"):
        return None
    prefix, sep, secret = key[3:].partition("_")
    if not sep or not prefix or not secret or len(key) > 200:
        return None
    return prefix, secret


@transaction.atomic
def api_token_create(*, user, name: str, access: str) -> tuple[ApiToken, str]:
    """A new token of `user`'s; returns it and its key, which is never stored nor shown again."""
    if not user.is_authenticated or not user.is_active:
        raise DomainError(_("Sign in to create an API token."))
    # Serialises one person's creations: the limit holds with two at once.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
        raise DomainError(
            _("You have %(count)s tokens in use already: revoke one you no longer need.")
            % {"count": MAX_ACTIVE_TOKENS}
        )
    while True:
        # "_" separates the parts of the key, so the prefix has none of its own.
        prefix = secrets.token_urlsafe(TOKEN_PREFIX_BYTES).replace("_", "x")
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    secret = secrets.token_urlsafe(TOKEN_SECRET_BYTES)
    token = ApiToken(
        user=user,
        name=(name or "").strip(),
        access=access,
        prefix=prefix,
        secret_hash=_secret_hash(secret),
    )
    token.full_clean()
    token.save()
    return token, f"tp_{prefix}_{secret}"


@transaction.atomic
def api_token_revoke(*, token: ApiToken, user) -> ApiToken:
    """Its owner revokes a token: every request with it is refused from now on (401)."""
    token = lock(ApiToken, token.pk)
    if token.user_id != getattr(user, "pk", None):
        raise DomainError(_("Only its owner can revoke a token."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(key: str) -> ApiToken | None:
    """The active token of an active user that `key` is, or None; notes when it was used."""
    parts = _split_key(key)
    if parts is None:
        return None
    prefix, secret = parts
    token = (
        ApiToken.objects.select_related("user")
        .filter(prefix=prefix, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None or not constant_time_compare(token.secret_hash, _secret_hash(secret)):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def api_tokens_of(user):
    """A person's tokens, the ones in use first."""
    return ApiToken.objects.filter(user=user).order_by(
        F("revoked_at").desc(nulls_first=True), "-created_at", "-id"
    )
