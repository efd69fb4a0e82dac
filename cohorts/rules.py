"""Rules about evidence, as pure functions: what a file must be, and who moves evidence where."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from enum import StrEnum
from typing import BinaryIO

from django.utils.translation import gettext as _

# --- Files --------------------------------------------------------------------------------------

PDF, PNG, JPEG, GIF, OLE2, ZIP = (
    b"%PDF-",
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"GIF8",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    b"PK\x03\x04",
)

# extension -> (content type, magic bytes, folder an Office Open XML file must contain)
ALLOWED_FILES: dict[str, tuple[str, bytes, str | None]] = {
    ".pdf": ("application/pdf", PDF, None),
    ".png": ("image/png", PNG, None),
    ".jpg": ("image/jpeg", JPEG, None),
    ".jpeg": ("image/jpeg", JPEG, None),
    ".gif": ("image/gif", GIF, None),
    ".doc": ("application/msword", OLE2, None),
    ".xls": ("application/vnd.ms-excel", OLE2, None),
    ".ppt": ("application/vnd.ms-powerpoint", OLE2, None),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ZIP,
        "word/",
    ),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP, "xl/"),
    ".pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ZIP,
        "ppt/",
    ),
}


class FileRejected(ValueError):
    """The file cannot be accepted; the message says why, in the user's language."""


@dataclass(frozen=True)
class AcceptedFile:
    extension: str
    content_type: str


def check_file(name: str, stream: BinaryIO, size: int, *, max_bytes: int) -> AcceptedFile:
    """Accept a file only if it is not empty, not too large, and its content is what its name says.

    ``stream`` is read from the start and left there.
    """
    extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if extension not in ALLOWED_FILES:
        raise FileRejected(
            _(
                "“%(name)s”: only PDF, images (JPG, PNG, GIF), Word, Excel and PowerPoint files "
                "can be uploaded."
            )
            % {"name": name}
        )
    if size == 0:
        raise FileRejected(_("“%(name)s” is empty.") % {"name": name})
    if size > max_bytes:
        raise FileRejected(
            _("“%(name)s” is %(size)s MB; a file may be at most %(max)s MB.")
            % {"name": name, "size": _mb(size), "max": _mb(max_bytes)}
        )
    content_type, magic, folder = ALLOWED_FILES[extension]
    stream.seek(0)
    head = stream.read(len(magic))
    stream.seek(0)
    ok = head == magic
    if ok and folder is not None:
        try:
            with zipfile.ZipFile(stream) as archive:
                ok = any(n.startswith(folder) for n in archive.namelist())
        except zipfile.BadZipFile:
            ok = False
        stream.seek(0)
    if not ok:
        raise FileRejected(
            _("“%(name)s” is not really a %(type)s file: its content does not match its name.")
            % {"name": name, "type": extension[1:].upper()}
        )
    return AcceptedFile(extension, content_type)


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


# --- Review -------------------------------------------------------------------------------------


class State(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    SCHOOL_APPROVED = "school_approved"
    VERIFIED = "verified"
    RETURNED = "returned"


class Reviewer(StrEnum):
    SCHOOL = "school"  # the school's training administrator (师训专管员)
    BUREAU = "bureau"  # the bureau's programme administrators


class Action(StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN = "return"


class TransitionRefused(ValueError):
    pass


SCHOOL_LEVEL = 1


def needs_school_review(level: int, *, school_review_first: bool) -> bool:
    """A bureau may have school-level items reviewed first by the school."""
    return school_review_first and level == SCHOOL_LEVEL


def reviewer_of(state: State, level: int, *, school_review_first: bool) -> Reviewer | None:
    """Who acts next on evidence in ``state``; None when nobody reviews it now."""
    if state == State.SUBMITTED:
        if needs_school_review(level, school_review_first=school_review_first):
            return Reviewer.SCHOOL
        return Reviewer.BUREAU
    if state == State.SCHOOL_APPROVED:
        return Reviewer.BUREAU
    return None


def transition(
    state: State,
    action: Action,
    *,
    by: Reviewer | None,
    level: int,
    school_review_first: bool,
) -> State:
    """The state evidence moves to when ``by`` (None: the teacher) takes ``action``."""
    if action == Action.SUBMIT:
        if by is None and state in (State.DRAFT, State.RETURNED):
            return State.SUBMITTED
        raise TransitionRefused(_("Only a draft or returned item can be submitted."))
    reviewer = reviewer_of(state, level, school_review_first=school_review_first)
    if reviewer is None or by != reviewer:
        raise TransitionRefused(_("This item is not waiting for your review."))
    if action == Action.RETURN:
        return State.RETURNED
    if action == Action.APPROVE:
        return State.SCHOOL_APPROVED if by == Reviewer.SCHOOL else State.VERIFIED
    raise TransitionRefused(str(action))  # pragma: no cover - the enum is closed
