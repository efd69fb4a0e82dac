"""Reads of the assessments app."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from cohorts.models import Enrolment, EnrolmentStatus
from programmes.rules import Status

from . import rules
from .models import (
    Assessment,
    AssessmentComponent,
    AssessmentDecision,
    AssessmentKind,
    AssessmentScheme,
    ComponentAssessment,
    ComponentFile,
    Consequence,
    Effect,
    InitAssessment,
    Result,
    TeamAssessment,
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


# --- The filing pages: teachers, group leads, school administrators -----------------------------

KIND_ORDER = {AssessmentKind.ANNUAL: 0, AssessmentKind.MID_TERM: 1, AssessmentKind.END_OF_TERM: 2}


@dataclass
class Part:
    """One component of one assessment as the filing pages show it: filed or not, its due date
    and whether it came in on time (``status``: on_time, late, missing, open; empty without a
    due date)."""

    component: AssessmentComponent
    filing: ComponentAssessment | None
    due: dt.date | None
    status: str
    files: list[ComponentFile] = field(default_factory=list)


@dataclass
class Card:
    """One assessment of an enrolment: a scheme for one year of the programme (annual) or for
    the cycle, its parts, the decision in force and the decisions it corrected."""

    enrolment: Enrolment
    scheme: AssessmentScheme
    year_key: str
    year_label: str
    assessment: Assessment | None
    parts: list[Part]
    decision: AssessmentDecision | None = None
    history: list[AssessmentDecision] = field(default_factory=list)

    @property
    def final(self) -> bool:
        return self.decision is not None and self.decision.is_final

    @property
    def missing(self) -> list[AssessmentComponent]:
        return [p.component for p in self.parts if p.component.required and p.filing is None]

    def part(self, level: str) -> Part | None:
        return next((p for p in self.parts if p.component.level == level), None)


def part_status(due: dt.date | None, filing: ComponentAssessment | None, today: dt.date) -> str:
    if due is None:
        return ""
    from workshops.rules import briefing_status

    filed_on = timezone.localdate(filing.filed_at) if filing is not None else None
    return str(briefing_status(due, filed_on, today))


def _assessments_for(enrolment_ids, scheme_ids, year_keys=None) -> dict:
    """The assessments of these enrolments under these schemes, with their filings, files and
    decisions, by (enrolment, scheme, year): four queries."""
    found = Assessment.objects.filter(enrolment_id__in=enrolment_ids, scheme_id__in=scheme_ids)
    if year_keys is not None:
        found = found.filter(year_key__in=year_keys)
    found = found.prefetch_related(
        Prefetch(
            "components",
            queryset=ComponentAssessment.objects.select_related("filed_by").prefetch_related(
                "files"
            ),
            to_attr="filings",
        ),
        Prefetch(
            "decisions",
            queryset=AssessmentDecision.objects.order_by("decided_at", "id"),
            to_attr="all_decisions",
        ),
    )
    return {(a.enrolment_id, a.scheme_id, a.year_key): a for a in found}


def _card(programme, enrolment, scheme, components, window, assessment, today) -> Card:
    year_key = window.key if window is not None else ""
    filings = {f.component_id: f for f in assessment.filings} if assessment else {}
    parts = []
    for component in components:
        filing = filings.get(component.pk)
        due = component.due_on(programme, year_key)
        parts.append(
            Part(
                component=component,
                filing=filing,
                due=due,
                status=part_status(due, filing, today),
                files=list(filing.files.all()) if filing is not None else [],
            )
        )
    card = Card(
        enrolment=enrolment,
        scheme=scheme,
        year_key=year_key,
        year_label=window.label if window is not None else "",
        assessment=assessment,
        parts=parts,
    )
    if assessment is not None:
        decisions = assessment.all_decisions
        corrected = {d.corrects_id for d in decisions if d.corrects_id}
        in_force = [d for d in decisions if d.pk not in corrected]
        card.decision = in_force[-1] if in_force else None
        card.history = [d for d in decisions if d is not card.decision]
    return card


def schemes_of(programme_ids) -> dict[int, list[AssessmentScheme]]:
    schemes: dict[int, list[AssessmentScheme]] = {}
    found = AssessmentScheme.objects.filter(programme_id__in=programme_ids).prefetch_related(
        Prefetch("components", queryset=AssessmentComponent.objects.order_by("order", "id"))
    )
    for scheme in sorted(found, key=lambda s: (KIND_ORDER.get(s.kind, 9), s.pk)):
        schemes.setdefault(scheme.programme_id, []).append(scheme)
    return schemes


def windows_of(scheme: AssessmentScheme, programme) -> list:
    """The years an annual scheme is filed for; ``[None]`` (once) for the others."""
    return list(programme.years) if scheme.kind == AssessmentKind.ANNUAL else [None]


@dataclass
class EnrolmentCards:
    enrolment: Enrolment
    cards: list[Card]


def teacher_assessments(*, user, today: dt.date) -> list[EnrolmentCards]:
    """Every assessment of each of ``user``'s enrolments — each programme year of the annual
    one, the mid-term and the end-of-term — with what is filed and decided: seven queries
    whatever the number of enrolments and years."""
    enrolments = list(
        Enrolment.objects.filter(teacher__user=user)
        .select_related("programme", "tier", "school", "teacher")
        .prefetch_related("programme__calendar_periods")
        .order_by("-programme__start_month", "pk")
    )
    schemes = schemes_of({e.programme_id for e in enrolments})
    scheme_ids = [s.pk for found in schemes.values() for s in found]
    assessments = _assessments_for([e.pk for e in enrolments], scheme_ids) if scheme_ids else {}
    result = []
    for enrolment in enrolments:
        cards = []
        for scheme in schemes.get(enrolment.programme_id, []):
            components = list(scheme.components.all())
            for window in windows_of(scheme, enrolment.programme):
                key = (enrolment.pk, scheme.pk, window.key if window is not None else "")
                cards.append(
                    _card(
                        enrolment.programme,
                        enrolment,
                        scheme,
                        components,
                        window,
                        assessments.get(key),
                        today,
                    )
                )
        result.append(EnrolmentCards(enrolment=enrolment, cards=cards))
    return result


def assessment_cards(*, enrolments, scheme: AssessmentScheme, window, today: dt.date) -> list[Card]:
    """One card per enrolment (all of ``scheme``'s programme) for one year or the cycle: four
    queries (the assessments, their filings, files and decisions) whatever the number."""
    enrolments = list(enrolments)
    components = list(scheme.components.order_by("order", "id"))
    year_key = window.key if window is not None else ""
    assessments = _assessments_for([e.pk for e in enrolments], [scheme.pk], [year_key])
    programme = scheme.programme
    return [
        _card(
            programme,
            e,
            scheme,
            components,
            window,
            assessments.get((e.pk, scheme.pk, year_key)),
            today,
        )
        for e in enrolments
    ]


def team_assessment(team, year_key: str) -> TeamAssessment | None:
    return (
        TeamAssessment.objects.filter(team=team, year_key=year_key)
        .select_related("filed_by")
        .prefetch_related("files")
        .first()
    )


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
