"""Duties of units, counted per period: pure rules, by rule id, without a database.

SJ-SCHOOL (a school-based session a month from every school; a studio of 8 from a school of 15
classes or more), XC-TEAM (the learning district's plan, salons, micro-project, summaries,
meeting and portfolio), PT-HOURS (the school's plan and 40 class hours a school year) and
HA-ASSESS (the year-end assessment of every unit)."""

import datetime as dt
from decimal import Decimal

from django.utils import translation

from programmes.rules import Cycle, Period, Status, YearBasis
from workshops.rules import (
    PRESETS,
    UnitDutySpec,
    UnitScope,
    current_period,
    school_owes,
    studio_shortfall,
    unit_duty_status,
)

XC = Cycle(dt.date(2017, 4, 1), dt.date(2018, 6, 30))
SJ = Cycle(dt.date(2025, 9, 1), dt.date(2028, 8, 31))
PT = Cycle(dt.date(2024, 9, 1), dt.date(2027, 8, 31))
HA = Cycle(dt.date(2022, 1, 1), dt.date(2022, 12, 31), basis=YearBasis.CALENDAR_YEAR)
AFTER_XC = dt.date(2018, 9, 1)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def by_key(periods) -> dict[str, tuple[int, Status]]:
    return {p.window.key: (p.count, p.status) for p in periods}


def district(title: str, period: Period, kind: str) -> UnitDutySpec:
    return UnitDutySpec("XC-TEAM", title, UnitScope.LEARNING_DISTRICT, period, 1, frozenset({kind}))


XC_PLAN = district("团队建设计划", Period.CYCLE, "team_plan")
XC_SALON = district("校长沙龙", Period.MONTH, "salon")
XC_MICRO = district("微项目", Period.YEAR, "micro_project")
XC_SUMMARY = district("学期工作小结", Period.SEMESTER, "work_summary")
XC_MEETING = district("学期团队建设工作会议", Period.SEMESTER, "team_meeting")
XC_PORTFOLIO = district("团队建设活动档案袋", Period.SEMESTER, "portfolio")
SJ_SESSION = UnitDutySpec(
    "SJ-SCHOOL",
    "分层分主题校本研修",
    UnitScope.EVERY_SCHOOL,
    Period.MONTH,
    1,
    frozenset({"training_session"}),
)
PT_PLAN = UnitDutySpec(
    "PT-HOURS",
    "班主任校本研修计划",
    UnitScope.EVERY_SCHOOL,
    Period.YEAR,
    1,
    frozenset({"training_plan"}),
)
PT_HOURS = UnitDutySpec(
    "PT-HOURS",
    "班主任校本研修课时",
    UnitScope.EVERY_SCHOOL,
    Period.YEAR,
    1,
    frozenset({"training_session"}),
    min_hours=Decimal(40),
)
HA_ASSESS = UnitDutySpec(
    "HA-ASSESS",
    "年度单位考核",
    UnitScope.DIRECT_SCHOOLS,
    Period.YEAR,
    1,
    frozenset({"unit_assessment"}),
)


def filings(kind: str, *days: str, hours=None):
    return [(kind, d(day), None if hours is None else Decimal(hours)) for day in days]


# --- Who owes a duty ---------------------------------------------------------------------------


def test_SJ_SCHOOL_every_school_owes_the_monthly_session_and_only_15_classes_owe_a_studio():
    studio_duty = UnitDutySpec(
        "SJ-SCHOOL", "校级工作室", UnitScope.SCHOOLS_WITH_CLASSES, Period.CYCLE, min_classes=15
    )
    assert school_owes(SJ_SESSION, 3) and school_owes(SJ_SESSION, 40)
    assert school_owes(studio_duty, 15) and not school_owes(studio_duty, 14)
    assert not school_owes(XC_SALON, 30)  # a learning district's duty, not a school's


def test_SJ_SCHOOL_a_school_of_15_classes_without_a_studio_of_8_falls_short():
    assert studio_shortfall(15, []) is not None
    assert studio_shortfall(14, []) is None
    assert studio_shortfall(15, [7]) is not None
    assert studio_shortfall(15, [8]) is None
    assert studio_shortfall(30, [3, 9]) is None


# --- SJ-SCHOOL: a layered school-based session each month ----------------------------------------


def test_SJ_SCHOOL_a_session_each_month_met_missed_in_progress_upcoming():
    items = filings("training_session", "2025-09-12", "2025-11-20", "2025-11-27")
    found = by_key(unit_duty_status(SJ_SESSION, items, SJ, d("2025-12-10")))
    assert found["2025-09"] == (1, Status.MET)
    assert found["2025-10"] == (0, Status.MISSED)
    assert found["2025-11"] == (2, Status.MET)
    assert found["2025-12"] == (0, Status.IN_PROGRESS)
    assert found["2026-01"] == (0, Status.UPCOMING)
    assert len(found) == 36


def test_SJ_SCHOOL_other_filings_do_not_count_and_the_reason_says_what_is_missing():
    items = filings("training_plan", "2025-09-12")
    periods = unit_duty_status(SJ_SESSION, items, SJ, d("2025-09-20"))
    first = periods[0]
    assert (first.count, first.status) == (0, Status.IN_PROGRESS)
    with translation.override("zh-hans"):
        periods = unit_duty_status(SJ_SESSION, items, SJ, d("2025-09-20"))
    assert periods[0].reason == "还差 1 次（已有 0 次，需 1 次）"
    assert current_period(periods).window.key == "2025-09"


# --- XC-TEAM: the learning district's duties ------------------------------------------------------


def test_XC_TEAM_a_salon_in_every_month_but_the_summer_holiday():
    items = [
        ("salon", dt.date(y, m, 21), None)
        for y, m in [(2017, m) for m in range(4, 13)] + [(2018, m) for m in range(1, 7)]
        if m != 8
    ]
    found = unit_duty_status(XC_SALON, items, XC, AFTER_XC)
    assert len(found) == 15  # 2017-04 to 2018-06
    assert [p.window.key for p in found if p.status == Status.MISSED] == ["2017-08"]


def test_XC_TEAM_a_meeting_is_not_a_salon_and_semesters_count_from_the_spring():
    items = filings("team_meeting", "2017-06-16") + filings("salon", "2017-06-23")
    assert by_key(unit_duty_status(XC_SALON, items, XC, AFTER_XC))["2017-06"] == (1, Status.MET)
    assert by_key(unit_duty_status(XC_MEETING, items, XC, AFTER_XC)) == {
        "2016-2": (1, Status.MET),  # April – August 2017: the cycle starts in the spring
        "2017-1": (0, Status.MISSED),
        "2017-2": (0, Status.MISSED),
    }


def test_XC_TEAM_plan_once_micro_project_each_school_year_summary_and_portfolio_each_semester():
    items = (
        filings("team_plan", "2017-05-10")
        + filings("micro_project", "2018-05-30")
        + filings("work_summary", "2017-07-14", "2018-01-20")
        + filings("portfolio", "2018-01-26")
    )
    assert by_key(unit_duty_status(XC_PLAN, items, XC, AFTER_XC)) == {"cycle": (1, Status.MET)}
    micro = by_key(unit_duty_status(XC_MICRO, items, XC, AFTER_XC))
    assert micro == {"2017": (1, Status.MET)}  # April – August 2017 is under half a year
    summary = by_key(unit_duty_status(XC_SUMMARY, items, XC, AFTER_XC))
    assert summary["2016-2"] == summary["2017-1"] == (1, Status.MET)
    assert summary["2017-2"] == (0, Status.MISSED)
    portfolio = by_key(unit_duty_status(XC_PORTFOLIO, items, XC, AFTER_XC))
    assert portfolio["2017-1"] == (1, Status.MET) and portfolio["2016-2"][1] == Status.MISSED


def test_XC_TEAM_the_cadre_team_keeps_only_its_briefing_schedule_so_nothing_is_owed_twice():
    obligations, briefing = PRESETS["cadre_team"]
    assert obligations == ()
    assert briefing is not None and briefing.title == "活动简报"


# --- PT-HOURS: the school's plan and 40 class hours a school year ---------------------------------


def test_PT_HOURS_a_school_year_is_met_at_40_class_hours_not_by_the_count_of_sessions():
    items = filings("training_session", "2024-09-20", "2024-10-18", "2025-03-14", hours="12")
    found = unit_duty_status(PT_HOURS, items, PT, d("2025-06-01"))
    first = found[0]
    assert (first.count, first.hours, first.status) == (3, Decimal(36), Status.IN_PROGRESS)
    with translation.override("zh-hans"):
        reason = unit_duty_status(PT_HOURS, items, PT, d("2025-06-01"))[0].reason
    assert reason == "还差 4 课时（已有 36 课时，需 40 课时）"
    items += filings("training_session", "2025-05-16", hours="4")
    first = unit_duty_status(PT_HOURS, items, PT, d("2025-06-01"))[0]
    assert (first.hours, first.status, first.reason) == (Decimal(40), Status.MET, "")
    after = unit_duty_status(PT_HOURS, items, PT, d("2025-09-02"))
    assert [p.status for p in after] == [Status.MET, Status.IN_PROGRESS, Status.UPCOMING]


def test_PT_HOURS_the_school_training_plan_is_owed_each_school_year():
    items = filings("training_plan", "2024-09-05")
    found = by_key(unit_duty_status(PT_PLAN, items, PT, d("2025-10-01")))
    assert found == {
        "2024": (1, Status.MET),
        "2025": (0, Status.IN_PROGRESS),
        "2026": (0, Status.UPCOMING),
    }


# --- HA-ASSESS: the year-end assessment of each unit ----------------------------------------------


def test_HA_ASSESS_each_unit_is_assessed_once_in_the_calendar_year():
    assert by_key(unit_duty_status(HA_ASSESS, [], HA, d("2022-12-01"))) == {
        "2022": (0, Status.IN_PROGRESS)
    }
    assert by_key(unit_duty_status(HA_ASSESS, [], HA, d("2023-01-05"))) == {
        "2022": (0, Status.MISSED)
    }
    items = filings("unit_assessment", "2022-12-20")
    assert by_key(unit_duty_status(HA_ASSESS, items, HA, d("2023-01-05"))) == {
        "2022": (1, Status.MET)
    }


def test_HA_ASSESS_schools_directly_under_the_bureau_owe_it_a_towns_school_does_not():
    """The working group assesses the towns' education offices (their learning districts) and
    the schools directly under the bureau (局直中小学): a school in a town is assessed with it."""
    assert school_owes(HA_ASSESS, 24, in_district=False)
    assert not school_owes(HA_ASSESS, 24, in_district=True)
    town = UnitDutySpec("HA-ASSESS", "区镇考核", UnitScope.LEARNING_DISTRICT, Period.YEAR)
    assert not school_owes(town, 24)
