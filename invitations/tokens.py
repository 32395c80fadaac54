"""The invitation link's key: Django's signing machinery (`django.core.signing.dumps`, an HMAC
of SECRET_KEY with a salt of our own, timestamped by TimestampSigner).

Why signing and not a token generator: Django's PasswordResetTokenGenerator hashes a user's
state, and an invitee usually has no account yet. Why not a random token stored in the row:
the signature already makes the key unguessable and tamper-evident without a secret column to
protect. What a link may still do (used once, revoked, expired after 7 days, renewed by a
resend) is the database row's business (invitations.models.Invitation): the signature only
proves the portal issued this key for this invitation and address. MAX_AGE is a backstop for
keys of rows that somehow stay open forever.
"""

from __future__ import annotations

from django.core import signing

SALT = "invitations.accept"
MAX_AGE = 60 * 60 * 24 * 60  # 60 days: longer than any resend chain worth honouring


def make_key(invitation) -> str:
    return signing.dumps({"i": invitation.pk, "e": invitation.email.lower()}, salt=SALT)


def read_key(key: str) -> tuple[int, str] | None:
    """(invitation id, address) of a genuine key, or None for a forged, altered or stale one."""
    try:
        data = signing.loads(key, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one too
        return None
    if not isinstance(data, dict) or not isinstance(data.get("i"), int):
        return None
    return data["i"], str(data.get("e", ""))
