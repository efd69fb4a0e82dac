"""No cell of a spreadsheet the portal hands out ever becomes a formula (OWASP, CSV injection):
text starting with = + - @, a tab or a carriage return is written as text, in every xlsx export
and in csv; numbers and dates stay numbers and dates."""

import csv
import datetime as dt
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from accounts.models import TeacherProfile, User
from bureaus.spreadsheets import csv_text, read_xlsx, xlsx_bytes
from bureaus.tenancy import bureau_scope
from cohorts.models import Enrolment
from cohorts.resources import RosterResource
from workshops.models import Team

from .cohorts.test_roster import HEADER, IMPORT_URL, enrolment_count
from .workshops.test_programme_pages import (
    board_url,
    make_team,
    quarterly,
    sessions,
    sessions_url,
)

NAMES = ['=HYPERLINK("http://x","y")', "=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"]


def read_back(value: str) -> str:
    # XML turns a bare carriage return into a line feed when any reader parses the sheet.
    return value.replace("\r", "\n")


def cells(content: bytes):
    """Every row of the first sheet as (value, data type) pairs."""
    sheet = load_workbook(io.BytesIO(content)).active
    return [[(cell.value, cell.data_type) for cell in row] for row in sheet.iter_rows()]


def test_the_writer_keeps_formula_text_as_text_and_numbers_and_dates_typed():
    content = xlsx_bytes(
        [
            ["name", "n", "d", "day"],
            *[[name, 3, Decimal("2.5"), dt.date(2024, 9, 1)] for name in NAMES],
        ],
        title="x",
    )
    rows = cells(content)
    for name, row in zip(NAMES, rows[1:], strict=True):
        assert row[0] == (read_back(name), "s")
        assert row[1] == (3, "n") and row[2] == (2.5, "n")
        assert row[3][1] == "d" and row[3][0].date() == dt.date(2024, 9, 1)
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet["A2"].quotePrefix  # editing the cell in Excel keeps it text too


def test_the_csv_writer_puts_a_quote_before_formula_text_only():
    text = csv_text([["name", "n"], *[[name, -1] for name in NAMES], ["王老师", 2]])
    rows = list(csv.reader(io.StringIO(text)))
    assert [row[0] for row in rows[1:-1]] == ["'" + name for name in NAMES]
    assert {row[1] for row in rows[1:-1]} == {"-1"}  # a number is not text: no quote
    assert rows[-1] == ["王老师", "2"]


def nasty_teachers(cast) -> list[TeacherProfile]:
    """One enrolled teacher per dangerous name, at the cast's school."""
    tier = cast.programme.tiers.get(code="backbone")
    profiles = []
    for i, name in enumerate(NAMES):
        user = User.objects.create(
            bureau=cast.bureau, username=f"nasty{i}", full_name=name, email=f"n{i}@example.edu.cn"
        )
        profile = TeacherProfile.objects.create(
            bureau=cast.bureau,
            user=user,
            staff_number=f"N{i}",
            gender="F",
            school=cast.school,
            subject="maths",
            stage="junior",
            years_teaching=10 + i,
        )
        Enrolment.objects.create(
            bureau=cast.bureau,
            programme=cast.programme,
            teacher=profile,
            tier=tier,
            school=cast.school,
            enrolled_on=dt.date(2023, 9, 1),
        )
        profiles.append(profile)
    return profiles


def test_the_progress_matrix_export_writes_names_as_text(xuhui):
    with bureau_scope(xuhui.bureau):
        nasty_teachers(xuhui)
    response = xuhui.client("staff").get(
        f"/programmes/{xuhui.programme.pk}/progress/", {"format": "xlsx"}
    )
    assert response.status_code == 200
    by_name = {row[0][0]: row for row in cells(response.content)[1:]}
    for name in NAMES:
        assert by_name[read_back(name)][0][1] == "s"


# The export form asks which of the roster's columns to write: all of them.
ROSTER_FIELDS = RosterResource._meta.fields


def export_roster(cast, file_format: str):
    return cast.client("staff").post(
        "/admin/cohorts/enrolment/export/",
        {
            "format": file_format,
            "resource": "0",
            **{f"rosterresource_{field}": "on" for field in ROSTER_FIELDS},
        },
    )


def test_the_roster_export_in_the_admin_writes_names_as_text_and_numbers_as_numbers(xuhui):
    with bureau_scope(xuhui.bureau):
        nasty_teachers(xuhui)
    response = export_roster(xuhui, "0")
    assert response.status_code == 200
    rows = cells(response.content)
    assert [value for value, _type in rows[0][:2]] == ["工号", "姓名"]
    by_number = {row[0][0]: row for row in rows[1:]}
    at = {value: i for i, (value, _type) in enumerate(rows[0])}
    for i, name in enumerate(NAMES):
        row = by_number[f"N{i}"]
        assert row[1] == (read_back(name), "s")
        assert row[at["教龄"]] == (10 + i, "n")
        assert row[at["入选日期"]][1] == "d"
        assert row[at["入选日期"]][0].date() == dt.date(2023, 9, 1)


def test_the_roster_export_as_csv_puts_a_quote_before_formula_text(xuhui):
    with bureau_scope(xuhui.bureau):
        nasty_teachers(xuhui)
    response = export_roster(xuhui, "1")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_number = {row[0]: row for row in rows[1:]}
    for i, name in enumerate(NAMES):
        assert by_number[f"N{i}"][1] == "'" + name
        assert by_number[f"N{i}"][8] == str(10 + i)


def test_the_briefing_board_export_writes_team_and_lead_names_as_text(xuhui):
    with bureau_scope(xuhui.bureau):
        User.objects.filter(pk=xuhui.lead.pk).update(full_name=NAMES[0])
        for name in NAMES:
            quarterly(xuhui, make_team(xuhui, "workshop", name))
    response = xuhui.client("staff").get(
        board_url(xuhui), {"school_year": "2023", "format": "xlsx"}
    )
    assert response.status_code == 200
    rows = cells(response.content)[1:]
    teams = {row[0][0]: row for row in rows}
    for name in NAMES:
        assert teams[read_back(name)][0][1] == "s"
    assert all(row[2] == (NAMES[0], "s") for row in rows)  # the lead


def test_the_session_hours_export_writes_names_as_text_and_hours_as_numbers(xuhui):
    with bureau_scope(xuhui.bureau):
        sessions(xuhui)
        User.objects.filter(pk=xuhui.teacher.pk).update(full_name="=1+1")
        User.objects.filter(pk=xuhui.mentor.pk).update(full_name="@SUM(A1)")
        assert Team.objects.filter(kind="training_group").exists()
    response = xuhui.client("leader").get(
        sessions_url(xuhui), {"school_year": "2023", "format": "xlsx"}
    )
    rows = {row[0][0]: row for row in cells(response.content)[1:]}
    teacher, mentor = rows["=1+1"], rows["@SUM(A1)"]
    assert teacher[0][1] == "s" and mentor[0][1] == "s"
    assert [value for value, _type in teacher[3:]] == [3, 4, 7, 3, 0, 0, 0, 4, 0.5]
    assert {data_type for _value, data_type in teacher[3:]} == {"n"}


# --- Formulas in an uploaded roster ---------------------------------------------------------------


def roster_with_formulas(cast) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    base = [cast.school.name, "backbone", "女", "数学", "初中", "", 10, 4, "", "", "2023-09-01"]
    sheet.append(["F00001", "=1+1", *base])  # openpyxl stores text from "=" as a formula
    sheet.append(["F00002", "王老师", *base])
    sheet.append(["=A2", "李老师", *base])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_formula_cell_in_an_uploaded_roster_is_read_as_a_formula():
    book = Workbook()
    book.active.append(["姓名"])
    book.active.append(["=1+1"])
    buffer = io.BytesIO()
    book.save(buffer)
    dataset = read_xlsx(buffer.getvalue())
    assert type(dataset[0][0]).__name__ == "Formula" and dataset[0][0] == "=1+1"


def test_a_formula_cell_in_the_roster_is_reported_as_a_formula_not_as_empty(xuhui):
    response = xuhui.client("staff").post(
        IMPORT_URL,
        {
            "format": "0",
            "programme": xuhui.programme.pk,
            "import_file": SimpleUploadedFile("roster.xlsx", roster_with_formulas(xuhui)),
        },
    )
    body = response.content.decode()
    assert "第 2 行 姓名 列是公式，请改为文字" in body
    assert "第 4 行 工号 列是公式，请改为文字" in body
    assert "为空" not in body
    assert "第 3 行" not in body
    assert enrolment_count(xuhui) == 2


def test_full_width_formula_starts_are_written_as_text_too():
    names = ["＝1+1", "＋1", "－1", "＠SUM(A1)"]
    rows = cells(xlsx_bytes([["name"], *[[n] for n in names]], title="x"))
    assert [row[0] for row in rows[1:]] == [(n, "s") for n in names]
    text = csv_text([[n] for n in names])
    assert [row[0] for row in csv.reader(io.StringIO(text))] == ["'" + n for n in names]


def test_a_control_character_in_a_name_does_not_break_the_export():
    content = xlsx_bytes([["name"], ["王\x0b老师"], ["=1+1\x01"]], title="x")
    rows = cells(content)
    assert rows[1] == [("王老师", "s")] and rows[2] == [("=1+1", "s")]
