"""The leadership's assessment spreadsheets: export (xlsx, csv; large ones through the outbox,
served only to the bureau's staff and leadership) and the import of results (a dry run that
names each problem by row and column; all or nothing)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from assessments import services
from assessments.models import AssessmentDecision, ComponentAssessment, UnitAssessment
from bureaus import outbox
from bureaus.models import AuditEntry, OutboxJob, StoredExport
from bureaus.tenancy import bureau_scope
from tests.assessments.helpers import component, make_scheme
from tests.test_no_rule_ids_on_pages import RULE_ID

HYPERLINK = '=HYPERLINK("http://evil.example/","点我")'


def finalise(cast, scheme, enrolment, year_key, result, *, score=None):
    assessment = services.assessment_get_or_open(
        enrolment=enrolment, scheme=scheme, year_key=year_key
    )
    for level in ("self", "school", "district"):
        services.component_file(
            actor=cast.staff,
            assessment=assessment,
            component=component(scheme, level),
            result="pass",
            score=score,
            text="" if score is not None else "",
        )
    decision = services.decision_make(
        actor=cast.staff, assessment=assessment, result=result, comment="材料齐全"
    )
    services.decision_finalise(actor=cast.staff, decision=decision)
    return assessment


@pytest.fixture
def assessed(xuhui):
    """A scored annual scheme; the teacher (骨干) failed 2023 and has a name that looks like a
    formula; the lead (带头人) is not assessed yet."""
    scheme = make_scheme(xuhui, scored=True)
    with bureau_scope(xuhui.bureau):
        xuhui.teacher.full_name = HYPERLINK
        xuhui.teacher.save(update_fields=["full_name"])
        finalise(xuhui, scheme, xuhui.extras["enrolment_backbone"], "2023", "fail", score=50)
    return scheme


def export_post(client, scheme, **extra):
    data = {
        "subject": "teachers",
        "programme": scheme.programme_id,
        "kind": "annual",
        "year": "2023",
        "file_format": "xlsx",
        **extra,
    }
    return client.post("/assessments/sheets/export/", data)


def test_the_xlsx_has_chinese_headers_one_row_per_teacher_text_and_numbers(xuhui, assessed):
    response = export_post(xuhui.client("leader"), assessed)
    assert response.status_code == 200, response.content[:500]
    book = load_workbook(
        io.BytesIO(
            b"".join(response.streaming_content if response.streaming else [response.content])
        )
    )
    sheet = book.active
    rows = list(sheet.iter_rows())
    headers = [c.value for c in rows[0]]
    assert headers[:4] == ["工号", "姓名", "学校", "层次"]
    assert "项目考核（区级）" in headers and "项目考核（区级）分数" in headers
    for name in ("最终结果", "评语", "决定日期", "处理", "状态", "任务二"):
        assert name in headers
    assert len(rows) == 1 + 2  # one row per enrolled teacher
    by_number = {r[0].value: r for r in rows[1:]}
    teacher = by_number[xuhui.teacher.teacher_profile.staff_number]
    name = teacher[1]
    assert name.value == HYPERLINK and name.data_type == "s"  # text, not a formula
    cell = dict(zip(headers, teacher, strict=True))
    assert (
        cell["项目考核（区级）分数"].value == 50 and cell["项目考核（区级）分数"].data_type == "n"
    )
    assert cell["项目考核（区级）"].value == "合格"
    assert cell["最终结果"].value == "不合格"
    assert cell["决定日期"].is_date
    assert "警告" in cell["处理"].value and "整改" in cell["处理"].value  # XH-FAIL-1
    assert cell["任务二"].value in {"已完成", "未完成", "进行中"}
    lead = dict(zip(headers, by_number[xuhui.lead.teacher_profile.staff_number], strict=True))
    assert lead["最终结果"].value in (None, "")


def test_the_csv_escapes_formulas_and_filters_by_tier(xuhui, assessed):
    with bureau_scope(xuhui.bureau):
        backbone = xuhui.programme.tiers.get(code="backbone")
    response = export_post(xuhui.client("staff"), assessed, file_format="csv", tier=backbone.pk)
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["工号", "姓名", "学校", "层次"]
    assert len(rows) == 2  # the backbone teacher only
    assert rows[1][1] == "'" + HYPERLINK


def test_the_units_sheet(xuhui, assessed):
    with bureau_scope(xuhui.bureau):
        services.unit_assessment_decide(
            actor=xuhui.staff,
            programme=xuhui.programme,
            year_key="2023",
            result="excellent",
            comment="=1+1",
            school=xuhui.other_school,
        )
    response = export_post(xuhui.client("leader"), assessed, subject="units", kind="annual")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0] == ["单位", "单位类型", "年度", "最终结果", "评语"]
    assert rows[1][0] == xuhui.other_school.name and rows[1][3] == "优秀"
    assert rows[1][4] == "=1+1" and sheet.cell(2, 5).data_type == "s"
    assert UnitAssessment.objects.all_bureaus().count() == 1


def test_a_large_export_runs_through_the_outbox_and_is_served_only_to_the_bureau(
    xuhui, putuo, assessed, settings
):
    settings.EXPORT_ROWS_IN_REQUEST = 1
    response = export_post(xuhui.client("staff"), assessed)
    assert response.status_code == 302
    with bureau_scope(xuhui.bureau):
        export = StoredExport.objects.get()
        job = OutboxJob.objects.get(task__endswith="run_stored_export")
        assert AuditEntry.objects.filter(action="export.request").count() == 1
    assert response["Location"] == f"/assessments/sheets/export/{export.pk}/"
    page = xuhui.client("leader").get(response["Location"])
    assert page.status_code == 200 and b'http-equiv="refresh"' in page.content
    assert outbox.run(job.pk, xuhui.bureau.pk) == "done"
    with bureau_scope(xuhui.bureau):
        export.refresh_from_db()
    assert export.status == "done" and export.total_rows == 2 and export.percent == 100
    page = xuhui.client("leader").get(response["Location"])
    assert b"refresh" not in page.content and b"/file/" in page.content
    url = f"/assessments/sheets/export/{export.pk}/file/"
    for who in ("staff", "leader"):
        got = xuhui.client(who).get(url)
        assert got.status_code == 200
        sheet = load_workbook(io.BytesIO(b"".join(got.streaming_content))).active
        assert sheet.max_row == 3
    assert xuhui.client("teacher").get(url).status_code == 403
    assert xuhui.client("school_admin").get(url).status_code == 403
    assert putuo.client("staff").get(url).status_code == 404
    assert putuo.client("leader").get(response["Location"]).status_code == 404
    # A second delivery of the job writes nothing again.
    with bureau_scope(xuhui.bureau):
        from bureaus.exports import run_stored_export

        assert run_stored_export(export.pk, xuhui.bureau.pk) == "not queued"


# --- Import ---------------------------------------------------------------------------------------


def sheet_bytes(rows, *, file_format="xlsx") -> bytes:
    if file_format == "csv":
        stream = io.StringIO()
        csv.writer(stream).writerows(rows)
        return stream.getvalue().encode("utf-8-sig")
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def import_post(client, scheme, data: bytes, name="结果.xlsx", year="2024"):
    return client.post(
        "/assessments/sheets/import/",
        {
            "programme": scheme.programme_id,
            "kind": "annual",
            "year": year,
            "file": SimpleUploadedFile(name, data),
        },
    )


def numbers(cast):
    return (
        cast.teacher.teacher_profile.staff_number,
        cast.lead.teacher_profile.staff_number,
    )


def test_the_dry_run_names_each_problem_by_row_and_column_and_writes_nothing(xuhui, assessed):
    teacher, lead = numbers(xuhui)
    data = sheet_bytes(
        [
            ["工号", "姓名", "最终结果", "评语", "项目考核（区级）分数"],
            [teacher, "甲", "很好", "", ""],
            [lead, "乙", "合格", '=HYPERLINK("x")', ""],
            ["NOBODY", "丙", "合格", "", ""],
            [teacher, "甲", "合格", "", "120"],
        ]
    )
    response = import_post(xuhui.client("staff"), assessed, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "“很好”不是本考核的结果" in page  # row 2, 最终结果
    assert "公式" in page and "评语" in page  # row 3
    assert "本项目没有这个工号的学员" in page  # row 4
    assert "与第2行的工号相同" in page  # row 5
    assert "0 到 100 的分数" in page
    check = response.context["check"]
    assert [(r.line, [p.column for p in r.problems]) for r in check.rows] == [
        (2, ["最终结果"]),
        (3, ["评语"]),
        (4, ["工号"]),
        (5, ["工号", "项目考核（区级）分数"]),
    ]
    assert "token" not in response.context
    with bureau_scope(xuhui.bureau):
        assert not AssessmentDecision.objects.filter(assessment__year_key="2024").exists()


def test_a_valid_sheet_is_confirmed_and_written_as_drafts_with_one_audit_row(xuhui, assessed):
    teacher, lead = numbers(xuhui)
    data = sheet_bytes(
        [
            ["工号", "姓名", "项目考核（区级）", "项目考核（区级）分数", "最终结果", "评语"],
            [teacher, "甲", "优秀", 95, "优秀", "示范课出色"],
            ["", "", "", "", "", ""],
            [lead, "乙", "", "", "合格", ""],
        ],
        file_format="csv",
    )
    staff = xuhui.client("staff")
    response = import_post(staff, assessed, data, name="结果.csv")
    check = response.context["check"]
    assert check.valid, check.problem_lines()
    assert [r.line for r in check.rows] == [2, 4]  # the blank row keeps the numbering
    token = response.context["token"]
    done = staff.post("/assessments/sheets/import/confirm/", {"token": token}, follow=True)
    assert done.status_code == 200
    assert "已导入" in done.content.decode()
    with bureau_scope(xuhui.bureau):
        drafts = AssessmentDecision.objects.filter(assessment__year_key="2024")
        assert sorted(drafts.values_list("result", flat=True)) == ["excellent", "pass"]
        assert all(d.finalised_at is None for d in drafts)
        filing = ComponentAssessment.objects.get(
            assessment__year_key="2024", component__level="district"
        )
        assert (filing.result, filing.score) == ("excellent", 95)
        entries = AuditEntry.objects.filter(action="assessment.import")
        assert entries.count() == 1
        assert entries.get().data["new"] == 2
    # The same token is spent.
    again = staff.post("/assessments/sheets/import/confirm/", {"token": token}, follow=True)
    assert "请重新上传" in again.content.decode()


def test_nothing_is_written_unless_every_row_is_valid(xuhui, assessed):
    import tablib
    from django.core.exceptions import ValidationError

    teacher, lead = numbers(xuhui)
    dataset = tablib.Dataset(
        [teacher, "优秀"], [lead, "不存在的结果"], headers=["工号", "最终结果"]
    )
    with bureau_scope(xuhui.bureau):
        with pytest.raises(ValidationError) as refused:
            services.decisions_import(
                actor=xuhui.staff, scheme=assessed, year_key="2024", dataset=dataset
            )
        assert "第3行" in refused.value.messages[0]
        assert not AssessmentDecision.objects.filter(assessment__year_key="2024").exists()
        assert not AuditEntry.objects.filter(action="assessment.import").exists()


def test_a_finalised_assessment_is_reported_locked_per_row(xuhui, assessed):
    teacher, lead = numbers(xuhui)
    data = sheet_bytes([["工号", "最终结果"], [teacher, "合格"], [lead, "合格"]])
    response = import_post(xuhui.client("staff"), assessed, data, year="2023")
    check = response.context["check"]
    assert not check.valid
    teacher_row, lead_row = check.rows
    assert teacher_row.locked and "锁定" in teacher_row.problems[0].message
    assert not lead_row.problems


def test_only_staff_import(xuhui, assessed):
    data = sheet_bytes([["工号", "最终结果"], ["x", "合格"]])
    assert import_post(xuhui.client("leader"), assessed, data).status_code == 403
    assert xuhui.client("teacher").get("/assessments/sheets/export/").status_code == 403


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("结果.xlsx", b"this is not a workbook at all", "无法读取"),
        ("结果.xlsx", b"", "空文件"),
        ("结果.csv", "姓名,学校\n甲,一中\n".encode(), "第一行需要有这些列：工号、最终结果"),
        ("结果.csv", "工号,最终结果\n".encode(), "没有可导入的行"),
        ("结果.csv", b"\x00\xff\xfe garbage \x00", "无法读取"),
        ("结果.pdf", b"%PDF-1.4", "请上传 .xlsx 或 .csv"),
    ],
)
def test_crafted_files_get_a_clear_chinese_message(xuhui, assessed, settings, name, data, message):
    settings.DEBUG = False
    response = import_post(xuhui.client("staff"), assessed, data, name=name)
    assert response.status_code == 200
    assert message in response.content.decode(), response.content.decode()[-3000:]


def test_a_formula_in_an_uploaded_workbook_is_refused(xuhui, assessed):
    teacher, _lead = numbers(xuhui)
    data = sheet_bytes([["工号", "最终结果"], [teacher, '=IF(1,"合格","不合格")']])
    response = import_post(xuhui.client("staff"), assessed, data)
    check = response.context["check"]
    assert [p.column for p in check.rows[0].problems] == ["最终结果"]
    assert "公式" in check.rows[0].problems[0].message


ENGLISH = re.compile(r"\b[A-Za-z]{4,}(?: [A-Za-z]{2,})+\b")  # a few English words in a row


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"&[a-z#0-9]+;", " ", html)


def test_the_pages_speak_chinese_without_rule_ids(xuhui, assessed, settings):
    """Every page of the spreadsheets, the dry run with its problems and the progress page: no
    untranslated English and no rule id (they are read by staff and leadership)."""
    settings.EXPORT_ROWS_IN_REQUEST = 1
    teacher, _lead = numbers(xuhui)
    staff = xuhui.client("staff")
    bad = sheet_bytes([["工号", "最终结果"], [teacher, "很好"], ["NOBODY", "=1+1"]])
    good = sheet_bytes([["工号", "最终结果"], [teacher, "合格"]])
    job = export_post(staff, assessed)["Location"]
    pages = [
        xuhui.client("leader").get("/assessments/sheets/export/"),
        staff.get("/assessments/sheets/export/"),
        staff.get("/assessments/sheets/import/"),
        import_post(staff, assessed, bad),
        import_post(staff, assessed, good, year="2024"),
        import_post(staff, assessed, b"not a workbook"),
        staff.get(job),
        staff.post("/assessments/sheets/export/", {"subject": "teachers", "kind": "annual"}),
    ]
    for response in pages:
        assert response.status_code == 200
        text = visible_text(response.content.decode())
        english = [w for w in ENGLISH.findall(text) if "HYPERLINK" not in w]
        assert not english, (response.request["PATH_INFO"], english)
        assert not RULE_ID.findall(text)
        assert "考核" in text


def test_the_benchmark_runs_at_a_small_size():
    """bench/bench_assessment_export.py at a tiny size: it runs and reports (not the goals)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "BENCH_SCALE": "0.005", "BENCH_NO_EXIT_STATUS": "1"}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, str(root / "bench" / "bench_assessment_export.py")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "export" in done.stdout and "import" in done.stdout


def test_a_link_may_choose_the_programme_and_year(xuhui, assessed):
    url = f"/assessments/sheets/export/?programme={xuhui.programme.pk}&kind=annual&year=2024"
    form = xuhui.client("leader").get(url).context["form"]
    assert form["programme"].value() == str(xuhui.programme.pk)
    assert form["year"].value() == "2024"


def test_a_draft_finalised_while_the_sheet_is_checked_writes_nothing(xuhui, assessed, monkeypatch):
    import tablib
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from assessments import imports

    teacher, _lead = numbers(xuhui)
    with bureau_scope(xuhui.bureau):
        assessment = services.assessment_get_or_open(
            enrolment=xuhui.extras["enrolment_backbone"], scheme=assessed, year_key="2024"
        )
        services.decision_make(actor=xuhui.staff, assessment=assessment, result="pass")
        checked = imports.check_sheet

        def checked_then_finalised(*args, **kwargs):
            check = checked(*args, **kwargs)
            AssessmentDecision.objects.filter(assessment=assessment).update(
                finalised_at=timezone.now(), finalised_by=xuhui.staff
            )
            return check

        monkeypatch.setattr(imports, "check_sheet", checked_then_finalised)
        dataset = tablib.Dataset([teacher, "优秀"], headers=["工号", "最终结果"])
        with pytest.raises(ValidationError):
            services.decisions_import(
                actor=xuhui.staff, scheme=assessed, year_key="2024", dataset=dataset
            )
        assert AssessmentDecision.objects.get(assessment=assessment).result == "pass"


def test_the_sheet_reads_in_five_queries_whatever_the_rows_and_shows_the_decision_in_force(
    xuhui, assessed, django_assert_max_num_queries
):
    """Components, the people, the year's filings and decisions (one read), the consequences in
    force and the calendar: five queries for one assessed teacher or two; a correction replaces
    the corrected decision on the sheet and its consequences leave the 处理 column."""
    from assessments import exports

    def sheet():
        assessed.programme.forget_calendar()
        with django_assert_max_num_queries(5):
            made = exports.teacher_sheet(assessed, year_key="2023", requirements=False)
            rows = list(made.rows())
        headers = made.headers
        return {r[0]: dict(zip(headers, r, strict=True)) for r in rows}

    teacher, lead = numbers(xuhui)
    with bureau_scope(xuhui.bureau):
        rows = sheet()
        assert rows[teacher]["最终结果"] == "不合格"
        assert "警告" in rows[teacher]["处理"] and "整改" in rows[teacher]["处理"]
        assert rows[lead]["最终结果"] == "" and rows[lead]["决定日期"] is None
        finalise(xuhui, assessed, xuhui.extras["enrolment_leader"], "2023", "excellent", score=95)
        decision = AssessmentDecision.objects.get(
            assessment__enrolment=xuhui.extras["enrolment_backbone"],
            assessment__year_key="2023",
        )
        services.decision_correct(
            actor=xuhui.staff, decision=decision, result="pass", reason="复核改判", comment="改判"
        )
        rows = sheet()
        assert rows[teacher]["最终结果"] == "合格" and rows[teacher]["评语"] == "改判"
        assert rows[teacher]["处理"] == ""
        assert rows[lead]["最终结果"] == "优秀" and "奖励" in rows[lead]["处理"]
