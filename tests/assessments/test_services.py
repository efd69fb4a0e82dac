"""Filing and deciding assessments (XH-ASSESS, XH-WS-LEAD): each write is audited in its
transaction, a finalised decision is locked, a correction is a new decision that keeps the
history, another bureau's actor is refused, and the teacher is told the final result once."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Notification
from assessments import services
from assessments.models import AssessmentDecision, ComponentAssessment, ComponentFile
from bureaus.models import AuditEntry
from bureaus.tenancy import bureau_scope
from tests.assessments.helpers import component, make_scheme
from tests.uploads.samples import MINIMAL_PDF
from workshops.models import Membership


@pytest.fixture
def scheme(xuhui):
    return make_scheme(xuhui)


@pytest.fixture
def assessment(xuhui, scheme):
    with bureau_scope(xuhui.bureau):
        return services.assessment_get_or_open(
            enrolment=xuhui.extras["enrolment_backbone"], scheme=scheme, year_key="2023"
        )


def file_required(cast, scheme, assessment) -> None:
    """The teacher's self-assessment, the school's view and the district's project assessment."""
    with bureau_scope(cast.bureau):
        services.component_file(
            actor=cast.teacher,
            assessment=assessment,
            component=component(scheme, "self"),
            text="本学年完成公开课一节",
        )
        services.component_file(
            actor=cast.school_admin,
            assessment=assessment,
            component=component(scheme, "school"),
            result="pass",
        )
        services.component_file(
            actor=cast.staff,
            assessment=assessment,
            component=component(scheme, "district"),
            result="pass",
        )


def audit(cast, action: str) -> list[AuditEntry]:
    with bureau_scope(cast.bureau):
        return list(AuditEntry.objects.filter(action=action))


def test_XH_ASSESS_the_teacher_files_a_self_assessment_with_a_file_audited(
    xuhui, scheme, assessment
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("自评.pdf", MINIMAL_PDF, content_type="application/pdf")
    with bureau_scope(xuhui.bureau):
        filing = services.component_file(
            actor=xuhui.teacher,
            assessment=assessment,
            component=component(scheme, "self"),
            text="  本学年自评  ",
            files=[upload],
        )
        assert (filing.level, filing.text, filing.filed_by) == ("self", "本学年自评", xuhui.teacher)
        assert ComponentFile.objects.get(filing=filing).original_name == "自评.pdf"
    [entry] = audit(xuhui, "assessment.component_file")
    assert entry.actor == xuhui.teacher and entry.data["component"] == "个人自评"
    assert entry.data["files"] == 1


def test_each_level_is_filed_by_its_own_people_only(xuhui, scheme, assessment):
    with bureau_scope(xuhui.bureau):
        # Another teacher (the mentor) may not write the teacher's self-assessment.
        with pytest.raises(PermissionDenied):
            services.component_file(
                actor=xuhui.mentor,
                assessment=assessment,
                component=component(scheme, "self"),
                text="x",
            )
        # The teacher may not file the school's or the district's part.
        for level in ("school", "district"):
            with pytest.raises(PermissionDenied):
                services.component_file(
                    actor=xuhui.teacher,
                    assessment=assessment,
                    component=component(scheme, level),
                    result="excellent",
                )
        # XH-WS-LEAD: the lead assesses members of their own group only.
        lead_part = component(scheme, "team_lead")
        Membership.objects.filter(pk=xuhui.extras["membership"].pk).delete()
        with pytest.raises(PermissionDenied):
            services.component_file(
                actor=xuhui.lead, assessment=assessment, component=lead_part, result="pass"
            )
        Membership.objects.create(
            bureau=xuhui.bureau, team=xuhui.extras["team"], teacher=xuhui.teacher.teacher_profile
        )
        services.component_file(
            actor=xuhui.lead, assessment=assessment, component=lead_part, result="pass"
        )
        # A result off the scheme's scale is refused with the scale named.
        with pytest.raises(ValidationError, match="优秀、合格、不合格"):
            services.component_file(
                actor=xuhui.staff,
                assessment=assessment,
                component=component(scheme, "district"),
                result="basic_pass",
            )
        assert ComponentAssessment.objects.filter(assessment=assessment).count() == 1


def test_another_bureaus_staff_may_neither_file_nor_decide(xuhui, putuo, scheme, assessment):
    with bureau_scope(xuhui.bureau):
        with pytest.raises(PermissionDenied):
            services.component_file(
                actor=putuo.staff,
                assessment=assessment,
                component=component(scheme, "district"),
                result="fail",
            )
        with pytest.raises(PermissionDenied):
            services.decision_make(actor=putuo.staff, assessment=assessment, result="fail")
        draft = services.decision_make(actor=xuhui.staff, assessment=assessment, result="pass")
        with pytest.raises(PermissionDenied):
            services.decision_finalise(actor=putuo.staff, decision=draft)
        # Leadership reads; it does not decide.
        with pytest.raises(PermissionDenied):
            services.decision_make(actor=xuhui.leader, assessment=assessment, result="fail")
    assert [e.actor for e in audit(xuhui, "assessment.decide")] == [xuhui.staff]


def test_finalising_needs_every_required_component_and_then_locks(xuhui, scheme, assessment):
    with bureau_scope(xuhui.bureau):
        draft = services.decision_make(actor=xuhui.staff, assessment=assessment, result="pass")
        with pytest.raises(ValidationError, match="还差：个人自评（个人自评）、学校考核（学校）"):
            services.decision_finalise(actor=xuhui.staff, decision=draft)
    file_required(xuhui, scheme, assessment)
    with bureau_scope(xuhui.bureau):
        # A draft is revised in place until it is finalised (the group lead's part is optional).
        revised = services.decision_make(
            actor=xuhui.staff, assessment=assessment, result="excellent", comment="成果突出"
        )
        assert revised.pk == draft.pk
        final = services.decision_finalise(actor=xuhui.staff, decision=revised)
        assert final.is_final and final.finalised_by == xuhui.staff
        with pytest.raises(ValidationError, match="已确认"):
            services.decision_finalise(actor=xuhui.staff, decision=final)
        with pytest.raises(ValidationError, match="只能通过新的更正结果修改"):
            services.decision_make(actor=xuhui.staff, assessment=assessment, result="fail")
        with pytest.raises(ValidationError, match="只能通过新的更正结果修改"):
            services.component_file(
                actor=xuhui.teacher,
                assessment=assessment,
                component=component(scheme, "self"),
                text="改写自评",
            )
        final.refresh_from_db()
        assert (final.result, final.comment) == ("excellent", "成果突出")
    [entry] = audit(xuhui, "assessment.finalise")
    assert entry.data["result"] == "excellent" and entry.actor == xuhui.staff


def test_a_correction_is_a_new_decision_with_its_reason_and_the_old_one_stays(
    xuhui, scheme, assessment
):
    file_required(xuhui, scheme, assessment)
    with bureau_scope(xuhui.bureau):
        draft = services.decision_make(actor=xuhui.staff, assessment=assessment, result="fail")
        with pytest.raises(ValidationError, match="请先确认"):
            services.decision_correct(
                actor=xuhui.staff, decision=draft, result="pass", reason="复核"
            )
        first = services.decision_finalise(actor=xuhui.staff, decision=draft)
        with pytest.raises(ValidationError, match="更正理由"):
            services.decision_correct(actor=xuhui.staff, decision=first, result="pass", reason=" ")
        correction = services.decision_correct(
            actor=xuhui.staff, decision=first, result="pass", reason="复核发现漏计任务二成果"
        )
        assert correction.corrects == first and correction.is_final
        assert services.current_decision(assessment) == correction
        first.refresh_from_db()
        assert (first.result, first.is_final) == ("fail", True)
        assert AssessmentDecision.objects.filter(assessment=assessment).count() == 2
        # Only the decision in force is corrected.
        with pytest.raises(ValidationError, match="已被更正过"):
            services.decision_correct(
                actor=xuhui.staff, decision=first, result="excellent", reason="再次复核"
            )
    [entry] = audit(xuhui, "assessment.correct")
    assert (entry.data["before"], entry.data["result"]) == ("fail", "pass")
    assert entry.data["reason"] == "复核发现漏计任务二成果"


def test_the_teacher_is_told_the_final_result_once(xuhui, scheme, assessment):
    file_required(xuhui, scheme, assessment)
    with bureau_scope(xuhui.bureau):
        draft = services.decision_make(actor=xuhui.staff, assessment=assessment, result="pass")
        told = Notification.objects.filter(
            recipient=xuhui.teacher, key__startswith="assessment-decision:"
        )
        assert not told.exists()
        services.decision_finalise(actor=xuhui.staff, decision=draft)
        with pytest.raises(ValidationError):
            services.decision_finalise(actor=xuhui.staff, decision=draft)
        [notice] = told.all()
    assert notice.subject == "您的2023学年XHCANARY学年考核结果"
    assert "合格" in notice.body and "pass" not in notice.body


def test_an_assessment_is_for_a_year_of_its_programme(xuhui, scheme):
    with bureau_scope(xuhui.bureau):
        with pytest.raises(ValidationError, match="2030 不是本培养方案的学年"):
            services.assessment_get_or_open(
                enrolment=xuhui.extras["enrolment_backbone"], scheme=scheme, year_key="2030"
            )
        end = make_scheme(xuhui, kind="end_of_term")
        with pytest.raises(ValidationError, match="只有学年考核按学年填写"):
            services.assessment_get_or_open(
                enrolment=xuhui.extras["enrolment_backbone"], scheme=end, year_key="2023"
            )
        assert (
            services.assessment_get_or_open(
                enrolment=xuhui.extras["enrolment_backbone"], scheme=end, year_key=""
            ).year_key
            == ""
        )


def test_HA_ASSESS_a_unit_gets_one_result_a_year_audited(xuhui, putuo):
    with bureau_scope(xuhui.bureau):
        first = services.unit_assessment_decide(
            actor=xuhui.staff,
            programme=xuhui.programme,
            year_key="2023",
            result="pass",
            school=xuhui.other_school,
        )
        again = services.unit_assessment_decide(
            actor=xuhui.staff,
            programme=xuhui.programme,
            year_key="2023",
            result="excellent",
            school=xuhui.other_school,
        )
        assert again.pk == first.pk and again.result == "excellent"
        services.unit_assessment_decide(
            actor=xuhui.staff,
            programme=xuhui.programme,
            year_key="2023",
            result="pass",
            district=xuhui.district,
        )
        with pytest.raises(ValidationError, match="二选一"):
            services.unit_assessment_decide(
                actor=xuhui.staff, programme=xuhui.programme, year_key="2023", result="pass"
            )
        with pytest.raises(ValidationError, match="按学区考核"):
            services.unit_assessment_decide(
                actor=xuhui.staff,
                programme=xuhui.programme,
                year_key="2023",
                result="pass",
                school=xuhui.school,
            )
        with pytest.raises(PermissionDenied):
            services.unit_assessment_decide(
                actor=putuo.staff,
                programme=xuhui.programme,
                year_key="2023",
                result="fail",
                school=xuhui.school,
            )
    entries = audit(xuhui, "assessment.unit_decide")
    assert [e.data["before"] for e in entries] == [None, "pass", None]
