"""Issuing, revoking and reissuing certificates: numbers gapless in issue order, refusals with
the rule's reason (XH-FAIL-END, XH-TERMINATE, SJ-HONOUR), audit rows and the PDF job."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from bureaus.models import AuditEntry, OutboxJob
from bureaus.tenancy import bureau_scope
from certificates import signing
from certificates.models import Certificate, CertificateStatus
from certificates.services import certificate_issue, certificate_reissue, certificate_revoke
from tests.certificates.helpers import add_participant, decide_end_of_term, make_kind

pytestmark = pytest.mark.django_db


def passed(xuhui, n: int = 1, result: str = "pass"):
    enrolments = [add_participant(xuhui) for _ in range(n)]
    for enrolment in enrolments:
        decide_end_of_term(xuhui, enrolment, result)
    return enrolments


def issue(xuhui, kind, enrolment, **kwargs):
    return certificate_issue(
        actor=xuhui.staff,
        kind=kind,
        teacher=enrolment.teacher,
        issued_on=dt.date(2026, 7, 20),
        **kwargs,
    )


def test_numbers_are_gapless_in_issue_order(xuhui):
    kind = make_kind(xuhui)
    with bureau_scope(xuhui.bureau):
        enrolments = passed(xuhui, 3)
        issued = [issue(xuhui, kind, e) for e in enrolments]
    assert [c.seq for c in issued] == [1, 2, 3]
    assert [c.number for c in issued] == [
        "徐教发证〔2026〕第0001号",
        "徐教发证〔2026〕第0002号",
        "徐教发证〔2026〕第0003号",
    ]


def test_a_failed_transaction_takes_no_number(xuhui):
    kind = make_kind(xuhui)
    with bureau_scope(xuhui.bureau):
        first, second, third = passed(xuhui, 3)
        issue(xuhui, kind, first)
        with pytest.raises(RuntimeError), transaction.atomic():
            issue(xuhui, kind, second)
            raise RuntimeError("the batch stopped")
        assert not Certificate.objects.filter(teacher=second.teacher).exists()
        later = issue(xuhui, kind, third)
    assert later.seq == 2


def test_series_and_years_number_apart(xuhui):
    kind = make_kind(xuhui)
    other = make_kind(xuhui, title="结业证书（另册）", number_series="B", number_format="B{seq}")
    with bureau_scope(xuhui.bureau):
        a, b, c = passed(xuhui, 3)
        assert issue(xuhui, kind, a).seq == 1
        assert issue(xuhui, other, b).number == "B1"
        late = certificate_issue(
            actor=xuhui.staff, kind=kind, teacher=c.teacher, issued_on=dt.date(2027, 1, 5)
        )
    assert (late.year, late.seq) == (2027, 1)


def test_xh_fail_end_a_failed_teacher_is_refused_with_the_reason(xuhui):
    kind = make_kind(xuhui)
    with bureau_scope(xuhui.bureau):
        (enrolment,) = passed(xuhui, 1, result="fail")
        with pytest.raises(ValidationError) as refused:
            issue(xuhui, kind, enrolment)
        assert not Certificate.objects.exists()
    assert "届满考核不合格" in " ".join(refused.value.messages)


def test_xh_fail_end_a_corrected_fail_counts_as_corrected(xuhui):
    kind = make_kind(xuhui)
    with bureau_scope(xuhui.bureau):
        (enrolment,) = passed(xuhui, 1, result="fail")
        failed = enrolment.assessments.get().decisions.get()
        corrected = decide_end_of_term(xuhui, enrolment, "pass")
        corrected.corrects = failed
        corrected.reason = "复核"
        corrected.save()
        assert issue(xuhui, kind, enrolment).fields["result"] == "合格"


def test_xh_fail_end_a_draft_decision_is_not_enough(xuhui):
    kind = make_kind(xuhui)
    with bureau_scope(xuhui.bureau):
        enrolment = add_participant(xuhui)
        decide_end_of_term(xuhui, enrolment, "pass", final=False)
        with pytest.raises(ValidationError):
            issue(xuhui, kind, enrolment)


def test_xh_terminate_a_terminated_enrolment_is_refused(xuhui):
    kind = make_kind(xuhui)
    with bureau_scope(xuhui.bureau):
        (enrolment,) = passed(xuhui, 1)
        enrolment.status = "terminated"
        enrolment.save()
        with pytest.raises(ValidationError) as refused:
            issue(xuhui, kind, enrolment)
    assert "终止" in " ".join(refused.value.messages)


def test_sj_honour_refuses_too_few_years_and_fills_the_years(xuhui):
    kind = make_kind(xuhui, "honour")
    with bureau_scope(xuhui.bureau):
        young = add_participant(xuhui, years_class_teacher=19)
        old = add_participant(xuhui, years_class_teacher=24)
        with pytest.raises(ValidationError):
            issue(xuhui, kind, young)
        certificate = issue(xuhui, kind, old)
    assert certificate.fields["years"] == "24"
    assert certificate.enrolment_id == old.pk


def test_the_fields_are_filled_as_certificates_due_prints_them(xuhui):
    kind = make_kind(xuhui)
    with bureau_scope(xuhui.bureau):
        (enrolment,) = passed(xuhui, 1, result="excellent")
        certificate = issue(xuhui, kind, enrolment)
    assert certificate.fields == {
        "start": "2023年9月",
        "end": "2026年6月",
        "bureau_name": xuhui.bureau.name,
        "school": xuhui.school.name,
        "result": "优秀",
    }
    assert certificate.holder_name == enrolment.teacher.user.full_name
    assert certificate.school_id == xuhui.school.pk


def test_a_second_valid_certificate_of_a_kind_is_refused(xuhui):
    kind = make_kind(xuhui)
    with bureau_scope(xuhui.bureau):
        (enrolment,) = passed(xuhui, 1)
        issue(xuhui, kind, enrolment)
        with pytest.raises(ValidationError):
            issue(xuhui, kind, enrolment)


def test_issue_is_audited_and_its_pdf_job_is_in_the_outbox(
    xuhui, django_capture_on_commit_callbacks
):
    kind = make_kind(xuhui)
    with bureau_scope(xuhui.bureau):
        (enrolment,) = passed(xuhui, 1)
        with django_capture_on_commit_callbacks(execute=False):
            certificate = issue(xuhui, kind, enrolment)
        entry = AuditEntry.objects.get(action="certificate.issue")
        job = OutboxJob.objects.get(task="certificates.tasks.render_certificate")
    assert entry.target_id == str(certificate.pk)
    assert entry.data["number"] == certificate.number
    assert job.args == [certificate.pk, xuhui.bureau.pk]


def test_the_signature_holds_for_the_qr_text(xuhui):
    kind = make_kind(xuhui)
    with bureau_scope(xuhui.bureau):
        (enrolment,) = passed(xuhui, 1)
        certificate = issue(xuhui, kind, enrolment)
        text = signing.qr_text(certificate)
        public = bytes(certificate.signing_key.public_key)
    payload = signing.verify_qr_text(text, public)
    assert payload is not None and payload.holder_name == certificate.holder_name


def test_revoke_needs_a_reason_and_is_audited(xuhui):
    kind = make_kind(xuhui)
    with bureau_scope(xuhui.bureau):
        (enrolment,) = passed(xuhui, 1)
        certificate = issue(xuhui, kind, enrolment)
        with pytest.raises(ValidationError):
            certificate_revoke(actor=xuhui.staff, certificate=certificate, reason="  ")
        certificate_revoke(actor=xuhui.staff, certificate=certificate, reason="信息有误")
        certificate.refresh_from_db()
        entry = AuditEntry.objects.get(action="certificate.revoke")
        with pytest.raises(ValidationError):
            certificate_revoke(actor=xuhui.staff, certificate=certificate, reason="again")
    assert certificate.status == CertificateStatus.REVOKED
    assert certificate.revoked_by == xuhui.staff and certificate.revoked_at is not None
    assert certificate.revoked_reason == "信息有误"
    assert entry.data["reason"] == "信息有误"


def test_a_revoked_certificate_lets_a_new_one_be_issued(xuhui):
    kind = make_kind(xuhui)
    with bureau_scope(xuhui.bureau):
        (enrolment,) = passed(xuhui, 1)
        certificate = issue(xuhui, kind, enrolment)
        certificate_revoke(actor=xuhui.staff, certificate=certificate, reason="重发")
        assert issue(xuhui, kind, enrolment).seq == 2


def test_reissue_revokes_the_old_links_the_new_and_keeps_history(xuhui):
    kind = make_kind(xuhui)
    with bureau_scope(xuhui.bureau):
        (enrolment,) = passed(xuhui, 1)
        old = issue(xuhui, kind, enrolment)
        new = certificate_reissue(
            actor=xuhui.staff, certificate=old, reason="姓名更正", holder_name="王喆"
        )
        old.refresh_from_db()
        actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
        jobs = OutboxJob.objects.filter(task="certificates.tasks.render_certificate").count()
    assert old.status == CertificateStatus.REVOKED and old.replaced_by == new
    assert old.holder_name != "王喆" and old.number.endswith("0001号")
    assert new.holder_name == "王喆" and new.valid
    assert new.number.endswith("0002号") and new.code != old.code
    assert new.fields == old.fields
    assert actions[-3:] == ["certificate.revoke", "certificate.issue", "certificate.reissue"]
    assert jobs == 2


def test_reissue_takes_the_profiles_name_by_default(xuhui):
    kind = make_kind(xuhui)
    with bureau_scope(xuhui.bureau):
        (enrolment,) = passed(xuhui, 1)
        old = issue(xuhui, kind, enrolment)
        user = enrolment.teacher.user
        user.full_name = "李璟"
        user.save()
        new = certificate_reissue(actor=xuhui.staff, certificate=old, reason="改名")
    assert new.holder_name == "李璟"


def test_a_failed_reissue_leaves_the_old_one_valid(xuhui, monkeypatch):
    kind = make_kind(xuhui)
    with bureau_scope(xuhui.bureau):
        (enrolment,) = passed(xuhui, 1)
        old = issue(xuhui, kind, enrolment)
        import certificates.services as services

        def broken(**kwargs):
            raise RuntimeError("no key")

        monkeypatch.setattr(services, "certificate_issue", broken)
        with pytest.raises(RuntimeError):
            certificate_reissue(actor=xuhui.staff, certificate=old, reason="姓名更正")
        old.refresh_from_db()
        assert old.valid
        assert not AuditEntry.objects.filter(action="certificate.revoke").exists()
