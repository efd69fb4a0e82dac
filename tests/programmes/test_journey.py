"""The whole journey through the admin and the site: a new programme with two tiers and three
requirements, a teacher enrolled, evidence uploaded and verified, progress changing."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from bureaus.tenancy import bureau_scope
from cohorts.models import Enrolment, Evidence
from cohorts.selectors import progress_for_enrolment
from programmes.models import EvidenceKind, Programme, Tier
from programmes.rules import Status
from tests.uploads.samples import MINIMAL_PDF

from .test_admin import add_requirement, inline_management


def test_a_programme_made_in_the_admin_tracks_a_teachers_progress(putuo):
    staff = putuo.client("staff")
    page = staff.get("/admin/programmes/programme/add/")
    data = inline_management(page, {"tiers": 2})
    data.update(
        {
            "code": "young-2024",
            "name": "青年班主任成长计划",
            "status": "active",
            "start_month": "2024-09-01",
            "end_month": "2026-06-01",
            "year_basis": "school_year",
            "tiers-0-order": "1",
            "tiers-0-code": "starter",
            "tiers-0-name": "新手",
            "tiers-1-order": "2",
            "tiers-1-code": "mature",
            "tiers-1-name": "成熟",
        }
    )
    assert staff.post("/admin/programmes/programme/add/", data).status_code == 302
    page = staff.get("/admin/programmes/evidencekind/add/")
    assert (
        staff.post(
            "/admin/programmes/evidencekind/add/",
            {
                "code": "class_meeting",
                "name": "主题班会",
                "order": "1",
            },
        ).status_code
        == 302
    )
    with bureau_scope(putuo.bureau):
        programme = Programme.objects.get(code="young-2024")
        starter, mature = Tier.objects.filter(programme=programme).order_by("order")
        lesson = EvidenceKind.objects.get(code="public_lesson")
        meeting = EvidenceKind.objects.get(code="class_meeting")
    yearly_meeting = {
        "clause": "1",
        "period": "year",
        "kinds": [meeting.pk],
        "min_level": "1",
        "min_count": "1",
    }
    for code, tiers, criteria in (
        ("任务一", [starter, mature], [yearly_meeting]),
        (
            "任务二",
            [starter, mature],
            [{**yearly_meeting, "kinds": [lesson.pk], "period": "cycle", "min_level": "3"}],
        ),
        ("任务三", [mature], [{**yearly_meeting, "period": "semester", "min_count": "2"}]),
    ):
        assert add_requirement(staff, programme, code, tiers, criteria).status_code == 302

    page = staff.get("/admin/cohorts/enrolment/add/")
    data = inline_management(page, {})
    data.update(
        {
            "programme": programme.pk,
            "teacher": putuo.teacher.teacher_profile.pk,
            "tier": starter.pk,
            "school": putuo.school.pk,
            "enrolled_on": "2024-09-01",
            "plan_due": "2024-11-30",
        }
    )
    response = staff.post("/admin/cohorts/enrolment/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    with bureau_scope(putuo.bureau):
        enrolment = Enrolment.objects.get(programme=programme)
        before = progress_for_enrolment(enrolment, today=dt.date(2025, 3, 1))
    assert [row.requirement.code for row in before] == ["任务一", "任务二"]  # not 任务三
    assert before[0].result.period("2024")[0].status == Status.IN_PROGRESS

    teacher = putuo.client("teacher")
    with bureau_scope(putuo.bureau):
        requirement = programme.requirements.get(code="任务一")
    response = teacher.post(
        "/evidence/new/",
        {
            "kind": meeting.pk,
            "title": "主题班会《诚信》",
            "level": "1",
            "date": "2024-12-10",
            "requirements": [requirement.pk],
            "submit": "1",
            "files": [SimpleUploadedFile("班会.pdf", MINIMAL_PDF)],
        },
    )
    assert response.status_code == 302
    with bureau_scope(putuo.bureau):
        evidence = Evidence.objects.get(title="主题班会《诚信》")
    assert (
        staff.post(f"/evidence/{evidence.pk}/review/", {"decision": "approve"}).status_code == 302
    )
    with bureau_scope(putuo.bureau):
        after = progress_for_enrolment(enrolment, today=dt.date(2025, 3, 1))
    assert after[0].result.period("2024")[0].status == Status.MET
    matrix = staff.get(f"/programmes/{programme.pk}/progress/").content.decode()
    assert putuo.teacher.full_name in matrix and "任务一" in matrix and "任务三" in matrix
