"""The certificates admin: kinds with their template checked on save (XH-FAIL-END, SJ-HONOUR,
PT-FILE kinds), the default template for a new kind, a live preview, seals checked as images,
certificates read-only with a revoke action through the service, signing keys read-only."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from bureaus.models import AuditEntry
from bureaus.tenancy import bureau_scope
from certificates.models import CertificateKind, CertificateStatus, Signatory
from certificates.rendering import default_template
from tests.certificates.helpers import add_signatory, issue_passed, make_kind

pytestmark = pytest.mark.django_db

ADD = "/admin/certificates/certificatekind/add/"


def image(fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 40), (200, 0, 0)).save(out, fmt)
    return out.getvalue()


def kind_form(xuhui, **changes) -> dict:
    data = {
        "programme": str(xuhui.programme.pk),
        "type": "completion",
        "title": "结业证书",
        "requirement": "",
        "min_class_teacher_years": "",
        "number_format": "徐教发证〔{year}〕第{seq:04d}号",
        "number_series": "",
        "issue_date": "",
        "template_html": "",
        "template_css": "",
        "active": "on",
        "signatories-TOTAL_FORMS": "0",
        "signatories-INITIAL_FORMS": "0",
        "signatories-MIN_NUM_FORMS": "0",
        "signatories-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_a_new_kind_without_a_template_gets_the_default_of_its_type(xuhui):
    response = xuhui.client("staff").post(ADD, kind_form(xuhui))
    assert response.status_code == 302, response.content.decode()[:2000]
    with bureau_scope(xuhui.bureau):
        kind = CertificateKind.objects.get()
    assert (kind.template_html, kind.template_css) == default_template("completion")
    assert kind.bureau_id == xuhui.bureau.pk


def test_a_template_that_fails_is_refused_with_the_error(xuhui):
    bad = kind_form(xuhui, template_html="<p>{{ holder_name }}{% include 'x.html' %}</p>")
    response = xuhui.client("staff").post(ADD, bad)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["template_html"]
    with bureau_scope(xuhui.bureau):
        assert not CertificateKind.objects.exists()


def test_sj_honour_a_kind_needs_the_years_and_pt_file_a_part(xuhui):
    client = xuhui.client("staff")
    response = client.post(ADD, kind_form(xuhui, type="honour", title="荣誉证书"))
    assert "min_class_teacher_years" in response.context["adminform"].form.errors
    response = client.post(ADD, kind_form(xuhui, type="training", title="培训证书"))
    assert "requirement" in response.context["adminform"].form.errors


def test_a_number_format_with_unknown_fields_is_refused(xuhui):
    response = xuhui.client("staff").post(ADD, kind_form(xuhui, number_format="第{n}号"))
    assert "number_format" in response.context["adminform"].form.errors


def test_a_seal_must_be_a_png_or_jpeg_image(xuhui):
    kind = make_kind(xuhui)
    url = f"/admin/certificates/certificatekind/{kind.pk}/change/"
    client = xuhui.client("staff")

    def post(upload):
        data = kind_form(
            xuhui,
            template_html=kind.template_html,
            template_css=kind.template_css,
            **{
                "signatories-TOTAL_FORMS": "1",
                "signatories-0-order": "1",
                "signatories-0-name": "张彧",
                "signatories-0-title": "徐汇区教育局",
                "signatories-0-seal": upload,
            },
        )
        return client.post(url, data)

    fake = post(SimpleUploadedFile("seal.png", b"<svg onload=alert(1)>", "image/png"))
    assert fake.status_code == 200
    gif = post(SimpleUploadedFile("seal.gif", image("GIF"), "image/gif"))
    assert gif.status_code == 200
    with bureau_scope(xuhui.bureau):
        assert not Signatory.objects.exists()
    good = post(SimpleUploadedFile("seal.png", image("PNG"), "image/png"))
    assert good.status_code == 302
    with bureau_scope(xuhui.bureau):
        signatory = Signatory.objects.get()
    assert signatory.seal.name.endswith(".png")


def test_the_preview_is_a_pdf_of_the_posted_template(xuhui):
    kind = make_kind(xuhui)
    add_signatory(kind)
    client = xuhui.client("staff")
    url = f"/admin/certificates/certificatekind/{kind.pk}/preview/"
    html, css = default_template("honour")
    response = client.post(url, {"template_html": html, "template_css": css})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    bad = client.post(url, {"template_html": "{% load static %}", "template_css": ""})
    assert bad.status_code == 400
    assert client.get(url).status_code == 405
    new = client.post("/admin/certificates/certificatekind/preview/", {"type": "training"})
    assert new.status_code == 200 and new.content.startswith(b"%PDF")


def test_the_change_page_shows_the_preview_frame_without_inline_script(xuhui):
    kind = make_kind(xuhui)
    response = xuhui.client("staff").get(f"/admin/certificates/certificatekind/{kind.pk}/change/")
    body = response.content.decode()
    assert f"/admin/certificates/certificatekind/{kind.pk}/preview/" in body
    assert "certificate_preview.js" in body and "certificate-preview-frame" in body


def test_another_bureaus_preview_and_leaderships_are_refused(xuhui, putuo):
    kind = make_kind(xuhui)
    url = f"/admin/certificates/certificatekind/{kind.pk}/preview/"
    html, css = default_template("completion")
    assert putuo.client("staff").post(url, {"template_html": html}).status_code == 404
    assert xuhui.client("leader").post(url, {"template_html": html}).status_code == 404
    leader_new = xuhui.client("leader").post(
        "/admin/certificates/certificatekind/preview/", {"template_html": html}
    )
    assert leader_new.status_code == 403


def test_the_programme_page_lists_its_certificate_kinds(xuhui):
    make_kind(xuhui)
    response = xuhui.client("staff").get(
        f"/admin/programmes/programme/{xuhui.programme.pk}/change/"
    )
    assert response.status_code == 200
    assert "certificate_kinds-TOTAL_FORMS" in response.content.decode()


def test_certificates_are_read_only_and_revoked_by_the_action_with_a_reason(xuhui):
    certificate = issue_passed(xuhui)
    client = xuhui.client("staff")
    base = "/admin/certificates/certificate/"
    listing = client.get(f"{base}?q={certificate.code}")
    assert certificate.number in listing.content.decode()
    change = client.get(f"{base}{certificate.pk}/change/")
    assert change.status_code == 200 and "<textarea" not in change.content.decode()
    assert client.get(f"{base}add/").status_code == 403
    action = {"action": "revoke", "_selected_action": [str(certificate.pk)]}
    asked = client.post(base, action)
    assert asked.status_code == 200 and "reason" in asked.content.decode()
    done = client.post(base, {**action, "apply": "1", "reason": "信息有误"})
    assert done.status_code == 302
    with bureau_scope(xuhui.bureau):
        certificate.refresh_from_db()
        assert AuditEntry.objects.filter(action="certificate.revoke").count() == 1
    assert certificate.status == CertificateStatus.REVOKED
    assert certificate.revoked_reason == "信息有误"


def test_leadership_reads_certificates_but_cannot_revoke(xuhui):
    certificate = issue_passed(xuhui)
    client = xuhui.client("leader")
    base = "/admin/certificates/certificate/"
    assert client.get(base).status_code == 200
    client.post(
        base,
        {
            "action": "revoke",
            "_selected_action": [str(certificate.pk)],
            "apply": "1",
            "reason": "x",
        },
    )
    with bureau_scope(xuhui.bureau):
        certificate.refresh_from_db()
    assert certificate.valid


def test_signing_keys_are_read_only_and_never_show_the_private_key(xuhui):
    certificate = issue_passed(xuhui)
    key = certificate.signing_key
    client = xuhui.client("staff")
    listing = client.get("/admin/certificates/signingkey/")
    assert key.fingerprint in listing.content.decode()
    page = client.get(f"/admin/certificates/signingkey/{key.pk}/change/")
    assert page.status_code == 200
    assert "private" not in page.content.decode().lower()
    assert client.get("/admin/certificates/signingkey/add/").status_code == 403


def test_the_kinds_are_copied_with_the_programme(xuhui):
    from programmes.services import programme_copy

    kind = make_kind(xuhui, issue_date=dt.date(2026, 7, 1))
    add_signatory(kind)
    issue_passed(xuhui, kind=kind)
    with bureau_scope(xuhui.bureau):
        copy = programme_copy(
            actor=xuhui.staff,
            programme=xuhui.programme,
            code="next-cycle",
            name="下一周期",
            start_month=dt.date(2026, 9, 1),
        )
        copied = CertificateKind.objects.get(programme=copy)
        assert copied.signatories.get().name == "张彧"
        assert not copied.certificates.exists()
    assert copied.issue_date.year == 2029


def inline_form(xuhui, instance=None, **changes):
    from django import forms

    from certificates.admin import CertificateKindForm, CertificateKindInline

    form_class = forms.modelform_factory(
        CertificateKind, form=CertificateKindForm, fields=CertificateKindInline.fields
    )
    data = {
        "type": "completion",
        "title": "结业证书",
        "requirement": "",
        "min_class_teacher_years": "",
        "number_format": "第{seq}号",
        "number_series": "",
        "issue_date": "",
        "active": "on",
        **changes,
    }
    instance = instance or CertificateKind(bureau=xuhui.bureau, programme=xuhui.programme)
    return form_class(data, instance=instance)


def test_the_programme_pages_inline_keeps_or_defaults_the_template(xuhui):
    kind = make_kind(xuhui, template_html="<p>{{ holder_name }}</p>", template_css="p{}")
    with bureau_scope(xuhui.bureau):
        edited = inline_form(xuhui, instance=kind, title="结业证书（新）")
        assert edited.is_valid(), edited.errors
        edited.save()
        kind.refresh_from_db()
        assert kind.template_html == "<p>{{ holder_name }}</p>"
        new = inline_form(xuhui, type="honour", title="荣誉证书", min_class_teacher_years="20")
        assert new.is_valid(), new.errors
        made = new.save()
    assert (made.template_html, made.template_css) == default_template("honour")


def test_a_training_kind_names_a_part_of_its_own_programme(xuhui, putuo):
    with bureau_scope(putuo.bureau):
        theirs = putuo.programme.requirements.get()
    with bureau_scope(xuhui.bureau):
        from programmes.models import Programme, Requirement

        other = Programme.objects.create(
            bureau=xuhui.bureau,
            code="other",
            name="另一方案",
            start_month=dt.date(2023, 9, 1),
            end_month=dt.date(2026, 6, 1),
        )
        part = Requirement.objects.create(
            bureau=xuhui.bureau, programme=other, code="x", title="其他", order=1
        )
        form = inline_form(xuhui, type="training", title="培训证书", requirement=str(part.pk))
        assert not form.is_valid() and "requirement" in form.errors
        form = inline_form(xuhui, type="training", title="培训证书", requirement=str(theirs.pk))
        assert not form.is_valid() and "requirement" in form.errors
