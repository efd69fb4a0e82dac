"""Demo groups: the workshops, teams, mentoring pairs, studios and training groups of the seed
programmes, with their members, activities, documents, courses and briefings.

``fixtures/demo_groups.json`` lists, per demo bureau, its programme administrator, any class
teachers the demo roster lacks (a school studio of eight needs eight teachers of one school) and,
per seed programme, its groups. Each group is written through the services its lead and the
bureau's staff would have used: created and given what its form owes (as the admin does),
members added with their task division, activities recorded with attendance and materials,
documents filed and reviewed, courses recorded, deadlines extended and briefings filed. Every
audit row, file, review and briefing is then dated to the day it stands for, not the load.

Regular activities (a principals' salon each month, a seminar every fortnight, a monthly
school-based session) are written as a series: a first day, a rule and topics taken in turn.
Briefings are filed a few days before each deadline that has passed, except those the group's
entry says were late, missing or extended; the text sums up the activities since the deadline
before. An activity listed one by one comes with one file of materials unless it says otherwise.

The file is checked as a whole against its schema (``demo.schema``) before anything is written; a
mistake is a ``ValueError`` naming the file and the entry. A programme that already has groups is
left as it is, so running it again changes nothing. Each programme is written in one transaction,
inside its bureau's scope.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import NoReturn

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.utils import timezone

from accounts.models import TeacherProfile, User
from accounts.roles import Role
from accounts.services import role_grant
from bureaus.models import AuditEntry, Bureau, LearningDistrict, School
from bureaus.services import audit_record
from bureaus.tenancy import bureau_scope
from demo import registry, schema
from demo.cohorts import demo_pdf
from programmes.models import Period, Phase, Programme
from workshops import services
from workshops.models import (
    ActivityFile,
    Briefing,
    BriefingFile,
    Deadline,
    GroupRules,
    MemberRole,
    Membership,
    Team,
    TeamDocument,
    UnitDuty,
    UnitFilingKind,
)

DEMO_GROUPS = Path(settings.BASE_DIR) / "fixtures" / "demo_groups.json"

_OFFICE_HOURS = (9, 17)

_Fail = Callable[[str, str], NoReturn]


def load_demo_groups(path: Path = DEMO_GROUPS, *, today: dt.date | None = None) -> list[str]:
    """Load the demo groups ``path`` describes; one line per programme loaded.

    Programmes that already have groups are skipped, so running it again changes nothing and
    returns an empty list. Deadlines up to ``today`` (default: today) are filed or left missing,
    later ones stay open, and no activity is dated after it. Raises ValueError, naming the file
    and the entry, for a malformed file, a bureau or programme that is not there (run
    ``load_demo``, ``load_programmes`` and ``load_demo_cohorts`` first), or an unknown username,
    school or learning district.
    """
    path = Path(path)
    data = schema.read(path, "groups")
    today = today or timezone.localdate()
    loaded: list[str] = []
    for entry in data["bureaus"]:
        bureau = Bureau.objects.filter(code=entry["bureau"]).first()
        if bureau is None:
            raise ValueError(
                f"{path}: bureau {entry['bureau']!r}: there is no such bureau; "
                "load the demo bureaus first (`manage.py load_demo`)."
            )
        with bureau_scope(bureau):
            where = f"{path}: bureau {bureau.code!r}"
            staff = User.objects.filter(username=entry["staff"]).first()
            if staff is None or not staff.has_role(Role.BUREAU_STAFF):
                raise ValueError(f"{where}: {entry['staff']!r} is not a bureau staff user here")
            _teachers(bureau, entry.get("teachers", []), where)
            for spec in entry["programmes"]:
                line = _load_programme(bureau, staff, spec, where=where, today=today)
                if line:
                    loaded.append(line)
    return loaded


# --- Dates along the way ------------------------------------------------------------------------


class _Clock:
    """Puts the rows a service writes at the moment they stand for, not the moment of loading."""

    def __init__(self):
        self.now = timezone.now()

    def at(self, day: dt.date, salt: str) -> dt.datetime:
        """A time in office hours on ``day``, the same for the same salt on every run."""
        spread = zlib.crc32(f"{day}|{salt}".encode())
        low, high = _OFFICE_HOURS
        moment = dt.time(low + spread % (high - low), (spread >> 8) % 60)
        return min(timezone.make_aware(dt.datetime.combine(day, moment)), self.now)

    @contextmanager
    def dated(self, day: dt.date, salt: str) -> Iterator[dt.datetime]:
        """The audit rows written inside the block are dated ``day``."""
        last = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        moment = self.at(day, salt)
        yield moment
        AuditEntry.objects.filter(pk__gt=last).update(created_at=moment)


# --- Writing -----------------------------------------------------------------------------------


def _teachers(bureau: Bureau, specs: list[dict], where: str) -> None:
    """Create the class teachers the demo roster lacks; those already there are left alone."""
    if not specs:
        return
    taken = set(
        User.objects.all_bureaus()
        .filter(username__in=[s["username"] for s in specs])
        .values_list("username", "bureau_id")
    )
    schools = {school.name: school for school in School.objects.all()}
    with transaction.atomic():
        for spec in specs:
            here = f"{where}: teacher {spec['username']!r}"
            if (spec["username"], bureau.pk) in taken:
                continue
            if any(name == spec["username"] for name, _b in taken):
                raise ValueError(f"{here}: the username belongs to another bureau's user")
            school = schools.get(spec["school"])
            if school is None:
                raise ValueError(f"{here}: no school {spec['school']!r} in this bureau")
            user = User(bureau=bureau, username=spec["username"], full_name=spec["full_name"])
            user.set_unusable_password()  # a member of a studio; the demo logins are elsewhere
            profile = TeacherProfile(
                bureau=bureau,
                user=user,
                school=school,
                **{k: v for k, v in spec.items() if k not in {"username", "full_name", "school"}},
            )
            for row in (user, profile):
                try:
                    row.full_clean(exclude=["user", "password"], validate_unique=False)
                except ValidationError as exc:
                    raise ValueError(f"{here}: {_messages(exc)}") from exc
            user.save()
            profile.user = user
            profile.save()
            role_grant(actor=None, user=user, role=Role.TEACHER)


@dataclass
class _Lookups:
    """The bureau's rows the file names, read once per programme."""

    programme: Programme
    staff: User
    users: dict[str, User]
    profiles: dict[str, TeacherProfile]
    schools: dict[str, School]
    districts: dict[str, LearningDistrict]
    today: dt.date
    clock: _Clock
    periodic_phase: Phase | None = None  # the phase periodic obligations are owed in


def _load_programme(
    bureau: Bureau, staff: User, spec: dict, *, where: str, today: dt.date
) -> str | None:
    """Write one programme's groups, in one transaction; None if it has groups already."""
    where = f"{where}: programme {spec['programme']!r}"
    programme = Programme.objects.filter(code=spec["programme"]).first()
    if programme is None:
        raise ValueError(
            f"{where}: there is no such programme in the bureau; "
            "load the programme seeds first (`manage.py load_programmes`)."
        )
    stored: list[str] = []
    storage = TeamDocument._meta.get_field("file").storage
    try:
        with transaction.atomic():
            if Team.objects.filter(programme=programme).exists():
                return None
            found = _Lookups(
                programme=programme,
                staff=staff,
                users={u.username: u for u in User.objects.all()},
                profiles={
                    p.user.username: p for p in TeacherProfile.objects.select_related("user")
                },
                schools={s.name: s for s in School.objects.all()},
                districts={d.name: d for d in LearningDistrict.objects.all()},
                today=today,
                clock=_Clock(),
                periodic_phase=_phase(programme, spec.get("periodic_obligations_phase"), where),
            )
            counts = {"teams": 0, "activities": 0, "documents": 0, "briefings": 0}
            for team_spec in spec["groups"]:
                here = f"{where}: group {team_spec['name']!r}"

                def fail(place: str, message: str, here=here) -> NoReturn:
                    raise ValueError(
                        f"{here}: {place}: {message}" if place else f"{here}: {message}"
                    )

                for key, value in _load_team(team_spec, found, stored, fail).items():
                    counts[key] += value
            filings = _load_unit_filings(found, stored)
    except BaseException:
        for name in stored:  # files are not part of the transaction
            storage.delete(name)
        raise
    return (
        f"{bureau.code} · {programme.code}: {counts['teams']} groups, "
        f"{counts['activities']} activities, {counts['documents']} documents, "
        f"{counts['briefings']} briefings" + (f", {filings} filings of units" if filings else "")
    )


def _phase(programme: Programme, name: str | None, where: str) -> Phase | None:
    if not name:
        return None
    phase = Phase.objects.filter(programme=programme, name=name).first()
    if phase is None:
        names = sorted(Phase.objects.filter(programme=programme).values_list("name", flat=True))
        raise ValueError(f"{where}: periodic_obligations_phase: no phase {name!r}; it has {names}")
    return phase


def _load_team(spec: dict, found: _Lookups, stored: list[str], fail: _Fail) -> dict[str, int]:
    cycle = found.programme.cycle
    formed_on = _day(spec["formed_on"])
    if not cycle.start <= formed_on <= found.today:
        fail("", f"formed on {formed_on}, outside the programme's cycle or after today")

    def user(username: str | None, what: str) -> User | None:
        if username is None:
            return None
        if username not in found.users:
            fail("", f"{what}: no user {username!r} in this bureau")
        return found.users[username]

    def within(day: dt.date, place: str) -> dt.date:
        if not formed_on <= day <= min(cycle.end, found.today):
            fail(place, f"dated {day}: before the group was formed, after the cycle or today")
        return day

    lead = user(spec["lead"], "lead")
    team = Team(
        bureau_id=found.programme.bureau_id,
        programme=found.programme,
        kind=spec["kind"],
        name=spec["name"].strip(),
        workshop_type=spec.get("workshop_type", ""),
        lead=lead,
        assistant=user(spec.get("assistant"), "assistant"),
        school=_named(found.schools, spec.get("school"), "school", fail),
        learning_district=_named(
            found.districts, spec.get("learning_district"), "learning district", fail
        ),
        stage=spec.get("stage", ""),
        subject=spec.get("subject", ""),
        project_title=spec.get("project_title", ""),
        description=spec.get("description", ""),
    )
    _clean(team, fail)
    try:
        services.team_lead_check(
            programme=team.programme, kind=team.kind, workshop_type=team.workshop_type, lead=lead
        )
    except ValidationError as exc:
        fail("", _messages(exc))
    team.save()
    clock = found.clock
    with _service(fail, "creating the group"), clock.dated(formed_on, team.name):
        audit_record(
            bureau=team.bureau_id,
            actor=found.staff,
            action="admin.add",
            target=team,
            model=team._meta.label_lower,
            message="",
        )
        services.team_permissions_sync(team=team)
        services.team_presets_apply(actor=found.staff, team=team)
        if found.periodic_phase is not None:  # e.g. XC-PHASES: owed in the implementation only
            team.obligations.exclude(period=Period.CYCLE).update(phase=found.periodic_phase)

    members: dict[str, Membership] = {}
    with clock.dated(formed_on, f"{team.name}|members"):
        for item in spec.get("members", []):
            profile = found.profiles.get(item["teacher"])
            if profile is None:
                fail(f"member {item['teacher']!r}", "no teacher with that username here")
            with _service(fail, f"member {item['teacher']!r}"):
                members[item["teacher"]] = services.membership_add(
                    actor=lead,
                    team=team,
                    teacher=profile,
                    role=item.get("role", MemberRole.MEMBER),
                    task_division=item.get("task_division", ""),
                )

    activities = _activities(spec, within, last_day=min(cycle.end, found.today))
    for number, (place, data, absent, files) in enumerate(activities, start=1):
        with _service(fail, place), clock.dated(data["date"], f"{team.name}|a{number}") as at:
            activity = services.activity_record(
                actor=lead,
                team=team,
                data=data,
                present_member_ids=[m.pk for name, m in members.items() if name not in absent],
                files=[
                    _pdf(
                        f"{data['date']:%Y%m%d}{data['kind']}活动材料{'' if n == 0 else n + 1}",
                        [data["topic"], team.name, _activity_line(data), "签到表、课件与照片"],
                    )
                    for n in range(files)
                ],
            )
        if files:
            stored += ActivityFile.objects.filter(activity=activity).values_list("file", flat=True)
            ActivityFile.objects.filter(activity=activity).update(uploaded_at=at)

    for number, item in enumerate(spec.get("documents", []), start=1):
        place = f"document {number} ({item['title']!r})"
        on = within(_day(item["on"]), place)
        author = user(item.get("author"), f"{place}: author") or lead
        with _service(fail, place), clock.dated(on, f"{team.name}|d{number}") as at:
            document = services.document_upload(
                actor=author,
                team=team,
                kind=item["kind"],
                title=item["title"],
                upload=_pdf(item["title"], [item["title"], team.name, author.full_name, str(on)]),
                notes=item.get("notes", ""),
                on=on,
            )
        stored.append(document.file.name)
        TeamDocument.objects.filter(pk=document.pk).update(uploaded_at=at)
        if review := item.get("review"):
            reviewed_on = within(_day(review["on"]), f"{place}: review")
            with (
                _service(fail, f"{place}: review"),
                clock.dated(reviewed_on, f"{team.name}|r{number}"),
            ):
                services.document_review(actor=lead, document=document, comment=review["comment"])
            TeamDocument.objects.filter(pk=document.pk).update(reviewed_on=reviewed_on)

    for number, item in enumerate(spec.get("courses", []), start=1):
        place = f"course {number} ({item['title']!r})"
        completed_on = within(_day(item["completed_on"]), place)
        data = {**item, "hours": Decimal(str(item["hours"])), "completed_on": completed_on}
        with _service(fail, place), clock.dated(completed_on, f"{team.name}|c{number}"):
            services.course_record(actor=lead, team=team, data=data)

    briefings = _briefings(spec, team, found, formed_on, activities, stored, fail)
    return {
        "teams": 1,
        "activities": len(activities),
        "documents": len(spec.get("documents", [])),
        "briefings": briefings,
    }


def _activities(
    spec: dict, within: Callable[[dt.date, str], dt.date], *, last_day: dt.date
) -> list[tuple[str, dict, set[str], int]]:
    """Every activity of the group in date order: (where it is in the file, the record's
    fields, who was absent, how many files), the listed ones and those of each series up to
    ``last_day``."""
    found = []
    for number, item in enumerate(spec.get("activities", []), start=1):
        place = f"activity {number} ({item['topic']!r})"
        data = _activity_data(item, within(_day(item["date"]), place))
        found.append((place, data, set(item.get("absent", [])), item.get("files", 1)))
    for number, series in enumerate(spec.get("series", []), start=1):
        absent = series.get("absent", {})
        days = series_dates(
            series["every"],
            _day(series["from"]),
            min(_day(series["until"]), last_day),
            skip=frozenset(series.get("skip", [])),
        )
        topics = series["topics"]
        for index, day in enumerate(days):
            place = f"series {number} ({series['kind']!r}), {day}"
            topic = topics[index % len(topics)]
            topic = {"topic": topic} if isinstance(topic, str) else topic
            data = _activity_data({**series, **topic}, within(day, place))
            month = f"{day:%Y-%m}"
            away = {name for name, months in absent.items() if month in months}
            found.append((place, data, away, 0))
    found.sort(key=lambda row: row[1]["date"])
    return found


def _activity_data(values: dict, day: dt.date) -> dict:
    """The fields of an activity record from its entry (a series' values under its topic's)."""
    return {
        "date": day,
        "kind": values["kind"],
        "topic": values["topic"],
        "hours": Decimal(str(values["hours"])),
        "place": values.get("place", ""),
        "module": values.get("module", ""),
        "session_format": values.get("format", ""),
        "notes": values.get("notes", ""),
    }


def series_dates(
    every: str, start: dt.date, until: dt.date, *, skip: frozenset[str] = frozenset()
) -> list[dt.date]:
    """The days of a series from ``start`` to ``until``: every fourteen days, or each month on
    ``start``'s day of the month (its last day in a shorter month; a weekend day moves to the
    nearest weekday of the same month), leaving out the months in ``skip`` (YYYY-MM)."""
    days: list[dt.date] = []
    if every == "fortnight":
        day = start
        while day <= until:
            days.append(day)
            day += dt.timedelta(days=14)
    else:
        year, month = start.year, start.month
        while True:
            day = _weekday(_month_day(year, month, start.day))
            if day > until:
                break
            if day >= start:
                days.append(day)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return [day for day in days if f"{day:%Y-%m}" not in skip]


def _month_day(year: int, month: int, day: int) -> dt.date:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return min(dt.date(year, month, 1) + dt.timedelta(days=day - 1), following - dt.timedelta(1))


def _weekday(day: dt.date) -> dt.date:
    if day.weekday() == 5:  # Saturday: the Friday before
        return day - dt.timedelta(days=1)
    if day.weekday() == 6:  # Sunday: the Monday after, or the Friday before at a month's end
        monday = day + dt.timedelta(days=1)
        return monday if monday.month == day.month else day - dt.timedelta(days=2)
    return day


def _briefings(
    spec: dict,
    team: Team,
    found: _Lookups,
    formed_on: dt.date,
    activities: list,
    stored: list[str],
    fail: _Fail,
) -> int:
    """File the briefings owed by the deadlines that have passed; returns how many."""
    deadlines = list(Deadline.objects.filter(team=team).select_related("schedule").order_by("due"))
    settings_ = spec.get("briefings", {})
    exceptions = {_day(item["due"]): item for item in settings_.get("exceptions", [])}
    if unknown := sorted(set(exceptions) - {d.due for d in deadlines}):
        fail("briefings", f"the group owes no briefing by {unknown[0]}")
    filer = found.users.get(settings_.get("filed_by", team.lead.username))
    if filer is None:
        fail("briefings", f"no user {settings_['filed_by']!r} in this bureau")
    before = dt.timedelta(days=settings_.get("days_before", 3))
    done = [data for _place, data, _absent, _files in activities]
    filed = 0
    previous = team.programme.cycle.start - dt.timedelta(days=1)
    for deadline in deadlines:
        item = exceptions.get(deadline.due, {})
        since, previous = previous, deadline.due
        place = f"briefing due {deadline.due}"
        if extended_to := item.get("extended_to"):
            granted_on = _day(item["granted_on"])
            with (
                _service(fail, place),
                found.clock.dated(granted_on, f"{team.name}|x{deadline.due}"),
            ):
                services.deadline_extend(
                    actor=found.staff,
                    deadline=deadline,
                    to=_day(extended_to),
                    reason=item["reason"],
                )
        if deadline.due >= found.today or item.get("missing"):
            continue
        on = _day(item["filed_on"]) if "filed_on" in item else max(deadline.due - before, formed_on)
        if not formed_on <= on <= found.today:
            fail(place, f"filed on {on}: before the group was formed or after today")
        text = item.get("text") or _briefing_text(team, deadline, since, done)
        title = f"{deadline.schedule.title}（{deadline.due:%Y-%m-%d}）"
        with _service(fail, place), found.clock.dated(on, f"{team.name}|b{deadline.due}") as at:
            briefing = services.briefing_file(
                actor=filer,
                deadline=deadline,
                text=text,
                files=[_pdf(f"{team.name}{title}", [title, *text.splitlines()])],
                on=on,
            )
        Briefing.objects.filter(pk=briefing.pk).update(created_at=at)
        files = BriefingFile.objects.filter(briefing=briefing)
        stored += files.values_list("file", flat=True)
        files.update(uploaded_at=at)
        filed += 1
    return filed


def _briefing_text(team: Team, deadline: Deadline, since: dt.date, done: list[dict]) -> str:
    """What a lead writes: the activities since the deadline before, and the next step."""
    due = deadline.due
    period = [data for data in done if since < data["date"] <= due]
    lines = [f"{team.name}{deadline.schedule.title}（截至{due.year}年{due.month}月{due.day}日）"]
    if not period:
        lines.append("本期未开展集中研修活动，成员按分工开展自主研修，整理研究资料。")
    else:
        hours = sum((data["hours"] for data in period), Decimal(0))
        lines.append(f"本期开展研修活动{len(period)}次，共{_hours(hours)}课时：")
        lines += [
            f"{n}. {d['date'].month}月{d['date'].day}日 {d['kind']}：{d['topic']}"
            for n, d in enumerate(period, start=1)
        ]
    lines.append("下阶段将按研究方案和年度实施计划继续推进，做好过程资料的积累。")
    return "\n".join(lines)


# --- Small helpers ------------------------------------------------------------------------------


@contextmanager
def _service(fail: _Fail, place: str) -> Iterator[None]:
    """A service's refusal, as the loader's error naming the entry."""
    try:
        yield
    except ValidationError as exc:
        fail(place, _messages(exc))
    except PermissionDenied as exc:
        fail(place, f"refused: {exc}")


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in exc.message_dict.items())
    return " ".join(exc.messages)


def _clean(obj: models.Model, fail: _Fail) -> None:
    """The model's own checks on single fields (choices, lengths), and the bureau of its links."""
    links = [f.name for f in obj._meta.fields if f.is_relation]
    try:
        obj.full_clean(exclude=links, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        fail("", _messages(exc))
    if wrong := obj.cross_bureau_links():
        fail("", f"links into another bureau: {wrong}")


def _named(rows: dict, name: str | None, what: str, fail: _Fail):
    if name is None:
        return None
    if name not in rows:
        fail("", f"no {what} {name!r} in this bureau")
    return rows[name]


def _day(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def _hours(hours: Decimal) -> str:
    return f"{hours.normalize():f}"


def _activity_line(data: dict) -> str:
    place = f"，{data['place']}" if data["place"] else ""
    return f"{data['date']:%Y-%m-%d}，{data['kind']}，{_hours(data['hours'])}课时{place}"


def _pdf(title: str, lines: list[str]) -> SimpleUploadedFile:
    name = "".join("_" if ch in '\\/:*?"<>|' else ch for ch in title).strip()[:80] + ".pdf"
    return SimpleUploadedFile(name, demo_pdf(lines), content_type="application/pdf")


# --- Filings of units: what schools and learning districts filed for their duties ---------------

# Kinds whose filings come with a document (plans, summaries, portfolios, assessments); sessions
# and salons are listed without one.
_FILED_WITH_A_DOCUMENT = {
    "training_plan",
    "team_plan",
    "micro_project",
    "work_summary",
    "portfolio",
    "unit_assessment",
}
_SESSION_HOURS = Decimal(4)


def _load_unit_filings(found: _Lookups, stored: list[str]) -> int:
    """Each unit that owes one of the programme's duties files for it in every period up to
    today, so the school's page and the organisation page have something to count; about one
    period in six is left unfiled (the same ones on every run), so they show a missed period too.
    A duty counting class hours gets sessions of four class hours up to its total."""
    from workshops import rules as unit_rules

    programme, today = found.programme, found.today
    duties = list(UnitDuty.objects.filter(programme=programme).order_by("order", "id"))
    if not duties:
        return 0
    schools = sorted(found.schools.values(), key=lambda s: s.name)
    districts = sorted(found.districts.values(), key=lambda d: d.name)
    labels = dict(UnitFilingKind.choices)
    count = 0
    for duty in duties:
        spec = duty.spec
        if spec.owed_by == unit_rules.UnitScope.LEARNING_DISTRICT:
            units = [("district", d) for d in districts if d.lead_school_id]
        else:
            units = [
                ("school", s)
                for s in schools
                if unit_rules.school_owes(
                    spec, s.number_of_classes, in_district=s.learning_district_id is not None
                )
            ]
        kind = (duty.kinds or ["other"])[0]
        for key, unit in units:
            for window in unit_rules.unit_duty_status(spec, [], programme.cycle, today):
                span = window.window
                if span.start > today:
                    break
                salt = f"{programme.code}|{duty.pk}|{unit.name}|{span.key}"
                if zlib.crc32(salt.encode()) % 6 == 0:
                    continue  # left unfiled: a missed period (or one still open)
                sessions = 1
                if spec.min_hours is not None:
                    sessions = int(-(-spec.min_hours // _SESSION_HOURS))
                last = min(span.end, today)
                for number in range(sessions):
                    day = span.start + (last - span.start) * (number + 1) // (sessions + 1)
                    title = f"{span.label}{labels[kind]}" + (
                        f"（{number + 1}）" if sessions > 1 else ""
                    )
                    files = []
                    if kind in _FILED_WITH_A_DOCUMENT:
                        files = [_pdf(f"{unit.name}{title}", [unit.name, title, str(day)])]
                    with found.clock.dated(day, salt + f"|{number}"):
                        filing = services.unit_filing_create(
                            actor=found.staff,
                            programme=programme,
                            school=unit if key == "school" else None,
                            district=unit if key == "district" else None,
                            data={
                                "kind": kind,
                                "title": title[:200],
                                "date": day,
                                "hours": _SESSION_HOURS if spec.min_hours is not None else None,
                            },
                            files=files,
                        )
                    stored += [f.file.name for f in filing.files.all()]
                    count += 1
    return count


# --- Duties of units: the "unit_duties" section of a programme seed ----------------------------


def load_unit_duties(programme: Programme, duties: list[dict], *, source: str) -> None:
    """Write the duties of units a programme seed lists (SJ-SCHOOL, XC-TEAM, PT-HOURS,
    HA-ASSESS), in the seed's transaction; a duty the model refuses is a ValueError naming the
    file and the duty."""
    phases = {p.name: p for p in Phase.objects.filter(programme=programme)}
    for order, item in enumerate(duties, start=1):
        if item.get("phase") and item["phase"] not in phases:
            raise ValueError(
                f"{source}: unit duty {item['title']!r}: no phase {item['phase']!r}; "
                f"the programme has {sorted(phases)}"
            )
        duty = UnitDuty(
            bureau_id=programme.bureau_id,
            programme=programme,
            rule=item["rule"],
            title=item["title"],
            owed_by=item["owed_by"],
            min_classes=item.get("min_classes"),
            kinds=list(item["kinds"]),
            period=item["period"],
            phase=phases[item["phase"]] if item.get("phase") else None,
            min_count=item["min_count"],
            min_hours=None if item.get("min_hours") is None else Decimal(str(item["min_hours"])),
            description=item.get("description") or "",
            order=order,
        )
        try:
            duty.full_clean()
        except ValidationError as exc:
            raise ValueError(f"{source}: unit duty {item['title']!r}: {exc.messages}") from exc
        duty.save()


registry.add_seed_section("unit_duties", schema=schema.UNIT_DUTIES, load=load_unit_duties)


# --- Rules of the programme's groups: the "group_rules" section of a programme seed ------------


def load_group_rules(programme: Programme, found: dict, *, source: str) -> None:
    """Write the rules a programme seed gives its groups (XC-ATTEND, PT-HOURS), in the seed's
    transaction; rules the model refuses are a ValueError naming the file."""

    def decimal(value) -> Decimal | None:
        return None if value is None else Decimal(str(value))

    kept = GroupRules(
        bureau_id=programme.bureau_id,
        programme=programme,
        keeps_attendance=found.get("keeps_attendance", False),
        training_hours_a_year=decimal(found.get("training_hours_a_year")),
    )
    if "max_absent_share" in found:
        kept.max_absent_share = decimal(found["max_absent_share"])
    try:
        kept.full_clean()
    except ValidationError as exc:
        raise ValueError(f"{source}: group rules: {exc.messages}") from exc
    kept.save()


registry.add_seed_section("group_rules", schema=schema.GROUP_RULES, load=load_group_rules)
registry.add_step("groups", command="load_demo_groups")
