"""Reads of the assessments app."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch

from cohorts.models import Enrolment

from .models import (
    Assessment,
    AssessmentComponent,
    AssessmentDecision,
    AssessmentKind,
    AssessmentScheme,
    ComponentAssessment,
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
