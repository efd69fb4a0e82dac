"""Reads of the assessments app."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from cohorts.models import Enrolment, EnrolmentStatus

from . import rules
from .models import (
    Assessment,
    AssessmentComponent,
    AssessmentDecision,
    AssessmentKind,
    AssessmentScheme,
    ComponentAssessment,
    Consequence,
    Effect,
    InitAssessment,
    Result,
)


@dataclass
class BoardRow:
    """One participant on the assessment board: what is filed, what is missing, the decision
    in force (a draft or finalised) and the decisions it corrected, oldest first."""

    enrolment: Enrolment
    assessment: Assessment | None
    filed: dict[int, ComponentAssessment] = field(default_factory=dict)  # by component pk
    missing: list[AssessmentComponent] = field(default_factory=list)  # needed, not filed
    decision: AssessmentDecision | None = None
    history: list[AssessmentDecision] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Every component needed for the decision is filed."""
        return not self.missing


@dataclass
class Board:
    scheme: AssessmentScheme
    year_key: str
    components: list[AssessmentComponent]
    rows: list[BoardRow]


def assessment_board(*, scheme: AssessmentScheme, year_key: str = "") -> Board:
    """Every enrolment of the scheme's programme with its components present and missing and its
    decision, for one year (annual) or the cycle (mid-term, end of term): five queries whatever
    the number of participants."""
    if scheme.kind != AssessmentKind.ANNUAL:
        year_key = ""
    components = list(AssessmentComponent.objects.filter(scheme=scheme).order_by("order", "id"))
    enrolments = list(
        Enrolment.objects.filter(programme_id=scheme.programme_id)
        .select_related("teacher__user", "tier", "school")
        .order_by("tier__order", "teacher__staff_number")
    )
    assessments = {
        a.enrolment_id: a
        for a in Assessment.objects.filter(scheme=scheme, year_key=year_key).prefetch_related(
            Prefetch(
                "components",
                queryset=ComponentAssessment.objects.select_related("filed_by"),
                to_attr="filings",
            ),
            Prefetch(
                "decisions",
                queryset=AssessmentDecision.objects.select_related(
                    "decided_by", "finalised_by"
                ).order_by("decided_at", "id"),
                to_attr="all_decisions",
            ),
        )
    }
    rows = []
    for enrolment in enrolments:
        assessment = assessments.get(enrolment.pk)
        row = BoardRow(enrolment=enrolment, assessment=assessment)
        if assessment is not None:
            row.filed = {f.component_id: f for f in assessment.filings}
            decisions = assessment.all_decisions
            corrected = {d.corrects_id for d in decisions if d.corrects_id}
            in_force = [d for d in decisions if d.pk not in corrected]
            row.decision = in_force[-1] if in_force else None
            row.history = [d for d in decisions if d is not row.decision]
        row.missing = [c for c in components if c.required and c.pk not in row.filed]
        rows.append(row)
    return Board(scheme=scheme, year_key=year_key, components=components, rows=rows)


# --- Facts for later apps (XH-FAIL-2, XH-BONUS, XH-FAIL-END, SJ-INIT, SJ-TITLE) ----------------


def consequences_in_force(enrolment) -> list[Consequence]:
    return list(
        Consequence.objects.filter(enrolment=enrolment, withdrawn_at__isnull=True).order_by(
            "created_at", "id"
        )
    )


def stipend_suspended(enrolment, year_key: str) -> str | None:
    """XH-FAIL-2: why the stipend of ``year_key`` is suspended for this enrolment, or None."""
    row = (
        Consequence.objects.filter(
            enrolment=enrolment,
            effect=Effect.STIPEND_SUSPENDED,
            target_year=year_key,
            withdrawn_at__isnull=True,
        )
        .order_by("id")
        .first()
    )
    return row.reason if row is not None else None


def bonus_years(enrolment) -> list[str]:
    """XH-BONUS: the programme years this enrolment is entitled to a bonus for."""
    return sorted(
        Consequence.objects.filter(
            enrolment=enrolment, effect=Effect.BONUS, withdrawn_at__isnull=True
        ).values_list("target_year", flat=True)
    )


def certificate_allowed(enrolment) -> bool:
    """XH-FAIL-END: whether a completion certificate may be issued: not after a failed end of
    term, nor to a terminated or withdrawn participant."""
    if enrolment.status in (EnrolmentStatus.TERMINATED, EnrolmentStatus.WITHDRAWN):
        return False
    return not Consequence.objects.filter(
        enrolment=enrolment, effect=Effect.NO_CERTIFICATE, withdrawn_at__isnull=True
    ).exists()


def barred(bureau, teacher, *, except_programme=None) -> str | None:
    """XH-FAIL-END: why ``teacher`` may not apply for a next cohort of the bureau (a failed
    end-of-term assessment in one of its programmes), or None."""
    bureau_id = getattr(bureau, "pk", bureau)
    teacher_id = getattr(teacher, "pk", teacher)
    return barred_teachers(
        bureau_id=bureau_id, teacher_ids=[teacher_id], except_programme=except_programme
    ).get(teacher_id)


def barred_teachers(*, bureau_id: int, teacher_ids, except_programme=None) -> dict[int, str]:
    """Per teacher id: the reason they are barred (one query)."""
    rows = Consequence.objects.filter(
        bureau_id=bureau_id,
        enrolment__teacher_id__in=list(teacher_ids),
        effect=Effect.BARRED,
        withdrawn_at__isnull=True,
    )
    if except_programme is not None:
        rows = rows.exclude(enrolment__programme=except_programme)
    return {
        teacher_id: str(
            _(
                "This teacher failed the end-of-term assessment of %(programme)s and may not "
                "apply for the next cohort."
            )
            % {"programme": name}
        )
        for teacher_id, name in rows.values_list(
            "enrolment__teacher_id", "enrolment__programme__name"
        )
    }


def enrolment_check(*, bureau_id: int, programme, teacher_ids) -> dict[int, str]:
    """The enrolment check cohorts runs on a roster and an enrolment made by hand."""
    return barred_teachers(bureau_id=bureau_id, teacher_ids=teacher_ids, except_programme=programme)


def pool_assessments(*, programme_id: int, teacher_ids) -> dict[int, bool]:
    """SJ-INIT: per teacher id, whether their latest trainee class teacher assessment for the
    programme was passed (a teacher without one is left out: not yet assessed)."""
    found: dict[int, bool] = {}
    for teacher_id, result in (
        InitAssessment.objects.filter(programme_id=programme_id, teacher_id__in=teacher_ids)
        .order_by("assessed_on", "id")
        .values_list("teacher_id", "result")
    ):
        found[teacher_id] = not rules.is_fail(result)
    return found


def excellent_years(teacher) -> list[dt.date | int]:
    """The teacher's excellent annual results in force, in every programme: the year of the
    assessment (2024 for the 2024 school year), or the day of the decision for a year whose key
    is not a number."""
    found: list[dt.date | int] = []
    for year_key, at in AssessmentDecision.objects.filter(
        assessment__enrolment__teacher=teacher,
        assessment__scheme__kind=AssessmentKind.ANNUAL,
        result=Result.EXCELLENT,
        finalised_at__isnull=False,
        corrected_by__isnull=True,
    ).values_list("assessment__year_key", "decided_at"):
        found.append(int(year_key) if year_key.isdigit() else timezone.localtime(at).date())
    return found


def title_route(teacher, *, today: dt.date | None = None) -> rules.TitleRoute:
    """SJ-TITLE: whether the no-paper route to a senior title applies to ``teacher``, each
    condition met or not."""
    teaching = teacher.years_teaching
    return rules.senior_title_route(
        years_teaching=teaching,
        years_class_teacher=min(teacher.years_class_teacher, teaching),
        is_class_teacher=bool(teacher.class_teacher_stage),
        excellent_years=excellent_years(teacher),
        today=today or timezone.localdate(),
    )
