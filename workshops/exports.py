"""Spreadsheets of the programme-wide pages (the briefing board, school-based session hours),
written through ``bureaus.spreadsheets`` (streaming, and no cell ever becomes a formula), in the
reader's language."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from accounts.models import TeacherProfile
from bureaus.spreadsheets import XLSX_CONTENT_TYPE, XlsxBook

from . import rules
from .models import TrainingModule
from .selectors import Board, DeadlineRow

XLSX = XLSX_CONTENT_TYPE


def briefing_status_label(status: rules.BriefingStatus) -> str:
    return {
        rules.BriefingStatus.ON_TIME: _("On time"),
        rules.BriefingStatus.LATE: _("Late"),
        rules.BriefingStatus.MISSING: _("Missing"),
        rules.BriefingStatus.OPEN: _("Open"),
    }[status]


def _cell(row: DeadlineRow | None) -> str:
    if row is None:
        return "—"
    label = briefing_status_label(row.status)
    if row.deadline.extended_to:
        return _("%(status)s, extended to %(date)s") % {
            "status": label,
            "date": f"{row.deadline.extended_to:%m-%d}",
        }
    return label


def briefing_board_xlsx(board: Board, *, title: str) -> bytes:
    """One row per group, one column per due date: the status of each briefing."""
    book = XlsxBook()
    sheet = book.sheet(title, fallback="briefings")
    sheet.append([_("group"), _("kind"), _("lead")] + [f"{day:%Y-%m-%d}" for day in board.dates])
    for row in board.rows:
        team = row.team
        sheet.append(
            [team.name, team.get_kind_display(), team.lead.get_full_name()]
            + [_cell(cell) for cell in row.cells]
        )
    return book.getvalue()


# --- School-based session hours (PT-MODULES, PT-CREDIT) ------------------------------------------

# Interim: the credits app takes this over; do not build on it.
LECTURE_HOURS_PER_CREDIT = Decimal(10)
PRACTICE_HOURS_PER_CREDIT = Decimal(20)


def credit_estimate(hours: rules.SessionHours) -> Decimal:
    """PT-CREDIT, as an estimate to one decimal place: lectures count 10 class hours a credit,
    practice 20. The credits app owns the real conversion (and XC-ATTEND, PT-ASSIGN).

    Interim: the credits app takes this over; do not build on it.
    """
    credits = hours.lecture / LECTURE_HOURS_PER_CREDIT + hours.practice / PRACTICE_HOURS_PER_CREDIT
    return credits.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class SessionRow:
    """One teacher's school-based training hours, with the modules in ``TrainingModule`` order."""

    teacher: TeacherProfile
    hours: rules.SessionHours
    modules: list[Decimal]
    credits: Decimal

    @classmethod
    def of(cls, teacher: TeacherProfile, hours: rules.SessionHours) -> SessionRow:
        by_module = dict(hours.by_module)
        return cls(
            teacher,
            hours,
            [by_module.get(module, Decimal(0)) for module in TrainingModule.values],
            credit_estimate(hours),
        )


def session_hours_xlsx(rows: list[SessionRow], *, title: str) -> bytes:
    book = XlsxBook()
    sheet = book.sheet(title, fallback="sessions")
    sheet.append(
        [
            _("full name"),
            _("staff number"),
            _("school"),
            _("lecture hours"),
            _("practice hours"),
            _("total hours"),
        ]
        + list(TrainingModule.labels)
        + [_("credits (estimate)")]
    )
    for row in rows:
        sheet.append(
            [
                row.teacher.user.get_full_name(),
                row.teacher.staff_number,
                row.teacher.school.name,
                row.hours.lecture,
                row.hours.practice,
                row.hours.total,
            ]
            + row.modules
            + [row.credits]
        )
    return book.getvalue()
