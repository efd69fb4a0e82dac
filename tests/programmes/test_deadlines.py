"""Deadlines inside a period (a fixed date, or a month of each period), lateness, and calendar
events that repeat, without a database (HA-PLAN, HA-OUTPUT, XH-CYCLE, HA-SCHEDULE)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from programmes.rules import (
    Alternative,
    Clause,
    Cycle,
    Deadline,
    DeadlineProblem,
    Evidence,
    Level,
    Period,
    Repeat,
    RequirementSpec,
    Status,
    deadline_problem,
    evaluate,
    event_sort_key,
    event_when,
    windows,
)

HA_CYCLE = Cycle(dt.date(2022, 1, 1), dt.date(2022, 12, 31))
XH_CYCLE = Cycle(dt.date(2023, 9, 1), dt.date(2026, 6, 30))
SJ_CYCLE = Cycle(dt.date(2024, 9, 1), dt.date(2027, 8, 31))
TIERS = frozenset({"backbone"})
PLAN = Alternative(frozenset({"development_plan"}), ("个人三年发展规划",))
OUTPUT = Alternative(frozenset({"research_output"}), ("问题研究成果",))


def spec(clause: Clause, key: str = "个人规划") -> RequirementSpec:
    return RequirementSpec(key, key, (clause,), TIERS)


def plan(day: dt.date, kind: str = "development_plan", n: int = 1, hours=None) -> Evidence:
    return Evidence(n, kind, Level.SCHOOL, day, hours)


def periods(requirement: RequirementSpec, evidence, cycle: Cycle, today: dt.date):
    result = evaluate(requirement, tier="backbone", evidence=evidence, cycle=cycle, today=today)
    return result.clauses[0].periods


HA_PLAN = spec(Clause(Period.CYCLE, (PLAN,), deadline=Deadline(month=4)))
HA_OUTPUT = spec(Clause(Period.CYCLE, (OUTPUT,), deadline=Deadline(month=12)), "研究成果")
XH_PLAN = spec(Clause(Period.CYCLE, (PLAN,), deadline=Deadline(on=dt.date(2023, 11, 30))))


# --- Due dates ---------------------------------------------------------------------------------


def test_HA_PLAN_the_plan_is_due_by_the_end_of_april():
    [period] = periods(HA_PLAN, [], HA_CYCLE, dt.date(2022, 3, 1))
    assert period.due == dt.date(2022, 4, 30)
    assert period.status == Status.IN_PROGRESS and period.overdue_days(dt.date(2022, 3, 1)) == 0


def test_HA_OUTPUT_research_outputs_are_due_by_the_end_of_december():
    [period] = periods(HA_OUTPUT, [], HA_CYCLE, dt.date(2022, 12, 1))
    assert period.due == dt.date(2022, 12, 31)


def test_XH_CYCLE_the_development_plan_is_due_by_2023_11_30():
    [period] = periods(XH_PLAN, [], XH_CYCLE, dt.date(2023, 10, 1))
    assert period.due == dt.date(2023, 11, 30)


def test_a_month_of_each_school_year_gives_each_year_its_own_due_date():
    clause = Clause(Period.YEAR, (PLAN,), deadline=Deadline(month=4, day=15))
    found = [Deadline(month=4, day=15).due_in(w) for w in windows(Period.YEAR, XH_CYCLE)]
    assert found == [dt.date(2024, 4, 15), dt.date(2025, 4, 15), dt.date(2026, 4, 15)]
    # July falls outside the last school year, which the cycle cuts at June 2026.
    july = [Deadline(month=7).due_in(w) for w in windows(Period.YEAR, XH_CYCLE)]
    assert july == [dt.date(2024, 7, 31), dt.date(2025, 7, 31), None]
    assert [p.due for p in periods(spec(clause), [], XH_CYCLE, dt.date(2024, 1, 1))] == found


def test_a_day_past_the_end_of_a_short_month_is_its_last_day():
    leap, plain = Deadline(month=2, day=30), Deadline(month=2)
    year = windows(Period.YEAR, Cycle(dt.date(2024, 1, 1), dt.date(2025, 12, 31)))
    assert [leap.due_in(w) for w in year] == [dt.date(2024, 2, 29), dt.date(2025, 2, 28)]
    assert [plain.due_in(w) for w in year] == [dt.date(2024, 2, 29), dt.date(2025, 2, 28)]


def test_a_fixed_date_belongs_to_the_one_period_it_falls_in():
    fixed = Deadline(on=dt.date(2024, 11, 30))
    assert [fixed.due_in(w) for w in windows(Period.YEAR, XH_CYCLE)] == [
        None,
        dt.date(2024, 11, 30),
        None,
    ]


def test_a_clause_without_a_deadline_has_no_due_date_and_no_lateness():
    clause = Clause(Period.CYCLE, (PLAN,))
    [period] = periods(spec(clause), [plan(dt.date(2022, 6, 1))], HA_CYCLE, dt.date(2022, 7, 1))
    assert period.due is None and period.late_days == 0
    assert period.deadline_note(dt.date(2022, 7, 1)) == ""


def test_a_deadline_is_a_date_or_a_month():
    with pytest.raises(ValueError):
        Deadline()
    with pytest.raises(ValueError):
        Deadline(on=dt.date(2022, 4, 30), month=4)
    with pytest.raises(ValueError):
        Deadline(month=13)


# --- Lateness ------------------------------------------------------------------------------------


def test_HA_PLAN_a_plan_in_april_is_on_time_and_one_in_may_is_late():
    today = dt.date(2022, 12, 1)
    [on_time] = periods(HA_PLAN, [plan(dt.date(2022, 4, 20))], HA_CYCLE, today)
    assert on_time.status == Status.MET and on_time.met_on == dt.date(2022, 4, 20)
    assert on_time.late_days == 0 and on_time.deadline_note(today) == ""
    [late] = periods(HA_PLAN, [plan(dt.date(2022, 5, 3))], HA_CYCLE, today)
    assert late.status == Status.MET and late.late_days == 3


def test_HA_PLAN_no_plan_after_april_is_overdue_while_the_year_runs():
    [period] = periods(HA_PLAN, [], HA_CYCLE, dt.date(2022, 5, 3))
    assert period.status == Status.IN_PROGRESS
    assert period.overdue_days(dt.date(2022, 5, 3)) == 3
    assert period.overdue_days(dt.date(2022, 4, 30)) == 0  # due that day: not yet overdue


def test_HA_OUTPUT_a_missed_year_is_missed_not_overdue():
    [period] = periods(HA_OUTPUT, [], HA_CYCLE, dt.date(2023, 1, 5))
    assert period.status == Status.MISSED and period.overdue_days(dt.date(2023, 1, 5)) == 0


def test_met_on_is_the_day_the_count_and_the_hours_were_reached():
    hours = Alternative(
        frozenset({"training"}), ("培训",), min_count=2, min_total_hours=Decimal(10)
    )
    clause = Clause(Period.CYCLE, (hours,), deadline=Deadline(month=6))
    items = [
        plan(dt.date(2022, 3, 1), "training", 1, Decimal(4)),
        plan(dt.date(2022, 7, 9), "training", 3, Decimal(4)),
        plan(dt.date(2022, 5, 2), "training", 2, Decimal(4)),
    ]
    [period] = periods(spec(clause), items, HA_CYCLE, dt.date(2022, 12, 1))
    # Two items by 2 May, but the ten hours only with the third, on 9 July.
    assert period.met_on == dt.date(2022, 7, 9) and period.late_days == 9


def test_XH_CYCLE_a_plan_filed_in_december_2023_came_late():
    [period] = periods(XH_PLAN, [plan(dt.date(2023, 12, 5))], XH_CYCLE, dt.date(2024, 1, 1))
    assert period.status == Status.MET and period.late_days == 5


@pytest.mark.parametrize(
    ("evidence", "today", "note"),
    [
        ([], dt.date(2022, 3, 1), "4月30日前"),
        ([], dt.date(2022, 5, 3), "逾期 3 天"),
        ([plan(dt.date(2022, 5, 2))], dt.date(2022, 6, 1), "迟交 2 天"),
        ([plan(dt.date(2022, 4, 2))], dt.date(2022, 6, 1), ""),
        ([], dt.date(2021, 12, 1), "2022年4月30日前"),  # another year: with the year
    ],
)
def test_HA_PLAN_the_teacher_reads_the_due_date_and_lateness_in_chinese(evidence, today, note):
    with translation.override("zh-hans"):
        [period] = periods(HA_PLAN, evidence, HA_CYCLE, today)
        assert period.deadline_note(today) == note


def test_the_due_date_in_words_for_the_programme_page():
    with translation.override("zh-hans"):
        assert Deadline(month=4).describe() == "4月底前"
        assert Deadline(month=12, day=15).describe() == "12月15日前"
        assert Deadline(on=dt.date(2023, 11, 30)).describe() == "2023年11月30日前"


# --- Checks for the admin ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("deadline", "period", "cycle", "problem"),
    [
        (Deadline(month=4), Period.CYCLE, HA_CYCLE, None),  # HA-PLAN
        (Deadline(month=12), Period.CYCLE, HA_CYCLE, None),  # HA-OUTPUT
        (Deadline(on=dt.date(2023, 11, 30)), Period.CYCLE, XH_CYCLE, None),  # XH-CYCLE
        (Deadline(month=4), Period.YEAR, XH_CYCLE, None),
        (Deadline(month=4), Period.YEAR, HA_CYCLE, None),
        (Deadline(on=dt.date(2026, 7, 1)), Period.CYCLE, XH_CYCLE, DeadlineProblem.OUTSIDE_CYCLE),
        (Deadline(month=4), Period.SEMESTER, XH_CYCLE, DeadlineProblem.PERIOD_HAS_NO_MONTH),
        (Deadline(month=4), Period.MONTH, XH_CYCLE, DeadlineProblem.PERIOD_HAS_NO_MONTH),
        (Deadline(month=4), Period.CYCLE, XH_CYCLE, DeadlineProblem.MONTH_REPEATS_IN_CYCLE),
        (
            Deadline(month=8),
            Period.CYCLE,
            Cycle(dt.date(2023, 9, 1), dt.date(2024, 6, 30)),
            DeadlineProblem.MONTH_NOT_IN_CYCLE,
        ),
        (Deadline(month=4, day=31), Period.YEAR, HA_CYCLE, DeadlineProblem.NO_SUCH_DAY),
    ],
)
def test_a_deadline_must_fit_the_clause_and_the_cycle(deadline, period, cycle, problem):
    assert deadline_problem(deadline, period, cycle) == problem


# --- Calendar events that repeat (HA-SCHEDULE, SJ) ----------------------------------------------


def test_HA_SCHEDULE_events_in_words_without_invented_dates():
    with translation.override("zh-hans"):
        assert event_when(Repeat.ONCE, dt.date(2023, 10, 31), None) == "2023-10-31"
        assert event_when(Repeat.IN_MONTH, dt.date(2022, 4, 1), None) == "2022年4月"
        assert event_when(Repeat.YEARLY, None, 4) == "每年4月"
        assert event_when(Repeat.ALL_YEAR, None, None) == "全年"
        assert event_when(Repeat.BIENNIAL, None, None) == "每两年一次"
        assert event_when(Repeat.BIENNIAL, dt.date(2025, 11, 1), 11) == "每两年一次，11月，2025年起"


def test_HA_SCHEDULE_events_in_calendar_order_with_the_whole_year_first():
    events = {
        "all year": (Repeat.ALL_YEAR, None, None),
        "december": (Repeat.IN_MONTH, dt.date(2022, 12, 1), None),
        "april each year": (Repeat.YEARLY, None, 4),
        "march 10": (Repeat.ONCE, dt.date(2022, 3, 10), None),
    }
    order = sorted(events, key=lambda k: event_sort_key(*events[k], HA_CYCLE))
    assert order == ["all year", "march 10", "april each year", "december"]
    # Every year in a month: its first time inside the cycle.
    assert event_sort_key(Repeat.YEARLY, None, 4, SJ_CYCLE) == (dt.date(2025, 4, 1), 1)
