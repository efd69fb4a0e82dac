"""Uploaded files kept in rows (evidence files, and the workshops' activity, briefing and document
files): stored after the checks in ``services.check_uploads``, served only after an access check,
and deleted from storage only once the transaction that removed their row has committed."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.http import FileResponse, Http404

from .rules import AcceptedFile


def store(model, owner: dict, files: Sequence[UploadedFile], accepted: Sequence[AcceptedFile]):
    """One ``model`` row per checked upload, with ``owner``'s fields (its bureau and parent)."""
    for upload, checked in zip(files, accepted, strict=True):
        model.objects.create(
            **owner,
            file=upload,
            original_name=checked.name,
            size=upload.size,
            content_type=checked.content_type,
        )


def serve(stored, *, attachment: bool = True) -> FileResponse:
    """The stored file of a row the caller has already resolved through an access check; a file
    missing from storage is a 404, not a 500."""
    try:
        handle = stored.file.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    response = FileResponse(
        handle,
        as_attachment=attachment,
        filename=stored.original_name,
        content_type=stored.content_type,
    )
    # The browser takes the checked content type, never its own guess (even without the
    # SecurityMiddleware setting).
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- Removing files -------------------------------------------------------------------------------

log = logging.getLogger(__name__)


def delete_stored_after_commit(model, names: Iterable[str]) -> None:
    """Delete the stored files ``names`` of ``model`` rows once the current transaction commits.

    A rolled-back transaction (a failed validation after a file was removed) keeps both the row
    and its file. After the commit a file is deleted only if no row of ``model`` still names it.
    """
    for name in {n for n in names if n}:
        transaction.on_commit(functools.partial(_delete_if_gone, model, name), robust=True)


def _delete_if_gone(model, name: str) -> None:
    if model.objects.all_bureaus().filter(file=name).exists():
        return
    field = model._meta.get_field("file")
    try:
        field.storage.delete(name)
    except OSError:  # the row is gone already; a file left behind is not the user's problem
        log.warning("Could not delete the stored file %s of a removed %s row", name, model)


def remove(rows: Iterable[models.Model]) -> None:
    """Delete file rows; their stored files go after the commit (see ``delete_files_with_rows``)."""
    for row in rows:
        row.delete()


def delete_files_with_rows(model) -> None:
    """Whenever a ``model`` row is deleted (by a service, an admin page or a cascade from its
    parent), its stored file is deleted after the commit. Called from each app's ``ready()`` for
    its models with files."""
    post_delete.connect(
        _row_deleted, sender=model, dispatch_uid=f"delete-stored-file-{model._meta.label}"
    )


def _row_deleted(sender, instance, **kwargs) -> None:
    delete_stored_after_commit(sender, [instance.file.name])
