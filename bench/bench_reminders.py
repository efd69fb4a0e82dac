"""Benchmark: the daily reminder scan over 10,000 workshops in two bureaus.

    cd /work/main && .venv/bin/python bench/bench_reminders.py

Measures, on one throwaway database:

* floor: one set-based claim — the deadlines read with one ``values_list`` query, the same
  10,000 notifications built and written with a single
  ``Notification.objects.bulk_create(..., ignore_conflicts=True, batch_size=1000)`` into an
  empty table — the least any scan must do;
* (a) ``workshops.services.reminders_scan(today=...)`` on a day when every workshop has exactly
  one reminder due (goal: at most 3× the floor, one delivery task per bureau, not per reminder);
* (b) a second scan the same day (goal: it claims nothing and enqueues nothing).

Celery is on ``memory://`` and the outbox's hand-over to the broker is replaced by a counter,
so nothing is delivered (the outbox rows are written, as in production). Exits 0 whatever the
result: it is a measurement.
"""

from __future__ import annotations

import datetime as dt
import gc
import sys
import time
import uuid
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import (  # noqa: E402
    django_environment,
    finish,
    make_bureau,
    measure_together,
    print_table,
    scaled,
    verdict,
)

BUREAUS = 2
WORKSHOPS = scaled(10_000)  # in all, split evenly between the bureaus
LEADS = scaled(2_000)  # per bureau: most leads run two or three workshops
REPEAT = 3
# The quarterly schedule (XH-BRIEF, due on the 28th) runs 2024-09 – 2025-06: four deadlines,
# 2024-09-28 and 2024-12-28 with their briefings filed, 2025-03-28 open, 2025-06-28 far ahead.
# Today is 7 days before the March deadline: exactly one reminder per workshop, "due in 7 days".
TODAY = dt.date(2025, 3, 21)
STARTS, ENDS = dt.date(2024, 9, 1), dt.date(2025, 6, 30)
FILED_BEFORE = dt.date(2025, 1, 1)  # deadlines before this have their briefing filed


def build() -> list:
    """Two bureaus with a programme, leads, 5,000 workshops each, their quarterly schedules,
    deadlines and filed briefings; all written with bulk_create. Returns the bureaus."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import User
    from bureaus.tenancy import bureau_scope
    from programmes.models import Programme
    from workshops import rules
    from workshops.models import Briefing, Deadline, ReportingSchedule, Team, TeamKind

    password = make_password(None)
    days = rules.deadlines(rules.XH_BRIEF, STARTS, ENDS)
    assert len(days) == 4, days
    bureaus = []
    for b in range(BUREAUS):
        bureau = make_bureau(f"bench{b}", f"基准{b}", schools=1)
        bureaus.append(bureau)
        with bureau_scope(bureau):
            programme = Programme.objects.create(
                bureau=bureau,
                code="backbone-2023",
                name="骨干教师培养工程",
                start_month=dt.date(2023, 9, 1),
                end_month=dt.date(2026, 8, 1),
                status="active",
            )
            leads = User.objects.bulk_create(
                [
                    User(
                        username=f"{bureau.code}-lead{i:05d}",
                        full_name=f"坊主{i:05d}",
                        email=f"lead{i:05d}@{bureau.code}.example",
                        bureau=bureau,
                        password=password,
                    )
                    for i in range(LEADS)
                ],
                batch_size=1000,
            )
            per_bureau = WORKSHOPS // BUREAUS
            # leads shared unevenly: lead i runs workshops i, i + 2,000, i + 4,000 (when there)
            teams = Team.objects.bulk_create(
                [
                    Team(
                        bureau=bureau,
                        programme=programme,
                        kind=TeamKind.WORKSHOP,
                        name=f"名师工作坊{i:05d}",
                        workshop_type="inter_school",
                        lead=leads[i % LEADS],
                    )
                    for i in range(per_bureau)
                ],
                batch_size=1000,
            )
            schedules = ReportingSchedule.objects.bulk_create(
                [
                    ReportingSchedule(
                        bureau=bureau,
                        team=team,
                        title="活动简报",
                        frequency=rules.Frequency.QUARTERLY,
                        day=28,
                        starts=STARTS,
                        ends=ENDS,
                    )
                    for team in teams
                ],
                batch_size=1000,
            )
            lead_of = {team.pk: team.lead_id for team in teams}
            deadlines = Deadline.objects.bulk_create(
                [
                    Deadline(bureau=bureau, schedule=schedule, team_id=schedule.team_id, due=day)
                    for schedule in schedules
                    for day in days
                ],
                batch_size=1000,
            )
            Briefing.objects.bulk_create(
                [
                    Briefing(
                        bureau=bureau,
                        deadline=deadline,
                        text="本季度开展了两次研修活动。",
                        filed_by_id=lead_of[deadline.team_id],
                        filed_on=deadline.due - dt.timedelta(days=3),
                    )
                    for deadline in deadlines
                    if deadline.due < FILED_BEFORE
                ],
                batch_size=1000,
            )
    return bureaus


def floor_claim() -> int:
    """Read the open deadlines near today in one query; claim one notification each in one
    bulk_create. Returns the rows written."""
    from django.db.models import Q

    from accounts.models import Notification
    from bureaus.tenancy import all_bureaus
    from workshops.models import Deadline

    batch = uuid.uuid4()
    with all_bureaus():
        near = (TODAY - dt.timedelta(days=8), TODAY + dt.timedelta(days=7))
        rows = [
            Notification(
                bureau_id=bureau_id,
                recipient_id=lead,
                batch=batch,
                key=f"floor:{pk}:before:7",
                subject=f"{title}还有7天截止：{name}",
                body=f"{name}的{title}应于{due:%Y-%m-%d}前提交。",
            )
            for pk, bureau_id, due, name, lead, title in Deadline.objects.filter(
                Q(extended_to__isnull=True, due__range=near) | Q(extended_to__range=near),
                briefing__isnull=True,
            ).values_list(
                "pk", "bureau_id", "due", "team__name", "team__lead_id", "schedule__title"
            )
        ]
        Notification.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return len(rows)


def main() -> bool:
    with django_environment() as vendor:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from accounts.models import Notification
        from bureaus import outbox
        from bureaus.models import OutboxJob
        from bureaus.tenancy import all_bureaus
        from workshops.services import reminders_scan

        print(
            f"Building {BUREAUS} bureaus, {WORKSHOPS:,} workshops, {4 * WORKSHOPS:,} deadlines ...",
            flush=True,
        )
        build()

        enqueued: list[tuple] = []
        patched = mock.patch.object(outbox, "_publish", side_effect=lambda *a: enqueued.append(a))
        patched.start()

        claimed: dict[str, list[int]] = {"floor": [], "scan": [], "again": []}
        tasks: dict[str, list[int]] = {"scan": [], "again": []}

        def clear():
            with all_bureaus():
                Notification.objects.all().delete()
                OutboxJob.objects.all_bureaus().delete()
            enqueued.clear()

        def run_floor():
            claimed["floor"].append(floor_claim())

        def run_scan():
            claimed["scan"].append(reminders_scan(today=TODAY))
            tasks["scan"].append(len(enqueued))

        floor_m, scan_m = measure_together(
            [
                ("floor: values_list + one bulk_create", run_floor, clear),
                ("(a) reminders_scan(), first scan", run_scan, clear),
            ],
            repeat=REPEAT,
        )
        with all_bureaus():
            written = Notification.objects.count()
            emailable = Notification.objects.exclude(recipient__email="").count()

        # (b) the same day again, on top of the first scan's notifications
        def run_again():
            enqueued.clear()
            claimed["again"].append(reminders_scan(today=TODAY))
            tasks["again"].append(len(enqueued))

        again_runs = []
        with CaptureQueriesContext(connection) as captured:
            run_again()
        again_queries = len(captured)
        for _ in range(REPEAT):
            gc.collect()
            start = time.perf_counter()
            run_again()
            again_runs.append(time.perf_counter() - start)
        patched.stop()

    ratio = scan_m.seconds / floor_m.seconds
    scan_claims, scan_tasks = set(claimed["scan"]), set(tasks["scan"])
    a_ok = (
        ratio <= 3
        and scan_claims == {WORKSHOPS}  # every run, the warm-up included
        and scan_tasks == {BUREAUS}
        and written == WORKSHOPS
        and set(claimed["floor"]) == {WORKSHOPS}
    )
    again_claims, again_tasks = max(claimed["again"]), max(tasks["again"])
    b_ok = again_claims == 0 and again_tasks == 0
    print_table(
        f"Reminder scan on {vendor}: {BUREAUS} bureaus, {WORKSHOPS:,} workshops × 4 deadlines, "
        f"one reminder due each (best of {REPEAT} runs; queries counted in a warm-up run)",
        [
            (
                floor_m.name,
                f"{floor_m.seconds:.3f}",
                str(floor_m.queries),
                f"{max(claimed['floor']):,}",
                "–",
                "1.0×",
                "",
            ),
            (
                scan_m.name,
                f"{scan_m.seconds:.3f}",
                str(scan_m.queries),
                "/".join(f"{n:,}" for n in sorted(scan_claims)),
                "/".join(map(str, sorted(scan_tasks))),
                f"{ratio:.1f}×",
                f"≤ 3× floor, {WORKSHOPS:,} claimed, {BUREAUS} tasks: {verdict(a_ok)}",
            ),
            (
                "(b) second scan, same day",
                f"{min(again_runs):.3f}",
                str(again_queries),
                f"{again_claims:,}",
                str(again_tasks),
                f"{min(again_runs) / floor_m.seconds:.1f}×",
                f"claims 0, no task: {verdict(b_ok)}",
            ),
        ],
        ("operation", "seconds", "queries", "claimed", "tasks", "vs floor", "goal"),
    )
    print(
        f"(a) runs: {', '.join(f'{s:.3f}' for s in scan_m.runs)} s; floor runs: "
        f"{', '.join(f'{s:.3f}' for s in floor_m.runs)} s; {written:,} notifications written, "
        f"{emailable:,} with an e-mail address"
    )
    print(f"overall: {verdict(a_ok and b_ok)}")
    return a_ok and b_ok


if __name__ == "__main__":
    finish(main())
