"""What an uploaded file really is, judged by what it contains and not by its first bytes.

Pure functions over a stream, with the limits passed in: no database, no settings. Every app may
import this module (evidence, the workshops' files, anything later) without importing a domain app.
``inspect`` returns what was accepted or raises ``UploadRefused`` with a message in the user's
language naming the file and the reason.

- Office files (docx, xlsx, pptx) are opened as zip archives: a bounded number of members, a
  bounded unpacked size and compression ratio (zip bombs), ``[Content_Types].xml`` and the main
  part present, no macros. Old Office files (doc, xls, ppt) must be OLE2 files without a VBA
  project.
- Images are opened with Pillow: a pixel limit (decompression bombs), ``verify()`` and then a full
  ``load()``; a PNG has nothing after its end chunk, and no image carries HTML or script.
- PDFs are parsed with pypdf: JavaScript, embedded files and launch actions are refused, and so is
  HTML outside the PDF's streams (polyglots a browser would render as a page).
"""

from __future__ import annotations

import io
import re
import struct
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import BinaryIO

from django.utils.translation import gettext as _

MB = 1024 * 1024

PDF, PNG, JPEG, GIF, OLE2, ZIP = (
    b"%PDF-",
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"GIF8",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    b"PK\x03\x04",
)


@dataclass(frozen=True)
class FileType:
    content_type: str
    magic: bytes
    label: str  # how the message names the kind of file
    main_part: str | None = None  # the part an Office Open XML file must hold
    image_format: str | None = None  # Pillow's name for the format


WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXCEL = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
POWERPOINT = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

FILE_TYPES: dict[str, FileType] = {
    ".pdf": FileType("application/pdf", PDF, "PDF"),
    ".png": FileType("image/png", PNG, "PNG", image_format="PNG"),
    ".jpg": FileType("image/jpeg", JPEG, "JPEG", image_format="JPEG"),
    ".jpeg": FileType("image/jpeg", JPEG, "JPEG", image_format="JPEG"),
    ".gif": FileType("image/gif", GIF, "GIF", image_format="GIF"),
    ".doc": FileType("application/msword", OLE2, "Word"),
    ".xls": FileType("application/vnd.ms-excel", OLE2, "Excel"),
    ".ppt": FileType("application/vnd.ms-powerpoint", OLE2, "PowerPoint"),
    ".docx": FileType(WORD, ZIP, "Word", main_part="word/document.xml"),
    ".xlsx": FileType(EXCEL, ZIP, "Excel", main_part="xl/workbook.xml"),
    ".pptx": FileType(POWERPOINT, ZIP, "PowerPoint", main_part="ppt/presentation.xml"),
}


# Pillow's formats a file of each kind may turn out to be: phones and cameras write JPEG photos
# with extra pictures (MPO), which are JPEG files all the same.
IMAGE_FORMATS = {"PNG": {"PNG"}, "JPEG": {"JPEG", "MPO"}, "GIF": {"GIF"}}


@dataclass(frozen=True)
class Limits:
    """How far a file is trusted. ``max_bytes`` is the configured size of one file."""

    max_bytes: int
    max_pixels: int = 90_000_000  # about Pillow's own default: a 12,000 × 7,500 photo
    zip_max_members: int = 5000
    zip_max_unpacked: int | None = None  # None: 25 × max_bytes, at least 100 MB
    zip_max_ratio: int = 100  # for members that unpack to more than 1 MB

    @property
    def unpacked_bytes(self) -> int:
        return self.zip_max_unpacked or max(25 * self.max_bytes, 100 * MB)


@dataclass(frozen=True)
class AcceptedUpload:
    name: str  # the file's own name, without any folder, shortened if need be
    extension: str
    content_type: str


class UploadRefused(ValueError):
    """The file cannot be accepted; the message says why, in the user's language."""


# Markers of a page a browser would render (or of script it would run).
HTML_MARKERS = re.compile(
    rb"<\s*(?:script|html|!doctype\s+html|svg|iframe|body|object|embed)[\s>/]", re.IGNORECASE
)
# Active PDF content: names are matched after pypdf decodes them, and in the raw bytes as well.
PDF_ACTIVE_NAMES = {"/JavaScript", "/JS", "/EmbeddedFiles", "/EmbeddedFile", "/Launch"}
PDF_ACTIVE_RAW = re.compile(rb"/(?:JavaScript|JS|EmbeddedFiles?|Launch)(?![A-Za-z0-9])")
PDF_STREAM = re.compile(rb"(?<!end)stream\r?\n.*?endstream", re.DOTALL)
OLE2_VBA = "_VBA_PROJECT".encode("utf-16-le")


def short_name(name: str, max_length: int = 200) -> str:
    """The file's own name (no folders from the browser or a crafted request), shortened to
    ``max_length`` characters without losing its extension."""
    name = PureWindowsPath(PurePosixPath(name or "").name).name.strip() or "file"
    if len(name) <= max_length:
        return name
    suffix = PurePosixPath(name).suffix
    if len(suffix) > 16 or len(suffix) >= max_length:
        suffix = ""
    return name[: max_length - len(suffix)].rstrip() + suffix


def extension_of(name: str) -> str:
    return ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""


def inspect(name: str, stream: BinaryIO, size: int, *, limits: Limits) -> AcceptedUpload:
    """Accept a file only if it is not empty, not too large, and what it contains is a harmless
    file of the kind its name says. ``stream`` is read from the start and left there."""
    name = short_name(name)
    extension = extension_of(name)
    kind = FILE_TYPES.get(extension)
    if kind is None:
        raise UploadRefused(
            _(
                "“%(name)s”: only PDF, images (JPG, PNG, GIF), Word, Excel and PowerPoint files "
                "can be uploaded."
            )
            % {"name": name}
        )
    if size == 0:
        raise UploadRefused(_("“%(name)s” is empty.") % {"name": name})
    if size > limits.max_bytes:
        raise UploadRefused(
            _("“%(name)s” is %(size)s MB; a file may be at most %(max)s MB.")
            % {"name": name, "size": megabytes(size), "max": megabytes(limits.max_bytes)}
        )
    stream.seek(0)
    data = stream.read(limits.max_bytes + 1)
    stream.seek(0)
    if not data:
        raise UploadRefused(_("“%(name)s” is empty.") % {"name": name})
    if len(data) > limits.max_bytes:
        raise UploadRefused(
            _("“%(name)s” is %(size)s MB; a file may be at most %(max)s MB.")
            % {"name": name, "size": megabytes(len(data)), "max": megabytes(limits.max_bytes)}
        )
    if not data.startswith(kind.magic):
        raise UploadRefused(
            _("“%(name)s” is not really a %(type)s file: its content does not match its name.")
            % {"name": name, "type": extension[1:].upper()}
        )
    if kind.image_format:
        _check_image(name, data, kind, limits)
    elif kind.magic == PDF:
        _check_pdf(name, data)
    elif kind.main_part:
        _check_office_open_xml(name, data, kind, limits)
    else:
        _check_ole2(name, data)
    return AcceptedUpload(name=name, extension=extension, content_type=kind.content_type)


def megabytes(size: int) -> str:
    return f"{size / MB:.1f}".rstrip("0").rstrip(".")


def _invalid(name: str, kind: FileType) -> UploadRefused:
    return UploadRefused(
        _("“%(name)s” is not a valid %(type)s file.") % {"name": name, "type": kind.label}
    )


def _web_content(name: str) -> UploadRefused:
    return UploadRefused(
        _("“%(name)s” contains web page content (HTML or script) and cannot be uploaded.")
        % {"name": name}
    )


# --- Images ---------------------------------------------------------------------------------------


def _check_image(name: str, data: bytes, kind: FileType, limits: Limits) -> None:
    from PIL import Image

    if HTML_MARKERS.search(data):
        raise _web_content(name)
    if kind.image_format == "PNG" and _png_trailing_bytes(data):
        raise UploadRefused(
            _("“%(name)s” has data after the end of the image and cannot be uploaded.")
            % {"name": name}
        )
    too_large = UploadRefused(
        _("“%(name)s” is too large an image: at most %(max)s million pixels.")
        % {"name": name, "max": f"{limits.max_pixels / 1_000_000:.1f}".rstrip("0").rstrip(".")}
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in IMAGE_FORMATS[kind.image_format]:
                    raise _invalid(name, kind)
                width, height = image.size
                if width * height > limits.max_pixels:
                    raise too_large
                image.verify()
            # verify() leaves the image unusable: open it again and decode every pixel.
            with Image.open(io.BytesIO(data)) as image:
                image.load()
    except UploadRefused:
        raise
    except Image.DecompressionBombError:
        raise too_large from None
    except Exception:  # Pillow raises many kinds of errors on a broken image
        raise _invalid(name, kind) from None


def _png_trailing_bytes(data: bytes) -> int:
    """How many bytes follow the PNG's IEND chunk (none without one: Pillow refuses that PNG)."""
    position = len(PNG)
    while position + 8 <= len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        chunk = data[position + 4 : position + 8]
        position += 12 + length
        if chunk == b"IEND":
            return max(len(data) - position, 0)
    return 0


# --- PDF ----------------------------------------------------------------------------------------


def _check_pdf(name: str, data: bytes) -> None:
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    kind = FILE_TYPES[".pdf"]
    active = UploadRefused(
        _(
            "“%(name)s” contains JavaScript, embedded files or actions that run when it is "
            "opened, and cannot be uploaded."
        )
        % {"name": name}
    )
    outside_streams = PDF_STREAM.sub(b"", data)
    if HTML_MARKERS.search(outside_streams):
        raise _web_content(name)
    if PDF_ACTIVE_RAW.search(outside_streams):
        raise active
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise UploadRefused(
                _("“%(name)s” is protected by a password; remove the password and upload it again.")
                % {"name": name}
            )
        if len(reader.pages) < 1:
            raise _invalid(name, kind)
        # Every object, those inside object streams too, with its names decoded.
        seen: set[int] = set()
        pending: list = [reader.trailer]
        for generation, objects in reader.xref.items():
            pending.extend(IndirectObject(number, generation, reader) for number in objects)
        pending.extend(IndirectObject(number, 0, reader) for number in reader.xref_objStm)
        while pending:
            item = pending.pop()
            if isinstance(item, IndirectObject):
                key = (item.idnum, item.generation)
                if key in seen:
                    continue
                seen.add(key)
                item = item.get_object()
            if isinstance(item, DictionaryObject):
                if PDF_ACTIVE_NAMES & set(item.keys()):
                    raise active
                if _resolved(item.get("/S")) in ("/JavaScript", "/Launch"):
                    raise active
                if _resolved(item.get("/Type")) == "/EmbeddedFile":
                    raise active
                pending.extend(item.values())
            elif isinstance(item, ArrayObject):
                pending.extend(item)
    except UploadRefused:
        raise
    except Exception:  # pypdf raises many kinds of errors on a broken file
        raise _invalid(name, kind) from None


def _resolved(value):
    return value.get_object() if hasattr(value, "get_object") else value


# --- Office files -------------------------------------------------------------------------------


def _macros(name: str) -> UploadRefused:
    return UploadRefused(_("“%(name)s” contains macros and cannot be uploaded.") % {"name": name})


def _check_office_open_xml(name: str, data: bytes, kind: FileType, limits: Limits) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except Exception:  # zipfile raises many kinds of errors on a broken archive
        raise _invalid(name, kind) from None
    with archive:
        if len(members) > limits.zip_max_members:
            raise UploadRefused(
                _("“%(name)s” holds too many parts (%(count)s) to be checked safely.")
                % {"name": name, "count": len(members)}
            )
        unpacked = sum(member.file_size for member in members)
        if unpacked > limits.unpacked_bytes:
            raise UploadRefused(
                _("“%(name)s” unpacks to %(size)s MB, too much to be checked safely.")
                % {"name": name, "size": megabytes(unpacked)}
            )
        for member in members:
            if member.file_size > MB and (
                member.file_size > limits.zip_max_ratio * max(member.compress_size, 1)
            ):
                raise UploadRefused(
                    _(
                        "“%(name)s” is packed suspiciously tightly (a zip bomb) and cannot be "
                        "uploaded."
                    )
                    % {"name": name}
                )
        names = {member.filename for member in members}
        lowered = {n.lower() for n in names}
        if any(n.endswith(("vbaproject.bin", "vbadata.xml")) for n in lowered):
            raise _macros(name)
        if "[Content_Types].xml" not in names or kind.main_part not in names:
            raise _invalid(name, kind)
        try:
            content_types = _read_head(archive, "[Content_Types].xml", MB)
            main = _read_head(archive, kind.main_part, 64 * 1024)
        except Exception:  # a broken, encrypted or oddly compressed member
            raise _invalid(name, kind) from None
    if b"macroenabled" in content_types.lower() or b"vbaproject" in content_types.lower():
        raise _macros(name)
    if HTML_MARKERS.search(main) or HTML_MARKERS.search(content_types):
        raise _web_content(name)
    if not main.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        raise _invalid(name, kind)


def _read_head(archive: zipfile.ZipFile, member: str, limit: int) -> bytes:
    with archive.open(member) as handle:
        return handle.read(limit)


def _check_ole2(name: str, data: bytes) -> None:
    if OLE2_VBA in data:
        raise _macros(name)
    if HTML_MARKERS.search(data[:1024]):
        raise _web_content(name)
