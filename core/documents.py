"""Serving an uploaded document: as a download, never as a page of the portal.

Even a checked PDF is someone else's file: a browser that renders it inline under the portal's
origin (or sniffs it as HTML) would give its content our cookies' reach. So it goes out as an
attachment, under `Content-Security-Policy: sandbox` (should a browser display it anyway, it
is a unique origin without scripts, forms or plugins) and `X-Content-Type-Options: nosniff`.
"""

from django.http import FileResponse

SANDBOX_POLICY = "sandbox"


def pdf_attachment(handle, filename: str, *, cache_control: str) -> FileResponse:
    """A FileResponse for an opened PDF, downloaded as `filename`."""
    response = FileResponse(
        handle, content_type="application/pdf", as_attachment=True, filename=filename
    )
    response["Content-Security-Policy"] = SANDBOX_POLICY
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = cache_control
    return response
