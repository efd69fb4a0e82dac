"""The requirement engine, rule by rule (DOMAIN.md), without a database."""

import datetime as dt
from decimal import Decimal

import pytest

from programmes.rules import (
    Alternative,
    Clause,
    Cycle,
    Delivery,
    Evidence,
    Level,
    Period,
    RequirementSpec,
    Status,
    evaluate,
    school_year_of,
    semester_of,
    windows,
)

XH_CYCLE = Cycle(dt.date(2023, 9, 1), dt.date(2026, 6, 30))
LEADER, BACKBONE = "leader", "backbone"
BOTH = frozenset({LEADER, BACKBONE})
LESSON = frozenset({"public_lesson", "academic_exchange"})
LESSON_NAMES = ("公开教学", "学术交流")


def alt(kinds, names, level=Level.SCHOOL, count=1, hours=None, delivery=""):
    return Alternative(frozenset(kinds), tuple(names), Level(level), count, hours, delivery)


XH_T1 = RequirementSpec(
    "任务一",
    "参加区专题培训",
    (Clause(Period.CYCLE, (alt({"training"}, ["专题培训"], Level.DISTRICT, count=4),)),),
    BOTH,
)
XH_T2 = RequirementSpec(
    "任务二",
    "公开教学或学术交流",
    (
        Clause(Period.YEAR, (alt(LESSON, LESSON_NAMES),)),
        Clause(
            Period.CYCLE, (alt(LESSON, LESSON_NAMES, Level.LEARNING_DISTRICT),), frozenset({LEADER})
        ),
    ),
    BOTH,
)
XH_T3 = RequirementSpec(
    "任务三",
    "带教",
    (
        Clause(
            Period.YEAR,
            (
                alt({"mentoring_team"}, ["带教团队"]),
                alt({"mentoring_teacher"}, ["带教教师"], count=2),
            ),
            frozenset({LEADER}),
        ),
        Clause(Period.YEAR, (alt({"mentoring_teacher"}, ["带教教师"]),), frozenset({BACKBONE})),
    ),
    BOTH,
)
XH_T4 = RequirementSpec(
    "任务四",
    "论文或获奖",
    (
        Clause(
            Period.CYCLE,
            (
                alt({"paper"}, ["论文发表"], Level.MUNICIPAL),
                alt({"award"}, ["论文或课题获奖"], Level.MUNICIPAL),
            ),
            frozenset({LEADER}),
        ),
        Clause(
            Period.CYCLE,
            (
                alt({"paper"}, ["论文发表"], Level.DISTRICT),
                alt({"award"}, ["论文或课题获奖"], Level.DISTRICT),
            ),
            frozenset({BACKBONE}),
        ),
    ),
    BOTH,
)
XH_T5 = RequirementSpec(
    "任务五",
    "课程开发",
    (
        Clause(
            Period.CYCLE,
            (alt({"course"}, ["网络课程"], Level.DISTRICT, delivery=Delivery.ONLINE),),
            frozenset({LEADER}),
        ),
        Clause(
            Period.CYCLE,
            (
                alt({"course"}, ["网络课程"], Level.DISTRICT, delivery=Delivery.ONLINE),
                alt({"course"}, ["面授课程"], Level.SCHOOL, delivery=Delivery.FACE_TO_FACE),
            ),
            frozenset({BACKBONE}),
        ),
    ),
    BOTH,
)

SCHOOL_YEARS = ["2023", "2024", "2025"]
AFTER_CYCLE = dt.date(2026, 7, 1)


def ev(n, kind, level, day, **kw):
    return Evidence(n, kind, Level(level), day, **kw)


def lessons_every_year(level=Level.SCHOOL):
    return [
        ev(i, "public_lesson", level, dt.date(int(y), 11, 5)) for i, y in enumerate(SCHOOL_YEARS, 1)
    ]


# --- XH-CYCLE: the calendar ---------------------------------------------------------------------


def test_XH_CYCLE_three_school_years_clipped_to_the_cycle():
    years = windows(Period.YEAR, XH_CYCLE)
    assert [w.key for w in years] == SCHOOL_YEARS
    assert years[0].start == dt.date(2023, 9, 1) and years[0].end == dt.date(2024, 8, 31)
    assert years[-1].start == dt.date(2025, 9, 1) and years[-1].end == dt.date(2026, 6, 30)
    assert [w.label for w in years] == ["2023学年", "2024学年", "2025学年"]


def test_XH_CYCLE_semesters_months_and_fortnights():
    semesters = windows(Period.SEMESTER, XH_CYCLE)
    assert [w.key for w in semesters] == [
        "2023-1",
        "2023-2",
        "2024-1",
        "2024-2",
        "2025-1",
        "2025-2",
    ]
    assert semesters[0].end == dt.date(2024, 1, 31) and semesters[1].start == dt.date(2024, 2, 1)
    assert semesters[1].label == "2023学年第二学期"
    assert len(windows(Period.MONTH, XH_CYCLE)) == 34
    fortnights = windows(Period.FORTNIGHT, XH_CYCLE)
    assert all((w.end - w.start).days == 13 for w in fortnights[:-1])
    assert fortnights[-1].end == dt.date(2026, 6, 30)
    assert semester_of(dt.date(2024, 1, 20)) == (2023, 1)
    assert semester_of(dt.date(2024, 2, 1)) == (2023, 2)
    assert school_year_of(dt.date(2024, 8, 31)) == 2023


# --- XH-T1 ------------------------------------------------------------------------------------


@pytest.mark.parametrize("tier", [LEADER, BACKBONE])
def test_XH_T1_district_training_during_the_cycle(tier):
    three = [ev(i, "training", Level.DISTRICT, dt.date(2024, 3, i)) for i in range(1, 4)]
    result = evaluate(XH_T1, tier=tier, evidence=three, cycle=XH_CYCLE, today=AFTER_CYCLE)
    assert result.status == Status.MISSED
    assert (
        result.reasons[0] == "培养周期内未达成：区级及以上专题培训还差 1 项（已有 3 项，需 4 项）"
    )
    four = three + [ev(9, "training", Level.DISTRICT, dt.date(2025, 3, 9))]
    assert (
        evaluate(XH_T1, tier=tier, evidence=four, cycle=XH_CYCLE, today=AFTER_CYCLE).status
        == Status.MET
    )
    school_level = [ev(i, "training", Level.SCHOOL, dt.date(2024, 3, i)) for i in range(1, 5)]
    assert (
        evaluate(XH_T1, tier=tier, evidence=school_level, cycle=XH_CYCLE, today=AFTER_CYCLE).status
        == Status.MISSED
    )


# --- XH-T2 ------------------------------------------------------------------------------------


@pytest.mark.parametrize("year", SCHOOL_YEARS)
@pytest.mark.parametrize("tier", [LEADER, BACKBONE])
def test_XH_T2_each_school_year_needs_a_school_level_lesson(tier, year):
    evidence = [e for e in lessons_every_year(Level.DISTRICT) if e.date.year != int(year)]
    result = evaluate(XH_T2, tier=tier, evidence=evidence, cycle=XH_CYCLE, today=AFTER_CYCLE)
    [missed] = result.period(year)
    assert missed.status == Status.MISSED
    assert missed.reason == f"{year}学年未达成：公开教学或学术交流还差 1 项（已有 0 项，需 1 项）"
    for other in set(SCHOOL_YEARS) - {year}:
        assert result.period(other)[0].status == Status.MET
    assert result.status == Status.MISSED


def test_XH_T2_leader_also_needs_one_district_level_over_the_cycle():
    school_only = lessons_every_year(Level.SCHOOL)
    leader = evaluate(
        XH_T2, tier=LEADER, evidence=school_only, cycle=XH_CYCLE, today=dt.date(2025, 10, 1)
    )
    assert leader.status == Status.IN_PROGRESS
    assert (
        "培养周期内：学区级及以上公开教学或学术交流还差 1 项（已有 0 项，需 1 项）"
        in leader.reasons
    )
    backbone = evaluate(
        XH_T2, tier=BACKBONE, evidence=school_only, cycle=XH_CYCLE, today=AFTER_CYCLE
    )
    assert backbone.status == Status.MET
    # A learning-district lesson counts as district level for the leader.
    with_district = school_only + [
        ev(7, "academic_exchange", Level.LEARNING_DISTRICT, dt.date(2025, 4, 1))
    ]
    assert (
        evaluate(
            XH_T2, tier=LEADER, evidence=with_district, cycle=XH_CYCLE, today=AFTER_CYCLE
        ).status
        == Status.MET
    )


def test_XH_T2_the_running_year_is_in_progress_with_what_is_missing():
    result = evaluate(
        XH_T2,
        tier=BACKBONE,
        evidence=lessons_every_year()[:1],
        cycle=XH_CYCLE,
        today=dt.date(2025, 3, 1),
    )
    assert result.period("2023")[0].status == Status.MET
    current = result.period("2024")[0]
    assert current.status == Status.IN_PROGRESS
    assert current.reason == "2024学年：公开教学或学术交流还差 1 项（已有 0 项，需 1 项）"
    assert result.period("2025")[0].status == Status.UPCOMING


def test_XH_T2_evidence_outside_the_cycle_or_for_another_requirement_does_not_count():
    evidence = [
        ev(1, "public_lesson", Level.SCHOOL, dt.date(2023, 6, 1)),  # before the cycle
        ev(
            2,
            "public_lesson",
            Level.SCHOOL,
            dt.date(2023, 10, 1),
            requirements=frozenset({"任务五"}),
        ),
    ]
    result = evaluate(XH_T2, tier=BACKBONE, evidence=evidence, cycle=XH_CYCLE, today=AFTER_CYCLE)
    assert result.period("2023")[0].status == Status.MISSED


# --- XH-T3 ------------------------------------------------------------------------------------


@pytest.mark.parametrize("year", SCHOOL_YEARS)
def test_XH_T3_leader_mentors_a_team_or_two_teachers_each_year(year):
    start = int(year)
    one_teacher = [ev(1, "mentoring_teacher", Level.SCHOOL, dt.date(start, 10, 1))]
    result = evaluate(XH_T3, tier=LEADER, evidence=one_teacher, cycle=XH_CYCLE, today=AFTER_CYCLE)
    period = result.period(year)[0]
    assert period.status == Status.MISSED
    assert (
        "带教团队还差 1 项（已有 0 项，需 1 项）；或 带教教师还差 1 项（已有 1 项，需 2 项）"
        in period.reason
    )
    two = one_teacher + [ev(2, "mentoring_teacher", Level.SCHOOL, dt.date(start, 12, 1))]
    assert (
        evaluate(XH_T3, tier=LEADER, evidence=two, cycle=XH_CYCLE, today=AFTER_CYCLE)
        .period(year)[0]
        .status
        == Status.MET
    )
    team = [ev(3, "mentoring_team", Level.SCHOOL, dt.date(start + 1, 3, 1))]
    assert (
        evaluate(XH_T3, tier=LEADER, evidence=team, cycle=XH_CYCLE, today=AFTER_CYCLE)
        .period(year)[0]
        .status
        == Status.MET
    )


@pytest.mark.parametrize("year", SCHOOL_YEARS)
def test_XH_T3_backbone_mentors_one_teacher_each_year(year):
    evidence = [ev(1, "mentoring_teacher", Level.SCHOOL, dt.date(int(year), 10, 1))]
    result = evaluate(XH_T3, tier=BACKBONE, evidence=evidence, cycle=XH_CYCLE, today=AFTER_CYCLE)
    assert result.period(year)[0].status == Status.MET
    assert all(
        p.status == Status.MISSED for y in set(SCHOOL_YEARS) - {year} for p in result.period(y)
    )


# --- XH-T4 ------------------------------------------------------------------------------------


def test_XH_T4_leader_needs_municipal_paper_or_award():
    district_paper = [ev(1, "paper", Level.DISTRICT, dt.date(2024, 5, 1))]
    assert (
        evaluate(
            XH_T4, tier=LEADER, evidence=district_paper, cycle=XH_CYCLE, today=AFTER_CYCLE
        ).status
        == Status.MISSED
    )
    for kind in ("paper", "award"):
        municipal = [ev(1, kind, Level.MUNICIPAL, dt.date(2024, 5, 1))]
        assert (
            evaluate(
                XH_T4, tier=LEADER, evidence=municipal, cycle=XH_CYCLE, today=AFTER_CYCLE
            ).status
            == Status.MET
        )
    national = [ev(1, "award", Level.NATIONAL, dt.date(2025, 5, 1))]
    assert (
        evaluate(XH_T4, tier=LEADER, evidence=national, cycle=XH_CYCLE, today=AFTER_CYCLE).status
        == Status.MET
    )


def test_XH_T4_backbone_needs_district_paper_or_award():
    district_award = [ev(1, "award", Level.DISTRICT, dt.date(2024, 5, 1))]
    assert (
        evaluate(
            XH_T4, tier=BACKBONE, evidence=district_award, cycle=XH_CYCLE, today=AFTER_CYCLE
        ).status
        == Status.MET
    )
    school_paper = [ev(1, "paper", Level.SCHOOL, dt.date(2024, 5, 1))]
    result = evaluate(
        XH_T4, tier=BACKBONE, evidence=school_paper, cycle=XH_CYCLE, today=dt.date(2025, 1, 1)
    )
    assert result.status == Status.IN_PROGRESS
    assert result.reasons == [
        "培养周期内：区级及以上论文发表还差 1 项（已有 0 项，需 1 项）；"
        "或 区级及以上论文或课题获奖还差 1 项（已有 0 项，需 1 项）"
    ]


# --- XH-T5 ------------------------------------------------------------------------------------


def course(n, level, delivery, hours="10"):
    return ev(n, "course", level, dt.date(2025, 5, 1), hours=Decimal(hours), delivery=delivery)


def test_XH_T5_leader_needs_a_district_online_course():
    assert (
        evaluate(
            XH_T5,
            tier=LEADER,
            evidence=[course(1, Level.DISTRICT, "online")],
            cycle=XH_CYCLE,
            today=AFTER_CYCLE,
        ).status
        == Status.MET
    )
    face = evaluate(
        XH_T5,
        tier=LEADER,
        evidence=[course(1, Level.DISTRICT, "face_to_face")],
        cycle=XH_CYCLE,
        today=AFTER_CYCLE,
    )
    assert face.status == Status.MISSED
    assert face.reasons == [
        "培养周期内未达成：区级及以上网络课程（线上）还差 1 项（已有 0 项，需 1 项）"
    ]


def test_XH_T5_backbone_online_district_or_school_face_to_face_course():
    for evidence in (
        [course(1, Level.DISTRICT, "online")],
        [course(1, Level.SCHOOL, "face_to_face")],
    ):
        assert (
            evaluate(
                XH_T5, tier=BACKBONE, evidence=evidence, cycle=XH_CYCLE, today=AFTER_CYCLE
            ).status
            == Status.MET
        )
    school_online = [course(1, Level.SCHOOL, "online")]
    assert (
        evaluate(
            XH_T5, tier=BACKBONE, evidence=school_online, cycle=XH_CYCLE, today=AFTER_CYCLE
        ).status
        == Status.MISSED
    )


def test_minimum_class_hours_condition():
    spec = RequirementSpec(
        "课程",
        "课程",
        (
            Clause(
                Period.CYCLE,
                (
                    alt(
                        {"course"},
                        ["网络课程"],
                        Level.DISTRICT,
                        hours=Decimal("10"),
                        delivery=Delivery.ONLINE,
                    ),
                ),
            ),
        ),
        frozenset({LEADER}),
    )
    short = evaluate(
        spec,
        tier=LEADER,
        evidence=[course(1, Level.DISTRICT, "online", "8")],
        cycle=XH_CYCLE,
        today=AFTER_CYCLE,
    )
    assert short.reasons == [
        "培养周期内未达成：区级及以上网络课程（不少于10课时，线上）还差 1 项（已有 0 项，需 1 项）"
    ]
    assert (
        evaluate(
            spec,
            tier=LEADER,
            evidence=[course(1, Level.DISTRICT, "online", "10.0")],
            cycle=XH_CYCLE,
            today=AFTER_CYCLE,
        ).status
        == Status.MET
    )


def test_a_requirement_applies_only_to_its_tiers():
    assert XH_T2.applies_to(LEADER) and not XH_T2.applies_to("other")
    result = evaluate(XH_T3, tier=BACKBONE, evidence=[], cycle=XH_CYCLE, today=AFTER_CYCLE)
    assert len(result.clauses) == 1  # the leader's clause is not the backbone's


PT_CYCLE = Cycle(dt.date(2024, 9, 1), dt.date(2027, 8, 31))
PT_HOURS = RequirementSpec(
    "研修课时",
    "校本研修",
    (
        Clause(
            Period.YEAR,
            (
                Alternative(
                    frozenset({"lecture", "practice"}),
                    ("校本研修",),
                    Level.SCHOOL,
                    1,
                    None,
                    "",
                    Decimal("40"),
                ),
            ),
        ),
    ),
    frozenset({"class_teacher"}),
)


def test_PT_HOURS_forty_class_hours_of_school_based_training_each_school_year():
    sessions = [
        ev(
            i,
            "lecture" if i % 2 else "practice",
            Level.SCHOOL,
            dt.date(2024, 10, i),
            hours=Decimal("6"),
        )
        for i in range(1, 7)
    ]  # 36 hours
    result = evaluate(
        PT_HOURS, tier="class_teacher", evidence=sessions, cycle=PT_CYCLE, today=dt.date(2025, 3, 1)
    )
    period = result.period("2024")[0]
    assert period.status == Status.IN_PROGRESS
    assert period.hours == (Decimal("36"),)
    assert period.reason == "2024学年：校本研修还差 4 课时（已有 36 课时，需 40 课时）"
    enough = sessions + [ev(9, "practice", Level.SCHOOL, dt.date(2025, 4, 1), hours=Decimal("4"))]
    assert (
        evaluate(
            PT_HOURS,
            tier="class_teacher",
            evidence=enough,
            cycle=PT_CYCLE,
            today=dt.date(2025, 9, 1),
        )
        .period("2024")[0]
        .status
        == Status.MET
    )
    assert evaluate(
        PT_HOURS, tier="class_teacher", evidence=[], cycle=PT_CYCLE, today=dt.date(2025, 9, 1)
    ).period("2024")[0].reason == (
        "2024学年未达成：校本研修还差 40 课时（已有 0 课时，需 40 课时）"
    )
