"""Writes on certificates: issuing (numbered, signed, its PDF made by the worker), and what the
rest of this app adds on top (revoking, reissuing, batches). Each write is one transaction with
its audit row; the PDF is an outbox job recorded in the same transaction."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone

from bureaus.outbox import enqueue
from bureaus.services import audit_record

from . import signing
from .models import Certificate, CertificateKind, NumberCounter

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
) -> Certificate:
    """Issue one certificate of ``kind`` to ``teacher``: numbered in issue order, given its
    verification code and signature, audited; its PDF is made by the worker after the commit.

    Whether the teacher may have it is the caller's check (``certificates.selectors``)."""
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
        holder_name=teacher.user.full_name,
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
