"""The shapes of the seed and demo files, declared once, and the one place that checks them.

Every JSON file under ``fixtures/`` has a JSON Schema (Draft 2020-12) here:

- ``people``: ``fixtures/demo.json``, the demo bureaus, schools and people;
- ``programme``: a programme seed in ``fixtures/programmes/``;
- ``cohorts``: ``fixtures/demo_cohorts.json``, enrolments and evidence;
- ``groups``: ``fixtures/demo_groups.json``, workshops and the other groups.

The schemas say what JSON Schema can say: keys, types, choices, dates, numbers. A few keywords of
our own add what it cannot, and the standard validators ignore them:

- ``x-label``: how an object is named in an error (``"requirement {code!r}"``; ``{n}`` is its
  place in its list, counting from 1);
- ``x-message``: the wording of an error on this value (``{value!r}``, ``{enum}``);
- ``x-unique``: the key that no two objects of a list may share;
- ``x-check``: a named rule over the object's parts, for references between them (a criterion's
  tiers are the requirement's) and for values that must agree (dates in order). The rules are the
  functions in ``CHECKS`` below; they run once the file has its shape.

``check(data, kind, source=...)`` raises ``SchemaError`` (a ``ValueError``) for the first problem,
naming the file, the objects the value is in and its path, as in
``fixtures/programmes/xh.json: requirement '任务二': clause 1:
programme.requirements[1].criteria[0].min_level: min_level 7 must be one of [1, 2, 3, 4, 5, 6]``.

Other apps add their own parts: ``add_section(kind, key, schema)`` lets a file of that kind carry
a top-level ``key`` (see ``demo.registry``), ``add_kind(kind, schema)`` declares a new file, and
``add_check(name, rule)`` a new rule.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from jsonschema import Draft202012Validator, FormatChecker, ValidationError, validators

from accounts.models import CareerStage, ClassTeacherStage
from accounts.roles import Role
from assessments.models import AssessmentKind, FilingLevel, Result
from bureaus.models import SchoolStage
from cohorts.models import EnrolmentStatus, EvidenceState, FileDimension
from cohorts.rules import SCHOOL_LEVEL
from programmes.models import (
    CalendarPeriodKind,
    Condition,
    CriterionCounts,
    DeliveryMode,
    Level,
    Period,
    ProgrammeStatus,
    Repeat,
    YearBasis,
)
from workshops.models import DocumentKind, MemberRole, UnitFilingKind, UnitScope


class SchemaError(ValueError):
    """A seed or demo file that does not have its declared shape; the message says where."""


# --- Building blocks ---------------------------------------------------------------------------

TEXT = {"type": "string", "pattern": r"\S", "x-message": "'{name}' must be a non-empty text"}
STR = {"type": "string"}
OPTIONAL_STR = {"type": ["string", "null"]}
DATE = {"type": "string", "format": "date", "x-message": "{value!r} must be a date, YYYY-MM-DD"}
OPTIONAL_DATE = {
    "type": ["string", "null"],
    "format": "date-or-empty",
    "x-message": "{value!r} must be a date, YYYY-MM-DD",
}
MONTH = {"type": "string", "format": "month", "x-message": "{value!r} must be a month, YYYY-MM"}
BOOL = {"type": "boolean"}
CODES = {"type": "array", "items": STR}


def whole(minimum: int = 0, maximum: int | None = None, **extra: Any) -> dict:
    """A whole number from ``minimum`` (to ``maximum``)."""
    schema = {"type": "integer", "minimum": minimum, **extra}
    if maximum is not None:
        schema["maximum"] = maximum
    return schema


def choice(values: list, message: str = "{value!r} is not one of {enum}") -> dict:
    return {"enum": list(values), "x-message": message}


def obj(
    required: dict[str, Any],
    optional: dict[str, Any] | None = None,
    *,
    label: str | None = None,
    check: str | None = None,
) -> dict:
    """An object with these keys (the optional ones may be left out) and no others."""
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {**required, **(optional or {})},
        "required": list(required),
        "additionalProperties": False,
    }
    if label:
        schema["x-label"] = label
    if check:
        schema["x-check"] = check
    return schema


def items(schema: dict, *, unique: str | None = None, min_items: int = 0, **extra: Any) -> dict:
    """A list of ``schema``; with ``unique``, no two objects share that key's value."""
    out: dict[str, Any] = {"type": "array", "items": schema, **extra}
    if unique:
        out["x-unique"] = unique
    if min_items:
        out["minItems"] = min_items
    return out


# --- The programme seed (fixtures/programmes/*.json) -------------------------------------------

SEED_HOURS = {
    "type": ["number", "string", "null"],
    "format": "class-hours",
    "x-message": "{name} {value!r} must be 0 to 99999.9 class hours, to one decimal place",
}

EVIDENCE_KIND = obj(
    {"code": TEXT, "name": TEXT, "has_hours": BOOL, "has_delivery_mode": BOOL, "order": whole(0)},
    {"names_people": BOOL, "counts_led_groups": BOOL},
    label="evidence kind {code!r}",
)
PHASE = obj(
    {"name": TEXT, "starts": DATE, "ends": DATE},
    {"description": OPTIONAL_STR},
    label="phase {name!r}",
)
CALENDAR_PERIOD = obj(
    {
        "kind": choice(CalendarPeriodKind.values, "unknown calendar kind {value!r}; use {enum}"),
        "name": TEXT,
        "starts": DATE,
        "ends": DATE,
    },
    label="calendar period {name!r}",
)
MILESTONE = obj(
    {"title": TEXT},
    {
        # once (the default): "due" is a date; month: "due" is a month, YYYY-MM; yearly: "month";
        # biennial: "month" and the first time ("due", a month), if known; all_year: neither.
        "repeat": choice(Repeat.values, "unknown repeat {value!r}; use one of {enum}"),
        "due": {
            "type": ["string", "null"],
            "format": "date-or-month",
            "x-message": "{value!r} must be a date, YYYY-MM-DD, or a month, YYYY-MM",
        },
        "month": {**whole(1, 12), "type": ["integer", "null"]},
        "owner": OPTIONAL_STR,
        "scope": OPTIONAL_STR,
        "duration": OPTIONAL_STR,
        "description": OPTIONAL_STR,
    },
    label="milestone {title!r}",
)
TIER = obj(
    {"code": TEXT, "name": TEXT, "order": whole(0)},
    {"description": OPTIONAL_STR, "lead_rank": OPTIONAL_STR},
    label="tier {code!r}",
)
# Criteria that share a clause number are alternatives of that clause.
CRITERION = obj(
    {
        "clause": whole(1),
        "period": choice(Period.values, "unknown period {value!r}; use one of {enum}"),
        "tiers": CODES,
        "kinds": {**CODES, "minItems": 1, "x-message": "must name one evidence kind or more"},
        "min_level": choice(Level.values, "min_level {value!r} must be one of {enum}"),
        "min_count": whole(1),
        "min_hours": SEED_HOURS,
        "delivery_mode": choice(
            ["", *DeliveryMode.values], "unknown delivery mode {value!r}; use one of {enum}"
        ),
    },
    {
        "min_total_hours": SEED_HOURS,
        "phase": OPTIONAL_STR,  # the name of one of the programme's phases
        "condition": choice(
            ["", *Condition.values], "unknown condition {value!r}; use one of {enum}"
        ),
        "condition_value": OPTIONAL_STR,
        "counts": choice(CriterionCounts.values, "unknown count {value!r}; use one of {enum}"),
        # A due date inside the period: a fixed date, or a month (and day) of each period.
        "due_date": OPTIONAL_DATE,
        "due_month": {**whole(1, 12), "type": ["integer", "null"]},
        "due_day": {**whole(1, 31), "type": ["integer", "null"]},
    },
    label="clause {clause}",
)
REQUIREMENT = obj(
    {
        "code": TEXT,
        "title": TEXT,
        "order": whole(0),
        "tiers": {**CODES, "minItems": 1, "x-message": "must name one tier or more"},
        "criteria": items(CRITERION, min_items=1),
    },
    {"description": OPTIONAL_STR, "assumption": OPTIONAL_STR},
    label="requirement {code!r}",
)
PROGRAMME = obj(
    {
        "bureau": TEXT,
        "evidence_kinds": items(EVIDENCE_KIND, unique="code"),
        "programme": obj(
            {
                "code": TEXT,
                "name": TEXT,
                "start_month": MONTH,
                "end_month": MONTH,
                "status": choice(
                    ProgrammeStatus.values, "unknown status {value!r}; use one of {enum}"
                ),
                "phases": items(PHASE),
                "milestones": items(MILESTONE),
                "tiers": items(TIER, unique="code"),
                "requirements": items(REQUIREMENT, unique="code"),
            },
            {
                "document_number": OPTIONAL_STR,
                "document_date": OPTIONAL_DATE,
                "description": OPTIONAL_STR,
                "assumptions": OPTIONAL_STR,
                "year_basis": choice(
                    YearBasis.values, "unknown year basis {value!r}; use one of {enum}"
                ),
                "calendar": items(CALENDAR_PERIOD),
            },
            label="programme {code!r}",
            check="programme",
        ),
    },
    check="seed",
)


def _month(value: str) -> dt.date:
    return dt.datetime.strptime(value, "%Y-%m").date()


def _check_seed(data: dict) -> Iterator[tuple[tuple, str]]:
    """Each criterion's evidence kinds are the seed's, and record what the criterion asks."""
    kinds = {kind["code"]: kind for kind in data["evidence_kinds"]}
    for r, requirement in enumerate(data["programme"]["requirements"]):
        for c, criterion in enumerate(requirement["criteria"]):
            here = ("programme", "requirements", r, "criteria", c)
            own = criterion["kinds"]
            if unknown := sorted(set(own) - set(kinds)):
                yield (*here, "kinds"), f"unknown evidence kind codes {unknown}"
                continue
            if criterion["min_hours"] is not None and not all(kinds[k]["has_hours"] for k in own):
                yield (
                    (*here, "min_hours"),
                    "asks for class hours of a kind that does not record them",
                )
            if criterion["delivery_mode"] and not all(kinds[k]["has_delivery_mode"] for k in own):
                yield (
                    (*here, "delivery_mode"),
                    "asks for a delivery mode of a kind that does not record it",
                )


def _check_programme(spec: dict) -> Iterator[tuple[tuple, str]]:
    """The cycle and phases in order; requirements and criteria name the programme's tiers, the
    alternatives of a clause agree, and every tier of a requirement has a clause."""
    start, end = _month(spec["start_month"]), _month(spec["end_month"])
    if end < start:
        yield ("end_month",), "the cycle ends before it starts"
        return
    first, last = start, _month_end(end)
    for p, phase in enumerate(spec["phases"]):
        starts, ends = dt.date.fromisoformat(phase["starts"]), dt.date.fromisoformat(phase["ends"])
        if ends < starts:
            yield ("phases", p, "ends"), "ends before it starts"
        elif starts < first or ends > last:
            yield ("phases", p), "lies outside the programme's cycle"
    phase_names = {phase["name"] for phase in spec["phases"]}
    for p, period in enumerate(spec.get("calendar") or []):
        starts, ends = (
            dt.date.fromisoformat(period["starts"]),
            dt.date.fromisoformat(period["ends"]),
        )
        if ends < starts:
            yield ("calendar", p, "ends"), "ends before it starts"
        elif ends < first or starts > last:
            yield ("calendar", p), "lies outside the programme's cycle"
    if spec.get("year_basis") == YearBasis.LISTED and not any(
        period["kind"] == CalendarPeriodKind.YEAR for period in spec.get("calendar") or []
    ):
        yield ("calendar",), "the programme's year is 'listed': list its years"
    for m, milestone in enumerate(spec["milestones"]):
        if problem := _milestone_problem(milestone):
            yield ("milestones", m), problem
    tiers = {tier["code"] for tier in spec["tiers"]}
    for r, requirement in enumerate(spec["requirements"]):
        here = ("requirements", r)
        own = set(requirement["tiers"])
        if unknown := sorted(own - tiers):
            yield (*here, "tiers"), f"unknown tier codes {unknown}"
            continue
        clauses: dict[int, list[tuple[int, dict]]] = defaultdict(list)
        for c, criterion in enumerate(requirement["criteria"]):
            if criterion.get("phase") and criterion["phase"] not in phase_names:
                yield (
                    (*here, "criteria", c, "phase"),
                    f"unknown phase {criterion['phase']!r}; "
                    f"the programme has {sorted(phase_names)}",
                )
            if unknown := sorted(set(criterion["tiers"]) - own):
                yield (
                    (*here, "criteria", c, "tiers"),
                    (f"tier codes {unknown} are not tiers of the requirement"),
                )
            clauses[criterion["clause"]].append((c, criterion))
        covered: set[str] = set()
        for _clause, criteria in sorted(clauses.items()):
            _c, first_criterion = criteria[0]
            for c, other in criteria[1:]:
                if other["period"] != first_criterion["period"]:
                    yield (
                        (*here, "criteria", c, "period"),
                        "its alternatives disagree on the period",
                    )
                if set(other["tiers"]) != set(first_criterion["tiers"]):
                    yield (*here, "criteria", c, "tiers"), "its alternatives disagree on the tiers"
                for key in ("phase", "condition", "condition_value"):
                    if (other.get(key) or "") != (first_criterion.get(key) or ""):
                        yield (*here, "criteria", c, key), f"its alternatives disagree on {key}"
                if _due(other) != _due(first_criterion):
                    yield (*here, "criteria", c), "its alternatives disagree on the due date"
            covered |= set(first_criterion["tiers"]) or own
        if missing := sorted(own - covered):
            yield here, f"no clause applies to its tiers {missing}"


def _due(criterion: dict) -> tuple:
    return tuple(criterion.get(key) for key in ("due_date", "due_month", "due_day"))


def _milestone_problem(milestone: dict) -> str:
    """What the fields of a calendar event leave unclear, for how often it happens."""
    repeat, due, month = (
        milestone.get("repeat") or "once",
        milestone.get("due"),
        milestone.get("month"),
    )
    if repeat == "once" and (not due or len(due) != 10 or month is not None):
        return "an event on a date needs 'due' as YYYY-MM-DD and no 'month'"
    if repeat == "month" and (not due or len(due) != 7 or month is not None):
        return "an event in a month needs 'due' as YYYY-MM and no 'month'"
    if repeat == "yearly" and (due or month is None):
        return "an event of every year needs its 'month' and no 'due'"
    if repeat == "biennial" and due and (len(due) != 7 or (month and int(due[5:]) != month)):
        return "an event of every two years takes its first time as 'due', YYYY-MM, in 'month'"
    if repeat == "all_year" and (due or month is not None):
        return "an event of the whole year has no 'due' and no 'month'"
    return ""


def _month_end(day: dt.date) -> dt.date:
    following = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


# --- The demo people (fixtures/demo.json) -------------------------------------------------------

LEVEL = choice(Level.values, "level {value!r} must be one of {enum}")

PEOPLE = obj(
    {
        "password": TEXT,
        "bureaus": items(
            obj(
                {
                    "code": TEXT,
                    "name": TEXT,
                    "learning_districts": items(
                        obj(
                            {"name": TEXT}, {"lead_school": STR}, label="learning district {name!r}"
                        ),
                        unique="name",
                    ),
                    "schools": items(
                        obj(
                            {"name": TEXT, "stage": choice(SchoolStage.values)},
                            {"code": STR, "classes": whole(0), "district": STR},
                            label="school {name!r}",
                        ),
                        unique="name",
                    ),
                    "people": items(
                        obj(
                            {"username": TEXT, "full_name": TEXT},
                            {
                                "email": STR,
                                "trainer_researcher": BOOL,
                                "roles": items(choice(Role.values, "unknown role {value!r}")),
                                "school_admin_of": STR,
                                "profile": obj(
                                    {
                                        "staff_number": TEXT,
                                        "gender": TEXT,
                                        "school": TEXT,
                                        "subject": TEXT,
                                        "stage": TEXT,
                                    },
                                    {
                                        "professional_title": STR,
                                        "years_teaching": whole(0),
                                        "years_class_teacher": whole(0),
                                        "class_teacher_stage": choice(
                                            ["", *ClassTeacherStage.values],
                                            "unknown class-teacher stage {value!r}; use {enum}",
                                        ),
                                        "career_stage": choice(
                                            ["", *CareerStage.values],
                                            "unknown career stage {value!r}; use {enum}",
                                        ),
                                        "contact": STR,
                                    },
                                ),
                            },
                            label="person {username!r}",
                        ),
                        unique="username",
                    ),
                },
                {
                    "short_name": STR,
                    # The bureau's names for the level scale; a level left out keeps its default
                    # name, and a hidden one is not offered in choice lists.
                    "levels": items(
                        obj(
                            {"level": LEVEL},
                            {"name": STR, "hidden": BOOL},
                            label="level {level!r}",
                        ),
                        unique="level",
                    ),
                },
                label="bureau {code!r}",
                check="people-bureau",
            ),
            unique="code",
        ),
    },
    {
        "platform_admins": items(
            obj({"username": TEXT, "full_name": TEXT}, {"email": STR}, label="admin {username!r}"),
            unique="username",
        )
    },
)


def _check_people_bureau(bureau: dict) -> Iterator[tuple[tuple, str]]:
    """The schools and districts named are the bureau's own."""
    schools = {school["name"] for school in bureau["schools"]}
    districts = {district["name"] for district in bureau["learning_districts"]}
    for d, district in enumerate(bureau["learning_districts"]):
        if district.get("lead_school") and district["lead_school"] not in schools:
            yield ("learning_districts", d, "lead_school"), "is not one of the bureau's schools"
    for s, school in enumerate(bureau["schools"]):
        if school.get("district") and school["district"] not in districts:
            yield ("schools", s, "district"), "is not one of the bureau's learning districts"
    for p, person in enumerate(bureau["people"]):
        if "profile" in person and person["profile"]["school"] not in schools:
            yield ("people", p, "profile", "school"), "is not one of the bureau's schools"
        admin_of = person.get("school_admin_of")
        if admin_of and admin_of not in schools:
            yield ("people", p, "school_admin_of"), "is not one of the bureau's schools"


# --- The demo cohorts (fixtures/demo_cohorts.json) ----------------------------------------------

# States an item reached by being submitted again after it was returned once.
_RESUBMITTED_STATES = {
    EvidenceState.SUBMITTED,
    EvidenceState.SCHOOL_APPROVED,
    EvidenceState.VERIFIED,
}

EVIDENCE_HOURS = {
    "type": ["number", "string", "null"],
    "format": "hours",
    "x-message": "hours {value!r} must be a number of class hours",
}

EVIDENCE = obj(
    {
        "kind": TEXT,
        "title": TEXT,
        "level": choice(Level.values, "level {value!r} must be one of {enum}"),
        "date": DATE,
        "requirements": {
            **CODES,
            "uniqueItems": True,
            "x-message": "'requirements' must be a list of requirement codes, each once",
        },
        "state": choice(EvidenceState.values, "unknown state {value!r}; use one of {enum}"),
    },
    {
        "hours": EVIDENCE_HOURS,
        "delivery_mode": STR,
        "description": STR,
        "dimensions": items(choice(FileDimension.values)),
        "review_comment": STR,
        "returned_before": STR,
        "mentee_names": items(STR),
    },
    label="evidence {n} ({title!r})",
    check="evidence",
)
STATUS_CHANGE = obj(
    {
        "status": choice(EnrolmentStatus.values, "unknown status {value!r}; use one of {enum}"),
        "effective_on": DATE,
    },
    {"reason": STR},
    label="status change to {status!r}",
)
ENROLMENT = obj(
    {"teacher": TEXT, "tier": TEXT, "enrolled_on": DATE, "evidence": items(EVIDENCE)},
    {"plan_due": {**DATE, "type": ["string", "null"]}, "status_changes": items(STATUS_CHANGE)},
    label="enrolment {teacher!r}",
    check="enrolment",
)
COHORTS = obj(
    {
        "bureaus": items(
            obj(
                {
                    "bureau": TEXT,
                    "reviewers": obj({"bureau_staff": TEXT, "school_admin": TEXT}),
                    "programmes": items(
                        obj(
                            {
                                "programme": TEXT,
                                "enrolment_reason": TEXT,
                                "enrolments": items(ENROLMENT, unique="teacher"),
                            },
                            label="programme {programme!r}",
                        )
                    ),
                },
                label="bureau {bureau!r}",
            )
        )
    }
)


def _check_enrolment(enrolment: dict) -> Iterator[tuple[tuple, str]]:
    """Status changes in date order, each to a new status, a withdrawal with its reason."""
    status = EnrolmentStatus.ACTIVE.value
    day = dt.date.fromisoformat(enrolment["enrolled_on"])
    for s, change in enumerate(enrolment.get("status_changes", [])):
        here = ("status_changes", s)
        if change["status"] == status:
            yield here, "the enrolment already has that status"
        effective_on = dt.date.fromisoformat(change["effective_on"])
        if effective_on < day:
            yield here, "is dated before the enrolment or the change before it"
        ending = (EnrolmentStatus.WITHDRAWN, EnrolmentStatus.TERMINATED)
        if change["status"] in ending and not change.get("reason", "").strip():
            yield here, "a withdrawal or termination needs the reason (the decision)"
        status, day = change["status"], effective_on


def _check_evidence(item: dict) -> Iterator[tuple[tuple, str]]:
    """The item's state and its review comments agree."""
    state = item["state"]
    comment = item.get("review_comment", "")
    if state == EvidenceState.RETURNED and not comment.strip():
        yield (), "a returned item needs the review comment saying what to fix"
    if state != EvidenceState.RETURNED and comment:
        yield ("review_comment",), "only a returned item has a review comment"
    if "returned_before" in item and (
        state not in _RESUBMITTED_STATES or not item["returned_before"].strip()
    ):
        yield (
            ("returned_before",),
            "'returned_before' (the comment of an earlier return) needs a state the item "
            "reached by being submitted again",
        )
    if state == EvidenceState.SCHOOL_APPROVED and item["level"] != SCHOOL_LEVEL:
        yield ("level",), "only a school-level item (level 1) is approved by the school"


# --- The demo groups (fixtures/demo_groups.json) ------------------------------------------------

GROUP_HOURS = {
    "type": ["number", "string"],
    "format": "positive-hours",
    "x-message": "hours {value!r} must be a positive number of class hours",
}
USERNAMES = items(STR, **{"x-message": "must be a list of usernames"})
MONTHS = items(MONTH)

MEMBER = obj(
    {"teacher": TEXT},
    {
        "role": choice(MemberRole.values, "unknown role {value!r}; use one of {enum}"),
        "task_division": STR,
    },
    label="member {teacher!r}",
)
ACTIVITY = obj(
    {"date": DATE, "kind": TEXT, "topic": TEXT, "hours": GROUP_HOURS},
    {
        "place": STR,
        "module": STR,
        "format": STR,
        "notes": STR,
        "absent": USERNAMES,
        "files": whole(0, 5, **{"x-message": "'files' must be a number of files from 0 to 5"}),
    },
    label="activity {n} ({topic!r})",
)
TOPIC = obj(
    {"topic": TEXT},
    {"kind": STR, "hours": GROUP_HOURS, "module": STR, "format": STR},
    label="topic {topic!r}",
)
SERIES = obj(
    {
        "every": choice(["month", "fortnight"]),
        "from": DATE,
        "until": DATE,
        "kind": TEXT,
        "hours": GROUP_HOURS,
        "topics": items(
            {
                "anyOf": [TEXT, TOPIC],
                "x-message": "a topic is a non-empty text or an object with its 'topic'",
            },
            min_items=1,
        ),
    },
    {
        "place": STR,
        "module": STR,
        "format": STR,
        "skip": MONTHS,
        "absent": {"type": "object", "additionalProperties": MONTHS},
    },
    label="series {n} ({kind!r})",
    check="series",
)
DOCUMENT = obj(
    {
        "kind": choice(DocumentKind.values, "unknown kind {value!r}; use one of {enum}"),
        "title": TEXT,
        "on": DATE,
    },
    {"author": STR, "notes": STR, "review": obj({"on": DATE, "comment": TEXT})},
    label="document {n} ({title!r})",
)
COURSE = obj(
    {
        "title": TEXT,
        "hours": GROUP_HOURS,
        "delivery_mode": TEXT,
        "level": {},
        "completed_on": DATE,
    },
    label="course {n} ({title!r})",
)
BRIEFING_EXCEPTION = obj(
    {"due": DATE},
    {
        "filed_on": DATE,
        "missing": BOOL,
        "extended_to": DATE,
        "granted_on": DATE,
        "reason": TEXT,
        "text": TEXT,
    },
    label="deadline {due!r}",
    check="briefing-exception",
)
BRIEFINGS = obj(
    {},
    {
        "filed_by": TEXT,
        "days_before": whole(
            0, 27, **{"x-message": "'days_before' must be a number of days from 0 to 27"}
        ),
        "exceptions": items(BRIEFING_EXCEPTION, unique="due"),
    },
)
GROUP = obj(
    {"name": TEXT, "kind": TEXT, "lead": TEXT, "formed_on": DATE},
    {
        "workshop_type": STR,
        "assistant": OPTIONAL_STR,
        "school": OPTIONAL_STR,
        "learning_district": OPTIONAL_STR,
        "stage": STR,
        "subject": STR,
        "project_title": STR,
        "description": STR,
        "members": items(MEMBER, unique="teacher"),
        "activities": items(ACTIVITY),
        "series": items(SERIES),
        "documents": items(DOCUMENT),
        "courses": items(COURSE),
        "briefings": BRIEFINGS,
    },
    label="group {name!r}",
    check="group",
)
YEARS = whole(0, **{"x-message": "'{name}' must be a whole number of years"})
EXTRA_TEACHER = obj(
    {
        "username": TEXT,
        "full_name": TEXT,
        "staff_number": TEXT,
        "gender": TEXT,
        "school": TEXT,
        "subject": TEXT,
        "stage": TEXT,
    },
    {"professional_title": STR, "years_teaching": YEARS, "years_class_teacher": YEARS},
    label="teacher {username!r}",
)
GROUPS = obj(
    {
        "bureaus": items(
            obj(
                {
                    "bureau": TEXT,
                    "staff": TEXT,
                    "programmes": items(
                        obj(
                            {"programme": TEXT, "groups": items(GROUP, unique="name")},
                            {"periodic_obligations_phase": STR},
                            label="programme {programme!r}",
                        )
                    ),
                },
                {"teachers": items(EXTRA_TEACHER, unique="username")},
                label="bureau {bureau!r}",
            )
        )
    }
)


def _check_group(group: dict) -> Iterator[tuple[tuple, str]]:
    """Who is absent is a member; a document is reviewed after it was filed."""
    members = {member["teacher"] for member in group.get("members", [])}
    for a, activity in enumerate(group.get("activities", [])):
        for username in activity.get("absent", []):
            if username not in members:
                yield (
                    ("activities", a, "absent"),
                    (f"absent: {username!r} is not one of the group's members"),
                )
    for s, series in enumerate(group.get("series", [])):
        for username in series.get("absent", {}):
            if username not in members:
                yield (
                    ("series", s, "absent", username),
                    (f"absent: {username!r} is not one of the group's members"),
                )
    for d, document in enumerate(group.get("documents", [])):
        if "review" in document and document["review"]["on"] < document["on"]:
            yield ("documents", d, "review", "on"), "the review is dated before the document"


def _check_series(series: dict) -> Iterator[tuple[tuple, str]]:
    """A series starts on a weekday and does not end before it starts."""
    start = dt.date.fromisoformat(series["from"])
    if start.weekday() >= 5:
        yield ("from",), "'from' must be a weekday"
    if dt.date.fromisoformat(series["until"]) < start:
        yield ("until",), "'until' is before 'from'"


def _check_briefing_exception(item: dict) -> Iterator[tuple[tuple, str]]:
    """A deadline is either filed (when) or missing; an extension has its date and reason."""
    due = dt.date.fromisoformat(item["due"])
    if item.get("missing", False) == ("filed_on" in item):
        yield (), "say either when it was filed ('filed_on') or that it is missing"
    elif "filed_on" in item and dt.date.fromisoformat(item["filed_on"]) <= due - dt.timedelta(62):
        yield ("filed_on",), "'filed_on' is long before the deadline"
    if "extended_to" in item:
        if not {"granted_on", "reason"} <= set(item):
            yield (), "an extension needs 'granted_on' and the 'reason'"
        elif dt.date.fromisoformat(item["extended_to"]) <= due:
            yield ("extended_to",), "an extension must be later than the deadline"
        elif dt.date.fromisoformat(item["granted_on"]) > due:
            yield ("granted_on",), "an extension is granted before the deadline passes"
    elif {"granted_on", "reason"} & set(item):
        yield (), "'granted_on' and 'reason' belong to an extension ('extended_to')"


# --- Duties of units in a programme seed (the "unit_duties" section) -----------------------------

# A duty owed by every school, by schools of at least ``min_classes`` classes, or by each learning
# district (filed by its lead school): ``min_count`` filings of ``kinds`` per ``period`` and, with
# ``min_hours``, that many class hours in total. Registered as a section of the programme seed by
# ``demo/workshops.py``, which loads it.
UNIT_DUTY = obj(
    {
        "rule": TEXT,
        "title": TEXT,
        "owed_by": choice(UnitScope.values, "unknown unit scope {value!r}; use one of {enum}"),
        "period": choice(Period.values, "unknown period {value!r}; use one of {enum}"),
        "min_count": whole(1),
        "kinds": items(
            choice(UnitFilingKind.values, "unknown kind of filing {value!r}; use one of {enum}")
        ),
    },
    {
        "min_classes": {**whole(1), "type": ["integer", "null"]},
        "min_hours": SEED_HOURS,
        "description": OPTIONAL_STR,
        "phase": OPTIONAL_STR,  # the name of one of the programme's phases
    },
    label="unit duty {title!r}",
    check="unit-duty",
)
UNIT_DUTIES = items(UNIT_DUTY, unique="title")


def _check_unit_duty(duty: dict) -> Iterator[tuple[tuple, str]]:
    if duty["owed_by"] == UnitScope.SCHOOLS_WITH_CLASSES and not duty.get("min_classes"):
        yield ("min_classes",), "a duty of schools with a number of classes needs min_classes"


# --- Rules of a programme's groups in a programme seed (the "group_rules" section) -------------

# Attendance against a threshold (XC-ATTEND: the largest absent share that still earns credit,
# a quarter by default) and the class hours of school-based training a participant owes each
# year (PT-HOURS). Registered as a section of the programme seed by ``demo/workshops.py``.
GROUP_RULES = obj(
    {},
    {
        "keeps_attendance": BOOL,
        "max_absent_share": {
            "type": ["number", "string"],
            "format": "absent-share",
            "x-message": "{name} {value!r} must be a share from 0 up to but not including 1, "
            "to four decimal places (0.25 is a quarter)",
        },
        "training_hours_a_year": {
            "type": ["number", "string", "null"],
            "format": "training-hours",
            "x-message": "{name} {value!r} must be more than 0 and under 10000 class hours, "
            "to one decimal place",
        },
    },
    label="group rules",
    check="group-rules",
)


def _check_group_rules(found: dict) -> Iterator[tuple[tuple, str]]:
    if "max_absent_share" in found and not found.get("keeps_attendance"):
        yield ("max_absent_share",), "'max_absent_share' goes with 'keeps_attendance': true"


# --- Assessment schemes in a programme seed (the "assessment_schemes" section) --------------------

# One scheme per kind of assessment (annual, mid_term, end_of_term): the result scale, optional
# scores (weights of the components and the score from which each result is suggested), and the
# components with the level that files each (XH-ASSESS, XH-WS-LEAD, PT-EVAL, HA-ASSESS).
# Registered as a section of the programme seed by ``demo/assessments.py``, which loads it.
SCORE = {
    "type": ["number", "null"],
    "exclusiveMinimum": 0,
    "maximum": 100,
    "x-message": "{name} {value!r} must be a score above 0 and at most 100",
}
ASSESSMENT_COMPONENT = obj(
    {
        "title": TEXT,
        "level": choice(FilingLevel.values, "unknown filing level {value!r}; use one of {enum}"),
    },
    {"weight": SCORE, "required": BOOL, "description": OPTIONAL_STR},
    label="component {title!r}",
)
ASSESSMENT_SCHEME = obj(
    {
        "kind": choice(AssessmentKind.values, "unknown kind {value!r}; use one of {enum}"),
        "title": TEXT,
        "results": items(
            choice(Result.values, "unknown result {value!r}; use one of {enum}"), min_items=2
        ),
        "components": items(ASSESSMENT_COMPONENT, min_items=1),
    },
    {
        "rule": STR,
        "consequence_rules": items(
            choice(
                ["XH-FAIL-1", "XH-FAIL-2", "XH-FAIL-END", "XH-BONUS"],
                "unknown consequence rule {value!r}; use one of {enum}",
            )
        ),
        "scored": BOOL,
        "excellent_from": SCORE,
        "pass_from": SCORE,
        "basic_pass_from": SCORE,
        "description": OPTIONAL_STR,
    },
    label="assessment scheme {title!r}",
)
ASSESSMENT_SCHEMES = items(ASSESSMENT_SCHEME, unique="kind")


# --- The demo assessments (fixtures/demo_assessments.json) -------------------------------------

RESULT = choice(
    ["excellent", "pass", "basic_pass", "fail"], "result {value!r} must be one of {enum}"
)
DEMO_RESULT = obj({"result": RESULT}, {"comment": STR}, label="result")
DEMO_ASSESSMENT = obj(
    {"kind": choice(["annual", "mid_term", "end_of_term"]), "filed_on": DATE},
    {
        "year": STR,
        "decided_on": DATE,
        "result": RESULT,
        "results": {"type": "object", "additionalProperties": DEMO_RESULT},
        "open": BOOL,
    },
    label="assessment {kind!r} {year!r}",
)
DEMO_PLAN = obj(
    {"teacher": TEXT, "year": TEXT, "submitted_on": DATE, "text": TEXT},
    {
        "review": choice(["accepted", "returned"]),
        "reviewed_on": DATE,
        "comment": STR,
    },
    label="rectification plan of {teacher!r}",
)
DEMO_ENDING = obj(
    {
        "teacher": TEXT,
        "ground": choice(["ethics", "unlawful", "transfer", "other"]),
        "effective_on": DATE,
        "document_number": TEXT,
        "reason": TEXT,
    },
    label="ending of {teacher!r}",
)
DEMO_UNITS = obj(
    {
        "year": TEXT,
        "decided_on": DATE,
        "result": RESULT,
        "results": {"type": "object", "additionalProperties": DEMO_RESULT},
    },
    label="unit assessments",
)
DEMO_ASSESSMENTS = obj(
    {
        "bureaus": items(
            obj(
                {
                    "bureau": TEXT,
                    "staff": TEXT,
                    "programmes": items(
                        obj(
                            {"programme": TEXT, "assessments": items(DEMO_ASSESSMENT)},
                            {
                                "plans": items(DEMO_PLAN),
                                "endings": items(DEMO_ENDING, unique="teacher"),
                                "units": DEMO_UNITS,
                            },
                            label="programme {programme!r}",
                        ),
                        unique="programme",
                    ),
                },
                label="bureau {bureau!r}",
            ),
            unique="bureau",
        )
    }
)


# --- The registry of kinds, sections and rules --------------------------------------------------

SCHEMAS: dict[str, dict] = {
    "people": PEOPLE,
    "programme": PROGRAMME,
    "cohorts": COHORTS,
    "groups": GROUPS,
    "assessments": DEMO_ASSESSMENTS,
}

# A rule yields (path from the object it is on, message) for each problem it finds.
Rule = Callable[[Any], Iterator[tuple[tuple, str]]]

CHECKS: dict[str, Rule] = {
    "seed": _check_seed,
    "programme": _check_programme,
    "people-bureau": _check_people_bureau,
    "enrolment": _check_enrolment,
    "evidence": _check_evidence,
    "group": _check_group,
    "series": _check_series,
    "briefing-exception": _check_briefing_exception,
    "unit-duty": _check_unit_duty,
    "group-rules": _check_group_rules,
}


def add_kind(kind: str, schema: dict) -> None:
    """Declare a new kind of file (an app's own demo file)."""
    if kind in SCHEMAS and SCHEMAS[kind] is not schema:
        raise ValueError(f"a schema for {kind!r} files is declared already")
    SCHEMAS[kind] = schema


def add_section(kind: str, key: str, schema: dict) -> None:
    """Let a file of ``kind`` carry an optional top-level ``key`` with this shape."""
    properties = SCHEMAS[kind]["properties"]
    if key in properties and properties[key] is not schema:
        raise ValueError(f"{kind!r} files have a {key!r} section already")
    properties[key] = schema


def add_check(name: str, rule: Rule) -> None:
    """A rule that an ``x-check`` of that name runs."""
    if name in CHECKS and CHECKS[name] is not rule:
        raise ValueError(f"a rule named {name!r} exists already")
    CHECKS[name] = rule


# --- Checking -----------------------------------------------------------------------------------

FORMATS = FormatChecker(formats=())
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTH = re.compile(r"\d{4}-\d{2}")


@FORMATS.checks("date", raises=ValueError)
def _is_date(value: Any) -> bool:
    return not isinstance(value, str) or bool(
        _DATE.fullmatch(value) and dt.date.fromisoformat(value)
    )


@FORMATS.checks("date-or-empty", raises=ValueError)
def _is_date_or_empty(value: Any) -> bool:
    return not value or _is_date(value)


@FORMATS.checks("month", raises=ValueError)
def _is_month(value: Any) -> bool:
    return not isinstance(value, str) or bool(
        _MONTH.fullmatch(value) and dt.date.fromisoformat(f"{value}-01")
    )


@FORMATS.checks("date-or-month", raises=ValueError)
def _is_date_or_month(value: Any) -> bool:
    if not isinstance(value, str) or not value:
        return True
    return _is_month(value) if len(value) == 7 else _is_date(value)


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


@FORMATS.checks("class-hours")
def _is_class_hours(value: Any) -> bool:
    """Criterion.min_hours: 0 to 99999.9, to one decimal place (or none)."""
    if value is None:
        return True
    hours = _decimal(value)
    return (
        hours is not None
        and 0 <= hours < Decimal("100000")
        and hours == hours.quantize(Decimal("0.1"))
    )


@FORMATS.checks("absent-share")
def _is_absent_share(value: Any) -> bool:
    """GroupRules.max_absent_share: 0 up to but not including 1, to four decimal places."""
    share = _decimal(value)
    return share is not None and 0 <= share < 1 and share == share.quantize(Decimal("0.0001"))


@FORMATS.checks("training-hours")
def _is_training_hours(value: Any) -> bool:
    """GroupRules.training_hours_a_year: more than 0, under 10000, to one decimal place."""
    if value is None:
        return True
    hours = _decimal(value)
    return hours is not None and 0 < hours < 10000 and hours == hours.quantize(Decimal("0.1"))


@FORMATS.checks("hours")
def _is_hours(value: Any) -> bool:
    if value is None:
        return True
    hours = _decimal(value)
    return hours is not None and hours >= 0


@FORMATS.checks("positive-hours")
def _is_positive_hours(value: Any) -> bool:
    hours = _decimal(value)
    return hours is not None and hours > 0


def _unique(validator, key: str, instance: Any, schema: dict) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "array"):
        return
    seen: set = set()
    for index, item in enumerate(instance):
        if not isinstance(item, dict) or not isinstance(item.get(key), str | int):
            continue
        if item[key] in seen:
            yield ValidationError(f"{key} {item[key]!r} is listed twice", path=[index])
        seen.add(item[key])


def _rule(validator, name: str, instance: Any, schema: dict) -> Iterator[ValidationError]:
    for path, message in CHECKS[name](instance):
        yield ValidationError(message, path=list(path))


# The shape first (types, keys, choices, formats); the rules only once the shape is right.
_Shape = validators.extend(Draft202012Validator, {"x-unique": _unique})
_Rules = validators.extend(Draft202012Validator, {"x-unique": _unique, "x-check": _rule})


def check(data: Any, kind: str, *, source: str) -> None:
    """Raise SchemaError, naming ``source``, the objects and the path, for the first problem."""
    schema = SCHEMAS[kind]
    for validator_class in (_Shape, _Rules):
        validator = validator_class(schema, format_checker=FORMATS)
        error = next(iter(validator.iter_errors(data)), None)
        if error is not None:
            raise SchemaError(describe(error, schema, data, source=source))


def read(path: Path, kind: str) -> Any:
    """The file's data, checked against its kind's schema; ValueError names the file."""
    path = Path(path)
    source = display_path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SchemaError(f"{source}: not valid JSON: {exc}") from exc
    check(data, kind, source=source)
    return data


def display_path(path: Path) -> str:
    """The path as given; a file of the project relative to the project (fixtures/...)."""
    try:
        return str(Path(path).resolve().relative_to(Path(settings.BASE_DIR).resolve()))
    except ValueError:
        return str(path)


def describe(error: ValidationError, schema: dict, data: Any, *, source: str) -> str:
    """``source: labels: path: message`` for one error."""
    if error.context:  # anyOf: the alternative that came closest
        deepest = max(error.context, key=lambda e: len(e.absolute_path))
        if deepest.absolute_path and len(deepest.absolute_path) > len(error.absolute_path):
            error = deepest
    path = list(error.absolute_path)
    parts = [source, *_labels(schema, data, path)]
    if path:
        parts.append(_path_text(path))
    parts.append(_message(error, path))
    return ": ".join(parts)


def _message(error: ValidationError, path: list) -> str:
    keyword, value, sub = error.validator, error.instance, error.schema
    if keyword in ("x-check", "x-unique"):
        return error.message
    if keyword == "required":
        return f"missing {sorted(set(sub['required']) - set(value))}"
    if keyword == "additionalProperties" and sub.get("properties") is not None:
        return f"unknown keys {sorted(set(value) - set(sub['properties']))}"
    name = next((step for step in reversed(path) if isinstance(step, str)), "value")
    if isinstance(sub, dict) and "x-message" in sub:
        return sub["x-message"].format(value=value, name=name, enum=sub.get("enum"))
    if keyword == "type":
        return f"{value!r} must be {_TYPES.get(str(error.validator_value), error.validator_value)}"
    if keyword == "enum":
        return f"{value!r} is not one of {error.validator_value}"
    return error.message


_TYPES = {
    "object": "an object",
    "array": "a list",
    "string": "a text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
}


def _labels(schema: dict, data: Any, path: list) -> list[str]:
    """How the objects on the way to the value are named (their schemas' x-label)."""
    labels, node, value = [], schema, data
    for step in path:
        node = _branch(node, value)
        if isinstance(step, int):
            node = node.get("items", {})
        else:
            properties = node.get("properties", {})
            extra = node.get("additionalProperties")
            node = properties.get(step, extra if isinstance(extra, dict) else {})
        try:
            value = value[step]
        except (LookupError, TypeError):
            break
        node = _branch(node, value)
        if isinstance(value, dict) and "x-label" in node:
            fields = _Fields(value, n=step + 1 if isinstance(step, int) else None)
            labels.append(node["x-label"].format_map(fields))
    return labels


def _branch(node: dict, value: Any) -> dict:
    """Of an ``anyOf``, the alternative for a value of this type."""
    for option in node.get("anyOf", ()):
        wanted = option.get("type")
        if (wanted == "object") == isinstance(value, dict):
            return option
    return node


class _Fields(dict):
    """The object's values for a label; a key it lacks reads as None."""

    def __init__(self, value: dict, *, n: int | None):
        super().__init__(value, n=n)

    def __missing__(self, key: str) -> None:
        return None


def _path_text(path: list) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text
