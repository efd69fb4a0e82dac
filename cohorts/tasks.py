"""Background work on cohorts: importing a large roster."""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bureaus import outbox
from bureaus.tenancy import bureau_scope

logger = logging.getLogger(__name__)


def roster_format(name: str):
    """The django-import-export format of an uploaded roster, by its name (the admin's import
    and this task read files through the same formats)."""
    from django.conf import settings

    wanted = "xlsx" if name.lower().endswith(".xlsx") else "csv"
    for format_class in settings.IMPORT_FORMATS:
        if format_class().get_extension() == wanted:
            return format_class()
    raise LookupError(wanted)  # pragma: no cover - both are configured


@outbox.job(_("Import a roster"))
def run_roster_import(import_id: int, bureau_id: int) -> str:
    """Import one queued roster file, all or nothing, reporting progress in the cache.

    The import is claimed by a conditional update, so a second run after it ended does nothing.
    One found running was cut off (the outbox runs a job once at a time, and again only when its
    run fell silent: a killed worker); as the import is all or nothing, it starts over.
    """
    from bureaus.spreadsheets import error_messages, import_problems, read_xlsx

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
            with job.file.open("rb") as handle:
                data = handle.read()
            file_format = roster_format(job.original_name)
            if file_format.get_extension() == "xlsx":
                dataset = read_xlsx(data, job.original_name)
            else:
                dataset = file_format.create_dataset(data)

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
            logger.warning("roster import %s failed", import_id, exc_info=True)
            job.status, job.problems = RosterImportStatus.FAILED, error_messages(error)
        else:
            job.total_rows = result.total_rows
            problems = import_problems(result)
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
