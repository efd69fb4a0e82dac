"""Writes of the assessments app: each validates, checks who acts (``access``), writes in one
transaction with its audit row, and leaves side effects (e-mail) to the outbox.

Decisions are history: ``decision_make`` writes or revises the draft, ``decision_finalise``
locks it and tells the teacher, ``decision_correct`` answers a finalised decision with a new one
that names it and says why. Nothing here changes a finalised decision.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.db.models import Case, Exists, OuterRef, Value, When
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Notification
from accounts.services import notification_create
from bureaus.files import check_uploads, store
from bureaus.services import audit_record
from cohorts.models import Enrolment, EnrolmentStatus
from cohorts.services import enrolment_set_status

from . import rules
from .access import check_may_assess_team, check_may_decide, check_may_file
from .models import (
    Assessment,
    AssessmentComponent,
    AssessmentDecision,
    AssessmentKind,
    AssessmentScheme,
    ComponentAssessment,
    ComponentFile,
    Consequence,
    Ending,
    FilingLevel,
    InitAssessment,
    PlanFile,
    PlanStatus,
    RectificationPlan,
    Result,
    TeamAssessment,
    TeamAssessmentFile,
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
    apply_consequences(assessment.enrolment, actor=actor, decision=decision)
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
    apply_consequences(assessment.enrolment, actor=actor, decision=correction)
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


def decided_of(enrolment) -> list[rules.Decided]:
    """The final decisions in force of an enrolment (drafts and corrected decisions left out),
    as the rules read them. Mid-term results have no consequence and are left out too."""
    programme = enrolment.programme
    years = {w.key: w for w in programme.years}
    cycle_end = max((w.end for w in years.values()), default=programme.end_month)
    found = []
    for decision in AssessmentDecision.objects.filter(
        assessment__enrolment=enrolment,
        finalised_at__isnull=False,
        corrected_by__isnull=True,
    ).select_related("assessment__scheme"):
        assessment = decision.assessment
        kind = assessment.scheme.kind
        if kind == AssessmentKind.MID_TERM:
            continue
        window = years.get(assessment.year_key)
        if kind == AssessmentKind.ANNUAL and window is None:
            continue  # a year no longer in the programme's calendar
        found.append(
            rules.Decided(
                kind=kind,
                year_key=assessment.year_key if kind == AssessmentKind.ANNUAL else "",
                year_end=window.end if window is not None else cycle_end,
                result=decision.result,
                decided_on=timezone.localtime(decision.decided_at).date(),
                year_label=str(window.label) if window is not None else "",
            )
        )
    return found


def consequence_rules_of(programme) -> set[str]:
    """The consequence rules the programme's schemes follow (each rule belongs to one kind of
    assessment: XH-FAIL-END to the end of term, the others to the annual one)."""
    return {
        rule
        for rules_ in AssessmentScheme.objects.filter(programme=programme).values_list(
            "consequence_rules", flat=True
        )
        for rule in rules_ or ()
    }


def _in_force(enrolment) -> list[Consequence]:
    return list(
        Consequence.objects.filter(enrolment=enrolment, withdrawn_at__isnull=True).order_by("id")
    )


def _as_rule(row: Consequence) -> rules.Consequence:
    return rules.Consequence(
        rule=rules.Rule(row.rule),
        effect=rules.Effect(row.effect),
        year_key=row.year_key,
        reason=row.reason,
        target_year=row.target_year,
        due_on=row.due_on,
    )


ENDED = (EnrolmentStatus.TERMINATED, EnrolmentStatus.WITHDRAWN)


def apply_consequences(enrolment, *, actor, decision: AssessmentDecision) -> rules.Change:
    """Write what follows by rule from the enrolment's final decisions in force (XH-FAIL-1,
    XH-FAIL-2, XH-FAIL-END, XH-BONUS): the consequences to add, those a correction withdraws
    (marked withdrawn, never deleted) and the enrolment's status, each audited in the caller's
    transaction. A terminated or withdrawn enrolment keeps its status."""
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    programme = enrolment.programme
    rows = _in_force(enrolment)
    by_key = {(r.effect, r.year_key, r.target_year): r for r in rows}
    following = {s.value for s in rules.FollowingStatus}
    before_status = rules.FollowingStatus(
        enrolment.status if enrolment.status in following else rules.FollowingStatus.ACTIVE
    )
    before = rules.Consequences(tuple(_as_rule(r) for r in rows), before_status, "")
    with translation.override(settings.LANGUAGE_CODE):
        after = rules.consequences(
            decided_of(enrolment),
            next_years=[(w.key, w.start, w.end, str(w.label)) for w in programme.years],
            applies=consequence_rules_of(programme),
        )
        change = rules.diff(before, after)
        reason = str(decision.reason or "")
        now = timezone.now()
        replaced = [old for old, _new in change.changed]
        for item in (*change.withdraw, *replaced):
            row = by_key[item.key]
            row.withdrawn_at = now
            row.withdrawn_by_decision = decision
            row.withdraw_reason = (
                reason or _("Replaced by the decision of %(date)s.") % {"date": now.date()}
                if item in replaced
                else reason or _("No longer follows from the results.")
            )
            row.save(update_fields=["withdrawn_at", "withdrawn_by_decision", "withdraw_reason"])
            audit_record(
                bureau=enrolment.bureau_id,
                actor=actor,
                action="consequence.withdraw",
                target=enrolment,
                rule=row.rule,
                effect=row.effect,
                year=row.year_key,
                target_year=row.target_year,
                reason=row.withdraw_reason,
                decision=decision.pk,
            )
            plan = RectificationPlan.objects.filter(consequence=row).first()
            if plan is not None and item not in replaced:
                _plan_withdraw(plan)
        for item in (*change.add, *(new for _old, new in change.changed)):
            row = Consequence.objects.create(
                bureau_id=enrolment.bureau_id,
                enrolment=enrolment,
                rule=item.rule.value,
                effect=item.effect.value,
                year_key=item.year_key,
                target_year=item.target_year,
                reason=item.reason,
                due_on=item.due_on,
                decision=decision,
            )
            audit_record(
                bureau=enrolment.bureau_id,
                actor=actor,
                action="consequence.add",
                target=enrolment,
                rule=row.rule,
                effect=row.effect,
                year=row.year_key,
                target_year=row.target_year,
                reason=row.reason,
                decision=decision.pk,
            )
            if item.effect == rules.Effect.RECTIFICATION_PLAN:
                _plan_owe(row, previous=by_key.get(item.key))
        if enrolment.status not in ENDED and after.status.value != enrolment.status:
            enrolment_set_status(
                actor=actor,
                enrolment=enrolment,
                status=after.status.value,
                effective_on=timezone.localdate(),
                reason=str(after.status_reason),
            )
    return change


def _plan_owe(consequence: Consequence, *, previous: Consequence | None) -> RectificationPlan:
    """The plan a rectification consequence owes: a new one, or the plan of the consequence it
    replaces (a new due date) so nothing handed in is lost. The teacher is told."""
    plan = (
        RectificationPlan.objects.filter(consequence=previous).first()
        if previous is not None
        else None
    )
    if plan is not None:
        plan.consequence = consequence
        plan.due_on = consequence.due_on
        plan.save(update_fields=["consequence", "due_on"])
    else:
        plan = RectificationPlan.objects.create(
            bureau_id=consequence.bureau_id,
            consequence=consequence,
            enrolment=consequence.enrolment,
            due_on=consequence.due_on or timezone.localdate(),
        )
    user = consequence.enrolment.teacher.user
    values = {"date": plan.due_on.strftime("%Y-%m-%d"), "reason": consequence.reason}
    notification_create(
        recipient=user,
        key=f"rectification-plan:{plan.pk}:owed:{plan.due_on}",
        subject=str(_("A written rectification plan is due by %(date)s") % values),
        body=str(_("%(reason)s Please hand it in on the portal.") % values),
        link=reverse("assessments:my_plans"),
    )
    return plan


def _plan_withdraw(plan: RectificationPlan) -> None:
    if plan.status == PlanStatus.WITHDRAWN:
        return
    plan.status = PlanStatus.WITHDRAWN
    plan.save(update_fields=["status"])
    notification_create(
        recipient=plan.enrolment.teacher.user,
        key=f"rectification-plan:{plan.pk}:withdrawn",
        subject=str(_("The rectification plan is no longer owed")),
        body=str(
            _(
                "Your assessment result was corrected: the written rectification plan due by "
                "%(date)s is no longer owed."
            )
            % {"date": plan.due_on.strftime("%Y-%m-%d")}
        ),
        link=reverse("assessments:my_plans"),
    )


# --- Rectification plans (XH-FAIL-1) ------------------------------------------------------------


@transaction.atomic
def plan_submit(
    *, actor, plan: RectificationPlan, text: str, files: Sequence[UploadedFile] = ()
) -> RectificationPlan:
    """The teacher hands in the rectification plan (text and/or files), first or again after it
    was returned."""
    plan = RectificationPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.enrolment.teacher.user_id != actor.pk:
        raise PermissionDenied(_("Only the teacher hands in their own rectification plan."))
    if not plan.editable:
        raise ValidationError(_("This plan is not waiting for you to hand it in."))
    text = (text or "").strip()
    accepted = check_uploads(list(files)) if files else []
    if not text and not files and not plan.files.exists():
        raise ValidationError(_("Write the plan or attach a file."))
    before = plan.status
    plan.text = text
    plan.status = PlanStatus.SUBMITTED
    plan.submitted_at = timezone.now()
    plan.save(update_fields=["text", "status", "submitted_at"])
    if files:
        store(PlanFile, {"bureau_id": plan.bureau_id, "plan": plan}, files, accepted)
    audit_record(
        bureau=plan.bureau_id,
        actor=actor,
        action="rectification.submit",
        target=plan,
        before=before,
        files=len(accepted),
    )
    return plan


@transaction.atomic
def plan_review(
    *, actor, plan: RectificationPlan, accept: bool, comment: str = ""
) -> RectificationPlan:
    """Staff accept a handed-in plan, or return it with a comment for the teacher to redo."""
    check_may_decide(actor, plan)
    plan = RectificationPlan.objects.select_for_update().get(pk=plan.pk)
    if not plan.reviewable:
        raise ValidationError(_("This plan is not waiting for review."))
    comment = (comment or "").strip()
    if not accept and not comment:
        raise ValidationError({"comment": _("Say why the plan is returned, so it can be redone.")})
    plan.status = PlanStatus.ACCEPTED if accept else PlanStatus.RETURNED
    plan.review_comment = comment
    plan.reviewed_at = timezone.now()
    plan.reviewed_by = actor
    plan.save(update_fields=["status", "review_comment", "reviewed_at", "reviewed_by"])
    audit_record(
        bureau=plan.bureau_id,
        actor=actor,
        action=f"rectification.{plan.status}",
        target=plan,
        comment=comment,
    )
    with translation.override(settings.LANGUAGE_CODE):
        if accept:
            subject = _("Your rectification plan was accepted")
            body = _("Your written rectification plan was accepted.")
        else:
            subject = _("Your rectification plan was returned")
            body = _("Your written rectification plan was returned: %(comment)s") % {
                "comment": comment
            }
        if accept and comment:
            body = f"{body}\n{comment}"
    notification_create(
        recipient=plan.enrolment.teacher.user,
        key=f"rectification-plan:{plan.pk}:{plan.status}:{plan.reviewed_at.isoformat()}",
        subject=str(subject),
        body=str(body),
        link=reverse("assessments:my_plans"),
    )
    return plan


def plan_reminders(*, today: dt.date, before: tuple[int, ...], overdue_after: int) -> list:
    """The reminders due today for rectification plans not handed in (XH-FAIL-1): unsaved
    notifications, keyed so each is made once (the reminder scan inserts them)."""
    from accounts.models import Notification
    from bureaus.tenancy import all_bureaus
    from workshops import rules as reminder_rules

    lookahead = dt.timedelta(days=max(before, default=0))
    lookback = dt.timedelta(days=overdue_after + 7)
    link = reverse("assessments:my_plans")
    found = []
    with all_bureaus():
        plans = RectificationPlan.objects.filter(
            status__in=(PlanStatus.OWED, PlanStatus.RETURNED),
            due_on__range=(today - lookback, today + lookahead),
        ).values_list("pk", "bureau_id", "due_on", "enrolment__teacher__user_id")
        for pk, bureau_id, due, user_id in plans:
            for reminder in reminder_rules.reminders_due(
                due, today, filed=False, before=before, overdue_after=overdue_after
            ):
                values = {"date": due.strftime("%Y-%m-%d"), "days": reminder.days}
                if reminder.kind == reminder_rules.ReminderKind.OVERDUE:
                    subject = _("Overdue: your rectification plan (due %(date)s)") % values
                    body = (
                        _(
                            "Your written rectification plan was due on %(date)s. Please hand it "
                            "in as soon as you can."
                        )
                        % values
                    )
                else:
                    subject = _("Reminder: your rectification plan is due on %(date)s") % values
                    body = (
                        _("Your written rectification plan is due on %(date)s, in %(days)s days.")
                        % values
                    )
                found.append(
                    Notification(
                        bureau_id=bureau_id,
                        recipient_id=user_id,
                        key=f"rectification-plan:{pk}:{reminder.kind}:{reminder.days}:{due}",
                        subject=str(subject),
                        body=str(body),
                        link=link,
                    )
                )
    return found


# --- Endings (XH-TERMINATE) ---------------------------------------------------------------------


@transaction.atomic
def enrolment_end(
    *,
    actor,
    enrolment,
    ground: str,
    effective_on: dt.date | None,
    reason: str,
    document_number: str,
) -> Ending:
    """Record the leading group's decision ending a teacher's participation (XH-TERMINATE):
    terminated (ethics, unlawful conduct) or withdrawn (transfer, another reason), effective that
    day. Raises ``rules.InvalidEnding`` with the problems by field."""
    check_may_decide(actor, enrolment)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if Ending.objects.filter(enrolment=enrolment).exists():
        raise rules.InvalidEnding({"kind": _("This participation has already ended.")})
    with translation.override(settings.LANGUAGE_CODE):
        ending = rules.termination(
            ground,
            effective_on=effective_on,
            reason=reason,
            document_number=document_number,
            today=timezone.localdate(),
            enrolled_on=enrolment.enrolled_on,
        )
        text = str(ending.text)
    row = Ending.objects.create(
        bureau_id=enrolment.bureau_id,
        enrolment=enrolment,
        kind=ending.kind.value,
        ground=ending.ground.value,
        effective_on=ending.effective_on,
        document_number=ending.document_number,
        reason=ending.reason,
        decided_by=actor,
    )
    audit_record(
        bureau=enrolment.bureau_id,
        actor=actor,
        action="enrolment.end",
        target=enrolment,
        kind=row.kind,
        ground=row.ground,
        effective_on=row.effective_on,
        document_number=row.document_number,
        reason=row.reason,
    )
    enrolment_set_status(
        actor=actor,
        enrolment=enrolment,
        status=row.kind,
        effective_on=row.effective_on,
        reason=f"{text} {row.reason}",
    )
    for plan in RectificationPlan.objects.filter(
        enrolment=enrolment, status__in=(PlanStatus.OWED, PlanStatus.RETURNED)
    ):
        plan.status = PlanStatus.WITHDRAWN
        plan.save(update_fields=["status"])
    notification_create(
        recipient=enrolment.teacher.user,
        key=f"enrolment-ended:{enrolment.pk}",
        subject=str(
            _("Your participation in %(programme)s has ended")
            % {"programme": enrolment.programme.name}
        ),
        body=f"{text}\n{row.reason}",
    )
    return row


# --- SJ-INIT ------------------------------------------------------------------------------------


@transaction.atomic
def init_assessment_record(
    *, actor, programme, teacher, result: str, assessed_on: dt.date, comment: str = ""
) -> InitAssessment:
    """SJ-INIT: record the assessment of a trainee class teacher, which the programme's reserve
    pool reads; a later record replaces an earlier one as the one that counts."""
    check_may_decide(actor, programme)
    if teacher.bureau_id != programme.bureau_id:
        raise PermissionDenied(_("Only the bureau's programme staff decide assessments."))
    if result not in Result.values:
        raise ValidationError({"result": _("Choose a result.")})
    if assessed_on is None or assessed_on > timezone.localdate():
        raise ValidationError(
            {"assessed_on": _("Give the day of the assessment, not later than today.")}
        )
    row = InitAssessment.objects.create(
        bureau_id=programme.bureau_id,
        programme=programme,
        teacher=teacher,
        result=result,
        assessed_on=assessed_on,
        comment=(comment or "").strip(),
        decided_by=actor,
    )
    audit_record(
        bureau=programme.bureau_id,
        actor=actor,
        action="assessment.init",
        target=row,
        teacher=teacher.user.full_name,
        result=result,
    )
    return row


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
            consequence_rules=list(scheme.consequence_rules or ()),
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
                due_month=c.due_month,
                due_day=c.due_day,
            )
            for c in scheme.components.all()
        )


def annual_scheme(programme) -> AssessmentScheme | None:
    """The programme's annual assessment scheme, if it has one."""
    return AssessmentScheme.objects.filter(programme=programme, kind=AssessmentKind.ANNUAL).first()


def team_assessment_locked(team, year_key: str) -> bool:
    """A group's assessment of a year is locked once the bureau has finalised the annual
    assessment of any of its members for that year: it is then part of what was decided on."""
    return AssessmentDecision.objects.filter(
        assessment__scheme__programme_id=team.programme_id,
        assessment__scheme__kind=AssessmentKind.ANNUAL,
        assessment__year_key=year_key,
        assessment__enrolment__teacher__memberships__team=team,
        finalised_at__isnull=False,
    ).exists()


@transaction.atomic
def team_assessment_file(
    *,
    actor,
    team,
    year_key: str,
    result: str,
    text: str = "",
    files: Sequence[UploadedFile] = (),
) -> TeamAssessment:
    """XH-WS-LEAD: the lead files the assessment of their group as a whole for a year of the
    programme, on the scale of the programme's annual assessment. Filing again replaces the
    result and text and adds the files, until the assessment of a member of that year is
    finalised."""
    check_may_assess_team(actor, team)
    scheme = annual_scheme(team.programme)
    if scheme is None:
        raise ValidationError(_("The programme has no annual assessment."))
    if year_key not in [w.key for w in team.programme.years]:
        raise ValidationError(
            {"year_key": _("%(year)s is not a year of the programme.") % {"year": year_key}}
        )
    if team_assessment_locked(team, year_key):
        raise AssessmentLocked(
            _("The bureau has finalised this year's assessments; the group's can no longer change.")
        )
    _check_result(scheme, result)
    accepted = check_uploads(list(files)) if files else []
    found = TeamAssessment.objects.filter(team=team, year_key=year_key).first()
    before = None
    if found is None:
        found = TeamAssessment(bureau_id=team.bureau_id, team=team, year_key=year_key)
    else:
        before = {"result": found.result}
    found.result = result
    found.text = (text or "").strip()
    found.filed_by = actor
    found.filed_at = timezone.now()
    found.save()
    if files:
        store(
            TeamAssessmentFile,
            {"bureau_id": found.bureau_id, "team_assessment": found},
            files,
            accepted,
        )
    audit_record(
        bureau=team.bureau_id,
        actor=actor,
        action="assessment.team_file",
        target=found,
        group=team.name,
        year=year_key,
        result=result,
        files=len(accepted),
        before=before,
    )
    return found


def self_assessment_reminders(
    *, today: dt.date, before: tuple[int, ...], overdue_after: int
) -> list[Notification]:
    """The reminders due today to participants whose self-assessment is due (a self-assessment
    part with a due date) and not filed, the days before and once overdue; none once the
    assessment is finalised. Read across all bureaus by the reminder scan; each is keyed by
    enrolment, part and year so it is made once."""
    from workshops import rules as reminder_rules

    lookahead = dt.timedelta(days=max(before, default=0))
    lookback = dt.timedelta(days=overdue_after + 7)
    parts = AssessmentComponent.objects.filter(
        level=FilingLevel.SELF, due_month__isnull=False
    ).select_related("scheme__programme")
    link = reverse("assessments:my_assessments")
    rows = []
    for part in parts:
        scheme, programme = part.scheme, part.scheme.programme
        keys = [w.key for w in programme.years] if scheme.kind == AssessmentKind.ANNUAL else [""]
        for year_key in keys:
            due = part.due_on(programme, year_key)
            if due is None or not today - lookback <= due <= today + lookahead:
                continue
            reminders = reminder_rules.reminders_due(
                due, today, filed=False, before=before, overdue_after=overdue_after
            )
            if not reminders:
                continue
            filed = ComponentAssessment.objects.filter(
                assessment__enrolment=OuterRef("pk"),
                assessment__year_key=year_key,
                component=part,
            )
            final = AssessmentDecision.objects.filter(
                assessment__enrolment=OuterRef("pk"),
                assessment__scheme=scheme,
                assessment__year_key=year_key,
                finalised_at__isnull=False,
            )
            owing = (
                Enrolment.objects.filter(
                    programme=programme, status__in=[EnrolmentStatus.ACTIVE, EnrolmentStatus.WARNED]
                )
                .exclude(Exists(filed))
                .exclude(Exists(final))
                .values_list("pk", "bureau_id", "teacher__user_id")
            )
            window = next((w for w in programme.years if w.key == year_key), None)
            name = f"{window.label}{scheme.title}" if window is not None else scheme.title
            for reminder in reminders:
                values = {
                    "assessment": name,
                    "date": due.strftime("%Y-%m-%d"),
                    "days": reminder.days,
                }
                if reminder.kind == reminder_rules.ReminderKind.OVERDUE:
                    subject = _("Overdue: your self-assessment for %(assessment)s") % values
                    body = (
                        _(
                            "Your self-assessment for %(assessment)s was due on %(date)s. It is "
                            "still accepted until the assessment is finalised."
                        )
                        % values
                    )
                else:
                    subject = _("Your self-assessment is due in %(days)s days") % values
                    body = _("Your self-assessment for %(assessment)s is due on %(date)s.") % values
                for enrolment_id, bureau_id, user_id in owing:
                    rows.append(
                        Notification(
                            bureau_id=bureau_id,
                            recipient_id=user_id,
                            key=(
                                f"self-assessment:{enrolment_id}:{part.pk}:{year_key}:"
                                f"{reminder.kind}:{reminder.days}"
                            ),
                            subject=str(subject),
                            body=str(body),
                            link=link,
                        )
                    )
    return rows


IMPORT_BATCH = 500


def _changed_meanwhile() -> str:
    return _(
        "Some of these assessments were decided while the sheet was checked; nothing was "
        "written. Check the sheet again."
    )


def _comments(rows: list) -> Value | Case:
    """The comment of each row of a batch as one expression: the batch's commonest comment, with
    a CASE only for the rows whose comment differs."""
    common, _count = Counter(r.comment for r in rows).most_common(1)[0]
    others = [When(pk=r.draft_id, then=Value(r.comment)) for r in rows if r.comment != common]
    if not others:
        return Value(common)
    return Case(*others, default=Value(common), output_field=models.TextField())


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
    # The drafts revised, each row written once: one UPDATE per result and batch, the same actor
    # and time for all, the comment by a CASE on the rows whose comment is not the batch's
    # commonest (usually none or few).
    revised = [r for r in decided if r.draft_id]
    by_result: dict[str, list] = {}
    for r in revised:
        by_result.setdefault(r.result, []).append(r)
    drafts = AssessmentDecision.objects.filter(finalised_at__isnull=True)
    written = 0
    for result, group in by_result.items():
        for start in range(0, len(group), IMPORT_BATCH):
            batch = group[start : start + IMPORT_BATCH]
            written += drafts.filter(pk__in=[r.draft_id for r in batch]).update(
                result=result, decided_by=actor, decided_at=now, comment=_comments(batch)
            )
    if written != len(revised):  # finalised since the check: nothing is written
        raise ValidationError(_changed_meanwhile())
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
