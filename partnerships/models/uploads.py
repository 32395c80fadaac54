"""Where private documents go and what is accepted as one.

Agreements are stored under random names in MEDIA_ROOT (never under static files) and are
served only through views that check who may see the partnership.
"""

import uuid
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


def private_document_path(instance, filename: str) -> str:
    folder = instance._meta.model_name
    return str(PurePosixPath("private", folder, f"{uuid.uuid4().hex}.pdf"))


def validate_pdf(file) -> None:
    """Accept a PDF by its content (the `%PDF-` signature), not its name, within a size limit."""
    if file.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            "The file is %(size)d MB; the limit is 10 MB.",
            params={"size": file.size // (1024 * 1024)},
            code="too_large",
        )
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(1024)
    file.seek(position)
    if b"%PDF-" not in head:
        raise ValidationError("Upload a PDF document (this file is not a PDF).", code="not_pdf")


def validate_pdf_document(file) -> None:
    """A PDF a reader opens, with at least one page: `%PDF-` in its first bytes is not enough
    for evidence (a forged file may start with it). Read with pypdf, strictly; run after
    `validate_pdf` (the size limit and the signature)."""
    from pypdf import PdfReader

    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    try:
        pages = len(PdfReader(file, strict=True).pages)
    except Exception:
        pages = 0
    finally:
        file.seek(position)
    if pages < 1:
        raise ValidationError(
            "This file is not a readable PDF document (it may be damaged or forged): "
            "upload the scanned or signed PDF itself.",
            code="not_readable_pdf",
        )
