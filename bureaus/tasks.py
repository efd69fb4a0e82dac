"""The worker's side of the outbox: run one recorded job, and the beat sweep."""

from celery import shared_task


@shared_task(ignore_result=True)
def run_outbox_job(job_id: int, bureau_id: int) -> str:
    """Run one recorded follow-up job (see ``bureaus.outbox``)."""
    from .outbox import run

    return run(job_id, bureau_id)


@shared_task(ignore_result=True)
def sweep_outbox() -> int:
    """Periodic (beat): hand over again the jobs that are pending, lost or cut off."""
    from .outbox import sweep

    return sweep()
