"""Benchmark: importing a 10,000-row xlsx roster of teachers new to the bureau.

    cd /work/main && .venv/bin/python bench/bench_roster_import.py

Measures, on one throwaway database, each run into a fresh bureau and programme:

* floor: openpyxl ``load_workbook(read_only=True)``, then the same rows the import writes — users
  (one ``make_password(None)`` for all, as the import does), their teacher-group membership,
  teacher profiles, enrolments, the enrolments' first status change and one audit row — built as
  objects and written with ``bulk_create`` in batches of 1,000, in one transaction;
* measured: reading the file into a tablib Dataset (``import_export``'s XLSX format) and
  ``RosterResource(programme=…, actor=…).import_data(dataset, dry_run=False)``.

Goal: at most 1.5× the floor, and queries growing with rows ÷ batch size (the same import of
1,000 rows is measured too and both counts printed). Exits 0 whatever the result.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import (  # noqa: E402
    django_environment,
    finish,
    make_staff_user,
    measure_together,
    print_table,
    scaled,
    school_name,
    verdict,
)

ROWS = scaled(10_000)
SMALL = scaled(1_000)
REPEAT = 3
SCHOOLS = 40
BATCH = 1000
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
    "入选日期",
]
SUBJECTS = [("数学", "maths"), ("语文", "chinese"), ("英语", "english"), ("物理", "physics")]
STAGES = [("初中", "junior"), ("小学", "primary"), ("高中", "senior")]
TITLES = [("一级教师", "first"), ("高级教师", "senior"), ("二级教师", "second")]


def roster(rows: int) -> bytes:
    """An xlsx roster of ``rows`` teachers new to the bureau, as a school would send it."""
    from openpyxl import Workbook

    book = Workbook()  # not write-only, which leaves out the sheet's size (Excel never does)
    sheet = book.active
    sheet.title = "名单"
    sheet.append(HEADER)
    for i in range(rows):
        years = 3 + i % 30
        sheet.append(
            [
                f"R{i:05d}",
                f"新教师{i:05d}",
                school_name(i % SCHOOLS),
                "骨干教师" if i % 3 else "学科带头人",  # tier names, as people write them
                "女" if i % 3 else "男",
                SUBJECTS[i % len(SUBJECTS)][0],
                STAGES[i % len(STAGES)][0],
                TITLES[i % len(TITLES)][0],
                years,
                years // 3,
                f"1380000{i:04d}" if i % 2 else "",
                "2023-09-01",
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


_codes = itertools.count(1)


def fresh_programme():
    """A new bureau with its schools, a programme with two tiers, and a staff user: every run
    imports into an empty bureau, as the first roster of a programme does."""
    from bureaus.models import Bureau, School
    from bureaus.tenancy import bureau_scope
    from programmes.models import Programme, Tier

    n = next(_codes)
    bureau = Bureau.objects.create(code=f"r{n}", name=f"基准{n}区教育局", short_name=f"基准{n}")
    with bureau_scope(bureau):
        School.objects.bulk_create(
            [School(bureau=bureau, name=school_name(i), stage="junior") for i in range(SCHOOLS)]
        )
        programme = Programme.objects.create(
            bureau=bureau,
            code="backbone-2023",
            name="骨干教师培养工程",
            start_month=dt.date(2023, 9, 1),
            end_month=dt.date(2026, 8, 1),
            status="active",
        )
        for order, (code, name) in enumerate([("leader", "学科带头人"), ("backbone", "骨干教师")]):
            Tier.objects.create(
                bureau=bureau, programme=programme, code=code, name=name, order=order
            )
    return bureau, programme, make_staff_user(bureau)


def floor(content: bytes, bureau, programme, actor) -> int:
    """Read the rows with openpyxl and write what the import writes, in batches of 1,000."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import transaction
    from openpyxl import load_workbook

    from accounts.models import TeacherProfile, User
    from accounts.roles import Role, group_name
    from bureaus.models import School
    from bureaus.services import audit_record
    from cohorts.models import Enrolment, EnrolmentStatusChange
    from programmes.models import Tier

    book = load_workbook(io.BytesIO(content), read_only=True)
    rows = book.active.iter_rows(values_only=True)
    header = next(rows)
    records = [dict(zip(header, row, strict=False)) for row in rows]
    schools = dict(School.objects.values_list("name", "pk"))
    tiers = {
        name: pk for pk, name in Tier.objects.filter(programme=programme).values_list("pk", "name")
    }
    genders = {"女": "F", "男": "M"}
    subjects, stages, titles = dict(SUBJECTS), dict(STAGES), dict(TITLES)
    password = make_password(None)
    with transaction.atomic():
        users = User.objects.bulk_create(
            [
                User(
                    username=f"{bureau.code}-{r['工号']}".lower(),
                    full_name=r["姓名"],
                    bureau=bureau,
                    password=password,
                )
                for r in records
            ],
            batch_size=BATCH,
        )
        group_id = Group.objects.get(name=group_name(Role.TEACHER)).pk
        membership = User.groups.through
        membership.objects.bulk_create(
            [membership(user_id=u.pk, group_id=group_id) for u in users], batch_size=BATCH
        )
        profiles = TeacherProfile.objects.bulk_create(
            [
                TeacherProfile(
                    bureau=bureau,
                    user_id=user.pk,
                    staff_number=r["工号"],
                    gender=genders[r["性别"]],
                    school_id=schools[r["学校"]],
                    subject=subjects[r["学科"]],
                    stage=stages[r["学段"]],
                    professional_title=titles[r["职称"]],
                    years_teaching=r["教龄"],
                    years_class_teacher=r["班主任年限"],
                    contact=r["联系方式"] or "",
                )
                for user, r in zip(users, records, strict=True)
            ],
            batch_size=BATCH,
        )
        enrolments = Enrolment.objects.bulk_create(
            [
                Enrolment(
                    bureau=bureau,
                    programme=programme,
                    teacher_id=profile.pk,
                    tier_id=tiers[r["层次"]],
                    school_id=profile.school_id,
                    enrolled_on=dt.date.fromisoformat(r["入选日期"]),
                )
                for profile, r in zip(profiles, records, strict=True)
            ],
            batch_size=BATCH,
        )
        EnrolmentStatusChange.objects.bulk_create(
            [
                EnrolmentStatusChange(
                    bureau=bureau,
                    enrolment_id=e.pk,
                    from_status="",
                    to_status="active",
                    effective_on=e.enrolled_on,
                    reason="Roster import",
                    actor=actor,
                )
                for e in enrolments
            ],
            batch_size=BATCH,
        )
        audit_record(
            bureau=bureau.pk,
            actor=actor,
            action="roster.import",
            target=programme,
            rows=len(records),
        )
    return len(enrolments)


def imported(content: bytes, bureau, programme, actor) -> int:
    """What the admin's confirm step does with the file, minus the HTTP."""
    from import_export.formats.base_formats import XLSX

    from cohorts.resources import RosterResource

    dataset = XLSX().create_dataset(content)
    result = RosterResource(programme=programme, actor=actor).import_data(dataset, dry_run=False)
    if result.has_errors() or result.has_validation_errors():
        raise AssertionError(f"the import failed: {result.base_errors or result.invalid_rows}")
    return result.totals["new"]


def check(bureau, rows: int) -> None:
    """Both sides wrote the same: the teachers, their profiles, enrolments and status changes."""
    from accounts.models import TeacherProfile
    from bureaus.tenancy import bureau_scope
    from cohorts.models import Enrolment, EnrolmentStatusChange

    with bureau_scope(bureau):
        counts = (
            TeacherProfile.objects.count(),
            Enrolment.objects.count(),
            EnrolmentStatusChange.objects.count(),
        )
        teacher = TeacherProfile.objects.select_related("user").get(staff_number="R00007")
    assert counts == (rows, rows, rows), counts
    assert teacher.user.full_name == "新教师00007" and not teacher.user.has_usable_password()
    assert teacher.user.groups.count() == 1


def run(rows: int):
    """The floor and the import of ``rows`` rows, taking turns, each into a fresh programme."""
    from bureaus.tenancy import bureau_scope

    content = roster(rows)
    state: dict = {}
    done = []

    def prepare():
        state["target"] = fresh_programme()

    def operation(how):
        def go():
            bureau, programme, actor = state["target"]
            with bureau_scope(bureau):
                assert how(content, bureau, programme, actor) == rows
            done.append(bureau)

        return go

    measured = measure_together(
        [
            ("floor: openpyxl + bulk_create", operation(floor), prepare),
            ("RosterResource.import_data", operation(imported), prepare),
        ],
        repeat=REPEAT,
    )
    for bureau in done:
        check(bureau, rows)
    return measured


def main() -> bool:
    with django_environment() as vendor:
        print(f"Importing {SMALL:,} rows ...", flush=True)
        small_floor, small = run(SMALL)
        print(f"Importing {ROWS:,} rows ...", flush=True)
        big_floor, big = run(ROWS)

    ratio = big.seconds / big_floor.seconds
    small_ratio = small.seconds / small_floor.seconds
    # Queries must grow with the batches, not the rows: for each 1,000 more rows the import may
    # need the floor's statements for a batch plus a handful (import-export wraps each batch in
    # a savepoint, and splits batches where the backend caps parameters a little differently);
    # a query per row would add 1,000.
    per_batch = (big.queries - small.queries) / ((ROWS - SMALL) / BATCH)
    floor_per_batch = (big_floor.queries - small_floor.queries) / ((ROWS - SMALL) / BATCH)
    grows_by_batches = per_batch <= floor_per_batch + 5
    print_table(
        f"Roster import on {vendor}: xlsx of new teachers (best of {REPEAT} runs; queries "
        "counted in a warm-up run)",
        [
            (
                f"{big_floor.name}, {ROWS:,} rows",
                f"{big_floor.seconds:.2f}",
                str(big_floor.queries),
                "1.00×",
                "",
            ),
            (
                f"{big.name}, {ROWS:,} rows",
                f"{big.seconds:.2f}",
                str(big.queries),
                f"{ratio:.2f}×",
                f"≤ 1.5× floor: {verdict(ratio <= 1.5)}",
            ),
            (
                f"{small_floor.name}, {SMALL:,} rows",
                f"{small_floor.seconds:.2f}",
                str(small_floor.queries),
                "1.00×",
                "",
            ),
            (
                f"{small.name}, {SMALL:,} rows",
                f"{small.seconds:.2f}",
                str(small.queries),
                f"{small_ratio:.2f}×",
                "",
            ),
        ],
        ("operation", "seconds", "queries", "vs floor", "goal"),
    )
    print(
        f"Queries: import {small.queries} for {SMALL:,} rows, {big.queries} for {ROWS:,} "
        f"({per_batch:.1f} more per {BATCH:,} rows); floor {small_floor.queries} and "
        f"{big_floor.queries} ({floor_per_batch:.1f} more per {BATCH:,} rows). Growing with "
        f"rows ÷ batch size (≤ the floor's + 5 per 1,000): {verdict(grows_by_batches)}"
    )
    print(f"Overall: {verdict(ratio <= 1.5 and grows_by_batches)}")
    return ratio <= 1.5 and grows_by_batches


if __name__ == "__main__":
    finish(main())
