"""XH-FAIL-1: the written rectification plan a teacher owes after a first failed annual
assessment — handed in on the teacher's page with text and files, returned with a comment and
handed in again, accepted by staff, reminded by the daily scan once per reminder."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Notification
from assessments.models import PlanStatus, RectificationPlan
from bureaus.models import AuditEntry
from bureaus.tenancy import bureau_scope
from tests.assessments.test_consequences import decide
from tests.uploads.samples import MINIMAL_PDF
from workshops.services import reminders_scan


def owed_plan(cast) -> RectificationPlan:
    decide(cast, "2023", "fail")
    with bureau_scope(cast.bureau):
        return RectificationPlan.objects.get(enrolment=cast.extras["enrolment_backbone"])


def test_XH_FAIL_1_the_teacher_sees_what_is_owed_and_hands_in_text_and_a_file(xuhui):
    plan = owed_plan(xuhui)
    client = xuhui.client("teacher")
    home = client.get("/").content.decode()
    assert "待提交的整改方案" in home
    page = client.get("/assessments/plans/").content.decode()
    assert plan.due_on.strftime("%Y-%m-%d") in page and "待提交" in page
    assert "XH-FAIL" not in page
    response = client.post(
        f"/assessments/plans/{plan.pk}/",
        {
            "text": "一、查找原因；二、改进措施",
            "files": SimpleUploadedFile("整改.pdf", MINIMAL_PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    with bureau_scope(xuhui.bureau):
        plan.refresh_from_db()
        stored = plan.files.get()
    assert plan.status == PlanStatus.SUBMITTED and plan.text.startswith("一、")
    download = client.get(f"/assessments/plans/{plan.pk}/files/{stored.pk}/")
    assert download.status_code == 200
    # Another teacher of the bureau cannot read it.
    assert xuhui.client("mentor").get(f"/assessments/plans/{plan.pk}/").status_code == 404


def test_XH_FAIL_1_staff_return_with_a_comment_and_accept_the_plan_handed_in_again(xuhui):
    plan = owed_plan(xuhui)
    teacher, staff = xuhui.client("teacher"), xuhui.client("staff")
    teacher.post(f"/assessments/plans/{plan.pk}/", {"text": "初稿"})
    listing = staff.get("/assessments/plans/review/?status=submitted").content.decode()
    assert xuhui.teacher.full_name in listing
    # Returning needs the comment.
    response = staff.post(f"/assessments/plans/{plan.pk}/review/", {"decision": "return"})
    assert response.status_code == 200 and "退回原因" in response.content.decode()
    staff.post(
        f"/assessments/plans/{plan.pk}/review/", {"decision": "return", "comment": "措施不具体"}
    )
    with bureau_scope(xuhui.bureau):
        plan.refresh_from_db()
        assert plan.status == PlanStatus.RETURNED
        assert Notification.objects.filter(
            recipient=xuhui.teacher, body__contains="措施不具体"
        ).exists()
    page = teacher.get(f"/assessments/plans/{plan.pk}/").content.decode()
    assert "措施不具体" in page and "重新提交整改方案" in page
    teacher.post(f"/assessments/plans/{plan.pk}/", {"text": "修改稿"})
    staff.post(f"/assessments/plans/{plan.pk}/review/", {"decision": "accept"})
    with bureau_scope(xuhui.bureau):
        plan.refresh_from_db()
        actions = list(
            AuditEntry.objects.filter(action__startswith="rectification.")
            .order_by("id")
            .values_list("action", flat=True)
        )
    assert plan.status == PlanStatus.ACCEPTED and plan.text == "修改稿"
    assert actions == [
        "rectification.submit",
        "rectification.returned",
        "rectification.submit",
        "rectification.accepted",
    ]
    # The teacher may not review.
    assert teacher.post(f"/assessments/plans/{plan.pk}/review/", {}).status_code in (302, 403)


def test_XH_FAIL_1_the_reminder_scan_reminds_of_an_owed_plan_once(xuhui):
    plan = owed_plan(xuhui)
    week_before = plan.due_on - dt.timedelta(days=7)
    reminders_scan(today=week_before)
    reminders_scan(today=week_before)
    reminders_scan(today=plan.due_on + dt.timedelta(days=1))
    with bureau_scope(xuhui.bureau):
        notes = list(
            Notification.objects.filter(
                recipient=xuhui.teacher, key__startswith=f"rectification-plan:{plan.pk}:"
            ).values_list("subject", flat=True)
        )
    assert sum("提醒" in s for s in notes) == 1
    assert sum("已逾期" in s for s in notes) == 1


def test_XH_FAIL_1_a_plan_handed_in_is_not_reminded(xuhui):
    plan = owed_plan(xuhui)
    xuhui.client("teacher").post(f"/assessments/plans/{plan.pk}/", {"text": "方案"})
    reminders_scan(today=plan.due_on - dt.timedelta(days=7))
    with bureau_scope(xuhui.bureau):
        assert not Notification.objects.filter(
            recipient=xuhui.teacher, subject__contains="提醒：您的整改方案"
        ).exists()
