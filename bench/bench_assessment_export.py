"""Benchmark: the leadership's assessment spreadsheet for 1,000 and 10,000 teachers × 25 columns,
and the import of a 10,000-row result sheet.

    cd /work/main && .venv/bin/python bench/bench_assessment_export.py

Data: one bureau, 40 schools; a programme over three school years with two tiers and four
requirements (one yearly clause each: four requirement-status columns for the year), a scored
annual scheme of six components (result and score each: twelve columns). Each teacher has the
2024 assessment filed in full and finalised, a finalised 2023 decision (one in five failed, one in
five excellent) with the consequences the services record on finalising (a warning and a
rectification plan owed for a fail, a bonus for an excellent: the consequence column), a draft
2025 decision, and three in ten a verified
public lesson. The sheet: 工号 姓名 学校 层级 + 12 component columns +
最终结果 评语 决定日期 处理 状态 + 4 requirement columns = 25 columns. A second programme
enrols the first 1,000 teachers the same way (the 1,000-row sheet).

Export (xlsx, in memory):

* floor: ``values_list`` of the enrolments, the year's filed components, the decisions, the
  consequences in force and the verified public lessons per teacher, a dict pivot, and openpyxl
  write-only of the same 25 cells per row (no escaping, no rules);
* measured: ``assessments.exports.teacher_sheet`` + ``exports.write`` — with the requirement
  columns (``progress_matrix``'s queries) and without them (21 columns, against a 21-cell floor).

Goals: ≤ 1.2× the floor's time, ≤ 1.5× its peak memory (tracemalloc), ≤ 5 queries and the same
number at 1,000 and 10,000 rows, with the requirement columns or without. A worker keeps each
programme's configuration once read (``programmes.selectors``, under the programme's
``config_stamp``); the first export after a change reads it afresh: that count is printed too.

Import: a 10,000-row xlsx (工号 姓名 最终结果 评语) giving the 2025 results, each teacher's draft
revised. Floor: openpyxl ``load_workbook(read_only=True)`` → ``values_list`` staff number → draft
→ ``bulk_update`` (result, comment) in batches of 500, in a transaction. Measured:
``imports.read_sheet`` + ``services.decisions_import`` (every row checked, drafts revised in
batches, one audit row). Goal ≤ 1.5× and queries growing with batches, not rows (1,000 rows
measured too).
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import os
import sys
import tracemalloc
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import (  # noqa: E402
    django_environment,
    finish,
    make_bureau,
    make_staff_user,
    measure_together,
    print_table,
    scaled,
    verdict,
)

TEACHERS = scaled(10_000)
SMALL = scaled(1_000)
REPEAT = 5
START, END = dt.date(2023, 9, 1), dt.date(2026, 8, 31)
TODAY = dt.date(2025, 3, 15)
BATCH = 500
COMPONENTS = [
    ("个人自评", "self"),
    ("坊主评价", "team_lead"),
    ("学校考核", "school"),
    ("项目考核", "district"),
    ("综合考核", "district"),
    ("领导小组评议", "leading_group"),
]
REQUIREMENTS = ["任务一", "任务二", "任务三", "任务四"]
RESULTS = ["excellent", "pass", "pass", "pass", "fail"]
LABELS = {"excellent": "优秀", "pass": "合格", "basic_pass": "基本合格", "fail": "不合格"}


def build_people(bureau, count: int):
    from django.contrib.auth.hashers import make_password

    from accounts.models import TeacherProfile, User
    from bureaus.models import School

    schools = list(School.objects.order_by("pk"))
    password = make_password(None)
    users = User.objects.bulk_create(
        [
            User(
                username=f"{bureau.code}-a{i:05d}",
                full_name=f"教师{i:05d}" if i % 97 else '=HYPERLINK("http://x/","教师")',
                bureau=bureau,
                password=password,
            )
            for i in range(count)
        ],
        batch_size=1000,
    )
    return TeacherProfile.objects.bulk_create(
        [
            TeacherProfile(
                bureau=bureau,
                user=user,
                staff_number=f"A{i:05d}",
                gender="FM"[i % 2],
                school=schools[i % len(schools)],
                subject="maths",
                stage="junior",
                years_teaching=5 + i % 20,
            )
            for i, user in enumerate(users)
        ],
        batch_size=1000,
    )


def build_programme(bureau, profiles, *, code: str, actor):
    """A programme enrolling ``profiles``, its scheme and every teacher's assessments."""
    from django.utils import timezone

    from assessments import rules
    from assessments.models import (
        Assessment,
        AssessmentComponent,
        AssessmentDecision,
        AssessmentScheme,
        ComponentAssessment,
        Consequence,
    )
    from cohorts.models import Enrolment, Evidence
    from programmes.models import Criterion, EvidenceKind, Programme, Requirement, Tier

    programme = Programme.objects.create(
        bureau=bureau,
        code=code,
        name=f"骨干教师培养工程{code}",
        start_month=START,
        end_month=END,
        status="active",
    )
    tiers = [
        Tier.objects.create(bureau=bureau, programme=programme, code=c, name=n, order=o)
        for o, (c, n) in enumerate([("leader", "学科带头人"), ("backbone", "骨干教师")])
    ]
    kind, _created = EvidenceKind.objects.get_or_create(
        bureau=bureau, code="public_lesson", defaults={"name": "公开教学"}
    )
    requirements = []
    for order, req_code in enumerate(REQUIREMENTS, 1):
        requirement = Requirement.objects.create(
            bureau=bureau, programme=programme, code=req_code, title=req_code, order=order
        )
        requirement.tiers.set(tiers)
        criterion = Criterion.objects.create(
            bureau=bureau, requirement=requirement, clause=1, period="year", min_level=1
        )
        criterion.kinds.set([kind])
        requirements.append(requirement)
    scheme = AssessmentScheme.objects.create(
        bureau=bureau,
        programme=programme,
        kind="annual",
        title="年度考核",
        results=["excellent", "pass", "fail"],
        scored=True,
        excellent_from=90,
        pass_from=60,
    )
    components = [
        AssessmentComponent.objects.create(
            bureau=bureau, scheme=scheme, title=t, level=lv, weight=Decimal("16.67"), order=o
        )
        for o, (t, lv) in enumerate(COMPONENTS)
    ]
    enrolments = Enrolment.objects.bulk_create(
        [
            Enrolment(
                bureau=bureau,
                programme=programme,
                teacher=p,
                tier=tiers[0 if i % 10 < 3 else 1],
                school=p.school,
                enrolled_on=START,
                status="warned" if RESULTS[i % 5] == "fail" else "active",
            )
            for i, p in enumerate(profiles)
        ],
        batch_size=1000,
    )
    assessments = Assessment.objects.bulk_create(
        [
            Assessment(bureau=bureau, enrolment=e, scheme=scheme, year_key=year)
            for e in enrolments
            for year in ("2023", "2024", "2025")
        ],
        batch_size=1000,
    )
    now = timezone.now()
    filings, decisions = [], []
    for i, a in enumerate(assessments):
        n, year = divmod(i, 3)
        if year == 1:  # 2024: filed in full
            filings += [
                ComponentAssessment(
                    bureau=bureau,
                    assessment=a,
                    component=c,
                    level=c.level,
                    result=RESULTS[(n + j) % 4],
                    score=Decimal(60 + (n + j) % 40),
                    filed_by=actor,
                    filed_at=now,
                )
                for j, c in enumerate(components)
            ]
        result = RESULTS[n % 5] if year == 0 else RESULTS[(n + 1) % 4]
        decisions.append(
            AssessmentDecision(
                bureau=bureau,
                assessment=a,
                result=result,
                comment="材料齐全" if n % 3 else "",
                decided_by=actor,
                decided_at=now,
                finalised_at=None if year == 2 else now,
                finalised_by=None if year == 2 else actor,
            )
        )
    ComponentAssessment.objects.bulk_create(filings, batch_size=1000)
    decisions = AssessmentDecision.objects.bulk_create(decisions, batch_size=1000)
    # What services.apply_consequences records on finalising: a 2023 fail is the first fail
    # (XH-FAIL-1: a warning and a rectification plan owed), an excellent result a bonus for its
    # year (XH-BONUS); no teacher fails twice here.
    due = TODAY + dt.timedelta(days=rules.RECTIFICATION_DAYS)
    consequences = []
    for i, d in enumerate(decisions):
        n, year = divmod(i, 3)
        key = ("2023", "2024", "2025")[year]
        if d.finalised_at is None:
            continue
        enrolment = enrolments[n]
        if d.result == "fail":
            consequences += [
                Consequence(
                    bureau=bureau,
                    enrolment=enrolment,
                    rule=rules.Rule.XH_FAIL_1,
                    effect=rules.Effect.WARNING,
                    year_key=key,
                    reason=f"{key}学年考核不合格：予以警告。",
                    decision=d,
                ),
                Consequence(
                    bureau=bureau,
                    enrolment=enrolment,
                    rule=rules.Rule.XH_FAIL_1,
                    effect=rules.Effect.RECTIFICATION_PLAN,
                    year_key=key,
                    reason=f"{key}学年考核不合格：须提交书面整改方案。",
                    due_on=due,
                    decision=d,
                ),
            ]
        elif d.result == "excellent":
            consequences.append(
                Consequence(
                    bureau=bureau,
                    enrolment=enrolment,
                    rule=rules.Rule.XH_BONUS,
                    effect=rules.Effect.BONUS,
                    year_key=key,
                    target_year=key,
                    reason=f"{key}学年考核优秀：当年奖励。",
                    decision=d,
                )
            )
    Consequence.objects.bulk_create(consequences, batch_size=1000)
    if code == "big":  # the teachers' public lessons (shared by both programmes)
        items = Evidence.objects.bulk_create(
            [
                Evidence(
                    bureau=bureau,
                    teacher=p,
                    kind=kind,
                    title="公开课",
                    level=1,
                    date=dt.date(2024, 11, 5),
                    state="verified",
                )
                for i, p in enumerate(profiles)
                if i % 10 < 3
            ],
            batch_size=1000,
        )
        through = Evidence.requirements.through
        through.objects.bulk_create(
            [through(evidence_id=e.pk, requirement_id=requirements[0].pk) for e in items],
            batch_size=1000,
        )
    return scheme


def floor_export(scheme, *, requirements: bool) -> bytes:
    """values_list → pivot → openpyxl write-only of the same cells."""
    from openpyxl import Workbook

    from assessments.models import (
        AssessmentComponent,
        AssessmentDecision,
        ComponentAssessment,
        Consequence,
    )
    from cohorts.models import Enrolment, Evidence

    components = list(
        AssessmentComponent.objects.filter(scheme=scheme)
        .order_by("order", "id")
        .values_list("pk", flat=True)
    )
    people = list(
        Enrolment.objects.filter(programme_id=scheme.programme_id)
        .order_by("school__name", "teacher__staff_number", "pk")
        .values_list(
            "pk",
            "teacher_id",
            "teacher__staff_number",
            "teacher__user__full_name",
            "school__name",
            "tier__name",
            "status",
        )
    )
    filed: dict = {}
    for e, c, r, s in (
        ComponentAssessment.objects.filter(assessment__scheme=scheme, assessment__year_key="2024")
        .order_by()
        .values_list("assessment__enrolment_id", "component_id", "result", "score")
    ):
        filed.setdefault(e, {})[c] = (r, s)
    decided = {
        e: (r, comment, when)
        for e, r, comment, when in AssessmentDecision.objects.filter(
            assessment__scheme=scheme, assessment__year_key="2024"
        )
        .order_by()
        .values_list("assessment__enrolment_id", "result", "comment", "finalised_at")
    }
    effects = {
        "warning": "警告",
        "rectification_plan": "须交书面整改方案",
        "bonus": "{}学年奖励",
    }
    in_force: dict = {}
    for e, effect, target in (
        Consequence.objects.filter(enrolment__programme_id=scheme.programme_id, withdrawn_at=None)
        .order_by("id")
        .values_list("enrolment_id", "effect", "target_year")
    ):
        in_force.setdefault(e, []).append(effects[effect].format(target))
    lessons: set = set()
    if requirements:
        lessons = set(
            Evidence.objects.filter(state="verified", date__year=2024).values_list(
                "teacher_id", flat=True
            )
        )
    book = Workbook(write_only=True)
    sheet = book.create_sheet("floor")
    sheet.append(["header"] * (21 + (4 if requirements else 0)))
    for pk, teacher, number, name, school, tier, status in people:
        row = [number, name, school, tier]
        mine = filed.get(pk, {})
        for c in components:
            r, s = mine.get(c, ("", None))
            row += [LABELS.get(r, ""), s]
        r, comment, when = decided.get(pk, ("", "", None))
        row += [
            LABELS.get(r, ""),
            comment,
            when.date() if when else None,
            "；".join(in_force.get(pk, ())),
            status,
        ]
        if requirements:
            row += ["已完成" if teacher in lessons else "未完成"] + ["未完成"] * 3
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def measured_export(scheme, *, requirements: bool) -> bytes:
    from assessments import exports

    scheme.programme.forget_calendar()  # read afresh, as a request does
    sheet = exports.teacher_sheet(scheme, year_key="2024", requirements=requirements, today=TODAY)
    assert len(sheet.headers) == (25 if requirements else 21), sheet.headers
    return exports.write(sheet, "xlsx")


def analyze(vendor: str) -> None:
    """Give PostgreSQL's planner the statistics of the tables just filled, as autovacuum does on
    a production server within a minute. Without them (a server with autovacuum off, as on some
    development machines) it takes every table for empty and joins by nested loops over whole
    indexes: the 10,000-row import then runs in tens of seconds, the floor too."""
    if vendor == "postgresql":
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def peak_memory(operation) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        operation()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def result_sheet(profiles) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("结果")
    sheet.append(["工号", "姓名", "最终结果", "评语"])
    for i, p in enumerate(profiles):
        sheet.append([p.staff_number, f"教师{i:05d}", LABELS[RESULTS[i % 4]], f"评语{i}"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def floor_import(scheme, data: bytes) -> int:
    from django.db import transaction
    from openpyxl import load_workbook

    from assessments.models import AssessmentDecision

    values = {v: k for k, v in LABELS.items()}
    book = load_workbook(io.BytesIO(data), read_only=True)
    rows = list(book.active.iter_rows(min_row=2, values_only=True))
    book.close()
    drafts = dict(
        AssessmentDecision.objects.filter(
            assessment__scheme=scheme, assessment__year_key="2025", finalised_at__isnull=True
        )
        .order_by()
        .values_list("assessment__enrolment__teacher__staff_number", "pk")
    )
    changed = [
        AssessmentDecision(pk=drafts[number], result=values[result], comment=comment)
        for number, _name, result, comment in rows
    ]
    with transaction.atomic():
        AssessmentDecision.objects.bulk_update(changed, ["result", "comment"], batch_size=BATCH)
    return len(changed)


def measured_import(scheme, data: bytes, actor) -> int:
    from assessments import imports, services

    dataset = imports.read_sheet(data, "结果.xlsx")
    check = services.decisions_import(actor=actor, scheme=scheme, year_key="2025", dataset=dataset)
    return len(check.to_write)


def main() -> bool:
    with django_environment() as vendor:
        from django.conf import settings

        from bureaus.tenancy import bureau_scope

        settings.ROSTER_MAX_ROWS = max(settings.ROSTER_MAX_ROWS, TEACHERS + 10)
        bureau = make_bureau("bench", "基准", schools=40)
        with bureau_scope(bureau):
            staff = make_staff_user(bureau)
            print(f"Building {TEACHERS:,} teachers and their assessments ...", flush=True)
            profiles = build_people(bureau, TEACHERS)
            big = build_programme(bureau, profiles, code="big", actor=staff)
            small = build_programme(bureau, profiles[:SMALL], code="small", actor=staff)
            from assessments.models import AssessmentScheme

            big = AssessmentScheme.objects.select_related("programme").get(pk=big.pk)
            analyze(vendor)
            small = AssessmentScheme.objects.select_related("programme").get(pk=small.pk)
            # A worker keeps each programme's configuration once read (programmes.selectors),
            # read again after a change: count that first read, then measure the usual one.
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            from programmes.selectors import forget_specs

            cold_queries = {}
            forget_specs()
            for scheme, rows in ((small, SMALL), (big, TEACHERS)):
                with CaptureQueriesContext(connection) as captured:
                    measured_export(scheme, requirements=True)
                cold_queries[rows] = len(captured)
            export_rows = []
            ok = True
            for scheme, rows in ((small, SMALL), (big, TEACHERS)):
                for with_requirements in (True, False):
                    ms = measure_together(
                        [
                            (
                                "floor",
                                lambda s=scheme, w=with_requirements: floor_export(
                                    s, requirements=w
                                ),
                                None,
                            ),
                            (
                                "export",
                                lambda s=scheme, w=with_requirements: measured_export(
                                    s, requirements=w
                                ),
                                None,
                            ),
                        ],
                        repeat=REPEAT,
                    )
                    floor_m, export_m = ms
                    floor_mem = peak_memory(
                        lambda s=scheme, w=with_requirements: floor_export(s, requirements=w)
                    )
                    export_mem = peak_memory(
                        lambda s=scheme, w=with_requirements: measured_export(s, requirements=w)
                    )
                    time_ratio = export_m.seconds / floor_m.seconds
                    mem_ratio = export_mem / floor_mem
                    export_rows.append(
                        (
                            rows,
                            with_requirements,
                            floor_m,
                            export_m,
                            time_ratio,
                            floor_mem,
                            export_mem,
                            mem_ratio,
                        )
                    )
            # Import: 1,000 and 10,000 rows.
            import_rows = []
            for scheme, people in ((small, profiles[:SMALL]), (big, profiles)):
                data = result_sheet(people)
                floor_m, import_m = measure_together(
                    [
                        ("floor", lambda s=scheme, d=data: floor_import(s, d), None),
                        ("import", lambda s=scheme, d=data: measured_import(s, d, staff), None),
                    ],
                    repeat=REPEAT,
                )
                import_rows.append((len(people), floor_m, import_m))

    table = []
    for rows, with_req, floor_m, export_m, ratio, fmem, emem, mratio in export_rows:
        columns = 25 if with_req else 21
        time_ok = ratio <= 1.2
        mem_ok = mratio <= 1.5
        table.append(
            (
                f"export {rows:,} × {columns}",
                f"{floor_m.seconds:.3f}",
                f"{export_m.seconds:.3f}",
                f"{ratio:.2f}×",
                f"{fmem / 2**20:.1f}",
                f"{emem / 2**20:.1f}",
                f"{mratio:.2f}×",
                str(floor_m.queries),
                str(export_m.queries),
                f"time {verdict(time_ok)}, memory {verdict(mem_ok)}",
            )
        )
    print_table(
        f"Assessment export on {vendor} (xlsx; best of {REPEAT}; peak memory by tracemalloc, "
        "MiB; queries counted in a warm-up run)",
        table,
        (
            "operation",
            "floor s",
            "export s",
            "time",
            "floor MiB",
            "export MiB",
            "memory",
            "floor q",
            "export q",
            "goal ≤1.2× time, ≤1.5× memory",
        ),
    )
    by = {(r[0], r[1]): r for r in export_rows}
    with_q = {rows: by[rows, True][3].queries for rows in (SMALL, TEACHERS)}
    without_q = {rows: by[rows, False][3].queries for rows in (SMALL, TEACHERS)}
    queries_ok = (
        without_q[SMALL] == without_q[TEACHERS] <= 5
        and with_q[SMALL] == with_q[TEACHERS] <= 5
        and cold_queries[SMALL] == cold_queries[TEACHERS]
    )
    print(
        f"export queries with the requirement columns: {with_q[SMALL]} at {SMALL:,} rows, "
        f"{with_q[TEACHERS]} at {TEACHERS:,}; without them {without_q[SMALL]} and "
        f"{without_q[TEACHERS]} (goal ≤ 5 and the same); the first export after a change to "
        f"the programme's configuration reads it afresh: {cold_queries[SMALL]} and "
        f"{cold_queries[TEACHERS]}: {verdict(queries_ok)}"
    )
    time_ok = all(r[4] <= 1.2 for r in export_rows if r[0] == TEACHERS)
    mem_ok = all(r[7] <= 1.5 for r in export_rows if r[0] == TEACHERS)

    table = []
    for rows, floor_m, import_m in import_rows:
        ratio = import_m.seconds / floor_m.seconds
        table.append(
            (
                f"import {rows:,} rows",
                f"{floor_m.seconds:.3f}",
                f"{import_m.seconds:.3f}",
                f"{ratio:.2f}×",
                str(floor_m.queries),
                str(import_m.queries),
                f"≤ 1.5×: {verdict(ratio <= 1.5)}",
            )
        )
    print_table(
        f"Result import on {vendor} (xlsx, every row a revised draft; best of {REPEAT})",
        table,
        ("operation", "floor s", "import s", "time", "floor q", "import q", "goal"),
    )
    small_q, big_q = import_rows[0][2].queries, import_rows[1][2].queries
    batches = -(-TEACHERS // BATCH) - -(-SMALL // BATCH)
    # Per batch of 500 rows of one result: one UPDATE (result, actor, time and comment) — a few
    # queries a batch, never one a row.
    grows_ok = big_q - small_q <= batches * 3
    import_ok = import_rows[1][2].seconds <= 1.5 * import_rows[1][1].seconds
    print(
        f"import queries: {small_q} at {SMALL:,} rows, {big_q} at {TEACHERS:,} "
        f"(+{big_q - small_q} for {batches} more batches of {BATCH}): {verdict(grows_ok)}"
    )
    ok = time_ok and mem_ok and queries_ok and grows_ok and import_ok
    print(f"overall: {verdict(ok)}")
    return ok


if __name__ == "__main__":
    result = main()
    finish(result or bool(os.environ.get("BENCH_NO_EXIT_STATUS")))
