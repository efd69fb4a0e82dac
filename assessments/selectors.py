"""Reads of the assessments app."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from cohorts.models import Enrolment

from .models import (
    Assessment,
    AssessmentComponent,
    AssessmentDecision,
    AssessmentKind,
    AssessmentScheme,
    ComponentAssessment,
    ComponentFile,
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
