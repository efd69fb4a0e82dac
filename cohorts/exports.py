"""Spreadsheets of progress, written through ``bureaus.spreadsheets`` (streaming, and no cell
ever becomes a formula)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from bureaus.levels import LevelNames
from bureaus.spreadsheets import XlsxBook
from programmes import rules

from .selectors import ProgressMatrix


def status_label(status: rules.Status | None) -> str:
    return {
        rules.Status.MET: _("Met"),
        rules.Status.IN_PROGRESS: _("In progress"),
        rules.Status.MISSED: _("Not met"),
        rules.Status.UPCOMING: _("Not started"),
        None: "—",
    }[status]


def progress_matrix_xlsx(matrix: ProgressMatrix, *, title: str) -> bytes:
    book = XlsxBook()
    sheet = book.sheet(title, fallback="progress")
    sheet.append(
        [_("full name"), _("staff number"), _("school"), _("tier")]
        + [c.label for c in matrix.columns]
    )
    labels = {s: status_label(s) for s in [*rules.Status, None]}
    for row in matrix.rows:
        sheet.append(
            [row.teacher_name, row.staff_number, row.school_name, row.tier_name]
            + [labels[cell.status if cell is not None else None] for cell in row.cells]
        )
    return book.getvalue()


def evidence_xlsx(evidence, *, levels: LevelNames, title: str) -> bytes:
    """One row per item (with teacher, school, kind and requirements at hand), its level as the
    bureau names it (HA-TIERS)."""
    book = XlsxBook()
    sheet = book.sheet(title, fallback="evidence")
    sheet.append(
        [
            _("submitted"),
            _("full name"),
            _("staff number"),
            _("school"),
            _("title"),
            _("kind"),
            _("level"),
            _("date"),
            _("class hours"),
            _("For requirements"),
            _("state"),
        ]
    )
    for e in evidence:
        sheet.append(
            [
                f"{e.submitted_at:%Y-%m-%d}" if e.submitted_at else "",
                e.teacher.user.full_name,
                e.teacher.staff_number,
                e.teacher.school.name if e.teacher.school_id else "",
                e.title,
                e.kind.name,
                levels.name(e.level),
                f"{e.date:%Y-%m-%d}",
                e.hours,
                "、".join(r.code for r in e.requirements.all()),
                e.get_state_display(),
            ]
        )
    return book.getvalue()
