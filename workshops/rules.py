"""Rules about groups' reporting and attendance, as pure functions with the date passed in.

A reporting schedule says when a group owes a briefing: quarterly before the 28th of the
quarter's last month (XH-BRIEF), every two months (XC-TEAM), each semester, or monthly. From a
schedule and the dates it runs between come the deadlines; from a deadline, what was filed and
any extension come on time / late / missing; from a deadline and today come the reminders due.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class Frequency(StrEnum):
    QUARTERLY = "quarterly"  # the last month of each calendar quarter: Mar, Jun, Sep, Dec
    BIMONTHLY = "bimonthly"  # every second month, counted from the schedule's first month
    SEMESTER = "semester"  # the last month of each semester: Jan and Aug (Sept–Jan, Feb–Aug)
    MONTHLY = "monthly"


def _due_in(year: int, month: int, day: int | None) -> dt.date:
    """Day ``day`` of the month, or its last day (also when the month is shorter)."""
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, last if day is None else min(day, last))


def _months(start: dt.date, end: dt.date) -> Iterable[tuple[int, int]]:
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


@dataclass(frozen=True)
class Schedule:
    frequency: Frequency
    day: int | None = None  # day of the month the report is due; None: the month's last day

    def __post_init__(self):
        if self.day is not None and not 1 <= self.day <= 31:
            raise ValueError("day must be 1 to 31")

    def due_months(self, start: dt.date, end: dt.date) -> list[tuple[int, int]]:
        months = list(_months(start, end))
        if self.frequency == Frequency.MONTHLY:
            return months
        if self.frequency == Frequency.QUARTERLY:
            return [(y, m) for y, m in months if m % 3 == 0]
        if self.frequency == Frequency.SEMESTER:
            return [(y, m) for y, m in months if m in (1, 8)]
        if self.frequency == Frequency.BIMONTHLY:
            return months[1::2]  # the second month of each two-month span
        raise ValueError(self.frequency)  # pragma: no cover - the enum is closed


def deadlines(schedule: Schedule, start: dt.date, end: dt.date) -> list[dt.date]:
    """Every deadline of the schedule that falls between ``start`` and ``end`` (inclusive)."""
    found = (_due_in(y, m, schedule.day) for y, m in schedule.due_months(start, end))
    return [day for day in found if start <= day <= end]


XH_BRIEF = Schedule(Frequency.QUARTERLY, day=28)


# --- Briefings ----------------------------------------------------------------------------------


class BriefingStatus(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"  # the deadline (or its extension) has passed with nothing filed
    OPEN = "open"  # not filed, and still time


def effective_deadline(deadline: dt.date, extended_to: dt.date | None) -> dt.date:
    return extended_to if extended_to is not None and extended_to > deadline else deadline


def briefing_status(
    deadline: dt.date, filed_on: dt.date | None, today: dt.date, extended_to: dt.date | None = None
) -> BriefingStatus:
    """A briefing is on time if filed by its deadline (or the extension granted), late if filed
    after it, missing once the day after has come with nothing filed."""
    due = effective_deadline(deadline, extended_to)
    if filed_on is not None:
        return BriefingStatus.ON_TIME if filed_on <= due else BriefingStatus.LATE
    return BriefingStatus.MISSING if today > due else BriefingStatus.OPEN


# --- Reminders ----------------------------------------------------------------------------------


class ReminderKind(StrEnum):
    BEFORE = "before"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class Reminder:
    kind: ReminderKind
    days: int  # before: days left; overdue: days past


def reminders_due(
    deadline: dt.date,
    today: dt.date,
    *,
    filed: bool,
    extended_to: dt.date | None = None,
    before: tuple[int, ...] = (7, 1),
    overdue_after: int = 1,
) -> list[Reminder]:
    """The reminder due today for one deadline, if any: the nearest of the ``before`` offsets
    that has been reached (so a scan that missed the 7-day day still sends it on day 5, but on
    day 1 sends only the 1-day one), or the overdue notice from ``overdue_after`` days after the
    deadline. Nothing once the briefing is filed. Each (deadline, kind, days) is sent at most
    once; the caller enforces that.
    """
    if filed:
        return []
    left = (effective_deadline(deadline, extended_to) - today).days
    if left >= 0:
        reached = [days for days in before if left <= days]
        return [Reminder(ReminderKind.BEFORE, min(reached))] if reached else []
    if -left >= overdue_after:
        return [Reminder(ReminderKind.OVERDUE, overdue_after)]
    return []


# --- Attendance (XC-ATTEND) ---------------------------------------------------------------------


@dataclass(frozen=True)
class Attendance:
    total_hours: Decimal
    absent_hours: Decimal

    @property
    def ratio(self) -> Decimal:
        """The share of the activity hours attended, 0 to 1."""
        if self.total_hours <= 0:
            return Decimal(1)
        return (self.total_hours - self.absent_hours) / self.total_hours

    @property
    def earns_credit(self) -> bool:
        """XC-ATTEND: absent from more than a quarter of the hours → no credit for the year."""
        return self.absent_hours * 4 <= self.total_hours


def attendance(records: Iterable[tuple[Decimal, bool]]) -> Attendance:
    """From (hours of an activity, attended?) per activity of a member's school year."""
    total = absent = Decimal(0)
    for hours, present in records:
        total += hours
        if not present:
            absent += hours
    return Attendance(total, absent)


# --- The output a workshop owes (XH-WS-OUTPUT) ---------------------------------------------------


class LeadRank(StrEnum):
    TRAINER = "trainer"  # a 研训员 of the education college (院校合作)
    LEADER = "leader"  # a 带头人
    BACKBONE = "backbone"  # a 骨干


@dataclass(frozen=True)
class CourseOption:
    min_hours: Decimal
    delivery: str  # "online" or "face_to_face"
    level: int  # 1 school … 3 district


@dataclass(frozen=True)
class Course:
    hours: Decimal
    delivery: str
    level: int


def owed_courses(workshop_type: str, lead: LeadRank) -> tuple[CourseOption, ...]:
    """XH-WS-OUTPUT: the course a workshop must turn its results into (any one option)."""
    if workshop_type == "college_school":
        return (CourseOption(Decimal(10), "online", 3),)
    if lead == LeadRank.BACKBONE:
        return (CourseOption(Decimal(5), "online", 3), CourseOption(Decimal(20), "face_to_face", 1))
    return (CourseOption(Decimal(5), "online", 3),)


def output_met(
    workshop_type: str, lead: LeadRank, courses: Iterable[Course], report_done: bool
) -> tuple[bool, list[str]]:
    """Whether a workshop has its project report and an owed course; the missing parts if not."""
    options = owed_courses(workshop_type, lead)
    courses = list(courses)
    course_done = any(
        c.hours >= o.min_hours and c.delivery == o.delivery and c.level >= o.level
        for c in courses
        for o in options
    )
    missing = []
    if not report_done:
        missing.append("project_report")
    if not course_done:
        missing.append("course")
    return not missing, missing
