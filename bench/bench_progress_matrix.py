"""Benchmark: the staff progress matrix for 2,000 teachers × 20 requirement-period columns.

    cd /work/main && .venv/bin/python bench/bench_progress_matrix.py

Measures, on one throwaway database:

* floor: plain ``values_list`` of the enrolments and of their verified evidence with its
  requirement links, a Python pivot into per-teacher per-column counts, and each row built as a
  string join — the least any matrix must do;
* (a) ``cohorts.selectors.progress_matrix()`` computing all 2,000 rows (goal: at most 5× the
  floor and at most 10 queries, the same number for 200 teachers as for 2,000);
* (b) one page (200 rows) of ``/programmes/<pk>/progress/`` through the test client as staff;
* (c) the xlsx export, ``/programmes/<pk>/progress/?format=xlsx``.

Exits 0 whatever the result: it is a measurement.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import (  # noqa: E402
    REPEAT,
    django_environment,
    finish,
    make_bureau,
    make_staff_user,
    measure,
    print_table,
    scaled,
    verdict,
)

TEACHERS = scaled(2000)
SMALL = scaled(200)  # the query count must not grow from SMALL to TEACHERS
TODAY = dt.date(2025, 3, 15)  # in the second school year of three: met, missed, under way, ahead
START, END = dt.date(2023, 9, 1), dt.date(2026, 8, 31)

KINDS = {  # code: (name, has hours, has delivery mode)
    "public_lesson": ("公开教学", False, False),
    "lecture": ("专题讲座", False, False),
    "paper": ("论文", False, False),
    "training": ("培训", True, True),
    "project": ("课题", False, False),
}
# code, title, tiers, clauses; a clause is (period, only for tiers, alternatives); an alternative
# is (kinds, min level, min count, min hours, delivery, min total hours). 3 + 1 + 6 + 3 + 1 + 6
# = 20 columns over three school years; some clauses and one requirement are for one tier only.
REQUIREMENTS = [
    (
        "任务一",
        "公开教学",
        ("leader", "backbone"),
        [
            ("year", (), [(("public_lesson",), 1, 1, None, "", None)]),
            (
                "cycle",
                ("leader",),
                [
                    (("public_lesson",), 3, 1, None, "", None),
                    (("lecture",), 3, 1, None, "", None),
                ],
            ),
        ],
    ),
    (
        "任务二",
        "学术交流",
        ("leader", "backbone"),
        [
            (
                "semester",
                (),
                [(("lecture",), 1, 1, None, "", None), (("paper",), 2, 1, None, "", None)],
            )
        ],
    ),
    (
        "任务三",
        "培训学时",
        ("leader", "backbone"),
        [
            ("year", (), [(("training",), 1, 1, None, "", Decimal(24))]),
            ("cycle", ("backbone",), [(("training",), 1, 1, Decimal(8), "face_to_face", None)]),
        ],
    ),
    (
        "任务四",
        "课题研究",
        ("leader",),
        [
            (
                "semester",
                (),
                [(("project",), 3, 1, None, "", None), (("paper",), 4, 1, None, "", None)],
            )
        ],
    ),
]
REQUIREMENT_OF_KIND = {
    "public_lesson": "任务一",
    "lecture": "任务二",
    "paper": "任务二",
    "training": "任务三",
    "project": "任务四",
}


def build(bureau):
    """The programme, 2,000 enrolled teachers and their evidence, written with bulk_create."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import TeacherProfile, User
    from bureaus.models import School
    from cohorts.models import Enrolment, Evidence
    from programmes.models import Criterion, EvidenceKind, Programme, Requirement, Tier

    rng = random.Random(20250315)
    programme = Programme.objects.create(
        bureau=bureau,
        code="backbone-2023",
        name="骨干教师培养工程（2023—2026）",
        start_month=START,
        end_month=END,
        status="active",
    )
    tiers = {
        code: Tier.objects.create(
            bureau=bureau, programme=programme, code=code, name=name, order=order
        )
        for order, (code, name) in enumerate([("leader", "学科带头人"), ("backbone", "骨干教师")])
    }
    kinds = {
        code: EvidenceKind.objects.create(
            bureau=bureau, code=code, name=name, has_hours=hours, has_delivery_mode=delivery
        )
        for code, (name, hours, delivery) in KINDS.items()
    }
    requirements = {}
    for order, (code, title, req_tiers, clauses) in enumerate(REQUIREMENTS, 1):
        requirement = Requirement.objects.create(
            bureau=bureau, programme=programme, code=code, title=title, order=order
        )
        requirement.tiers.set([tiers[t] for t in req_tiers])
        requirements[code] = requirement
        for number, (period, only, alternatives) in enumerate(clauses, 1):
            for alt_kinds, level, count, hours, delivery, total in alternatives:
                criterion = Criterion.objects.create(
                    bureau=bureau,
                    requirement=requirement,
                    clause=number,
                    period=period,
                    min_level=level,
                    min_count=count,
                    min_hours=hours,
                    delivery_mode=delivery,
                    min_total_hours=total,
                )
                criterion.kinds.set([kinds[k] for k in alt_kinds])
                criterion.tiers.set([tiers[t] for t in only])

    schools = list(School.objects.order_by("pk"))
    password = make_password(None)
    users = User.objects.bulk_create(
        [
            User(
                username=f"{bureau.code}-b{i:05d}",
                full_name=f"教师{i:05d}",
                bureau=bureau,
                password=password,
            )
            for i in range(TEACHERS)
        ],
        batch_size=1000,
    )
    profiles = TeacherProfile.objects.bulk_create(
        [
            TeacherProfile(
                bureau=bureau,
                user=user,
                staff_number=f"B{i:05d}",
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
    Enrolment.objects.bulk_create(
        [
            Enrolment(
                bureau=bureau,
                programme=programme,
                teacher=profile,
                tier=tiers["leader" if i % 10 < 3 else "backbone"],
                school=profile.school,
                enrolled_on=START,
            )
            for i, profile in enumerate(profiles)
        ],
        batch_size=1000,
    )
    items, wanted_links = [], []
    span = (END - START).days + 60
    for profile in profiles:
        for n in range(rng.randint(3, 7) + 1):
            kind = rng.choices(list(KINDS), weights=[4, 3, 2, 4, 1])[0]
            day = START - dt.timedelta(days=30) + dt.timedelta(days=rng.randrange(span))
            hours = Decimal(rng.choice([4, 8, 12, 16, 24, 32])) if KINDS[kind][1] else None
            items.append(
                Evidence(
                    bureau=bureau,
                    teacher=profile,
                    kind=kinds[kind],
                    title=f"{KINDS[kind][0]}{n}",
                    level=rng.choices([1, 2, 3, 4, 6], weights=[5, 3, 3, 2, 1])[0],
                    date=day,
                    hours=hours,
                    delivery_mode=rng.choice(["online", "face_to_face"]) if hours else "",
                    # one item in eight is still under review or a draft: it must not count
                    state="verified" if n else rng.choice(["submitted", "draft"]),
                )
            )
            roll = rng.random()
            if roll < 0.7:  # filed for the requirement of its kind
                wanted_links.append([REQUIREMENT_OF_KIND[kind]])
            elif roll < 0.8:  # filed for two
                wanted_links.append([REQUIREMENT_OF_KIND[kind], rng.choice(list(requirements))])
            else:  # filed for nothing: counts for any requirement
                wanted_links.append([])
    items = Evidence.objects.bulk_create(items, batch_size=1000)
    through = Evidence.requirements.through
    through.objects.bulk_create(
        [
            through(evidence_id=item.pk, requirement_id=requirements[code].pk)
            for item, codes in zip(items, wanted_links, strict=True)
            for code in dict.fromkeys(codes)
        ],
        batch_size=1000,
    )
    verified = sum(1 for item in items if item.state == "verified")
    return programme, verified


def floor_columns():
    """(requirement code, kinds, start, end) per column, from the definition above."""
    from programmes import rules

    cycle = rules.Cycle(START, END)
    return [
        (code, frozenset(k for alt in alternatives for k in alt[0]), w.start, w.end)
        for code, _title, _tiers, clauses in REQUIREMENTS
        for period, _only, alternatives in clauses
        for w in rules.windows(rules.Period(period), cycle)
    ]


def floor(programme, enrolments, columns) -> list[str]:
    """The least a matrix must do: read, pivot into counts, write each row out."""
    from cohorts.models import Evidence, EvidenceState

    people = list(
        enrolments.order_by("school__name", "teacher__staff_number").values_list(
            "teacher_id",
            "teacher__user__full_name",
            "teacher__staff_number",
            "school__name",
            "tier__name",
        )
    )
    teacher_ids = {p[0] for p in people}
    links: dict[int, set[str]] = defaultdict(set)
    for evidence_id, code in Evidence.requirements.through.objects.filter(
        evidence__teacher_id__in=teacher_ids, evidence__state=EvidenceState.VERIFIED
    ).values_list("evidence_id", "requirement__code"):
        links[evidence_id].add(code)
    counts = {teacher_id: [0] * len(columns) for teacher_id in teacher_ids}
    for pk, teacher_id, kind, _level, day, _hours, _delivery in Evidence.objects.filter(
        teacher_id__in=teacher_ids,
        state=EvidenceState.VERIFIED,
        date__gte=START,
        date__lte=END,
    ).values_list("pk", "teacher_id", "kind__code", "level", "date", "hours", "delivery_mode"):
        filed = links.get(pk)
        row = counts[teacher_id]
        for i, (code, kinds, start, end) in enumerate(columns):
            if start <= day <= end and kind in kinds and (not filed or code in filed):
                row[i] += 1
    return [
        ",".join([name, number, school, tier, *map(str, counts[teacher_id])])
        for teacher_id, name, number, school, tier in people
    ]


def main() -> bool:
    with django_environment() as vendor:
        from django.test import Client

        from bureaus.tenancy import bureau_scope
        from cohorts.models import Enrolment
        from cohorts.selectors import progress_matrix

        bureau = make_bureau("bench", "基准", schools=40)
        with bureau_scope(bureau):
            print(f"Building {TEACHERS:,} enrolled teachers and their evidence ...", flush=True)
            programme, verified = build(bureau)
            staff = make_staff_user(bureau)
            everybody = Enrolment.objects.filter(programme=programme)
            some = everybody.filter(teacher__staff_number__lt=f"B{SMALL:05d}")
            columns = floor_columns()

            def run_floor():
                lines = floor(programme, everybody, columns)
                assert len(lines) == TEACHERS

            def run_matrix(enrolments=everybody, rows=TEACHERS):
                programme.forget_calendar()  # read afresh, as a request does
                matrix = progress_matrix(programme, enrolments, today=TODAY)
                assert len(matrix.rows) == rows and len(matrix.columns) == len(columns) == 20

            floor_m = measure("floor: values_list + pivot + join", run_floor)
            matrix_m = measure("(a) progress_matrix(), all rows", run_matrix)
            small_m = measure(f"    the same for {SMALL} teachers", lambda: run_matrix(some, SMALL))

        client = Client()
        client.force_login(staff)
        url = f"/programmes/{programme.pk}/progress/"

        def run_page():
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        def run_export():
            response = client.get(url, {"format": "xlsx"})
            assert response.status_code == 200 and response["Content-Type"].startswith(
                "application/vnd.openxmlformats"
            )

        page_m = measure("(b) matrix page, 200 rows (client)", run_page)
        export_m = measure("(c) xlsx export, all rows (client)", run_export)

    def row(m, goal=""):
        return (
            m.name,
            f"{m.seconds:.3f}",
            str(m.queries),
            f"{m.seconds / floor_m.seconds:.1f}×",
            goal,
        )

    time_ok = matrix_m.seconds <= 5 * floor_m.seconds
    queries_ok = matrix_m.queries <= 10 and small_m.queries == matrix_m.queries
    print_table(
        f"Progress matrix on {vendor}: {TEACHERS:,} teachers × {len(columns)} columns, "
        f"{verified:,} verified evidence items (best of {REPEAT} runs; queries counted in a "
        "warm-up run)",
        [
            row(floor_m),
            row(matrix_m, f"≤ 5× floor: {verdict(time_ok)}"),
            row(small_m),
            row(page_m),
            row(export_m),
        ],
        ("operation", "seconds", "queries", "vs floor", "goal"),
    )
    print(
        f"(a) queries: {small_m.queries} for {SMALL} teachers, {matrix_m.queries} for "
        f"{TEACHERS:,}; goal ≤ 10 and not growing: {verdict(queries_ok)}"
    )
    print(f"(a) overall: {verdict(time_ok and queries_ok)}")
    return time_ok and queries_ok


if __name__ == "__main__":
    finish(main())
