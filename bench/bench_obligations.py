"""Benchmark: the two programme-wide reads of the workshops app, over 2,000 cadre teams.

    cd /work/main && .venv/bin/python bench/bench_obligations.py

Measures, on one throwaway database, with one bureau in scope:

* (a) ``workshops.selectors.obligation_rows(groups, today=...)`` — every XC-TEAM obligation of
  2,000 cadre teams (6 each) counted in every period of a three-year cycle — against its floor:
  the obligations, activities and documents read with three ``values_list`` queries and the
  per-period counts made in a plain dict keyed by (group, obligation, period start);
* (b) ``workshops.selectors.briefing_board(...)`` for the 2024 school year over the same teams,
  each with a bimonthly reporting schedule — against its floor: one ``values_list`` of
  (group, due, extended to, filed on) for that school year and a dict pivot.

Goal for both: at most 3× the floor, and the same number of queries for 200 groups as for 2,000.
The results are checked against the floors' (the same counts, the same cells). Exits 0 whatever
the result: it is a measurement.
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
    measure_together,
    print_table,
    scaled,
    verdict,
)

GROUPS = scaled(2000)
SMALL = scaled(200)  # the query count must not grow from SMALL to GROUPS
LEADS = scaled(400)  # a lead runs five teams
ACTIVITIES = (25, 35)  # per team, ~30: principals' salons, team meetings, other activities
DOCUMENTS = (6, 10)  # per team, ~8: summaries, portfolios, micro-projects, work plans
START, END = dt.date(2023, 9, 1), dt.date(2026, 8, 31)  # three school years
TODAY = dt.date(2025, 3, 21)  # in the 2024 school year: met, missed, under way and upcoming
SCHOOL_YEAR = "2024"  # the board's school year: 2024-09-01 – 2025-08-31, six bimonthly deadlines
FILED = 0.7  # share of the past deadlines with a briefing filed
EXTENDED = 0.05  # share of the deadlines with an extension

ACTIVITY_KINDS = (
    ["校长沙龙", "团队建设会议", "专题研讨", "跟岗观摩", "读书交流"],
    [50, 15, 15, 10, 10],
)
DOCUMENT_KINDS = (["summary", "portfolio", "micro_project", "work_plan"], [35, 35, 20, 10])


def build(bureau):
    """The programme, leads, 2,000 cadre teams with their XC-TEAM obligations, activities,
    documents, bimonthly schedules, deadlines and briefings; all written with bulk_create."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import User
    from programmes.models import Programme
    from programmes.rules import Period
    from workshops import rules
    from workshops.models import (
        ActivityRecord,
        Briefing,
        Deadline,
        Obligation,
        ReportingSchedule,
        Team,
        TeamDocument,
        TeamKind,
    )

    rng = random.Random(20250321)
    programme = Programme.objects.create(
        bureau=bureau,
        code="cadre-2023",
        name="学区干部队伍建设（2023—2026）",
        start_month=START,
        end_month=END,
        status="active",
    )
    password = make_password(None)
    leads = User.objects.bulk_create(
        [
            User(
                username=f"{bureau.code}-lead{i:04d}",
                full_name=f"组长{i:04d}",
                email=f"lead{i:04d}@{bureau.code}.example",
                bureau=bureau,
                password=password,
            )
            for i in range(LEADS)
        ],
        batch_size=1000,
    )
    teams = Team.objects.bulk_create(
        [
            Team(
                bureau=bureau,
                programme=programme,
                kind=TeamKind.CADRE_TEAM,
                name=f"学区干部团队{i:04d}",
                lead=leads[i % LEADS],
            )
            for i in range(GROUPS)
        ],
        batch_size=1000,
    )
    # Six counted obligations a group (XC-TEAM's form of duties: a plan, a salon a month, a
    # micro-project a year, a summary, a meeting and a portfolio each semester).
    specs = (
        rules.Obligation(
            "XC-TEAM",
            "团队建设方案",
            rules.Counts.DOCUMENTS,
            1,
            Period.CYCLE,
            frozenset({"work_plan"}),
        ),
        rules.Obligation(
            "XC-TEAM", "校长沙龙", rules.Counts.ACTIVITIES, 1, Period.MONTH, frozenset({"校长沙龙"})
        ),
        rules.Obligation(
            "XC-TEAM",
            "微项目",
            rules.Counts.DOCUMENTS,
            1,
            Period.YEAR,
            frozenset({"micro_project"}),
        ),
        rules.Obligation(
            "XC-TEAM",
            "学期工作总结",
            rules.Counts.DOCUMENTS,
            1,
            Period.SEMESTER,
            frozenset({"summary"}),
        ),
        rules.Obligation(
            "XC-TEAM",
            "学期团队建设会议",
            rules.Counts.ACTIVITIES,
            1,
            Period.SEMESTER,
            frozenset({"团队建设会议"}),
        ),
        rules.Obligation(
            "XC-TEAM",
            "团队档案袋",
            rules.Counts.DOCUMENTS,
            1,
            Period.SEMESTER,
            frozenset({"portfolio"}),
        ),
    )
    Obligation.objects.bulk_create(
        [
            Obligation(
                bureau=bureau,
                team=team,
                rule=spec.rule,
                title=spec.title,
                counts=spec.counts,
                kinds=sorted(spec.kinds),
                min_count=spec.min_count,
                period=spec.period,
                order=order,
            )
            for team in teams
            for order, spec in enumerate(specs)
        ],
        batch_size=1000,
    )
    span = (END - START).days + 1

    def some_day() -> dt.date:
        return START + dt.timedelta(days=rng.randrange(span))

    activities, documents = [], []
    for team in teams:
        for n in range(rng.randint(*ACTIVITIES)):
            kind = rng.choices(*ACTIVITY_KINDS)[0]
            activities.append(
                ActivityRecord(
                    bureau=bureau,
                    team=team,
                    date=some_day(),
                    kind=kind,
                    topic=f"{kind}{n}",
                    hours=Decimal(rng.choice([2, 3, 4])),
                    recorded_by_id=team.lead_id,
                )
            )
        for n in range(rng.randint(*DOCUMENTS)):
            kind = rng.choices(*DOCUMENT_KINDS)[0]
            documents.append(
                TeamDocument(
                    bureau=bureau,
                    team=team,
                    kind=kind,
                    title=f"{kind}{n}",
                    submitted_on=some_day(),
                    author_id=team.lead_id,
                    file="bench/x.pdf",  # no file is written: only the row is read
                    original_name=f"{kind}{n}.pdf",
                    size=120_000,
                    content_type="application/pdf",
                )
            )
    ActivityRecord.objects.bulk_create(activities, batch_size=1000)
    TeamDocument.objects.bulk_create(documents, batch_size=1000)

    schedule_rule = rules.Schedule(rules.Frequency.BIMONTHLY)
    days = rules.deadlines(schedule_rule, START, END)
    assert len(days) == 18, days
    schedules = ReportingSchedule.objects.bulk_create(
        [
            ReportingSchedule(
                bureau=bureau,
                team=team,
                title="活动简报",
                frequency=schedule_rule.frequency,
                day=schedule_rule.day,
                starts=START,
                ends=END,
            )
            for team in teams
        ],
        batch_size=1000,
    )
    deadlines = []
    for schedule in schedules:
        for day in days:
            extended = rng.random() < EXTENDED
            deadlines.append(
                Deadline(
                    bureau=bureau,
                    schedule=schedule,
                    team_id=schedule.team_id,
                    due=day,
                    extended_to=day + dt.timedelta(days=14) if extended else None,
                    extension_reason="学区活动冲突" if extended else "",
                )
            )
    deadlines = Deadline.objects.bulk_create(deadlines, batch_size=1000)
    lead_of = {team.pk: team.lead_id for team in teams}
    briefings = []
    for deadline in deadlines:
        if deadline.due >= TODAY or rng.random() >= FILED:
            continue
        if rng.random() < 0.8:  # on time, a few days ahead
            filed_on = deadline.due - dt.timedelta(days=rng.randrange(10))
        else:  # late (on time, when an extension covers it)
            filed_on = min(deadline.due + dt.timedelta(days=rng.randint(1, 30)), TODAY)
        briefings.append(
            Briefing(
                bureau=bureau,
                deadline=deadline,
                text="本期开展了校长沙龙和团队建设会议。",
                filed_by_id=lead_of[deadline.team_id],
                filed_on=filed_on,
            )
        )
    Briefing.objects.bulk_create(briefings, batch_size=1000)
    return programme, {
        "obligations": len(specs) * len(teams),
        "activities": len(activities),
        "documents": len(documents),
        "deadlines": len(deadlines),
        "briefings": len(briefings),
    }


# --- (a) floor ---------------------------------------------------------------------------------


def period_start(period: str, day: dt.date, cycle_start: dt.date) -> dt.date:
    """The first day of the period ``day`` falls in, clipped to the cycle (it starts on a 1st)."""
    if period == "month":
        start = day.replace(day=1)
    elif period == "semester":
        if day.month >= 9:
            start = dt.date(day.year, 9, 1)
        elif day.month == 1:
            start = dt.date(day.year - 1, 9, 1)
        else:
            start = dt.date(day.year, 2, 1)
    elif period == "year":
        start = dt.date(day.year if day.month >= 9 else day.year - 1, 9, 1)
    elif period == "cycle":
        start = cycle_start
    else:  # pragma: no cover - XC-TEAM counts by these four
        raise ValueError(period)
    return max(start, cycle_start)


def floor_obligations(team_ids: list[int], cycle) -> dict[tuple[int, int, dt.date], int]:
    """The least an implementation must do: three reads, and a count per (group, obligation,
    period start) of the items of the obligation's kinds."""
    from workshops.models import ActivityRecord, Obligation, TeamDocument

    obligations = list(
        Obligation.objects.filter(team_id__in=team_ids).values_list(
            "pk", "team_id", "counts", "kinds", "period"
        )
    )
    items: dict[tuple[int, str], list[tuple[str, dt.date]]] = defaultdict(list)
    for team_id, kind, day in ActivityRecord.objects.filter(team_id__in=team_ids).values_list(
        "team_id", "kind", "date"
    ):
        items[team_id, "activities"].append((kind, day))
    for team_id, kind, day in TeamDocument.objects.filter(team_id__in=team_ids).values_list(
        "team_id", "kind", "submitted_on"
    ):
        items[team_id, "documents"].append((kind, day))
    counts: dict[tuple[int, int, dt.date], int] = defaultdict(int)
    for pk, team_id, what, kinds, period in obligations:
        kinds = set(kinds)
        for kind, day in items[team_id, what]:
            if (not kinds or kind in kinds) and cycle.start <= day <= cycle.end:
                counts[team_id, pk, period_start(period, day, cycle.start)] += 1
    return counts


def selector_counts(rows) -> dict[tuple[int, int, dt.date], int]:
    """The non-zero counts of obligation_rows' result, keyed as the floor's."""
    return {
        (team_id, row.obligation.pk, period.window.start): period.count
        for team_id, team_rows in rows.items()
        for row in team_rows
        for period in row.periods
        if period.count
    }


# --- (b) floor ---------------------------------------------------------------------------------


def floor_board(programme, school_year):
    """One read of the school year's deadlines with their briefing's date, pivoted by group."""
    from workshops.models import Deadline

    cells: dict[int, dict[dt.date, tuple[dt.date | None, dt.date | None]]] = defaultdict(dict)
    dates: set[dt.date] = set()
    for team_id, due, extended_to, filed_on in Deadline.objects.filter(
        team__programme=programme, due__range=(school_year.start, school_year.end)
    ).values_list("team_id", "due", "extended_to", "briefing__filed_on"):
        cells[team_id][due] = (extended_to, filed_on)
        dates.add(due)
    return sorted(dates), cells


def board_cells(board) -> dict[int, dict[dt.date, tuple[dt.date | None, dt.date | None]]]:
    """briefing_board's cells, keyed as the floor's."""
    return {
        row.team.pk: {
            day: (cell.deadline.extended_to, cell.filed_on)
            for day, cell in zip(board.dates, row.cells, strict=True)
            if cell is not None
        }
        for row in board.rows
    }


def main() -> bool:
    with django_environment() as vendor:
        from django.db import connection

        from bureaus.tenancy import bureau_scope
        from workshops.models import Team
        from workshops.selectors import briefing_board, obligation_rows

        bureau = make_bureau("bench", "基准", schools=1)
        with bureau_scope(bureau):
            print(f"Building {GROUPS:,} cadre teams and what they did ...", flush=True)
            programme, built = build(bureau)
            print(", ".join(f"{n:,} {what}" for what, n in built.items()), flush=True)
            if vendor == "postgresql":
                # What autovacuum does on a real database soon after such a load: without
                # statistics the planner takes the fresh tables for empty and nests loops
                # (the floor of (b) then takes 0.8 s instead of 0.02 s).
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            cycle = programme.cycle
            school_year = next(w for w in programme.years if w.key == SCHOOL_YEAR)

            # The groups as the programme's group page passes them: the staff's groups
            # (workshops.access.teams_for_user: programme, lead and assistant joined).
            visible = Team.objects.select_related("programme", "lead", "assistant")
            teams = list(visible.filter(programme=programme).order_by("name"))
            team_ids = [g.pk for g in teams]
            some = teams[:SMALL]
            some_visible = visible.filter(name__lt=f"学区干部团队{SMALL:04d}")

            # (a) what each group owes, per period
            def run_floor_a():
                counts = floor_obligations(team_ids, cycle)
                assert counts

            def run_rows(chosen=teams):
                for team in chosen:
                    team.programme.forget_calendar()  # read afresh, as a request does
                rows = obligation_rows(chosen, today=TODAY)
                assert len(rows) == len(chosen) and all(len(r) == 6 for r in rows.values())

            expected = floor_obligations(team_ids, cycle)
            assert selector_counts(obligation_rows(teams, today=TODAY)) == expected
            floor_a, rows_m, rows_small = measure_together(
                [
                    ("floor: 3 values_list + dict counts", run_floor_a, None),
                    ("(a) obligation_rows(), all groups", run_rows, None),
                    (f"    the same for {SMALL} groups", lambda: run_rows(some), None),
                ]
            )
            periods = sum(
                len(row.periods)
                for team_rows in obligation_rows(teams, today=TODAY).values()
                for row in team_rows
            )

            # (b) the briefing board of one school year
            def run_floor_b():
                dates, cells = floor_board(programme, school_year)
                assert len(dates) == 6 and len(cells) == GROUPS

            def run_board(qs=visible, count=GROUPS):
                board = briefing_board(programme, qs, school_year=school_year, today=TODAY)
                assert len(board.dates) == 6 and len(board.rows) == count

            board = briefing_board(programme, visible, school_year=school_year, today=TODAY)
            floor_dates, floor_cells = floor_board(programme, school_year)
            assert board.dates == floor_dates and board_cells(board) == floor_cells
            board_counts = dict(board.counts)
            floor_b, board_m, board_small = measure_together(
                [
                    ("floor: values_list + dict pivot", run_floor_b, None),
                    ("(b) briefing_board(), all groups", run_board, None),
                    (
                        f"    the same for {SMALL} groups",
                        lambda: run_board(some_visible, SMALL),
                        None,
                    ),
                ]
            )

    def row(m, floor, goal=""):
        return (
            m.name,
            f"{m.seconds:.3f}",
            str(m.queries),
            f"{m.seconds / floor.seconds:.1f}×",
            goal,
        )

    headers = ("operation", "seconds", "queries", "vs floor", "goal")
    a_time = rows_m.seconds <= 3 * floor_a.seconds
    a_queries = rows_small.queries == rows_m.queries
    print_table(
        f"(a) Obligations on {vendor}: {GROUPS:,} cadre teams × 6 obligations, "
        f"{built['activities']:,} activities, {built['documents']:,} documents, "
        f"{periods:,} period counts (best of {REPEAT} runs; queries counted in a warm-up run)",
        [
            row(floor_a, floor_a),
            row(rows_m, floor_a, f"≤ 3× floor: {verdict(a_time)}"),
            row(rows_small, floor_a),
        ],
        headers,
    )
    print(
        f"(a) queries: {rows_small.queries} for {SMALL} groups, {rows_m.queries} for {GROUPS:,}; "
        f"constant: {verdict(a_queries)}; counts equal to the floor's ({len(expected):,} non-zero)"
    )
    b_time = board_m.seconds <= 3 * floor_b.seconds
    b_queries = board_small.queries == board_m.queries
    print_table(
        f"(b) Briefing board on {vendor}: {GROUPS:,} teams × 6 deadlines of the {SCHOOL_YEAR} "
        f"school year ({built['deadlines']:,} deadlines, {built['briefings']:,} briefings in "
        f"all; best of {REPEAT} runs; queries counted in a warm-up run)",
        [
            row(floor_b, floor_b),
            row(board_m, floor_b, f"≤ 3× floor: {verdict(b_time)}"),
            row(board_small, floor_b),
        ],
        headers,
    )
    print(
        f"(b) queries: {board_small.queries} for {SMALL} groups, {board_m.queries} for "
        f"{GROUPS:,}; constant: {verdict(b_queries)}; cells equal to the floor's; statuses "
        + ", ".join(f"{status} {n:,}" for status, n in sorted(board_counts.items()))
    )
    a_ok, b_ok = a_time and a_queries, b_time and b_queries
    print(f"(a) overall: {verdict(a_ok)}; (b) overall: {verdict(b_ok)}")
    return a_ok and b_ok


if __name__ == "__main__":
    finish(main())
