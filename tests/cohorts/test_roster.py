"""Roster import and export in the admin (django-import-export): all or nothing, row by row."""

import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from accounts.models import TeacherProfile
from bureaus.models import AuditEntry
from bureaus.tenancy import bureau_scope
from cohorts.models import Enrolment

HEADER = [
    "工号",
    "姓名",
    "学校",
    "层次",
    "性别",
    "学科",
    "学段",
    "职称",
    "教龄",
    "班主任年限",
    "联系方式",
    "邮箱",
    "入选日期",
]
IMPORT_URL = "/admin/cohorts/enrolment/import/"
CONFIRM_URL = "/admin/cohorts/enrolment/process_import/"


def roster(cast, n: int, *, header=HEADER, bad: dict[int, dict] | None = None) -> bytes:
    """An xlsx roster of ``n`` new teachers; ``bad`` replaces values on some rows (0-based)."""
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for i in range(n):
        row = {
            "工号": f"R{i:05d}",
            "姓名": f"新教师{i:05d}",
            "学校": cast.school.name,
            "层次": "backbone" if i % 2 else "leader",
            "性别": "女" if i % 3 else "男",
            "学科": "数学",
            "学段": "初中",
            "邮箱": f"r{i:05d}@example.edu.cn",
            "职称": "一级教师",
            "教龄": 10,
            "班主任年限": 4,
            "联系方式": "",
            "入选日期": "2023-09-01",
        }
        row.update((bad or {}).get(i, {}))
        sheet.append([row.get(column, "") for column in header])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def preview(client, cast, content: bytes):
    return client.post(
        IMPORT_URL,
        {
            "format": "0",
            "programme": cast.programme.pk,
            "import_file": SimpleUploadedFile("roster.xlsx", content),
        },
    )


def confirm(client, response):
    form = response.context["confirm_form"]
    return client.post(CONFIRM_URL, {name: form.initial.get(name, "") for name in form.fields})


def enrolment_count(cast) -> int:
    with bureau_scope(cast.bureau):
        return Enrolment.objects.filter(programme=cast.programme).count()


def test_a_thousand_rows_with_three_bad_ones_import_nothing_and_name_the_lines(xuhui, putuo):
    client = xuhui.client("staff")
    bad = {
        10: {"学校": "不存在的学校"},
        500: {"层次": "不存在的层次"},
        998: {"工号": "R00003"},  # the same teacher as line 5
    }
    response = preview(client, xuhui, roster(xuhui, 1000, bad=bad))
    assert response.status_code == 200
    body = response.content.decode()
    result = response.context["result"]
    assert result.has_validation_errors()
    assert len(result.invalid_rows) == 3
    assert "confirm_form" not in response.context
    assert "第 12 行 学校 列：“不存在的学校”不在本局的学校名单中" in body
    assert "第 502 行 层次 列：“不存在的层次”不是本方案的层次" in body
    assert "第 1000 行 工号 列：R00003 与第 5 行重复" in body
    assert enrolment_count(xuhui) == 2  # only the cast's own
    with bureau_scope(xuhui.bureau):
        assert not TeacherProfile.objects.filter(staff_number__startswith="R").exists()


def test_the_good_file_imports_after_the_preview(xuhui):
    client = xuhui.client("staff")
    response = preview(client, xuhui, roster(xuhui, 1000))
    assert response.status_code == 200
    assert not response.context["result"].has_validation_errors()
    assert enrolment_count(xuhui) == 2  # the preview writes nothing
    done = confirm(client, response)
    assert done.status_code == 302
    assert enrolment_count(xuhui) == 1002
    with bureau_scope(xuhui.bureau):
        teacher = TeacherProfile.objects.select_related("user").get(staff_number="R00007")
        assert teacher.user.full_name == "新教师00007" and teacher.user.bureau_id == xuhui.bureau.pk
        assert teacher.subject == "maths" and teacher.stage == "junior"
        assert not teacher.user.has_usable_password()
        assert teacher.user.email == "r00007@example.edu.cn"  # so they can set a password
        enrolment = Enrolment.objects.get(teacher=teacher)
        assert enrolment.tier.code == "backbone" and enrolment.status_changes.count() == 1
        audit = AuditEntry.objects.get(action="roster.import")
        assert audit.data["rows"] == 1000 and audit.data["new_teachers"] == 1000


def test_reimporting_updates_tiers_instead_of_duplicating(xuhui):
    client = xuhui.client("staff")
    confirm(client, preview(client, xuhui, roster(xuhui, 10)))
    swapped = roster(xuhui, 10, bad={i: {"层次": "leader"} for i in range(10)})
    response = preview(client, xuhui, swapped)
    assert response.context["result"].totals["update"] == 10
    confirm(client, response)
    assert enrolment_count(xuhui) == 12
    with bureau_scope(xuhui.bureau):
        assert set(
            Enrolment.objects.filter(teacher__staff_number__startswith="R").values_list(
                "tier__code", flat=True
            )
        ) == {"leader"}


def test_a_bad_email_is_named(xuhui):
    response = preview(
        xuhui.client("staff"), xuhui, roster(xuhui, 2, bad={1: {"邮箱": "not-an-address"}})
    )
    assert "第 3 行 邮箱 列：“not-an-address”不是有效的电子邮箱地址" in response.content.decode()


def test_missing_columns_are_named(xuhui):
    response = preview(
        xuhui.client("staff"), xuhui, roster(xuhui, 3, header=["工号", "姓名", "层次"])
    )
    body = response.content.decode()
    assert "文件缺少以下列：学校" in body
    assert enrolment_count(xuhui) == 2


def test_another_bureaus_school_is_refused_like_an_unknown_one(xuhui, putuo):
    response = preview(
        xuhui.client("staff"), xuhui, roster(xuhui, 3, bad={1: {"学校": putuo.school.name}})
    )
    body = response.content.decode()
    assert f"第 3 行 学校 列：“{putuo.school.name}”不在本局的学校名单中" in body


def test_a_known_staff_number_with_another_name_is_refused(xuhui):
    with bureau_scope(xuhui.bureau):
        number = xuhui.teacher.teacher_profile.staff_number
    response = preview(
        xuhui.client("staff"), xuhui, roster(xuhui, 2, bad={0: {"工号": number, "姓名": "冒名"}})
    )
    assert re.search(rf"第 2 行 工号 列：{number} 属于 .*，不是 冒名", response.content.decode())


def test_export_the_roster(xuhui):
    client = xuhui.client("staff")
    response = client.post(
        "/admin/cohorts/enrolment/export/",
        {
            "format": "0",
            "resource": "0",
            **{
                f"rosterresource_{f}": "on"
                for f in (
                    "staff_number",
                    "full_name",
                    "school",
                    "tier",
                    "gender",
                    "subject",
                    "stage",
                    "professional_title",
                    "years_teaching",
                    "years_class_teacher",
                    "contact",
                    "email",
                    "enrolled_on",
                    "plan_due",
                    "status",
                )
            },
        },
    )
    assert response.status_code == 200, response.content[:500]
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("工号", "姓名", "学校", "层次")
    assert {r[1] for r in rows[1:]} == {xuhui.teacher.full_name, xuhui.lead.full_name}


def test_SJ_INIT_the_roster_marks_first_time_class_teachers_new_or_known(xuhui):
    """班主任阶段 in the roster sets the stage of a new teacher and updates a known one; a
    value the portal does not know is named by line and column, and nothing is written."""
    client = xuhui.client("staff")
    header = [*HEADER, "班主任阶段"]
    stages = {0: {"班主任阶段": "初任（见习）班主任"}, 1: {"班主任阶段": "qualified"}}
    confirm(client, preview(client, xuhui, roster(xuhui, 3, header=header, bad=stages)))
    with bureau_scope(xuhui.bureau):
        found = dict(
            TeacherProfile.objects.filter(staff_number__startswith="R").values_list(
                "staff_number", "class_teacher_stage"
            )
        )
    assert found == {"R00000": "first_time", "R00001": "qualified", "R00002": ""}
    # A year on, the first-time teacher is in the qualified stage; the others are left as they are.
    later = {0: {"班主任阶段": "合格期"}}
    confirm(client, preview(client, xuhui, roster(xuhui, 3, header=header, bad=later)))
    with bureau_scope(xuhui.bureau):
        assert TeacherProfile.objects.get(staff_number="R00000").class_teacher_stage == "qualified"
        assert TeacherProfile.objects.get(staff_number="R00001").class_teacher_stage == "qualified"
        audit = AuditEntry.objects.filter(action="roster.import").latest("created_at")
        assert audit.data["stages_updated"] == 1
    wrong = preview(client, xuhui, roster(xuhui, 3, header=header, bad={2: {"班主任阶段": "老手"}}))
    page = wrong.content.decode()
    assert "班主任阶段" in page and "老手" in page
    with bureau_scope(xuhui.bureau):
        assert TeacherProfile.objects.get(staff_number="R00002").class_teacher_stage == ""
