"""Assessment rules: pure functions over plain data, with the date passed in.

No database, clock or settings here. The service that finalises a decision passes the final
decisions of one enrolment (the latest decision per assessment, corrections applied) and applies
what ``consequences`` returns; a correction runs the same function over the corrected list, and
``diff`` says what to add and what to withdraw.

Rules (see DOMAIN.md and the bureaus' documents):

- XH-FAIL-1: the first failed annual assessment → a warning, and a written rectification plan
  (书面整改方案) owed by the teacher, due a configurable number of days after the decision.
- XH-FAIL-2: a second failed annual assessment (any two, not only consecutive) → the stipend of
  the programme year after that fail is suspended. Each further fail suspends the year after it
  as well. When the cycle has no later year, the consequence says so and names no year.
- XH-FAIL-END: a failed end-of-term assessment → no completion certificate, and barred from
  applying to the next cohort.
- XH-BONUS: each excellent annual assessment → a bonus entitlement for that year (the amount is
  the stipends app's).
- XH-TERMINATE: termination (ethics, unlawful conduct) or withdrawal (transfer, other) by decision
  of the leading group; participation ends on the day it takes effect.
- SJ-TITLE, SJ-HONOUR, SJ-INIT: the Songjiang class-teacher conditions, each met or not.
- PT-EVAL: weighted process and outcome scores (``weighted_score``).
- HA-ASSESS: a unit's result per year from the bureau's criteria (``unit_result``).

Mid-term results have no consequence by rule: they are recorded and shown only.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

from django.utils.translation import gettext as _

from programmes.rules import Status, long_date

RECTIFICATION_DAYS = 30  # XH-FAIL-1: default days from the decision to the plan's due date


class Result(StrEnum):
    """The results the rules know; a programme's scale is a subset (basic pass is optional)."""

    EXCELLENT = "excellent"
    PASS = "pass"
    BASIC_PASS = "basic_pass"
    FAIL = "fail"


# Best first: the order results are compared in.
_RANK = {Result.EXCELLENT: 3, Result.PASS: 2, Result.BASIC_PASS: 1, Result.FAIL: 0}


def is_fail(result: Result | str | None) -> bool:
    return result is not None and Result(result) == Result.FAIL


def result_label(result: Result | str | None) -> str:
    if result is None:
        return _("not yet assessed")
    return {
        Result.EXCELLENT: _("excellent"),
        Result.PASS: _("pass"),
        Result.BASIC_PASS: _("basic pass"),
        Result.FAIL: _("fail"),
    }[Result(result)]


def lowest(results: Sequence[Result | str]) -> Result:
    if not results:
        raise ValueError("no results to compare")
    return min((Result(r) for r in results), key=_RANK.__getitem__)


class AssessmentKind(StrEnum):
    ANNUAL = "annual"
    MID_TERM = "mid_term"
    END_OF_TERM = "end_of_term"


def _list(items: Sequence[str]) -> str:
    """Names in a list: "任务二、任务三" in Chinese, "task 2, task 3" in English."""
    if not items:
        return ""
    return functools.reduce(
        lambda earlier, item: _("%(earlier)s, %(next)s") % {"earlier": earlier, "next": item},
        items,
    )


def _year(key: str, label: str = "") -> str:
    if label:
        return label
    return _("%(year)s school year") % {"year": key}


# --- Consequences of final decisions (XH-FAIL-1, XH-FAIL-2, XH-FAIL-END, XH-BONUS) -------------


@dataclass(frozen=True)
class Decided:
    """The final decision of one assessment of an enrolment."""

    kind: AssessmentKind
    year_key: str  # the programme year's key; "" for the end-of-term assessment
    year_end: dt.date  # the last day of that year (or of the cycle, for the end of term)
    result: Result
    decided_on: dt.date
    year_label: str = ""  # the year's name as the programme shows it; empty: "<key>学年"

    def __post_init__(self):
        object.__setattr__(self, "kind", AssessmentKind(self.kind))
        object.__setattr__(self, "result", Result(self.result))
        if self.kind != AssessmentKind.END_OF_TERM and not self.year_key:
            raise ValueError("an annual or mid-term decision needs the programme year's key")

    @property
    def label(self) -> str:
        return _year(self.year_key, self.year_label)


class Effect(StrEnum):
    WARNING = "warning"
    RECTIFICATION_PLAN = "rectification_plan"
    STIPEND_SUSPENDED = "stipend_suspended"
    NO_CERTIFICATE = "no_certificate"
    BARRED = "barred_from_next_cohort"
    BONUS = "bonus"


class Rule(StrEnum):
    XH_FAIL_1 = "XH-FAIL-1"
    XH_FAIL_2 = "XH-FAIL-2"
    XH_FAIL_END = "XH-FAIL-END"
    XH_BONUS = "XH-BONUS"
    XH_TERMINATE = "XH-TERMINATE"


@dataclass(frozen=True)
class Consequence:
    """One thing that follows by rule from the final decisions.

    ``year_key`` is the year whose result caused it ("" for the end of term); ``target_year`` the
    year it concerns: the suspended stipend's year (empty when the cycle has no later year) or the
    bonus year. Two consequences are the same one when ``key`` is equal."""

    rule: Rule
    effect: Effect
    year_key: str
    reason: str
    target_year: str = ""
    due_on: dt.date | None = None  # the rectification plan's due date

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.effect, self.year_key, self.target_year)


class FollowingStatus(StrEnum):
    """The enrolment status that follows from the results (the values of the enrolment's)."""

    ACTIVE = "active"
    WARNED = "warned"
    FAILED = "failed"
    COMPLETED = "completed"


@dataclass(frozen=True)
class Consequences:
    items: tuple[Consequence, ...]
    status: FollowingStatus
    status_reason: str

    def of(self, effect: Effect) -> list[Consequence]:
        return [c for c in self.items if c.effect == effect]

    @property
    def suspended_years(self) -> list[str]:
        """The programme years whose stipend is suspended (the fact the stipends app reads)."""
        return [c.target_year for c in self.of(Effect.STIPEND_SUSPENDED) if c.target_year]

    @property
    def bonus_years(self) -> list[str]:
        return [c.target_year for c in self.of(Effect.BONUS)]

    @property
    def certificate_allowed(self) -> bool:
        return not self.of(Effect.NO_CERTIFICATE)

    @property
    def barred(self) -> bool:
        return bool(self.of(Effect.BARRED))


def final_decisions(decided: Sequence[Decided]) -> list[Decided]:
    """The latest decision of each assessment (kind and year), in year order. A later decision in
    the list wins a tie on the date."""
    latest: dict[tuple[str, str], Decided] = {}
    for d in decided:
        key = (d.kind, d.year_key)
        if key not in latest or d.decided_on >= latest[key].decided_on:
            latest[key] = d
    return sorted(latest.values(), key=lambda d: (d.year_end, d.year_key, d.kind))


def _next_year(after: dt.date, next_years: Sequence[tuple]) -> tuple[str, str] | None:
    """The first programme year starting after ``after``: (key, label)."""
    later = sorted((y for y in next_years if y[1] > after), key=lambda y: y[1])
    if not later:
        return None
    year = later[0]
    if year[2] < year[1]:
        raise ValueError(f"the programme year {year[0]} ends before it starts")
    return year[0], _year(year[0], year[3] if len(year) > 3 else "")


CONSEQUENCE_RULES = (Rule.XH_FAIL_1, Rule.XH_FAIL_2, Rule.XH_FAIL_END, Rule.XH_BONUS)


def consequences(
    decided: Sequence[Decided],
    *,
    next_years: Sequence[tuple[str, dt.date, dt.date]] = (),
    rectification_days: int = RECTIFICATION_DAYS,
    applies: Collection[Rule | str] | None = None,
) -> Consequences:
    """What follows by rule from the final decisions of one enrolment.

    ``next_years`` are the programme's years as (key, first day, last day[, label]); the year
    after a fail is the first one starting after that fail's year ends. ``applies``: the rules
    the programme follows (its bureau's documents; None: all of them). A fail counts towards
    XH-FAIL-2 whether or not XH-FAIL-1 applies; the status follows the results either way."""
    if rectification_days < 1:
        raise ValueError("the rectification plan needs at least one day")
    found = _consequences(decided, next_years=next_years, rectification_days=rectification_days)
    if applies is None:
        return found
    chosen = {Rule(r) for r in applies}
    return Consequences(
        tuple(c for c in found.items if c.rule in chosen), found.status, found.status_reason
    )


def _consequences(
    decided: Sequence[Decided],
    *,
    next_years: Sequence[tuple[str, dt.date, dt.date]],
    rectification_days: int,
) -> Consequences:
    finals = final_decisions(decided)
    items: list[Consequence] = []
    fails = 0
    for d in finals:
        if d.kind != AssessmentKind.ANNUAL:
            continue
        year = {"year": d.label}
        if d.result == Result.EXCELLENT:
            items.append(
                Consequence(
                    Rule.XH_BONUS,
                    Effect.BONUS,
                    d.year_key,
                    _("%(year)s assessment excellent: a bonus for that year.") % year,
                    target_year=d.year_key,
                )
            )
        if d.result != Result.FAIL:
            continue
        fails += 1
        if fails == 1:
            due = d.decided_on + dt.timedelta(days=rectification_days)
            items.append(
                Consequence(
                    Rule.XH_FAIL_1,
                    Effect.WARNING,
                    d.year_key,
                    _("%(year)s assessment failed: a warning is given.") % year,
                )
            )
            items.append(
                Consequence(
                    Rule.XH_FAIL_1,
                    Effect.RECTIFICATION_PLAN,
                    d.year_key,
                    _(
                        "%(year)s assessment failed: a written rectification plan is due "
                        "by %(date)s."
                    )
                    % {**year, "date": long_date(due)},
                    due_on=due,
                )
            )
            continue
        following = _next_year(d.year_end, next_years)
        values = {**year, "count": fails}
        if following is None:
            reason = (
                _(
                    "%(year)s assessment failed, the failed annual assessment no. %(count)s: the "
                    "cycle has no later year whose stipend could be suspended."
                )
                % values
            )
            target = ""
        else:
            reason = _(
                "%(year)s assessment failed, the failed annual assessment no. %(count)s: the "
                "stipend for %(next)s is suspended."
            ) % {**values, "next": following[1]}
            target = following[0]
        items.append(
            Consequence(
                Rule.XH_FAIL_2, Effect.STIPEND_SUSPENDED, d.year_key, reason, target_year=target
            )
        )

    end = [d for d in finals if d.kind == AssessmentKind.END_OF_TERM]
    if end and end[-1].result == Result.FAIL:
        items.append(
            Consequence(
                Rule.XH_FAIL_END,
                Effect.NO_CERTIFICATE,
                "",
                _("End-of-term assessment failed: no completion certificate is issued."),
            )
        )
        items.append(
            Consequence(
                Rule.XH_FAIL_END,
                Effect.BARRED,
                "",
                _("End-of-term assessment failed: may not apply for the next cohort."),
            )
        )
        status = FollowingStatus.FAILED
        status_reason = _("End-of-term assessment failed.")
    elif end:
        status = FollowingStatus.COMPLETED
        status_reason = _("End-of-term assessment passed: %(result)s.") % {
            "result": result_label(end[-1].result)
        }
    elif fails:
        status = FollowingStatus.WARNED
        status_reason = _("Failed annual assessments: %(count)s.") % {"count": fails}
    else:
        status = FollowingStatus.ACTIVE
        status_reason = _("No failed assessment.")
    return Consequences(tuple(items), status, status_reason)


@dataclass(frozen=True)
class Change:
    """What a correction changes: consequences to add, to withdraw, and those kept whose details
    (a due date, the reason) changed, as (before, after)."""

    add: tuple[Consequence, ...]
    withdraw: tuple[Consequence, ...]
    changed: tuple[tuple[Consequence, Consequence], ...]
    status_from: FollowingStatus
    status_to: FollowingStatus

    @property
    def status_changed(self) -> bool:
        return self.status_from != self.status_to

    def __bool__(self) -> bool:
        return bool(self.add or self.withdraw or self.changed or self.status_changed)


def diff(before: Consequences, after: Consequences) -> Change:
    """From the consequences in force to those that follow now: what the service adds and what
    it withdraws (each audited)."""
    old = {c.key: c for c in before.items}
    new = {c.key: c for c in after.items}
    return Change(
        add=tuple(c for k, c in new.items() if k not in old),
        withdraw=tuple(c for k, c in old.items() if k not in new),
        changed=tuple((old[k], c) for k, c in new.items() if k in old and old[k] != c),
        status_from=before.status,
        status_to=after.status,
    )


# --- XH-TERMINATE ------------------------------------------------------------------------------


class EndingGround(StrEnum):
    ETHICS = "ethics"  # a major ethics problem: termination
    UNLAWFUL = "unlawful"  # unlawful conduct or a breach of discipline: termination
    TRANSFER = "transfer"  # withdrawal
    OTHER = "other"  # withdrawal


class EndingKind(StrEnum):
    TERMINATED = "terminated"  # the enrolment status values
    WITHDRAWN = "withdrawn"


class InvalidEnding(ValueError):
    """The problems with a termination or withdrawal, by field, each a message staff can act on."""

    def __init__(self, errors: Mapping[str, str]):
        self.errors = dict(errors)
        super().__init__(" ".join(self.errors.values()))


@dataclass(frozen=True)
class Ending:
    """A leading-group decision ending a teacher's participation (XH-TERMINATE)."""

    kind: EndingKind
    ground: EndingGround
    effective_on: dt.date  # participation ends that day: nothing is owed or counted after it
    reason: str
    document_number: str
    rule: Rule = Rule.XH_TERMINATE

    @property
    def last_day(self) -> dt.date:
        return self.effective_on

    @property
    def text(self) -> str:
        values = {"date": long_date(self.effective_on), "number": self.document_number}
        if self.kind == EndingKind.TERMINATED:
            return _("Participation terminated on %(date)s by decision %(number)s.") % values
        return _("Withdrew on %(date)s by decision %(number)s.") % values


def termination(
    kind: str,
    *,
    effective_on: dt.date | None,
    reason: str,
    document_number: str,
    today: dt.date,
    enrolled_on: dt.date | None = None,
) -> Ending:
    """Validate a termination or withdrawal. ``kind`` is the ground: ethics or unlawful conduct
    terminate; transfer or another reason is a withdrawal. Raises ``InvalidEnding``."""
    errors: dict[str, str] = {}
    try:
        ground = EndingGround(kind)
    except ValueError:
        ground = None
        errors["kind"] = _(
            "Choose the ground: ethics, unlawful conduct, transfer or another reason."
        )
    reason = (reason or "").strip()
    number = (document_number or "").strip()
    if not reason:
        errors["reason"] = _("Enter the reason for the decision.")
    if not number:
        errors["document_number"] = _("Enter the number of the leading group's decision.")
    if effective_on is None:
        errors["effective_on"] = _("Enter the day the decision takes effect.")
    elif effective_on > today:
        errors["effective_on"] = _(
            "The day it takes effect (%(date)s) is in the future; record the decision on or "
            "after that day."
        ) % {"date": long_date(effective_on)}
    elif enrolled_on is not None and effective_on < enrolled_on:
        errors["effective_on"] = _(
            "The day it takes effect (%(date)s) is before the enrolment began (%(start)s)."
        ) % {"date": long_date(effective_on), "start": long_date(enrolled_on)}
    if errors:
        raise InvalidEnding(errors)
    terminated = ground in (EndingGround.ETHICS, EndingGround.UNLAWFUL)
    return Ending(
        kind=EndingKind.TERMINATED if terminated else EndingKind.WITHDRAWN,
        ground=ground,
        effective_on=effective_on,
        reason=reason,
        document_number=number,
    )


# --- The suggested result (XH-ASSESS) -----------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """A suggested result with its reasons; no result while a required component is missing."""

    result: Result | None
    reasons: tuple[str, ...]
    missing: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return _("; ").join(self.reasons)


def _combine(results: Sequence[Result], all_met: bool, any_missed: bool) -> Result:
    if any_missed or Result.FAIL in results:
        return Result.FAIL
    if results and all(r == Result.EXCELLENT for r in results) and all_met:
        return Result.EXCELLENT
    if Result.BASIC_PASS in results:
        return Result.BASIC_PASS
    return Result.PASS


def _missing(
    components: Sequence[tuple[str, str, Result | str | None]], required: Sequence[str]
) -> list[str]:
    filed = [(name, level) for name, level, result in components if result is not None]
    return [r for r in required if not any(r in (name, level) for name, level in filed)]


def suggested_result(
    *,
    progress: Sequence[tuple[str, Status | str]],
    components: Sequence[tuple[str, str, Result | str | None]],
    required_components: Sequence[str],
    year_label: str,
) -> Suggestion:
    """The result the rule suggests to staff deciding an assessment, with its reasons.

    ``progress`` is the year's requirements as (name, status); ``components`` the results filed
    as (component, level, result or None while not filed); a required component is named by its
    component or its level name. The rule:

    - a required component not filed → no suggestion, only what is still missing;
    - any component failed, or any requirement of the year missed → fail;
    - every component excellent and every requirement met → excellent;
    - otherwise basic pass if a component is a basic pass, else pass.

    A requirement still in progress or not yet begun keeps the result from excellent but does not
    fail it: it was not missed.
    """
    missing = _missing(components, required_components)
    if missing:
        return Suggestion(
            None, (_("Still missing: %(items)s") % {"items": _list(missing)},), tuple(missing)
        )
    statuses = [(name, Status(status)) for name, status in progress]
    missed = [name for name, s in statuses if s == Status.MISSED]
    open_ = [name for name, s in statuses if s in (Status.IN_PROGRESS, Status.UPCOMING)]
    reasons = []
    year = {"year": year_label}
    if missed:
        reasons.append(_("%(year)s %(items)s not completed") % {**year, "items": _list(missed)})
    if open_:
        reasons.append(_("%(year)s %(items)s still open") % {**year, "items": _list(open_)})
    if statuses and not missed and not open_:
        reasons.append(_("%(year)s every requirement met") % year)
    filed = [(name, level, Result(r)) for name, level, r in components if r is not None]
    for name, level, result in filed:
        reasons.append(
            _("%(who)s %(result)s") % {"who": level or name, "result": result_label(result)}
        )
    result = _combine(
        [r for _n, _l, r in filed], all_met=not missed and not open_, any_missed=bool(missed)
    )
    return Suggestion(result, tuple(reasons))


# --- HA-ASSESS: a unit's result ----------------------------------------------------------------


def unit_result(
    *,
    unit: str,
    year_label: str,
    criteria: Sequence[tuple[str, Result | str | None]],
) -> Suggestion:
    """A unit's (区镇教管办, 局直学校) result for a year from the working group's result on each
    criterion of the bureau's rules: any criterion not yet assessed → no result; any failed →
    fail; all excellent → excellent; otherwise the lowest of the others."""
    if not criteria:
        raise ValueError("a unit's assessment needs at least one criterion")
    missing = [name for name, r in criteria if r is None]
    if missing:
        return Suggestion(
            None,
            (_("Still missing: %(items)s") % {"items": _list(missing)},),
            tuple(missing),
        )
    result = lowest([Result(r) for _n, r in criteria])
    head = _("%(unit)s, %(year)s: %(result)s") % {
        "unit": unit,
        "year": year_label,
        "result": result_label(result),
    }
    parts = tuple(
        _("%(who)s %(result)s") % {"who": name, "result": result_label(r)} for name, r in criteria
    )
    return Suggestion(result, (head, *parts))


# --- PT-EVAL: weighted scores ------------------------------------------------------------------


def _decimal(value: object, what: str) -> Decimal:
    if isinstance(value, float):
        raise ValueError(f"{what} must be a Decimal, not a float ({value!r})")
    if isinstance(value, bool):
        raise ValueError(f"{what} must be a number, not {value!r}")
    try:
        number = Decimal(value) if not isinstance(value, Decimal) else value
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(f"{what} must be a number, not {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"{what} must be a finite number, not {value!r}")
    return number


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def weighted_score(
    scores: Mapping[str, Decimal],
    weights: Mapping[str, Decimal],
    thresholds: Mapping[Result | str, Decimal],
) -> tuple[Decimal, Result]:
    """The weighted total of component scores and the result it reaches (PT-EVAL).

    Scores are 0 – 100. Weights are percentages and must sum to 100. ``thresholds`` give the
    lowest total for each passing result (excellent, pass, optionally basic pass); a total below
    the lowest threshold fails. The total is rounded half up to two decimals. Decimal only: a
    float raises ValueError."""
    if not weights:
        raise ValueError("a weighted score needs at least one weighted component")
    missing = sorted(set(weights) - set(scores))
    if missing:
        raise ValueError(f"no score for: {', '.join(missing)}")
    unweighted = sorted(set(scores) - set(weights))
    if unweighted:
        raise ValueError(f"no weight for: {', '.join(unweighted)}")
    clean_weights = {k: _decimal(w, f"the weight of {k}") for k, w in weights.items()}
    for name, w in clean_weights.items():
        if w < 0:
            raise ValueError(f"the weight of {name} cannot be negative ({w})")
    total_weight = sum(clean_weights.values(), Decimal(0))
    if total_weight != HUNDRED:
        raise ValueError(f"the weights are percentages and must sum to 100, not {total_weight}")
    levels: dict[Result, Decimal] = {}
    for result, minimum in thresholds.items():
        result = Result(result)
        if result == Result.FAIL:
            raise ValueError("fail has no threshold: it is any total below the lowest one")
        levels[result] = _decimal(minimum, f"the threshold for {result}")
    if Result.PASS not in levels:
        raise ValueError("the thresholds need at least the one for pass")
    ordered = sorted(levels.items(), key=lambda item: _RANK[item[0]], reverse=True)
    for (better, high), (worse, low) in zip(ordered, ordered[1:], strict=False):
        if high < low:
            raise ValueError(
                f"the threshold for {better} ({high}) is below that for {worse} ({low})"
            )
    total = Decimal(0)
    for name, weight in clean_weights.items():
        score = _decimal(scores[name], f"the score of {name}")
        if not 0 <= score <= HUNDRED:
            raise ValueError(f"the score of {name} must be 0 to 100, not {score}")
        total += score * weight
    total = (total / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)
    for result, minimum in ordered:
        if total >= minimum:
            return total, result
    return total, Result.FAIL


# --- Songjiang class teachers: SJ-TITLE, SJ-HONOUR, SJ-INIT -------------------------------------

SJ_TITLE_TEACHING_YEARS = 30
SJ_TITLE_CLASS_TEACHER_YEARS = 20
SJ_TITLE_RECENT_YEARS = 5
SJ_HONOUR_YEARS = 20
SJ_INIT_HOURS = Decimal(32)


@dataclass(frozen=True)
class Check:
    """One condition of a rule, met or not, with the text a teacher reads."""

    met: bool
    text: str


@dataclass(frozen=True)
class TitleRoute:
    """Whether the no-paper route to a senior title applies (SJ-TITLE), condition by condition."""

    teaching: Check
    class_teacher_years: Check
    currently_class_teacher: Check
    recent_excellent: Check
    checks: tuple[Check, ...] = field(init=False)

    def __post_init__(self):
        object.__setattr__(
            self,
            "checks",
            (
                self.teaching,
                self.class_teacher_years,
                self.currently_class_teacher,
                self.recent_excellent,
            ),
        )

    @property
    def applies(self) -> bool:
        return all(c.met for c in self.checks)

    @property
    def reasons(self) -> list[str]:
        return [c.text for c in self.checks]


def _years(value: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what} must be a whole number of years, not {value!r}")
    if value < 0:
        raise ValueError(f"{what} cannot be negative ({value})")
    return value


def _class_teacher_check(years: int) -> Check:
    values = {"need": SJ_TITLE_CLASS_TEACHER_YEARS, "years": years}
    if years >= SJ_TITLE_CLASS_TEACHER_YEARS:
        return Check(
            True, _("At least %(need)s years as class teacher: met (%(years)s years)") % values
        )
    return Check(
        False, _("At least %(need)s years as class teacher: not met (%(years)s years)") % values
    )


def _recent(item: dt.date | int, today: dt.date) -> bool:
    """Whether an excellent result is of the last five years: a date (of the decision) in the five
    years up to today; a year (of the annual assessment) one of today's year and the four before."""
    if isinstance(item, dt.date):
        try:
            since = today.replace(year=today.year - SJ_TITLE_RECENT_YEARS)
        except ValueError:  # 29 Feb
            since = today.replace(year=today.year - SJ_TITLE_RECENT_YEARS, day=28)
        return since < item <= today
    year = _years(item, "an excellent year")
    return today.year - SJ_TITLE_RECENT_YEARS < year <= today.year


def senior_title_route(
    *,
    years_teaching: int,
    years_class_teacher: int,
    is_class_teacher: bool,
    excellent_years: Sequence[dt.date | int],
    today: dt.date,
) -> TitleRoute:
    """SJ-TITLE: ≥30 years teaching, of which ≥20 as class teacher, currently a class teacher,
    and ≥1 excellent annual assessment in the last 5 years → no paper requirement for the senior
    title. ``excellent_years`` are the excellent annual results, as decision dates or years."""
    teaching = _years(years_teaching, "years teaching")
    as_class_teacher = _years(years_class_teacher, "years as class teacher")
    if as_class_teacher > teaching:
        raise ValueError(
            f"years as class teacher ({as_class_teacher}) cannot exceed years teaching ({teaching})"
        )
    values = {"need": SJ_TITLE_TEACHING_YEARS, "years": teaching}
    if teaching >= SJ_TITLE_TEACHING_YEARS:
        teaching_check = Check(
            True, _("At least %(need)s years teaching: met (%(years)s years)") % values
        )
    else:
        teaching_check = Check(
            False, _("At least %(need)s years teaching: not met (%(years)s years)") % values
        )
    if is_class_teacher:
        current = Check(True, _("Currently a class teacher: yes"))
    else:
        current = Check(False, _("Currently a class teacher: no"))
    recent = sorted(
        {
            item.year if isinstance(item, dt.date) else item
            for item in excellent_years
            if _recent(item, today)
        }
    )
    values = {"count": SJ_TITLE_RECENT_YEARS}
    if recent:
        excellent = Check(
            True,
            _("At least one excellent result in the last %(count)s years: met (%(years)s)")
            % {**values, "years": _list([_("year %(year)s") % {"year": y} for y in recent])},
        )
    else:
        excellent = Check(
            False, _("At least one excellent result in the last %(count)s years: not met") % values
        )
    return TitleRoute(teaching_check, _class_teacher_check(as_class_teacher), current, excellent)


def honour_eligible(years_class_teacher: int) -> tuple[bool, str]:
    """SJ-HONOUR: ≥20 years as a class teacher earns the honour certificate."""
    years = _years(years_class_teacher, "years as class teacher")
    values = {"need": SJ_HONOUR_YEARS, "years": years}
    if years >= SJ_HONOUR_YEARS:
        return True, _("At least %(need)s years as class teacher: met (%(years)s years)") % values
    return False, _("At least %(need)s years as class teacher: not met (%(years)s years)") % values


def init_passed(
    pre_service_hours: Decimal | int,
    trainee_year_done: bool,
    assessment_result: Result | str | None,
) -> tuple[bool, tuple[str, ...]]:
    """SJ-INIT: a first-time class teacher passes with ≥32 hours of pre-service training, one
    year as a trainee class teacher and an assessment result that is not a fail."""
    hours = _decimal(pre_service_hours, "pre-service hours")
    if hours < 0:
        raise ValueError(f"pre-service hours cannot be negative ({hours})")
    values = {"need": SJ_INIT_HOURS, "hours": _plain(hours)}
    hours_met = hours >= SJ_INIT_HOURS
    if hours_met:
        hours_text = _("Pre-service training of %(need)s hours: met (%(hours)s hours)") % values
    else:
        hours_text = _("Pre-service training of %(need)s hours: not met (%(hours)s hours)") % values
    if trainee_year_done:
        year_text = _("A year as trainee class teacher: done")
    else:
        year_text = _("A year as trainee class teacher: not done")
    if assessment_result is None:
        assessed = False
        result_text = _("Assessment: not yet assessed")
    else:
        assessed = not is_fail(assessment_result)
        result_text = _("Assessment: %(result)s") % {"result": result_label(assessment_result)}
    passed = hours_met and bool(trainee_year_done) and assessed
    return passed, (hours_text, year_text, result_text)
