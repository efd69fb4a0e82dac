"""Reads on groups: what each owes and has done, attendance per member and school year
(XC-ATTEND, for the credits app), the staff's briefing board, school studios short of SJ-SCHOOL,
mentoring pairs against XC-PAIRS, and school-based session hours (PT-MODULES, for PT-CREDIT).

Each read takes a fixed number of queries, however many groups, members or records there are.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Count, Q, QuerySet, prefetch_related_objects

from accounts.models import TeacherProfile
from bureaus.models import LearningDistrict, School
from cohorts.models import Enrolment
from programmes.models import Programme
from programmes.rules import Status, Window

from . import rules
from .models import (
    ActivityRecord,
    AttendanceRecord,
    Deadline,
    GroupRules,
    MemberRole,
    Membership,
    Obligation,
    Team,
    TeamDocument,
    TeamKind,
    UnitDuty,
    UnitFiling,
    UnitScope,
    WorkshopCourse,
)

# --- What a group owes ------------------------------------------------------------------------


@dataclass
class ObligationRow:
    obligation: Obligation
    periods: list[rules.PeriodCount]

    @property
    def current(self) -> rules.PeriodCount | None:
        """The period under way (or the last one, once the cycle is over)."""
        live = [p for p in self.periods if p.status != Status.UPCOMING]
        return live[-1] if live else (self.periods[0] if self.periods else None)

    @property
    def missed(self) -> list[rules.PeriodCount]:
        return [p for p in self.periods if p.status == Status.MISSED]

    @property
    def met(self) -> int:
        return sum(1 for p in self.periods if p.status == Status.MET)


def obligation_rows(teams: Iterable[Team], *, today: dt.date) -> dict[int, list[ObligationRow]]:
    """Every obligation of the groups, counted in each period of their programme's cycle, keyed by
    group id. Three queries, whatever the number of groups (four if their programmes are not
    joined already)."""
    teams = {g.pk: g for g in teams}
    obligations = list(
        Obligation.objects.filter(team_id__in=teams).select_related("phase").order_by("order", "id")
    )
    if not obligations:
        return {pk: [] for pk in teams}
    wanted = {o.team_id for o in obligations}
    items: dict[tuple[int, str], list[tuple[str, dt.date]]] = defaultdict(list)
    if any(o.counts == rules.Counts.ACTIVITIES for o in obligations):
        for team_id, kind, day in ActivityRecord.objects.filter(team_id__in=wanted).values_list(
            "team_id", "kind", "date"
        ):
            items[team_id, rules.Counts.ACTIVITIES].append((kind, day))
    if any(o.counts == rules.Counts.DOCUMENTS for o in obligations):
        for team_id, kind, day in TeamDocument.objects.filter(team_id__in=wanted).values_list(
            "team_id", "kind", "submitted_on"
        ):
            items[team_id, rules.Counts.DOCUMENTS].append((kind, day))
    # The cycles of the groups' programmes, read once (none when the caller joined them).
    programmes = {
        g.programme_id: g.programme for g in teams.values() if Team.programme.is_cached(g)
    }
    if missing := {g.programme_id for g in teams.values()} - programmes.keys():
        programmes.update(Programme.objects.in_bulk(missing))
    prefetch_related_objects(list(programmes.values()), "calendar_periods")
    cycles = {pk: p.cycle for pk, p in programmes.items()}
    rows: dict[int, list[ObligationRow]] = {pk: [] for pk in teams}
    for obligation in obligations:
        team = teams[obligation.team_id]
        periods = rules.obligation_status(
            obligation.spec,
            items[obligation.team_id, obligation.counts],
            cycles[team.programme_id],
            today,
        )
        rows[team.pk].append(ObligationRow(obligation, periods))
    return rows


# --- The output a workshop owes (XH-WS-OUTPUT) ---------------------------------------------------


@dataclass(frozen=True)
class OutputStatus:
    rank: rules.LeadRank | None  # None: the lead may not lead a workshop of this type
    options: tuple[rules.CourseOption, ...]
    courses: list[WorkshopCourse]
    report_done: bool
    met: bool
    missing: list[str]


def lead_rank(team: Team) -> rules.LeadRank | None:
    """XH-WS-TYPES: a 院校合作 workshop is led by a 研训员 (``User.trainer_researcher``), a 校际/
    校内 one by a 带头人 or 骨干 of the programme (``Tier.lead_rank``). None when the lead is
    neither (saving such a workshop is refused: ``services.team_lead_check``)."""
    tier_rank = (
        Enrolment.objects.filter(programme_id=team.programme_id, teacher__user_id=team.lead_id)
        .values_list("tier__lead_rank", flat=True)
        .first()
    )
    return rules.workshop_lead_rank(
        team.workshop_type, trainer_researcher=team.lead.trainer_researcher, tier_rank=tier_rank
    )


def output_status(team: Team) -> OutputStatus | None:
    """XH-WS-OUTPUT for a workshop: the course it owes, the courses recorded, whether its project
    report is in. None for other group forms."""
    if team.kind != TeamKind.WORKSHOP:
        return None
    rank = lead_rank(team)
    courses = list(team.courses.all())
    report_done = team.documents.filter(kind="project_report").exists()
    if rank is None:  # what it owes depends on who leads it (XH-WS-TYPES)
        missing = ["lead"] + ([] if report_done else ["project_report"])
        return OutputStatus(None, (), courses, report_done, False, missing)
    met, missing = rules.output_met(
        team.workshop_type,
        rank,
        [rules.Course(c.hours, c.delivery_mode, c.level) for c in courses],
        report_done,
    )
    return OutputStatus(
        rank, rules.owed_courses(team.workshop_type, rank), courses, report_done, met, missing
    )


# --- Deadlines and briefings ---------------------------------------------------------------------


class BoardDeadline(NamedTuple):
    """What the board shows of a deadline, read as values rather than as a model instance."""

    pk: int
    due: dt.date
    extended_to: dt.date | None
    extension_reason: str


class DeadlineRow(NamedTuple):
    deadline: Deadline | BoardDeadline
    status: rules.BriefingStatus
    filed_on: dt.date | None


def _status(deadline: Deadline, filed_on: dt.date | None, today: dt.date) -> rules.BriefingStatus:
    return rules.briefing_status(deadline.due, filed_on, today, deadline.extended_to)


def deadline_rows(team: Team, *, today: dt.date) -> list[DeadlineRow]:
    deadlines = Deadline.objects.filter(team=team).select_related("schedule", "briefing")
    rows = []
    for deadline in deadlines.order_by("due", "id"):
        briefing = getattr(deadline, "briefing", None)
        filed_on = briefing.filed_on if briefing else None
        rows.append(DeadlineRow(deadline, _status(deadline, filed_on, today), filed_on))
    return rows


@dataclass
class BoardRow:
    team: Team
    cells: list[DeadlineRow | None]

    @property
    def missing(self) -> int:
        return sum(1 for c in self.cells if c and c.status == rules.BriefingStatus.MISSING)


@dataclass
class Board:
    school_year: Window
    dates: list[dt.date]
    rows: list[BoardRow]
    counts: dict[str, int] = field(default_factory=dict)


def briefing_board(
    programme: Programme, teams: QuerySet[Team], *, school_year: Window, today: dt.date
) -> Board:
    """The programme's groups against the deadlines of one school year: filed on time, late,
    missing (highlighted) or still open, with extensions. Two queries; the deadlines are read as
    values, as the board shows a few fields of thousands of them."""
    teams = (
        teams.filter(programme=programme)
        .select_related(None)
        .select_related("lead")
        .only("kind", "name", "lead__username", "lead__full_name")
    )
    found = (
        Deadline.objects.filter(
            team__in=teams.values("pk"), due__range=(school_year.start, school_year.end)
        )
        .order_by("due", "id")
        .values_list(
            "pk", "team_id", "due", "extended_to", "extension_reason", "briefing__filed_on"
        )
    )
    dates: set[dt.date] = set()
    cells: dict[tuple[int, dt.date], DeadlineRow] = {}
    counts: dict[str, int] = defaultdict(int)
    for pk, team_id, due, extended_to, reason, filed_on in found:
        status = rules.briefing_status(due, filed_on, today, extended_to)
        cells[team_id, due] = DeadlineRow(
            BoardDeadline(pk, due, extended_to, reason), status, filed_on
        )
        counts[status] += 1
        dates.add(due)
    days = sorted(dates)
    rows = []
    for team in teams.order_by("kind", "name"):
        line = [cells.get((team.pk, day)) for day in days]
        if any(line):
            rows.append(BoardRow(team, line))
    return Board(school_year, days, rows, dict(counts))


# --- Attendance (XC-ATTEND) ---------------------------------------------------------------------


def group_rules(programme: Programme) -> GroupRules | None:
    """The rules the programme keeps for its groups (XC-ATTEND, PT-HOURS); None: none of them."""
    return GroupRules.objects.filter(programme=programme).first()


def attendance_threshold(programme: Programme) -> Decimal | None:
    """The largest absent share that still earns credit (XC-ATTEND), or None when the programme
    does not keep attendance against a threshold."""
    found = group_rules(programme)
    return found.attendance_threshold if found else None


def training_hours_a_year(programme: Programme) -> Decimal | None:
    """The class hours of school-based training each participant owes a year (PT-HOURS), or None
    when that is not the programme's rule."""
    found = group_rules(programme)
    return found.training_hours_a_year if found else None


def attendance_by_member(team: Team, year: str | int) -> dict[int, rules.Attendance]:
    """Each member's attendance over the group's activities of one year of the programme (by
    its key, e.g. "2024"), keyed by membership id. Members with no activity that year are
    absent from the result; so is everyone when the programme keeps no attendance threshold."""
    return {
        member: found
        for member, years in attendance_by_year(team).items()
        for window, found in years.items()
        if window.key == str(year)
    }


def attendance_by_year(team: Team) -> dict[int, dict[Window, rules.Attendance]]:
    """Each member's attendance per year of the programme, keyed by membership id then year,
    judged against the programme's threshold (XC-ATTEND). Activities outside the programme's
    years are not counted; a programme that keeps no attendance threshold has none ({})."""
    threshold = attendance_threshold(team.programme)
    if threshold is None:
        return {}
    cycle = team.programme.cycle
    records: dict[int, dict[Window, list]] = defaultdict(lambda: defaultdict(list))
    for membership_id, hours, present, day in AttendanceRecord.objects.filter(
        activity__team=team
    ).values_list("membership_id", "activity__hours", "present", "activity__date"):
        year = cycle.year_of(day)
        if year is not None:
            records[membership_id][year].append((hours, present))
    return {
        member: {
            year: rules.attendance(rows, max_absent_share=threshold) for year, rows in years.items()
        }
        for member, years in records.items()
    }


# --- School studios (SJ-SCHOOL) -------------------------------------------------------------------


@dataclass(frozen=True)
class StudioShortfall:
    school: School
    classes: int
    studios: list[tuple[str, int]]  # (name, members) of the school's own studios
    reason: str


def studio_shortfalls(programme: Programme) -> list[StudioShortfall]:
    """SJ-SCHOOL: every school of the bureau with ≥15 classes that has no studio of its own in
    the programme with ≥8 members, whether or not any of its teachers is enrolled: the duty is
    the school's. Two queries."""
    schools = School.objects.filter(
        number_of_classes__gte=rules.SJ_STUDIO_MIN_CLASSES,
    ).order_by("-number_of_classes", "name")
    studios: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for school_id, name, members in (
        Team.objects.filter(programme=programme, kind=TeamKind.SCHOOL_STUDIO)
        .exclude(school=None)
        .annotate(members=Count("memberships"))
        .values_list("school_id", "name", "members")
    ):
        studios[school_id].append((name, members))
    found = []
    for school in schools:
        own = studios.get(school.pk, [])
        reason = rules.studio_shortfall(school.number_of_classes, [m for _n, m in own])
        if reason:
            found.append(StudioShortfall(school, school.number_of_classes, own, reason))
    return found


# --- Mentoring pairs (XC-PAIRS) ------------------------------------------------------------------

# The tiers of the XC seed: who is mentored as what, and the tier of the bureau's mentor list.
MENTEE_TIERS = {
    "new_vice_principal": rules.MenteeKind.VICE_PRINCIPAL,
    "new_principal": rules.MenteeKind.PRINCIPAL,
}
MENTOR_TIER = "mentor"


@dataclass(frozen=True)
class PairProblem:
    team: Team
    mentee: TeacherProfile
    problem: str


def pair_problems(programme: Programme) -> list[PairProblem]:
    """Mentoring pairs that do not follow XC-PAIRS. Three queries."""
    pairs = {
        g.pk: g
        for g in Team.objects.filter(programme=programme, kind=TeamKind.MENTORING_PAIR)
        .select_related("lead")
        .order_by("name")
    }
    if not pairs:
        return []
    tiers = dict(
        Enrolment.objects.filter(programme=programme).values_list("teacher__user_id", "tier__code")
    )
    lead_schools = dict(
        TeacherProfile.objects.filter(user_id__in=[g.lead_id for g in pairs.values()]).values_list(
            "user_id", "school_id"
        )
    )
    found = []
    mentees = Membership.objects.filter(team_id__in=pairs, role=MemberRole.MENTEE).select_related(
        "teacher__user", "teacher__school"
    )
    for membership in mentees:
        team = pairs[membership.team_id]
        kind = MENTEE_TIERS.get(tiers.get(membership.teacher.user_id, ""))
        if kind is None:
            continue
        problem = rules.pair_problem(
            kind,
            same_school=lead_schools.get(team.lead_id) == membership.teacher.school_id,
            mentor_listed=tiers.get(team.lead_id) == MENTOR_TIER,
        )
        if problem:
            found.append(PairProblem(team, membership.teacher, problem))
    return found


# --- School-based sessions (PT-MODULES, for PT-CREDIT) --------------------------------------------


def session_hours_by_teacher(
    programme: Programme, year: Window | None = None
) -> dict[int, rules.SessionHours]:
    """The class hours of school-based training each teacher attended, by format (lecture or
    practice, which PT-CREDIT converts differently) and by module, keyed by teacher profile id.
    Only sessions recorded with a format count. One query."""
    records = AttendanceRecord.objects.filter(
        present=True,
        activity__team__programme=programme,
        activity__team__kind=TeamKind.TRAINING_GROUP,
    ).exclude(activity__session_format="")
    if year is not None:
        records = records.filter(activity__date__range=(year.start, year.end))
    sessions: dict[int, list[tuple[str, str, Decimal]]] = defaultdict(list)
    for teacher_id, module, format_, hours in records.values_list(
        "membership__teacher_id",
        "activity__module",
        "activity__session_format",
        "activity__hours",
    ):
        sessions[teacher_id].append((module, format_, hours))
    return {teacher: rules.session_hours(rows) for teacher, rows in sessions.items()}


# --- The home page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MyTeam:
    team: Team
    manages: bool
    next_deadline: Deadline | None
    missing: int


def my_teams(user, *, today: dt.date) -> list[MyTeam]:
    """The groups ``user`` leads, assists or belongs to, with the next briefing owed and how many
    are missing. Two queries."""
    from django.db.models import Q

    teams = list(
        Team.objects.filter(Q(lead=user) | Q(assistant=user) | Q(memberships__teacher__user=user))
        .select_related("programme")
        .distinct()
        .order_by("programme", "name")
    )
    if not teams:
        return []
    open_deadlines: dict[int, list[Deadline]] = defaultdict(list)
    for deadline in Deadline.objects.filter(team__in=teams, briefing=None).order_by("due"):
        open_deadlines[deadline.team_id].append(deadline)
    found = []
    for team in teams:
        pending = open_deadlines.get(team.pk, [])
        missing = [d for d in pending if d.effective_due < today]
        upcoming = [d for d in pending if d.effective_due >= today]
        found.append(
            MyTeam(
                team,
                user.pk in (team.lead_id, team.assistant_id),
                min(upcoming, key=lambda d: d.effective_due, default=None),
                len(missing),
            )
        )
    return found


def dashboard_panel(request) -> dict | None:
    """The home page's "my groups" panel, for anybody in a group."""
    from django.utils import timezone

    today = timezone.localdate()
    mine = my_teams(request.user, today=today)
    return {"my_teams": mine, "today": today} if mine else None


# --- Groups led in the portal, as evidence of mentoring (XH-T3) ---------------------------------


def led_group_facts(*, programme, teacher_ids, kinds) -> dict[int, list]:
    """A fact source for ``cohorts.facts``: the groups the teachers lead, as items of each kind
    marked "a group led in the portal counts", in every month of the programme's cycle with an
    activity. One query for all the teachers, none when no kind asks for it."""
    codes = [k.code for k in kinds if getattr(k, "counts_led_groups", False)]
    if not codes or not teacher_ids:
        return {}
    cycle = programme.cycle
    activities = list(
        ActivityRecord.objects.filter(
            team__lead__teacher_profile__in=list(teacher_ids),
            team__kind__in=rules.MENTORING_GROUP_KINDS,
            date__gte=cycle.start,
            date__lte=cycle.end,
        ).values_list(
            "pk",
            "team__lead__teacher_profile",
            "team_id",
            "date",
            "team__school_id",
            "team__learning_district_id",
        )
    )
    rows = [
        (pk, teacher, team, day, school is not None, district is not None)
        for pk, teacher, team, day, school, district in activities
    ]
    found: dict[int, list] = {}
    for code in codes:
        for teacher_id, facts in rules.led_group_facts(rows, kind=code).items():
            found.setdefault(teacher_id, []).extend(facts)
    return found


# --- Duties of units (SJ-SCHOOL, XC-TEAM, PT-HOURS, HA-ASSESS) -----------------------------------


@dataclass
class DutyLine:
    """One duty of one unit, counted in each period of the programme's cycle."""

    duty: UnitDuty
    periods: list[rules.UnitPeriod]

    @property
    def current(self) -> rules.UnitPeriod | None:
        return rules.current_period(self.periods)

    @property
    def missed(self) -> int:
        return sum(1 for p in self.periods if p.status == Status.MISSED)


@dataclass
class UnitRow:
    """A school or a learning district and its duties in one programme."""

    unit: School | LearningDistrict
    is_district: bool
    lines: list[DutyLine]
    filings: list[UnitFiling] = field(default_factory=list)

    @property
    def missed(self) -> int:
        return sum(line.missed for line in self.lines)

    @property
    def state(self) -> str:
        """missed if any period was missed, else in_progress if a current period is short,
        else met."""
        if self.missed:
            return Status.MISSED
        current = [line.current for line in self.lines if line.current]
        if any(c.status == Status.IN_PROGRESS for c in current):
            return Status.IN_PROGRESS
        return Status.MET


def _unit_rows(
    programme: Programme,
    duties: list[UnitDuty],
    schools: Iterable[School],
    districts: Iterable[LearningDistrict],
    filings: Iterable[UnitFiling],
    today: dt.date,
) -> list[UnitRow]:
    by_unit: dict[tuple[str, int], list[UnitFiling]] = defaultdict(list)
    for filing in filings:
        if filing.school_id is not None:
            by_unit["school", filing.school_id].append(filing)
        else:
            by_unit["district", filing.learning_district_id].append(filing)
    cycle = programme.cycle
    school_duties = [d for d in duties if d.owed_by != UnitScope.LEARNING_DISTRICT]
    district_duties = [d for d in duties if d.owed_by == UnitScope.LEARNING_DISTRICT]

    def row(unit, key: str, owed: list[UnitDuty]) -> UnitRow:
        found = by_unit.get((key, unit.pk), [])
        items = [(f.kind, f.date, f.hours) for f in found]
        lines = [DutyLine(d, rules.unit_duty_status(d.spec, items, cycle, today)) for d in owed]
        return UnitRow(unit, key == "district", lines, found)

    rows = []
    for school in schools:
        owed = [
            d
            for d in school_duties
            if rules.school_owes(
                d.spec,
                school.number_of_classes,
                in_district=school.learning_district_id is not None,
            )
        ]
        if owed:
            rows.append(row(school, "school", owed))
    if district_duties:
        rows += [row(district, "district", district_duties) for district in districts]
    return rows


def unit_duty_rows(
    programme: Programme,
    *,
    today: dt.date,
    schools: QuerySet[School] | None = None,
) -> list[UnitRow]:
    """Every unit that owes one of the programme's duties (schools, by their number of classes
    where the duty says so, and learning districts), with each duty counted in each period from
    the unit's filings. ``schools`` narrows the schools (and the districts to those they lead).
    Four queries, however many units and filings."""
    duties = list(
        UnitDuty.objects.filter(programme=programme).select_related("phase").order_by("order", "id")
    )
    if not duties:
        return []
    school_qs = (schools if schools is not None else School.objects.all()).select_related(None)
    school_list = list(school_qs.order_by("name"))
    districts = LearningDistrict.objects.select_related("lead_school").order_by("name")
    if schools is not None:
        districts = districts.filter(lead_school__in=[s.pk for s in school_list])
    district_list = list(districts)
    filings = UnitFiling.objects.filter(programme=programme).prefetch_related(None)
    if schools is not None:
        filings = filings.filter(
            Q(school__in=[s.pk for s in school_list])
            | Q(learning_district__in=[d.pk for d in district_list])
        )
    filings = filings.select_related("filed_by").order_by("-date", "-id")
    return _unit_rows(programme, duties, school_list, district_list, filings, today)


@dataclass(frozen=True)
class SchoolDuties:
    programme: Programme
    rows: list[UnitRow]


def school_duties(
    school: School, *, today: dt.date, programmes: QuerySet[Programme] | None = None
) -> list[SchoolDuties]:
    """The duties a school owes in each programme of its bureau (of ``programmes``: those the
    reader may see), and those of the learning districts it leads, with their filings and files.
    Five queries, however many programmes, duties and filings."""
    duties = UnitDuty.objects.all()
    if programmes is not None:
        duties = duties.filter(programme__in=programmes)
    duties = list(
        duties.select_related("programme", "phase").order_by(
            "-programme__start_month", "programme_id", "order", "id"
        )
    )
    if not duties:
        return []
    districts = list(LearningDistrict.objects.filter(lead_school=school).order_by("name"))
    filings = list(
        UnitFiling.objects.filter(
            Q(school=school) | Q(learning_district__in=[d.pk for d in districts]),
            programme_id__in={d.programme_id for d in duties},
        )
        .select_related("filed_by")
        .prefetch_related("files")
        .order_by("-date", "-id")
    )
    owners: dict[int, Programme] = {}
    by_programme: dict[int, list[UnitDuty]] = defaultdict(list)
    for duty in duties:
        owners[duty.programme_id] = duty.programme
        by_programme[duty.programme_id].append(duty)
    found = []
    for pk, programme in owners.items():
        mine = [f for f in filings if f.programme_id == pk]
        rows = _unit_rows(programme, by_programme[pk], [school], districts, mine, today)
        if rows:
            found.append(SchoolDuties(programme, rows))
    return found
