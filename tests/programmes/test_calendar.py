"""A programme's own calendar (its year, dated semesters and holidays), clauses owed only in a
phase, and clauses owed only by some participants: pure rules, by rule id, without a database."""

import datetime as dt

import pytest

from programmes.rules import (
    Alternative,
    Clause,
    Condition,
    ConditionKind,
    Cycle,
    Evidence,
    Level,
    Participant,
    Period,
    RequirementSpec,
    Span,
    Status,
    YearBasis,
    evaluate,
    windows,
)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def spans(period: Period, cycle: Cycle) -> list[tuple[str, dt.date, dt.date]]:
    return [(w.key, w.start, w.end) for w in windows(period, cycle)]


HA_2022 = Cycle(d("2022-01-01"), d("2022-12-31"), basis=YearBasis.CALENDAR_YEAR)
XH = Cycle(d("2023-09-01"), d("2026-06-30"))
# XC: April 2017 – June 2018, counted by school year, with Shanghai's dated semesters.
XC = Cycle(
    d("2017-04-01"),
    d("2018-06-30"),
    semesters=(
        Span("2016学年第二学期", d("2017-02-13"), d("2017-06-30")),
        Span("2017学年第一学期", d("2017-09-01"), d("2018-01-19")),
        Span("2017学年第二学期", d("2018-02-26"), d("2018-06-29")),
    ),
)
XC_IMPLEMENTATION = (d("2017-06-01"), d("2018-05-31"))


# --- The programme's year ----------------------------------------------------------------------


def test_HA_a_calendar_year_programme_has_one_year_and_two_whole_semesters():
    assert spans(Period.YEAR, HA_2022) == [("2022", d("2022-01-01"), d("2022-12-31"))]
    assert spans(Period.SEMESTER, HA_2022) == [
        ("2022-1", d("2022-01-01"), d("2022-08-31")),
        ("2022-2", d("2022-09-01"), d("2022-12-31")),
    ]
    assert [w.label for w in windows(Period.SEMESTER, HA_2022)] == [
        "2022年春季学期",
        "2022年秋季学期",
    ]
    assert windows(Period.YEAR, HA_2022)[0].label == "2022年度"


def test_HA_counted_by_school_year_the_january_stub_is_never_owed():
    """The old anchoring: a January-only 2021学年第一学期 is a stub, not a period owed."""
    by_school_year = Cycle(d("2022-01-01"), d("2022-12-31"))
    keys = [key for key, _s, _e in spans(Period.SEMESTER, by_school_year)]
    assert "2021-1" not in keys
    assert keys == ["2021-2", "2022-1"]


def test_XH_CYCLE_school_years_with_the_last_one_cut_short():
    assert spans(Period.YEAR, XH) == [
        ("2023", d("2023-09-01"), d("2024-08-31")),
        ("2024", d("2024-09-01"), d("2025-08-31")),
        ("2025", d("2025-09-01"), d("2026-06-30")),  # ten of twelve months: owed
    ]
    assert windows(Period.YEAR, XH)[0].label == "2023学年"


def test_listed_years_carry_their_own_names_and_dates():
    cycle = Cycle(
        d("2024-03-01"),
        d("2026-02-28"),
        basis=YearBasis.LISTED,
        years=(
            Span("第一年度", d("2024-03-01"), d("2025-02-28")),
            Span("第二年度", d("2025-03-01"), d("2026-02-28")),
        ),
    )
    assert [(w.label, w.start, w.end) for w in windows(Period.YEAR, cycle)] == [
        ("第一年度", d("2024-03-01"), d("2025-02-28")),
        ("第二年度", d("2025-03-01"), d("2026-02-28")),
    ]
    assert cycle.year_of(d("2025-03-01")).label == "第二年度"
    assert cycle.year_of(d("2023-12-31")) is None


@pytest.mark.parametrize(
    "end, owed",
    [
        (d("2024-03-31"), ["2023"]),  # seven of twelve months of 2023学年: owed
        (d("2024-01-31"), []),  # five months: a stub
    ],
)
def test_a_period_cut_to_less_than_half_by_the_cycle_is_not_owed(end, owed):
    assert [w.key for w in windows(Period.YEAR, Cycle(d("2023-09-01"), end))] == owed


# --- Dated semesters and holidays --------------------------------------------------------------


def test_XC_PHASES_listed_semesters_replace_the_usual_ones():
    assert [(w.label, w.start, w.end) for w in windows(Period.SEMESTER, XC)] == [
        ("2016学年第二学期", d("2017-04-01"), d("2017-06-30")),
        ("2017学年第一学期", d("2017-09-01"), d("2018-01-19")),
        ("2017学年第二学期", d("2018-02-26"), d("2018-06-29")),
    ]


def test_XC_PHASES_a_month_mostly_in_the_holidays_is_not_owed():
    months = [w.key for w in windows(Period.MONTH, XC)]
    assert "2017-07" not in months and "2017-08" not in months  # summer holiday
    assert "2018-02" not in months  # 1–25 February is winter holiday
    assert "2018-01" in months  # term until the 19th: more than half


def test_XC_PHASES_fortnights_run_from_the_phase_and_skip_the_holidays():
    clause = Clause(
        Period.FORTNIGHT, (Alternative(frozenset({"seminar"})),), within=XC_IMPLEMENTATION
    )
    owed = clause.periods(XC)
    assert owed[0].start == d("2017-06-01")
    assert all(XC_IMPLEMENTATION[0] <= w.start and w.end <= XC_IMPLEMENTATION[1] for w in owed)
    assert not any(w.start.month in (7, 8) for w in owed)  # summer
    assert not any(d("2018-01-27") <= w.start <= d("2018-02-14") for w in owed)  # winter
    assert 16 <= len(owed) <= 20  # of the 26 fortnights of the phase


def test_explicit_holidays_take_out_months_of_a_calendar_without_dated_semesters():
    cycle = Cycle(
        d("2024-09-01"),
        d("2025-08-31"),
        holidays=(Span("暑假", d("2025-07-01"), d("2025-08-31")),),
    )
    assert [w.key for w in windows(Period.MONTH, cycle)][-2:] == ["2025-05", "2025-06"]


# --- A clause owed only in a phase (XC-PHASES) -------------------------------------------------


def test_XC_PHASES_a_semester_clause_in_the_implementation_phase_owes_two_semesters():
    clause = Clause(Period.SEMESTER, (Alternative(frozenset({"forum"})),), within=XC_IMPLEMENTATION)
    assert [(w.label, w.start, w.end) for w in clause.periods(XC)] == [
        ("2017学年第一学期", d("2017-09-01"), d("2018-01-19")),
        ("2017学年第二学期", d("2018-02-26"), d("2018-05-31")),
    ]


def test_a_cycle_clause_in_a_phase_is_owed_within_the_phase_only():
    plan = Clause(
        Period.CYCLE, (Alternative(frozenset({"plan"})),), within=(d("2017-04-01"), d("2017-05-31"))
    )
    spec = RequirementSpec("计划", "计划", (plan,), frozenset({"mentor"}))
    late = [Evidence(1, "plan", Level.SCHOOL, d("2017-06-10"))]
    result = evaluate(spec, tier="mentor", evidence=late, cycle=XC, today=d("2017-07-01"))
    assert result.status == Status.MISSED
    on_time = [Evidence(1, "plan", Level.SCHOOL, d("2017-05-10"))]
    assert (
        evaluate(spec, tier="mentor", evidence=on_time, cycle=XC, today=d("2017-07-01")).status
        == Status.MET
    )


def test_a_phase_outside_the_cycle_owes_nothing():
    clause = Clause(
        Period.MONTH, (Alternative(frozenset({"x"})),), within=(d("2030-01-01"), d("2030-12-31"))
    )
    assert clause.periods(XC) == ()


# --- A clause owed by some participants only (SJ-INIT) -----------------------------------------

FIRST_TIME = Condition(ConditionKind.FIRST_TIME_CLASS_TEACHER)


@pytest.mark.parametrize(
    "condition, who, holds",
    [
        (FIRST_TIME, Participant("horizon", class_teacher_stage="first_time"), True),
        (FIRST_TIME, Participant("horizon", class_teacher_stage="qualified"), False),
        (FIRST_TIME, Participant("horizon"), False),
        (
            Condition(ConditionKind.CLASS_TEACHER_STAGE, "qualified, mature"),
            Participant("horizon", class_teacher_stage="mature"),
            True,
        ),
        (
            Condition(ConditionKind.CLASS_TEACHER_YEARS_AT_LEAST, "20"),
            Participant("t", years_class_teacher=20),
            True,
        ),
        (
            Condition(ConditionKind.CLASS_TEACHER_YEARS_AT_LEAST, "20"),
            Participant("t", years_class_teacher=19),
            False,
        ),
        (
            Condition(ConditionKind.CLASS_TEACHER_YEARS_BELOW, "3"),
            Participant("t", years_class_teacher=2),
            True,
        ),
        (
            Condition(ConditionKind.CAREER_STAGE, "new,early"),
            Participant("t", career_stage="early"),
            True,
        ),
        (
            Condition(ConditionKind.CAREER_STAGE, "new,early"),
            Participant("t", career_stage="mature"),
            False,
        ),
    ],
)
def test_SJ_INIT_conditions_on_the_profile(condition, who, holds):
    assert condition.holds(who) is holds


def test_SJ_INIT_a_condition_on_years_needs_a_whole_number():
    with pytest.raises(ValueError):
        Condition(ConditionKind.CLASS_TEACHER_YEARS_AT_LEAST, "twenty")


def test_SJ_INIT_conditioned_clauses_are_left_out_for_others_and_kept_for_the_tier():
    training = Clause(
        Period.CYCLE, (Alternative(frozenset({"pre_service_training"})),), condition=FIRST_TIME
    )
    guidance = Clause(Period.YEAR, (Alternative(frozenset({"shadow_guidance"})),))
    spec = RequirementSpec("地平线", "地平线", (training, guidance), frozenset({"horizon"}))
    cycle = Cycle(d("2024-09-01"), d("2027-08-31"))
    qualified = Participant("horizon", class_teacher_stage="qualified")
    first = Participant("horizon", class_teacher_stage="first_time")
    today = d("2025-01-01")
    mine = evaluate(
        spec, tier="horizon", evidence=[], cycle=cycle, today=today, participant=qualified
    )
    assert [c.clause for c in mine.clauses] == [guidance]
    theirs = evaluate(
        spec, tier="horizon", evidence=[], cycle=cycle, today=today, participant=first
    )
    assert [c.clause for c in theirs.clauses] == [training, guidance]
    # Without a participant (a tier's view), every clause of the tier is shown.
    assert len(evaluate(spec, tier="horizon", evidence=[], cycle=cycle, today=today).clauses) == 2
    only_training = RequirementSpec("上岗", "上岗", (training,), frozenset({"horizon"}))
    assert not only_training.applies_to(qualified) and only_training.applies_to(first)
    assert only_training.applies_to("horizon")


def test_XC_PHASES_the_holidays_are_the_days_between_the_dated_semesters():
    assert [(h.name, h.start, h.end) for h in XC.holiday_spans()] == [
        ("", d("2017-07-01"), d("2017-08-31")),
        ("", d("2018-01-20"), d("2018-02-25")),
    ]
    listed = Cycle(
        d("2024-09-01"),
        d("2025-08-31"),
        holidays=(Span("国庆", d("2024-10-01"), d("2024-10-07")),),
    )
    assert [h.name for h in listed.holiday_spans()] == ["国庆"]


def test_XC_PHASES_fortnights_start_again_with_each_dated_semester():
    """After the winter holiday the count starts on the first day of term: a seminar in the
    first days of the spring semester (26 Feb – 1 Mar 2018) falls in an owed fortnight."""
    clause = Clause(
        Period.FORTNIGHT, (Alternative(frozenset({"seminar"})),), within=XC_IMPLEMENTATION
    )
    owed = clause.periods(XC)
    spring = [w for w in owed if w.start >= d("2018-02-01")]
    assert spring[0].start == d("2018-02-26")
    assert any(d("2018-03-01") in w for w in owed)
    assert any(d("2018-01-10") in w for w in owed)  # the autumn semester's last fortnights
    # Fortnights never overlap, so each day falls in at most one.
    for before, after in zip(owed, owed[1:], strict=False):
        assert before.end < after.start


def test_a_clause_with_no_period_in_the_calendar_is_left_out_not_met():
    """A per-year clause of a cycle too short to hold half a school year owes nothing: it is
    left out of the result rather than shown as met."""
    short = Cycle(d("2024-09-01"), d("2025-01-31"))
    yearly = Clause(Period.YEAR, (Alternative(frozenset({"lesson"})),))
    once = Clause(Period.CYCLE, (Alternative(frozenset({"paper"})),))
    spec = RequirementSpec("任务", "任务", (yearly, once), frozenset({"t"}))
    result = evaluate(spec, tier="t", evidence=[], cycle=short, today=d("2025-03-01"))
    assert [c.clause for c in result.clauses] == [once]
    assert result.status == Status.MISSED
    only_yearly = RequirementSpec("任务", "任务", (yearly,), frozenset({"t"}))
    assert not only_yearly.owed("t", short) and only_yearly.owed("t", XH)


def test_keys_of_listed_years_and_semesters_do_not_collide():
    cycle = Cycle(
        d("2022-01-01"),
        d("2022-12-31"),
        basis=YearBasis.LISTED,
        years=(Span("2022年度", d("2022-01-01"), d("2022-12-31")),),
        semesters=(Span("春季学期", d("2022-01-01"), d("2022-07-15")),),
    )
    year_keys = {w.key for w in windows(Period.YEAR, cycle)}
    semester_keys = {w.key for w in windows(Period.SEMESTER, cycle)}
    assert not year_keys & semester_keys
