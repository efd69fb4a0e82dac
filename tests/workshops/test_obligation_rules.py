"""What groups owe, counted per period (HA-ACT, HA-READ, XC-TEAM, XC-MENTOR, XC-MENTEE), school
studios (SJ-SCHOOL), mentoring pairs (XC-PAIRS), school-based session hours (PT-MODULES,
PT-CREDIT) and workshop output (XH-WS-OUTPUT): pure rules, by rule id, without a database."""

import datetime as dt
from decimal import Decimal

import pytest

from programmes.rules import Cycle, Period, Status, YearBasis
from workshops.rules import (
    HA_ACT_KINDS,
    PRESETS,
    Counts,
    Course,
    LeadRank,
    MenteeKind,
    Obligation,
    SessionFormat,
    deadlines,
    obligation_status,
    output_met,
    owed_courses,
    pair_problem,
    session_hours,
    studio_shortfall,
    workshop_lead_rank,
)

HA = Cycle(dt.date(2022, 1, 1), dt.date(2022, 12, 31), basis=YearBasis.CALENDAR_YEAR)
XC = Cycle(dt.date(2017, 4, 1), dt.date(2018, 6, 30))
AFTER_HA, AFTER_XC = dt.date(2023, 3, 1), dt.date(2018, 9, 1)


def preset(kind: str, title: str) -> Obligation:
    """The obligation the seeds give a group of ``kind`` (rules.PRESETS), by its title."""
    obligations, _schedule = PRESETS[kind]
    return next(o for o in obligations if o.title == title)


def by_key(periods) -> dict[str, tuple[int, Status]]:
    return {p.window.key: (p.count, p.status) for p in periods}


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


HA_SEMESTER = preset("subject_group", "学科研训活动（每学期）")
HA_YEAR = preset("subject_group", "学科研训活动（每年）")
HA_READ = preset("reading_group", "读书交流")
XC_SEMINAR = preset("mentoring_pair", "管理研讨或跟岗观摩")
XC_BOOK = preset("mentoring_pair", "荐书荐文")
XC_LEARNING_PLAN = preset("mentoring_pair", "学习计划")
XC_FORUM = preset("mentoring_pair", "论坛报告")


# --- HA-ACT: ≥2 training activities a semester and ≥4 a year -----------------------------------


def test_HA_ACT_the_presets_count_the_seeds_activity_kinds_two_a_semester_four_a_year():
    assert (HA_SEMESTER.min_count, HA_SEMESTER.period) == (2, Period.SEMESTER)
    assert (HA_YEAR.min_count, HA_YEAR.period) == (4, Period.YEAR)
    assert HA_SEMESTER.kinds == HA_YEAR.kinds == HA_ACT_KINDS
    assert HA_SEMESTER.counts == Counts.ACTIVITIES
    assert len(HA_ACT_KINDS) == 8 and "集体备课" in HA_ACT_KINDS


def test_HA_ACT_two_activities_in_each_semester_meet_both_semesters_and_the_year():
    items = [
        ("学科培训", d("2022-03-25")),
        ("课堂观摩", d("2022-06-10")),
        ("研题磨题", d("2022-09-23")),
        ("教学展示", d("2022-12-09")),
    ]
    semesters = by_key(obligation_status(HA_SEMESTER, items, HA, AFTER_HA))
    assert semesters["2022-1"] == (2, Status.MET)  # spring: Jan – Aug 2022
    assert semesters["2022-2"] == (2, Status.MET)  # autumn: Sep – Dec 2022
    assert by_key(obligation_status(HA_YEAR, items, HA, AFTER_HA)) == {"2022": (4, Status.MET)}


def test_HA_ACT_one_activity_in_the_autumn_misses_that_semester_and_the_year():
    items = [
        ("学科培训", d("2022-04-08")),
        ("交流对话", d("2022-06-17")),
        ("课堂观摩", d("2022-10-21")),
    ]
    semesters = by_key(obligation_status(HA_SEMESTER, items, HA, AFTER_HA))
    assert semesters["2022-1"] == (2, Status.MET)
    assert semesters["2022-2"] == (1, Status.MISSED)
    assert by_key(obligation_status(HA_YEAR, items, HA, AFTER_HA)) == {"2022": (3, Status.MISSED)}


def test_HA_ACT_a_semester_under_way_is_in_progress_not_missed():
    items = [("课堂观摩", d("2022-10-21"))]
    semesters = by_key(obligation_status(HA_SEMESTER, items, HA, d("2022-11-30")))
    assert semesters["2022-2"] == (1, Status.IN_PROGRESS)
    assert by_key(obligation_status(HA_YEAR, items, HA, d("2022-11-30")))["2022"] == (
        1,
        Status.IN_PROGRESS,
    )


def test_HA_ACT_only_the_listed_kinds_count():
    items = [
        ("读书交流", d("2022-03-11")),  # a reading exchange is HA-READ's, not a training activity
        ("分学段研训", d("2022-05-27")),
        ("集体备课", d("2022-06-02")),
    ]
    assert by_key(obligation_status(HA_SEMESTER, items, HA, AFTER_HA))["2022-1"] == (
        1,
        Status.MISSED,
    )


def test_HA_ACT_an_obligation_without_kinds_counts_any_activity():
    anything = Obligation("HA-ACT", "活动", Counts.ACTIVITIES, 2, Period.SEMESTER)
    items = [("读书交流", d("2022-03-11")), ("随便什么", d("2022-05-27"))]
    assert by_key(obligation_status(anything, items, HA, AFTER_HA))["2022-1"] == (2, Status.MET)


def test_HA_ACT_per_calendar_year_over_a_cycle_of_several_years():
    cycle = Cycle(d("2022-03-01"), d("2024-07-31"), basis=YearBasis.CALENDAR_YEAR)
    items = [("学科培训", d(f"2022-{m:02d}-15")) for m in (3, 5, 9, 11)]
    items += [("课堂观摩", d("2023-12-31")), ("课堂观摩", d("2024-01-01"))]
    found = obligation_status(HA_YEAR, items, cycle, d("2024-03-01"))
    assert [(p.window.key, p.window.start, p.window.end) for p in found] == [
        ("2022", d("2022-03-01"), d("2022-12-31")),  # clipped to the cycle
        ("2023", d("2023-01-01"), d("2023-12-31")),
        ("2024", d("2024-01-01"), d("2024-07-31")),
    ]
    assert [(p.count, p.status) for p in found] == [
        (4, Status.MET),
        (1, Status.MISSED),
        (1, Status.IN_PROGRESS),
    ]


def test_HA_ACT_a_period_the_cycle_covers_less_than_half_of_is_not_owed():
    # The cycle ends on 30 June 2024: 182 of the leap year's 366 days.
    cycle = Cycle(d("2022-03-01"), d("2024-06-30"), basis=YearBasis.CALENDAR_YEAR)
    found = obligation_status(HA_YEAR, [], cycle, d("2025-01-01"))
    assert [p.window.key for p in found] == ["2022", "2023"]
    # Counted by school year, Haian's 2022 would hold only January of the 2021 school year's
    # first semester: that stub is not owed, and does not appear at all.
    by_school_year = Cycle(d("2022-01-01"), d("2022-12-31"))
    semesters = obligation_status(HA_SEMESTER, [], by_school_year, AFTER_HA)
    assert [p.window.key for p in semesters] == ["2021-2", "2022-1"]
    # Counted by calendar year, its two semesters are whole.
    semesters = obligation_status(HA_SEMESTER, [], HA, AFTER_HA)
    assert [(p.window.key, p.window.start, p.window.end) for p in semesters] == [
        ("2022-1", d("2022-01-01"), d("2022-08-31")),
        ("2022-2", d("2022-09-01"), d("2022-12-31")),
    ]


@pytest.mark.parametrize(
    "today, expected",
    [
        (d("2022-08-31"), Status.UPCOMING),  # the autumn semester has not begun
        (d("2022-09-01"), Status.IN_PROGRESS),
        (d("2022-12-31"), Status.IN_PROGRESS),  # the last day of the window is still in it
        (d("2023-01-01"), Status.MISSED),
    ],
)
def test_HA_ACT_an_unmet_semester_is_upcoming_in_progress_or_missed_by_the_date(today, expected):
    semesters = by_key(obligation_status(HA_SEMESTER, [], HA, today))
    assert semesters["2022-2"] == (0, expected)


def test_HA_ACT_a_semester_is_met_as_soon_as_it_has_enough_even_before_it_ends():
    items = [("学科培训", d("2022-09-02")), ("课堂观摩", d("2022-09-09"))]
    semesters = by_key(obligation_status(HA_SEMESTER, items, HA, d("2022-09-10")))
    assert semesters["2022-2"] == (2, Status.MET)


def test_HA_ACT_activities_outside_the_cycle_are_ignored():
    items = [("学科培训", d("2021-12-31")), ("学科培训", d("2023-01-01"))]
    found = obligation_status(HA_YEAR, items, HA, AFTER_HA)
    assert [(p.count, p.status) for p in found] == [(0, Status.MISSED)]


# --- HA-READ: a reading exchange per stage each semester ----------------------------------------


def test_HA_READ_one_exchange_a_semester_of_the_reading_kind():
    assert (HA_READ.min_count, HA_READ.period, HA_READ.kinds) == (
        1,
        Period.SEMESTER,
        frozenset({"读书交流"}),
    )
    items = [("读书交流", d("2022-07-08")), ("读书交流", d("2022-12-16"))]
    semesters = by_key(obligation_status(HA_READ, items, HA, AFTER_HA))
    assert semesters["2022-1"] == (1, Status.MET) and semesters["2022-2"] == (1, Status.MET)


def test_HA_READ_two_exchanges_in_spring_do_not_make_up_for_the_autumn():
    items = [
        ("读书交流", d("2022-04-29")),
        ("读书交流", d("2022-07-08")),
        ("学科培训", d("2022-10-14")),
    ]
    semesters = by_key(obligation_status(HA_READ, items, HA, AFTER_HA))
    assert semesters["2022-1"] == (2, Status.MET)
    assert semesters["2022-2"] == (0, Status.MISSED)


# --- XC-TEAM: a briefing every two months (the district's duties: test_unit_duties.py)


def test_XC_TEAM_the_briefing_schedule_over_the_whole_cycle_is_every_second_month_end():
    _obligations, briefing = PRESETS["cadre_team"]
    assert briefing.title == "活动简报"
    assert deadlines(briefing.schedule, XC.start, XC.end) == [
        d("2017-05-31"),
        d("2017-07-31"),
        d("2017-09-30"),
        d("2017-11-30"),
        d("2018-01-31"),
        d("2018-03-31"),
        d("2018-05-31"),
    ]


# --- XC-MENTOR: a seminar or observation every two weeks, a book every month -------------------


def test_XC_MENTOR_fortnights_run_from_the_cycle_start():
    found = obligation_status(XC_SEMINAR, [], XC, AFTER_XC)
    assert found[0].window.start == XC.start and found[0].window.end == d("2017-04-14")
    assert found[1].window.start == d("2017-04-15")
    assert found[-1].window.end == XC.end  # the last fortnight is clipped to the cycle
    assert all((p.window.end - p.window.start).days <= 13 for p in found)


def test_XC_MENTOR_a_seminar_or_an_observation_in_each_fortnight():
    items = [
        ("管理研讨", d("2017-04-14")),  # the last day of the first fortnight
        ("跟岗观摩", d("2017-04-15")),  # the first day of the second
        ("荐书荐文", d("2017-04-28")),  # a book is not a seminar
    ]
    found = by_key(obligation_status(XC_SEMINAR, items, XC, d("2017-05-05")))
    assert found["2017-04-01"] == (1, Status.MET)
    assert found["2017-04-15"] == (1, Status.MET)
    assert found["2017-04-29"] == (0, Status.IN_PROGRESS)
    assert found["2017-05-13"] == (0, Status.UPCOMING)


def test_XC_MENTOR_a_seminar_every_month_misses_every_other_fortnight():
    items = [("管理研讨", day) for day in _month_days(XC, day=16)]
    found = obligation_status(XC_SEMINAR, items, XC, AFTER_XC)
    met = sum(p.status == Status.MET for p in found)
    assert met == 15 and len(found) - met >= 15


def test_XC_MENTOR_a_book_or_article_recommended_every_month():
    items = [("荐书荐文", day) for day in _month_days(XC, day=25)][:-1]  # none in June 2018
    found = obligation_status(XC_BOOK, items, XC, AFTER_XC)
    assert [p.window.key for p in found if p.status == Status.MISSED] == ["2018-06"]


def test_XC_MENTOR_a_forum_report_each_semester_is_the_mentees():
    items = [("forum_report", d("2017-06-20")), ("forum_report", d("2017-12-15"))]
    semesters = by_key(obligation_status(XC_FORUM, items, XC, d("2018-03-01")))
    assert semesters == {
        "2016-2": (1, Status.MET),
        "2017-1": (1, Status.MET),
        "2017-2": (0, Status.IN_PROGRESS),
    }


# --- XC-MENTEE: a learning plan (and summary, micro-project …) once over the cycle --------------


@pytest.mark.parametrize(
    "items, today, expected",
    [
        ([("learning_plan", d("2017-05-12"))], AFTER_XC, (1, Status.MET)),
        ([("learning_plan", d("2017-05-12"))], d("2017-05-01"), (1, Status.MET)),
        ([], d("2017-05-01"), (0, Status.IN_PROGRESS)),
        ([], AFTER_XC, (0, Status.MISSED)),
        ([], d("2017-03-01"), (0, Status.UPCOMING)),
        ([("learning_plan", d("2018-07-02"))], AFTER_XC, (0, Status.MISSED)),  # after the cycle
        ([("reading_note", d("2017-11-10"))], AFTER_XC, (0, Status.MISSED)),  # another kind
        ([("learning_plan", d("2017-05-12"))] * 2, AFTER_XC, (2, Status.MET)),
    ],
)
def test_XC_MENTEE_a_learning_plan_once_over_the_cycle(items, today, expected):
    [period] = obligation_status(XC_LEARNING_PLAN, items, XC, today)
    assert (period.window.start, period.window.end) == (XC.start, XC.end)
    assert (period.count, period.status) == expected


def test_XC_MENTEE_every_preset_document_is_one_the_mentee_writes_over_the_cycle_or_semester():
    obligations, schedule = PRESETS["mentoring_pair"]
    mentee = [o for o in obligations if o.rule == "XC-MENTEE"]
    assert schedule is None
    assert {next(iter(o.kinds)) for o in mentee} == {
        "learning_plan",
        "forum_report",
        "micro_project",
        "reading_note",
        "learning_summary",
        "personal_portfolio",
    }
    assert all(o.counts == Counts.DOCUMENTS and o.min_count == 1 for o in mentee)
    assert {o.period for o in mentee} == {Period.CYCLE, Period.SEMESTER}


# --- SJ-SCHOOL: a studio of ≥8 members in a school of ≥15 classes --------------------------------


@pytest.mark.parametrize(
    "classes, studios, short",
    [
        (14, [], False),  # a smaller school may join a joint studio
        (0, [], False),
        (15, [], True),
        (36, [], True),
        (15, [7], True),
        (15, [8], False),
        (30, [5, 9], False),  # its largest studio is big enough
        (30, [5, 7], True),
        (14, [3], False),
    ],
)
def test_SJ_SCHOOL_a_school_of_fifteen_classes_needs_a_studio_of_eight(classes, studios, short):
    assert (studio_shortfall(classes, studios) is not None) is short


def test_SJ_SCHOOL_the_reason_says_what_is_short():
    assert "15" in studio_shortfall(15, [])
    reason = studio_shortfall(20, [7])
    assert "7" in reason and "8" in reason


# --- XC-PAIRS: who mentors whom ----------------------------------------------------------------


@pytest.mark.parametrize(
    "mentee, same_school, listed, fine",
    [
        (MenteeKind.VICE_PRINCIPAL, True, False, True),  # their own school's principal
        (MenteeKind.VICE_PRINCIPAL, True, True, True),
        (MenteeKind.VICE_PRINCIPAL, False, True, False),  # a listed mentor of another school
        (MenteeKind.VICE_PRINCIPAL, False, False, False),
        (MenteeKind.PRINCIPAL, False, True, True),  # a mentor from the bureau's list
        (MenteeKind.PRINCIPAL, True, True, True),
        (MenteeKind.PRINCIPAL, True, False, False),  # the same school is not enough
        (MenteeKind.PRINCIPAL, False, False, False),
    ],
)
def test_XC_PAIRS_vice_principals_by_their_principal_principals_by_a_listed_mentor(
    mentee, same_school, listed, fine
):
    problem = pair_problem(mentee, same_school=same_school, mentor_listed=listed)
    assert (problem is None) is fine


# --- PT-MODULES and PT-CREDIT: class hours by format and module -------------------------------


def test_PT_MODULES_hours_add_up_by_format_and_by_module():
    found = session_hours(
        [
            ("class_collective", SessionFormat.LECTURE, Decimal(3)),
            ("class_activities", SessionFormat.PRACTICE, Decimal(6)),
            ("class_collective", SessionFormat.PRACTICE, Decimal("4.5")),
            ("communication", SessionFormat.LECTURE, Decimal(2)),
        ]
    )
    assert (found.lecture, found.practice, found.total) == (
        Decimal(5),
        Decimal("10.5"),
        Decimal("15.5"),
    )
    assert found.by_module == (
        ("class_activities", Decimal(6)),
        ("class_collective", Decimal("7.5")),
        ("communication", Decimal(2)),
    )


def test_PT_CREDIT_a_session_without_a_known_format_is_not_counted():
    found = session_hours(
        [
            ("evaluation", "", Decimal(2)),  # a staff meeting: no format recorded
            ("evaluation", "seminar", Decimal(3)),  # not a format PT-CREDIT knows
            ("", SessionFormat.LECTURE, Decimal(2)),  # a lecture outside the modules still counts
        ]
    )
    assert (found.lecture, found.practice, found.total) == (Decimal(2), Decimal(0), Decimal(2))
    assert found.by_module == ()


def test_PT_CREDIT_nothing_attended_is_zero_hours():
    found = session_hours([])
    assert found.total == 0 and found.by_module == ()


# --- XH-WS-OUTPUT: what test_rules.py leaves out ------------------------------------------------


@pytest.mark.parametrize(
    "workshop_type, rank, course, met",
    [
        # 院校合作 owes ten district online hours whoever leads it.
        ("college_school", LeadRank.LEADER, Course(Decimal(5), "online", 3), False),
        ("college_school", LeadRank.BACKBONE, Course(Decimal(20), "face_to_face", 1), False),
        ("college_school", LeadRank.TRAINER, Course(Decimal(12), "online", 4), True),
        # A course above the level asked for counts; below it does not.
        ("inter_school", LeadRank.LEADER, Course(Decimal(5), "online", 4), True),
        ("inter_school", LeadRank.LEADER, Course(Decimal(8), "online", 2), False),
        ("intra_school", LeadRank.BACKBONE, Course(Decimal(5), "online", 1), False),
        # The face-to-face option is a backbone's, at school level or above.
        ("intra_school", LeadRank.BACKBONE, Course(Decimal(20), "face_to_face", 3), True),
        ("intra_school", LeadRank.LEADER, Course(Decimal(20), "face_to_face", 1), False),
        ("inter_school", LeadRank.BACKBONE, Course(Decimal(20), "online", 1), False),
    ],
)
def test_XH_WS_OUTPUT_the_course_owed_by_type_rank_hours_delivery_and_level(
    workshop_type, rank, course, met
):
    assert output_met(workshop_type, rank, [course], True) == (met, [] if met else ["course"])


def test_XH_WS_OUTPUT_with_nothing_done_both_parts_are_missing():
    assert output_met("inter_school", LeadRank.LEADER, [], False) == (
        False,
        ["project_report", "course"],
    )
    assert owed_courses("intra_school", LeadRank.LEADER) == owed_courses(
        "inter_school", LeadRank.LEADER
    )


def test_XH_WS_OUTPUT_any_one_course_of_several_is_enough():
    courses = [Course(Decimal(3), "online", 3), Course(Decimal(20), "face_to_face", 1)]
    assert output_met("intra_school", LeadRank.BACKBONE, courses, True) == (True, [])


# --- Helpers ----------------------------------------------------------------------------------


def _month_days(cycle: Cycle, *, day: int) -> list[dt.date]:
    """``day`` of every month of the cycle."""
    found, year, month = [], cycle.start.year, cycle.start.month
    while (year, month) <= (cycle.end.year, cycle.end.month):
        found.append(dt.date(year, month, day))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


@pytest.mark.parametrize(
    ("workshop_type", "trainer", "tier_rank", "rank"),
    [
        ("college_school", True, None, LeadRank.TRAINER),
        ("college_school", False, None, None),  # not enrolled is not a 研训员
        ("college_school", False, "leader", None),
        ("college_school", True, "leader", LeadRank.TRAINER),
        ("inter_school", False, "leader", LeadRank.LEADER),
        ("intra_school", False, "backbone", LeadRank.BACKBONE),
        ("inter_school", True, None, None),  # a 研训员 leads a 院校合作 workshop only
        ("intra_school", False, "", None),  # a participant of a tier neither 带头人 nor 骨干
        ("", False, "", LeadRank.LEADER),
        ("", True, None, LeadRank.TRAINER),
        ("", False, None, None),
    ],
)
def test_XH_WS_TYPES_who_leads_which_workshop(workshop_type, trainer, tier_rank, rank):
    found = workshop_lead_rank(workshop_type, trainer_researcher=trainer, tier_rank=tier_rank)
    assert found == rank
