"""Upload sizes, said so that a person can act on them.

`settings.MAX_UPLOAD_BYTES` is the largest file the portal accepts (the agreements' PDFs);
`config.middleware.RequestBodyLimitMiddleware` refuses a larger request body before reading it.
"""

MB = 1024 * 1024


def _megabytes(size: int) -> str:
    value = size / MB
    return f"{value:.0f} MB" if value == int(value) else f"{value:.1f} MB"


def too_large_message(size: int, limit: int) -> str:
    """ "The file is 12.3 MB; the limit is 10 MB." When the two read the same in megabytes
    (10 MB + 1 byte), the bytes are said too, so the message never contradicts itself."""
    if f"{size / MB:.1f}" == f"{limit / MB:.1f}":
        return (
            f"The file is {size / MB:.1f} MB ({size:,} bytes); "
            f"the limit is {_megabytes(limit)} ({limit:,} bytes)."
        )
    return f"The file is {size / MB:.1f} MB; the limit is {_megabytes(limit)}."
