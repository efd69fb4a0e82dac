"""The leadership's assessment spreadsheets: one row per teacher (or per unit, HA-ASSESS), written
through ``bureaus.spreadsheets`` (streaming, no cell ever a formula, numbers stay numbers).

The rows are read in a fixed number of queries whatever the number of teachers: the scheme's
components, the enrolments, and the year's filed components, decisions and the consequences in
force in one read; for the year's requirement status, ``cohorts.selectors.progress_matrix`` is
given the enrolments and adds its evidence (and the programme's configuration when it changed).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from operator import itemgetter

from django.db.models import (
    DateTimeField,
    DecimalField,
    Field,
    IntegerField,
    QuerySet,
    TextField,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from bureaus.spreadsheets import XlsxBook, csv_cell
from cohorts.models import Enrolment, EnrolmentStatus
from cohorts.selectors import MATRIX_PEOPLE

from . import rules
from .models import (
    AssessmentComponent,
    AssessmentDecision,
    AssessmentKind,
    AssessmentScheme,
    ComponentAssessment,
    Consequence,
    FilingLevel,
    Result,
    UnitAssessment,
)

# --- Headers (also what the import reads) ---------------------------------------------------------


def h_staff_number() -> str:
    return pgettext("assessment sheet", "staff number")


def h_name() -> str:
    return pgettext("assessment sheet", "full name")


def h_school() -> str:
    return pgettext("assessment sheet", "school")


def h_tier() -> str:
    return pgettext("assessment sheet", "tier")


def h_result() -> str:
    return pgettext("assessment sheet", "final result")


def h_comment() -> str:
    return pgettext("assessment sheet", "comment")


def h_date() -> str:
    return pgettext("assessment sheet", "decided on")


def h_consequence() -> str:
    return pgettext("assessment sheet", "consequence")


def h_status() -> str:
    return pgettext("assessment sheet", "status")


def h_score_suffix() -> str:
    return pgettext("assessment sheet", "score")


def component_header(title: str, level: str) -> str:
    """ "项目考核（区级）": the component's title and the level that files it."""
    return f"{title}（{FilingLevel(level).label}）"


def score_header(title: str, level: str) -> str:
    return f"{component_header(title, level)}{h_score_suffix()}"


def result_labels() -> dict[str, str]:
    return {value: str(label) for value, label in Result.choices}


def effect_label(effect: str, target_year: str, years: dict[str, str]) -> str:
    """A consequence as the sheet names it: "2025学年 津贴暂停"."""
    target = years.get(target_year, target_year)
    return {
        rules.Effect.WARNING: _("warning"),
        rules.Effect.RECTIFICATION_PLAN: _("rectification plan owed"),
        rules.Effect.STIPEND_SUSPENDED: (
            _("%(year)s stipend suspended") % {"year": target} if target else _("stipend suspended")
        ),
        rules.Effect.NO_CERTIFICATE: _("no completion certificate"),
        rules.Effect.BARRED: _("barred from the next cohort"),
        rules.Effect.BONUS: _("%(year)s bonus") % {"year": target},
    }[rules.Effect(effect)]


# --- The teachers' sheet ------------------------------------------------------------------------


@dataclass
class Sheet:
    title: str
    headers: list[str]
    count: int
    rows: Callable[[], Iterator[list]]  # each row once, in order


def _requirement_status(statuses: list) -> str:
    from programmes.rules import Status

    if not statuses:
        return "—"
    if all(s == Status.MET for s in statuses):
        return pgettext("requirement", "done")
    if any(s == Status.MISSED for s in statuses):
        return pgettext("requirement", "not done")
    return pgettext("requirement", "under way")


def teacher_sheet(
    scheme: AssessmentScheme,
    *,
    year_key: str = "",
    tier_id: int | None = None,
    school_id: int | None = None,
    requirements: bool = True,
    today: dt.date | None = None,
) -> Sheet:
    """The assessments of ``scheme`` for ``year_key``: one row per enrolment of the programme
    (filtered by tier and school)."""
    programme = scheme.programme
    if scheme.kind != AssessmentKind.ANNUAL:
        year_key = ""
    today = today or timezone.localdate()
    components = list(
        AssessmentComponent.objects.filter(scheme=scheme)
        .order_by("order", "id")
        .values_list("pk", "title", "level")
    )
    enrolments: QuerySet = Enrolment.objects.filter(programme_id=scheme.programme_id)
    if tier_id:
        enrolments = enrolments.filter(tier_id=tier_id)
    if school_id:
        enrolments = enrolments.filter(school_id=school_id)
    # With the requirement status, the progress matrix's columns first (it is given these rows
    # rather than reading them again) and the enrolment's status last.
    fields = ("pk", "teacher__staff_number", "teacher__user__full_name", "school__name")
    fields += ("tier__name", "status")
    pick = None
    if requirements:
        fields = (*MATRIX_PEOPLE, "status")
        pick = itemgetter(0, 3, 2, 4, 6, 10)
    people = list(
        enrolments.order_by("school__name", "teacher__staff_number", "pk").values_list(*fields)
    )
    filtered = tier_id or school_id
    chosen = enrolments.values("pk")
    # The year's filings and decisions, and the consequences in force, in one read: a UNION of
    # plain selects (joined to the people instead, SQLite reads the join row by row through the
    # tenancy index, 15x slower at 10,000 rows). A filing row is (enrolment, 0, component, -,
    # result, -, score, -); a decision row is (enrolment, 1, decision, corrected decision,
    # result, comment, -, finalised or else decided). Each column costs a conversion on every
    # row of the read, so there are as few as the three kinds of row need.
    filings_qs = ComponentAssessment.objects.filter(
        assessment__scheme=scheme, assessment__year_key=year_key
    )
    decisions_qs = AssessmentDecision.objects.filter(
        assessment__scheme=scheme, assessment__year_key=year_key
    )
    if filtered:
        filings_qs = filings_qs.filter(assessment__enrolment__in=chosen)
        decisions_qs = decisions_qs.filter(assessment__enrolment__in=chosen)
    no_id = Value(None, output_field=IntegerField())
    no_time = Value(None, output_field=DateTimeField())
    # The read's conversions are those of its first select: the part number and the empty id
    # come back from the database as they are (an int, NULL), so they get none.
    as_is = Field()
    filings_part = filings_qs.order_by().values_list(
        "assessment__enrolment_id",
        Value(0, output_field=as_is),
        "component_id",
        Value(None, output_field=as_is),
        "result",
        Value("", output_field=TextField()),
        "score",
        no_time,
    )
    decisions_part = decisions_qs.order_by().values_list(
        "assessment__enrolment_id",
        Value(1, output_field=IntegerField()),
        "pk",
        "corrects_id",
        "result",
        "comment",
        Value(None, output_field=DecimalField(max_digits=5, decimal_places=2)),
        Coalesce("finalised_at", "decided_at"),
    )
    # The consequences in force, as the services recorded them when decisions were finalised
    # or corrected: the sheet shows what is in force, not a recomputation. A consequence row is
    # (enrolment, 2, consequence, -, effect, target year, -, -).
    consequences_qs = Consequence.objects.filter(
        enrolment__programme_id=scheme.programme_id, withdrawn_at__isnull=True
    )
    if filtered:
        consequences_qs = consequences_qs.filter(enrolment__in=chosen)
    consequences_part = consequences_qs.order_by().values_list(
        "enrolment_id",
        Value(2, output_field=IntegerField()),
        "pk",
        no_id,
        "effect",
        "target_year",
        Value(None, output_field=DecimalField(max_digits=5, decimal_places=2)),
        no_time,
    )
    decided_of: dict[int, list[tuple]] = {}
    filed: dict[int, dict[int, tuple]] = {}
    effects_of: dict[int, list[tuple[int, str, str]]] = {}
    for row in filings_part.union(decisions_part, consequences_part, all=True):
        enrolment_id, part, pk, corrects_id, result, comment, score, when = row
        if part == 1:
            decided_of.setdefault(enrolment_id, []).append((pk, corrects_id, result, comment, when))
        elif part == 0:
            filed.setdefault(enrolment_id, {})[pk] = (result, score)
        else:
            effects_of.setdefault(enrolment_id, []).append((pk, result, comment))
    for history in decided_of.values():  # oldest first: the one in force is the latest kept
        history.sort(key=lambda d: (d[4], d[0]))
    # The requirement status first: the matrix reads the programme's kept view, its calendar
    # included, so the years below cost no query.
    requirement_columns: list[tuple[str, list[int]]] = []
    matrix_rows: dict[int, tuple] = {}
    if requirements:
        from cohorts.selectors import progress_matrix

        matrix = progress_matrix(programme, enrolments, today=today, people=people)
        window = next((w for w in programme.years if w.key == year_key), None)
        by_code: dict[str, list[int]] = {}
        for index, column in enumerate(matrix.columns):
            inside = window is None or (
                column.window.start >= window.start and column.window.end <= window.end
            )
            if inside:
                by_code.setdefault(column.requirement.code, []).append(index)
        requirement_columns = list(by_code.items())
        matrix_rows = {row.enrolment_id: row.cells for row in matrix.rows}

    years = programme.years
    year_names = {w.key: w.label for w in years}
    in_force_of: dict[int, list[str]] = {}
    effect_labels: dict[tuple[str, str], str] = {}  # a few kinds, named once each
    for enrolment_id, effects in effects_of.items():
        labels_here = []
        for _pk, effect, target_year in sorted(effects):  # in the order they were recorded
            label = effect_labels.get((effect, target_year))
            if label is None:
                label = effect_labels[effect, target_year] = effect_label(
                    effect, target_year, year_names
                )
            labels_here.append(label)
        in_force_of[enrolment_id] = labels_here

    scored = scheme.scored
    headers = [h_staff_number(), h_name(), h_school(), h_tier()]
    for _pk, title, level in components:
        headers.append(component_header(title, level))
        if scored:
            headers.append(score_header(title, level))
    headers += [h_result(), h_comment(), h_date(), h_consequence(), h_status()]
    headers += [code for code, _indexes in requirement_columns]

    labels = result_labels()
    handed_in = _("handed in")
    statuses = {value: str(label) for value, label in EnrolmentStatus.choices}
    tz = timezone.get_current_timezone()
    nothing: dict = {}

    def in_force(history: list[tuple]) -> tuple | None:
        corrected = {d[1] for d in history if d[1]}
        mine = [d for d in history if d[0] not in corrected]
        return mine[-1] if mine else None

    status_of: dict[tuple, str] = {}

    def requirement_status(statuses: tuple) -> str:
        text = status_of.get(statuses)
        if text is None:
            text = status_of[statuses] = _requirement_status(list(statuses))
        return text

    def rows() -> Iterator[list]:
        for person in people:
            pk, number, name, school, tier, status = pick(person) if pick else person
            mine = filed.get(pk, nothing)
            row = [number, name, school, tier]
            for component_id, _title, _level in components:
                filing = mine.get(component_id)
                result, score = filing if filing is not None else ("", None)
                # A part filed without a result (a self-assessment) reads as on the board.
                row.append(labels.get(result) or (handed_in if filing is not None else ""))
                if scored:
                    row.append(score)
            history = decided_of.get(pk)
            decision = in_force(history) if history else None
            if decision is None:
                row += ["", "", None]
            else:
                _pk, _corrects, result, comment, when = decision
                row += [labels.get(result, ""), comment, when.astimezone(tz).date()]
            row.append("；".join(in_force_of.get(pk, ())))
            row.append(statuses.get(status, status))
            if requirement_columns:
                cells = matrix_rows.get(pk)
                for _code, indexes in requirement_columns:
                    if not cells:
                        key = ()
                    elif len(indexes) == 1:  # a yearly clause: one period in the year
                        cell = cells[indexes[0]]
                        key = () if cell is None else (cell.status,)
                    else:
                        key = tuple(cells[i].status for i in indexes if cells[i] is not None)
                    text = status_of.get(key)
                    row.append(requirement_status(key) if text is None else text)
            yield row

    year = year_names.get(year_key, "")
    return Sheet(
        title=" ".join(t for t in (programme.name, year, scheme.title) if t),
        headers=headers,
        count=len(people),
        rows=rows,
    )


# --- Units (HA-ASSESS) --------------------------------------------------------------------------


def unit_sheet(programme, *, year_key: str = "") -> Sheet:
    """HA-ASSESS: each unit's result per year (one query)."""
    found = UnitAssessment.objects.filter(programme=programme)
    if year_key:
        found = found.filter(year_key=year_key)
    units = list(
        found.order_by("year_key", "learning_district__name", "school__name").values_list(
            "school__name", "learning_district__name", "year_key", "result", "comment"
        )
    )
    year_names = {w.key: w.label for w in programme.years}
    labels = result_labels()
    headers = [
        pgettext("assessment sheet", "unit"),
        pgettext("assessment sheet", "kind of unit"),
        pgettext("assessment sheet", "year"),
        h_result(),
        h_comment(),
    ]

    def rows() -> Iterator[list]:
        for school, district, key, result, comment in units:
            kind = _("learning district") if district else _("school directly under the bureau")
            yield [
                district or school,
                kind,
                year_names.get(key, key),
                labels.get(result, ""),
                comment,
            ]

    year = year_names.get(year_key, "")
    return Sheet(
        title=" ".join(t for t in (programme.name, year, _("unit assessments")) if t),
        headers=headers,
        count=len(units),
        rows=rows,
    )


# --- Writing --------------------------------------------------------------------------------------


def write(sheet: Sheet, file_format: str, progress: Callable[[int, int], None] | None = None):
    """The sheet's bytes as xlsx (write-only workbook) or csv (UTF-8 with a byte-order mark)."""
    total = sheet.count
    if file_format == "csv":
        stream = io.StringIO()
        writer = csv.writer(stream)
        writer.writerow([csv_cell(v) for v in sheet.headers])
        for done, row in enumerate(sheet.rows(), start=1):
            writer.writerow([csv_cell(v) for v in row])
            if progress is not None:
                progress(done, total)
        return stream.getvalue().encode("utf-8-sig")
    book = XlsxBook()
    out = book.sheet(sheet.title, fallback="assessments")
    out.append(sheet.headers)
    for done, row in enumerate(sheet.rows(), start=1):
        out.append(row)
        if progress is not None:
            progress(done, total)
    return book.getvalue()
