"""The pages of one group in the browser: the lead manages members, records activities with
attendance and photos, files briefings and documents; members see it all but manage nothing;
staff extend deadlines (XH-WS-LEAD, XH-BRIEF, XH-WS-OUTPUT, XC-MENTEE, XC-ATTEND)."""

import base64
import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import TeacherProfile, User
from accounts.roles import Role
from accounts.services import role_grant
from bureaus.models import AuditEntry
from bureaus.tenancy import bureau_scope
from cohorts.models import Enrolment
from tests.uploads.samples import MINIMAL_PDF
from workshops.models import (
    ActivityFile,
    ActivityRecord,
    AttendanceRecord,
    Briefing,
    Deadline,
    Membership,
    ReportingSchedule,
    Team,
    TeamDocument,
    WorkshopCourse,
)
from workshops.services import (
    activity_record,
    schedule_deadlines_sync,
    team_permissions_sync,
)

from ..conftest import PASSWORD
from .test_group_rules import keep_group_rules

# A real 1×1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
PDF = MINIMAL_PDF


def png(name="合影.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def pdf(name="讲义.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def body(response) -> str:
    return response.content.decode()


def url_of(cast, name: str) -> str:
    team = cast.extras["team"]
    return {
        "detail": f"/groups/{team.pk}/",
        "member_add": f"/groups/{team.pk}/members/add/",
        "member_edit": f"/groups/{team.pk}/members/{cast.extras['membership'].pk}/",
        "activity_new": f"/groups/{team.pk}/activities/new/",
        "document_new": f"/groups/{team.pk}/documents/new/",
        "course_new": f"/groups/{team.pk}/courses/new/",
    }[name]


def add_member(cast, user, role="member") -> Membership:
    with bureau_scope(cast.bureau):
        return Membership.objects.create(
            bureau=cast.bureau, team=cast.extras["team"], teacher=user.teacher_profile, role=role
        )


def make_teacher(cast, key: str, full_name: str, *roles: str) -> User:
    with bureau_scope(cast.bureau):
        user = User.objects.create_user(
            username=f"{cast.bureau.code}_{key}",
            password=PASSWORD,
            full_name=full_name,
            bureau=cast.bureau,
        )
        TeacherProfile.objects.create(
            bureau=cast.bureau,
            user=user,
            staff_number=f"{cast.bureau.code.upper()}-{key}",
            gender="M",
            school=cast.other_school,
            subject="chinese",
            stage="primary",
        )
        for role in (Role.TEACHER, *roles):
            role_grant(actor=None, user=user, role=role)
    return user


def make_team(cast, lead, *, kind="workshop", name="第二工作坊", **fields) -> Team:
    with bureau_scope(cast.bureau):
        team = Team.objects.create(
            bureau=cast.bureau, programme=cast.programme, kind=kind, name=name, lead=lead, **fields
        )
        team_permissions_sync(team=team)
    return team


def open_deadline(cast) -> Deadline:
    """A deadline still ahead of today (the cast's schedule is over by now)."""
    today = timezone.localdate()
    with bureau_scope(cast.bureau):
        schedule = ReportingSchedule.objects.create(
            bureau=cast.bureau,
            team=cast.extras["team"],
            title="月度简报",
            frequency="monthly",
            day=28,
            starts=today,
            ends=today + dt.timedelta(days=90),
        )
        schedule_deadlines_sync(schedule)
        return schedule.deadlines.filter(due__gte=today).order_by("due").first()


# --- Activities ---------------------------------------------------------------------------------


def test_XH_WS_LEAD_the_lead_records_an_activity_with_attendance_and_a_photo(xuhui):
    second = add_member(xuhui, xuhui.mentor)
    first = xuhui.extras["membership"]
    client = xuhui.client("lead")
    form = client.get(url_of(xuhui, "activity_new"))
    assert form.status_code == 200
    page = body(form)
    assert '<datalist id="activity-kinds">' in page and "集体备课" in page
    # Every member is ticked by default.
    assert page.count("checked") >= 2
    response = client.post(
        url_of(xuhui, "activity_new"),
        {
            "date": "2024-04-18",
            "kind": "课堂观摩",
            "topic": "大单元教学课堂观摩",
            "hours": "2.5",
            "place": "徐汇第一中学",
            "notes": "观摩后集体评课",
            "present": [str(first.pk)],
            "files": [png(), pdf()],
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    with bureau_scope(xuhui.bureau):
        activity = ActivityRecord.objects.get(topic="大单元教学课堂观摩")
        assert response["Location"] == f"/activities/{activity.pk}/"
        present = dict(
            AttendanceRecord.objects.filter(activity=activity).values_list(
                "membership_id", "present"
            )
        )
        assert present == {first.pk: True, second.pk: False}
        photo = ActivityFile.objects.get(activity=activity, content_type="image/png")
        material = ActivityFile.objects.get(activity=activity, content_type="application/pdf")
        assert AuditEntry.objects.filter(action="activity.record").exists()
    detail = client.get(f"/activities/{activity.pk}/")
    page = body(detail)
    assert detail.status_code == 200
    assert f'<img src="/activities/{activity.pk}/files/{photo.pk}/"' in page
    assert f'href="/activities/{activity.pk}/files/{material.pk}/"' in page
    assert "讲义.pdf" in page and xuhui.mentor.full_name in page
    assert photo.file.name not in page  # stored names never reach the page
    shown = client.get(f"/activities/{activity.pk}/files/{photo.pk}/")
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    assert shown["Content-Disposition"].startswith("inline")
    assert b"".join(shown.streaming_content) == PNG
    download = client.get(f"/activities/{activity.pk}/files/{material.pk}/")
    assert download["Content-Disposition"].startswith("attachment")
    # Members see the activity and its photo; the group page lists it with 1/2 present.
    teacher = xuhui.client("teacher")
    assert teacher.get(f"/activities/{activity.pk}/files/{photo.pk}/").status_code == 200
    team_page = body(teacher.get(url_of(xuhui, "detail")))
    assert "大单元教学课堂观摩" in team_page and "1/2" in team_page


def test_an_activity_file_missing_from_storage_is_a_404(xuhui):
    client = xuhui.client("lead")
    client.post(
        url_of(xuhui, "activity_new"),
        {"date": "2024-04-18", "kind": "学科培训", "topic": "丢失", "hours": "1", "files": [png()]},
    )
    with bureau_scope(xuhui.bureau):
        stored = ActivityFile.objects.get(activity__topic="丢失")
    stored.file.storage.delete(stored.file.name)
    assert client.get(f"/activities/{stored.activity_id}/files/{stored.pk}/").status_code == 404


@pytest.mark.parametrize(
    "change, field",
    [
        ({"hours": "0"}, "hours"),
        ({"date": "2999-01-01"}, "date"),
        ({"topic": ""}, "topic"),
        ({"files": [pdf("病毒.pdf", b"MZ\x90\x00" + b"\x00" * 100)]}, "files"),
        ({"files": [SimpleUploadedFile("脚本.exe", b"MZ\x90\x00")]}, "files"),
    ],
)
def test_bad_activity_input_is_shown_on_the_form_and_nothing_is_lost(xuhui, change, field):
    data = {
        "date": "2024-05-09",
        "kind": "集体备课",
        "topic": "作业设计研讨",
        "hours": "2",
        "place": "教研室",
        "present": [str(xuhui.extras["membership"].pk)],
    }
    data.update(change)
    before = ActivityRecord.objects.all_bureaus().count()
    response = xuhui.client("lead").post(url_of(xuhui, "activity_new"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert ActivityRecord.objects.all_bureaus().count() == before
    page = body(response)
    assert 'value="教研室"' in page and 'value="集体备课"' in page
    # The messages are in the user's language (Chinese by default).
    assert re.search(r"[\u4e00-\u9fff]", " ".join(response.context["form"].errors[field]))


def test_a_file_too_big_is_refused_on_the_activity_form(xuhui, settings):
    settings.EVIDENCE_MAX_FILE_MB = 1
    response = xuhui.client("lead").post(
        url_of(xuhui, "activity_new"),
        {
            "date": "2024-05-09",
            "kind": "集体备课",
            "topic": "超大文件",
            "hours": "2",
            "files": [pdf("大.pdf", PDF + b"0" * (1024 * 1024 + 10))],
        },
    )
    assert response.status_code == 200
    assert "最大为 1 MB" in " ".join(response.context["form"].errors["files"])
    assert not ActivityRecord.objects.all_bureaus().filter(topic="超大文件").exists()


def test_PT_MODULES_module_and_format_are_asked_only_of_school_based_training_groups(xuhui):
    training = make_team(xuhui, xuhui.lead, kind="training_group", name="校本研修组")
    client = xuhui.client("lead")
    assert 'name="module"' not in body(client.get(url_of(xuhui, "activity_new")))
    page = body(client.get(f"/groups/{training.pk}/activities/new/"))
    assert 'name="module"' in page and 'name="session_format"' in page
    response = client.post(
        f"/groups/{training.pk}/activities/new/",
        {
            "date": "2024-05-09",
            "kind": "专题讲座",
            "topic": "班集体建设",
            "hours": "2",
            "module": "class_collective",
            "session_format": "lecture",
        },
    )
    assert response.status_code == 302
    with bureau_scope(xuhui.bureau):
        activity = ActivityRecord.objects.get(topic="班集体建设")
        assert (activity.module, activity.session_format) == ("class_collective", "lecture")


def test_HA_ACT_a_subject_group_is_offered_the_HA_ACT_kinds(xuhui):
    subject = make_team(xuhui, xuhui.lead, kind="subject_group", name="数学学科指导组")
    page = body(xuhui.client("lead").get(f"/groups/{subject.pk}/activities/new/"))
    for kind in ("学科培训", "研题磨题", "资源研发", "交流对话"):
        assert f'<option value="{kind}">' in page


# --- Who may do what ----------------------------------------------------------------------------


def test_XH_WS_LEAD_a_member_sees_the_team_page_but_manages_nothing(xuhui):
    client = xuhui.client("teacher")
    page = client.get(url_of(xuhui, "detail"))
    assert page.status_code == 200
    text = body(page)
    assert xuhui.extras["team"].name in text and "负责课例研究" in text
    for name in ("activity_new", "member_add", "course_new", "member_edit"):
        assert url_of(xuhui, name) not in text
        assert client.get(url_of(xuhui, name)).status_code == 403, name
    assert client.post(url_of(xuhui, "activity_new"), {"topic": "x"}).status_code == 403
    assert client.post(url_of(xuhui, "member_edit"), {"remove": "1"}).status_code == 403
    deadline = open_deadline(xuhui)
    assert client.post(f"/deadlines/{deadline.pk}/", {"text": "越权"}).status_code == 403
    assert not Briefing.objects.all_bureaus().filter(deadline=deadline).exists()
    # A member may upload their own documents.
    assert client.get(url_of(xuhui, "document_new")).status_code == 200


def test_a_teacher_who_is_not_a_member_gets_404(xuhui):
    client = xuhui.client("mentor")
    for url in (
        url_of(xuhui, "detail"),
        url_of(xuhui, "activity_new"),
        f"/activities/{xuhui.extras['activity'].pk}/",
        f"/deadlines/{xuhui.extras['deadline'].pk}/",
    ):
        assert client.get(url).status_code == 404, url
    assert f"/groups/{xuhui.extras['team'].pk}/" not in body(client.get("/groups/"))


def test_another_bureau_sees_nothing_of_the_team(xuhui, putuo):
    client = putuo.client("staff")
    assert client.get(url_of(xuhui, "detail")).status_code == 404
    assert client.get(url_of(xuhui, "activity_new")).status_code == 404
    assert xuhui.extras["team"].name not in body(client.get("/groups/"))


def test_XH_WS_LEAD_another_lead_cannot_manage_the_first_team(xuhui):
    other = make_teacher(xuhui, "lead2", "第二坊主", Role.WORKSHOP_LEAD)
    own = make_team(xuhui, other)
    client = Client()
    client.force_login(other)
    # Their own group: they manage it.
    assert client.get(f"/groups/{own.pk}/activities/new/").status_code == 200
    assert client.get(f"/groups/{own.pk}/members/add/").status_code == 200
    # The first group is not theirs: not even visible.
    assert client.get(url_of(xuhui, "detail")).status_code == 404
    assert client.get(url_of(xuhui, "member_add")).status_code == 404
    # As a member of it they see it, but the workshop-lead role gives no right over it.
    add_member(xuhui, other)
    assert client.get(url_of(xuhui, "detail")).status_code == 200
    for name in ("activity_new", "member_add", "member_edit", "course_new"):
        assert client.get(url_of(xuhui, name)).status_code == 403, name
    response = client.post(
        url_of(xuhui, "member_add"),
        {"teacher": str(xuhui.lead.teacher_profile.pk), "role": "member"},
    )
    assert response.status_code == 403


# --- Members ------------------------------------------------------------------------------------


def test_XH_WS_LEAD_the_lead_adds_a_member_sets_the_task_division_and_removes_them(xuhui):
    with bureau_scope(xuhui.bureau):
        Enrolment.objects.create(
            bureau=xuhui.bureau,
            programme=xuhui.programme,
            teacher=xuhui.mentor.teacher_profile,
            tier=xuhui.programme.tiers.get(code="backbone"),
            school=xuhui.other_school,
            enrolled_on=dt.date(2023, 9, 1),
        )
    client = xuhui.client("lead")
    form = body(client.get(url_of(xuhui, "member_add")))
    # Only the programme's participants who are not members yet.
    assert xuhui.mentor.full_name in form and xuhui.teacher.full_name not in form
    profile = xuhui.mentor.teacher_profile
    response = client.post(
        url_of(xuhui, "member_add"),
        {"teacher": str(profile.pk), "role": "member", "task_division": "负责文献综述"},
    )
    assert response.status_code == 302 and response["Location"].endswith("#members")
    with bureau_scope(xuhui.bureau):
        membership = Membership.objects.get(team=xuhui.extras["team"], teacher=profile)
        assert membership.task_division == "负责文献综述"
    edit = f"/groups/{xuhui.extras['team'].pk}/members/{membership.pk}/"
    assert 'value="负责文献综述"' in body(client.get(edit)) or "负责文献综述" in body(
        client.get(edit)
    )
    assert client.post(edit, {"task_division": "负责课堂观察量表"}).status_code == 302
    with bureau_scope(xuhui.bureau):
        membership.refresh_from_db()
        assert membership.task_division == "负责课堂观察量表"
        entry = AuditEntry.objects.filter(action="membership.update").latest("id")
        assert entry.data["before"] == "负责文献综述"
    assert "负责课堂观察量表" in body(client.get(url_of(xuhui, "detail")))
    # Removing asks first, then removes.
    confirm = client.post(edit, {"remove": "1"})
    assert confirm.status_code == 200 and 'name="confirm"' in body(confirm)
    assert Membership.objects.all_bureaus().filter(pk=membership.pk).exists()
    assert client.post(edit, {"remove": "1", "confirm": "1"}).status_code == 302
    assert not Membership.objects.all_bureaus().filter(pk=membership.pk).exists()
    assert AuditEntry.objects.all_bureaus().filter(action="membership.remove").exists()


def test_a_membership_of_another_team_is_a_404(xuhui):
    own = make_team(xuhui, xuhui.lead, name="另一工作坊")
    member = xuhui.extras["membership"]
    assert xuhui.client("lead").get(f"/groups/{own.pk}/members/{member.pk}/").status_code == 404


def test_adding_a_member_twice_shows_the_error(xuhui):
    client = xuhui.client("lead")
    response = client.post(
        url_of(xuhui, "member_add"),
        {"teacher": str(xuhui.teacher.teacher_profile.pk), "role": "member"},
    )
    # Not offered (already a member): refused on the field, nothing written.
    assert response.status_code == 200 and "teacher" in response.context["form"].errors
    assert Membership.objects.all_bureaus().filter(teacher__user=xuhui.teacher).count() == 1


# --- Briefings and deadlines (XH-BRIEF) ---------------------------------------------------------


def test_XH_BRIEF_the_lead_files_a_briefing_with_a_file_and_it_is_on_time(xuhui):
    deadline = open_deadline(xuhui)
    client = xuhui.client("lead")
    page = client.get(f"/deadlines/{deadline.pk}/")
    assert page.status_code == 200 and "state-open" in body(page)
    assert 'name="text"' in body(page)
    response = client.post(
        f"/deadlines/{deadline.pk}/",
        {"text": "本月完成两次课堂观摩", "files": [pdf("简报附件.pdf")]},
    )
    assert response.status_code == 302
    page = body(client.get(f"/deadlines/{deadline.pk}/"))
    assert "state-on_time" in page and "本月完成两次课堂观摩" in page
    assert 'name="text"' not in page  # filed: no form any more
    with bureau_scope(xuhui.bureau):
        stored = Briefing.objects.get(deadline=deadline).files.get()
    assert f"/deadlines/{deadline.pk}/files/{stored.pk}/" in page
    download = xuhui.client("teacher").get(f"/deadlines/{deadline.pk}/files/{stored.pk}/")
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    row = re.search(
        rf'data-testid="deadline-{deadline.pk}".*?</tr>',
        body(client.get(url_of(xuhui, "detail"))),
        re.S,
    )
    assert row and "state-on_time" in row.group(0)
    # Filing twice is refused with a message.
    again = client.post(f"/deadlines/{deadline.pk}/", {"text": "再次"}, follow=True)
    assert again.status_code == 200
    assert Briefing.objects.all_bureaus().filter(deadline=deadline).count() == 1


def test_XH_BRIEF_a_briefing_filed_after_the_deadline_is_late_and_unfiled_ones_missing(xuhui):
    with bureau_scope(xuhui.bureau):
        deadline = Deadline.objects.get(team=xuhui.extras["team"], due=dt.date(2024, 3, 28))
    client = xuhui.client("lead")
    page = body(client.get(url_of(xuhui, "detail")))
    row = re.search(rf'data-testid="deadline-{deadline.pk}".*?</tr>', page, re.S).group(0)
    assert "row-missing" in row and "state-missing" in row
    response = client.post(f"/deadlines/{deadline.pk}/", {"text": "补交的简报"})
    assert response.status_code == 302
    assert "state-late" in body(client.get(f"/deadlines/{deadline.pk}/"))
    page = body(client.get(url_of(xuhui, "detail")))
    row = re.search(rf'data-testid="deadline-{deadline.pk}".*?</tr>', page, re.S).group(0)
    assert "state-late" in row and "row-missing" not in row


def test_an_empty_briefing_is_refused_on_the_form(xuhui):
    deadline = open_deadline(xuhui)
    response = xuhui.client("lead").post(f"/deadlines/{deadline.pk}/", {"text": "   "})
    assert response.status_code == 200 and "text" in response.context["briefing_form"].errors
    assert not Briefing.objects.all_bureaus().filter(deadline=deadline).exists()


def test_staff_extend_a_deadline_from_the_page_with_an_audit_row(xuhui):
    with bureau_scope(xuhui.bureau):
        deadline = Deadline.objects.get(team=xuhui.extras["team"], due=dt.date(2024, 6, 28))
    client = xuhui.client("staff")
    page = body(client.get(f"/deadlines/{deadline.pk}/"))
    assert f'action="/deadlines/{deadline.pk}/extend/"' in page
    # The lead sees no extension form, and cannot post one.
    assert "/extend/" not in body(xuhui.client("lead").get(f"/deadlines/{deadline.pk}/"))
    assert (
        xuhui.client("lead")
        .post(f"/deadlines/{deadline.pk}/extend/", {"to": "2024-07-10", "reason": "外出"})
        .status_code
        == 403
    )
    response = client.post(
        f"/deadlines/{deadline.pk}/extend/", {"to": "2024-07-10", "reason": "坊主外出培训"}
    )
    assert response.status_code == 302
    with bureau_scope(xuhui.bureau):
        deadline.refresh_from_db()
        assert deadline.extended_to == dt.date(2024, 7, 10)
        entry = AuditEntry.objects.filter(action="deadline.extend").latest("id")
        assert entry.actor_id == xuhui.staff.pk and entry.data["reason"] == "坊主外出培训"
    page = body(client.get(f"/deadlines/{deadline.pk}/"))
    assert "2024-07-10" in page and "坊主外出培训" in page


@pytest.mark.parametrize(
    "to, field", [("2024-06-01", "to"), ("2024-02-30", "to"), ("not a date", "to")]
)
def test_a_bad_extension_date_shows_a_form_error_not_a_500(xuhui, to, field):
    with bureau_scope(xuhui.bureau):
        deadline = Deadline.objects.get(team=xuhui.extras["team"], due=dt.date(2024, 6, 28))
    response = xuhui.client("staff").post(
        f"/deadlines/{deadline.pk}/extend/", {"to": to, "reason": "会议冲突"}
    )
    assert response.status_code == 200
    assert field in response.context["extension_form"].errors
    assert "会议冲突" in body(response)  # nothing typed is lost
    with bureau_scope(xuhui.bureau):
        deadline.refresh_from_db()
        assert deadline.extended_to is None
    assert not AuditEntry.objects.all_bureaus().filter(action="deadline.extend").exists()


def test_a_filed_deadline_cannot_be_extended(xuhui):
    deadline = xuhui.extras["deadline"]  # the cast filed this one
    response = xuhui.client("staff").post(
        f"/deadlines/{deadline.pk}/extend/", {"to": "2030-01-01", "reason": "延期"}
    )
    assert response.status_code == 200
    deadline.refresh_from_db()
    assert deadline.extended_to is None


# --- Documents ----------------------------------------------------------------------------------


def test_a_document_with_a_wrong_file_type_shows_the_error_and_writes_nothing(xuhui):
    before = TeamDocument.objects.all_bureaus().count()
    response = xuhui.client("lead").post(
        url_of(xuhui, "document_new"),
        {
            "kind": "research_plan",
            "title": "单元作业设计研究方案",
            "file": SimpleUploadedFile("方案.exe", b"MZ\x90\x00" + b"\x00" * 50),
        },
    )
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert TeamDocument.objects.all_bureaus().count() == before
    assert 'value="单元作业设计研究方案"' in body(response)


def test_XH_WS_LEAD_the_lead_files_the_research_plan(xuhui):
    client = xuhui.client("lead")
    response = client.post(
        url_of(xuhui, "document_new"),
        {"kind": "research_plan", "title": "研究方案", "file": pdf("方案.pdf")},
    )
    assert response.status_code == 302 and response["Location"].endswith("#documents")
    with bureau_scope(xuhui.bureau):
        document = TeamDocument.objects.get(title="研究方案")
    page = body(xuhui.client("teacher").get(url_of(xuhui, "detail")))
    assert f'href="/documents/{document.pk}/"' in page
    download = xuhui.client("teacher").get(f"/documents/{document.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert xuhui.client("mentor").get(f"/documents/{document.pk}/").status_code == 404


def test_XC_MENTEE_a_mentee_uploads_a_personal_portfolio_and_the_mentor_reviews_it(xuhui):
    pair = make_team(xuhui, xuhui.mentor, kind="mentoring_pair", name="跟岗带教（导师—学员）")
    with bureau_scope(xuhui.bureau):
        Membership.objects.create(
            bureau=xuhui.bureau, team=pair, teacher=xuhui.teacher.teacher_profile, role="mentee"
        )
    mentee = xuhui.client("teacher")
    form = body(mentee.get(f"/groups/{pair.pk}/documents/new/"))
    assert 'value="personal_portfolio"' in form and 'value="research_plan"' not in form
    # A group document is not the mentee's to file.
    refused = mentee.post(
        f"/groups/{pair.pk}/documents/new/",
        {"kind": "mentoring_plan", "title": "带教计划", "file": pdf()},
    )
    assert refused.status_code == 200 and "kind" in refused.context["form"].errors
    response = mentee.post(
        f"/groups/{pair.pk}/documents/new/",
        {"kind": "personal_portfolio", "title": "个人档案袋", "file": pdf("档案袋.pdf")},
    )
    assert response.status_code == 302
    with bureau_scope(xuhui.bureau):
        document = TeamDocument.objects.get(team=pair, kind="personal_portfolio")
    review_url = f"/documents/{document.pk}/review/"
    # The mentee sees it waiting, without a review form; the mentor gets one.
    assert review_url not in body(mentee.get(f"/groups/{pair.pk}/"))
    assert mentee.post(review_url, {"comment": "自评"}).status_code == 403
    mentor = xuhui.client("mentor")
    assert review_url in body(mentor.get(f"/groups/{pair.pk}/"))
    empty = mentor.post(review_url, {"comment": " "}, follow=True)
    assert empty.status_code == 200 and [m.level_tag for m in empty.context["messages"]] == [
        "error"
    ]
    response = mentor.post(review_url, {"comment": "材料齐全，反思深入。"}, follow=True)
    assert response.status_code == 200
    with bureau_scope(xuhui.bureau):
        document.refresh_from_db()
        assert document.reviewed_by_id == xuhui.mentor.pk and document.reviewed_on
        assert AuditEntry.objects.filter(action="document.review").exists()
    page = body(mentee.get(f"/groups/{pair.pk}/"))
    assert "材料齐全，反思深入。" in page and xuhui.mentor.full_name in page


# --- XH-WS-OUTPUT -------------------------------------------------------------------------------


def test_XH_WS_OUTPUT_a_backbone_led_workshop_meets_its_output_with_a_school_course(xuhui):
    with bureau_scope(xuhui.bureau):
        tier = xuhui.programme.tiers.get(code="backbone")
        tier.lead_rank = "backbone"
        tier.save()
    workshop = make_team(
        xuhui, xuhui.teacher, name="校内作业设计工作坊", workshop_type="intra_school"
    )
    client = xuhui.client("teacher")  # a 骨干 leads it
    detail = f"/groups/{workshop.pk}/"
    page = body(client.get(detail))
    assert 'data-testid="output-not-met"' in page
    assert f"/groups/{workshop.pk}/courses/new/" in page
    # 19 hours face to face at school level is not enough.
    for hours, title in (("19", "校本课程（试行）"), ("20", "单元作业设计校本课程")):
        response = client.post(
            f"/groups/{workshop.pk}/courses/new/",
            {
                "title": title,
                "hours": hours,
                "delivery_mode": "face_to_face",
                "level": "1",
                "completed_on": "2025-06-20",
            },
        )
        assert response.status_code == 302
    page = body(client.get(detail))
    assert 'data-testid="output-not-met"' in page  # the project report is missing
    assert "单元作业设计校本课程" in page
    client.post(
        f"/groups/{workshop.pk}/documents/new/",
        {"kind": "project_report", "title": "项目研究报告", "file": pdf("报告.pdf")},
    )
    page = body(client.get(detail))
    assert 'data-testid="output-met"' in page
    # Members and staff see it too.
    assert 'data-testid="output-met"' in body(xuhui.client("staff").get(detail))


def test_XH_WS_OUTPUT_courses_only_for_workshops_and_hours_must_be_positive(xuhui):
    pair = make_team(xuhui, xuhui.lead, kind="cadre_team", name="学区干部团队")
    client = xuhui.client("lead")
    assert client.get(f"/groups/{pair.pk}/courses/new/").status_code == 404
    before = WorkshopCourse.objects.all_bureaus().count()
    response = client.post(
        url_of(xuhui, "course_new"),
        {
            "title": "线上课程",
            "hours": "0",
            "delivery_mode": "online",
            "level": "3",
            "completed_on": "2025-06-20",
        },
    )
    assert response.status_code == 200 and "hours" in response.context["form"].errors
    assert WorkshopCourse.objects.all_bureaus().count() == before


# --- Attendance (XC-ATTEND) ---------------------------------------------------------------------


def test_XC_ATTEND_the_team_page_shows_attendance_ratios_and_the_no_credit_mark(xuhui):
    keep_group_rules(xuhui, keeps_attendance=True)
    second = add_member(xuhui, xuhui.mentor)
    first = xuhui.extras["membership"]
    with bureau_scope(xuhui.bureau):
        # 2023学年: the cast's 3 hours (first present); then 4 + 1 hours.
        for day, hours, present in (
            (dt.date(2023, 11, 2), 4, [first.pk]),
            (dt.date(2024, 3, 14), 1, [second.pk]),
        ):
            activity_record(
                actor=xuhui.lead,
                team=xuhui.extras["team"],
                present_member_ids=present,
                data={"date": day, "kind": "集体备课", "topic": f"研讨{day}", "hours": hours},
            )
    page = body(xuhui.client("teacher").get(url_of(xuhui, "detail")))
    section = page[page.index('id="attendance"') :]
    # First: absent 1 of 8 hours → 88%, credit. Second: absent 4 of 5 → 20%, no credit.
    assert "88%" in section and "20%" in section
    assert section.count('data-testid="no-credit"') == 1
    rows = re.findall(r"<tr><td>(.*?)</td>(.*?)</tr>", section, re.S)
    marks = {name: 'data-testid="no-credit"' in cells for name, cells in rows}
    assert marks == {xuhui.teacher.full_name: False, xuhui.mentor.full_name: True}


# --- The list, navigation and query counts ------------------------------------------------------


def test_the_team_list_for_teachers_shows_my_teams_with_my_role(xuhui):
    make_team(xuhui, xuhui.mentor, kind="mentoring_pair", name="导师带教")
    page = body(xuhui.client("teacher").get("/groups/"))
    assert xuhui.extras["team"].name in page and "导师带教" not in page
    lead_page = xuhui.client("lead").get("/groups/")
    assert lead_page.context["page"][0].viewer_role  # "lead"
    assert 'href="/groups/"' in page  # the navigation bar


def test_staff_filter_the_team_list(xuhui):
    make_team(xuhui, xuhui.mentor, kind="mentoring_pair", name="导师带教")
    client = xuhui.client("staff")
    page = client.get("/groups/")
    names = [g.name for g in page.context["page"]]
    assert set(names) == {xuhui.extras["team"].name, "导师带教"}
    assert 'name="q"' in body(page)
    names = [g.name for g in client.get("/groups/?kind=mentoring_pair").context["page"]]
    assert names == ["导师带教"]
    names = [g.name for g in client.get("/groups/?q=数学").context["page"]]
    assert names == [xuhui.extras["team"].name]
    found = client.get(f"/groups/?programme={xuhui.programme.pk}").context["page"]
    assert len(found) == 2 and {g.member_count for g in found} == {0, 1}
    assert client.get("/groups/?programme=999999").status_code == 200


def test_the_team_list_takes_the_same_queries_for_more_teams(xuhui):
    client = xuhui.client("staff")
    client.get("/groups/")
    with CaptureQueriesContext(connection) as few:
        client.get("/groups/")
    for n in range(6):
        team = make_team(xuhui, xuhui.lead, name=f"工作坊{n}")
        with bureau_scope(xuhui.bureau):
            Membership.objects.create(
                bureau=xuhui.bureau, team=team, teacher=xuhui.teacher.teacher_profile
            )
    with CaptureQueriesContext(connection) as many:
        client.get("/groups/")
    assert len(many) == len(few)


def test_the_team_page_takes_the_same_queries_for_more_rows(xuhui):
    client = xuhui.client("lead")
    client.get(url_of(xuhui, "detail"))
    with CaptureQueriesContext(connection) as few:
        assert client.get(url_of(xuhui, "detail")).status_code == 200
    add_member(xuhui, xuhui.mentor)
    add_member(xuhui, xuhui.school_admin)
    for n in range(3):
        client.post(
            url_of(xuhui, "activity_new"),
            {"date": f"2024-0{n + 3}-10", "kind": "集体备课", "topic": f"研讨{n}", "hours": "2"},
        )
        client.post(
            url_of(xuhui, "document_new"),
            {"kind": "implementation_plan", "title": f"计划{n}", "file": pdf()},
        )
    with CaptureQueriesContext(connection) as many:
        assert client.get(url_of(xuhui, "detail")).status_code == 200
    assert len(many) == len(few)


def test_the_programme_page_links_to_its_teams(xuhui):
    page = body(xuhui.client("teacher").get(f"/programmes/{xuhui.programme.pk}/"))
    assert f"/groups/?programme={xuhui.programme.pk}" in page


# --- Every page renders in both languages -------------------------------------------------------


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_team_page_renders(xuhui, language):
    deadline = open_deadline(xuhui)
    lead = xuhui.client("lead")
    lead.post(
        url_of(xuhui, "activity_new"),
        {"date": "2024-04-18", "kind": "学科培训", "topic": "培训", "hours": "2", "files": [png()]},
    )
    with bureau_scope(xuhui.bureau):
        activity = ActivityRecord.objects.get(topic="培训")
    pages = {
        "lead": [
            "/groups/",
            url_of(xuhui, "detail"),
            url_of(xuhui, "member_add"),
            url_of(xuhui, "member_edit"),
            url_of(xuhui, "activity_new"),
            url_of(xuhui, "document_new"),
            url_of(xuhui, "course_new"),
            f"/activities/{activity.pk}/",
            f"/deadlines/{deadline.pk}/",
            f"/deadlines/{xuhui.extras['deadline'].pk}/",
        ],
        "staff": ["/groups/", url_of(xuhui, "detail"), f"/deadlines/{deadline.pk}/"],
        "teacher": ["/groups/", url_of(xuhui, "detail"), url_of(xuhui, "document_new")],
        "leader": ["/groups/", url_of(xuhui, "detail")],
        "school_admin": ["/groups/", url_of(xuhui, "detail")],
    }
    for who, urls in pages.items():
        client = xuhui.client(who)
        client.cookies["portal_language"] = language
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (who, url)
            assert f'lang="{language}"' in body(response), (who, url)


def test_HA_ACT_the_team_page_counts_the_obligations_per_period(xuhui):
    from workshops.services import team_presets_apply

    subject = make_team(xuhui, xuhui.lead, kind="subject_group", name="数学学科指导组")
    with bureau_scope(xuhui.bureau):
        team_presets_apply(actor=xuhui.staff, team=subject)
        for day, kind in ((dt.date(2026, 3, 5), "学科培训"), (dt.date(2026, 4, 9), "课堂观摩")):
            activity_record(
                actor=xuhui.lead,
                team=subject,
                present_member_ids=[],
                data={"date": day, "kind": kind, "topic": f"研训{day}", "hours": 2},
            )
    page = body(xuhui.client("lead").get(f"/groups/{subject.pk}/"))
    section = page[page.index('id="obligations"') : page.index('id="briefings"')]
    rows = re.findall(r"<tr><td>(.*?)</tr>", section, re.S)
    assert len(rows) == 2 and all("学科研训活动" in row for row in rows)
    assert "HA-ACT" not in page  # rule ids stay in the code, not on a lead's page
    semester, year = rows
    # The cycle's last semester (Feb–Jun 2026) has its two activities; the earlier ones missed.
    assert "2/2" in semester and "state-met" in semester
    assert "<details>" in semester and "0/2" in semester
    assert "state-missed" in year  # 2 of 4 in calendar 2026
