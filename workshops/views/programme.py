"""Staff and leadership looking across a programme's groups: the briefing board (XH-BRIEF), the
programme's organisation with what each group owes (HA-ORG, HA-ACT, HA-READ, SJ-SCHOOL,
XC-PAIRS), and school-based session hours (PT-MODULES, for PT-CREDIT)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import role_required
from accounts.models import TeacherProfile
from accounts.roles import Role
from accounts.services import administered_school_id
from bureaus.models import School
from cohorts.exports import status_label
from programmes.access import get_programme_for_user
from programmes.rules import Status

from .. import rules, selectors
from ..access import teams_for_user
from ..exports import (
    XLSX,
    SessionRow,
    briefing_board_xlsx,
    briefing_status_label,
    session_hours_xlsx,
)
from ..filters import BoardFilterForm, SchoolYearFilterForm
from ..models import Team, TeamKind, TeamStage, TrainingModule, UnitDuty
from .units import duty_lines


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}.xlsx"
    return response


# --- The briefing board (XH-BRIEF) ---------------------------------------------------------------


@role_required(Role.BUREAU_STAFF, Role.LEADERSHIP)
def briefing_board(request, pk: int):
    programme = get_programme_for_user(request.user, pk)
    today = timezone.localdate()
    filters = BoardFilterForm(request.GET or None, programme=programme, today=today)
    teams = teams_for_user(request.user)
    if filters.chosen_kind:
        teams = teams.filter(kind=filters.chosen_kind)
    school_year = filters.chosen_year
    board = selectors.briefing_board(programme, teams, school_year=school_year, today=today)
    with_missing = sum(1 for row in board.rows if row.missing)
    all_rows = len(board.rows)
    if filters.only_missing:
        board.rows = [row for row in board.rows if row.missing]
    if request.GET.get("format") == "xlsx":
        content = briefing_board_xlsx(board, title=f"{programme.name} {school_year.label}")
        return _xlsx(content, f"{programme.name}-{_('briefings')}-{school_year.key}")
    counts = [
        (status.value, briefing_status_label(status), board.counts.get(status, 0))
        for status in rules.BriefingStatus
    ]
    return render(
        request,
        "workshops/board.html",
        {
            "programme": programme,
            "filters": filters,
            "board": board,
            "counts": counts,
            "with_missing": with_missing,
            "all_rows": all_rows,
            "can_extend": request.user.has_role(Role.BUREAU_STAFF),
            "query": request.GET.copy(),
        },
    )


# --- The programme's organisation (HA-ORG) --------------------------------------------------------


@dataclass(frozen=True)
class ObligationLine:
    rule: str
    title: str
    period: str
    count: int
    required: int
    status: str
    status_label: str
    missed: int


def _lines(rows: list[selectors.ObligationRow]) -> list[ObligationLine]:
    lines = []
    for row in rows:
        current = row.current
        lines.append(
            ObligationLine(
                row.obligation.rule,
                row.obligation.title,
                current.window.label if current else "—",
                current.count if current else 0,
                current.required if current else row.obligation.min_count,
                current.status.value if current else "",
                status_label(current.status if current else None),
                len(row.missed),
            )
        )
    return lines


@role_required(Role.BUREAU_STAFF, Role.LEADERSHIP)
def programme_teams(request, pk: int):
    programme = get_programme_for_user(request.user, pk)
    today = timezone.localdate()
    teams = list(
        teams_for_user(request.user)
        .filter(programme=programme)
        .select_related("school", "learning_district")
        .annotate(member_count=Count("memberships"))
        .order_by("name")
    )
    obligations = selectors.obligation_rows(teams, today=today)
    by_kind: dict[str, list[dict]] = {kind: [] for kind in TeamKind.values}
    for team in teams:
        lines = _lines(obligations.get(team.pk, []))
        by_kind[team.kind].append(
            {
                "team": team,
                "obligations": lines,
                "missed": sum(line.missed for line in lines),
            }
        )
    sections = [(label, by_kind[kind]) for kind, label in TeamKind.choices if by_kind[kind]]
    kinds = {team.kind for team in teams}
    units = _units(request, programme, today)
    stages = None
    if kinds & {TeamKind.WORKING_GROUP, TeamKind.READING_GROUP}:
        stages = _stage_gaps(teams)
    return render(
        request,
        "workshops/programme_teams.html",
        {
            "programme": programme,
            "sections": sections,
            "teams_with_missed": sum(1 for rows in by_kind.values() for r in rows if r["missed"]),
            "stages": stages,
            "studios": (
                selectors.studio_shortfalls(programme)
                if TeamKind.SCHOOL_STUDIO in kinds or units["studio_rule"]
                else None
            ),
            "units": units,
            "pairs": _pairs(programme) if TeamKind.MENTORING_PAIR in kinds else None,
        },
    )


UNIT_STATES = (Status.MISSED, Status.IN_PROGRESS, Status.MET)


def _units(request, programme, today) -> dict:
    """The duties of units (SJ-SCHOOL, XC-TEAM, PT-HOURS, HA-ASSESS): every school and learning
    district that owes one, grouped, with how many are met, short this period or missed, and a
    filter on that state. Four queries, however many units."""
    rows = selectors.unit_duty_rows(programme, today=today)
    state = request.GET.get("units")
    counts = {s: sum(1 for r in rows if r.state == s) for s in UNIT_STATES}
    shown = [r for r in rows if r.state == state] if state in UNIT_STATES else rows
    groups = []
    for is_district, label in ((False, _("Schools")), (True, _("Learning districts"))):
        items = [
            {"row": r, "lines": duty_lines(r), "state": r.state}
            for r in shown
            if r.is_district == is_district
        ]
        total = sum(1 for r in rows if r.is_district == is_district)
        if total:
            groups.append({"label": label, "items": items, "total": total})
    return {
        "any": bool(rows),
        "groups": groups,
        "counts": [(s.value, status_label(s), counts[s]) for s in UNIT_STATES],
        "state": state if state in UNIT_STATES else "",
        "studio_rule": UnitDuty.objects.filter(programme=programme, rule="SJ-SCHOOL").exists(),
    }


def _pairs(programme) -> list[dict]:
    """XC-PAIRS problems, with the mentor's and the mentee's school (two more queries)."""
    problems = selectors.pair_problems(programme)
    if not problems:
        return []
    lead_schools = dict(
        TeacherProfile.objects.filter(user_id__in={p.team.lead_id for p in problems}).values_list(
            "user_id", "school_id"
        )
    )
    schools = School.objects.in_bulk(
        {p.mentee.school_id for p in problems} | set(lead_schools.values())
    )
    return [
        {
            "team": p.team,
            "mentor_school": schools.get(lead_schools.get(p.team.lead_id)),
            "mentee": p.mentee,
            "mentee_school": schools.get(p.mentee.school_id),
            "problem": p.problem,
        }
        for p in problems
    ]


def _stage_gaps(teams: list[Team]) -> dict[str, list[str]]:
    """HA-ORG, HA-READ: the stages with no working group, and with no reading exchange."""

    def missing(kind: str) -> list[str]:
        have = {g.stage for g in teams if g.kind == kind}
        return [label for stage, label in TeamStage.choices if stage not in have]

    return {
        "working": missing(TeamKind.WORKING_GROUP),
        "reading": missing(TeamKind.READING_GROUP),
    }


# --- School-based session hours (PT-MODULES, for PT-CREDIT) ---------------------------------------


@role_required(Role.BUREAU_STAFF, Role.LEADERSHIP, Role.SCHOOL_ADMIN)
def session_hours(request, pk: int):
    """The class hours of school-based training per teacher, against the programme's yearly
    figure (PT-HOURS); a programme without that rule has no such page (404, as a missing one)."""
    programme = get_programme_for_user(request.user, pk)
    min_hours = selectors.training_hours_a_year(programme)
    if min_hours is None:
        raise Http404
    today = timezone.localdate()
    filters = SchoolYearFilterForm(
        request.GET or None, programme=programme, today=today, whole_cycle=True
    )
    school_year = filters.chosen_year
    hours = selectors.session_hours_by_teacher(programme, school_year)
    # Every member of the programme's training groups, with or without hours.
    teachers = (
        TeacherProfile.objects.filter(
            Q(pk__in=list(hours))
            | Q(
                memberships__team__programme=programme,
                memberships__team__kind=TeamKind.TRAINING_GROUP,
            )
        )
        .select_related("user", "school")
        .distinct()
        .order_by("school__name", "user__full_name", "pk")
    )
    if not request.user.has_role(Role.BUREAU_STAFF, Role.LEADERSHIP):
        teachers = teachers.filter(school_id=administered_school_id(request.user))
    rows = [SessionRow.of(t, hours.get(t.pk, rules.SessionHours())) for t in teachers]
    if request.GET.get("format") == "xlsx":
        year = school_year.label if school_year else _("the whole cycle")
        content = session_hours_xlsx(rows, title=f"{programme.name} {year}")
        key = school_year.key if school_year else "cycle"
        return _xlsx(content, f"{programme.name}-{_('session hours')}-{key}")
    return render(
        request,
        "workshops/session_hours.html",
        {
            "programme": programme,
            "filters": filters,
            "school_year": school_year,
            "rows": rows,
            "modules": TrainingModule.labels,
            # 40, not 40.0
            "min_hours": min_hours.to_integral_value() if min_hours % 1 == 0 else min_hours,
            "short": sum(1 for r in rows if r.hours.total < min_hours) if school_year else None,
            "query": request.GET.copy(),
        },
    )
