"""Uploaded files kept in rows (evidence files, and the workshops' activity, briefing and document
files): stored after the checks in ``services.check_uploads``, served only after an access check."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404

from .rules import AcceptedFile


def store(model, owner: dict, files: Sequence[UploadedFile], accepted: Sequence[AcceptedFile]):
    """One ``model`` row per checked upload, with ``owner``'s fields (its bureau and parent)."""
    for upload, checked in zip(files, accepted, strict=True):
        model.objects.create(
            **owner,
            file=upload,
            original_name=upload.name[:200],
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
    return FileResponse(
        handle,
        as_attachment=attachment,
        filename=stored.original_name,
        content_type=stored.content_type,
    )
