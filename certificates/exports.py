"""A school's certificates handed out in one file, written by the worker as stored exports
(``bureaus.exports``): a zip of their PDFs, and one multi-page PDF for printing.

Both hold the school's valid certificates (of one kind, if asked), in number order. The zip holds
the PDFs as made, each named by its number and holder; the print PDF renders them again into one
document (``rendering.render_many``).
"""

from __future__ import annotations

import io
import re
import zipfile

from django.utils.translation import gettext as _

from bureaus.models import StoredExport

from .models import Certificate, CertificateStatus, RenderState

ZIP = "certificates.zip"
PRINT = "certificates.print"
FORMAT_OF = {ZIP: "zip", PRINT: "pdf"}

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def file_name(certificate: Certificate) -> str:
    """A certificate's PDF as people save it: its number and holder (no path characters)."""
    name = f"{certificate.number}-{certificate.holder_name}"
    return _UNSAFE.sub("_", name).strip() + ".pdf"


def school_certificates(params: dict):
    """The certificates an export of a school asked for: valid ones, in number order."""
    found = Certificate.objects.select_related("kind").filter(
        school_id=params["school"], status=CertificateStatus.VALID
    )
    if params.get("kind"):
        found = found.filter(kind_id=params["kind"])
    return found.order_by("kind_id", "year", "series", "seq")


def write_zip(export: StoredExport, progress) -> bytes:
    """The PDFs made so far, one file each (a certificate still being made is left out)."""
    certificates = list(
        school_certificates(export.params).filter(render_state=RenderState.DONE).exclude(file="")
    )
    buffer = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for done, certificate in enumerate(certificates, start=1):
            name = file_name(certificate)
            if name in used:  # two holders of one name and number cannot be; be safe anyway
                name = name.removesuffix(".pdf") + f"-{certificate.code}.pdf"
            used.add(name)
            with certificate.file.open("rb") as handle:
                archive.writestr(name, handle.read())
            progress(done, len(certificates))
    return buffer.getvalue()


def write_print(export: StoredExport, progress) -> bytes:
    """One PDF, a page per certificate, for printing."""
    from .rendering import render_many

    certificates = list(school_certificates(export.params).prefetch_related("kind__signatories"))
    if not certificates:
        raise ValueError(_("The school has no valid certificate to print."))
    progress(0, len(certificates))
    data = render_many(certificates)
    progress(len(certificates), len(certificates))
    return data


def register_stored_exports() -> None:
    from bureaus.exports import register_export

    register_export(ZIP, write_zip)
    register_export(PRINT, write_print)
