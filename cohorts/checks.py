"""Checks other apps make before a teacher is enrolled, and facts they know about the reserve
pool, so cohorts does not depend on them.

An enrolment check takes the bureau, the programme the teachers are to be enrolled in and the
teachers' profile ids, and returns ``{teacher id: message}`` for those who should not be enrolled
(e.g. barred after a failed end-of-term assessment): the roster import refuses such a row unless
staff give a reason to let it through, and the admin asks for the same reason. A check reads all
the teachers at once in a fixed number of queries.

A pool assessment source says, per teacher id, whether the trainee class teacher's assessment
was passed (True / False) for a programme's reserve pool (SJ-INIT); a teacher it does not know is
not yet assessed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

EnrolmentCheck = Callable[..., dict[int, str]]
PoolAssessmentSource = Callable[..., dict[int, bool]]

_ENROLMENT_CHECKS: list[EnrolmentCheck] = []
_POOL_SOURCES: list[PoolAssessmentSource] = []


def register_enrolment_check(check: EnrolmentCheck) -> None:
    """Add an enrolment check, once (``ready()`` may run more than once in tests)."""
    if check not in _ENROLMENT_CHECKS:
        _ENROLMENT_CHECKS.append(check)


def enrolment_objections(
    *, bureau_id: int, programme, teacher_ids: Collection[int]
) -> dict[int, list[str]]:
    """Per teacher id: why they should not be enrolled in ``programme`` (empty: nothing)."""
    found: dict[int, list[str]] = {}
    ids = [t for t in teacher_ids if t is not None]
    if not ids:
        return found
    for check in _ENROLMENT_CHECKS:
        for teacher_id, message in check(
            bureau_id=bureau_id, programme=programme, teacher_ids=ids
        ).items():
            found.setdefault(teacher_id, []).append(message)
    return found


def register_pool_assessment_source(source: PoolAssessmentSource) -> None:
    if source not in _POOL_SOURCES:
        _POOL_SOURCES.append(source)


def pool_assessments(*, programme_id: int, teacher_ids: Collection[int]) -> dict[int, bool]:
    """Per teacher id: whether the assessment the reserve pool needs was passed; a teacher
    missing from the answer is not yet assessed."""
    found: dict[int, bool] = {}
    if not teacher_ids:
        return found
    for source in _POOL_SOURCES:
        found.update(source(programme_id=programme_id, teacher_ids=list(teacher_ids)))
    return found
