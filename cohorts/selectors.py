"""Reads on enrolments and evidence: a teacher's progress against their requirements."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from programmes import rules
from programmes.models import Programme, Requirement
from programmes.selectors import requirement_specs

from . import rules as cohort_rules
from .facts import extra_facts, programme_kinds
from .models import (
    PLAN_KIND,
    Enrolment,
    EnrolmentStatus,
    Evidence,
    EvidenceState,
    mentee_name_list,
    name_key,
)

NOT_THIS_PROGRAMME = frozenset({"—"})  # filed only for another programme's requirements


def requirement_codes(links: list[tuple[int, str]], programme_id: int) -> frozenset[str]:
    """The codes, in this programme, of the requirements evidence was filed for.

    Evidence filed for nothing counts for any requirement; evidence filed only for another
    programme's requirements counts for none of this one's.
    """
    if not links:
        return frozenset()
    codes = frozenset(code for pid, code in links if pid == programme_id)
    return codes or NOT_THIS_PROGRAMME


def people_keys(mentee_ids, names: str) -> frozenset[str]:
    """The people an item names, as the engine counts them: "t:<teacher id>" for a teacher of
    the bureau, "n:<name>" for someone outside it."""
    if not names:
        return frozenset(f"t:{pk}" for pk in mentee_ids)
    return frozenset(f"t:{pk}" for pk in mentee_ids) | frozenset(
        name_key(name) for name in mentee_name_list(names)
    )


def evidence_facts(evidence, programme_id: int) -> list[rules.Evidence]:
    """The engine's view of verified evidence (with requirements and mentees prefetched)."""
    return [
        rules.Evidence(
            id=e.pk,
            kind=e.kind.code,
            level=rules.Level(e.level),
            date=e.date,
            hours=e.hours,
            delivery=e.delivery_mode,
            requirements=requirement_codes(
                [(r.programme_id, r.code) for r in e.requirements.all()], programme_id
            ),
            people=people_keys((m.pk for m in e.mentees.all()), e.mentee_names),
        )
        for e in evidence
    ]


@dataclass(frozen=True)
class ProgressRow:
    requirement: Requirement
    result: rules.RequirementResult
    # (period, what the teacher reads about its due date: "4月30日前", "逾期 3 天", "迟交 2 天")
    deadlines: tuple[tuple[str, str], ...] = ()


def deadline_notes(result: rules.RequirementResult, today: dt.date) -> tuple[tuple[str, str], ...]:
    """The due date of each period under way of a requirement, and lateness, in words; periods
    not begun yet wait their turn."""
    notes = []
    for clause in result.clauses:
        for period in clause.periods:
            if period.status == rules.Status.UPCOMING:
                continue
            if note := period.deadline_note(today):
                notes.append((period.window.label, note))
    return tuple(notes)


def participant_of(enrolment: Enrolment) -> rules.Participant:
    """What the engine needs to know of an enrolled teacher (conditions read their profile)."""
    profile = enrolment.teacher
    return rules.Participant(
        tier=enrolment.tier.code,
        class_teacher_stage=profile.class_teacher_stage,
        years_class_teacher=profile.years_class_teacher,
        career_stage=profile.career_stage,
    )


def progress_for_enrolment(enrolment: Enrolment, *, today: dt.date) -> list[ProgressRow]:
    """Per requirement of the enrolment's tier (and of the teacher, where a clause is owed only
    by some participants): the engine's result on verified evidence."""
    verified = (
        Evidence.objects.filter(teacher_id=enrolment.teacher_id, state=EvidenceState.VERIFIED)
        .select_related("kind")
        .prefetch_related("requirements", "mentees")
    )
    facts = evidence_facts(verified, enrolment.programme_id)
    specs = requirement_specs(enrolment.programme)
    facts += extra_facts(
        programme=enrolment.programme,
        teacher_ids=[enrolment.teacher_id],
        kinds=programme_kinds(r for r, _spec in specs),
    ).get(enrolment.teacher_id, [])
    tier = enrolment.tier.code
    who = participant_of(enrolment)
    rows = []
    cycle = enrolment.programme.cycle
    for requirement, spec in specs:
        if spec.owed(who, cycle):
            result = rules.evaluate(
                spec,
                tier=tier,
                evidence=facts,
                cycle=enrolment.programme.cycle,
                today=today,
                participant=who,
            )
            rows.append(ProgressRow(requirement, result, deadline_notes(result, today)))
    return rows


def evidence_semesters(evidence: Evidence) -> list[str]:
    """The semester the evidence's date falls in, in the calendar of each programme it counts
    for: those it was filed for, or else those the teacher is enrolled in. Each programme
    counts by its own calendar, so the same day may be in differently named semesters."""
    programmes = {r.programme_id: r.programme for r in evidence.requirements.all()}
    if not programmes:
        programmes = {
            e.programme_id: e.programme
            for e in Enrolment.objects.filter(teacher_id=evidence.teacher_id).select_related(
                "programme"
            )
        }
    found = []
    for programme in sorted(programmes.values(), key=lambda p: p.start_month):
        for window in rules.windows(rules.Period.SEMESTER, programme.cycle):
            if evidence.date in window:
                label = window.label
                if len(programmes) > 1:
                    label = f"{programme.name}：{label}"
                found.append(label)
                break
    return found


def enrolments_of_teacher(teacher, *, programmes: QuerySet[Programme]) -> list[Enrolment]:
    """The teacher's enrolments in ``programmes`` (those the viewer may see)."""
    return list(
        Enrolment.objects.filter(teacher=teacher, programme__in=programmes)
        .select_related("programme", "tier", "school", "teacher")
        .order_by("-programme__start_month")
    )


@dataclass(frozen=True)
class MatrixColumn:
    requirement: Requirement
    clause_index: int
    window: rules.Window
    tiers: frozenset[str]  # empty: every tier of the requirement

    @property
    def label(self) -> str:
        return f"{self.requirement.code} {self.window.label}"


@dataclass(frozen=True, slots=True)
class MatrixRow:
    enrolment_id: int
    teacher_name: str
    staff_number: str
    school_name: str
    tier_code: str
    tier_name: str
    cells: tuple[rules.PeriodResult | None, ...]  # None: the column does not apply to the tier


@dataclass(frozen=True)
class ProgressMatrix:
    columns: tuple[MatrixColumn, ...]
    rows: tuple[MatrixRow, ...]

    def counts(self) -> list[dict[str, int]]:
        """Per column: how many teachers have met, are under way, missed."""
        totals = [{status.value: 0 for status in rules.Status} for _column in self.columns]
        for row in self.rows:
            for tally, cell in zip(totals, row.cells, strict=True):
                if cell is not None:
                    tally[cell.status] += 1  # a Status is the str of its value
        return totals


# What ``progress_matrix`` reads of each enrolment, in this order (a caller that reads the
# enrolments anyway asks for these first, its own columns after, and passes the rows in).
MATRIX_PEOPLE = (
    "pk",
    "teacher_id",
    "teacher__user__full_name",
    "teacher__staff_number",
    "school__name",
    "tier__code",
    "tier__name",
    "teacher__class_teacher_stage",
    "teacher__years_class_teacher",
    "teacher__career_stage",
)


def progress_matrix(
    programme, enrolments, *, today: dt.date, people: list[tuple] | None = None
) -> ProgressMatrix:
    """Teachers × requirement periods for ``enrolments`` (a queryset of the programme's).

    A fixed number of queries whatever the number of teachers: the programme's requirements
    (none while its configuration is unchanged, see ``programmes.selectors``), the enrolments
    (none when ``people`` gives their ``MATRIX_PEOPLE`` columns, extra columns after them
    ignored), their verified evidence with its requirement links, the mentees it names (when a
    criterion counts people) and the registered fact sources (see ``cohorts.facts``).
    """
    specs = requirement_specs(programme)
    cycle = programme.cycle
    columns = [
        MatrixColumn(requirement, index, window, clause.tiers)
        for requirement, spec in specs
        for index, clause in enumerate(spec.clauses)
        for window in clause.periods(cycle)
    ]
    if people is None:
        people = list(
            enrolments.order_by("school__name", "teacher__staff_number").values_list(*MATRIX_PEOPLE)
        )
    teacher_ids = {p[1] for p in people}
    # The evidence of the enrolments' teachers, chosen by the database (a subquery): a list of
    # 10,000 ids as parameters costs more to send and plan than the read itself.
    teachers = enrolments.order_by().values("teacher_id")
    # The evidence and the requirements it was filed for in one read: a row per link (or one
    # with none), folded here.
    evidence_rows: dict[int, tuple] = {}
    links: dict[int, list[tuple[int, str]]] = {}
    for row in Evidence.objects.filter(
        teacher_id__in=teachers,
        state=EvidenceState.VERIFIED,
        date__gte=cycle.start,
        date__lte=cycle.end,
    ).values_list(
        "pk",
        "teacher_id",
        "kind__code",
        "level",
        "date",
        "hours",
        "delivery_mode",
        "mentee_names",
        "requirements__programme_id",
        "requirements__code",
    ):
        evidence_rows[row[0]] = row[:8]
        if row[8] is not None:
            links.setdefault(row[0], []).append((row[8], row[9]))
    mentees: dict[int, list[int]] = {}
    if any(alt.counts_people for _r, spec in specs for c in spec.clauses for alt in c.alternatives):
        for evidence_id, mentee_id in Evidence.mentees.through.objects.filter(
            evidence__teacher_id__in=teachers,
            evidence__state=EvidenceState.VERIFIED,
        ).values_list("evidence_id", "teacherprofile_id"):
            mentees.setdefault(evidence_id, []).append(mentee_id)
    # Each teacher's verified evidence, bucketed once by the requirements it counts for (see
    # rules.evaluate: evidence filed for nothing counts for every requirement).
    keys = [spec.key for _requirement, spec in specs]
    levels = {level.value: level for level in rules.Level}
    codes_of: dict[tuple[tuple[int, str], ...], frozenset[str]] = {}
    counts_for: dict[frozenset[str], list[int]] = {}
    by_teacher: dict[int, list[list[rules.Evidence]]] = {}
    facts_rows = [
        (pk, teacher_id, kind, level, day, hours, delivery, people_keys(mentees.get(pk, ()), names))
        for pk, teacher_id, kind, level, day, hours, delivery, names in evidence_rows.values()
    ]
    for teacher_id, extra in extra_facts(
        programme=programme, teacher_ids=teacher_ids, kinds=programme_kinds(r for r, _s in specs)
    ).items():
        facts_rows += [
            (e.id, teacher_id, e.kind, e.level, e.date, e.hours, e.delivery, e.people)
            for e in extra
        ]
    for pk, teacher_id, kind, level, day, hours, delivery, named in facts_rows:
        filed = tuple(links.get(pk, ()))
        codes = codes_of.get(filed)
        if codes is None:
            codes = codes_of[filed] = requirement_codes(list(filed), programme.pk)
        targets = counts_for.get(codes)
        if targets is None:
            targets = counts_for[codes] = [
                i for i, key in enumerate(keys) if not codes or key in codes
            ]
        if not targets:
            continue  # it counts for none of this programme's requirements
        fact = rules.Evidence(
            pk, kind, levels.get(level) or rules.Level(level), day, hours, delivery, codes, named
        )
        buckets = by_teacher.get(teacher_id)
        if buckets is None:
            buckets = by_teacher[teacher_id] = [[] for _key in keys]
        for i in targets:
            buckets[i].append(fact)
    # Per requirement: how many columns each clause has, and per tier which clauses apply.
    widths = [[len(clause.periods(cycle)) for clause in spec.clauses] for _r, spec in specs]
    # Which clauses each participant owes depends on the tier and, for clauses with a condition,
    # on the profile: worked out once per distinct participant (there are few).
    applies: dict[tuple[int, rules.Participant], list[bool]] = {}

    def applied(i: int, spec: rules.RequirementSpec, who: rules.Participant) -> list[bool]:
        found = applies.get((i, who))
        if found is None:
            found = applies[i, who] = [clause.applies_to(who) for clause in spec.clauses]
        return found

    # A teacher with nothing filed for a requirement gets the result for no evidence: the engine
    # is pure, so that result is worked out once per requirement and participant, and shared.
    no_evidence: dict[tuple[int, rules.Participant], list[rules.PeriodResult | None]] = {}

    def requirement_cells(i, spec, who, facts) -> list[rules.PeriodResult | None]:
        result = rules.evaluate(
            spec, tier=who.tier, evidence=facts, cycle=cycle, today=today, participant=who
        )
        evaluated = iter(result.clauses)  # the clauses the participant owes, in order
        found: list[rules.PeriodResult | None] = []
        for owed, width in zip(applied(i, spec, who), widths[i], strict=True):
            # A clause with no period in the calendar is left out of the result (width 0).
            found += next(evaluated).periods if owed and width else [None] * width
        return found

    nothing: list[list[rules.Evidence]] = [[] for _key in keys]
    blanks = [[None] * sum(width) for width in widths]  # a requirement the tier does not owe
    participants: dict[tuple, rules.Participant] = {}
    rows = []
    for person in people:
        pk, teacher_id, name, number, school, tier_code, tier_name, stage, years, career = person[
            :10
        ]
        who = participants.get((tier_code, stage, years, career))
        if who is None:
            who = participants[tier_code, stage, years, career] = rules.Participant(
                tier_code, stage, years, career
            )
        buckets = by_teacher.get(teacher_id, nothing)
        cells: list[rules.PeriodResult | None] = []
        for i, (_requirement, spec) in enumerate(specs):
            if tier_code not in spec.tiers:
                cells += blanks[i]
                continue
            mine = buckets[i]
            if not mine:
                shared = no_evidence.get((i, who))
                if shared is None:
                    shared = no_evidence[i, who] = requirement_cells(i, spec, who, ())
                cells += shared
                continue
            cells += requirement_cells(i, spec, who, mine)
        rows.append(MatrixRow(pk, name, number, school, tier_code, tier_name, tuple(cells)))
    return ProgressMatrix(tuple(columns), tuple(rows))


def plan_statuses(enrolments, *, today: dt.date) -> dict[int, cohort_rules.PlanStatus]:
    """The development-plan status of each enrolment (one query for all of them)."""
    teacher_ids = {e.teacher_id for e in enrolments}
    states: dict[int, list[str]] = {}
    for teacher_id, state in Evidence.objects.filter(
        teacher_id__in=teacher_ids, kind__code=PLAN_KIND
    ).values_list("teacher_id", "state"):
        states.setdefault(teacher_id, []).append(state)
    return {
        e.pk: cohort_rules.plan_status(e.plan_due, states.get(e.teacher_id, ()), today)
        for e in enrolments
    }


def coverage_for_programme(programme):
    """HA-COVER: for the bureau's schools, active participants of the programme by subject."""
    from django.db.models import Count

    from bureaus.models import School

    counts = {
        (school_id, subject): n
        for school_id, subject, n in Enrolment.objects.filter(
            programme=programme, status__in=["active", "warned"]
        )
        .values_list("school_id", "teacher__subject")
        .annotate(n=Count("pk"))
    }
    schools = list(School.objects.values_list("pk", "name", "stage"))
    return cohort_rules.coverage(schools, counts)


@dataclass(frozen=True)
class DueItem:
    """A period of a requirement clause, not met, whose due date is near: what a reminder is
    about."""

    bureau_id: int
    enrolment_id: int
    user_id: int
    programme: str
    requirement_id: int
    requirement: str  # its code and title
    clause: int  # its place in the requirement
    window_key: str
    window_label: str
    due: dt.date


def due_items(*, today: dt.date, lookahead: int, lookback: int) -> list[DueItem]:
    """Across all bureaus (a sweep), every unmet period of a participant taking part (active, or
    warned) whose clause is due from ``lookback`` days before ``today`` to ``lookahead`` days
    after it.

    A fixed number of queries however many bureaus, programmes and participants: the clauses
    with a due date, their programmes' specs, the active enrolments and their verified evidence.
    """
    from bureaus.tenancy import all_bureaus
    from programmes.models import Criterion, ProgrammeStatus
    from programmes.selectors import requirement_specs_of

    first, last = today - dt.timedelta(days=lookback), today + dt.timedelta(days=lookahead)
    with all_bureaus():
        programme_ids = set(
            Criterion.objects.filter(
                Q(due_date__isnull=False) | Q(due_month__isnull=False),
                requirement__programme__status=ProgrammeStatus.ACTIVE,
            ).values_list("requirement__programme_id", flat=True)
        )
        if not programme_ids:
            return []
        due_specs: dict[int, list[tuple[Requirement, rules.RequirementSpec]]] = {}
        for programme_id, specs in requirement_specs_of(programme_ids).items():
            near = [
                (requirement, spec)
                for requirement, spec in specs
                if _due_between(spec, requirement.programme.cycle, first, last)
            ]
            if near:
                due_specs[programme_id] = near
        if not due_specs:
            return []
        enrolments = list(
            Enrolment.objects.filter(
                programme_id__in=list(due_specs),
                status__in=[EnrolmentStatus.ACTIVE, EnrolmentStatus.WARNED],
            ).values_list(
                "pk",
                "bureau_id",
                "programme_id",
                "teacher_id",
                "teacher__user_id",
                "tier__code",
                "teacher__class_teacher_stage",
                "teacher__years_class_teacher",
                "teacher__career_stage",
            )
        )
        evidence: dict[int, list] = defaultdict(list)
        for e in (
            Evidence.objects.filter(
                teacher_id__in={row[3] for row in enrolments}, state=EvidenceState.VERIFIED
            )
            .select_related("kind")
            .prefetch_related("requirements", "mentees")
        ):
            evidence[e.teacher_id].append(e)
    found = []
    # What the portal itself knows (a group led, XH-T3) counts as on the progress page.
    extra: dict[int, dict[int, list[rules.Evidence]]] = {}
    with all_bureaus():
        for programme_id, specs in due_specs.items():
            programme = specs[0][0].programme
            extra[programme_id] = extra_facts(
                programme=programme,
                teacher_ids=[row[3] for row in enrolments if row[2] == programme_id],
                kinds=programme_kinds(r for r, _spec in specs),
            )
    for pk, bureau_id, programme_id, teacher_id, user_id, tier, *profile in enrolments:
        who = rules.Participant(tier, *profile)
        facts = evidence_facts(evidence.get(teacher_id, ()), programme_id)
        facts += extra[programme_id].get(teacher_id, [])
        for requirement, spec in due_specs[programme_id]:
            if not spec.applies_to(who):
                continue
            cycle = requirement.programme.cycle
            result = rules.evaluate(
                spec, tier=tier, evidence=facts, cycle=cycle, today=today, participant=who
            )
            for clause in result.clauses:
                position = next(i for i, c in enumerate(spec.clauses) if c is clause.clause) + 1
                for period in clause.periods:
                    due = period.due
                    if due is None or period.status == rules.Status.MET or not first <= due <= last:
                        continue
                    found.append(
                        DueItem(
                            bureau_id=bureau_id,
                            enrolment_id=pk,
                            user_id=user_id,
                            programme=requirement.programme.name,
                            requirement_id=requirement.pk,
                            requirement=f"{requirement.code} {requirement.title}",
                            clause=position,
                            window_key=period.window.key,
                            window_label=period.window.label,
                            due=due,
                        )
                    )
    return found


def _due_between(spec: rules.RequirementSpec, cycle: rules.Cycle, first, last) -> bool:
    for clause in spec.clauses:
        if clause.deadline is None:
            continue
        for window in clause.periods(cycle):
            due = clause.deadline.due_in(window)
            if due is not None and first <= due <= last:
                return True
    return False


@dataclass(frozen=True)
class PlanDueItem:
    """A participant's development plan (Enrolment.plan_due, XH-CYCLE), due near today and not
    handed in for review yet."""

    bureau_id: int
    enrolment_id: int
    user_id: int
    programme: str
    due: dt.date


def plan_due_items(*, today: dt.date, lookahead: int, lookback: int) -> list[PlanDueItem]:
    """Across all bureaus (a sweep), the development plans of participants taking part that are
    due from ``lookback`` days before ``today`` to ``lookahead`` days after it and are neither
    verified nor under review; three queries. A programme whose requirements give the plan a
    due date of their own (HA-PLAN) is left to ``due_items``, so the plan is not reminded twice.
    """
    from bureaus.tenancy import all_bureaus
    from programmes.models import Criterion

    first, last = today - dt.timedelta(days=lookback), today + dt.timedelta(days=lookahead)
    with all_bureaus():
        enrolments = list(
            Enrolment.objects.filter(
                plan_due__range=(first, last),
                status__in=[EnrolmentStatus.ACTIVE, EnrolmentStatus.WARNED],
            )
            .exclude(
                programme_id__in=Criterion.objects.filter(
                    Q(due_date__isnull=False) | Q(due_month__isnull=False), kinds__code=PLAN_KIND
                ).values("requirement__programme_id")
            )
            .values_list(
                "pk", "bureau_id", "teacher_id", "teacher__user_id", "programme__name", "plan_due"
            )
        )
        states: dict[int, list[str]] = defaultdict(list)
        for teacher_id, state in Evidence.objects.filter(
            teacher_id__in={row[2] for row in enrolments}, kind__code=PLAN_KIND
        ).values_list("teacher_id", "state"):
            states[teacher_id].append(state)
    waiting = {
        cohort_rules.PlanStatus.DUE,
        cohort_rules.PlanStatus.DRAFT,
        cohort_rules.PlanStatus.RETURNED,
        cohort_rules.PlanStatus.OVERDUE,
    }
    return [
        PlanDueItem(bureau_id, pk, user_id, programme, due)
        for pk, bureau_id, teacher_id, user_id, programme, due in enrolments
        if cohort_rules.plan_status(due, states.get(teacher_id, ()), today) in waiting
    ]


def pool_entry_shortfalls(entry) -> list[str]:
    """Why a teacher in the reserve pool cannot be appointed yet (SJ-POOL), the assessment
    passed or not as the assessments app records it (SJ-INIT)."""
    from .checks import pool_assessments

    passed = pool_assessments(programme_id=entry.programme_id, teacher_ids=[entry.teacher_id])
    return cohort_rules.pool_shortfalls(
        willing=entry.willing,
        pre_service_hours=entry.pre_service_hours,
        trainee_year_done=entry.trainee_year_done,
        assessment_passed=passed.get(entry.teacher_id),
    )
