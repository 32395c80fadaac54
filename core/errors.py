"""The one exception a service raises when it refuses: a message fit to show a person."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError


class DomainError(Exception):
    """A refused operation, with a message fit to show the user and what is missing."""

    def __init__(self, message: str, missing: Iterable[str] = ()):
        super().__init__(message)
        # Lazy translations are fine: they are read in the language active when shown.
        self.message = message
        self.missing = list(missing)

    def __str__(self) -> str:
        if not self.missing:
            return str(self.message)
        return f"{self.message} " + " ".join(f"• {m}" for m in self.missing)


def flatten(exc: ValidationError) -> list[str]:
    """A ValidationError's messages as lines, each prefixed with its field when it has one."""
    if hasattr(exc, "message_dict"):
        return [f"{field}: {m}" for field, msgs in exc.message_dict.items() for m in msgs]
    return list(exc.messages)
