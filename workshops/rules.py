"""Rules about groups' reporting and attendance, as pure functions with the date passed in.

A reporting schedule says when a group owes a briefing: quarterly before the 28th of the
quarter's last month (XH-BRIEF), every two months (XC-TEAM), each semester, or monthly. From a
schedule and the dates it runs between come the deadlines; from a deadline, what was filed and
any extension come on time / late / missing; from a deadline and today come the reminders due.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from django.utils.translation import gettext as _

from programmes.rules import Cycle, Evidence, Level, Period, Status, Window, windows


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


QUARTER = Decimal("0.25")  # XC-ATTEND in the seed: "缺课超过活动总课时数四分之一者，不计算学分"
SHARE_PLACES = Decimal("0.0001")  # absent shares are compared to four decimal places


@dataclass(frozen=True)
class Attendance:
    """A member's attendance over a year's activities, judged against the programme's threshold:
    the largest share of the hours one may miss and still earn credit (XC-ATTEND: a quarter)."""

    total_hours: Decimal
    absent_hours: Decimal
    max_absent_share: Decimal

    @property
    def ratio(self) -> Decimal:
        """The share of the activity hours attended, 0 to 1."""
        if self.total_hours <= 0:
            return Decimal(1)
        return (self.total_hours - self.absent_hours) / self.total_hours

    @property
    def absent_share(self) -> Decimal:
        """The share of the activity hours missed, to four decimal places (a third: 0.3333)."""
        if self.total_hours <= 0:
            return Decimal(0)
        return (self.absent_hours / self.total_hours).quantize(SHARE_PLACES, ROUND_HALF_UP)

    @property
    def earns_credit(self) -> bool:
        """XC-ATTEND: absent from more than the programme's share of the hours (a quarter in the
        seed) → no credit for the year.

        Interim: the credits app takes the credit over; do not build on it.
        """
        return self.absent_share <= self.max_absent_share


def attendance(records: Iterable[tuple[Decimal, bool]], *, max_absent_share: Decimal) -> Attendance:
    """From (hours of an activity, attended?) per activity of a member's school year, judged
    against the largest absent share that still earns credit."""
    total = absent = Decimal(0)
    for hours, present in records:
        total += hours
        if not present:
            absent += hours
    return Attendance(total, absent, max_absent_share)


# --- The output a workshop owes (XH-WS-OUTPUT) ---------------------------------------------------


class LeadRank(StrEnum):
    TRAINER = "trainer"  # a 研训员 of the education college (院校合作)
    LEADER = "leader"  # a 带头人
    BACKBONE = "backbone"  # a 骨干


def workshop_lead_rank(
    workshop_type: str, *, trainer_researcher: bool, tier_rank: str | None
) -> LeadRank | None:
    """XH-WS-TYPES: the rank in which a person leads a workshop of this type, or None when they
    may not lead it. A 院校合作 workshop is led by a 研训员 (a person the bureau marked as one);
    a 校际/校内 workshop by a 带头人 or 骨干 of the programme: ``tier_rank`` is the rank of their
    tier there ("" for a tier that names none, None when they are not a participant). A workshop
    of no type yet takes what its lead is."""
    if workshop_type == "college_school":
        return LeadRank.TRAINER if trainer_researcher else None
    if tier_rank in (LeadRank.LEADER, LeadRank.BACKBONE):
        return LeadRank(tier_rank)
    if workshop_type in ("inter_school", "intra_school"):
        return None
    if tier_rank is not None:
        return LeadRank.LEADER
    return LeadRank.TRAINER if trainer_researcher else None


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


# --- Counted obligations: HA-ACT, HA-READ, XC-TEAM, XC-MENTOR, XC-MENTEE, SJ-SCHOOL ----------


class Counts(StrEnum):
    ACTIVITIES = "activities"  # activity records of the group
    DOCUMENTS = "documents"  # documents the group submitted (plans, summaries, portfolios …)


@dataclass(frozen=True)
class Obligation:
    """Something a group owes, counted in each period: ≥ ``min_count`` items of ``kinds``
    (any kind when empty) per ``period``."""

    rule: str  # the rule id it comes from, e.g. "HA-ACT"
    title: str
    counts: Counts
    min_count: int
    period: Period
    kinds: frozenset[str] = frozenset()
    within: tuple[dt.date, dt.date] | None = None  # owed only in this phase

    def counts_item(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds


@dataclass(frozen=True)
class PeriodCount:
    window: Window
    count: int
    required: int
    status: Status


def obligation_status(
    obligation: Obligation, items: Iterable[tuple[str, dt.date]], cycle: Cycle, today: dt.date
) -> list[PeriodCount]:
    """How many matching items (kind, date) fell in each period of the cycle, and whether that
    meets the obligation: met; missed once the period is over; in progress; or upcoming.

    The periods are those of the programme's calendar (cut to the obligation's phase, if any):
    no stub period and no month or fortnight that is mostly holiday is owed.
    """
    spans = windows(obligation.period, cycle, obligation.within)
    counts = [0] * len(spans)
    starts = [w.start for w in spans]
    for kind, day in items:
        if not obligation.counts_item(kind):
            continue
        index = bisect.bisect_right(starts, day) - 1
        if index >= 0 and day in spans[index]:
            counts[index] += 1
    found = []
    for window, count in zip(spans, counts, strict=True):
        if count >= obligation.min_count:
            status = Status.MET
        elif window.end < today:
            status = Status.MISSED
        elif window.start > today:
            status = Status.UPCOMING
        else:
            status = Status.IN_PROGRESS
        found.append(PeriodCount(window, count, obligation.min_count, status))
    return found


# HA-ACT: the kinds of training activity a subject guidance group runs.
HA_ACT_KINDS = frozenset(
    {"学科培训", "课堂观摩", "教学竞赛", "教学展示", "研题磨题", "集体备课", "资源研发", "交流对话"}
)


@dataclass(frozen=True)
class SchedulePreset:
    title: str
    schedule: Schedule


# What each group form owes by the seeds, offered when a group is created (and editable after).
# Keyed by group kind; obligations first, then the reporting schedule, if any.
PRESETS: dict[str, tuple[tuple[Obligation, ...], SchedulePreset | None]] = {
    "workshop": (
        (
            Obligation(
                "XH-WS-LEAD",
                "研究方案",
                Counts.DOCUMENTS,
                1,
                Period.CYCLE,
                frozenset({"research_plan"}),
            ),
            Obligation(
                "XH-WS-LEAD",
                "年度实施计划",
                Counts.DOCUMENTS,
                1,
                Period.YEAR,
                frozenset({"implementation_plan"}),
            ),
            Obligation(
                "XH-WS-OUTPUT",
                "项目研究报告",
                Counts.DOCUMENTS,
                1,
                Period.CYCLE,
                frozenset({"project_report"}),
            ),
        ),
        SchedulePreset("活动简报", XH_BRIEF),
    ),
    "subject_group": (
        (
            Obligation(
                "HA-ACT",
                "学科研训活动（每学期）",
                Counts.ACTIVITIES,
                2,
                Period.SEMESTER,
                HA_ACT_KINDS,
            ),
            Obligation(
                "HA-ACT", "学科研训活动（每年）", Counts.ACTIVITIES, 4, Period.YEAR, HA_ACT_KINDS
            ),
        ),
        None,
    ),
    "reading_group": (
        (
            Obligation(
                "HA-READ",
                "读书交流",
                Counts.ACTIVITIES,
                1,
                Period.SEMESTER,
                frozenset({"读书交流"}),
            ),
        ),
        None,
    ),
    # XC-TEAM's plan, salons, micro-project, summaries, meeting and portfolio are the learning
    # district's duties (UnitDuty), filed by its lead school; the team keeps its briefings.
    "cadre_team": (
        (),
        SchedulePreset("活动简报", Schedule(Frequency.BIMONTHLY)),
    ),
    "mentoring_pair": (
        (
            Obligation(
                "XC-MENTOR",
                "带教计划",
                Counts.DOCUMENTS,
                1,
                Period.CYCLE,
                frozenset({"mentoring_plan"}),
            ),
            Obligation(
                "XC-MENTOR",
                "管理研讨或跟岗观摩",
                Counts.ACTIVITIES,
                1,
                Period.FORTNIGHT,
                frozenset({"管理研讨", "跟岗观摩"}),
            ),
            Obligation(
                "XC-MENTOR", "荐书荐文", Counts.ACTIVITIES, 1, Period.MONTH, frozenset({"荐书荐文"})
            ),
            Obligation(
                "XC-MENTOR",
                "带教档案袋",
                Counts.DOCUMENTS,
                1,
                Period.SEMESTER,
                frozenset({"portfolio"}),
            ),
            Obligation(
                "XC-MENTEE",
                "学习计划",
                Counts.DOCUMENTS,
                1,
                Period.CYCLE,
                frozenset({"learning_plan"}),
            ),
            Obligation(
                "XC-MENTEE",
                "论坛报告",
                Counts.DOCUMENTS,
                1,
                Period.SEMESTER,
                frozenset({"forum_report"}),
            ),
            Obligation(
                "XC-MENTEE",
                "微项目报告",
                Counts.DOCUMENTS,
                1,
                Period.CYCLE,
                frozenset({"micro_project"}),
            ),
            Obligation(
                "XC-MENTEE",
                "读书笔记",
                Counts.DOCUMENTS,
                1,
                Period.CYCLE,
                frozenset({"reading_note"}),
            ),
            Obligation(
                "XC-MENTEE",
                "学习总结",
                Counts.DOCUMENTS,
                1,
                Period.CYCLE,
                frozenset({"learning_summary"}),
            ),
            Obligation(
                "XC-MENTEE",
                "个人档案袋",
                Counts.DOCUMENTS,
                1,
                Period.CYCLE,
                frozenset({"personal_portfolio"}),
            ),
        ),
        None,
    ),
    # SJ-SCHOOL's monthly school-based session is the school's duty (a duty of units), not the
    # studio's: a studio owes nothing counted of its own.
    "school_studio": ((), None),
}


# --- School studios (SJ-SCHOOL) -------------------------------------------------------------------

SJ_STUDIO_MIN_CLASSES = 15
SJ_STUDIO_MIN_MEMBERS = 8


def studio_shortfall(classes: int, studio_sizes: Iterable[int]) -> str | None:
    """SJ-SCHOOL: a school with ≥15 classes must have a studio of its own with ≥8 members
    (smaller schools may join a joint studio). Why the school falls short, or None."""
    if classes < SJ_STUDIO_MIN_CLASSES:
        return None
    sizes = list(studio_sizes)
    if not sizes:
        return _("%(classes)s classes and no studio of its own") % {"classes": classes}
    largest = max(sizes)
    if largest < SJ_STUDIO_MIN_MEMBERS:
        return _("its studio has %(members)s members; it needs at least %(min)s") % {
            "members": largest,
            "min": SJ_STUDIO_MIN_MEMBERS,
        }
    return None


# --- Mentoring pairs (XC-PAIRS) -------------------------------------------------------------------


class MenteeKind(StrEnum):
    VICE_PRINCIPAL = "vice_principal"  # newly promoted vice principal
    PRINCIPAL = "principal"  # newly promoted principal


def pair_problem(mentee: MenteeKind, *, same_school: bool, mentor_listed: bool) -> str | None:
    """XC-PAIRS: a new vice principal is mentored by their own school's principal; a new
    principal by a mentor from the bureau's list. What is wrong with a pair, or None."""
    if mentee == MenteeKind.VICE_PRINCIPAL and not same_school:
        return _("a new vice principal is mentored by the principal of their own school")
    if mentee == MenteeKind.PRINCIPAL and not mentor_listed:
        return _("a new principal's mentor comes from the bureau's list of mentors")
    return None


# --- School-based training sessions (PT-MODULES, for PT-CREDIT) --------------------------------


class SessionFormat(StrEnum):
    LECTURE = "lecture"  # 讲座: PT-CREDIT counts 10 class hours a credit
    PRACTICE = "practice"  # 实践 (teaching practice, observation, seminar): 20 hours a credit


@dataclass(frozen=True)
class SessionHours:
    """The class hours of school-based training a teacher attended, by format and by module."""

    lecture: Decimal = Decimal(0)
    practice: Decimal = Decimal(0)
    by_module: tuple[tuple[str, Decimal], ...] = ()

    @property
    def total(self) -> Decimal:
        return self.lecture + self.practice


def session_hours(sessions: Iterable[tuple[str, str, Decimal]]) -> SessionHours:
    """From the (module, format, class hours) of each session a teacher attended."""
    lecture = practice = Decimal(0)
    modules: dict[str, Decimal] = {}
    for module, format_, hours in sessions:
        if format_ == SessionFormat.LECTURE:
            lecture += hours
        elif format_ == SessionFormat.PRACTICE:
            practice += hours
        else:
            continue  # not a credited session (no format recorded)
        if module:
            modules[module] = modules.get(module, Decimal(0)) + hours
    return SessionHours(lecture, practice, tuple(sorted(modules.items())))


# --- Groups led in the portal, as evidence of mentoring (XH-T3) ---------------------------------

# The kinds of group whose lead mentors a team (指导团队); a pair is one mentee, a leading or a
# working group organises rather than mentors.
MENTORING_GROUP_KINDS = frozenset(
    {
        "workshop",
        "subject_group",
        "reading_group",
        "cadre_team",
        "school_studio",
        "training_group",
        "mentor_corps",
    }
)


def led_group_facts(
    activities: Iterable[tuple[int, int, int, dt.date, bool, bool]], *, kind: str
) -> dict[int, list[Evidence]]:
    """XH-T3: a group a teacher leads counts as one item of ``kind`` for every month it has an
    activity, dated by the first activity of the month, naming the group as the person counted
    ("g:<group id>"), so that a criterion counting people counts it once however active it is.

    ``activities`` are (activity id, lead's teacher id, group id, date, has a school, has a
    learning district). The level is the group's: a school's group is school level, a learning
    district's that level, any other a district's. Ids are negative: they are not evidence rows.
    """
    first: dict[tuple[int, int, int, int], tuple[int, int, dt.date, Level]] = {}
    for activity_id, teacher_id, group_id, day, at_school, in_district in activities:
        level = (
            Level.SCHOOL
            if at_school
            else Level.LEARNING_DISTRICT
            if in_district
            else Level.DISTRICT
        )
        key = (teacher_id, group_id, day.year, day.month)
        seen = first.get(key)
        if seen is None or (day, activity_id) < (seen[2], seen[0]):
            first[key] = (activity_id, teacher_id, day, level)
    found: dict[int, list[Evidence]] = {}
    for (teacher_id, group_id, _year, _month), (activity_id, _t, day, level) in sorted(
        first.items()
    ):
        found.setdefault(teacher_id, []).append(
            Evidence(
                id=-activity_id,
                kind=kind,
                level=level,
                date=day,
                people=frozenset({f"g:{group_id}"}),
            )
        )
    return found


# --- Duties of units (SJ-SCHOOL, XC-TEAM, PT-HOURS, HA-ASSESS) -----------------------------------


class UnitScope(StrEnum):
    EVERY_SCHOOL = "every_school"
    SCHOOLS_WITH_CLASSES = "schools_with_classes"  # schools with ≥ min_classes classes
    LEARNING_DISTRICT = "learning_district"  # each learning district, filed by its lead school
    DIRECT_SCHOOLS = "direct_schools"  # schools directly under the bureau (局直): in no district


@dataclass(frozen=True)
class UnitDutySpec:
    """A duty owed by a unit, counted in each period: ≥ ``min_count`` filings of ``kinds`` (any
    kind when empty) and, with ``min_hours``, at least that many class hours in total."""

    rule: str
    title: str
    owed_by: UnitScope
    period: Period
    min_count: int = 1
    kinds: frozenset[str] = frozenset()
    min_hours: Decimal | None = None
    min_classes: int | None = None
    within: tuple[dt.date, dt.date] | None = None  # owed only in this phase (XC-PHASES)

    def counts_filing(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds


def school_owes(duty: UnitDutySpec, classes: int, *, in_district: bool = False) -> bool:
    """Whether a school of ``classes`` classes owes a duty owed by schools (SJ-SCHOOL: a school
    with ≥15 classes keeps a studio; every school runs a session a month; HA-ASSESS: the schools
    directly under the bureau, in no learning district, are assessed as units). A school owes
    it whether or not any of its teachers takes part in the programme."""
    if duty.owed_by == UnitScope.EVERY_SCHOOL:
        return True
    if duty.owed_by == UnitScope.DIRECT_SCHOOLS:
        return not in_district
    if duty.owed_by == UnitScope.SCHOOLS_WITH_CLASSES:
        return classes >= (duty.min_classes or 0)
    return False


@dataclass(frozen=True)
class UnitPeriod:
    window: Window
    count: int
    hours: Decimal
    status: Status
    reason: str  # what is still missing, in words a school administrator reads; "" when met


def _shortfall(duty: UnitDutySpec, count: int, hours: Decimal) -> str:
    parts = []
    if count < duty.min_count:
        parts.append(
            _("%(missing)s more to file (%(count)s of %(required)s)")
            % {"missing": duty.min_count - count, "count": count, "required": duty.min_count}
        )
    if duty.min_hours is not None and hours < duty.min_hours:
        parts.append(
            _("%(missing)s more class hours (%(hours)s of %(required)s)")
            % {
                "missing": _number(duty.min_hours - hours),
                "hours": _number(hours),
                "required": _number(duty.min_hours),
            }
        )
    return _("; ").join(parts)


def _number(value: Decimal) -> str:
    """Class hours without a trailing ".0": 40, 12.5."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def unit_duty_status(
    duty: UnitDutySpec,
    filings: Iterable[tuple[str, dt.date, Decimal | None]],
    cycle: Cycle,
    today: dt.date,
) -> list[UnitPeriod]:
    """How many filings (kind, date, class hours) of a unit fell in each period of the cycle and
    whether that meets the duty: met; missed once the period is over; in progress; or upcoming,
    with what is still missing. The periods are those of the programme's calendar: no stub
    period, and no month or fortnight that is mostly holiday, is owed."""
    spans = windows(duty.period, cycle, duty.within)
    counts = [0] * len(spans)
    hours = [Decimal(0)] * len(spans)
    starts = [w.start for w in spans]
    for kind, day, filed_hours in filings:
        if not duty.counts_filing(kind):
            continue
        index = bisect.bisect_right(starts, day) - 1
        if index >= 0 and day in spans[index]:
            counts[index] += 1
            hours[index] += filed_hours or Decimal(0)
    found = []
    for window, count, total in zip(spans, counts, hours, strict=True):
        reason = _shortfall(duty, count, total)
        if not reason:
            status = Status.MET
        elif window.end < today:
            status = Status.MISSED
        elif window.start > today:
            status = Status.UPCOMING
        else:
            status = Status.IN_PROGRESS
        found.append(UnitPeriod(window, count, total, status, reason))
    return found


def current_period(periods: list[UnitPeriod]) -> UnitPeriod | None:
    """The period under way (or the last one, once the cycle is over; the first before it)."""
    live = [p for p in periods if p.status != Status.UPCOMING]
    return live[-1] if live else (periods[0] if periods else None)
