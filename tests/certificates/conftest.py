"""Fixtures of the certificate pages, batches and exports: a kind of certificate for the fixed
cast (tests/conftest.py), a renderer that makes a tiny PDF instead of WeasyPrint's (fast), and
the outbox's jobs run at once."""

from __future__ import annotations

import pytest
from django.db.models import Q
from django.utils import timezone

from bureaus import outbox
from bureaus.models import OutboxJob, OutboxStatus
from bureaus.tenancy import bureau_scope
from certificates.models import CertificateKind
from certificates.rendering import default_template
from tests.conftest import CANARY
from tests.test_celery_worker import broker  # noqa: F401 - a real worker's broker
from tests.uploads.samples import pdf


def tiny_pdf(text: str) -> bytes:
    """A one-page PDF whose content names the certificate (so two are never the same bytes)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1", "replace")
    return pdf(
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    )


@pytest.fixture
def fake_renderer(monkeypatch):
    """Each certificate's PDF made in a millisecond: a page naming its verification code."""
    from certificates import rendering

    made = []

    def render_pdf(certificate):
        made.append(certificate.pk)
        return tiny_pdf(certificate.code)

    monkeypatch.setattr(rendering, "render_pdf", render_pdf)
    return made


def make_kind(cast, *, title: str = "结业证书", type: str = "completion", **extra):
    html, css = default_template(type)
    with bureau_scope(cast.bureau):
        return CertificateKind.objects.create(
            bureau=cast.bureau,
            programme=cast.programme,
            type=type,
            title=f"{CANARY}{title}" if CANARY in cast.bureau.name else title,
            number_format=f"{cast.bureau.short_name}证〔{{year}}〕第{{seq:04d}}号",
            template_html=html,
            template_css=css,
            **extra,
        )


@pytest.fixture
def kind(xuhui):
    return make_kind(xuhui)


def run_jobs(bureau, *, limit: int = 10_000) -> int:
    """Run every job waiting in the bureau's outbox, those the runs record included (as a worker
    would); returns how many ran."""
    ran = 0
    with bureau_scope(bureau):
        while ran < limit:
            due = Q(not_before__isnull=True) | Q(not_before__lte=timezone.now())
            waiting = [OutboxStatus.PENDING, OutboxStatus.DISPATCHED]
            job = OutboxJob.objects.filter(due, status__in=waiting).order_by("pk").first()
            if job is None:
                return ran
            outbox.run(job.pk, job.bureau_id)
            ran += 1
    return ran


def issue(cast, kind, user, **extra):
    """Issue ``kind`` to ``user`` (a teacher of the cast) with the service, as staff, whether the
    rules would allow it or not (the pages show what was issued)."""
    from certificates.services import certificate_issue

    with bureau_scope(cast.bureau):
        profile = user.teacher_profile
        enrolment = profile.enrolments.filter(programme=kind.programme).first()
        return certificate_issue(
            actor=cast.staff,
            kind=kind,
            teacher=profile,
            enrolment=enrolment,
            checked=False,
            **extra,
        )
