"""Writes on enrolments and evidence. Each runs in one transaction with its audit row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.roles import Role
from accounts.services import notification_create
from bureaus import outbox, spreadsheets, uploads
from bureaus.files import check_uploads, max_upload_bytes, remove, store
from bureaus.services import audit_record

from . import rules
from .access import bureau_reviews_school_first, reviewer_role
from .models import (
    Enrolment,
    EnrolmentStatus,
    EnrolmentStatusChange,
    Evidence,
    EvidenceEvent,
    EvidenceFile,
    EvidenceState,
)

EVIDENCE_FIELDS = (
    "kind",
    "title",
    "level",
    "date",
    "hours",
    "delivery_mode",
    "description",
    "mentee_names",
    "dimensions",
    "output_call",
)


def _event(evidence: Evidence, before: str, actor, comment: str = "") -> None:
    EvidenceEvent.objects.create(
        bureau_id=evidence.bureau_id,
        evidence=evidence,
        from_state=before,
        to_state=evidence.state,
        actor=actor,
        comment=comment,
    )


@transaction.atomic
def evidence_save(
    *,
    actor,
    teacher,
    data: dict,
    requirements: Iterable,
    files: Sequence[UploadedFile] = (),
    remove_file_ids: Iterable[int] = (),
    evidence: Evidence | None = None,
    submit: bool = False,
    mentees: Iterable | None = None,
) -> Evidence:
    """Create or edit a teacher's evidence (a draft, or a returned item), optionally submitting.

    ``mentees`` are the teachers of the bureau the item names (None: leave them as they are)."""
    if actor.pk != teacher.user_id:
        raise PermissionDenied(_("Only the teacher can file their own evidence."))
    accepted = check_uploads(files)  # refuse bad files before writing anything
    if evidence is None:
        evidence = Evidence(bureau_id=teacher.bureau_id, teacher=teacher)
    elif not evidence.is_editable:
        raise ValidationError(_("Submitted evidence cannot be changed while it is being reviewed."))
    for name in EVIDENCE_FIELDS:
        if name in data:
            setattr(evidence, name, data[name])
    evidence.save()
    evidence.requirements.set(list(requirements))
    if mentees is not None:
        mentees = list(mentees)
        if any(m.bureau_id != teacher.bureau_id for m in mentees):
            raise ValidationError({"mentees": _("Name teachers of your own bureau only.")})
        evidence.mentees.set(mentees)
    # The stored files go only after the commit: a refusal below keeps rows and files together.
    remove(evidence.files.filter(pk__in=list(remove_file_ids)))
    store(EvidenceFile, {"bureau_id": evidence.bureau_id, "evidence": evidence}, files, accepted)
    if submit:
        if not evidence.files.exists():
            raise ValidationError({"files": _("Attach at least one file before submitting.")})
        evidence_submit(actor=actor, evidence=evidence)
    return evidence


@transaction.atomic
def evidence_submit(*, actor, evidence: Evidence) -> Evidence:
    before = evidence.state
    evidence.state = rules.transition(
        rules.State(before),
        rules.Action.SUBMIT,
        by=None,
        level=evidence.level,
        school_review_first=bureau_reviews_school_first(evidence.bureau_id),
    )
    evidence.submitted_at = timezone.now()
    evidence.review_comment = ""
    evidence.save(update_fields=["state", "submitted_at", "review_comment", "updated_at"])
    _event(evidence, before, actor)
    audit_record(
        bureau=evidence.bureau_id,
        actor=actor,
        action="evidence.submit",
        target=evidence,
        state=evidence.state,
    )
    return evidence


@transaction.atomic
def evidence_review(*, actor, evidence: Evidence, approve: bool, comment: str = "") -> Evidence:
    """Approve (verify, or pass on from the school) or return evidence with a comment."""
    as_reviewer = reviewer_role(actor, evidence)
    if as_reviewer is None:
        raise PermissionDenied(_("This item is not waiting for your review."))
    if not approve and not comment.strip():
        raise ValidationError(_("Say why the item is returned, so the teacher can fix it."))
    before = evidence.state
    evidence.state = rules.transition(
        rules.State(before),
        rules.Action.APPROVE if approve else rules.Action.RETURN,
        by=as_reviewer,
        level=evidence.level,
        school_review_first=bureau_reviews_school_first(evidence.bureau_id),
    )
    evidence.review_comment = "" if approve else comment.strip()
    fields = ["state", "review_comment", "updated_at"]
    if evidence.state == EvidenceState.VERIFIED:
        evidence.verified_at, evidence.verified_by = timezone.now(), actor
        fields += ["verified_at", "verified_by"]
    evidence.save(update_fields=fields)
    _event(evidence, before, actor, comment.strip())
    audit_record(
        bureau=evidence.bureau_id,
        actor=actor,
        action=f"evidence.{evidence.state}",
        target=evidence,
        comment=comment.strip(),
    )
    if evidence.state == EvidenceState.RETURNED:
        with translation.override(settings.LANGUAGE_CODE):
            notification_create(
                recipient=evidence.teacher.user,
                key=f"evidence-returned:{evidence.pk}:{evidence.events.count()}",
                subject=_("Returned: %(title)s") % {"title": evidence.title},
                body=_("Your evidence “%(title)s” was returned: %(comment)s")
                % {"title": evidence.title, "comment": comment.strip()},
                link=f"/evidence/{evidence.pk}/",
            )
    return evidence


@transaction.atomic
def enrolment_set_status(
    *, actor, enrolment: Enrolment, status: str, effective_on: dt.date, reason: str = ""
) -> Enrolment:
    """Change an enrolment's status, keeping the dated history with the reason."""
    status = EnrolmentStatus(status)
    if status == enrolment.status:
        return enrolment
    if status in (EnrolmentStatus.WITHDRAWN, EnrolmentStatus.TERMINATED) and not reason.strip():
        raise ValidationError(_("Withdrawal and termination need the reason (the decision)."))
    before = enrolment.status
    enrolment.status = status
    enrolment.save(update_fields=["status"])
    EnrolmentStatusChange.objects.create(
        bureau_id=enrolment.bureau_id,
        enrolment=enrolment,
        from_status=before,
        to_status=status,
        effective_on=effective_on,
        reason=reason.strip(),
        actor=actor,
    )
    audit_record(
        bureau=enrolment.bureau_id,
        actor=actor,
        action="enrolment.status",
        target=enrolment,
        before=before,
        after=status.value,
        reason=reason.strip(),
    )
    return enrolment


@transaction.atomic
def pool_appoint(*, actor, entry, tier, on: dt.date, override_reason: str = "") -> Enrolment:
    """Appoint a teacher from the reserve pool (SJ-POOL): they are enrolled in ``tier``. A
    teacher an enrolment check objects to (e.g. barred) is appointed only with the reason to
    enrol them all the same, which is audited."""
    from .models import ReservePoolEntry

    entry = ReservePoolEntry.objects.select_for_update().select_related("teacher").get(pk=entry.pk)
    if entry.enrolment_id is not None:
        raise ValidationError(
            _("%(name)s has already been appointed.") % {"name": entry.teacher.user.full_name}
        )
    from .selectors import pool_entry_shortfalls

    reasons = pool_entry_shortfalls(entry)
    if reasons:
        raise ValidationError(
            _("%(name)s cannot be appointed yet: %(reasons)s")
            % {"name": entry.teacher.user.full_name, "reasons": "、".join(reasons)}
        )
    if tier.programme_id != entry.programme_id:
        raise ValidationError(_("Choose a tier of the same programme."))
    from .checks import enrolment_objections

    objections = enrolment_objections(
        bureau_id=entry.bureau_id, programme=entry.programme, teacher_ids=[entry.teacher_id]
    ).get(entry.teacher_id, [])
    override_reason = (override_reason or "").strip()
    if objections and not override_reason:
        advice = _("To enrol them all the same, give the reason to enrol all the same.")
        raise ValidationError(f"{' '.join(objections)} {advice}")
    if objections:
        audit_record(
            bureau=entry.bureau_id,
            actor=actor,
            action="enrolment.override",
            target=entry.programme,
            staff_number=entry.teacher.staff_number,
            teacher=entry.teacher.user.full_name,
            objections=objections,
            reason=override_reason,
        )
    enrolment, _created = Enrolment.objects.get_or_create(
        bureau_id=entry.bureau_id,
        programme_id=entry.programme_id,
        teacher=entry.teacher,
        defaults={"tier": tier, "school_id": entry.teacher.school_id, "enrolled_on": on},
    )
    EnrolmentStatusChange.objects.create(
        bureau_id=entry.bureau_id,
        enrolment=enrolment,
        from_status="",
        to_status=EnrolmentStatus.ACTIVE,
        effective_on=on,
        reason=_("Appointed from the reserve pool"),
        actor=actor,
    )
    entry.enrolment = enrolment
    entry.save(update_fields=["enrolment"])
    audit_record(
        bureau=entry.bureau_id, actor=actor, action="pool.appoint", target=enrolment, tier=tier.name
    )
    return enrolment


@transaction.atomic
def evidence_select_for_publication(*, actor, evidence: Evidence, selected: bool) -> Evidence:
    """Mark an output submitted to a call as selected for publication (HA-OUTPUT), or not."""
    if evidence.output_call_id is None:
        raise ValidationError(_("This evidence was not submitted to a call for outputs."))
    if not actor.has_role(Role.BUREAU_STAFF):
        raise PermissionDenied
    if evidence.selected_for_publication != selected:
        evidence.selected_for_publication = selected
        evidence.save(update_fields=["selected_for_publication", "updated_at"])
        audit_record(
            bureau=evidence.bureau_id,
            actor=actor,
            action="output.select" if selected else "output.unselect",
            target=evidence,
        )
    return evidence


ROSTER_EXTENSIONS = (".xlsx", ".csv")


def check_roster_upload(upload) -> None:
    """A roster is a non-empty .xlsx or .csv file of at most the size of an uploaded file; a
    workbook passes the zip checks of uploads (bombs, macros, missing parts) before openpyxl
    reads it."""
    name = uploads.short_name(getattr(upload, "name", "") or "")
    if not name.lower().endswith(ROSTER_EXTENSIONS):
        raise ValidationError(_("A roster must be an .xlsx or .csv file."))
    if not upload.size:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name})
    if upload.size > max_upload_bytes():
        raise ValidationError(
            _("“%(name)s” is %(size)s MB; a file may be at most %(max)s MB.")
            % {
                "name": name,
                "size": uploads.megabytes(upload.size),
                "max": uploads.megabytes(max_upload_bytes()),
            }
        )
    if name.lower().endswith(".xlsx"):
        upload.seek(0)
        data = upload.read(max_upload_bytes() + 1)
        upload.seek(0)
        spreadsheets.check_workbook(data, name)


@transaction.atomic
def roster_import_queue(*, actor, job):
    """Save a roster-import job built from an upload and run it in the background."""
    from .models import RosterImportStatus
    from .tasks import run_roster_import

    check_roster_upload(job.file)
    name = job.file.name
    job.bureau_id = job.programme.bureau_id
    job.original_name = uploads.short_name(name)  # keeps .xlsx: the task reads by it
    job.created_by = actor
    job.status = RosterImportStatus.QUEUED
    job.save()
    audit_record(
        bureau=job.bureau_id,
        actor=actor,
        action="roster.queue",
        target=job.programme,
        file=job.original_name,
    )
    outbox.enqueue(run_roster_import, job.pk, job.bureau_id, bureau=job.bureau_id)
    return job
