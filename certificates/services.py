"""Writes on certificates: issuing (numbered, signed, its PDF made by the worker), and what the
rest of this app adds on top (revoking, reissuing, batches). Each write is one transaction with
its audit row; the PDF is an outbox job recorded in the same transaction."""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bureaus.outbox import enqueue
from bureaus.services import audit_record

from . import signing
from .models import Certificate, CertificateKind, CertificateStatus, NumberCounter

# Verification codes: ten characters without the ones people misread (0/O, 1/I/L, 5/S, 2/Z, U).
CODE_ALPHABET = "346789ABCDEFGHJKMNPQRTVWXY"
CODE_LENGTH = 10


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def next_number(*, bureau_id: int, series: str, year: int) -> int:
    """The next number of a bureau's series in a year, gapless: the counter row is locked until
    the issuing transaction ends, so a number is taken only when its certificate is committed."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("numbers are taken inside the issuing transaction")
    NumberCounter.objects.get_or_create(bureau_id=bureau_id, series=series, year=year)
    counter = NumberCounter.objects.select_for_update().get(
        bureau_id=bureau_id, series=series, year=year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def format_number(number_format: str, *, year: int, seq: int) -> str:
    return number_format.format(year=year, seq=seq)


@transaction.atomic
def certificate_issue(
    *,
    actor,
    kind: CertificateKind,
    teacher,
    enrolment=None,
    fields: dict | None = None,
    batch=None,
    issued_on: dt.date | None = None,
    checked: bool = True,
    holder_name: str | None = None,
) -> Certificate:
    """Issue one certificate of ``kind`` to ``teacher``: numbered in issue order, given its
    verification code and signature, audited; its PDF is made by the worker after the commit.

    ``checked``: refuse a teacher the rules do not allow (XH-FAIL-END, XH-TERMINATE, SJ-HONOUR,
    PT-FILE) with the reason, and fill the printed fields when none are given. A caller that has
    just read ``certificates_due`` may pass ``checked=False`` with the due fields."""
    if checked:
        from .selectors import due_for

        candidate = due_for(kind, teacher, enrolment=enrolment)
        if candidate is None:
            raise ValidationError(_("This teacher does not take part in the programme."))
        if not candidate.eligibility:
            raise ValidationError(candidate.eligibility.reason)
        if Certificate.objects.filter(
            kind=kind, teacher=teacher, status=CertificateStatus.VALID
        ).exists():
            raise ValidationError(_("This teacher already has a valid certificate of this kind."))
        if enrolment is None and candidate.due.enrolment_id is not None:
            from cohorts.models import Enrolment

            enrolment = Enrolment.objects.get(pk=candidate.due.enrolment_id)
        if not fields:
            fields = dict(candidate.due.fields)
    issued_on = issued_on or kind.issue_date or timezone.localdate()
    year = issued_on.year
    series = kind.number_series
    seq = next_number(bureau_id=kind.bureau_id, series=series, year=year)
    key = signing.signing_key_for(kind.bureau_id)
    certificate = Certificate(
        bureau_id=kind.bureau_id,
        kind=kind,
        teacher=teacher,
        enrolment=enrolment,
        school_id=enrolment.school_id if enrolment is not None else teacher.school_id,
        batch=batch,
        number=format_number(kind.number_format, year=year, seq=seq),
        series=series,
        year=year,
        seq=seq,
        code=new_code(),
        issued_on=issued_on,
        holder_name=holder_name or teacher.user.full_name,
        programme_name=kind.programme.name,
        title=kind.title,
        fields=fields or {},
        signing_key=key,
        issued_by=actor,
    )
    certificate.signature = signing.sign(key, signing.payload_of(certificate))
    certificate.save()
    audit_record(
        bureau=kind.bureau_id,
        actor=actor,
        action="certificate.issue",
        target=certificate,
        number=certificate.number,
        holder=certificate.holder_name,
        kind=kind.title,
    )
    from .tasks import render_certificate

    enqueue(render_certificate, certificate.pk, kind.bureau_id, bureau=kind.bureau_id)
    return certificate


@transaction.atomic
def certificate_revoke(*, actor, certificate: Certificate, reason: str) -> Certificate:
    """Revoke a certificate, with the reason: the verification page says revoked from now on and
    the holder may no longer download it. Nothing else of it changes."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the certificate is revoked.")})
    locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if locked.status == CertificateStatus.REVOKED:
        raise ValidationError(_("This certificate is already revoked."))
    locked.status = CertificateStatus.REVOKED
    locked.revoked_at = timezone.now()
    locked.revoked_by = actor
    locked.revoked_reason = reason
    locked.save(update_fields=["status", "revoked_at", "revoked_by", "revoked_reason"])
    audit_record(
        bureau=locked.bureau_id,
        actor=actor,
        action="certificate.revoke",
        target=locked,
        number=locked.number,
        holder=locked.holder_name,
        reason=reason,
    )
    for name in ("status", "revoked_at", "revoked_by_id", "revoked_reason"):
        setattr(certificate, name, getattr(locked, name))
    return locked


@transaction.atomic
def certificate_reissue(
    *, actor, certificate: Certificate, reason: str, holder_name: str | None = None
) -> Certificate:
    """Replace a certificate (e.g. after a name correction): the old one is revoked and points to
    the new one, which has a new number and code and prints the same fields. The holder's name is
    the profile's unless given."""
    old = certificate_revoke(actor=actor, certificate=certificate, reason=reason)
    new = certificate_issue(
        actor=actor,
        kind=old.kind,
        teacher=old.teacher,
        enrolment=old.enrolment,
        fields=dict(old.fields),
        issued_on=None,
        checked=False,
        holder_name=(holder_name or "").strip() or None,
    )
    old.replaced_by = new
    old.save(update_fields=["replaced_by"])
    certificate.replaced_by = new
    audit_record(
        bureau=old.bureau_id,
        actor=actor,
        action="certificate.reissue",
        target=new,
        replaces=old.number,
        number=new.number,
        holder=new.holder_name,
        reason=old.revoked_reason,
    )
    return new


def certificate_kinds_copy(*, actor, source, target, months: int) -> None:
    """A programme's certificate kinds and their signatories go with it to its next cycle
    (``programme_copy``); the certificates issued stay with the old one. A kind's fixed issue
    date moves with the cycle; a training kind's part is the new programme's part of the same
    code (none if it has no such part). Seals are shared: the stored image is not copied."""
    from programmes.models import Requirement
    from programmes.services import _shift

    from .models import Signatory

    parts = {r.code: r for r in Requirement.objects.filter(programme=target)}
    for kind in CertificateKind.objects.filter(programme=source).select_related("requirement"):
        copy = CertificateKind.objects.create(
            bureau_id=target.bureau_id,
            programme=target,
            type=kind.type,
            title=kind.title,
            requirement=parts.get(kind.requirement.code) if kind.requirement_id else None,
            min_class_teacher_years=kind.min_class_teacher_years,
            number_format=kind.number_format,
            number_series=kind.number_series,
            issue_date=_shift(kind.issue_date, months),
            template_html=kind.template_html,
            template_css=kind.template_css,
            active=kind.active,
        )
        Signatory.objects.bulk_create(
            Signatory(
                bureau_id=target.bureau_id,
                kind=copy,
                name=s.name,
                title=s.title,
                seal=s.seal.name,
                order=s.order,
            )
            for s in kind.signatories.all()
        )
