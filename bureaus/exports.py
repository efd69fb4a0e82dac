"""Large spreadsheets written by the worker: one way for every app.

A page that would hand out more rows than ``EXPORT_ROWS_IN_REQUEST`` asks ``export_request`` for
a ``StoredExport`` instead: the row and its outbox job are written in one transaction (with the
audit row), the worker runs ``run_stored_export``, which calls the builder the app registered
under the export's ``kind`` (``register_export``) and stores the file under the bureau; the page
polls the row's progress and offers the file once it is there. Serving it is the app's view,
after its own access check (``bureaus.files.serve``).

This module names no domain app: apps register their builders from their ``ready()``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import outbox
from .models import StoredExport, StoredExportStatus
from .services import audit_record
from .spreadsheets import XLSX_CONTENT_TYPE
from .tenancy import bureau_scope

logger = logging.getLogger(__name__)

FORMATS = {
    "xlsx": XLSX_CONTENT_TYPE,
    "csv": "text/csv; charset=utf-8",
    # Files of PDFs (a zip of certificates, one PDF to print them) written the same way.
    "zip": "application/zip",
    "pdf": "application/pdf",
}

#: progress(done, total): the builder reports how far it is.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Builder:
    kind: str
    write: Callable[[StoredExport, Progress], bytes]  # the file's bytes in export.file_format


_BUILDERS: dict[str, Builder] = {}


def register_export(kind: str, write: Callable[[StoredExport, Progress], bytes]) -> None:
    """An app's builder for the exports of ``kind`` (called from its ``ready()``)."""
    _BUILDERS[kind] = Builder(kind, write)


def rows_in_request() -> int:
    """Up to how many rows a spreadsheet is written during the request."""
    return int(getattr(settings, "EXPORT_ROWS_IN_REQUEST", 3000))


@transaction.atomic
def export_request(
    *, actor, bureau_id: int, kind: str, params: dict, title: str, file_format: str
) -> StoredExport:
    """Record an export for the worker (the caller has checked that ``actor`` may read it)."""
    if kind not in _BUILDERS:
        raise ValueError(f"no export builder registered for {kind!r}")
    if file_format not in FORMATS:
        raise ValueError(f"unknown export format {file_format!r}")
    export = StoredExport.objects.create(
        bureau_id=bureau_id,
        kind=kind,
        params=params,
        title=title[:200],
        file_format=file_format,
        created_by=actor,
    )
    outbox.enqueue(run_stored_export, export.pk, bureau_id, bureau=bureau_id)
    audit_record(
        bureau=bureau_id,
        actor=actor,
        action="export.request",
        target=export,
        kind=kind,
        params=params,
        format=file_format,
    )
    return export


# How often (in rows) the progress is written to the row.
PROGRESS_EVERY = 500


@outbox.job(_("Write a spreadsheet"))
def run_stored_export(export_id: int, bureau_id: int) -> str:
    """Write one export and store it. Safe to run twice: a finished export is left alone; one
    found running was cut off (a killed worker) and is written again from the start."""
    with bureau_scope(bureau_id):
        claimed = StoredExport.objects.filter(
            pk=export_id, status__in=[StoredExportStatus.QUEUED, StoredExportStatus.RUNNING]
        ).update(status=StoredExportStatus.RUNNING, done_rows=0)
        if not claimed:
            return "not queued"
        export = StoredExport.objects.get(pk=export_id)
        builder = _BUILDERS.get(export.kind)
        reported = [0]

        def progress(done: int, total: int) -> None:
            if done - reported[0] < PROGRESS_EVERY and done != total:
                return
            reported[0] = done
            StoredExport.objects.filter(pk=export_id).update(done_rows=done, total_rows=total)

        try:
            if builder is None:
                raise outbox.PermanentJobError(f"no export builder for {export.kind}")
            data = builder.write(export, progress)
        except Exception as error:
            logger.warning("export %s failed", export_id, exc_info=True)
            StoredExport.objects.filter(pk=export_id).update(
                status=StoredExportStatus.FAILED,
                error=f"{type(error).__name__}: {error}"[:2000],
                finished_at=timezone.now(),
            )
            return "failed"
        name = f"{export.title}-{timezone.localdate():%Y%m%d}.{export.file_format}"
        old = export.file.name
        export.file.save(name, ContentFile(data), save=False)
        export.original_name = name
        export.content_type = FORMATS[export.file_format]
        export.size = len(data)
        export.status = StoredExportStatus.DONE
        export.done_rows = export.total_rows = max(export.total_rows, reported[0])
        export.finished_at = timezone.now()
        export.error = ""
        export.save()
        if old and old != export.file.name:
            export.file.storage.delete(old)
        return "done"
