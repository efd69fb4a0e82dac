"""The requirement engine: pure functions over plain data, with the date passed in.

No database, clock or settings here. A requirement is a tuple of clauses that must all be met; a
clause has a period (each school year, each semester, …) and alternatives, any one of which meets
it in a period; an alternative counts evidence of some kinds at or above a level, with optional
conditions. Only verified evidence is passed in.

A school year (学年) runs 1 Sept – 31 Aug and is named by the year it starts in: 2023学年 is
Sept 2023 – Aug 2024. Its first semester runs Sept – Jan, the second Feb – Aug.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from django.utils.translation import gettext as _

from bureaus.levels import Level  # the one scale every bureau compares on; bureaus name its steps


class Period(StrEnum):
    SCHOOL_YEAR = "school_year"
    SEMESTER = "semester"
    MONTH = "month"
    FORTNIGHT = "fortnight"
    YEAR = "year"  # a calendar year, for programmes that count by calendar year (Haian)
    CYCLE = "cycle"


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
class Cycle:
    start: dt.date
    end: dt.date

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError("a cycle cannot end before it starts")


@dataclass(frozen=True)
class Window:
    """One period of a clause: a school year, a semester, a month, a fortnight or the cycle."""

    period: Period
    key: str
    start: dt.date
    end: dt.date

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    @property
    def label(self) -> str:
        if self.period == Period.SCHOOL_YEAR:
            return _("%(year)s school year") % {"year": self.key}
        if self.period == Period.SEMESTER:
            year, half = self.key.split("-")
            if half == "1":
                return _("%(year)s school year, first semester") % {"year": year}
            return _("%(year)s school year, second semester") % {"year": year}
        if self.period == Period.MONTH:
            return _("%(year)s-%(month)s") % {"year": self.start.year, "month": self.start.month}
        if self.period == Period.YEAR:
            return _("%(year)s") % {"year": self.key}
        if self.period == Period.FORTNIGHT:
            return _("%(start)s to %(end)s") % {
                "start": self.start.strftime("%m-%d"),
                "end": self.end.strftime("%m-%d"),
            }
        return _("the cycle")


def _clip(period: Period, key: str, start: dt.date, end: dt.date, cycle: Cycle) -> Window | None:
    start, end = max(start, cycle.start), min(end, cycle.end)
    return Window(period, key, start, end) if start <= end else None


def windows(period: Period, cycle: Cycle) -> list[Window]:
    """The windows of ``period`` that fall in the cycle, clipped to it, in order."""
    return list(_windows(Period(period), cycle))


@functools.lru_cache(maxsize=256)
def _spans(period: Period, cycle: Cycle) -> tuple[tuple[Window, ...], tuple[dt.date, ...]]:
    """The windows of ``period`` in the cycle and their first days, for bisecting."""
    found = _windows(period, cycle)
    return found, tuple(w.start for w in found)


@functools.lru_cache(maxsize=256)
def _windows(period: Period, cycle: Cycle) -> tuple[Window, ...]:
    found: list[Window | None] = []
    if period == Period.CYCLE:
        return (Window(period, "cycle", cycle.start, cycle.end),)
    if period == Period.SCHOOL_YEAR:
        for year in range(school_year_of(cycle.start), school_year_of(cycle.end) + 1):
            found.append(
                _clip(period, str(year), dt.date(year, 9, 1), dt.date(year + 1, 8, 31), cycle)
            )
    elif period == Period.SEMESTER:
        for year in range(school_year_of(cycle.start), school_year_of(cycle.end) + 1):
            first = _clip(period, f"{year}-1", dt.date(year, 9, 1), dt.date(year + 1, 1, 31), cycle)
            second = _clip(
                period, f"{year}-2", dt.date(year + 1, 2, 1), dt.date(year + 1, 8, 31), cycle
            )
            found += [first, second]
    elif period == Period.MONTH:
        day = month_start(cycle.start)
        while day <= cycle.end:
            found.append(_clip(period, f"{day:%Y-%m}", day, month_end(day), cycle))
            day = month_end(day) + dt.timedelta(days=1)
    elif period == Period.YEAR:
        for year in range(cycle.start.year, cycle.end.year + 1):
            found.append(
                _clip(period, str(year), dt.date(year, 1, 1), dt.date(year, 12, 31), cycle)
            )
    elif period == Period.FORTNIGHT:
        day = cycle.start
        while day <= cycle.end:
            end = day + dt.timedelta(days=13)
            found.append(_clip(period, f"{day:%Y-%m-%d}", day, end, cycle))
            day = end + dt.timedelta(days=1)
    else:  # pragma: no cover - the enum is closed
        raise ValueError(period)
    return tuple(w for w in found if w is not None)


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


@dataclass(frozen=True)
class Alternative:
    kinds: frozenset[str]
    kind_names: tuple[str, ...] = ()
    min_level: Level = Level.SCHOOL
    min_count: int = 1
    min_hours: Decimal | None = None
    delivery: str = ""
    min_total_hours: Decimal | None = None  # the matching items' hours added up
    level_label: str = ""  # the bureau's name of min_level (e.g. 海安市级); empty: the default

    def matches(self, evidence: Evidence) -> bool:
        if evidence.kind not in self.kinds or evidence.level < self.min_level:
            return False
        if self.min_hours is not None and (evidence.hours or 0) < self.min_hours:
            return False
        return not (self.delivery and evidence.delivery != self.delivery)

    def is_met(self, count: int, hours: Decimal) -> bool:
        if count < self.min_count:
            return False
        return self.min_total_hours is None or hours >= self.min_total_hours

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

    def applies_to(self, tier: str) -> bool:
        return not self.tiers or tier in self.tiers


@dataclass(frozen=True)
class RequirementSpec:
    key: str
    title: str
    clauses: tuple[Clause, ...]
    tiers: frozenset[str] = frozenset()

    def applies_to(self, tier: str) -> bool:
        return tier in self.tiers and any(c.applies_to(tier) for c in self.clauses)


@dataclass(frozen=True)
class PeriodResult:
    window: Window
    status: Status
    counts: tuple[int, ...]  # per alternative
    evidence_ids: frozenset[int]
    clause: Clause = field(repr=False, compare=False)
    hours: tuple[Decimal, ...] = ()  # per alternative: the matching items' class hours

    @property
    def shortfall(self) -> int:
        return min(
            max(0, alt.min_count - n)
            for alt, n in zip(self.clause.alternatives, self.counts, strict=True)
        )

    def _still(self, alt: Alternative, count: int, hours: Decimal) -> str:
        if alt.min_total_hours is not None and count >= alt.min_count:
            return alt.describe(0, max(Decimal(0), alt.min_total_hours - hours))
        return alt.describe(max(1, alt.min_count - count))

    @property
    def reason(self) -> str:
        """Why the period is not met, in words; empty when it is met."""
        if self.status == Status.MET:
            return ""
        hours = self.hours or tuple(Decimal(0) for _n in self.counts)
        still = _(", or ").join(
            self._still(alt, n, h)
            for alt, n, h in zip(self.clause.alternatives, self.counts, hours, strict=True)
        )
        if self.status == Status.MISSED:
            return _("%(window)s was missed: it needed %(what)s") % {
                "window": self.window.label,
                "what": still,
            }
        return _("%(window)s still needs %(what)s") % {"window": self.window.label, "what": still}


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
) -> RequirementResult:
    """Per clause and per period: met, in progress, upcoming or missed (the period is over)."""
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
        alternatives = clause.alternatives
        spans, starts = _spans(Period(clause.period), cycle)
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
            counts = tuple(len(matching) for matching in items)
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


def _status(met: bool, window: Window, today: dt.date) -> Status:
    if met:
        return Status.MET
    if today > window.end:
        return Status.MISSED
    if today < window.start:
        return Status.UPCOMING
    return Status.IN_PROGRESS
