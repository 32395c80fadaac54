"""Held uploads: a checked PDF kept server-side while its form is refused for another field.

A browser cannot refill a file input, so without this an officer who mistyped a date would
have to choose the PDF again (and often does not notice it was dropped). The re-rendered form
carries a random token instead; the token is redeemed only by the same user on the same form
(`scope`, e.g. "mou:12"), within HELD_UPLOAD_HOURS. Expired holds are purged whenever a new
one is made (and a hold is deleted once its form is saved), so no periodic task is needed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from partnerships.models import HeldUpload

HELD_UPLOAD_HOURS = 12
# The expired holds deleted per purge: a bound on the work a single form submission does.
PURGE_BATCH = 100
TOKEN_FORMAT = re.compile(r"[A-Za-z0-9_-]{32,64}")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _oldest_valid() -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=HELD_UPLOAD_HOURS)


def _delete(holds) -> int:
    """Delete the rows, and their files once the deletion is committed."""
    holds = list(holds)
    names = [hold.file.name for hold in holds if hold.file]
    HeldUpload.objects.filter(pk__in=[hold.pk for hold in holds]).delete()
    if names:
        storage = HeldUpload._meta.get_field("file").storage

        def remove():
            for name in names:
                storage.delete(name)

        transaction.on_commit(remove)
    return len(holds)


def held_uploads_purge() -> int:
    """Delete expired holds (at most PURGE_BATCH); returns how many."""
    return _delete(
        HeldUpload.objects.filter(created_at__lt=_oldest_valid()).order_by("created_at")[
            :PURGE_BATCH
        ]
    )


@transaction.atomic
def upload_hold(*, user, scope: str, file) -> str:
    """Keep an upload that passed its field's checks for `user` on the form `scope`; returns
    the token the re-rendered form carries."""
    held_uploads_purge()
    token = secrets.token_urlsafe(32)
    file.seek(0)
    data = file.read()
    name = (getattr(file, "name", "") or "document.pdf").rsplit("/", 1)[-1][:255]
    hold = HeldUpload(token_hash=_hash(token), user=user, scope=scope, name=name, size=len(data))
    hold.file.save(name, ContentFile(data), save=False)
    hold.save()
    return token


def upload_held(*, user, scope: str, token: str) -> HeldUpload | None:
    """The hold this token names, if it is this user's, for this form, and not expired."""
    if not token or not TOKEN_FORMAT.fullmatch(token) or not user.is_authenticated:
        return None
    return HeldUpload.objects.filter(
        token_hash=_hash(token), user=user, scope=scope, created_at__gte=_oldest_valid()
    ).first()


def held_file(hold: HeldUpload) -> ContentFile:
    """The held bytes as a fresh upload under the original name (checked again on use)."""
    with hold.file.open("rb") as handle:
        return ContentFile(handle.read(), name=hold.name)


def upload_release(*, user, scope: str, token: str) -> None:
    """Forget a hold (its form was saved, or another file replaced it)."""
    hold = upload_held(user=user, scope=scope, token=token)
    if hold is not None:
        _delete([hold])
