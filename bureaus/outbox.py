"""The one way the portal hands follow-up work to the Celery worker: a transactional outbox.

A service that causes follow-up work (an e-mail, an import, an export, a PDF, a ledger run) calls
``enqueue(job_function, *ids, bureau=...)`` inside its own transaction. That writes an
``OutboxJob`` row beside the change, so the job exists exactly when the change was committed.

- After the commit, ``dispatch()`` hands the job to the broker. A broker that is down, slow or
  refusing is logged and leaves the job pending: the person who acted never sees the error.
- In the worker, ``run()`` claims the job (one run at a time), calls the job function inside the
  job's bureau and records the outcome. A failure is run again later with a growing delay; after
  ``max_attempts`` runs the job stops as failed and stays in the admin with its last error.
- While a job runs, a heartbeat marks it alive every few seconds.
- ``sweep()``, on beat, hands over again what is still pending, what was handed over and never
  started (a lost message), and what started and fell silent (a killed worker).

Job functions take ids, not objects, and must be safe to run twice: a run that was cut off is run
again. They are registered with ``@job(...)`` in their app's ``tasks.py``, which the worker imports.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connections, models, transaction
from django.utils import timezone

from .models import OutboxJob, OutboxStatus
from .tenancy import all_bureaus, bureau_scope

logger = logging.getLogger(__name__)


class PermanentJobError(Exception):
    """Raised by a job function when running it again cannot help (the job fails at once)."""


@dataclass(frozen=True)
class JobSpec:
    name: str
    function: Callable[..., Any]
    label: str
    max_attempts: int
    queue: str | None = None


_JOBS: dict[str, JobSpec] = {}


def job(label, *, max_attempts: int = 6, queue: str | None = None):
    """Register a function as an outbox job; ``label`` is what staff read in the admin.
    ``queue`` names the Celery queue its runs go to (e.g. ``pdf``: a worker of its own may take
    them); by default, the portal's queue."""

    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        name = f"{function.__module__}.{function.__qualname__}"
        _JOBS[name] = JobSpec(name, function, label, max_attempts, queue)
        function.job_name = name
        return function

    return register


def _spec(name: str) -> JobSpec | None:
    if name not in _JOBS and "." in name:
        try:  # the worker may not have imported the job's module yet
            importlib.import_module(name.rsplit(".", 1)[0])
        except ImportError:
            return None
    return _JOBS.get(name)


def job_label(name: str) -> str:
    spec = _spec(name)
    return str(spec.label) if spec else name


def enqueue(
    function: Callable[..., Any],
    *args: Any,
    bureau: models.Model | int,
    key: str = "",
    not_before: dt.datetime | None = None,
) -> OutboxJob | None:
    """Record a job in the current transaction and hand it to the worker after the commit.

    ``args`` must be JSON values (ids, strings). With a ``key``, a second job of the same key in
    the same bureau is not recorded (None is returned).
    """
    name = getattr(function, "job_name", None)
    if name is None or name not in _JOBS:
        raise ValueError(f"{function!r} is not registered with @outbox.job")
    spec = _JOBS[name]
    bureau_id = bureau if isinstance(bureau, int) else bureau.pk
    row = OutboxJob(
        bureau_id=bureau_id,
        task=name,
        args=list(args),
        key=key,
        max_attempts=spec.max_attempts,
        not_before=not_before,
    )
    if key:
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            return None
    else:
        row.save()
    if not_before is None:
        transaction.on_commit(partial(_dispatch_after_commit, row.pk, bureau_id, name), robust=True)
    return row


# After a publish failed, the after-commit hand-overs of the next few seconds do not try the
# broker again: a request that records several jobs waits for one broker timeout at most. The
# sweep, which runs in the worker, always tries.
BROKER_PAUSE_SECONDS = 10
_broker_down_until = 0.0


def _dispatch_after_commit(job_id: int, bureau_id: int, task: str) -> None:
    if time.monotonic() < _broker_down_until:
        logger.info("outbox job %s stays pending: the broker failed a moment ago", job_id)
        return
    dispatch(job_id, bureau_id, task)


def _publish(job_id: int, bureau_id: int, task: str) -> None:
    from .tasks import run_outbox_job

    spec = _spec(task)
    options = {}
    if spec is not None and spec.queue:
        # The job names its queue ("pdf"); the deployment names the broker queue behind it.
        options["queue"] = settings.CELERY_JOB_QUEUES.get(spec.queue, spec.queue)
    # No publish retries: a broker that is down must not keep the person who acted waiting.
    # The sweep hands the job over again once the broker is back.
    run_outbox_job.apply_async(args=[job_id, bureau_id], retry=False, **options)


def dispatch(job_id: int, bureau_id: int, task: str | None = None) -> bool:
    """Hand one pending job to the broker (on its job's queue); True if it was handed over.
    Never raises."""
    try:
        with bureau_scope(bureau_id):
            if task is None:
                task = OutboxJob.objects.filter(pk=job_id).values_list("task", flat=True).first()
                if task is None:
                    return False
            marked = OutboxJob.objects.filter(
                pk=job_id, status__in=[OutboxStatus.PENDING, OutboxStatus.DISPATCHED]
            ).update(status=OutboxStatus.DISPATCHED, dispatched_at=timezone.now())
            if not marked:
                return False
            try:
                _publish(job_id, bureau_id, task)
            except Exception as error:
                global _broker_down_until
                _broker_down_until = time.monotonic() + BROKER_PAUSE_SECONDS
                logger.warning("outbox job %s stays pending, no broker: %s", job_id, error)
                OutboxJob.objects.filter(pk=job_id, status=OutboxStatus.DISPATCHED).update(
                    status=OutboxStatus.PENDING,
                    last_error=_describe(error, prefix="broker: "),
                )
                return False
        return True
    except Exception:  # the database itself failed: the sweep will find the job
        logger.exception("outbox job %s could not be dispatched", job_id)
        return False


def _backoff(attempts: int) -> dt.timedelta:
    base = _setting("OUTBOX_RETRY_BASE_SECONDS", 60)
    return dt.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 6 * 3600))


def _describe(error: BaseException, prefix: str = "") -> str:
    text = f"{prefix}{type(error).__name__}: {error}"
    return text[:2000]


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _silent_since(now: dt.datetime) -> models.Q:
    """Running, and no sign of life for longer than a heartbeat allows: the worker is gone."""
    lost = now - dt.timedelta(seconds=_setting("OUTBOX_LOST_AFTER_SECONDS", 60))
    return models.Q(status=OutboxStatus.RUNNING) & (
        models.Q(heartbeat_at__lte=lost) | models.Q(heartbeat_at__isnull=True, started_at__lte=lost)
    )


class _Heartbeat(threading.Thread):
    """Marks a running job alive every few seconds, from its own database connection."""

    def __init__(self, job_id: int, bureau_id: int, started_at: dt.datetime):
        super().__init__(name=f"outbox-heartbeat-{job_id}", daemon=True)
        self.job_id, self.bureau_id, self.started_at = job_id, bureau_id, started_at
        self.stopped = threading.Event()

    def run(self) -> None:
        every = _setting("OUTBOX_HEARTBEAT_SECONDS", 15)
        try:
            while not self.stopped.wait(every):
                try:
                    with bureau_scope(self.bureau_id):
                        OutboxJob.objects.filter(
                            pk=self.job_id, status=OutboxStatus.RUNNING, started_at=self.started_at
                        ).update(heartbeat_at=timezone.now())
                except Exception as error:  # a busy database: the next beat tries again
                    logger.warning("outbox job %s: heartbeat missed (%s)", self.job_id, error)
        finally:
            connections.close_all()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=5)


def run(job_id: int, bureau_id: int) -> str:
    """Run one job in the worker, at most one run at a time; returns what happened."""
    with bureau_scope(bureau_id):
        now = timezone.now()
        # A job waiting out its retry delay is not run early by a stray or repeated message.
        due = models.Q(not_before__isnull=True) | models.Q(not_before__lte=now)
        runnable = (
            models.Q(status__in=[OutboxStatus.PENDING, OutboxStatus.DISPATCHED]) & due
        ) | _silent_since(now)
        claimed = OutboxJob.objects.filter(runnable, pk=job_id).update(
            status=OutboxStatus.RUNNING,
            started_at=now,
            heartbeat_at=now,
            attempts=models.F("attempts") + 1,
        )
        if not claimed:
            return "not due"
        row = OutboxJob.objects.get(pk=job_id)
        this_run = OutboxJob.objects.filter(
            pk=job_id, status=OutboxStatus.RUNNING, started_at=row.started_at
        )
        spec = _spec(row.task)
        heartbeat = _Heartbeat(job_id, bureau_id, row.started_at)
        heartbeat.start()
        try:
            if spec is None:
                raise PermanentJobError(f"unknown job {row.task}")
            result = spec.function(*row.args)
        except Exception as error:
            logger.exception("outbox job %s (%s) failed on run %s", job_id, row.task, row.attempts)
            final = isinstance(error, PermanentJobError) or row.attempts >= row.max_attempts
            this_run.update(
                status=OutboxStatus.FAILED if final else OutboxStatus.PENDING,
                not_before=None if final else timezone.now() + _backoff(row.attempts),
                finished_at=timezone.now() if final else None,
                last_error=_describe(error),
            )
            return "failed" if final else "retry"
        finally:
            heartbeat.stop()
        this_run.update(status=OutboxStatus.DONE, finished_at=timezone.now(), not_before=None)
        logger.info("outbox job %s (%s) done: %s", job_id, row.task, result)
        return "done"


def due_jobs(now: dt.datetime | None = None) -> models.QuerySet:
    """Jobs of every bureau that the sweep should hand over (again)."""
    now = now or timezone.now()
    settle = dt.timedelta(seconds=_setting("OUTBOX_SETTLE_SECONDS", 10))
    every = OutboxJob.objects.all_bureaus()
    due = models.Q(status=OutboxStatus.PENDING, not_before__lte=now) | models.Q(
        status=OutboxStatus.PENDING, not_before__isnull=True, created_at__lte=now - settle
    )
    # Handed over and never started (a lost message), or started and fallen silent.
    unstarted = now - dt.timedelta(seconds=_setting("OUTBOX_DISPATCH_STALE_SECONDS", 300))
    due |= models.Q(status=OutboxStatus.DISPATCHED, dispatched_at__lte=unstarted)
    due |= _silent_since(now)
    return every.filter(due)


def sweep(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Hand over what is due again (beat); returns how many jobs were handed over."""
    now = now or timezone.now()
    with all_bureaus():
        rows = list(
            due_jobs(now)
            .order_by("created_at")
            .values_list("pk", "bureau_id", "status", "attempts", "max_attempts", "task")[:limit]
        )
    handed = 0
    for pk, bureau_id, status, attempts, max_attempts, task in rows:
        with bureau_scope(bureau_id):
            if status == OutboxStatus.RUNNING:
                # The worker that ran it is gone. On its last allowed run the job ends here;
                # otherwise it becomes runnable again.
                final = attempts >= max_attempts
                # Still silent now: a heartbeat since the list was read means it is alive.
                gone = OutboxJob.objects.filter(_silent_since(now), pk=pk).update(
                    status=OutboxStatus.FAILED if final else OutboxStatus.PENDING,
                    finished_at=now if final else None,
                    last_error=str(LOST_RUN),
                )
                if final or not gone:
                    continue
            if dispatch(pk, bureau_id, task):
                handed += 1
            elif OutboxJob.objects.filter(pk=pk, status=OutboxStatus.PENDING).exists():
                break  # the broker is down: the next sweep tries again
    return handed


LOST_RUN = "The run did not finish: the worker stopped before the job ended."


def retry_now(*, actor, jobs: models.QuerySet) -> int:
    """Staff: run failed jobs again from the start (audited)."""
    from .services import audit_record

    count = 0
    for row in jobs.filter(status=OutboxStatus.FAILED):
        with transaction.atomic():
            updated = OutboxJob.objects.filter(pk=row.pk, status=OutboxStatus.FAILED).update(
                status=OutboxStatus.PENDING, attempts=0, not_before=None, finished_at=None
            )
            if not updated:
                continue
            audit_record(bureau=row.bureau_id, actor=actor, action="outbox.retry", target=row)
            transaction.on_commit(partial(dispatch, row.pk, row.bureau_id), robust=True)
            count += 1
    return count
