"""Reading a filled-in assessment sheet: every row checked before anything is written.

A sheet is the export (``assessments.exports``) with the results filled in: 工号 and 最终结果 are
read, with 评语 and, for the components the bureau files itself (district, leading group), their
result and score columns; the other columns are left as they are. Each problem is reported with
its row number (as Excel shows it) and the column's name. ``check_sheet`` reads in a fixed number
of queries; ``services.decisions_import`` writes the checked rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from bureaus.spreadsheets import Formula, read_csv, read_xlsx
from cohorts.models import Enrolment

from . import exports
from .models import (
    Assessment,
    AssessmentComponent,
    AssessmentDecision,
    AssessmentKind,
    AssessmentScheme,
    ComponentAssessment,
    FilingLevel,
    Result,
)

#: The levels whose components staff may fill in from a sheet.
SHEET_LEVELS = (FilingLevel.DISTRICT, FilingLevel.LEADING_GROUP)


def read_sheet(data: bytes, name: str) -> tablib.Dataset:
    """The uploaded file as rows; ValidationError with a message people can act on."""
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    if name.lower().endswith(".csv"):
        return read_csv(data)
    if name.lower().endswith(".xlsx"):
        return read_xlsx(data, name)
    raise ValidationError(_("Upload the sheet as .xlsx or .csv."), code="format")


@dataclass
class Problem:
    column: str
    message: str


@dataclass
class SheetRow:
    line: int  # the row's number in the spreadsheet (the header is row 1)
    staff_number: str = ""
    name: str = ""
    result: str = ""
    comment: str = ""
    components: dict[int, tuple[str, Decimal | None]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    enrolment_id: int | None = None
    assessment_id: int | None = None
    draft_id: int | None = None
    locked: bool = False

    @property
    def empty(self) -> bool:
        """Nothing to write on this row (left as it is)."""
        return not self.result and not self.components

    @property
    def result_label(self) -> str:
        return str(Result(self.result).label) if self.result else ""


@dataclass
class SheetCheck:
    scheme: AssessmentScheme
    year_key: str
    rows: list[SheetRow]
    problems: list[str]  # of the file as a whole

    @property
    def valid(self) -> bool:
        return not self.problems and not any(r.problems for r in self.rows)

    @property
    def to_write(self) -> list[SheetRow]:
        return [r for r in self.rows if not r.empty]

    def problem_lines(self) -> list[str]:
        lines = list(self.problems)
        for row in self.rows:
            for p in row.problems:
                lines.append(
                    _("Row %(line)s, %(column)s: %(message)s")
                    % {"line": row.line, "column": p.column, "message": p.message}
                )
        return lines


def _both_languages(make) -> set[str]:
    """A header or label as read in the portal's default language and in the current one."""
    found = {str(make())}
    with translation.override(settings.LANGUAGE_CODE):
        found.add(str(make()))
    return found


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def _results_by_label(scheme: AssessmentScheme) -> dict[str, str]:
    found: dict[str, str] = {}
    for value, label in Result.choices:
        found[value] = value
        found[str(label)] = value
        with translation.override(settings.LANGUAGE_CODE):
            found[str(label)] = value
    return found


def check_sheet(
    dataset: tablib.Dataset, *, scheme: AssessmentScheme, year_key: str = ""
) -> SheetCheck:
    """Every row of ``dataset`` checked against the scheme, the programme's participants and the
    decisions already made; nothing is written."""
    if scheme.kind != AssessmentKind.ANNUAL:
        year_key = ""
    check = SheetCheck(scheme=scheme, year_key=year_key, rows=[], problems=[])
    headers = [_text(h) for h in (dataset.headers or [])]
    if not headers or not len(dataset):
        check.problems.append(_("The sheet has no rows to import."))
        return check
    position = {h: i for i, h in reversed(list(enumerate(headers))) if h}

    def find(make) -> int | None:
        for name in _both_languages(make):
            if name in position:
                return position[name]
        return None

    number_at = find(exports.h_staff_number)
    result_at = find(exports.h_result)
    comment_at = find(exports.h_comment)
    name_at = find(exports.h_name)
    missing = [
        str(make())
        for make, at in ((exports.h_staff_number, number_at), (exports.h_result, result_at))
        if at is None
    ]
    if missing:
        check.problems.append(
            _(
                "The sheet needs the columns %(columns)s in its first row; start from the "
                "exported sheet."
            )
            % {"columns": "、".join(missing)}
        )
        return check

    components = list(AssessmentComponent.objects.filter(scheme=scheme, level__in=SHEET_LEVELS))
    component_columns: list[tuple[AssessmentComponent, int | None, int | None]] = []
    for c in components:
        result_col = find(lambda c=c: exports.component_header(c.title, c.level))
        score_col = (
            find(lambda c=c: exports.score_header(c.title, c.level)) if scheme.scored else None
        )
        if result_col is not None or score_col is not None:
            component_columns.append((c, result_col, score_col))

    enrolments = {
        number: (pk, name)
        for pk, number, name in Enrolment.objects.filter(programme_id=scheme.programme_id)
        .order_by()
        .values_list("pk", "teacher__staff_number", "teacher__user__full_name")
    }
    assessments = dict(
        Assessment.objects.filter(scheme=scheme, year_key=year_key)
        .order_by()
        .values_list("enrolment_id", "pk")
    )
    locked: set[int] = set()
    drafts: dict[int, int] = {}
    finals: list[tuple] = []
    for assessment_id, finalised_at, pk, result, comment, corrects_id in (
        AssessmentDecision.objects.filter(assessment__scheme=scheme, assessment__year_key=year_key)
        .order_by()
        .values_list("assessment_id", "finalised_at", "pk", "result", "comment", "corrects_id")
    ):
        if finalised_at is not None:
            locked.add(assessment_id)
            finals.append((finalised_at, pk, assessment_id, result, comment, corrects_id))
        else:
            drafts[assessment_id] = pk
    # What a locked row holds in force: a sheet exported and handed back unchanged leaves its
    # finalised rows as they are instead of refusing them.
    corrected = {f[5] for f in finals if f[5]}
    in_force: dict[int, tuple[str, str]] = {}
    for _at, pk, assessment_id, result, comment, _corrects in sorted(finals):
        if pk not in corrected:
            in_force[assessment_id] = (result, comment)
    locked_filed: dict[tuple[int, int], tuple[str, Decimal | None]] = {}
    if locked:
        for assessment_id, component_id, result, score in (
            ComponentAssessment.objects.filter(
                assessment__scheme=scheme,
                assessment__year_key=year_key,
                assessment__decisions__finalised_at__isnull=False,
                component__level__in=SHEET_LEVELS,
            )
            .order_by()
            .distinct()
            .values_list("assessment_id", "component_id", "result", "score")
        ):
            locked_filed[(assessment_id, component_id)] = (result, score)

    def as_in_force(row: SheetRow) -> bool:
        result, comment = in_force.get(row.assessment_id, ("", ""))
        if row.result and row.result != result:
            return False
        if row.comment and row.comment.strip() != (comment or "").strip():
            return False
        for component_id, (part, score) in row.components.items():
            filed_result, filed_score = locked_filed.get(
                (row.assessment_id, component_id), ("", None)
            )
            if part and part != filed_result:
                return False
            if score is not None and score != filed_score:
                return False
        return True

    labels = _results_by_label(scheme)
    scale = scheme.scale
    scale_text = "、".join(str(Result(r).label) for r in scale)
    number_header = str(exports.h_staff_number())
    result_header = str(exports.h_result())
    seen: dict[str, int] = {}

    def result_of(row: SheetRow, value, column: str) -> str:
        text = _text(value)
        if not text:
            return ""
        found = labels.get(text)
        if found is None or found not in scale:
            row.problems.append(
                Problem(
                    column,
                    _("“%(value)s” is not a result of this assessment; use %(scale)s.")
                    % {"value": text[:40], "scale": scale_text},
                )
            )
            return ""
        return found

    for index, values in enumerate(dataset, start=2):
        values = list(values)
        if all(_text(v) == "" for v in values):
            continue
        row = SheetRow(line=index)
        formulas = {i for i, v in enumerate(values) if isinstance(v, Formula)}
        for i in sorted(formulas):
            row.problems.append(
                Problem(
                    headers[i] or f"#{i + 1}",
                    _("A formula cannot be imported; type the value itself."),
                )
            )
        row.staff_number = "" if number_at in formulas else _text(values[number_at])
        if name_at is not None:
            row.name = _text(values[name_at])
        if number_at in formulas:
            pass
        elif not row.staff_number:
            row.problems.append(Problem(number_header, _("The staff number is missing.")))
        elif row.staff_number in seen:
            row.problems.append(
                Problem(
                    number_header,
                    _("The same staff number is on row %(line)s.")
                    % {"line": seen[row.staff_number]},
                )
            )
        else:
            seen[row.staff_number] = index
            found = enrolments.get(row.staff_number)
            if found is None:
                row.problems.append(
                    Problem(
                        number_header,
                        _("Nobody with this staff number takes part in the programme."),
                    )
                )
            else:
                row.enrolment_id, enrolled_name = found
                row.name = row.name or enrolled_name
        if result_at not in formulas:
            row.result = result_of(row, values[result_at], result_header)
        if comment_at is not None and comment_at not in formulas:
            row.comment = _text(values[comment_at])[:2000]
        for component, result_col, score_col in component_columns:
            result = ""
            score = None
            if result_col is not None and result_col not in formulas:
                result = result_of(
                    row,
                    values[result_col],
                    exports.component_header(component.title, component.level),
                )
            if score_col is not None and score_col not in formulas:
                text = _text(values[score_col])
                if text:
                    column = exports.score_header(component.title, component.level)
                    try:
                        score = Decimal(text)
                        if not Decimal(0) <= score <= Decimal(100):
                            raise InvalidOperation
                        score = score.quantize(Decimal("0.01"))
                    except InvalidOperation:
                        score = None
                        row.problems.append(Problem(column, _("Give a score from 0 to 100.")))
            if result or score is not None:
                row.components[component.pk] = (result, score)
        if row.enrolment_id is not None:
            row.assessment_id = assessments.get(row.enrolment_id)
            if row.assessment_id in locked:
                row.locked = True
                if not row.empty and not row.problems and as_in_force(row):
                    row.result, row.comment, row.components = "", "", {}
                if not row.empty:
                    row.problems.append(
                        Problem(
                            result_header,
                            _(
                                "The assessment is finalised and locked; it can only be "
                                "corrected on the assessment page."
                            ),
                        )
                    )
            row.draft_id = drafts.get(row.assessment_id) if row.assessment_id else None
        check.rows.append(row)
    if not check.rows:
        check.problems.append(_("The sheet has no rows to import."))
    elif not check.to_write and check.valid:
        check.problems.append(
            _("No row gives a result; fill in the column %(column)s.") % {"column": result_header}
        )
    return check
