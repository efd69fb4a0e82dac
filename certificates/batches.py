"""Batches: staff issue every certificate due of a kind (for the programme, or one school) in one
action, and watch it progress.

``batch_start`` writes the batch (with how many are due) and its outbox job in one transaction.
The job (``tasks.issue_batch``) issues what is still due in chunks, each chunk its own
transaction: a worker killed midway loses at most the chunk it was writing, and the job run again
(the outbox sweep hands it over again) re-reads what is due — those issued already are not due
any more, and the one valid certificate a holder may have of a kind is a unique constraint — so
nobody is issued twice and nobody is skipped. Each certificate's PDF is its own job, recorded by
``certificate_issue``. The progress is read from the certificates of the batch.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bureaus.outbox import enqueue
from bureaus.services import audit_record

from .models import (
    Certificate,
    CertificateBatch,
    CertificateKind,
    CertificateStatus,
    RenderState,
)

# Certificates issued per transaction: a killed worker loses at most this many, and the numbering
# counter is locked no longer than one chunk.
CHUNK = 25


def due_for(kind: CertificateKind, school=None) -> list:
    """What is due of ``kind`` (for one school), as ``certificates.selectors`` reads it."""
    from .selectors import certificates_due

    return certificates_due(kind=kind, school=school)


@transaction.atomic
def batch_start(*, actor, kind: CertificateKind, school=None) -> CertificateBatch:
    """Record a batch issuing every certificate of ``kind`` due (in ``school``, or the whole
    programme) and hand it to the worker after the commit."""
    if not kind.active:
        raise ValidationError(
            _("This kind of certificate is not in use; it cannot be issued."), code="inactive"
        )
    if school is not None and school.bureau_id != kind.bureau_id:
        raise ValidationError(_("The school is not one of the bureau's."), code="school")
    total = len(due_for(kind, school))
    batch = CertificateBatch.objects.create(
        bureau_id=kind.bureau_id,
        kind=kind,
        school=school,
        requested_by=actor,
        total=total,
        finished_at=timezone.now() if total == 0 else None,
    )
    audit_record(
        bureau=kind.bureau_id,
        actor=actor,
        action="certificate.batch",
        target=batch,
        kind=kind.title,
        school=school.name if school is not None else "",
        total=total,
    )
    if total:
        from .tasks import issue_batch

        enqueue(issue_batch, batch.pk, kind.bureau_id, bureau=kind.bureau_id)
    return batch


def batch_issue(batch_id: int) -> int:
    """The job's work: issue every certificate of the batch's kind still due, chunk by chunk;
    returns how many this run issued. Safe to run again at any point."""
    batch = (
        CertificateBatch.objects.select_related("kind__programme", "school", "requested_by")
        .filter(pk=batch_id)
        .first()
    )
    if batch is None:
        return 0
    due = due_for(batch.kind, batch.school)
    issued = 0
    for start in range(0, len(due), CHUNK):
        issued += _issue_chunk(batch, due[start : start + CHUNK])
    # What the batch issued is its total from now on: some may have stopped being due, or become
    # due, since it was asked for.
    count = Certificate.objects.filter(batch=batch).count()
    CertificateBatch.objects.filter(pk=batch.pk).update(total=count)
    batch_finish_if_done(batch.pk)
    return issued


def _issue_chunk(batch: CertificateBatch, chunk: list) -> int:
    from accounts.models import TeacherProfile

    from .services import certificate_issue

    issued = 0
    with transaction.atomic():
        # Those given a valid certificate of the kind since the list was read (another batch,
        # a single issue) are not issued again.
        holding = set(
            Certificate.objects.filter(
                kind=batch.kind,
                status=CertificateStatus.VALID,
                teacher_id__in=[d.teacher_id for d in chunk],
            ).values_list("teacher_id", flat=True)
        )
        teachers = TeacherProfile.objects.select_related("user").in_bulk(
            [d.teacher_id for d in chunk if d.teacher_id not in holding]
        )
        enrolments = _enrolments([d.enrolment_id for d in chunk if d.enrolment_id])
        for due in chunk:
            teacher = teachers.get(due.teacher_id)
            if teacher is None:
                continue
            try:
                with transaction.atomic():
                    certificate_issue(
                        actor=batch.requested_by,
                        kind=batch.kind,
                        teacher=teacher,
                        enrolment=enrolments.get(due.enrolment_id),
                        fields=due.fields,
                        batch=batch,
                        checked=True,
                    )
            except (IntegrityError, ValidationError):
                # Issued meanwhile by someone else, or no longer due: not this batch's to issue.
                continue
            issued += 1
    return issued


def _enrolments(ids: list[int]) -> dict:
    if not ids:
        return {}
    from cohorts.models import Enrolment

    return Enrolment.objects.in_bulk(ids)


@dataclass(frozen=True)
class Progress:
    issued: int
    made: int
    failed: int
    total: int

    def __iter__(self):
        return iter((self.issued, self.made, self.failed, self.total))

    @property
    def percent(self) -> int:
        """How far the batch is: issuing and making each PDF count half."""
        if not self.total:
            return 100
        return min(100, (self.issued + self.made) * 50 // self.total)

    @property
    def settled(self) -> bool:
        """Nothing more to wait for: all issued, and each PDF made or failed."""
        return self.issued >= self.total and self.made + self.failed >= self.issued


def batch_progress(batch: CertificateBatch) -> Progress:
    """(issued, made, failed, total) of a batch, read from its certificates in one query."""
    counts = Certificate.objects.filter(batch_id=batch.pk).aggregate(
        issued=Count("id"),
        made=Count("id", filter=Q(render_state=RenderState.DONE)),
        failed=Count("id", filter=Q(render_state=RenderState.FAILED)),
    )
    return Progress(counts["issued"], counts["made"], counts["failed"], batch.total)


def batch_finish_if_done(batch_id: int) -> bool:
    """Mark the batch finished once everything due is issued and every PDF is made."""
    batch = CertificateBatch.objects.filter(pk=batch_id, finished_at__isnull=True).first()
    if batch is None:
        return False
    issued, made, _failed, total = batch_progress(batch)
    if issued < total or made < issued:
        return False
    return bool(
        CertificateBatch.objects.filter(pk=batch_id, finished_at__isnull=True).update(
            finished_at=timezone.now()
        )
    )
