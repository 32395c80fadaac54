"""Where private documents go and what is accepted as one.

Agreements are stored under random names in MEDIA_ROOT (never under static files) and are
served only through views that check who may see the partnership, as attachments under a
sandboxing Content-Security-Policy (core.documents).

A PDF is accepted by its content: `%PDF-` at byte 0 (a file that merely holds it in its first
kilobyte may be an HTML page too, and a browser sniffing it runs its scripts), a file pypdf
opens with at least one page, and no active content: JavaScript, launch actions, embedded
files, rich media or XFA forms. A scan or a signed agreement needs none of them; they are
what a PDF carries when it is meant to act on the reader's computer.
"""

import re
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.uploads import too_large_message

# The largest document (settings.MAX_UPLOAD_BYTES, which also bounds request bodies).
MAX_DOCUMENT_BYTES = settings.MAX_UPLOAD_BYTES

# Dictionary keys and name values that mean active content, as pypdf decodes them (`/J#53`
# is `/JS`).
ACTIVE_KEYS = frozenset(
    {"/JS", "/JavaScript", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia", "/XFA"}
)
ACTIVE_NAMES = frozenset({"/JavaScript", "/Launch", "/EmbeddedFile", "/RichMedia"})
# The same tokens in the raw bytes, whole names only (a font `/JS1` is not `/JS`): also finds
# them in objects no page refers to.
ACTIVE_TOKENS = re.compile(
    rb"/(?:JS|JavaScript|Launch|EmbeddedFiles?|RichMedia|XFA)(?=[\s/<>\[\]()%{}]|$)"
)
# A bound on the objects walked: a real agreement has a few thousand at most.
MAX_OBJECTS = 200_000


def private_document_path(instance, filename: str) -> str:
    folder = instance._meta.model_name
    return str(PurePosixPath("private", folder, f"{uuid.uuid4().hex}.pdf"))


def _read_all(file) -> bytes:
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    try:
        return file.read()
    finally:
        file.seek(position)


def _has_active_content(reader) -> bool:
    """Walk every object reachable from the trailer (resolving references, without decoding
    streams) for a key or a name that means active content."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    seen: set[tuple[int, int]] = set()
    stack = [reader.trailer]
    walked = 0
    while stack:
        item = stack.pop()
        walked += 1
        if walked > MAX_OBJECTS:
            return True  # not a document we can vouch for
        if isinstance(item, IndirectObject):
            ref = (item.idnum, item.generation)
            if ref in seen:
                continue
            seen.add(ref)
            stack.append(item.get_object())
        elif isinstance(item, DictionaryObject):  # streams too (their dictionary)
            if any(str(key) in ACTIVE_KEYS for key in item):
                return True
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)
        elif isinstance(item, NameObject) and str(item) in ACTIVE_NAMES:
            return True
    return False


def _open_pdf(data: bytes, *, strict: bool):
    """The pypdf reader and its page count, or (None, 0) when pypdf cannot read the file."""
    import io
    import logging

    from pypdf import PdfReader

    # pypdf logs every repair it makes to a damaged file; a refused upload is enough said.
    pypdf_logger = logging.getLogger("pypdf")
    level = pypdf_logger.level
    pypdf_logger.setLevel(logging.CRITICAL)
    try:
        reader = PdfReader(io.BytesIO(data), strict=strict)
        return reader, len(reader.pages)
    except Exception:
        return None, 0
    finally:
        pypdf_logger.setLevel(level)


def validate_pdf(file) -> None:
    """Accept a PDF by its content, not its name, within the size limit: `%PDF-` at byte 0, a
    file pypdf opens with a page, and no active content (the module docstring)."""
    limit = settings.MAX_UPLOAD_BYTES
    if file.size > limit:
        raise ValidationError(too_large_message(file.size, limit), code="too_large")
    data = _read_all(file)
    if not data.startswith(b"%PDF-"):
        raise ValidationError(_("Upload a PDF document (this file is not a PDF)."), code="not_pdf")
    reader, pages = _open_pdf(data, strict=False)
    if reader is None or pages < 1:
        raise ValidationError(
            _(
                "This file is not a readable PDF document (it may be damaged): "
                "save or export it as PDF again and upload that."
            ),
            code="not_readable_pdf",
        )
    try:
        active = bool(ACTIVE_TOKENS.search(data)) or _has_active_content(reader)
    except Exception:  # a broken reference deep inside: not a document we can vouch for
        active = True
    if active:
        raise ValidationError(
            _(
                "This PDF contains scripts, launch actions or embedded files, which the portal "
                "does not accept: print it to PDF (or scan it) and upload that."
            ),
            code="active_pdf",
        )


def validate_pdf_document(file) -> None:
    """A PDF a reader opens strictly, with at least one page: the evidence of a confirmation
    given outside the portal must not be a repaired or forged file. Run after `validate_pdf`
    (the size limit, the signature, active content)."""
    _reader, pages = _open_pdf(_read_all(file), strict=True)
    if pages < 1:
        raise ValidationError(
            _(
                "This file is not a readable PDF document (it may be damaged or forged): "
                "upload the scanned or signed PDF itself."
            ),
            code="not_readable_pdf",
        )


class HeldUpload(models.Model):
    """A checked PDF kept for one person while the form it came with is refused for another
    field's error: a browser cannot refill a file input, so the corrected form names it by a
    token instead (`partnerships.services.uploads`). Only the person who uploaded it redeems
    it, only on the form it came with (`scope`), and only for HELD_UPLOAD_HOURS; it is never
    served. Only a hash of the token is stored."""

    token_hash = models.CharField(max_length=64, unique=True, verbose_name=_("token hash"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    scope = models.CharField(max_length=80, verbose_name=_("form"))
    file = models.FileField(upload_to=private_document_path, verbose_name=_("file"))
    name = models.CharField(max_length=255, verbose_name=_("file name"))
    size = models.PositiveIntegerField(verbose_name=_("size"))
    created_at = models.DateTimeField(
        auto_now_add=True, db_index=True, verbose_name=_("created at")
    )

    class Meta:
        verbose_name = _("held upload")
        verbose_name_plural = _("held uploads")

    def __str__(self) -> str:
        return self.name
