"""Reporting schedules, briefings, reminders and attendance, by rule id, without a database."""

import datetime as dt
from decimal import Decimal

import pytest

from workshops.rules import (
    QUARTER,
    XH_BRIEF,
    BriefingStatus,
    Course,
    Frequency,
    LeadRank,
    Reminder,
    ReminderKind,
    Schedule,
    attendance,
    briefing_status,
    deadlines,
    output_met,
    owed_courses,
    reminders_due,
)

XH_START, XH_END = dt.date(2023, 9, 1), dt.date(2026, 6, 30)


def test_XH_BRIEF_deadlines_are_the_28ths_of_dec_mar_jun_sep_over_the_whole_cycle():
    found = deadlines(XH_BRIEF, XH_START, XH_END)
    expected = [
        dt.date(y, m, 28)
        for y, m in [
            (2023, 9),
            (2023, 12),
            (2024, 3),
            (2024, 6),
            (2024, 9),
            (2024, 12),
            (2025, 3),
            (2025, 6),
            (2025, 9),
            (2025, 12),
            (2026, 3),
            (2026, 6),
        ]
    ]
    assert found == expected
    assert all(d.day == 28 and d.month in (3, 6, 9, 12) for d in found)


def test_XH_BRIEF_a_cycle_starting_after_the_28th_skips_that_quarter():
    assert deadlines(XH_BRIEF, dt.date(2023, 9, 29), dt.date(2024, 3, 27)) == [
        dt.date(2023, 12, 28)
    ]


def test_XC_TEAM_a_briefing_every_two_months_from_the_start():
    every_two = Schedule(Frequency.BIMONTHLY)
    assert deadlines(every_two, dt.date(2017, 6, 1), dt.date(2018, 5, 31)) == [
        dt.date(2017, 7, 31),
        dt.date(2017, 9, 30),
        dt.date(2017, 11, 30),
        dt.date(2018, 1, 31),
        dt.date(2018, 3, 31),
        dt.date(2018, 5, 31),
    ]


def test_XC_TEAM_a_summary_each_semester_and_a_monthly_salon():
    assert deadlines(Schedule(Frequency.SEMESTER), dt.date(2017, 6, 1), dt.date(2018, 6, 30)) == [
        dt.date(2017, 8, 31),
        dt.date(2018, 1, 31),
    ]
    monthly = deadlines(
        Schedule(Frequency.MONTHLY, day=31), dt.date(2024, 1, 1), dt.date(2024, 4, 30)
    )
    assert monthly == [
        dt.date(2024, 1, 31),
        dt.date(2024, 2, 29),
        dt.date(2024, 3, 31),
        dt.date(2024, 4, 30),
    ]


def test_a_schedule_day_must_be_a_day_of_the_month():
    with pytest.raises(ValueError):
        Schedule(Frequency.MONTHLY, day=32)


def test_XH_BRIEF_on_time_late_missing_and_extended():
    deadline = dt.date(2024, 3, 28)
    assert briefing_status(deadline, dt.date(2024, 3, 28), dt.date(2024, 4, 1)) == "on_time"
    assert briefing_status(deadline, dt.date(2024, 3, 29), dt.date(2024, 4, 1)) == "late"
    assert briefing_status(deadline, None, dt.date(2024, 3, 28)) == BriefingStatus.OPEN
    assert briefing_status(deadline, None, dt.date(2024, 3, 29)) == BriefingStatus.MISSING
    extended = dt.date(2024, 4, 10)
    assert briefing_status(deadline, None, dt.date(2024, 4, 1), extended) == BriefingStatus.OPEN
    assert (
        briefing_status(deadline, dt.date(2024, 4, 9), dt.date(2024, 4, 9), extended)
        == BriefingStatus.ON_TIME
    )


@pytest.mark.parametrize(
    "today, expected",
    [
        (dt.date(2024, 3, 20), []),
        (dt.date(2024, 3, 21), [Reminder(ReminderKind.BEFORE, 7)]),
        (dt.date(2024, 3, 25), [Reminder(ReminderKind.BEFORE, 7)]),
        (dt.date(2024, 3, 27), [Reminder(ReminderKind.BEFORE, 1)]),
        (dt.date(2024, 3, 28), [Reminder(ReminderKind.BEFORE, 1)]),
        (dt.date(2024, 3, 29), [Reminder(ReminderKind.OVERDUE, 1)]),
    ],
)
def test_XH_BRIEF_reminders_seven_days_and_one_day_before_and_overdue_after(today, expected):
    assert reminders_due(dt.date(2024, 3, 28), today, filed=False) == expected


def test_no_reminder_for_a_filed_or_extended_briefing():
    assert reminders_due(dt.date(2024, 3, 28), dt.date(2024, 3, 27), filed=True) == []
    assert (
        reminders_due(
            dt.date(2024, 3, 28),
            dt.date(2024, 3, 29),
            filed=False,
            extended_to=dt.date(2024, 4, 15),
        )
        == []
    )


def test_XC_ATTEND_absent_from_more_than_a_quarter_of_the_hours_earns_no_credit():
    hours = Decimal(2)
    share = QUARTER  # the seed's "四分之一"
    quarter = attendance([(hours, True)] * 6 + [(hours, False)] * 2, max_absent_share=share)
    assert quarter.ratio == Decimal("0.75") and quarter.earns_credit  # 4 of 16 hours absent
    more = attendance(
        [(hours, True)] * 5 + [(hours, False)] * 2 + [(Decimal(1), False)], max_absent_share=share
    )
    assert not more.earns_credit
    none = attendance([], max_absent_share=share)
    assert none.ratio == 1 and none.earns_credit


def test_XH_WS_OUTPUT_college_school_workshops_owe_a_ten_hour_district_online_course():
    [option] = owed_courses("college_school", LeadRank.TRAINER)
    assert (option.min_hours, option.delivery, option.level) == (Decimal(10), "online", 3)
    nine = Course(Decimal(9), "online", 3)
    assert output_met("college_school", LeadRank.TRAINER, [nine], True) == (False, ["course"])
    ten = Course(Decimal(10), "online", 3)
    assert output_met("college_school", LeadRank.TRAINER, [ten], True) == (True, [])
    assert output_met("college_school", LeadRank.TRAINER, [ten], False) == (
        False,
        ["project_report"],
    )


def test_XH_WS_OUTPUT_a_leaders_workshop_owes_a_five_hour_district_online_course():
    for kind in ("inter_school", "intra_school"):
        assert output_met(kind, LeadRank.LEADER, [Course(Decimal(5), "online", 3)], True)[0]
        face = Course(Decimal(30), "face_to_face", 1)
        assert not output_met(kind, LeadRank.LEADER, [face], True)[0]


def test_XH_WS_OUTPUT_a_backbones_workshop_may_give_a_twenty_hour_school_face_to_face_course():
    face = Course(Decimal(20), "face_to_face", 1)
    assert output_met("intra_school", LeadRank.BACKBONE, [face], True) == (True, [])
    short = Course(Decimal(19), "face_to_face", 1)
    assert output_met("intra_school", LeadRank.BACKBONE, [short], True) == (False, ["course"])
    online = Course(Decimal(5), "online", 3)
    assert output_met("inter_school", LeadRank.BACKBONE, [online], True)[0]
