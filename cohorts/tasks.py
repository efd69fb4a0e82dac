"""Background work on cohorts: importing a large roster."""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bureaus import outbox
from bureaus.tenancy import bureau_scope

logger = logging.getLogger(__name__)


@outbox.job(_("Import a roster"))
def run_roster_import(import_id: int, bureau_id: int) -> str:
    """Import one queued roster file, all or nothing, reporting progress in the cache.

    The import is claimed by a conditional update, so a second run after it ended does nothing.
    One found running was cut off (the outbox runs a job once at a time, and again only when its
    run fell silent: a killed worker); as the import is all or nothing, it starts over.
    """
    from import_export.formats.base_formats import CSV, XLSX

    from .models import RosterImport, RosterImportStatus
    from .resources import RosterResource

    with bureau_scope(bureau_id):
        claimed = RosterImport.objects.filter(
            pk=import_id, status__in=[RosterImportStatus.QUEUED, RosterImportStatus.RUNNING]
        ).update(status=RosterImportStatus.RUNNING)
        if not claimed:
            return "not queued"
        job = RosterImport.objects.select_related("programme", "created_by").get(pk=import_id)
        key = job.progress_key
        try:
            input_format = XLSX() if job.original_name.lower().endswith(".xlsx") else CSV()
            with job.file.open("rb") as handle:
                data = handle.read()
            if not input_format.is_binary():
                data = data.decode("utf-8-sig")
            dataset = input_format.create_dataset(data)

            def progress(done: int, total: int) -> None:
                try:
                    cache.set(key, {"done": done, "total": total}, 3600)
                except Exception:  # progress is shown when it can be; the import goes on
                    logger.warning("roster import %s: progress not recorded", import_id)

            resource = RosterResource(
                programme=job.programme, actor=job.created_by, progress=progress
            )
            result = resource.import_data(dataset, dry_run=False, file_name=job.original_name)
        except Exception as error:  # the job must end in a state the user can read
            logger.exception("roster import %s failed", import_id)
            job.status, job.problems = RosterImportStatus.FAILED, [str(error)]
        else:
            job.total_rows = result.total_rows
            problems = [str(e.error) for e in result.base_errors]
            for row in result.invalid_rows:
                problems += [str(m) for messages in row.error_dict.values() for m in messages]
            for _line, errors in result.row_errors():
                problems += [str(e.error) for e in errors]
            if problems:
                job.status, job.problems = RosterImportStatus.INVALID, problems
            else:
                job.status = RosterImportStatus.DONE
                job.created_count = result.totals["new"]
                job.updated_count = result.totals["update"]
        job.finished_at = timezone.now()
        job.save(
            update_fields=[
                "status",
                "problems",
                "total_rows",
                "created_count",
                "updated_count",
                "finished_at",
            ]
        )
        try:
            cache.delete(key)
        except Exception:
            logger.warning("roster import %s: progress not cleared", import_id)
        return job.status
