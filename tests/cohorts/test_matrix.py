"""The staff progress matrix: teachers × requirements × periods, counts, filters, export."""

import datetime as dt
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from accounts.models import TeacherProfile, User
from bureaus.tenancy import bureau_scope
from cohorts.models import Enrolment, Evidence
from cohorts.selectors import progress_matrix
from programmes.selectors import forget_specs


def add_teachers(cast, n: int, *, start: int = 0) -> None:
    tier = cast.programme.tiers.get(code="backbone")
    kind = cast.programme.requirements.get().criteria.first().kinds.get()
    for i in range(start, start + n):
        user = User.objects.create(
            bureau=cast.bureau, username=f"{cast.bureau.code}_m{i}", full_name=f"教师{i:03d}"
        )
        profile = TeacherProfile.objects.create(
            bureau=cast.bureau,
            user=user,
            staff_number=f"M{i:04d}",
            gender="F",
            school=cast.school if i % 2 else cast.other_school,
            subject="maths",
            stage="junior",
        )
        Enrolment.objects.create(
            bureau=cast.bureau,
            programme=cast.programme,
            teacher=profile,
            tier=tier,
            school=profile.school,
            enrolled_on=dt.date(2023, 9, 1),
        )
        evidence = Evidence.objects.create(
            bureau=cast.bureau,
            teacher=profile,
            kind=kind,
            title=f"课{i}",
            level=1,
            date=dt.date(2023 + i % 3, 10, 1),
            state="verified",
        )
        evidence.requirements.set(cast.programme.requirements.all())


def count_queries(cast) -> int:
    cast.programme.forget_calendar()  # as a fresh request reads it
    forget_specs()  # and the programme's configuration, not kept from the last count
    with bureau_scope(cast.bureau), CaptureQueriesContext(connection) as queries:
        from cohorts.models import Enrolment

        progress_matrix(
            cast.programme,
            Enrolment.objects.filter(programme=cast.programme),
            today=dt.date(2026, 7, 1),
        )
    return len(queries)


def test_the_matrix_query_count_does_not_grow_with_teachers(xuhui):
    with bureau_scope(xuhui.bureau):
        add_teachers(xuhui, 20)
    twenty = count_queries(xuhui)
    with bureau_scope(xuhui.bureau):
        add_teachers(xuhui, 180, start=20)
    two_hundred = count_queries(xuhui)
    assert twenty == two_hundred <= 11
    # The configuration unchanged since: its stamp is read instead of its seven tables.
    xuhui.programme.forget_calendar()
    with bureau_scope(xuhui.bureau), CaptureQueriesContext(connection) as warm:
        progress_matrix(
            xuhui.programme,
            Enrolment.objects.filter(programme=xuhui.programme),
            today=dt.date(2026, 7, 1),
        )
    assert len(warm) == two_hundred - 7


def test_the_matrix_page_with_counts_filters_and_export(xuhui):
    with bureau_scope(xuhui.bureau):
        add_teachers(xuhui, 6)
    client = xuhui.client("staff")
    url = f"/programmes/{xuhui.programme.pk}/progress/"
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert "教师003" in body and "2023学年" in body and "培养周期内" in body
    with bureau_scope(xuhui.bureau):
        leader = xuhui.programme.tiers.get(code="leader")
    only_leaders = client.get(url, {"tier": leader.pk}).content.decode()
    assert "教师003" not in only_leaders and xuhui.lead.full_name in only_leaders
    by_school = client.get(url, {"school": xuhui.other_school.pk}).content.decode()
    assert "教师000" in by_school and "教师001" not in by_school
    export = client.get(url, {"format": "xlsx", "tier": ""})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("姓名", "工号", "学校", "层次")
    assert len(rows) == 1 + 8  # the cast's two enrolments and six more
    assert {"已达成", "未达成", "—"} <= {v for r in rows[1:] for v in r[4:]}


def test_school_administrators_see_their_school_only_and_teachers_nothing(xuhui):
    with bureau_scope(xuhui.bureau):
        add_teachers(xuhui, 4)
    url = f"/programmes/{xuhui.programme.pk}/progress/"
    body = xuhui.client("school_admin").get(url).content.decode()
    assert "教师001" in body and "教师000" not in body  # odd ones are at the admin's school
    assert xuhui.client("teacher").get(url).status_code == 403


def test_programme_pages_describe_requirements_in_words(xuhui):
    client = xuhui.client("teacher")
    assert xuhui.programme.name in client.get("/programmes/").content.decode()
    body = client.get(f"/programmes/{xuhui.programme.pk}/").content.decode()
    assert "每学年" in body and "1 项校级及以上" in body
    assert "2023学年（2023.09.01–2024.08.31）" in body
