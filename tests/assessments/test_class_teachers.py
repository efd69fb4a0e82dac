"""Songjiang class teachers: the reserve pool reads the trainee class teacher's assessment from
the assessments app (SJ-INIT), and a class teacher's pages show whether the no-paper senior
title route applies, condition by condition (SJ-TITLE)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.models import TeacherProfile
from assessments import services
from assessments.models import InitAssessment
from bureaus.tenancy import bureau_scope
from cohorts.models import ReservePoolEntry
from cohorts.selectors import pool_entry_shortfalls
from tests.assessments.test_consequences import decide


def test_SJ_INIT_the_pool_reads_the_recorded_assessment_not_its_own_flag(xuhui):
    entry = xuhui.extras["pool_entry"]
    with bureau_scope(xuhui.bureau):
        InitAssessment.objects.all().delete()
        # The old flag says passed; nothing reads it any more.
        ReservePoolEntry.objects.filter(pk=entry.pk).update(assessment_passed=True)
        entry.refresh_from_db()
        assert pool_entry_shortfalls(entry) == ["尚未考核"]
        services.init_assessment_record(
            actor=xuhui.staff,
            programme=xuhui.programme,
            teacher=entry.teacher,
            result="fail",
            assessed_on=dt.date(2024, 6, 1),
        )
        assert pool_entry_shortfalls(entry) == ["考核未通过"]
        services.init_assessment_record(
            actor=xuhui.staff,
            programme=xuhui.programme,
            teacher=entry.teacher,
            result="pass",
            assessed_on=dt.date(2024, 12, 1),
        )
        assert pool_entry_shortfalls(entry) == []


def test_SJ_INIT_staff_record_the_assessment_in_the_admin_and_then_appoint(xuhui):
    entry = xuhui.extras["pool_entry"]
    client = xuhui.client("staff")
    with bureau_scope(xuhui.bureau):
        InitAssessment.objects.all().delete()
    response = client.post(
        "/admin/assessments/initassessment/add/",
        {
            "programme": xuhui.programme.pk,
            "teacher": entry.teacher_id,
            "result": "pass",
            "assessed_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    with bureau_scope(xuhui.bureau):
        assert InitAssessment.objects.get().decided_by == xuhui.staff
        assert pool_entry_shortfalls(entry) == []


def make_class_teacher(cast, *, years: int, class_years: int, stage: str = "mature"):
    with bureau_scope(cast.bureau):
        TeacherProfile.objects.filter(user=cast.teacher).update(
            years_teaching=years, years_class_teacher=class_years, class_teacher_stage=stage
        )
        return TeacherProfile.objects.get(user=cast.teacher)


def test_SJ_TITLE_a_class_teacher_sees_each_condition_on_their_profile(xuhui):
    make_class_teacher(xuhui, years=31, class_years=21)
    page = xuhui.client("teacher").get("/me/").content.decode()
    assert "申报高级职称免论文要求" in page
    assert "暂不符合" in page  # no excellent result yet
    for text in ("从教满30年", "班主任", "优秀"):
        assert text in page
    assert "SJ-TITLE" not in page
    decide(xuhui, "2023", "excellent")
    page = xuhui.client("teacher").get("/me/").content.decode()
    assert "您申报高级职称时可不作论文要求" in page


def test_SJ_TITLE_staff_see_the_panel_on_the_teachers_page(xuhui, putuo):
    profile = make_class_teacher(xuhui, years=25, class_years=10)
    page = xuhui.client("staff").get(f"/schools/teachers/{profile.pk}/").content.decode()
    assert "申报高级职称免论文要求" in page and "未满足" in page
    school_page = xuhui.client("staff").get(f"/schools/{xuhui.school.pk}/").content.decode()
    assert f"/schools/teachers/{profile.pk}/" in school_page
    # The school administrator of the teacher's school sees it; Putuo's staff do not.
    assert xuhui.client("school_admin").get(f"/schools/teachers/{profile.pk}/").status_code == 200
    assert putuo.client("staff").get(f"/schools/teachers/{profile.pk}/").status_code == 404


def test_SJ_TITLE_no_panel_for_a_teacher_who_is_not_a_class_teacher(xuhui):
    make_class_teacher(xuhui, years=12, class_years=0, stage="")
    assert "申报高级职称免论文要求" not in xuhui.client("teacher").get("/me/").content.decode()
