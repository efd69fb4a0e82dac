"""Reads on enrolments and evidence: a teacher's progress against their requirements."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from programmes import rules
from programmes.models import Requirement
from programmes.selectors import requirement_specs

from .models import Enrolment, Evidence, EvidenceState


def evidence_facts(evidence) -> list[rules.Evidence]:
    """The engine's view of verified evidence (with requirements prefetched)."""
    return [
        rules.Evidence(
            id=e.pk,
            kind=e.kind.code,
            level=rules.Level(e.level),
            date=e.date,
            hours=e.hours,
            delivery=e.delivery_mode,
            requirements=frozenset(r.code for r in e.requirements.all()),
        )
        for e in evidence
    ]


@dataclass(frozen=True)
class ProgressRow:
    requirement: Requirement
    result: rules.RequirementResult


def progress_for_enrolment(enrolment: Enrolment, *, today: dt.date) -> list[ProgressRow]:
    """Per requirement of the enrolment's tier: the engine's result on verified evidence."""
    verified = (
        Evidence.objects.filter(teacher_id=enrolment.teacher_id, state=EvidenceState.VERIFIED)
        .select_related("kind")
        .prefetch_related("requirements")
    )
    facts = evidence_facts(verified)
    tier = enrolment.tier.code
    rows = []
    for requirement, spec in requirement_specs(enrolment.programme):
        if spec.applies_to(tier):
            result = rules.evaluate(
                spec, tier=tier, evidence=facts, cycle=enrolment.programme.cycle, today=today
            )
            rows.append(ProgressRow(requirement, result))
    return rows


def enrolments_of_teacher(teacher) -> list[Enrolment]:
    return list(
        Enrolment.objects.filter(teacher=teacher)
        .select_related("programme", "tier", "school")
        .order_by("-programme__start_month")
    )
