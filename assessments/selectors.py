"""Reads of the assessments app."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from cohorts.models import Enrolment
from programmes.rules import Status

from . import rules
from .models import (
    Assessment,
    AssessmentComponent,
    AssessmentDecision,
    AssessmentKind,
    AssessmentScheme,
    ComponentAssessment,
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


# --- The board's view of each row: the year's progress and the suggested result ----------------


def year_window(scheme: AssessmentScheme, year_key: str):
    """The programme year ``year_key`` names (annual schemes); None for the others."""
    if scheme.kind != AssessmentKind.ANNUAL:
        return None
    return next((w for w in scheme.programme.years if w.key == year_key), None)


def default_year(scheme: AssessmentScheme, today: dt.date) -> str:
    """The year the board opens on: the latest year of the programme begun by ``today``."""
    if scheme.kind != AssessmentKind.ANNUAL:
        return ""
    years = scheme.programme.years
    begun = [w for w in years if w.start <= today]
    chosen = begun[-1] if begun else (years[0] if years else None)
    return chosen.key if chosen is not None else ""


def _combined(statuses: list[Status]) -> Status:
    """One status for a requirement over the periods of a year: a missed period misses it."""
    if Status.MISSED in statuses:
        return Status.MISSED
    if all(s == Status.MET for s in statuses):
        return Status.MET
    if all(s == Status.UPCOMING for s in statuses):
        return Status.UPCOMING
    return Status.IN_PROGRESS


def year_progress(
    scheme: AssessmentScheme, year_key: str, *, today: dt.date, only=None
) -> dict[int, list[tuple[str, Status]]]:
    """Each enrolment's requirements for the year of an annual assessment (for the others, the
    whole cycle) as (requirement code, status), read through the progress matrix: a constant
    number of queries whatever the number of teachers."""
    from cohorts.selectors import progress_matrix

    programme = scheme.programme
    window = year_window(scheme, year_key)
    enrolments = Enrolment.objects.filter(programme=programme)
    if only is not None:  # one participant's page: only theirs
        enrolments = enrolments.filter(pk=only)
    matrix = progress_matrix(programme, enrolments, today=today)
    wanted = [
        i
        for i, column in enumerate(matrix.columns)
        if window is None
        or (window.start <= column.window.start and column.window.end <= window.end)
    ]
    found: dict[int, list[tuple[str, Status]]] = {}
    for row in matrix.rows:
        by_code: dict[str, list[Status]] = {}
        for i in wanted:
            cell = row.cells[i]
            if cell is not None:
                by_code.setdefault(matrix.columns[i].requirement.code, []).append(
                    Status(cell.status)
                )
        found[row.enrolment_id] = [(code, _combined(s)) for code, s in by_code.items()]
    return found


class RowState:
    """Where a board row stands, for its pill and the filter."""

    MISSING = "missing"  # a needed component is not filed
    COMPLETE = "complete"  # every needed component filed, not decided yet
    DRAFT = "decided"  # a draft decision
    FINAL = "finalised"  # the decision in force is finalised


@dataclass
class BoardLine:
    """A board row as the page shows it."""

    row: BoardRow
    progress: list[tuple[str, Status]]
    suggestion: rules.Suggestion
    score: tuple[Decimal, str] | None = None  # a scored scheme's weighted total and its result

    @property
    def state(self) -> str:
        decision = self.row.decision
        if decision is not None and decision.is_final:
            return RowState.FINAL
        if decision is not None:
            return RowState.DRAFT
        return RowState.MISSING if self.row.missing else RowState.COMPLETE

    @property
    def suggested(self) -> tuple[str, str] | None:
        """The suggested result as (value, label), or None while a component is missing."""
        return result_shown(self.suggestion.result)

    def cells(self, components: list[AssessmentComponent]) -> list[tuple]:
        """Per component of the scheme: (component, its filing or None)."""
        return [(c, self.row.filed.get(c.pk)) for c in components]


def result_shown(result) -> tuple[str, str] | None:
    if result is None:
        return None
    return str(result), str(Result(str(result)).label)


def suggestion_for(
    row: BoardRow,
    components: list[AssessmentComponent],
    progress: list[tuple[str, Status]],
    year_label: str,
) -> rules.Suggestion:
    """``rules.suggested_result`` over one row: the components filed with a result, the needed
    ones not filed, and the year's requirements."""
    filed = []
    for c in components:
        filing = row.filed.get(c.pk)
        if filing is None:
            filed.append((c.title, "", None))
        elif filing.result:
            filed.append((c.title, "", filing.result))
    return rules.suggested_result(
        progress=progress,
        components=filed,
        required_components=[c.title for c in row.missing],
        year_label=year_label,
    )


def score_for(
    scheme: AssessmentScheme, row: BoardRow, components: list[AssessmentComponent]
) -> tuple[Decimal, str] | None:
    """A scored scheme's weighted total once every weighted component has its score."""
    if not scheme.scored:
        return None
    weights = {c.title: c.weight for c in components if c.weight}
    scores = {}
    for c in components:
        filing = row.filed.get(c.pk)
        if c.weight and filing is not None and filing.score is not None:
            scores[c.title] = filing.score
    thresholds = {
        result: getattr(scheme, name)
        for result, name in scheme.THRESHOLDS.items()
        if result in scheme.scale and getattr(scheme, name) is not None
    }
    if not weights or set(scores) != set(weights):
        return None
    try:
        total, result = rules.weighted_score(scores, weights, thresholds)
    except ValueError:
        return None
    return total, str(result)


def board_lines(board: Board, *, today: dt.date) -> list[BoardLine]:
    """Every row of the board with the year's progress beside it and the suggested result."""
    scheme = board.scheme
    window = year_window(scheme, board.year_key)
    label = window.label if window is not None else scheme.title
    progress = year_progress(scheme, board.year_key, today=today)
    lines = []
    for row in board.rows:
        mine = progress.get(row.enrolment.pk, [])
        lines.append(
            BoardLine(
                row=row,
                progress=mine,
                suggestion=suggestion_for(row, board.components, mine, label),
                score=score_for(scheme, row, board.components),
            )
        )
    return lines


def board_row(*, scheme: AssessmentScheme, year_key: str, enrolment: Enrolment) -> BoardRow:
    """One participant's row of the board, with the files of each filing."""
    if scheme.kind != AssessmentKind.ANNUAL:
        year_key = ""
    components = list(AssessmentComponent.objects.filter(scheme=scheme).order_by("order", "id"))
    assessment = (
        Assessment.objects.filter(scheme=scheme, year_key=year_key, enrolment=enrolment)
        .prefetch_related(
            Prefetch(
                "components",
                queryset=ComponentAssessment.objects.select_related("filed_by").prefetch_related(
                    "files"
                ),
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
        .first()
    )
    row = BoardRow(enrolment=enrolment, assessment=assessment)
    if assessment is not None:
        row.filed = {f.component_id: f for f in assessment.filings}
        decisions = assessment.all_decisions
        corrected = {d.corrects_id for d in decisions if d.corrects_id}
        in_force = [d for d in decisions if d.pk not in corrected]
        row.decision = in_force[-1] if in_force else None
        row.history = [d for d in decisions if d is not row.decision]
    row.missing = [c for c in components if c.required and c.pk not in row.filed]
    return row


# --- Results for the leadership ---------------------------------------------------------------


RESULT_COLUMNS = ("excellent", "pass", "basic_pass", "fail", "")  # "": not yet decided


def final_result(row: BoardRow) -> str:
    """The finalised result in force, or "" while undecided (a draft is not a result yet)."""
    decision = row.decision
    return decision.result if decision is not None and decision.is_final else ""


def result_counts(rows: list[BoardRow], key) -> list[tuple[str, dict[str, int], int]]:
    """Rows grouped by ``key(row)`` (a school's or a tier's name), with each result counted."""
    groups: dict[str, dict[str, int]] = {}
    for row in rows:
        tally = groups.setdefault(key(row), {r: 0 for r in RESULT_COLUMNS})
        tally[final_result(row)] += 1
    return [(name, tally, sum(tally.values())) for name, tally in groups.items()]
