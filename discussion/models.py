"""A thread of comments on a partnership or on one of its sub-alliances.

Every comment belongs to a partnership (`partnership`, never null) and, in a sub-alliance's
thread, to that sub-alliance too (`sub_alliance`). Two real foreign keys rather than a generic
(content type, object id) link: the database keeps them whole and deletes a thread with its
record; who may read a thread, the events it sends (`partnership_id`) and the partnership's
timeline (one indexed column) are the partnership's in both cases; a sub-alliance is never
outside one. The service takes the partnership from the sub-alliance, and `clean()` refuses a
mismatch.

A removed comment keeps its row (who wrote it, when, who removed it and when) and loses its
text: the thread shows "comment removed".
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from alliances.models import SubAlliance
from core.formatting import number
from partnerships.models import Partnership

# "10 KB": counted in bytes of UTF-8, so a comment in Chinese is held to the same size.
MAX_BYTES = 10 * 1024
# A comment may be edited by its writer this long after it was posted.
EDIT_WINDOW_MINUTES = 15
# Line breaks and tabs are text; every other control character (NUL, escape, bell...) is not.
ALLOWED_CONTROLS = {"\n", "\t"}


def normalise_newlines(text: str) -> str:
    """Browsers send a textarea's line breaks as CR LF: one newline each."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def validate_body(text: str) -> None:
    """A comment's text: within 10 KB, with no control characters but newlines and tabs."""
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        raise ValidationError(
            gettext("A comment is at most 10 KB (%(limit)s bytes); this one is %(size)s bytes.")
            % {"limit": number(MAX_BYTES), "size": number(size)},
            code="too_long",
        )
    bad = sorted({c for c in text if c not in ALLOWED_CONTROLS and unicodedata.category(c) == "Cc"})
    if bad:
        codes = ", ".join(f"U+{ord(c):04X}" for c in bad)
        raise ValidationError(
            gettext(
                "The text holds control characters (%(codes)s), which a comment cannot contain: "
                "remove them (they often come with text pasted from another program)."
            )
            % {"codes": codes},
            code="control_characters",
        )


# "@name": a username (letters, digits and . + - _ as Django allows), not part of an e-mail
# address (no word character or @ just before it). A trailing full stop ends the sentence.
MENTION = re.compile(r"(?<![\w@])@([\w.+-]+)")


def mentioned_names(text: str) -> list[str]:
    """The names mentioned in `text`, each once, in order."""
    names: list[str] = []
    for match in MENTION.finditer(text):
        name = match.group(1).rstrip(".")
        if name and name not in names:
            names.append(name)
    return names


class Comment(models.Model):
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="comments",
        verbose_name=_("partnership"),
    )
    # Set in a sub-alliance's thread; empty in the partnership's own.
    sub_alliance = models.ForeignKey(
        SubAlliance,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="comments",
        verbose_name=_("sub alliance"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(blank=True, validators=[validate_body], verbose_name=_("body"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    edited_at = models.DateTimeField(null=True, blank=True, verbose_name=_("edited at"))
    removed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("removed at"))
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("removed by"),
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(removed_at__isnull=False, body="")
                | models.Q(removed_at__isnull=True, removed_by__isnull=True),
                name="comment_removed_has_no_text",
                violation_error_message=_("A removed comment keeps no text."),
            ),
            models.CheckConstraint(
                condition=models.Q(removed_at__isnull=False) | ~models.Q(body=""),
                name="comment_has_text",
                violation_error_message=_("Write something first."),
            ),
        ]
        indexes = [
            models.Index(fields=["partnership", "sub_alliance", "created_at"]),
            models.Index(fields=["sub_alliance", "created_at"]),
        ]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        if self.sub_alliance_id:
            return gettext("Comment %(id)s on sub-alliance %(on)s") % {
                "id": self.pk,
                "on": self.sub_alliance_id,
            }
        return gettext("Comment %(id)s on partnership %(on)s") % {
            "id": self.pk,
            "on": self.partnership_id,
        }

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    def editable_until(self):
        return self.created_at + dt.timedelta(minutes=EDIT_WINDOW_MINUTES)

    def clean(self) -> None:
        sub = self.sub_alliance
        if sub is not None and sub.partnership_id != self.partnership_id:
            raise ValidationError(
                gettext("A sub-alliance's comment belongs to its own partnership.")
            )
        if not self.is_removed and not self.body.strip():
            raise ValidationError({"body": gettext("Write something first.")})
