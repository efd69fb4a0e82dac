"""Writes of the assessments app: each validates, checks who acts (``access``), writes in one
transaction with its audit row, and leaves side effects (e-mail) to the outbox.

Decisions are history: ``decision_make`` writes or revises the draft, ``decision_finalise``
locks it and tells the teacher, ``decision_correct`` answers a finalised decision with a new one
that names it and says why. Nothing here changes a finalised decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.services import notification_create
from bureaus.files import check_uploads, store
from bureaus.services import audit_record

from .access import check_may_decide, check_may_file
from .models import (
    Assessment,
    AssessmentComponent,
    AssessmentDecision,
    AssessmentKind,
    AssessmentScheme,
    ComponentAssessment,
    ComponentFile,
    Result,
    UnitAssessment,
    check_year,
)


class AssessmentLocked(ValidationError):
    """The assessment's decision is finalised: nothing of it changes any more."""


def assessment_get_or_open(*, enrolment, scheme: AssessmentScheme, year_key: str) -> Assessment:
    """The assessment of ``enrolment`` under ``scheme`` for ``year_key``, opened on first use
    (no audit row: opening records nothing anyone decided)."""
    if scheme.programme_id != enrolment.programme_id or scheme.bureau_id != enrolment.bureau_id:
        raise ValidationError(_("This scheme belongs to another programme."))
    check_year(scheme, year_key)
    assessment, _created = Assessment.objects.get_or_create(
        bureau_id=enrolment.bureau_id,
        enrolment=enrolment,
        scheme=scheme,
        year_key=year_key,
    )
    return assessment


def current_decision(assessment: Assessment) -> AssessmentDecision | None:
    """The decision in force: the latest one no other decision corrects (a draft included)."""
    return (
        AssessmentDecision.objects.filter(assessment=assessment, corrected_by__isnull=True)
        .order_by("-decided_at", "-id")
        .first()
    )


def _check_not_final(assessment: Assessment) -> None:
    if AssessmentDecision.objects.filter(
        assessment=assessment, finalised_at__isnull=False
    ).exists():
        raise AssessmentLocked(
            _("The assessment is finalised; it can only be corrected by a new decision.")
        )


def _check_result(scheme: AssessmentScheme, result: str, *, field: str = "result") -> None:
    if result not in scheme.scale:
        raise ValidationError(
            {
                field: _("Choose one of the scheme's results: %(scale)s.")
                % {"scale": "、".join(str(Result(r).label) for r in scheme.scale)}
            }
        )


@transaction.atomic
def component_file(
    *,
    actor,
    assessment: Assessment,
    component: AssessmentComponent,
    result: str = "",
    score: Decimal | None = None,
    text: str = "",
    files: Sequence[UploadedFile] = (),
) -> ComponentAssessment:
    """File one component of an assessment at its level (a self-assessment with its files, the
    group lead's assessment, the school's view, the district's project assessment …). Filing
    again replaces the result, score and text and adds the files, until the decision is
    finalised."""
    if component.scheme_id != assessment.scheme_id:
        raise ValidationError({"component": _("This component is not part of the assessment.")})
    check_may_file(actor, assessment, component)
    _check_not_final(assessment)
    scheme = assessment.scheme
    text = (text or "").strip()
    if result:
        _check_result(scheme, result)
    if score is not None:
        if not scheme.scored:
            raise ValidationError({"score": _("This assessment is not scored.")})
        if not Decimal(0) <= score <= Decimal(100):
            raise ValidationError({"score": _("Give a score from 0 to 100.")})
    if not (result or score is not None or text or files):
        raise ValidationError(_("Give a result, a score or a text."))
    accepted = check_uploads(list(files)) if files else []
    filing = ComponentAssessment.objects.filter(assessment=assessment, component=component).first()
    before = None
    if filing is None:
        filing = ComponentAssessment(
            bureau_id=assessment.bureau_id, assessment=assessment, component=component
        )
    else:
        before = {"result": filing.result, "score": filing.score}
    filing.level = component.level
    filing.result = result
    filing.score = score
    filing.text = text
    filing.filed_by = actor
    filing.filed_at = timezone.now()
    filing.save()
    if files:
        store(ComponentFile, {"bureau_id": filing.bureau_id, "filing": filing}, files, accepted)
    audit_record(
        bureau=assessment.bureau_id,
        actor=actor,
        action="assessment.component_file",
        target=assessment,
        component=component.title,
        level=component.level,
        result=result,
        score=score,
        files=len(accepted),
        before=before,
    )
    return filing


@transaction.atomic
def decision_make(
    *, actor, assessment: Assessment, result: str, comment: str = ""
) -> AssessmentDecision:
    """Staff decide an assessment: write the draft decision, or revise it while it is a draft."""
    check_may_decide(actor, assessment)
    _check_not_final(assessment)
    _check_result(assessment.scheme, result)
    draft = AssessmentDecision.objects.filter(
        assessment=assessment, finalised_at__isnull=True
    ).first()
    before = None
    if draft is None:
        draft = AssessmentDecision(bureau_id=assessment.bureau_id, assessment=assessment)
    else:
        before = {"result": draft.result, "comment": draft.comment}
    draft.result = result
    draft.comment = (comment or "").strip()
    draft.decided_by = actor
    draft.decided_at = timezone.now()
    draft.save()
    audit_record(
        bureau=assessment.bureau_id,
        actor=actor,
        action="assessment.decide",
        target=assessment,
        result=result,
        comment=draft.comment,
        before=before,
    )
    return draft


def missing_components(assessment: Assessment) -> list[AssessmentComponent]:
    """The components needed for the decision that are not filed yet."""
    filed = set(
        ComponentAssessment.objects.filter(assessment=assessment).values_list(
            "component_id", flat=True
        )
    )
    return [
        c
        for c in AssessmentComponent.objects.filter(scheme_id=assessment.scheme_id, required=True)
        if c.pk not in filed
    ]


@transaction.atomic
def decision_finalise(*, actor, decision: AssessmentDecision) -> AssessmentDecision:
    """Finalise a draft decision: from now on it is locked. Needs every component the scheme
    requires; the teacher is told the result (once)."""
    check_may_decide(actor, decision)
    # Lock the row so two staff finalising at once finalise it once.
    decision = AssessmentDecision.objects.select_for_update().get(pk=decision.pk)
    if decision.is_final:
        raise AssessmentLocked(_("This decision is finalised already."))
    assessment = decision.assessment
    missing = missing_components(assessment)
    if missing:
        raise ValidationError(
            _("Still missing: %(parts)s.") % {"parts": "、".join(str(c) for c in missing)}
        )
    decision.finalised_at = timezone.now()
    decision.finalised_by = actor
    decision.save(update_fields=["finalised_at", "finalised_by"])
    audit_record(
        bureau=decision.bureau_id,
        actor=actor,
        action="assessment.finalise",
        target=assessment,
        result=decision.result,
        decision=decision.pk,
    )
    _tell_teacher(decision)
    return decision


@transaction.atomic
def decision_correct(
    *, actor, decision: AssessmentDecision, result: str, reason: str, comment: str = ""
) -> AssessmentDecision:
    """Correct a finalised decision: a new, finalised decision that names the one it corrects
    and gives the reason. The corrected decision stays as it was; the teacher is told."""
    check_may_decide(actor, decision)
    decision = AssessmentDecision.objects.select_for_update().get(pk=decision.pk)
    if not decision.is_final:
        raise ValidationError(_("A draft is revised, not corrected; finalise it first."))
    if AssessmentDecision.objects.filter(corrects=decision).exists():
        raise ValidationError(
            _("This decision was corrected already; correct the decision now in force.")
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the decision is corrected.")})
    assessment = decision.assessment
    _check_result(assessment.scheme, result)
    now = timezone.now()
    correction = AssessmentDecision.objects.create(
        bureau_id=decision.bureau_id,
        assessment=assessment,
        result=result,
        comment=(comment or "").strip(),
        decided_by=actor,
        decided_at=now,
        finalised_at=now,
        finalised_by=actor,
        corrects=decision,
        reason=reason,
    )
    audit_record(
        bureau=decision.bureau_id,
        actor=actor,
        action="assessment.correct",
        target=assessment,
        result=result,
        before=decision.result,
        reason=reason,
        decision=correction.pk,
        corrects=decision.pk,
    )
    _tell_teacher(correction)
    return correction


def _tell_teacher(decision: AssessmentDecision) -> None:
    """The teacher reads the final result (through the outbox, after the commit)."""
    assessment = decision.assessment
    scheme = assessment.scheme
    user = assessment.enrolment.teacher.user
    with translation.override(settings.LANGUAGE_CODE):
        name = scheme.title
        if assessment.year_key:
            window = next((w for w in scheme.programme.years if w.key == assessment.year_key), None)
            if window is not None:
                name = f"{window.label}{scheme.title}"
        values = {"assessment": name, "result": Result(decision.result).label}
        if decision.corrects_id:
            subject = _("Your %(assessment)s result was corrected") % values
            body = _("Your %(assessment)s result is now: %(result)s.") % values
        else:
            subject = _("Your %(assessment)s result") % values
            body = _("Your %(assessment)s result: %(result)s.") % values
        if decision.comment:
            body = f"{body}\n{decision.comment}"
    notification_create(
        recipient=user,
        key=f"assessment-decision:{decision.pk}",
        subject=str(subject),
        body=str(body),
    )


def apply_consequences(enrolment, *, actor) -> None:
    """The seam for the consequences of an enrolment's finalised results (XH-FAIL-1,
    XH-FAIL-2, XH-FAIL-END, XH-BONUS, SJ-INIT): the next step computes them with
    ``assessments.rules`` and writes them here. Deliberately not called yet, and writes
    nothing: no consequence is recorded until that rule exists."""
    return None


@transaction.atomic
def unit_assessment_decide(
    *,
    actor,
    programme,
    year_key: str,
    result: str,
    comment: str = "",
    school=None,
    district=None,
) -> UnitAssessment:
    """HA-ASSESS: the working group's result for a unit (a town's education office, as its
    learning district, or a school directly under the bureau) for one year of the programme.
    Deciding again replaces the result, audited with what it was."""
    if (school is None) == (district is None):
        raise ValidationError(_("Choose either a school or a learning district."))
    check_may_decide(actor, programme)
    unit = school or district
    if unit.bureau_id != programme.bureau_id:
        raise PermissionDenied(_("Only the bureau's programme staff decide assessments."))
    if result not in Result.values:
        raise ValidationError({"result": _("Choose a result.")})
    found = UnitAssessment.objects.filter(
        programme=programme, school=school, learning_district=district, year_key=year_key
    ).first()
    before = None
    if found is None:
        found = UnitAssessment(
            bureau_id=programme.bureau_id,
            programme=programme,
            school=school,
            learning_district=district,
            year_key=year_key,
        )
    else:
        before = found.result
    found.result = result
    found.comment = (comment or "").strip()
    found.decided_by = actor
    found.decided_at = timezone.now()
    found.full_clean()
    found.save()
    audit_record(
        bureau=programme.bureau_id,
        actor=actor,
        action="assessment.unit_decide",
        target=found,
        unit=str(unit),
        year=year_key,
        result=result,
        before=before,
    )
    return found


def schemes_copy(*, actor, source, target, months: int) -> None:
    """A programme's assessment schemes and their components go with it to its next cycle
    (``programme_copy``); they carry no dates, so ``months`` changes nothing in them."""
    for scheme in AssessmentScheme.objects.filter(programme=source).prefetch_related("components"):
        copy = AssessmentScheme.objects.create(
            bureau_id=target.bureau_id,
            programme=target,
            kind=scheme.kind,
            title=scheme.title,
            rule=scheme.rule,
            results=list(scheme.results or ()),
            scored=scheme.scored,
            excellent_from=scheme.excellent_from,
            pass_from=scheme.pass_from,
            basic_pass_from=scheme.basic_pass_from,
            description=scheme.description,
        )
        AssessmentComponent.objects.bulk_create(
            AssessmentComponent(
                bureau_id=target.bureau_id,
                scheme=copy,
                title=c.title,
                level=c.level,
                weight=c.weight,
                required=c.required,
                description=c.description,
                order=c.order,
            )
            for c in scheme.components.all()
        )


IMPORT_BATCH = 500


def _changed_meanwhile() -> str:
    return _(
        "Some of these assessments were decided while the sheet was checked; nothing was "
        "written. Check the sheet again."
    )


@transaction.atomic
def decisions_import(*, actor, scheme: AssessmentScheme, year_key: str, dataset):
    """Staff import results from a filled-in sheet: every row is checked again here (inside
    the transaction), and only if all are valid are the draft decisions (and the district's and
    leading group's components) written, in batches, with ONE audit row for the import.
    Returns the ``imports.SheetCheck``; raises ValidationError listing each problem otherwise."""
    from .imports import check_sheet

    check_may_decide(actor, scheme)
    check_year(scheme, year_key if scheme.kind == AssessmentKind.ANNUAL else "")
    check = check_sheet(dataset, scheme=scheme, year_key=year_key)
    if not check.valid:
        raise ValidationError(check.problem_lines())
    year_key = check.year_key
    rows = check.to_write
    bureau_id = scheme.bureau_id
    now = timezone.now()
    # Open the assessments not opened yet.
    unopened = [r for r in rows if r.assessment_id is None]
    if unopened:
        Assessment.objects.bulk_create(
            [
                Assessment(
                    bureau_id=bureau_id,
                    enrolment_id=r.enrolment_id,
                    scheme=scheme,
                    year_key=year_key,
                )
                for r in unopened
            ],
            batch_size=IMPORT_BATCH,
        )
        opened = dict(
            Assessment.objects.filter(
                scheme=scheme,
                year_key=year_key,
                enrolment_id__in=[r.enrolment_id for r in unopened],
            )
            .order_by()
            .values_list("enrolment_id", "pk")
        )
        for r in unopened:
            r.assessment_id = opened[r.enrolment_id]
    # Decisions: revise the drafts, write the others.
    decided = [r for r in rows if r.result]
    # The drafts revised: the same actor and time for all, the result by groups, the comment
    # row by row (a CASE per batch only for the one field that differs row by row).
    revised = [r for r in decided if r.draft_id]
    by_result: dict[str, list[int]] = {}
    for r in revised:
        by_result.setdefault(r.result, []).append(r.draft_id)
    drafts = AssessmentDecision.objects.filter(finalised_at__isnull=True)
    written = 0
    for result, ids in by_result.items():
        for start in range(0, len(ids), IMPORT_BATCH):
            written += drafts.filter(pk__in=ids[start : start + IMPORT_BATCH]).update(
                result=result, decided_by=actor, decided_at=now
            )
    if written != len(revised):  # finalised since the check: nothing is written
        raise ValidationError(_changed_meanwhile())
    if revised:
        drafts.bulk_update(
            [AssessmentDecision(pk=r.draft_id, comment=r.comment) for r in revised],
            ["comment"],
            batch_size=IMPORT_BATCH,
        )
    new = [
        AssessmentDecision(
            bureau_id=bureau_id,
            assessment_id=r.assessment_id,
            result=r.result,
            comment=r.comment,
            decided_by=actor,
            decided_at=now,
        )
        for r in decided
        if not r.draft_id
    ]
    if new:
        try:
            with transaction.atomic():
                AssessmentDecision.objects.bulk_create(new, batch_size=IMPORT_BATCH)
        except IntegrityError:  # a draft was written since the check
            raise ValidationError(_changed_meanwhile()) from None
    # Components filed by the bureau (district, leading group).
    filed_rows = [r for r in rows if r.components]
    filings_written = 0
    if filed_rows:
        levels = dict(AssessmentComponent.objects.filter(scheme=scheme).values_list("pk", "level"))
        existing = {
            (a, c): pk
            for pk, a, c in ComponentAssessment.objects.filter(
                assessment_id__in=[r.assessment_id for r in filed_rows],
            )
            .order_by()
            .values_list("pk", "assessment_id", "component_id")
        }
        update, create = [], []
        for r in filed_rows:
            for component_id, (result, score) in r.components.items():
                filing = ComponentAssessment(
                    pk=existing.get((r.assessment_id, component_id)),
                    bureau_id=bureau_id,
                    assessment_id=r.assessment_id,
                    component_id=component_id,
                    level=levels[component_id],
                    result=result,
                    score=score,
                    filed_by=actor,
                    filed_at=now,
                )
                (update if filing.pk else create).append(filing)
        if update:
            ComponentAssessment.objects.bulk_update(
                update, ["result", "score", "filed_by", "filed_at"], batch_size=IMPORT_BATCH
            )
        if create:
            ComponentAssessment.objects.bulk_create(create, batch_size=IMPORT_BATCH)
        filings_written = len(update) + len(create)
    audit_record(
        bureau=bureau_id,
        actor=actor,
        action="assessment.import",
        target=scheme,
        year=year_key,
        rows=len(check.rows),
        decided=len(decided),
        revised=len(revised),
        new=len(new),
        opened=len(unopened),
        components=filings_written,
    )
    return check
