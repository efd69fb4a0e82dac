"""A school's certificates in one file, written by the worker: a zip of their PDFs named by
number and holder, and one PDF with a page per certificate for printing. Each is asked for by the
school administrator, written through the outbox, and served to them only."""

from __future__ import annotations

import io
import zipfile

from bureaus.models import StoredExport
from bureaus.tenancy import bureau_scope
from certificates.exports import PRINT, ZIP, file_name
from certificates.models import Certificate, CertificateStatus

from .conftest import issue, run_jobs


def school_certificates(cast, kind):
    """Three certificates of the school (the teacher, the lead, the administrator) and one of
    another school (the mentor)."""
    people = (cast.teacher, cast.lead, cast.school_admin)
    mine = [issue(cast, kind, user) for user in people]
    other = issue(cast, kind, cast.mentor)
    run_jobs(cast.bureau)
    return mine, other


def ask(client, what: str):
    response = client.post("/certificates/school/export/", {"what": what})
    assert response.status_code == 302
    return response["Location"]


def test_the_zip_holds_each_valid_pdf_named_by_number_and_holder(xuhui, kind, fake_renderer):
    mine, other = school_certificates(xuhui, kind)
    with bureau_scope(xuhui.bureau):
        Certificate.objects.filter(pk=mine[2].pk).update(status=CertificateStatus.REVOKED)
    client = xuhui.client("school_admin")
    page = ask(client, ZIP)
    run_jobs(xuhui.bureau)
    assert client.get(page).status_code == 200
    with bureau_scope(xuhui.bureau):
        export = StoredExport.objects.get(kind=ZIP)
    assert export.status == "done" and export.original_name.endswith(".zip")
    response = client.get(f"/certificates/exports/{export.pk}/file/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = sorted(archive.namelist())
    expected = sorted(file_name(c) for c in mine[:2])
    assert names == expected
    assert all("〔" in n and c.holder_name in n for n, c in zip(expected, mine[:2], strict=True))
    for certificate in mine[:2]:
        body = archive.read(file_name(certificate))
        assert body.startswith(b"%PDF") and certificate.code.encode() in body
    assert other.holder_name not in " ".join(names)


def test_the_print_pdf_has_a_page_per_certificate(xuhui, kind, fake_renderer):
    from pypdf import PdfReader

    mine, _other = school_certificates(xuhui, kind)
    client = xuhui.client("school_admin")
    ask(client, PRINT)
    run_jobs(xuhui.bureau)  # the print PDF renders with WeasyPrint, not the fake renderer
    with bureau_scope(xuhui.bureau):
        export = StoredExport.objects.get(kind=PRINT)
    assert export.status == "done", export.error
    response = client.get(f"/certificates/exports/{export.pk}/file/")
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    assert len(reader.pages) == len(mine)
    text = "".join(page.extract_text() for page in reader.pages)
    for certificate in mine:
        assert certificate.code in text


def test_an_export_is_served_only_to_the_administrator_of_its_school(xuhui, putuo, kind):
    school_certificates(xuhui, kind)
    client = xuhui.client("school_admin")
    ask(client, ZIP)
    run_jobs(xuhui.bureau)
    with bureau_scope(xuhui.bureau):
        export = StoredExport.objects.get(kind=ZIP)
    for outsider in (xuhui.client("staff"), xuhui.client("teacher"), putuo.client("school_admin")):
        for url in (
            f"/certificates/exports/{export.pk}/",
            f"/certificates/exports/{export.pk}/file/",
        ):
            assert outsider.get(url).status_code in (403, 404), url


def test_a_school_without_a_valid_certificate_is_told_so(xuhui, kind):
    client = xuhui.client("school_admin")
    response = client.post("/certificates/school/export/", {"what": ZIP}, follow=True)
    assert "本校尚无有效证书" in response.content.decode()
    with bureau_scope(xuhui.bureau):
        assert not StoredExport.objects.exists()
