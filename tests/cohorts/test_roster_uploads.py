"""A roster workbook is checked like any upload before openpyxl reads it: a zip bomb or a
workbook with macros is refused, in Chinese and without a server error, by the admin's import
preview, by the background import's upload form and by the background task itself; a roster has
at most ROSTER_MAX_ROWS rows; a long name keeps its extension."""

import io
import zipfile

import pytest
from django.core.files.base import ContentFile

from bureaus.tenancy import bureau_scope
from cohorts.models import RosterImport
from cohorts.tasks import run_roster_import
from tests.uploads import make_corpus

from .test_roster import roster
from .test_roster_files import CSV, XLSX, nothing_written, preview, roster_csv
from .test_roster_jobs import upload

MiB = 1024 * 1024
SAMPLES = {sample.key: sample for sample in make_corpus.SAMPLES}


def xlsm_renamed(cast) -> bytes:
    """A macro-enabled workbook (its main part declared so, with a VBA project) named .xlsx."""
    source = zipfile.ZipFile(io.BytesIO(roster(cast, 3)))
    members = {info.filename: source.read(info) for info in source.infolist()}
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    assert b"macroEnabled" in members["[Content_Types].xml"]
    members["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    return make_corpus.zipped(members)


REFUSED = {
    "bomb": (lambda cast: SAMPLES["zip-bomb.xlsx"].build(), "无法安全检查"),
    "macros": (xlsm_renamed, "含有宏"),
}


@pytest.mark.parametrize("case", REFUSED)
def test_a_dangerous_workbook_is_refused_by_the_admin_preview(xuhui, case):
    build, reason = REFUSED[case]
    response = preview(
        xuhui.client("staff"), xuhui, build(xuhui), file_format=XLSX, name="名单.xlsx"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "“名单.xlsx”" in body and reason in body and "不能上传" in body
    assert "confirm_form" not in response.context
    assert nothing_written(xuhui)


@pytest.mark.parametrize("case", REFUSED)
def test_a_dangerous_workbook_is_refused_by_the_background_import_form(xuhui, case):
    build, reason = REFUSED[case]
    response = upload(xuhui.client("staff"), xuhui, build(xuhui), name="名单.xlsx")
    assert response.status_code == 200  # the form again, never a server error
    body = response.content.decode()
    assert "“名单.xlsx”" in body and reason in body
    assert not RosterImport.objects.all_bureaus().filter(original_name="名单.xlsx").exists()


@pytest.mark.parametrize("case", REFUSED)
def test_a_dangerous_workbook_fails_the_background_task_in_chinese(xuhui, case):
    """A file that reached the queue some other way is checked by the task too."""
    build, reason = REFUSED[case]
    with bureau_scope(xuhui.bureau):
        job = RosterImport(
            bureau=xuhui.bureau,
            programme=xuhui.programme,
            original_name="名单.xlsx",
            created_by=xuhui.staff,
        )
        job.file.save("名单.xlsx", ContentFile(build(xuhui)), save=True)
    assert run_roster_import(job.pk, xuhui.bureau.pk) == "failed"
    with bureau_scope(xuhui.bureau):
        job.refresh_from_db()
    assert len(job.problems) == 1 and reason in job.problems[0]
    assert nothing_written(xuhui)


@pytest.mark.parametrize("file_format", [XLSX, CSV])
def test_a_roster_of_more_rows_than_allowed_is_refused(xuhui, settings, file_format):
    settings.ROSTER_MAX_ROWS = 5
    if file_format == XLSX:
        content, name = roster(xuhui, 6), "名单.xlsx"
    else:
        content, name = roster_csv(xuhui, [f"老师{i}" for i in range(6)], "utf-8"), "名单.csv"
    response = preview(xuhui.client("staff"), xuhui, content, file_format=file_format, name=name)
    assert response.status_code == 200
    assert "文件超过 5 行" in response.content.decode()
    assert "confirm_form" not in response.context
    assert nothing_written(xuhui)


def test_a_roster_of_as_many_rows_as_allowed_is_read(xuhui, settings):
    settings.ROSTER_MAX_ROWS = 5
    response = preview(
        xuhui.client("staff"), xuhui, roster(xuhui, 5), file_format=XLSX, name="a.xlsx"
    )
    assert "confirm_form" in response.context, response.content.decode()[-2000:]


def test_the_background_task_stops_at_the_row_limit(xuhui, settings):
    upload(xuhui.client("staff"), xuhui, roster(xuhui, 6), name="名单.xlsx")
    settings.ROSTER_MAX_ROWS = 5
    with bureau_scope(xuhui.bureau):
        job = RosterImport.objects.get(original_name="名单.xlsx")
    assert run_roster_import(job.pk, xuhui.bureau.pk) == "failed"
    with bureau_scope(xuhui.bureau):
        job.refresh_from_db()
    assert job.problems[0].startswith("文件超过 5 行")
    assert nothing_written(xuhui)


def test_a_long_workbook_name_keeps_its_extension_and_is_read_as_a_workbook(xuhui):
    name = "研修名单" * 55 + ".xlsx"  # 225 characters
    response = upload(xuhui.client("staff"), xuhui, roster(xuhui, 3), name=name)
    assert response.status_code == 302
    with bureau_scope(xuhui.bureau):
        job = RosterImport.objects.get(original_name__startswith="研修名单")
    assert job.original_name.endswith(".xlsx") and len(job.original_name) == 200
    assert run_roster_import(job.pk, xuhui.bureau.pk) == "done", job.problems
