"""Small PDFs for upload tests, built byte by byte with a correct cross-reference table, so a
PDF library opens them (partnerships/models/uploads.py refuses what pypdf cannot open)."""


def build_pdf(
    catalog_extra: bytes = b"", extra_objects: tuple[bytes, ...] = (), padding: int = 0
) -> bytes:
    """A one-page PDF. `catalog_extra` goes into the catalog's dictionary (e.g. an
    /OpenAction); `extra_objects` are numbered from 4 on; `padding` bytes of comment make the
    file larger."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Resources << >> >>",
        *extra_objects,
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    if padding:
        out += b"%" + b"0" * (padding - 2) + b"\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


PDF = build_pdf()


def sized_pdf(size: int) -> bytes:
    """A valid PDF of exactly `size` bytes."""
    padding = size - len(PDF)
    data = build_pdf(padding=padding)
    data = build_pdf(padding=padding - (len(data) - size))  # startxref's digits grew
    assert len(data) == size, (len(data), size)
    return data
