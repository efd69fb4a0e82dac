"""XH-T3 counts people, not items: the engine counts the distinct mentees the items name, and
says in plain Chinese how many are still missing."""

from __future__ import annotations

import datetime as dt

from programmes.rules import (
    Alternative,
    Clause,
    Cycle,
    Evidence,
    Level,
    Period,
    RequirementSpec,
    Status,
    evaluate,
)

CYCLE = Cycle(dt.date(2023, 9, 1), dt.date(2026, 6, 30))
XH_T3 = RequirementSpec(
    key="任务三",
    title="指导团队或培养教师",
    tiers=frozenset({"leader"}),
    clauses=(
        Clause(
            Period.YEAR,
            (
                Alternative(frozenset({"mentoring_team"}), ("指导团队",)),
                Alternative(
                    frozenset({"mentoring_teacher"}), ("培养教师",), min_count=2, counts_people=True
                ),
            ),
        ),
    ),
)


def mentoring(pk: int, day: dt.date, *people: str) -> Evidence:
    return Evidence(pk, "mentoring_teacher", Level.SCHOOL, day, people=frozenset(people))


def year_2024(evidence, today=dt.date(2025, 3, 1)):
    return evaluate(XH_T3, tier="leader", evidence=evidence, cycle=CYCLE, today=today).period(
        "2024"
    )[0]


def test_XH_T3_two_items_about_one_mentee_are_not_met():
    period = year_2024(
        [mentoring(1, dt.date(2024, 10, 1), "t:7"), mentoring(2, dt.date(2025, 1, 5), "t:7")]
    )
    assert period.status == Status.IN_PROGRESS
    assert period.counts == (0, 1)
    assert "培养教师还差 1 名（已有 1 名，需 2 名）" in period.reason
    assert period.reason.startswith("2024学年：")


def test_XH_T3_two_different_mentees_are_met_inside_or_outside_the_bureau():
    period = year_2024(
        [mentoring(1, dt.date(2024, 10, 1), "t:7"), mentoring(2, dt.date(2025, 1, 5), "n:王小明")]
    )
    assert period.status == Status.MET and period.reason == ""
    # One item may name both.
    assert year_2024([mentoring(1, dt.date(2024, 10, 1), "t:7", "t:8")]).status == Status.MET


def test_XH_T3_a_group_led_counts_as_a_team_once_however_many_months_it_is_active():
    team = [
        Evidence(
            -1, "mentoring_team", Level.DISTRICT, dt.date(2024, 10, 9), people=frozenset({"g:3"})
        ),
        Evidence(
            -2, "mentoring_team", Level.DISTRICT, dt.date(2024, 11, 9), people=frozenset({"g:3"})
        ),
    ]
    assert year_2024(team).status == Status.MET
    # Active only in the year before: this year is still short.
    earlier = [
        Evidence(
            -1, "mentoring_team", Level.DISTRICT, dt.date(2023, 10, 9), people=frozenset({"g:3"})
        )
    ]
    assert year_2024(earlier).status == Status.IN_PROGRESS


def test_XH_T3_a_missed_year_says_what_was_missing_in_plain_words():
    period = year_2024([mentoring(1, dt.date(2024, 10, 1), "t:7")], today=dt.date(2025, 9, 1))
    assert period.status == Status.MISSED
    assert period.reason == (
        "2024学年未达成：指导团队还差 1 项（已有 0 项，需 1 项）；"
        "或 培养教师还差 1 名（已有 1 名，需 2 名）"
    )
