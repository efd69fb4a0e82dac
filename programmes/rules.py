"""The requirement engine: pure functions over plain data, with the date passed in.

No database, clock or settings here. A requirement is a tuple of clauses that must all be met; a
clause has a period (each year of the programme, each semester, …) and alternatives, any one of
which meets it in a period; an alternative counts evidence of some kinds at or above a level, with
optional conditions. Only verified evidence is passed in.

Each programme keeps its own calendar (a ``Cycle``):

- its **year** (the one name in code for "a year of the programme's calendar", on which
  assessments and credits are counted too) is a school year (学年, 1 Sept – 31 Aug, named by the
  year it starts in: 2023学年 is Sept 2023 – Aug 2024), a calendar year (Haian's 2022 programme),
  or dated years the programme lists itself;
- its **semesters** are Sept – Jan and Feb – Aug for a school year, Jan – Aug and Sept – Dec for a
  calendar year, or the dated semesters it lists (the days between them are holidays);
- **holidays** can also be listed; a month or a fortnight that is mostly holiday is not owed.

A period the cycle (or the phase a clause is limited to) cuts to less than half its length is a
stub and is never owed: it does not appear at all.
"""

from __future__ import annotations

import bisect
import calendar
import dataclasses
import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bureaus.levels import Level  # the one scale every bureau compares on; bureaus name its steps


class Period(StrEnum):
    YEAR = "year"  # a year of the programme's own calendar (see YearBasis)
    SEMESTER = "semester"
    MONTH = "month"
    FORTNIGHT = "fortnight"
    CYCLE = "cycle"


class YearBasis(StrEnum):
    """What a programme's year is."""

    SCHOOL_YEAR = "school_year"  # 1 Sept – 31 Aug
    CALENDAR_YEAR = "calendar_year"  # 1 Jan – 31 Dec
    LISTED = "listed"  # the dated years the programme lists


class Delivery(StrEnum):
    ONLINE = "online"
    FACE_TO_FACE = "face_to_face"


class Status(StrEnum):
    MET = "met"
    IN_PROGRESS = "in_progress"
    MISSED = "missed"
    UPCOMING = "upcoming"


# --- Calendar ---------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def school_year_of(day: dt.date) -> int:
    """The school year a day falls in, named by the calendar year it starts in."""
    return day.year if day.month >= 9 else day.year - 1


def semester_of(day: dt.date) -> tuple[int, int]:
    """(school year, 1 or 2): the first semester runs Sept – Jan, the second Feb – Aug."""
    return school_year_of(day), 1 if day.month >= 9 or day.month == 1 else 2


@dataclass(frozen=True)
class Span:
    """A dated stretch of a programme's calendar that staff listed: a year, a semester or a
    holiday, with the name they gave it."""

    name: str
    start: dt.date
    end: dt.date

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError("a span cannot end before it starts")

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Cycle:
    """A programme's cycle and calendar: the first and last day, what a year is, its semesters
    and holidays. With only the two dates it is a cycle of school years."""

    start: dt.date
    end: dt.date
    basis: YearBasis = YearBasis.SCHOOL_YEAR
    years: tuple[Span, ...] = ()  # used when basis is LISTED
    semesters: tuple[Span, ...] = ()  # empty: the basis's usual semesters
    holidays: tuple[Span, ...] = ()

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError("a cycle cannot end before it starts")

    def within(self, start: dt.date | None, end: dt.date | None) -> Cycle | None:
        """The same calendar cut to a phase (``start`` to ``end``, either may be open), or None
        when the phase lies outside the cycle."""
        start = max(self.start, start) if start else self.start
        end = min(self.end, end) if end else self.end
        if end < start:
            return None
        return dataclasses.replace(self, start=start, end=end)

    def in_holiday(self, day: dt.date) -> bool:
        if any(day in h for h in self.holidays):
            return True
        if self.semesters:
            return not any(day in s for s in self.semesters)
        return False

    def holiday_spans(self) -> list[Span]:
        """The holidays inside the cycle: those listed, and the days between listed semesters
        (named by ``gap_name``), in order."""
        found = [h for h in self.holidays if h.start <= self.end and h.end >= self.start]
        semesters = sorted(self.semesters, key=lambda s: s.start)
        for before, after in zip(semesters, semesters[1:], strict=False):
            first = max(before.end + dt.timedelta(days=1), self.start)
            last = min(after.start - dt.timedelta(days=1), self.end)
            if first <= last and not any(h.start <= first and last <= h.end for h in found):
                found.append(Span("", first, last))
        return sorted(found, key=lambda s: s.start)

    def year_of(self, day: dt.date) -> Window | None:
        """The year of the programme's calendar that ``day`` falls in, if any."""
        for window in windows(Period.YEAR, self):
            if day in window:
                return window
        return None


@dataclass(frozen=True)
class Window:
    """One period of a clause: a year, a semester, a month, a fortnight or the cycle."""

    period: Period
    key: str
    start: dt.date
    end: dt.date
    name: str = ""  # the name staff gave a listed year or semester
    basis: YearBasis = YearBasis.SCHOOL_YEAR

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        if self.period == Period.YEAR:
            if self.basis == YearBasis.CALENDAR_YEAR:
                return _("year %(year)s") % {"year": self.key}
            return _("%(year)s school year") % {"year": self.key}
        if self.period == Period.SEMESTER:
            year, half = self.key.split("-")
            if self.basis == YearBasis.CALENDAR_YEAR:
                if half == "1":
                    return _("%(year)s spring semester") % {"year": year}
                return _("%(year)s autumn semester") % {"year": year}
            if half == "1":
                return _("%(year)s school year, first semester") % {"year": year}
            return _("%(year)s school year, second semester") % {"year": year}
        if self.period == Period.MONTH:
            return _("%(year)s-%(month)s") % {"year": self.start.year, "month": self.start.month}
        if self.period == Period.FORTNIGHT:
            return _("%(start)s to %(end)s") % {
                "start": self.start.strftime("%m-%d"),
                "end": self.end.strftime("%m-%d"),
            }
        return _("the cycle")


def _days(start: dt.date, end: dt.date) -> int:
    return (end - start).days + 1


def _owed(start: dt.date, end: dt.date, cycle: Cycle) -> tuple[dt.date, dt.date] | None:
    """A natural period clipped to the cycle, or None when what is left is a stub (less than
    half the period)."""
    first, last = max(start, cycle.start), min(end, cycle.end)
    if last < first or _days(first, last) * 2 < _days(start, end):
        return None
    return first, last


def windows(
    period: Period, cycle: Cycle, within: tuple[dt.date, dt.date] | None = None
) -> list[Window]:
    """The periods of ``period`` that are owed in the cycle, clipped to it, in order; with
    ``within`` (a phase's first and last day), those of the cycle cut to that phase."""
    return list(_windows_within(Period(period), cycle, within))


def _windows_within(
    period: Period, cycle: Cycle, within: tuple[dt.date, dt.date] | None
) -> tuple[Window, ...]:
    if within is not None:
        narrowed = cycle.within(*within)
        if narrowed is None:
            return ()
        cycle = narrowed
    return _windows(period, cycle)


@functools.lru_cache(maxsize=256)
def _spans(period: Period, cycle: Cycle) -> tuple[tuple[Window, ...], tuple[dt.date, ...]]:
    """The windows of ``period`` in the cycle and their first days, for bisecting."""
    found = _windows(period, cycle)
    return found, tuple(w.start for w in found)


def _clause_spans(clause: Clause, cycle: Cycle) -> tuple[tuple[Window, ...], tuple[dt.date, ...]]:
    if clause.within is not None:
        cycle = cycle.within(*clause.within)
        if cycle is None:
            return (), ()
    return _spans(Period(clause.period), cycle)


def _natural_years(cycle: Cycle) -> list[tuple[str, str, dt.date, dt.date]]:
    """(key, name, first day, last day) of each year of the calendar touching the cycle."""
    if cycle.basis == YearBasis.LISTED:
        return [(f"y{y.start:%Y-%m-%d}", y.name, y.start, y.end) for y in cycle.years]
    if cycle.basis == YearBasis.CALENDAR_YEAR:
        return [
            (str(year), "", dt.date(year, 1, 1), dt.date(year, 12, 31))
            for year in range(cycle.start.year, cycle.end.year + 1)
        ]
    return [
        (str(year), "", dt.date(year, 9, 1), dt.date(year + 1, 8, 31))
        for year in range(school_year_of(cycle.start), school_year_of(cycle.end) + 1)
    ]


def _natural_semesters(cycle: Cycle) -> list[tuple[str, str, dt.date, dt.date]]:
    if cycle.semesters:
        return [(f"s{s.start:%Y-%m-%d}", s.name, s.start, s.end) for s in cycle.semesters]
    found = []
    if cycle.basis == YearBasis.CALENDAR_YEAR:
        for year in range(cycle.start.year, cycle.end.year + 1):
            found.append((f"{year}-1", "", dt.date(year, 1, 1), dt.date(year, 8, 31)))
            found.append((f"{year}-2", "", dt.date(year, 9, 1), dt.date(year, 12, 31)))
        return found
    for year in range(school_year_of(cycle.start), school_year_of(cycle.end) + 1):
        found.append((f"{year}-1", "", dt.date(year, 9, 1), dt.date(year + 1, 1, 31)))
        found.append((f"{year}-2", "", dt.date(year + 1, 2, 1), dt.date(year + 1, 8, 31)))
    return found


def _mostly_term(start: dt.date, end: dt.date, cycle: Cycle) -> bool:
    """Whether at least half the days of a month or fortnight are term time."""
    if not cycle.holidays and not cycle.semesters:
        return True
    total = _days(start, end)
    off = sum(1 for n in range(total) if cycle.in_holiday(start + dt.timedelta(days=n)))
    return (total - off) * 2 >= total


@functools.lru_cache(maxsize=256)
def _windows(period: Period, cycle: Cycle) -> tuple[Window, ...]:
    if period == Period.CYCLE:
        return (Window(period, "cycle", cycle.start, cycle.end, basis=cycle.basis),)
    natural: list[tuple[str, str, dt.date, dt.date]] = []
    if period == Period.YEAR:
        natural = _natural_years(cycle)
    elif period == Period.SEMESTER:
        natural = _natural_semesters(cycle)
    elif period == Period.MONTH:
        day = month_start(cycle.start)
        while day <= cycle.end:
            if _mostly_term(day, month_end(day), cycle):
                natural.append((f"{day:%Y-%m}", "", day, month_end(day)))
            day = month_end(day) + dt.timedelta(days=1)
    elif period == Period.FORTNIGHT:
        # Every two weeks from the start of the cycle (or phase); with dated semesters, from the
        # start of each semester, so that the count starts again after a holiday.
        runs = [(cycle.start, cycle.end)]
        if cycle.semesters:
            runs = [
                (max(s.start, cycle.start), min(s.end, cycle.end))
                for s in sorted(cycle.semesters, key=lambda s: s.start)
                if s.start <= cycle.end and s.end >= cycle.start
            ]
        for first, last in runs:
            day = first
            while day <= last:
                end = day + dt.timedelta(days=13)
                stop = min(end, last)  # a fortnight never runs into the next semester
                if _days(day, stop) * 2 >= 14 and _mostly_term(day, stop, cycle):
                    natural.append((f"{day:%Y-%m-%d}", "", day, stop))
                day = end + dt.timedelta(days=1)
    else:  # pragma: no cover - the enum is closed
        raise ValueError(period)
    found = []
    for key, name, start, end in sorted(natural, key=lambda n: n[2]):
        owed = _owed(start, end, cycle)
        if owed is not None:
            found.append(Window(period, key, owed[0], owed[1], name=name, basis=cycle.basis))
    return tuple(found)


# --- Who a clause applies to -------------------------------------------------------------------


class ConditionKind(StrEnum):
    FIRST_TIME_CLASS_TEACHER = "first_time_class_teacher"
    CLASS_TEACHER_STAGE = "class_teacher_stage"  # value: stage codes, comma-separated
    CLASS_TEACHER_YEARS_AT_LEAST = "class_teacher_years_at_least"
    CLASS_TEACHER_YEARS_BELOW = "class_teacher_years_below"
    CAREER_STAGE = "career_stage"  # value: stage codes, comma-separated


FIRST_TIME_STAGE = "first_time"  # the class-teacher stage of a first-time (初任) class teacher


def condition_text(condition: Condition | None) -> str:
    """Who a clause is owed by, in words for the programme page ("" for everyone)."""
    if condition is None:
        return ""
    kind = condition.kind
    if kind == ConditionKind.FIRST_TIME_CLASS_TEACHER:
        return _("first-time class teachers only")
    if kind == ConditionKind.CLASS_TEACHER_YEARS_AT_LEAST:
        return _("class teachers of %(years)s years or more only") % {"years": condition.value}
    if kind == ConditionKind.CLASS_TEACHER_YEARS_BELOW:
        return _("class teachers of fewer than %(years)s years only") % {"years": condition.value}
    return _("some participants only")


@dataclass(frozen=True)
class Participant:
    """What the engine knows of an enrolled teacher beyond their tier."""

    tier: str
    class_teacher_stage: str = ""
    years_class_teacher: int = 0
    career_stage: str = ""


@dataclass(frozen=True)
class Condition:
    """A clause owed only by participants who meet this (SJ-INIT: first-time class teachers)."""

    kind: ConditionKind
    value: str = ""

    def __post_init__(self):
        if self.kind in (
            ConditionKind.CLASS_TEACHER_YEARS_AT_LEAST,
            ConditionKind.CLASS_TEACHER_YEARS_BELOW,
        ):
            int(self.value)  # ValueError for a value that is not a whole number

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(c.strip() for c in self.value.split(",") if c.strip())

    def holds(self, who: Participant) -> bool:
        kind = self.kind
        if kind == ConditionKind.FIRST_TIME_CLASS_TEACHER:
            return who.class_teacher_stage == FIRST_TIME_STAGE
        if kind == ConditionKind.CLASS_TEACHER_STAGE:
            return who.class_teacher_stage in self.codes
        if kind == ConditionKind.CAREER_STAGE:
            return who.career_stage in self.codes
        if kind == ConditionKind.CLASS_TEACHER_YEARS_AT_LEAST:
            return who.years_class_teacher >= int(self.value)
        if kind == ConditionKind.CLASS_TEACHER_YEARS_BELOW:
            return who.years_class_teacher < int(self.value)
        raise ValueError(kind)  # pragma: no cover - the enum is closed


# --- Deadlines inside a period ------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    """When a clause's evidence is due inside its periods.

    Either a fixed date (``on``: due in the one period it falls in, e.g. XH's development plan by
    2023-11-30), or a month of each period with an optional day (``month``, ``day``; no day: the
    month's last day), e.g. HA's plan in April and its research outputs in December. A period
    the date does not fall in (one clipped by the cycle) has no due date.
    """

    on: dt.date | None = None
    month: int | None = None
    day: int | None = None

    def __post_init__(self):
        if (self.on is None) == (self.month is None):
            raise ValueError("a deadline is a fixed date or a month, not both or neither")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError("a month is 1 to 12")
        if self.day is not None and (self.month is None or not 1 <= self.day <= 31):
            raise ValueError("a day goes with a month and is 1 to 31")

    def due_in(self, window: Window) -> dt.date | None:
        """The due date inside ``window`` (from its first and last day), if it has one."""
        if self.on is not None:
            return self.on if window.start <= self.on <= window.end else None
        for year in range(window.start.year, window.end.year + 1):
            day = month_day(year, self.month, self.day)
            if window.start <= day <= window.end:
                return day
        return None

    def describe(self) -> str:
        """E.g. "4月底前", "12月15日前", "2023年11月30日前"."""
        if self.on is not None:
            return _("by %(date)s") % {"date": long_date(self.on)}
        if self.day is None:
            return _("by the end of month %(month)s") % {"month": self.month}
        return _("by %(date)s") % {"date": short_date(self.month, self.day)}


def month_day(year: int, month: int, day: int | None) -> dt.date:
    """The ``day`` of a month (its last day when none, or when the month is shorter)."""
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day or last, last))


def short_date(month: int, day: int) -> str:
    return _("%(month)s/%(day)s") % {"month": month, "day": day}


def long_date(day: dt.date) -> str:
    return _("%(year)s/%(month)s/%(day)s") % {"year": day.year, "month": day.month, "day": day.day}


class DeadlineProblem(StrEnum):
    OUTSIDE_CYCLE = "outside_cycle"  # a fixed date outside the cycle
    PERIOD_HAS_NO_MONTH = "period_has_no_month"  # a month for semesters, months or fortnights
    MONTH_NOT_IN_CYCLE = "month_not_in_cycle"  # no period of the cycle contains the month
    MONTH_REPEATS_IN_CYCLE = "month_repeats_in_cycle"  # once over the cycle, a month seen twice
    NO_SUCH_DAY = "no_such_day"  # e.g. 31 April


def deadline_problem(deadline: Deadline, period: Period, cycle: Cycle) -> DeadlineProblem | None:
    """Why a deadline does not fit a clause of ``period`` in ``cycle``, or None when it does.

    A month of each period needs periods that each hold every month once (school years and
    calendar years), or a cycle that holds the month once; semesters, months and fortnights take
    a fixed date instead.
    """
    if deadline.on is not None:
        return None if cycle.start <= deadline.on <= cycle.end else DeadlineProblem.OUTSIDE_CYCLE
    assert deadline.month is not None
    if deadline.day is not None and deadline.day > calendar.monthrange(2000, deadline.month)[1]:
        return DeadlineProblem.NO_SUCH_DAY
    period = Period(period)
    if period not in (Period.YEAR, Period.CYCLE):
        return DeadlineProblem.PERIOD_HAS_NO_MONTH
    found = [deadline.due_in(w) for w in windows(period, cycle)]
    if not any(found):
        return DeadlineProblem.MONTH_NOT_IN_CYCLE
    if period == Period.CYCLE:
        days = (
            month_day(year, deadline.month, deadline.day)
            for year in range(cycle.start.year, cycle.end.year + 1)
        )
        inside = [day for day in days if cycle.start <= day <= cycle.end]
        if len(inside) > 1:
            return DeadlineProblem.MONTH_REPEATS_IN_CYCLE
    return None


# --- Calendar events that repeat ----------------------------------------------------------------


class Repeat(StrEnum):
    ONCE = "once"  # on a date
    IN_MONTH = "month"  # once, in a month (the day is not known)
    YEARLY = "yearly"  # every year, in a month
    BIENNIAL = "biennial"  # every two years (SJ's 区级基本功展示)
    ALL_YEAR = "all_year"  # all year round (全年)


def event_when(repeat: Repeat, due: dt.date | None, month: int | None) -> str:
    """When a calendar event happens, in words: "2023-10-31", "2022年4月", "每年4月", "全年",
    "每两年一次"."""
    repeat = Repeat(repeat)
    if repeat == Repeat.ONCE and due is not None:
        return due.strftime("%Y-%m-%d")
    if repeat == Repeat.IN_MONTH and due is not None:
        return _("%(year)s/%(month)s") % {"year": due.year, "month": due.month}
    if repeat == Repeat.YEARLY and month is not None:
        return _("every year in month %(month)s") % {"month": month}
    if repeat == Repeat.BIENNIAL:
        text = _("every two years")
        if month is not None:
            text += _(", in month %(month)s") % {"month": month}
        if due is not None:
            text += _(", first in %(year)s") % {"year": due.year}
        return text
    return _("all year round")


def event_sort_key(
    repeat: Repeat, due: dt.date | None, month: int | None, cycle: Cycle
) -> tuple[dt.date, int]:
    """Where an event goes in the programme's calendar: at its first day in the cycle; events of
    the whole year (and repeating ones without a month) first."""
    repeat = Repeat(repeat)
    if repeat in (Repeat.ONCE, Repeat.IN_MONTH) and due is not None:
        return due, 1
    if month is not None:
        for year in range(cycle.start.year, cycle.end.year + 1):
            day = dt.date(year, month, 1)
            if day >= month_start(cycle.start) and (due is None or day >= month_start(due)):
                return day, 1
    if due is not None:
        return due, 1
    return cycle.start, 0


# --- Requirements -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """One verified piece of evidence, as the engine sees it."""

    id: int
    kind: str
    level: Level
    date: dt.date
    hours: Decimal | None = None
    delivery: str = ""
    requirements: frozenset[str] = frozenset()  # the requirements it was filed for
    # The people it is about (a mentee, a team led), as stable keys: "t:<teacher id>" for a
    # teacher of the bureau, "n:<name>" for someone outside it, "g:<group id>" for a group.
    people: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Alternative:
    kinds: frozenset[str]
    kind_names: tuple[str, ...] = ()
    min_level: Level = Level.SCHOOL
    min_count: int = 1
    min_hours: Decimal | None = None
    delivery: str = ""
    min_total_hours: Decimal | None = None  # the matching items' hours added up
    counts_people: bool = False  # count the distinct people the items name, not the items
    level_label: str = ""  # the bureau's name of min_level (e.g. 海安市级); empty: the default

    def matches(self, evidence: Evidence) -> bool:
        if evidence.kind not in self.kinds or evidence.level < self.min_level:
            return False
        if self.min_hours is not None and (evidence.hours or 0) < self.min_hours:
            return False
        return not (self.delivery and evidence.delivery != self.delivery)

    def count(self, items: Iterable[Evidence]) -> int:
        """How many the items make: items, or the distinct people they name (an item naming
        nobody counts as one person of its own)."""
        if not self.counts_people:
            return len(items if isinstance(items, (list, tuple)) else list(items))
        people: set[str] = set()
        for e in items:
            people |= e.people or {f"e:{e.id}"}
        return len(people)

    def is_met(self, count: int, hours: Decimal) -> bool:
        if count < self.min_count:
            return False
        return self.min_total_hours is None or hours >= self.min_total_hours

    def subject(self) -> str:
        """What is counted, named plainly: the kinds, the level when above school level, and
        the conditions on each item, e.g. "区级及以上研修课程（线上）"."""
        kinds = _(" or ").join(self.kind_names) if self.kind_names else _("evidence")
        if self.min_level > Level.SCHOOL:
            kinds = _("%(level)s or above %(kinds)s") % {
                "level": self.level_label or level_name(self.min_level),
                "kinds": kinds,
            }
        conditions = []
        if self.min_hours is not None:
            conditions.append(
                _("at least %(hours)s class hours") % {"hours": _plain(self.min_hours)}
            )
        if self.delivery == Delivery.ONLINE:
            conditions.append(_("online"))
        elif self.delivery == Delivery.FACE_TO_FACE:
            conditions.append(_("face to face"))
        if conditions:
            kinds += _(" (%(conditions)s)") % {"conditions": _(", ").join(conditions)}
        return kinds

    def shortfall(self, count: int, hours: Decimal | None = None) -> str:
        """What is still missing, with what there is and what is needed: "培养教师：还差 1 名
        （已有 1 名，需 2 名）", "公开教学：还差 1 项（已有 0 项，需 1 项）"."""
        values = {"what": self.subject(), "have": count, "need": self.min_count}
        by_hours = self.min_total_hours is not None and self.min_count <= 1
        if count < self.min_count and not by_hours:
            values["missing"] = self.min_count - count
            if self.counts_people:
                return (
                    ngettext(
                        "%(what)s: %(missing)s more person (has %(have)s, needs %(need)s)",
                        "%(what)s: %(missing)s more people (has %(have)s, needs %(need)s)",
                        values["missing"],
                    )
                    % values
                )
            return (
                ngettext(
                    "%(what)s: %(missing)s more item (has %(have)s, needs %(need)s)",
                    "%(what)s: %(missing)s more items (has %(have)s, needs %(need)s)",
                    values["missing"],
                )
                % values
            )
        total = self.min_total_hours or Decimal(0)
        return _("%(what)s: %(missing)s more class hours (has %(have)s, needs %(need)s)") % {
            "what": self.subject(),
            "missing": _plain(max(Decimal(0), total - (hours or Decimal(0)))),
            "have": _plain(hours or Decimal(0)),
            "need": _plain(total),
        }

    def describe(self, count: int, hours_missing: Decimal | None = None) -> str:
        """E.g. "1 项区级及以上公开教学或学术交流（≥10课时，线上）"."""
        kinds = _(" or ").join(self.kind_names) if self.kind_names else _("evidence")
        if self.min_total_hours is not None and hours_missing is not None and count <= 0:
            return _("%(hours)s more class hours of %(level)s or above %(kinds)s") % {
                "hours": _plain(hours_missing),
                "level": self.level_label or level_name(self.min_level),
                "kinds": kinds,
            }
        conditions = []
        if self.min_hours is not None:
            conditions.append(
                _("at least %(hours)s class hours") % {"hours": _plain(self.min_hours)}
            )
        if self.min_total_hours is not None:
            conditions.append(
                _("%(hours)s class hours in all") % {"hours": _plain(self.min_total_hours)}
            )
        if self.delivery == Delivery.ONLINE:
            conditions.append(_("online"))
        elif self.delivery == Delivery.FACE_TO_FACE:
            conditions.append(_("face to face"))
        text = _("%(count)s × %(level)s or above %(kinds)s") % {
            "count": count,
            "level": self.level_label or level_name(self.min_level),
            "kinds": kinds,
        }
        if conditions:
            text += _(" (%(conditions)s)") % {"conditions": _(", ").join(conditions)}
        return text


def level_name(level: Level, names: Mapping[int, str] | None = None) -> str:
    """The name of a level: the bureau's, from ``names`` (level -> name), or the default."""
    if names and names.get(int(level)):
        return names[int(level)]
    return {
        Level.SCHOOL: _("school-level"),
        Level.LEARNING_DISTRICT: _("learning-district-level"),
        Level.DISTRICT: _("district-level"),
        Level.MUNICIPAL: _("municipal-level"),
        Level.PROVINCIAL: _("provincial-level"),
        Level.NATIONAL: _("national-level"),
    }[Level(level)]


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)


@dataclass(frozen=True)
class Clause:
    period: Period
    alternatives: tuple[Alternative, ...]
    tiers: frozenset[str] = frozenset()  # empty: every tier of the requirement
    condition: Condition | None = None  # owed only by participants who meet it
    within: tuple[dt.date, dt.date] | None = None  # owed only in this phase
    deadline: Deadline | None = None  # when, inside each period, the evidence is due

    def applies_to(self, tier: str | Participant) -> bool:
        """Whether the clause is owed by a participant (or, given a tier code, by its tier)."""
        if isinstance(tier, Participant):
            who, tier = tier, tier.tier
            if self.condition is not None and not self.condition.holds(who):
                return False
        return not self.tiers or tier in self.tiers

    def periods(self, cycle: Cycle) -> tuple[Window, ...]:
        """The periods in which the clause is owed: the calendar's, cut to its phase."""
        return _windows_within(Period(self.period), cycle, self.within)


@dataclass(frozen=True)
class RequirementSpec:
    key: str
    title: str
    clauses: tuple[Clause, ...]
    tiers: frozenset[str] = frozenset()

    def applies_to(self, tier: str | Participant) -> bool:
        code = tier.tier if isinstance(tier, Participant) else tier
        return code in self.tiers and any(c.applies_to(tier) for c in self.clauses)

    def owed(self, who: str | Participant, cycle: Cycle) -> bool:
        """Whether anything of the requirement is owed: a clause that applies to ``who`` and
        has a period in the calendar."""
        code = who.tier if isinstance(who, Participant) else who
        return code in self.tiers and any(
            c.applies_to(who) and c.periods(cycle) for c in self.clauses
        )


@dataclass(frozen=True)
class PeriodResult:
    window: Window
    status: Status
    counts: tuple[int, ...]  # per alternative
    evidence_ids: frozenset[int]
    clause: Clause = field(repr=False, compare=False)
    hours: tuple[Decimal, ...] = ()  # per alternative: the matching items' class hours
    met_on: dt.date | None = None  # the day the evidence first met the clause in this period

    @property
    def due(self) -> dt.date | None:
        """The clause's due date inside this period, if it has one."""
        deadline = self.clause.deadline
        return deadline.due_in(self.window) if deadline is not None else None

    @property
    def late_days(self) -> int:
        """Met, but after the due date (still inside the period): by how many days."""
        due = self.due
        if self.status != Status.MET or due is None or self.met_on is None:
            return 0
        return max(0, (self.met_on - due).days)

    def overdue_days(self, today: dt.date) -> int:
        """Not met, the due date has passed and the period is not over: by how many days."""
        due = self.due
        if self.status != Status.IN_PROGRESS or due is None or today <= due:
            return 0
        return (today - due).days

    def deadline_note(self, today: dt.date) -> str:
        """What a teacher reads about the due date: "4月30日前", "逾期 3 天", "迟交 2 天"."""
        due = self.due
        if due is None:
            return ""
        if self.status == Status.MET:
            late = self.late_days
            return _("handed in %(days)s days late") % {"days": late} if late else ""
        if self.status == Status.MISSED:
            return ""
        if late := self.overdue_days(today):
            return _("%(days)s days overdue") % {"days": late}
        date = short_date(due.month, due.day) if due.year == today.year else long_date(due)
        return _("by %(date)s") % {"date": date}

    @property
    def shortfall(self) -> int:
        return min(
            max(0, alt.min_count - n)
            for alt, n in zip(self.clause.alternatives, self.counts, strict=True)
        )

    def _still(self, alt: Alternative, count: int, hours: Decimal) -> str:
        return alt.shortfall(count, hours)

    @property
    def reason(self) -> str:
        """Why the period is not met, in plain words; empty when it is met. E.g. "2024学年：
        培养教师还差 1 名（已有 1 名，需 2 名）"."""
        if self.status == Status.MET:
            return ""
        hours = self.hours or tuple(Decimal(0) for _n in self.counts)
        still = _("; or ").join(
            self._still(alt, n, h)
            for alt, n, h in zip(self.clause.alternatives, self.counts, hours, strict=True)
        )
        if self.status == Status.MISSED:
            return _("%(window)s, not met: %(what)s") % {"window": self.window.label, "what": still}
        return _("%(window)s: %(what)s") % {"window": self.window.label, "what": still}


@dataclass(frozen=True)
class ClauseResult:
    clause: Clause
    periods: tuple[PeriodResult, ...]

    @property
    def status(self) -> Status:
        return combine(p.status for p in self.periods)


@dataclass(frozen=True)
class RequirementResult:
    spec: RequirementSpec
    tier: str
    clauses: tuple[ClauseResult, ...]

    @property
    def status(self) -> Status:
        return combine(c.status for c in self.clauses)

    @property
    def reasons(self) -> list[str]:
        """What is missing, for every period that is under way or over."""
        return [
            p.reason
            for c in self.clauses
            for p in c.periods
            if p.status in (Status.IN_PROGRESS, Status.MISSED)
        ]

    def period(self, key: str) -> list[PeriodResult]:
        return [p for c in self.clauses for p in c.periods if p.window.key == key]


def combine(statuses: Iterable[Status]) -> Status:
    """Missed if anything was missed; met if everything is; upcoming if nothing has begun."""
    found = set(statuses)
    if not found:
        return Status.MET
    if Status.MISSED in found:
        return Status.MISSED
    if found == {Status.MET}:
        return Status.MET
    if found == {Status.UPCOMING}:
        return Status.UPCOMING
    return Status.IN_PROGRESS


def evaluate(
    spec: RequirementSpec,
    *,
    tier: str,
    evidence: Iterable[Evidence],
    cycle: Cycle,
    today: dt.date,
    participant: Participant | None = None,
) -> RequirementResult:
    """Per clause and per period: met, in progress, upcoming or missed (the period is over).

    Clauses for other tiers, or whose condition the ``participant`` does not meet, are left out.
    """
    key, first, last = spec.key, cycle.start, cycle.end
    relevant = [
        e
        for e in evidence
        if (not e.requirements or key in e.requirements) and first <= e.date <= last
    ]
    zero = Decimal(0)
    clause_results = []
    for clause in spec.clauses:
        if clause.tiers and tier not in clause.tiers:  # Clause.applies_to, inlined
            continue
        if (
            participant is not None
            and clause.condition is not None
            and not clause.condition.holds(participant)
        ):
            continue
        alternatives = clause.alternatives
        spans, starts = _clause_spans(clause, cycle)
        if not spans:  # nothing owed in this calendar (a stub cut, a phase outside the cycle)
            continue
        # The items each alternative counts, put once into the window they fall in (a clause's
        # windows are in order and do not overlap), keeping the order they came in.
        found: dict[int, list[list[Evidence]]] = {}
        for index, alt in enumerate(alternatives):
            for e in relevant:
                if alt.matches(e):
                    at = bisect.bisect_right(starts, e.date) - 1
                    if at >= 0 and e.date <= spans[at].end:
                        if at not in found:
                            found[at] = [[] for _alt in alternatives]
                        found[at][index].append(e)
        empty = _periods_without_evidence(clause, spans, cycle, today)
        if not found:
            clause_results.append(ClauseResult(clause, empty))
            continue
        periods = []
        for at, window in enumerate(spans):
            items = found.get(at)
            if items is None:  # nothing counts in this window
                periods.append(empty[at])
                continue
            counts = tuple(
                alt.count(matching) for alt, matching in zip(alternatives, items, strict=True)
            )
            hours = tuple(
                sum((e.hours or zero for e in matching), zero) if matching else zero
                for matching in items
            )
            met = any(
                alt.is_met(n, h) for alt, n, h in zip(alternatives, counts, hours, strict=True)
            )
            periods.append(
                PeriodResult(
                    window,
                    _status(met, window, today),
                    counts,
                    frozenset(e.id for matching in items for e in matching),
                    clause,
                    hours,
                    met_on=_met_on(alternatives, items) if met else None,
                )
            )
        clause_results.append(ClauseResult(clause, tuple(periods)))
    return RequirementResult(spec, tier, tuple(clause_results))


_NO_IDS: frozenset[int] = frozenset()
# (id of a clause, cycle, today) -> (that clause, its periods when no evidence counts). The clause
# is kept alive by its entry, so its id cannot be reused while the entry exists. Specs are read
# afresh for each request, so entries matter within one run over many teachers; a few suffice.
_EMPTY_PERIODS: dict[tuple[int, Cycle, dt.date], tuple[Clause, tuple[PeriodResult, ...]]] = {}


def _periods_without_evidence(
    clause: Clause, spans: tuple[Window, ...], cycle: Cycle, today: dt.date
) -> tuple[PeriodResult, ...]:
    """A clause's periods when nothing counts in them. They depend only on the clause, the cycle
    and the day, and are immutable: made once and shared by every teacher short of evidence."""
    key = (id(clause), cycle, today)
    cached = _EMPTY_PERIODS.get(key)
    if cached is not None and cached[0] is clause:
        return cached[1]
    zero = Decimal(0)
    counts = (0,) * len(clause.alternatives)
    hours = (zero,) * len(clause.alternatives)
    met = any(alt.is_met(0, zero) for alt in clause.alternatives)
    periods = tuple(
        PeriodResult(window, _status(met, window, today), counts, _NO_IDS, clause, hours)
        for window in spans
    )
    if len(_EMPTY_PERIODS) >= 128:
        _EMPTY_PERIODS.clear()
    _EMPTY_PERIODS[key] = (clause, periods)
    return periods


def _met_on(alternatives: tuple[Alternative, ...], items: list[list[Evidence]]) -> dt.date | None:
    """The first day on which some alternative was met by the items counted for it."""
    zero = Decimal(0)
    days = []
    for alt, matching in zip(alternatives, items, strict=True):
        count, hours = 0, zero
        for e in sorted(matching, key=lambda e: e.date):
            count, hours = count + 1, hours + (e.hours or zero)
            if alt.is_met(count, hours):
                days.append(e.date)
                break
    return min(days, default=None)


def _status(met: bool, window: Window, today: dt.date) -> Status:
    if met:
        return Status.MET
    if today > window.end:
        return Status.MISSED
    if today < window.start:
        return Status.UPCOMING
    return Status.IN_PROGRESS
