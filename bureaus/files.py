"""The one home for uploaded files kept in rows (evidence files, the workshops' activity, briefing
and document files, and the rectification plans and certificates to come).

Every upload is checked by its content (``uploads.inspect``) before anything is written, stored
under a random key built by ``storage_key``, served only after the caller's access check, and
deleted from storage only once the transaction that removed its row has committed.

This module names no domain app, so every app may import it.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.http import FileResponse, Http404

from . import uploads

AcceptedFile = uploads.AcceptedUpload
FileRejected = uploads.UploadRefused

log = logging.getLogger(__name__)


# --- Limits and checks ----------------------------------------------------------------------------


def max_upload_bytes() -> int:
    return int(getattr(settings, "EVIDENCE_MAX_FILE_MB", 20)) * 1024 * 1024


def max_image_pixels() -> int:
    return int(getattr(settings, "UPLOAD_MAX_IMAGE_PIXELS", uploads.Limits.max_pixels))


def check_file(
    name: str,
    stream: BinaryIO,
    size: int,
    *,
    max_bytes: int,
    max_pixels: int = uploads.Limits.max_pixels,
) -> AcceptedFile:
    """Accept a file only if it is not empty, not too large, and its content is a harmless file of
    the kind its name says (see ``uploads.inspect``). ``stream`` is read from the start and left
    there."""
    return uploads.inspect(
        name, stream, size, limits=uploads.Limits(max_bytes=max_bytes, max_pixels=max_pixels)
    )


def check_uploads(files: Sequence[UploadedFile]) -> list[AcceptedFile]:
    """Check every file, by its content, before anything is written; raise ValidationError listing
    each problem."""
    limits = uploads.Limits(max_bytes=max_upload_bytes(), max_pixels=max_image_pixels())
    accepted, problems = [], []
    for upload in files:
        try:
            accepted.append(uploads.inspect(upload.name, upload.file, upload.size, limits=limits))
        except uploads.UploadRefused as error:
            problems.append(str(error))
    if problems:
        raise ValidationError({"files": problems})
    return accepted


# --- Storage keys ---------------------------------------------------------------------------------


def storage_key(prefix: str, bureau_id: int, filename: str) -> str:
    """Where a file is stored: under its kind and bureau, with a random name. The original name
    is kept in the row, never trusted as a path; only its (lower-cased, short) suffix is kept."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"{prefix}/{bureau_id}/{uuid.uuid4().hex}{suffix}"


# --- Storing and serving --------------------------------------------------------------------------


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
