"""Reads on certificates: who is due one (the rules in ``certificates.rules`` over the facts of
the assessments, cohorts and accounts apps), why someone is not, and a certificate by its code.

``certificates_due`` reads a fixed number of queries whatever the number of teachers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import AssessmentDecision, AssessmentKind, Consequence, Effect
from cohorts.models import Enrolment

from . import rules
from .models import (
    Certificate,
    CertificateKind,
    CertificateStatus,
    CertificateType,
    RenderState,
)
from .rendering import chinese_month


@dataclass(frozen=True)
class Due:
    """One holder a kind's certificate is due to, with what it prints."""

    teacher_id: int
    enrolment_id: int | None
    school_id: int
    fields: dict = field(hash=False, compare=True)


@dataclass(frozen=True)
class _Candidate:
    due: Due
    eligibility: rules.Eligibility


def _end_of_term_results(enrolment_ids) -> dict[int, str]:
    """Per enrolment: the end-of-term result in force (finalised, not corrected; the latest)."""
    found: dict[int, str] = {}
    for enrolment_id, result in (
        AssessmentDecision.objects.filter(
            assessment__enrolment_id__in=enrolment_ids,
            assessment__scheme__kind=AssessmentKind.END_OF_TERM,
            finalised_at__isnull=False,
            corrected_by__isnull=True,
        )
        .order_by("decided_at", "id")
        .values_list("assessment__enrolment_id", "result")
    ):
        found[enrolment_id] = result
    return found


def _no_certificate(enrolment_ids) -> set[int]:
    return set(
        Consequence.objects.filter(
            enrolment_id__in=enrolment_ids,
            effect=Effect.NO_CERTIFICATE,
            withdrawn_at__isnull=True,
        ).values_list("enrolment_id", flat=True)
    )


def _part_states(kind: CertificateKind, enrolments, today: dt.date) -> dict[int, tuple]:
    """Per enrolment id: (complete, applies, hours) of the kind's programme part."""
    from cohorts.selectors import progress_matrix
    from programmes.rules import Status

    matrix = progress_matrix(kind.programme, enrolments, today=today)
    mine = [i for i, c in enumerate(matrix.columns) if c.requirement.pk == kind.requirement_id]
    states = {}
    for row in matrix.rows:
        cells = [row.cells[i] for i in mine if row.cells[i] is not None]
        hours = sum((max(c.hours) for c in cells if c.hours), start=0)
        states[row.enrolment_id] = (
            bool(cells) and all(c.status == Status.MET for c in cells),
            bool(cells),
            hours,
        )
    return states


def _candidates(kind: CertificateKind, *, school=None, teacher=None, today=None):
    """Every holder the kind could go to (the programme's participants), each with the rules'
    verdict and the fields the certificate would print. A fixed number of queries."""
    today = today or timezone.localdate()
    programme = kind.programme
    enrolments = Enrolment.objects.filter(programme_id=kind.programme_id)
    if school is not None:
        enrolments = enrolments.filter(school=school)
    if teacher is not None:
        enrolments = enrolments.filter(teacher=teacher)
    rows = list(
        enrolments.order_by("school__name", "teacher__staff_number", "pk").values_list(
            "pk",
            "teacher_id",
            "school_id",
            "school__name",
            "status",
            "teacher__years_class_teacher",
        )
    )
    ids = [r[0] for r in rows]
    base = {
        "start": chinese_month(programme.start_month),
        "end": chinese_month(programme.end_month),
        "bureau_name": kind.bureau.name,
    }
    results: dict[int, str] = {}
    barred: set[int] = set()
    if kind.type == CertificateType.COMPLETION:
        results = _end_of_term_results(ids)
        barred = _no_certificate(ids)
    parts = {}
    if kind.type == CertificateType.TRAINING and ids:
        parts = _part_states(kind, enrolments, today)
    part_name = kind.requirement.title if kind.requirement_id else ""
    found = []
    for pk, teacher_id, school_id, school_name, status, years in rows:
        facts = rules.EnrolmentFacts(
            status=status,
            end_of_term=results.get(pk) if kind.type == CertificateType.COMPLETION else None,
            no_certificate=kind.type == CertificateType.COMPLETION and pk in barred,
        )
        fields = {**base, "school": school_name}
        if kind.type == CertificateType.COMPLETION:
            verdict = rules.completion(facts)
            fields["result"] = rules.result_label(facts.end_of_term)
        elif kind.type == CertificateType.HONOUR:
            verdict = rules.honour(
                rules.ProfileFacts(years or 0),
                min_years=kind.min_class_teacher_years,
                enrolment=facts,
            )
            fields["years"] = str(years or 0)
        else:
            complete, applies, hours = parts.get(pk, (False, False, 0))
            verdict = rules.training(
                facts, rules.PartFacts(part_name, complete, exists=applies) if part_name else None
            )
            fields["part"] = part_name
            if hours:
                fields["hours"] = f"{hours:g}" if not isinstance(hours, int) else str(hours)
        found.append(_Candidate(Due(teacher_id, pk, school_id, fields), verdict))
    return found


def _holders_with_certificate(kind: CertificateKind) -> set[int]:
    """Holders with a certificate of ``kind``, valid or revoked: a revoked certificate is not
    issued again by a batch; giving one again is a reissue, a decision of its own."""
    return set(Certificate.objects.filter(kind=kind).values_list("teacher_id", flat=True))


def certificates_due(
    *, kind: CertificateKind, school=None, today: dt.date | None = None
) -> list[Due]:
    """Every holder eligible for ``kind`` who has no certificate of it yet (one per teacher: the
    first eligible enrolment)."""
    have = _holders_with_certificate(kind)
    due = []
    for candidate in _candidates(kind, school=school, today=today):
        if candidate.eligibility and candidate.due.teacher_id not in have:
            have.add(candidate.due.teacher_id)
            due.append(candidate.due)
    return due


def due_for(kind: CertificateKind, teacher, *, enrolment=None, today=None) -> _Candidate | None:
    """The verdict and fields for one teacher (the given enrolment, or their first one)."""
    candidates = _candidates(kind, teacher=teacher, today=today)
    if enrolment is not None:
        candidates = [c for c in candidates if c.due.enrolment_id == enrolment.pk]
    for candidate in candidates:
        if candidate.eligibility:
            return candidate
    return candidates[0] if candidates else None


def why_not(*, kind: CertificateKind, teacher) -> str | None:
    """Why ``teacher`` may not have ``kind``'s certificate, in words a teacher understands; None
    when they may."""
    candidate = due_for(kind, teacher)
    if candidate is None:
        return _("You do not take part in this programme.")
    return None if candidate.eligibility else candidate.eligibility.reason


def certificate_for_code(code: str) -> Certificate | None:
    """The certificate with this verification code, in any bureau: the public page knows no
    bureau (the code itself is the secret)."""
    if not code or len(code) > 16:
        return None
    return (
        Certificate.objects.all_bureaus()
        .select_related("kind", "signing_key", "replaced_by")
        .filter(code=code.upper())
        .first()
    )


def downloadable_by_holder(certificate: Certificate) -> bool:
    """A holder downloads a certificate only while it is valid and once its PDF is made."""
    return (
        certificate.status == CertificateStatus.VALID
        and certificate.render_state == RenderState.DONE
        and bool(certificate.file)
    )
