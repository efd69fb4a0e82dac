"""What an uploaded file really is, judged by what it contains and not by its first bytes.

Pure functions over a stream, with the limits passed in: no database, no settings. Every app may
import this module (evidence, the workshops' files, anything later) without importing a domain app.
``inspect`` returns what was accepted or raises ``UploadRefused`` with a message in the user's
language naming the file and the reason.

- Office files (docx, xlsx, pptx) are opened as zip archives: a bounded number of members, a
  bounded unpacked size and compression ratio (zip bombs), ``[Content_Types].xml`` (read whole,
  of a bounded size) and the main part present, no macros, ActiveX controls or OLE objects (by
  part name and by content type), no external relationships but hyperlinks. Old Office files
  (doc, xls, ppt) are refused with a request to save them as docx, xlsx or pptx: their macros
  (VBA, Excel 4 macro sheets) cannot be ruled out simply.
- Images are opened with Pillow: a pixel limit (decompression bombs, counting the bands too),
  ``verify()`` and then a full ``load()``; a PNG ends with its end chunk, a GIF with its trailer,
  a JPEG with its end marker (or more pictures and a motion-photo video, as phones write them),
  and no image carries HTML or script.
- PDFs are parsed with pypdf: JavaScript, embedded files, attachments, rich media, XFA forms and
  actions that open, import, submit or launch something are refused, and so is HTML anywhere in
  the file (polyglots a browser would render as a page).
- Spreadsheets to be read by the portal (rosters) go through the same zip checks
  (``check_spreadsheet``).
"""

from __future__ import annotations

import contextlib
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

PDF, PNG, JPEG, GIF, ZIP = (
    b"%PDF-",
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"GIF8",
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
    ".docx": FileType(WORD, ZIP, "Word", main_part="word/document.xml"),
    ".xlsx": FileType(EXCEL, ZIP, "Excel", main_part="xl/workbook.xml"),
    ".pptx": FileType(POWERPOINT, ZIP, "PowerPoint", main_part="ppt/presentation.xml"),
}


# Pillow's formats a file of each kind may turn out to be: phones and cameras write JPEG photos
# with extra pictures (MPO), which are JPEG files all the same.
IMAGE_FORMATS = {"PNG": {"PNG"}, "JPEG": {"JPEG", "MPO"}, "GIF": {"GIF"}}

# Old Office formats: refused, with a request to save the file in the current format.
LEGACY_OFFICE = {".doc": ".docx", ".xls": ".xlsx", ".ppt": ".pptx"}


@dataclass(frozen=True)
class Limits:
    """How far a file is trusted. ``max_bytes`` is the configured size of one file."""

    max_bytes: int
    # A 40 MP phone photo (7728 × 5152) fits; an image of more bands (RGBA, CMYK) may have at
    # most as many samples as an RGB one of ``max_pixels``.
    max_pixels: int = 40_000_000
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


# Markers of a page a browser would render (or of script it would run): the tags of the WHATWG
# MIME sniffing "HTML" pattern, and SVG and XML. Tags of four letters or more are searched in the
# whole file (they do not turn up by chance in compressed data); the short ones (<a, <b, <p, <br,
# <h1) only in the parts of a file that hold text (image metadata, data after the image's end).
HTML_MARKERS = re.compile(
    rb"<(?:!doctype\s+html|html|head|script|iframe|div|font|table|style|title|body|svg|object"
    rb"|embed|meta|img|link|form|input|math|template|frameset)[\s>/]|<!--|<\?xml",
    re.IGNORECASE,
)
# In a PDF or an Office file, XML is expected (metadata, parts); an XFA form is refused by its name.
XML_HTML_MARKERS = re.compile(HTML_MARKERS.pattern.replace(rb"|<\?xml", b""), re.IGNORECASE)
SHORT_HTML_MARKERS = re.compile(rb"<(?:a|b|p|br|h1)[\s>/]", re.IGNORECASE)
# Active PDF content: names are matched after pypdf decodes them, and in the raw bytes as well.
PDF_ACTIVE_NAMES = {
    "/JavaScript",
    "/JS",
    "/EmbeddedFiles",
    "/EmbeddedFile",
    "/Launch",
    "/EF",
    "/RichMedia",
    "/RichMediaContent",
    "/XFA",
}
PDF_ACTIVE_SUBTYPES = {"/FileAttachment", "/RichMedia", "/Movie", "/Sound", "/Screen", "/3D"}
PDF_ACTIVE_ACTIONS = {
    "/JavaScript",
    "/Launch",
    "/GoToR",
    "/GoToE",
    "/SubmitForm",
    "/ImportData",
    "/Rendition",
    "/Movie",
    "/Sound",
    "/RichMediaExecute",
}
PDF_ACTIVE_RAW = re.compile(
    rb"/(?:JavaScript|JS|EmbeddedFiles?|Launch|EF|RichMedia|XFA|FileAttachment|GoToR|GoToE"
    rb"|SubmitForm|ImportData)(?![A-Za-z0-9])"
)
PDF_STREAM = re.compile(rb"(?<!end)stream\r?\n.*?endstream", re.DOTALL)


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
    if extension in LEGACY_OFFICE:
        raise UploadRefused(
            _(
                "“%(name)s” is in an old Office format and cannot be uploaded; save it as "
                "%(extension)s and upload it again."
            )
            % {"name": name, "extension": LEGACY_OFFICE[extension]}
        )
    if kind is None:
        raise UploadRefused(
            _(
                "“%(name)s”: only PDF, images (JPG, PNG, GIF), Word (.docx), Excel (.xlsx) and "
                "PowerPoint (.pptx) files can be uploaded."
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
    else:
        _check_office_open_xml(name, data, kind, limits)
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


def _trailing_data(name: str) -> UploadRefused:
    return UploadRefused(
        _("“%(name)s” has data after the end of the image and cannot be uploaded.") % {"name": name}
    )


@contextlib.contextmanager
def _truncated_images_refused():
    """Decode with Pillow refusing a cut-off image, whatever the process set: importing
    WeasyPrint (the certificates' renderer) lets Pillow load truncated images process-wide."""
    from PIL import ImageFile

    before = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before


def _check_image(name: str, data: bytes, kind: FileType, limits: Limits) -> None:
    from PIL import Image

    if HTML_MARKERS.search(data):
        raise _web_content(name)
    walk = {"PNG": _png_walk, "JPEG": _jpeg_walk, "GIF": _gif_walk}[kind.image_format]
    text, trailing_ok = walk(data)
    if text is None:
        raise _invalid(name, kind)
    if SHORT_HTML_MARKERS.search(text):
        raise _web_content(name)
    if not trailing_ok:
        raise _trailing_data(name)
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
                # Memory goes with the samples: an RGBA or CMYK image may have as many as an RGB
                # one of the pixel limit.
                bands = len(image.getbands())
                if width * height > limits.max_pixels or (
                    width * height * bands > 3 * limits.max_pixels
                ):
                    raise too_large
                image.verify()
            # verify() leaves the image unusable: open it again and decode every pixel.
            with Image.open(io.BytesIO(data)) as image, _truncated_images_refused():
                image.load()
    except UploadRefused:
        raise
    except Image.DecompressionBombError:
        raise too_large from None
    except Exception:  # Pillow raises many kinds of errors on a broken image
        raise _invalid(name, kind) from None


def _png_walk(data: bytes) -> tuple[bytes | None, bool]:
    """The PNG's text chunks, and whether nothing follows
    its end chunk. Without an end chunk: Pillow refuses that PNG."""
    position, text = len(PNG), []
    while position + 8 <= len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        chunk = data[position + 4 : position + 8]
        if chunk in (b"tEXt", b"iTXt"):
            text.append(data[position + 8 : position + 8 + length])
        position += 12 + length
        if chunk == b"IEND":
            text.append(data[position:])
            return b"\n".join(text), position >= len(data)
    return b"\n".join(text), True


# JPEG markers that stand alone (no length follows): TEM, RST0-7, SOI, EOI.
JPEG_STANDALONE = {0x01, *range(0xD0, 0xD8), 0xD8, 0xD9}


def _jpeg_end(data: bytes, start: int, text: list[bytes]) -> int | None:
    """Where the JPEG starting at ``start`` ends (after its EOI marker), collecting its segments
    (metadata and comments, not the compressed picture) into ``text``; None if it has no end."""
    position = start + 2  # after SOI
    size = len(data)
    while position < size:
        if data[position] != 0xFF:
            return None
        while position < size and data[position] == 0xFF:  # fill bytes
            position += 1
        if position >= size:
            return None
        marker = data[position]
        position += 1
        if marker == 0xD9:
            return position
        if marker in JPEG_STANDALONE:
            continue
        if position + 2 > size:
            return None
        (length,) = struct.unpack(">H", data[position : position + 2])
        if length < 2:
            return None
        segment = data[position + 2 : position + length]
        # Comments and application segments, but not the Exif thumbnail or the colour profile:
        # compressed data, where short tags turn up by chance.
        if marker == 0xFE or (
            0xE0 <= marker <= 0xEF and not segment.startswith((b"Exif", b"ICC_PROFILE", b"MPF"))
        ):
            text.append(segment)
        position += length
        if marker == 0xDA:  # start of scan: compressed data up to the next real marker
            while True:
                position = data.find(b"\xff", position)
                if position < 0 or position + 1 >= size:
                    return None
                following = data[position + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                    position += 1 if following == 0xFF else 2
                    continue
                break
    return None


def _jpeg_walk(data: bytes) -> tuple[bytes | None, bool]:
    """The JPEG's segments (where text is kept), and whether what follows its end is what phones
    and cameras append: more pictures (MPO), a motion-photo video (MP4), padding."""
    text: list[bytes] = []
    end = _jpeg_end(data, 0, text)
    if end is None:
        return b"\n".join(text), True  # Pillow decides whether the picture is whole
    while data.startswith(JPEG, end):
        following = _jpeg_end(data, end, text)
        if following is None:
            return b"\n".join(text), False
        end = following
    rest = data[end:]
    if not rest.strip(b"\x00\xff"):
        return b"\n".join(text), True
    # A motion photo: an MP4 file (an ``ftyp`` box first) after the pictures, or Samsung's
    # trailer of tagged blocks (the video among them), which ends with its directory and "SEFT".
    if rest.startswith(b"MotionPhoto_Data"):
        rest = rest[len(b"MotionPhoto_Data") :]
    return b"\n".join(text), rest[4:8] == b"ftyp" or (
        rest.endswith(b"SEFT") and b"SEFH" in rest[-4096:]
    )


def _gif_walk(data: bytes) -> tuple[bytes | None, bool]:
    """The GIF's extension blocks (comments, application data), and whether nothing follows its
    trailer."""
    size = len(data)
    if size < 13:
        return None, True
    flags = data[10]
    position = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    text = []

    def sub_blocks(position: int, keep: bool) -> int | None:
        while position < size:
            length = data[position]
            if keep:
                text.append(data[position + 1 : position + 1 + length])
            position += 1 + length
            if length == 0:
                return position
        return None

    while position < size:
        block = data[position]
        if block == 0x3B:
            return b"\n".join(text), not data[position + 1 :].strip(b"\x00")
        if block == 0x21 and position + 1 < size:
            position = sub_blocks(position + 2, keep=data[position + 1] in (0x01, 0xFE, 0xFF))
        elif block == 0x2C and position + 10 <= size:
            flags = data[position + 9]
            position += 10 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0) + 1
            position = sub_blocks(position, keep=False)
        else:
            return b"\n".join(text), True  # not GIF structure: Pillow decides
        if position is None:
            return b"\n".join(text), True  # cut short: Pillow decides
    return b"\n".join(text), True


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
    # HTML anywhere, inside streams and comments too: a browser sniffing the file does not know
    # where a stream begins. Real streams are compressed; a page in clear text is refused.
    if XML_HTML_MARKERS.search(data):
        raise _web_content(name)
    outside_streams = PDF_STREAM.sub(b"", data)
    if SHORT_HTML_MARKERS.search(outside_streams):
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
                if _resolved(item.get("/S")) in PDF_ACTIVE_ACTIONS:
                    raise active
                if _resolved(item.get("/Subtype")) in PDF_ACTIVE_SUBTYPES:
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

# Content types of parts that run code or embed programs: VBA projects, macro-enabled main parts,
# ActiveX controls, OLE objects.
OFFICE_ACTIVE_TYPES = (b"vbaproject", b"macroenabled", b"activex", b"oleobject", b"vbadata")
RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>", re.IGNORECASE)
EXTERNAL = re.compile(rb"""\bTargetMode\s*=\s*["']\s*External""", re.IGNORECASE)
HYPERLINK = re.compile(rb"""\bType\s*=\s*["'][^"']*/hyperlink["']""", re.IGNORECASE)
MAX_PART_LIST = MB  # [Content_Types].xml and each .rels part


def _macros(name: str) -> UploadRefused:
    return UploadRefused(_("“%(name)s” contains macros and cannot be uploaded.") % {"name": name})


def _embedded_objects(name: str) -> UploadRefused:
    return UploadRefused(
        _("“%(name)s” contains embedded objects or ActiveX controls and cannot be uploaded.")
        % {"name": name}
    )


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
        lowered = {n.lower().replace("\\", "/") for n in names}
        if any("vbaproject" in n or n.endswith("vbadata.xml") for n in lowered):
            raise _macros(name)
        if any(
            "activex" in n or ("/embeddings/" in "/" + n and n.endswith(".bin")) for n in lowered
        ):
            raise _embedded_objects(name)
        if "[Content_Types].xml" not in names or kind.main_part not in names:
            raise _invalid(name, kind)
        part_lists = [m for m in members if m.filename.lower().endswith(".rels")]
        if any(
            m.file_size > MAX_PART_LIST
            for m in [archive.getinfo("[Content_Types].xml"), *part_lists]
        ):
            raise UploadRefused(
                _("“%(name)s” has a list of parts too large to be checked safely.") % {"name": name}
            )
        try:
            content_types = _read_head(archive, "[Content_Types].xml", MAX_PART_LIST + 1)
            main = _read_head(archive, kind.main_part, 64 * 1024)
            relationships = [_read_head(archive, m, MAX_PART_LIST + 1) for m in part_lists]
        except Exception:  # a broken, encrypted or oddly compressed member
            raise _invalid(name, kind) from None
    if len(content_types) > MAX_PART_LIST or any(len(r) > MAX_PART_LIST for r in relationships):
        raise UploadRefused(
            _("“%(name)s” has a list of parts too large to be checked safely.") % {"name": name}
        )
    declared = content_types.lower()
    if any(word in declared for word in (b"vbaproject", b"macroenabled", b"vbadata")):
        raise _macros(name)
    if any(word in declared for word in OFFICE_ACTIVE_TYPES):
        raise _embedded_objects(name)
    for part_list in relationships:
        for relationship in RELATIONSHIP.findall(part_list):
            if EXTERNAL.search(relationship) and not HYPERLINK.search(relationship):
                raise UploadRefused(
                    _(
                        "“%(name)s” links to files outside it (such as a remote template) and "
                        "cannot be uploaded."
                    )
                    % {"name": name}
                )
    if XML_HTML_MARKERS.search(main) or XML_HTML_MARKERS.search(content_types):
        raise _web_content(name)
    if not main.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        raise _invalid(name, kind)


def _read_head(archive: zipfile.ZipFile, member, limit: int) -> bytes:
    with archive.open(member) as handle:
        return handle.read(limit)


# --- Spreadsheets read by the portal ------------------------------------------------------------


def check_spreadsheet(name: str, data: bytes, *, limits: Limits | None = None) -> None:
    """Check a spreadsheet the portal is about to read (a roster): an .xlsx goes through the zip
    checks of an uploaded workbook (bombs, macros, missing parts) before openpyxl opens it; a csv
    is text and is read as such. Raises ``UploadRefused``."""
    name = short_name(name)
    limits = limits or Limits(max_bytes=max(len(data), 1))
    if extension_of(name) != ".xlsx":
        return
    kind = FILE_TYPES[".xlsx"]
    if not data.startswith(kind.magic):
        raise UploadRefused(
            _("“%(name)s” is not really a %(type)s file: its content does not match its name.")
            % {"name": name, "type": "XLSX"}
        )
    _check_office_open_xml(name, data, kind, limits)
