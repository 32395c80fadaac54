"""The username django-axes records for a login attempt.

axes stores what was typed in `AccessAttempt.username`, a varchar(255), while the login forms
(ours and the admin's) pass any length to `authenticate()`: a longer name failed the INSERT, a
500 instead of "wrong username or password". No username is that long (ours are at most 150),
so the first 255 characters name the same lockout bucket; a NUL, which PostgreSQL cannot
store, is dropped.
"""

from __future__ import annotations

from axes.models import AccessAttempt

USERNAME_LENGTH = AccessAttempt._meta.get_field("username").max_length


def attempted_username(request, credentials: dict | None = None) -> str | None:
    """AXES_USERNAME_CALLABLE: axes' own choice (the credentials, else the POST), bounded."""
    if credentials:
        username = credentials.get("username")
    else:
        username = getattr(request, "data", request.POST).get("username")
    if username is None:
        return None
    return str(username).replace("\x00", "")[:USERNAME_LENGTH]
