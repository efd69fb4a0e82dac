"""Who is due a certificate (XH-FAIL-END, XH-TERMINATE, SJ-HONOUR, PT-FILE), why someone is not,
and a certificate by its code; a fixed number of queries whatever the number of teachers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bureaus.tenancy import bureau_scope, no_bureau
from certificates.models import RenderState
from certificates.selectors import (
    certificate_for_code,
    certificates_due,
    downloadable_by_holder,
    why_not,
)
from certificates.services import certificate_issue, certificate_revoke
from programmes.selectors import forget_specs
from tests.certificates.helpers import add_participant, decide_end_of_term, make_kind

pytestmark = pytest.mark.django_db


def test_xh_fail_end_due_are_the_passed_without_a_valid_certificate(xuhui):
    kind = make_kind(xuhui)
    with bureau_scope(xuhui.bureau):
        good, excellent, failed, undecided, ended = (add_participant(xuhui) for _ in range(5))
        decide_end_of_term(xuhui, good, "pass")
        decide_end_of_term(xuhui, excellent, "excellent")
        decide_end_of_term(xuhui, failed, "fail")
        decide_end_of_term(xuhui, ended, "pass")
        ended.status = "terminated"
        ended.save()
        due = certificates_due(kind=kind)
        assert {d.enrolment_id for d in due} == {good.pk, excellent.pk}
        results = {d.enrolment_id: d.fields["result"] for d in due}
        assert results == {good.pk: "合格", excellent.pk: "优秀"}
        certificate_issue(actor=xuhui.staff, kind=kind, teacher=good.teacher)
        assert [d.enrolment_id for d in certificates_due(kind=kind)] == [excellent.pk]
        assert "届满考核不合格" in why_not(kind=kind, teacher=failed.teacher)
        assert "尚未" in why_not(kind=kind, teacher=undecided.teacher)
        assert "终止" in why_not(kind=kind, teacher=ended.teacher)
        assert why_not(kind=kind, teacher=excellent.teacher) is None


def test_due_fields_are_what_the_certificate_prints(xuhui):
    kind = make_kind(xuhui)
    with bureau_scope(xuhui.bureau):
        enrolment = add_participant(xuhui, school=xuhui.other_school)
        decide_end_of_term(xuhui, enrolment, "pass")
        (due,) = certificates_due(kind=kind)
    assert due.teacher_id == enrolment.teacher_id
    assert due.school_id == xuhui.other_school.pk
    assert due.fields == {
        "start": "2023年9月",
        "end": "2026年6月",
        "bureau_name": xuhui.bureau.name,
        "school": xuhui.other_school.name,
        "result": "合格",
    }


def test_due_for_one_school(xuhui):
    kind = make_kind(xuhui)
    with bureau_scope(xuhui.bureau):
        here = add_participant(xuhui)
        there = add_participant(xuhui, school=xuhui.other_school)
        for enrolment in (here, there):
            decide_end_of_term(xuhui, enrolment, "pass")
        due = certificates_due(kind=kind, school=xuhui.other_school)
    assert [d.enrolment_id for d in due] == [there.pk]


def test_sj_honour_due_by_years_as_class_teacher(xuhui):
    kind = make_kind(xuhui, "honour")
    with bureau_scope(xuhui.bureau):
        veteran = add_participant(xuhui, years_class_teacher=20)
        young = add_participant(xuhui, years_class_teacher=3)
        due = certificates_due(kind=kind)
        assert veteran.pk in {d.enrolment_id for d in due}
        assert young.pk not in {d.enrolment_id for d in due}
        assert "20" in why_not(kind=kind, teacher=young.teacher)
    assert next(d for d in due if d.enrolment_id == veteran.pk).fields["years"] == "20"


def test_pt_file_training_due_when_the_part_is_complete(xuhui):
    kind = make_kind(xuhui, "training")
    with bureau_scope(xuhui.bureau):
        # The cast's teacher has one verified public lesson in 2023, not every year's.
        teacher = xuhui.teacher.teacher_profile
        assert certificates_due(kind=kind, today=dt.date(2026, 7, 1)) == []
        reason = why_not(kind=kind, teacher=teacher)
        assert kind.requirement.title in reason


def test_why_not_for_someone_outside_the_programme(xuhui):
    kind = make_kind(xuhui)
    with bureau_scope(xuhui.bureau):
        outsider = xuhui.mentor.teacher_profile
        assert why_not(kind=kind, teacher=outsider)


@pytest.mark.parametrize("type_", ["completion", "honour", "training"])
def test_due_reads_a_fixed_number_of_queries(xuhui, type_):
    kind = make_kind(xuhui, type_)
    counts = []
    with bureau_scope(xuhui.bureau):
        for size in (2, 12):
            for _ in range(size - (len(counts) and 2)):
                enrolment = add_participant(xuhui, years_class_teacher=22)
                decide_end_of_term(xuhui, enrolment, "pass")
            kind = type(kind).objects.get(pk=kind.pk)
            forget_specs()  # both counts with the programme's configuration read afresh
            with CaptureQueriesContext(connection) as queries:
                due = certificates_due(kind=kind)
            counts.append(len(queries))
            if type_ != "training":
                assert len(due) >= size
    assert counts[0] == counts[1], counts


def test_certificate_for_code_reads_every_bureau(xuhui):
    kind = make_kind(xuhui)
    with bureau_scope(xuhui.bureau):
        enrolment = add_participant(xuhui)
        decide_end_of_term(xuhui, enrolment, "pass")
        certificate = certificate_issue(actor=xuhui.staff, kind=kind, teacher=enrolment.teacher)
    with no_bureau():
        assert certificate_for_code(certificate.code) == certificate
        assert certificate_for_code(certificate.code.lower()) == certificate
        assert certificate_for_code("NOSUCHCODE") is None
        assert certificate_for_code("x" * 200) is None
        assert certificate_for_code("") is None


def test_downloadable_only_while_valid_and_made(xuhui):
    kind = make_kind(xuhui)
    with bureau_scope(xuhui.bureau):
        enrolment = add_participant(xuhui)
        decide_end_of_term(xuhui, enrolment, "pass")
        certificate = certificate_issue(actor=xuhui.staff, kind=kind, teacher=enrolment.teacher)
        assert not downloadable_by_holder(certificate)
        certificate.render_state = RenderState.DONE
        certificate.file.name = "certificates/x.pdf"
        assert downloadable_by_holder(certificate)
        certificate_revoke(actor=xuhui.staff, certificate=certificate, reason="错误")
        assert not downloadable_by_holder(certificate)


def test_pt_file_training_due_once_every_period_of_the_part_is_met(xuhui):
    from cohorts.models import Evidence

    kind = make_kind(xuhui, "training")
    with bureau_scope(xuhui.bureau):
        teacher = xuhui.teacher.teacher_profile
        first = Evidence.objects.get(teacher=teacher)
        for day in (dt.date(2024, 11, 5), dt.date(2025, 11, 5)):
            more = Evidence.objects.create(
                bureau=xuhui.bureau,
                teacher=teacher,
                kind=first.kind,
                title="公开课",
                level=1,
                date=day,
                state="verified",
                hours=4,
            )
            more.requirements.set(first.requirements.all())
        due = certificates_due(kind=kind, today=dt.date(2026, 7, 1))
        assert [d.teacher_id for d in due] == [teacher.pk]
        assert due[0].fields["part"] == kind.requirement.title
        assert why_not(kind=kind, teacher=teacher) is None
