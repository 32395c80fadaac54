"""Upload sizes, said so that a person can act on them.

`settings.MAX_UPLOAD_BYTES` is the largest file the portal accepts (the agreements' PDFs);
`config.middleware.RequestBodyLimitMiddleware` refuses a larger request body before reading it.
"""

from django.utils.formats import number_format
from django.utils.translation import gettext

MB = 1024 * 1024


def _megabytes(size: int) -> str:
    """The size in megabytes, without a decimal when whole (the active language's digits)."""
    value = size / MB
    return number_format(value, decimal_pos=0 if value == int(value) else 1, use_l10n=True)


def _bytes(size: int) -> str:
    return number_format(size, use_l10n=True, force_grouping=True)


def too_large_message(size: int, limit: int) -> str:
    """ "The file is 12.3 MB; the limit is 10 MB." When the two read the same in megabytes
    (10 MB + 1 byte), the bytes are said too, so the message never contradicts itself."""
    values = {
        "size": number_format(size / MB, decimal_pos=1, use_l10n=True),
        "limit": _megabytes(limit),
        "size_bytes": _bytes(size),
        "limit_bytes": _bytes(limit),
    }
    if f"{size / MB:.1f}" == f"{limit / MB:.1f}":
        return (
            gettext(
                "The file is %(size)s MB (%(size_bytes)s bytes); "
                "the limit is %(limit)s MB (%(limit_bytes)s bytes)."
            )
            % values
        )
    return gettext("The file is %(size)s MB; the limit is %(limit)s MB.") % values


def size_label(size: int) -> str:
    """A file's size as a person reads it next to its name: "120 KB", "2.4 MB"."""
    if size < MB:
        kilobytes = max(1, round(size / 1024))
        return gettext("%(size)s KB") % {"size": number_format(kilobytes, use_l10n=True)}
    return gettext("%(size)s MB") % {"size": number_format(size / MB, decimal_pos=1, use_l10n=True)}
