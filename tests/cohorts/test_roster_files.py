"""Rosters as schools really send them: csv files saved by Excel on Chinese Windows, files that
lack a column or cannot be read at all. Every problem is a plain Chinese line; nothing is
written unless the whole file is good."""

import csv
import io
import os

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from import_export.tmp_storages import MediaStorage

from accounts.models import TeacherProfile, User
from bureaus.spreadsheets import decode_text
from bureaus.tenancy import bureau_scope
from cohorts.models import RosterImport
from cohorts.tasks import run_roster_import

from .test_roster import CONFIRM_URL, HEADER, IMPORT_URL, confirm, enrolment_count, roster
from .test_roster_jobs import upload

XLSX, CSV = "0", "1"


def roster_csv(cast, names: list[str], encoding: str, *, header=HEADER) -> bytes:
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow(header)
    for i, name in enumerate(names):
        row = {
            "工号": f"C{i:04d}",
            "姓名": name,
            "学校": cast.school.name,
            "层次": "backbone",
            "性别": "女",
            "学科": "数学",
            "学段": "初中",
            "邮箱": f"c{i:04d}@example.edu.cn",
            "入选日期": "2023-09-01",
        }
        writer.writerow([row.get(column, "") for column in header])
    return stream.getvalue().encode(encoding)


def preview(client, cast, content: bytes, *, file_format=CSV, name="roster.csv"):
    return client.post(
        IMPORT_URL,
        {
            "format": file_format,
            "programme": cast.programme.pk,
            "import_file": SimpleUploadedFile(name, content),
        },
    )


def new_teachers(cast) -> dict[str, str]:
    with bureau_scope(cast.bureau):
        return dict(
            TeacherProfile.objects.filter(staff_number__startswith="C").values_list(
                "staff_number", "user__full_name"
            )
        )


def nothing_written(cast) -> bool:
    with bureau_scope(cast.bureau):
        return (
            enrolment_count(cast) == 2
            and not TeacherProfile.objects.filter(staff_number__regex=r"^[CR]\d").exists()
            and not User.objects.filter(username__startswith=f"{cast.bureau.code}-").exists()
        )


@pytest.mark.parametrize(
    "encoding, names",
    [
        ("gbk", ["张伟", "李娜"]),
        ("gb18030", ["吉𠮷", "王〇", "䶮一"]),
        ("utf-8-sig", ["张伟", "吉𠮷"]),
        ("utf-8", ["张伟", "吉𠮷"]),
    ],
)
def test_a_csv_saved_by_excel_is_read_in_its_encoding(xuhui, encoding, names):
    client = xuhui.client("staff")
    response = preview(client, xuhui, roster_csv(xuhui, names, encoding))
    assert response.status_code == 200
    assert "confirm_form" in response.context, response.content.decode()[-3000:]
    assert confirm(client, response).status_code == 302
    assert new_teachers(xuhui) == {f"C{i:04d}": name for i, name in enumerate(names)}
    assert enrolment_count(xuhui) == 2 + len(names)


def test_a_gbk_csv_is_read_by_the_background_import_too(xuhui):
    client = xuhui.client("staff")
    upload(client, xuhui, roster_csv(xuhui, ["张伟", "〇一"], "gb18030"), name="名单.csv")
    with bureau_scope(xuhui.bureau):
        job = RosterImport.objects.get(original_name="名单.csv")
    assert run_roster_import(job.pk, xuhui.bureau.pk) == "done"
    assert new_teachers(xuhui) == {"C0000": "张伟", "C0001": "〇一"}


def test_a_file_that_cannot_be_read_is_said_so_in_chinese_and_nothing_is_written(xuhui):
    client = xuhui.client("staff")
    garbage = os.urandom(4096)
    for file_format, name in ((CSV, "roster.csv"), (XLSX, "roster.xlsx")):
        response = preview(client, xuhui, garbage, file_format=file_format, name=name)
        body = response.content.decode()
        assert response.status_code == 200
        assert "无法读取该文件" in body
        assert "codec" not in body and "Error" not in body
        assert "confirm_form" not in response.context
    assert nothing_written(xuhui)


def test_a_file_that_cannot_be_read_fails_the_background_import_in_chinese(xuhui):
    client = xuhui.client("staff")
    upload(client, xuhui, os.urandom(4096), name="乱码.csv")
    with bureau_scope(xuhui.bureau):
        job = RosterImport.objects.get(original_name="乱码.csv")
    assert run_roster_import(job.pk, xuhui.bureau.pk) == "failed"
    with bureau_scope(xuhui.bureau):
        job.refresh_from_db()
    assert len(job.problems) == 1 and job.problems[0].startswith("无法读取该文件")
    page = client.get(f"/admin/cohorts/rosterimport/{job.pk}/change/").content.decode()
    assert "<li>无法读取该文件" in page
    assert nothing_written(xuhui)


def assert_no_internals(body: str) -> None:
    # "/work/": the server's folders ("/workshops/" is a link of the admin's menu).
    for leak in ("/work/", "Traceback", "site-packages", "ValidationError", "['"):
        assert leak not in body


@pytest.mark.parametrize("file_format", [XLSX, CSV])
def test_a_missing_column_is_named_in_chinese_without_a_traceback(xuhui, settings, file_format):
    settings.DEBUG = False
    header = ["工号", "姓名", "性别"]
    content = (
        roster(xuhui, 3, header=header)
        if file_format == XLSX
        else roster_csv(xuhui, ["张伟"], "utf-8", header=header)
    )
    response = preview(xuhui.client("staff"), xuhui, content, file_format=file_format)
    body = response.content.decode()
    assert response.status_code == 200
    assert "文件缺少以下列：学校、层次" in body
    assert_no_internals(body)
    assert "第 2 行" not in body  # the rows are not looked at
    assert nothing_written(xuhui)


def test_row_errors_name_line_and_column_without_a_field_label(xuhui, settings):
    settings.DEBUG = False
    bad = {0: {"工号": ""}, 2: {"教龄": "很多"}, 3: {"性别": "未知"}}
    response = preview(xuhui.client("staff"), xuhui, roster(xuhui, 4, bad=bad), file_format=XLSX)
    body = response.content.decode()
    assert "<li>第 2 行 工号 列：不能为空。</li>" in body
    assert "<li>第 4 行 教龄 列：应为 0 到 60 之间的整数（年）。</li>" in body
    assert "<li>第 5 行 性别 列：无法识别“未知”。</li>" in body
    assert "没有指定的字段" not in body and "Non field specific" not in body
    assert_no_internals(body)
    assert nothing_written(xuhui)


def test_background_import_problems_are_a_list_not_a_repr(xuhui):
    client = xuhui.client("staff")
    upload(client, xuhui, roster(xuhui, 3, header=["工号", "姓名", "层次"]))
    with bureau_scope(xuhui.bureau):
        job = RosterImport.objects.get(original_name="roster.xlsx")
    assert run_roster_import(job.pk, xuhui.bureau.pk) == "invalid"
    with bureau_scope(xuhui.bureau):
        job.refresh_from_db()
    assert job.problems == [
        "文件缺少以下列：学校。第一行应为列名：工号、姓名、学校、层次、性别、学科、学段、职称、"
        "教龄、班主任年限、班主任阶段、联系方式、邮箱、入选日期、规划截止。"
    ]
    page = client.get(f"/admin/cohorts/rosterimport/{job.pk}/change/").content.decode()
    assert '<ul class="import-problems"><li>文件缺少以下列：学校。' in page
    assert "[&#x27;" not in page and "['" not in page
    assert nothing_written(xuhui)


def test_the_confirm_step_with_an_invalid_file_writes_nothing(xuhui):
    """The confirm step reads the file again; if it is not good now, nothing is written."""
    client = xuhui.client("staff")
    stored = MediaStorage(read_mode="rb")
    stored.save(roster(xuhui, 5, bad={3: {"学校": "无此学校"}}))
    response = client.post(
        CONFIRM_URL,
        {
            "import_file_name": stored.name,
            "original_file_name": "roster.xlsx",
            "format": XLSX,
            "resource": "",
            "programme": xuhui.programme.pk,
        },
        follow=True,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "没有导入任何内容" in body
    assert "第 5 行 学校 列：“无此学校”不在本局的学校名单中。" in body
    assert nothing_written(xuhui)


@pytest.mark.parametrize(
    "text, encoding",
    [
        ("工号,姓名\n", "gbk"),  # a short file, where a guess over every code page goes wrong
        ("工号,姓名,学校\nR1,吉𠮷,一中\n", "gb18030"),
        ("工號,姓名\nR1,張三\n", "big5"),
        ("工号,姓名\nR1,王〇\n", "utf-8-sig"),
    ],
)
def test_the_text_of_a_csv_is_found_in_its_encoding(text, encoding):
    assert decode_text(text.encode(encoding)) == text


def test_random_bytes_are_not_text():
    with pytest.raises(ValidationError):
        decode_text(os.urandom(4096))
