"""A batch of certificates with a real Celery worker, in its own process, killed midway.

Staff start a batch; a worker issues it in chunks and makes the PDFs on the ``pdf`` queue; the
worker is killed (SIGKILL) while it works; a new worker starts and the outbox sweep (what beat
runs) hands over again what the dead worker held. In the end every holder has exactly one
certificate, the numbers run without a gap, and every PDF is made: nobody is issued twice and
nobody is skipped.
"""

from __future__ import annotations

import time

import pytest

from bureaus import outbox
from bureaus.tenancy import bureau_scope
from certificates.batches import batch_progress, batch_start
from certificates.models import Certificate, CertificateBatch, RenderState
from tests.test_celery_worker import start_worker

from .helpers import add_participant, make_kind

HOLDERS = 30


def counts(kind) -> tuple[int, int]:
    with bureau_scope(kind.bureau_id):
        issued = Certificate.objects.filter(kind=kind).count()
        made = Certificate.objects.filter(kind=kind, render_state=RenderState.DONE).count()
    return issued, made


def wait(predicate, timeout: float, what: str, log, *, sweep: bool = False) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sweep:
            outbox.sweep()  # beat's job: hand over again what a dead worker held
        if predicate():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}; worker log:\n{log.read_text()[-4000:]}")


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("broker", ["redis", "filesystem"], indirect=True)
def test_a_batch_with_its_worker_killed_midway_ends_with_each_holder_issued_once(
    broker, xuhui, settings
):
    broker["env"]["CELERY_PDF_QUEUE"] = broker["queue"]
    broker["env"]["OUTBOX_HEARTBEAT_SECONDS"] = "1"
    settings.CELERY_JOB_QUEUES = {"pdf": broker["queue"]}
    settings.OUTBOX_LOST_AFTER_SECONDS = 3  # the sweep's view: silent 3 s, its worker is gone

    kind = make_kind(xuhui, "honour")  # 20 years as class teacher and more (SJ-HONOUR)
    for _ in range(HOLDERS):
        add_participant(xuhui, years_class_teacher=25)
    with bureau_scope(xuhui.bureau):
        batch = batch_start(actor=xuhui.staff, kind=kind)
    assert batch.total == HOLDERS

    first, log = start_worker(broker)
    try:
        # Killed while it works: the batch issued, some PDFs made, others not yet.
        wait(lambda: 0 < counts(kind)[1] < HOLDERS // 2, 120, "the first PDFs", log)
        first.kill()
        first.wait(timeout=20)
    finally:
        if first.poll() is None:
            first.kill()
    issued, made = counts(kind)
    assert made < HOLDERS

    second, log = start_worker(broker)
    try:
        wait(lambda: counts(kind) == (HOLDERS, HOLDERS), 300, "every PDF", log, sweep=True)
    finally:
        second.terminate()
        try:
            second.wait(timeout=20)
        except Exception:
            second.kill()

    with bureau_scope(xuhui.bureau):
        certificates = list(Certificate.objects.filter(kind=kind).order_by("seq"))
        assert len({c.teacher_id for c in certificates}) == HOLDERS
        assert [c.seq for c in certificates] == list(range(1, HOLDERS + 1))
        assert all(c.batch_id == batch.pk and c.size and c.sha256 for c in certificates)
        batch = CertificateBatch.objects.get(pk=batch.pk)
        assert tuple(batch_progress(batch)) == (HOLDERS, HOLDERS, 0, HOLDERS)
        assert batch.finished_at is not None
