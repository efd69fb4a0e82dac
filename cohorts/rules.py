"""Rules about evidence, as pure functions: who moves evidence where."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _

from bureaus.spreadsheets import Formula

# --- Review -------------------------------------------------------------------------------------


class State(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    SCHOOL_APPROVED = "school_approved"
    VERIFIED = "verified"
    RETURNED = "returned"


class Reviewer(StrEnum):
    SCHOOL = "school"  # the school's training administrator (师训专管员)
    BUREAU = "bureau"  # the bureau's programme administrators


class Action(StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN = "return"


class TransitionRefused(ValueError):
    pass


SCHOOL_LEVEL = 1


def needs_school_review(level: int, *, school_review_first: bool) -> bool:
    """A bureau may have school-level items reviewed first by the school."""
    return school_review_first and level == SCHOOL_LEVEL


def reviewer_of(state: State, level: int, *, school_review_first: bool) -> Reviewer | None:
    """Who acts next on evidence in ``state``; None when nobody reviews it now."""
    if state == State.SUBMITTED:
        if needs_school_review(level, school_review_first=school_review_first):
            return Reviewer.SCHOOL
        return Reviewer.BUREAU
    if state == State.SCHOOL_APPROVED:
        return Reviewer.BUREAU
    return None


@dataclass(frozen=True)
class ReviewRights:
    """As whom a user may review: the bureau's evidence, and (a school administrator) the
    evidence of teachers of one school."""

    bureau: bool = False
    school_id: int | None = None


def may_review(
    reviewer: Reviewer | None, teacher_school_id: int | None, rights: ReviewRights
) -> bool:
    """Whether ``rights`` let a user act as ``reviewer`` on a teacher of ``teacher_school_id``."""
    if reviewer == Reviewer.BUREAU:
        return rights.bureau
    if reviewer == Reviewer.SCHOOL:
        return rights.school_id is not None and rights.school_id == teacher_school_id
    return False


def review_as(
    state: State,
    level: int,
    teacher_school_id: int | None,
    *,
    rights: ReviewRights,
    school_review_first: bool,
) -> Reviewer | None:
    """As whom a user with ``rights`` may review evidence now, if at all: the one decision behind
    the review queue, the evidence page and the review service."""
    reviewer = reviewer_of(state, level, school_review_first=school_review_first)
    return reviewer if may_review(reviewer, teacher_school_id, rights) else None


def transition(
    state: State,
    action: Action,
    *,
    by: Reviewer | None,
    level: int,
    school_review_first: bool,
) -> State:
    """The state evidence moves to when ``by`` (None: the teacher) takes ``action``."""
    if action == Action.SUBMIT:
        if by is None and state in (State.DRAFT, State.RETURNED):
            return State.SUBMITTED
        raise TransitionRefused(_("Only a draft or returned item can be submitted."))
    reviewer = reviewer_of(state, level, school_review_first=school_review_first)
    if reviewer is None or by != reviewer:
        raise TransitionRefused(_("This item is not waiting for your review."))
    if action == Action.RETURN:
        return State.RETURNED
    if action == Action.APPROVE:
        return State.SCHOOL_APPROVED if by == Reviewer.SCHOOL else State.VERIFIED
    raise TransitionRefused(str(action))  # pragma: no cover - the enum is closed


# --- Roster rows -------------------------------------------------------------------------------

ROSTER_REQUIRED = ("工号", "姓名", "学校", "层次")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
ROSTER_NEW_TEACHER = ("性别", "学科", "学段")
ROSTER_OPTIONAL = (
    "职称",
    "教龄",
    "班主任年限",
    "班主任阶段",
    "联系方式",
    "邮箱",
    "入选日期",
    "规划截止",
)
ROSTER_COLUMNS = ROSTER_REQUIRED + ROSTER_NEW_TEACHER + ROSTER_OPTIONAL
# Staff let through a teacher an enrolment check objects to (e.g. barred after failing the end
# of term) by writing the reason in this column; the override is audited.
ROSTER_OVERRIDE = "放行理由"


def objection_problems(line: int, objections: list[str], override: str) -> list[str]:
    """The problems of a row whose teacher an enrolment check objects to: none when staff gave
    the reason to let them through (``override``)."""
    if override.strip():
        return []
    return [
        _(
            "Line %(line)s: %(problem)s To enrol them all the same, write the reason in the column "
            "%(column)s."
        )
        % {"line": line, "problem": problem, "column": ROSTER_OVERRIDE}
        for problem in objections
    ]


@dataclass(frozen=True)
class RosterLookups:
    """What a roster row is checked against, read once for the whole file."""

    schools: dict[str, int]  # school name -> id, in this bureau only
    tiers: dict[str, int]  # tier name or code -> id, in this programme only
    teachers: dict[str, tuple[int, str]]  # staff number -> (profile id, full name)
    choices: dict[str, dict[str, str]]  # column -> {label or code: stored value}
    today: dt.date


@dataclass(frozen=True)
class RosterRow:
    staff_number: str
    full_name: str
    school_id: int
    tier_id: int
    teacher_id: int | None  # None: a new teacher, created by the import
    gender: str = ""
    subject: str = ""
    stage: str = ""
    professional_title: str = ""
    class_teacher_stage: str = ""  # empty: not given in the file (an existing teacher keeps theirs)
    years_teaching: int = 0
    years_class_teacher: int = 0
    contact: str = ""
    email: str = ""
    enrolled_on: dt.date | None = None
    plan_due: dt.date | None = None


def missing_roster_columns(headers: Iterable[str]) -> list[str]:
    present = {str(h).strip() for h in headers if h is not None}
    return [c for c in ROSTER_REQUIRED if c not in present]


def _text(row: dict, column: str) -> str:
    value = row.get(column)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


Problems = list[tuple[str, str]]  # (column, what is wrong with its value)


def _date(value, column: str, problems: Problems) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip().replace("/", "-"))
    except ValueError:
        problems.append(
            (column, _("“%(value)s” is not a date like 2024-09-01.") % {"value": value})
        )
        return None


def _int(value: str, column: str, problems: Problems) -> int:
    if value == "":
        return 0
    try:
        number = int(value)
    except ValueError:
        number = -1
    if not 0 <= number <= 60:
        problems.append((column, _("must be a whole number of years from 0 to 60.")))
        return 0
    return number


def validate_roster_row(
    row: dict, line: int, lookups: RosterLookups, seen: dict[str, int]
) -> tuple[RosterRow | None, list[str]]:
    """Check one roster row (``line`` as numbered in the spreadsheet). ``seen`` maps the staff
    numbers of earlier rows to their lines; it is updated. Each problem names its line and
    column ("第 3 行 学校 列：…"); a formula cell is reported as a formula, not by its value."""
    formulas = [
        column
        for column, value in row.items()
        if isinstance(value, Formula) and column in ROSTER_COLUMNS
    ]
    row = {column: value for column, value in row.items() if column not in formulas}
    problems: Problems = []
    number, name = _text(row, "工号"), _text(row, "姓名")
    school_name, tier_name = _text(row, "学校"), _text(row, "层次")
    for column, value in (
        ("工号", number),
        ("姓名", name),
        ("学校", school_name),
        ("层次", tier_name),
    ):
        if not value:
            problems.append((column, _("is empty.")))
    if number:
        if number in seen:
            problems.append(
                (
                    "工号",
                    _("%(number)s is already on line %(line)s.")
                    % {"number": number, "line": seen[number]},
                )
            )
        else:
            seen[number] = line
    school_id = lookups.schools.get(school_name)
    if school_name and school_id is None:
        problems.append(
            ("学校", _("“%(value)s” is not one of this bureau's schools.") % {"value": school_name})
        )
    tier_id = lookups.tiers.get(tier_name)
    if tier_name and tier_id is None:
        problems.append(
            ("层次", _("“%(value)s” is not a tier of this programme.") % {"value": tier_name})
        )
    teacher = lookups.teachers.get(number)
    if teacher is not None and name and teacher[1] != name:
        problems.append(
            (
                "工号",
                _("%(number)s belongs to %(owner)s, not %(name)s.")
                % {"number": number, "owner": teacher[1], "name": name},
            )
        )
    values: dict[str, str] = {}
    for column, field_name in (
        ("性别", "gender"),
        ("学科", "subject"),
        ("学段", "stage"),
        ("职称", "professional_title"),
        ("班主任阶段", "class_teacher_stage"),
    ):
        given = _text(row, column)
        if not given:
            if teacher is None and column in ROSTER_NEW_TEACHER:
                problems.append((column, _("is needed for a new teacher.")))
            continue
        stored = lookups.choices.get(column, {}).get(given)
        if stored is None:
            problems.append((column, _("“%(value)s” is not recognised.") % {"value": given}))
        else:
            values[field_name] = stored
    years = _int(_text(row, "教龄"), "教龄", problems)
    class_years = _int(_text(row, "班主任年限"), "班主任年限", problems)
    if class_years > years and years:
        problems.append(("班主任年限", _("cannot exceed years of teaching.")))
    email = _text(row, "邮箱")
    if email and not _EMAIL.fullmatch(email):
        problems.append(("邮箱", _("“%(value)s” is not an e-mail address.") % {"value": email}))
    enrolled_on = _date(row.get("入选日期"), "入选日期", problems)
    plan_due = _date(row.get("规划截止"), "规划截止", problems)
    if problems or formulas:
        return None, [
            _("Line %(line)s: column %(column)s holds a formula; write it as text.")
            % {"line": line, "column": column}
            for column in formulas
        ] + [
            _("Line %(line)s, column %(column)s: %(problem)s")
            % {"line": line, "column": column, "problem": problem}
            for column, problem in problems
            if column not in formulas
        ]
    return RosterRow(
        staff_number=number,
        full_name=name,
        school_id=school_id,
        tier_id=tier_id,
        teacher_id=teacher[0] if teacher else None,
        years_teaching=years,
        years_class_teacher=class_years,
        contact=_text(row, "联系方式"),
        email=email,
        enrolled_on=enrolled_on or lookups.today,
        plan_due=plan_due,
        **values,
    ), []


# --- Reserve pool (SJ-POOL, SJ-INIT) ------------------------------------------------------------

PRE_SERVICE_HOURS = 32


def pool_shortfalls(
    *,
    willing: bool,
    pre_service_hours,
    trainee_year_done: bool,
    assessment_passed: bool | None,
) -> list[str]:
    """Why a teacher in the reserve pool cannot be appointed yet; empty when they can."""
    reasons = []
    if not willing:
        reasons.append(_("not willing to serve"))
    if (pre_service_hours or 0) < PRE_SERVICE_HOURS:
        reasons.append(
            _("pre-service training below %(hours)s hours") % {"hours": PRE_SERVICE_HOURS}
        )
    if not trainee_year_done:
        reasons.append(_("the trainee year is not completed"))
    if assessment_passed is None:
        reasons.append(_("not assessed yet"))
    elif not assessment_passed:
        reasons.append(_("the assessment was not passed"))
    return reasons


# --- Coverage (HA-COVER) ------------------------------------------------------------------------

_PRIMARY = ("chinese", "maths", "english", "science", "politics", "pe", "music", "art")
_JUNIOR = (
    "chinese",
    "maths",
    "english",
    "physics",
    "chemistry",
    "biology",
    "history",
    "geography",
    "politics",
    "pe",
)
_SENIOR = (
    "chinese",
    "maths",
    "english",
    "physics",
    "chemistry",
    "biology",
    "history",
    "geography",
    "politics",
    "it",
)


def _union(*groups: tuple[str, ...]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for group in groups:
        seen.update(dict.fromkeys(group))
    return tuple(seen)


# The main subjects of compulsory-education schools and general high schools, by school stage.
MAIN_SUBJECTS: dict[str, tuple[str, ...]] = {
    "primary": _PRIMARY,
    "junior": _JUNIOR,
    "nine_year": _union(_PRIMARY, _JUNIOR),
    "senior": _SENIOR,
    "complete_secondary": _union(_JUNIOR, _SENIOR),
    "twelve_year": _union(_PRIMARY, _JUNIOR, _SENIOR),
}


@dataclass(frozen=True)
class CoverageRow:
    school_id: int
    school_name: str
    counts: tuple[int | None, ...]  # per subject column; None: not a main subject of the school

    @property
    def gaps(self) -> int:
        return sum(1 for n in self.counts if n == 0)


def coverage(
    schools: Iterable[tuple[int, str, str]],
    counts: dict[tuple[int, str], int],
) -> tuple[tuple[str, ...], list[CoverageRow]]:
    """Schools × main subjects: how many backbone teachers each school has in each subject.

    ``schools`` are (id, name, stage); schools of other stages are left out. A zero is a gap.
    """
    columns = (
        _union(*(MAIN_SUBJECTS[stage] for _id, _name, stage in schools if stage in MAIN_SUBJECTS))
        if schools
        else ()
    )
    rows = []
    for school_id, name, stage in schools:
        main = MAIN_SUBJECTS.get(stage)
        if main is None:
            continue
        rows.append(
            CoverageRow(
                school_id,
                name,
                tuple(
                    counts.get((school_id, subject), 0) if subject in main else None
                    for subject in columns
                ),
            )
        )
    rows.sort(key=lambda r: (-r.gaps, r.school_name))
    return columns, rows


# --- Personal development plan (XH-CYCLE, HA-PLAN) ----------------------------------------------


class PlanStatus(StrEnum):
    VERIFIED = "verified"
    UNDER_REVIEW = "under_review"
    RETURNED = "returned"
    DRAFT = "draft"
    DUE = "due"
    OVERDUE = "overdue"


def plan_status(due: dt.date | None, states: Iterable[str], today: dt.date) -> PlanStatus:
    """Where a participant's development plan stands, from the states of their plan evidence."""
    found = set(states)
    if "verified" in found:
        return PlanStatus.VERIFIED
    if found & {"submitted", "school_approved"}:
        return PlanStatus.UNDER_REVIEW
    if "returned" in found:
        return PlanStatus.RETURNED
    if due is not None and today > due:
        return PlanStatus.OVERDUE
    if "draft" in found:
        return PlanStatus.DRAFT
    return PlanStatus.DUE
