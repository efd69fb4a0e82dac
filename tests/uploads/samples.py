"""Small valid files that pass the content checks, for tests that upload something."""

from __future__ import annotations


def pdf(*objects: bytes, header: bytes = b"%PDF-1.4\n") -> bytes:
    """A PDF with ``objects`` (numbered from 1, the first being the catalog) and a correct
    cross-reference table."""
    out = bytearray(header)
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


PAGE_OBJECTS = (
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
)

# A one-page, blank A4 PDF.
MINIMAL_PDF = pdf(*PAGE_OBJECTS)
