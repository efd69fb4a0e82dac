"""The one writer for every spreadsheet the portal hands out, and the one reader for the
spreadsheets people upload.

Writing: a teacher's name such as ``=HYPERLINK("http://…","x")`` must never become a live formula
in the reader's Excel (OWASP, CSV injection). Text that starts with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return is written as text: in xlsx as a string cell with Excel's quote prefix (so
that editing the cell does not turn it into a formula either), in csv behind a single quote.
Numbers, Decimals and dates stay numbers and dates. Workbooks are written in openpyxl's write-only
mode, in constant memory.

Reading: an uploaded csv is decoded whatever Excel saved it as (UTF-8 with or without a byte-order
mark, GBK or GB18030 from Chinese Windows), and a formula cell in an uploaded xlsx comes back as a
``Formula``, so that the importer can say so instead of seeing an empty cell.

The formats for django-import-export at the end of the file go through the same writer and reader.
Nothing here knows about a domain app.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from collections.abc import Iterable
from decimal import Decimal

import tablib
from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from import_export.formats import base_formats
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

logger = logging.getLogger(__name__)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: Text starting with one of these is read as a formula by Excel, LibreOffice or Google Sheets
#: (the full-width forms too: East Asian input methods type them, and some Excel builds accept
#: them as the start of a formula).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")

# Excel refuses these characters in a sheet's name, and names longer than 31.
_SHEET_NAME_REFUSES = "[]:*?/\\"


# Values written as they are: numbers and dates stay numbers and dates.
_PLAIN_TYPES = frozenset({int, float, bool, Decimal, dt.date, dt.datetime, dt.time})


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def _plain(value):
    """Lazy translations become text; everything else is written as it is."""
    if isinstance(value, Promise):
        return str(value)
    return value


# --- xlsx ---------------------------------------------------------------------------------------


class XlsxSheet:
    """One sheet of an ``XlsxBook``: rows are appended in order and never read back."""

    # Text seen already (school names, tiers, results repeat row after row) is cleaned once.
    _REMEMBER = 20_000

    def __init__(self, sheet):
        self._sheet = sheet
        self._clean: dict[str, str] = {}

    def cell(self, value):
        if value is None or type(value) in _PLAIN_TYPES:
            return value
        value = _plain(value)
        if not isinstance(value, str):
            return value
        clean = self._clean.get(value)
        if clean is None:
            # Control characters other than tab and line breaks are not allowed in xlsx; a name
            # pasted with one must not break the whole export.
            clean = ILLEGAL_CHARACTERS_RE.sub("", value)
            if len(self._clean) < self._REMEMBER:
                self._clean[value] = clean
        if not looks_like_formula(clean):
            return clean
        cell = WriteOnlyCell(self._sheet, value=clean)
        cell.data_type = "s"  # openpyxl would store text starting with "=" as a formula
        cell.quotePrefix = True
        return cell

    def append(self, values: Iterable) -> None:
        cell = self.cell
        self._sheet.append([cell(value) for value in values])


class XlsxBook:
    """A streaming workbook (openpyxl write-only): add sheets, append rows, take the bytes."""

    def __init__(self):
        self._book = Workbook(write_only=True)

    def sheet(self, title: str, *, fallback: str = "sheet") -> XlsxSheet:
        clean = "".join(" " if c in _SHEET_NAME_REFUSES else c for c in str(title)).strip()[:31]
        return XlsxSheet(self._book.create_sheet(title=clean or fallback))

    def getvalue(self) -> bytes:
        buffer = io.BytesIO()
        self._book.save(buffer)
        return buffer.getvalue()


def xlsx_bytes(rows: Iterable[Iterable], *, title: str, fallback: str = "sheet") -> bytes:
    """A workbook of one sheet holding ``rows`` (the first is usually the header)."""
    book = XlsxBook()
    sheet = book.sheet(title, fallback=fallback)
    for row in rows:
        sheet.append(row)
    return book.getvalue()


# --- csv ----------------------------------------------------------------------------------------


def csv_cell(value):
    value = _plain(value)
    if value is None:
        return ""
    if looks_like_formula(value):
        return "'" + value
    return value


def csv_text(rows: Iterable[Iterable]) -> str:
    stream = io.StringIO()
    writer = csv.writer(stream)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return stream.getvalue()


def csv_bytes(rows: Iterable[Iterable]) -> bytes:
    """UTF-8 with a byte-order mark, which Excel on Chinese Windows needs to read it as UTF-8."""
    return csv_text(rows).encode("utf-8-sig")


# --- Reading uploads ----------------------------------------------------------------------------


class Formula(str):
    """A cell of an uploaded spreadsheet that holds a formula (its text, from the ``=``)."""


def unreadable() -> ValidationError:
    return ValidationError(
        _(
            "The file cannot be read. Save it from Excel as .xlsx, or as a csv in UTF-8 or in "
            "GB18030, and upload it again."
        ),
        code="unreadable",
    )


# A roster's column names are Chinese: besides UTF-8, only Chinese code pages can hold them. GB18030
# is the superset of GBK and GB2312 (what Excel on simplified-Chinese Windows writes), with the
# rare characters of people's names (𠮷, 〇); Big5 comes from traditional-Chinese Windows.
CHINESE_CODE_PAGES = ["gb18030", "big5"]


def decode_text(data: bytes) -> str:
    """The text of an uploaded csv: UTF-8 (with or without a byte-order mark), else what
    charset-normalizer finds among the Chinese code pages; random bytes are refused."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=CHINESE_CODE_PAGES).best()
    if best is None or b"\x00" in data:
        raise unreadable()
    try:
        return data.decode(best.encoding)
    except (UnicodeDecodeError, LookupError) as error:
        raise unreadable() from error


def max_rows() -> int:
    """How many rows (besides the header) an uploaded spreadsheet may have."""
    from django.conf import settings

    return int(getattr(settings, "ROSTER_MAX_ROWS", 20_000))


def too_many_rows(limit: int) -> ValidationError:
    return ValidationError(
        _(
            "The file has more than %(max)s rows; split it into files of at most %(max)s rows "
            "and upload them one by one."
        )
        % {"max": limit},
        code="too_many_rows",
    )


def check_workbook(data: bytes, name: str = "") -> None:
    """An uploaded workbook goes through the zip checks of uploads (bombs, macros, missing parts)
    before openpyxl opens it; raises ValidationError with the reason."""
    from . import uploads

    name = uploads.short_name(name or str(_("workbook")) + ".xlsx")
    if not name.lower().endswith(".xlsx"):
        name += ".xlsx"
    if not data.startswith(uploads.ZIP):  # not a workbook at all: say how to save one
        raise unreadable()
    try:
        uploads.check_spreadsheet(name, data)
    except uploads.UploadRefused as refused:
        raise ValidationError(str(refused), code="refused") from None


def read_csv(data: bytes | str) -> tablib.Dataset:
    text = decode_text(data) if isinstance(data, bytes) else data
    dataset = tablib.Dataset()
    rows = csv.reader(io.StringIO(text))
    try:
        dataset.headers = next(rows)
    except StopIteration:
        return dataset
    except csv.Error as error:
        raise unreadable() from error
    try:
        # A cell starting with "=" is a formula as soon as Excel opens the file.
        _append_rows(
            dataset, ([Formula(c) if c.startswith("=") else c for c in row] for row in rows), ""
        )
    except csv.Error as error:
        raise unreadable() from error
    return dataset


def _append_rows(dataset: tablib.Dataset, rows: Iterable[list], empty) -> None:
    """Append rows cut or padded to the header's width. Blank rows are kept between others,
    so that line numbers stay those of the file, and left out at the end, where Excel leaves
    them."""
    width = len(dataset.headers)
    limit = max_rows()
    blank = []
    for row in rows:
        row = (list(row) + [empty] * width)[:width]
        if all(value is None or str(value).strip() == "" for value in row):
            blank.append(row)
            if len(blank) > limit:  # a sheet of empty rows without end: stop reading
                raise too_many_rows(limit)
            continue
        if len(dataset) + len(blank) >= limit:
            raise too_many_rows(limit)
        for kept in blank:
            dataset.append(kept)
        blank = []
        dataset.append(row)


def _value(cell):
    if cell.data_type == "f":
        return Formula(getattr(cell.value, "text", None) or cell.value)  # ArrayFormula has .text
    return cell.value


def read_xlsx(data: bytes, name: str = "") -> tablib.Dataset:
    """The first sheet; a formula cell comes back as a ``Formula`` holding its text. The
    workbook is checked as an upload first (``check_workbook``)."""
    check_workbook(data, name)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # not a workbook: a zip error, a missing part, bad XML
        raise unreadable() from error
    try:
        rows = book.active.iter_rows()
        dataset = tablib.Dataset()
        try:
            dataset.headers = [cell.value for cell in next(rows)]
        except StopIteration:
            return dataset
        _append_rows(dataset, ([_value(cell) for cell in row] for row in rows), None)
        return dataset
    finally:
        book.close()


# --- django-import-export -------------------------------------------------------------------------


class SpreadsheetXLSX(base_formats.XLSX):
    """xlsx for django-import-export, read and written by this module."""

    def create_dataset(self, in_stream):
        return read_xlsx(in_stream)

    def export_data(self, dataset, **kwargs) -> bytes:
        return xlsx_bytes(
            [dataset.headers or [], *dataset], title=dataset.title or "", fallback="data"
        )


class SpreadsheetCSV(base_formats.CSV):
    """csv for django-import-export: bytes in (the encoding is found here, not assumed), UTF-8
    with a byte-order mark out."""

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        return read_csv(in_stream)

    def export_data(self, dataset, **kwargs) -> bytes:
        return csv_bytes([dataset.headers or [], *dataset])


def import_problems(result) -> list[str]:
    """Every problem of an import's result as plain lines for people: the file's, then each
    row's. Never an exception's repr, a traceback or a server path."""
    problems: list[str] = []
    for error in result.base_errors:
        problems += error_messages(error.error)
    for row in result.invalid_rows:
        problems += [str(message) for message in row.error.messages]
    for line, errors in result.row_errors():
        for error in errors:
            if isinstance(error.error, ValidationError):
                problems += [str(message) for message in error.error.messages]
            else:
                logger.error("import failed on row %s", line, exc_info=error.error)
                problems.append(str(_("Line %(line)s could not be imported.") % {"line": line}))
    return problems


def error_messages(error: BaseException) -> list[str]:
    if isinstance(error, ValidationError):
        return [str(message) for message in error.messages]
    logger.error("import failed", exc_info=error)
    return [str(_("The file could not be imported; nothing was written."))]
