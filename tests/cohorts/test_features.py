"""Coverage (HA-COVER), the reserve pool (SJ-POOL, SJ-INIT), calls for outputs (HA-OUTPUT) and
the personal development plan (XH-CYCLE, HA-PLAN)."""

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from bureaus.tenancy import bureau_scope
from cohorts.models import Enrolment, Evidence
from cohorts.rules import PlanStatus, coverage, plan_status, pool_shortfalls
from tests.uploads.samples import MINIMAL_PDF

PDF = MINIMAL_PDF


def test_HA_COVER_schools_by_main_subject_with_gaps():
    schools = [
        (1, "海安市实验小学", "primary"),
        (2, "海安高级中学", "senior"),
        (3, "海安市幼儿园", "kindergarten"),
    ]
    counts = {(1, "chinese"): 2, (1, "maths"): 1, (2, "physics"): 1}
    columns, rows = coverage(schools, counts)
    assert "chinese" in columns and "physics" in columns
    by_name = {r.school_name: r for r in rows}
    assert "海安市幼儿园" not in by_name  # not a compulsory school or general high school
    primary = by_name["海安市实验小学"]
    assert primary.counts[columns.index("chinese")] == 2
    assert primary.counts[columns.index("physics")] is None  # not a primary main subject
    assert primary.counts[columns.index("english")] == 0  # a gap
    assert rows[0].gaps >= rows[-1].gaps  # schools with most gaps first


def test_HA_COVER_page_shows_gaps(xuhui):
    body = xuhui.client("staff").get(f"/programmes/{xuhui.programme.pk}/coverage/")
    text = body.content.decode()
    assert body.status_code == 200
    assert xuhui.school.name in text and 'class="cell gap"' in text
    assert (
        xuhui.client("teacher").get(f"/programmes/{xuhui.programme.pk}/coverage/").status_code
        == 403
    )


def test_SJ_INIT_and_SJ_POOL_who_can_be_appointed():
    ready = {
        "willing": True,
        "pre_service_hours": Decimal("32"),
        "trainee_year_done": True,
        "assessment_passed": True,
    }
    assert pool_shortfalls(**ready) == []
    assert pool_shortfalls(**{**ready, "pre_service_hours": Decimal("31.5")}) == [
        "岗前培训不足 32 学时"
    ]
    assert pool_shortfalls(**{**ready, "willing": False}) == ["本人不愿担任"]
    assert pool_shortfalls(**{**ready, "trainee_year_done": False}) == ["见习期未满一年"]
    assert pool_shortfalls(**{**ready, "assessment_passed": None}) == ["尚未考核"]
    assert pool_shortfalls(**{**ready, "assessment_passed": False}) == ["考核未通过"]


def test_SJ_POOL_staff_appoint_from_the_pool_in_the_admin(xuhui):
    entry = xuhui.extras["pool_entry"]
    with bureau_scope(xuhui.bureau):
        tier = xuhui.programme.tiers.get(code="backbone")
    client = xuhui.client("staff")
    url = "/admin/cohorts/reservepoolentry/"
    form = client.post(url, {"action": "appoint", "_selected_action": [entry.pk]})
    assert form.status_code == 200 and "tier" in form.content.decode()
    client.post(
        url,
        {
            "action": "appoint",
            "_selected_action": [entry.pk],
            "apply": "1",
            "tier": tier.pk,
            "on": "2024-09-01",
        },
    )
    with bureau_scope(xuhui.bureau):
        entry.refresh_from_db()
        enrolment = Enrolment.objects.get(pk=entry.enrolment_id)
        assert enrolment.teacher_id == entry.teacher_id and enrolment.tier == tier
        assert enrolment.status_changes.get().reason == "从储备池聘任"
    again = client.post(
        url,
        {
            "action": "appoint",
            "_selected_action": [entry.pk],
            "apply": "1",
            "tier": tier.pk,
            "on": "2024-09-01",
        },
        follow=True,
    )
    assert "已经聘任" in again.content.decode()


def test_HA_OUTPUT_teachers_submit_to_an_open_call_and_staff_select(xuhui):
    call = xuhui.extras["output_call"]
    teacher = xuhui.client("teacher")
    page = teacher.get("/evidence/new/").content.decode()
    assert call.title in page
    with bureau_scope(xuhui.bureau):
        kind = xuhui.extras["evidence"].kind
    response = teacher.post(
        "/evidence/new/",
        {
            "kind": kind.pk,
            "title": "课题成果：作业设计",
            "level": "3",
            "date": "2024-12-01",
            "output_call": call.pk,
            "files": [SimpleUploadedFile("a.pdf", PDF)],
            "submit": "1",
        },
    )
    assert response.status_code == 302
    staff = xuhui.client("staff")
    listing = staff.get(f"/outputs/{call.pk}/").content.decode()
    assert "课题成果：作业设计" in listing
    with bureau_scope(xuhui.bureau):
        entry = Evidence.objects.get(title="课题成果：作业设计")
    staff.post(f"/outputs/{call.pk}/select/{entry.pk}/", {"selected": "1"})
    with bureau_scope(xuhui.bureau):
        entry.refresh_from_db()
        assert entry.selected_for_publication
    assert (
        xuhui.client("teacher")
        .post(f"/outputs/{call.pk}/select/{entry.pk}/", {"selected": "0"})
        .status_code
        == 403
    )
    calls = staff.get(f"/programmes/{xuhui.programme.pk}/outputs/").content.decode()
    assert call.title in calls


def test_HA_OUTPUT_a_closed_call_is_not_offered(xuhui):
    call = xuhui.extras["output_call"]
    with bureau_scope(xuhui.bureau):
        call.deadline = dt.date(2020, 1, 1)
        call.save()
    assert call.title not in xuhui.client("teacher").get("/evidence/new/").content.decode()


def test_XH_CYCLE_and_HA_PLAN_development_plan_status():
    due = dt.date(2023, 11, 30)
    assert plan_status(due, [], dt.date(2023, 11, 1)) == PlanStatus.DUE
    assert plan_status(due, [], dt.date(2023, 12, 1)) == PlanStatus.OVERDUE
    assert plan_status(due, ["draft"], dt.date(2023, 11, 1)) == PlanStatus.DRAFT
    assert plan_status(due, ["draft"], dt.date(2023, 12, 1)) == PlanStatus.OVERDUE
    assert plan_status(due, ["submitted"], dt.date(2023, 12, 1)) == PlanStatus.UNDER_REVIEW
    assert plan_status(due, ["returned"], dt.date(2023, 12, 1)) == PlanStatus.RETURNED
    assert plan_status(due, ["returned", "verified"], dt.date(2024, 1, 1)) == PlanStatus.VERIFIED


def test_the_teacher_sees_their_plan_status(xuhui):
    enrolment = xuhui.extras["enrolment_backbone"]
    with bureau_scope(xuhui.bureau):
        enrolment.plan_due = dt.date(2023, 11, 30)
        enrolment.save()
    page = xuhui.client("teacher").get("/progress/").content.decode()
    assert "个人三年发展规划" in page and "已逾期" in page


def test_XH_TERMINATE_status_changes_keep_a_dated_history_with_the_reason(xuhui):
    enrolment = xuhui.extras["enrolment_backbone"]
    client = xuhui.client("staff")
    url = "/admin/cohorts/enrolment/"
    page = client.post(url, {"action": "change_status", "_selected_action": [enrolment.pk]})
    assert page.status_code == 200 and "新状态" in page.content.decode()
    refused = client.post(
        url,
        {
            "action": "change_status",
            "_selected_action": [enrolment.pk],
            "apply": "1",
            "status": "withdrawn",
            "effective_on": "2024-03-01",
            "reason": "",
        },
        follow=True,
    )
    assert "退出或终止需要填写原因" in refused.content.decode()
    client.post(
        url,
        {
            "action": "change_status",
            "_selected_action": [enrolment.pk],
            "apply": "1",
            "status": "withdrawn",
            "effective_on": "2024-03-01",
            "reason": "工作调动，领导小组决定退出",
        },
    )
    with bureau_scope(xuhui.bureau):
        enrolment.refresh_from_db()
        assert enrolment.status == "withdrawn"
        change = enrolment.status_changes.get()
        assert (change.from_status, change.to_status, change.effective_on) == (
            "active",
            "withdrawn",
            dt.date(2024, 3, 1),
        )
        assert change.actor == xuhui.staff and "领导小组" in change.reason
