"""The assessments app's part of the seeds and the demo: the "assessment_schemes" section of a
programme seed (XH-ASSESS with XH-WS-LEAD, PT-EVAL, HA-ASSESS), loaded with the programme, and
the demo's assessments (``fixtures/demo_assessments.json``): XH's three school years and its end
of term decided for every participant, PT's 2024 decided and 2025 under way, HA's and SJ's years,
and HA's units."""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import Notification, User
from accounts.roles import Role
from accounts.services import administered_school_id
from assessments.access import may_file
from assessments.models import (
    Assessment,
    AssessmentComponent,
    AssessmentDecision,
    AssessmentScheme,
    ComponentAssessment,
    Consequence,
    Ending,
    FilingLevel,
    RectificationPlan,
    check_weights,
)
from assessments.rules import InvalidEnding
from assessments.services import (
    assessment_get_or_open,
    component_file,
    decision_finalise,
    decision_make,
    enrolment_end,
    plan_review,
    plan_submit,
    unit_assessment_decide,
)
from bureaus.models import AuditEntry, Bureau, LearningDistrict, School
from bureaus.tenancy import bureau_scope
from cohorts.models import Enrolment, EnrolmentStatusChange
from demo import registry, schema
from demo.cohorts import demo_pdf
from programmes.models import Programme
from workshops.models import Membership


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def load_assessment_schemes(programme: Programme, schemes: list[dict], *, source: str) -> None:
    """Write the assessment schemes a programme seed lists, with their components, in the seed's
    transaction; a scheme or component the models refuse is a ValueError naming the file."""
    for item in schemes:
        scheme = AssessmentScheme(
            bureau_id=programme.bureau_id,
            programme=programme,
            kind=item["kind"],
            title=item["title"],
            rule=item.get("rule") or "",
            consequence_rules=list(item.get("consequence_rules", ())),
            results=list(item["results"]),
            scored=item.get("scored", False),
            excellent_from=_decimal(item.get("excellent_from")),
            pass_from=_decimal(item.get("pass_from")),
            basic_pass_from=_decimal(item.get("basic_pass_from")),
            description=item.get("description") or "",
        )
        try:
            scheme.full_clean()
        except ValidationError as exc:
            raise ValueError(
                f"{source}: assessment scheme {item['title']!r}: {exc.messages}"
            ) from exc
        scheme.save()
        components = []
        for order, part in enumerate(item["components"], start=1):
            component = AssessmentComponent(
                bureau_id=programme.bureau_id,
                scheme=scheme,
                title=part["title"],
                level=part["level"],
                weight=_decimal(part.get("weight")),
                required=part.get("required", True),
                description=part.get("description") or "",
                order=order,
            )
            try:
                component.full_clean()
            except ValidationError as exc:
                raise ValueError(
                    f"{source}: assessment scheme {item['title']!r}: component "
                    f"{part['title']!r}: {exc.messages}"
                ) from exc
            components.append(component)
        try:
            check_weights(scheme, components)
        except ValidationError as exc:
            raise ValueError(
                f"{source}: assessment scheme {item['title']!r}: {exc.messages}"
            ) from exc
        AssessmentComponent.objects.bulk_create(components)


registry.add_seed_section(
    "assessment_schemes", schema=schema.ASSESSMENT_SCHEMES, load=load_assessment_schemes
)


# --- The demo assessments (fixtures/demo_assessments.json) --------------------------------------

DEMO_ASSESSMENTS = Path(settings.BASE_DIR) / "fixtures" / "demo_assessments.json"

# What each level writes, by result: plain texts of the kind a bureau's forms hold.
_TEXTS = {
    FilingLevel.SELF: {
        "excellent": "本学年全面完成培养任务，主持公开教学并积极带教，研修成果在区内交流。",
        "pass": "本学年按计划完成各项培养任务，参加集中研修和团队活动，按时提交研修成果。",
        "basic_pass": "本学年基本完成培养任务，个别研修成果提交较晚。",
        "fail": "本学年因工作安排未能完成公开教学和带教任务，今后将认真整改。",
    },
    FilingLevel.TEAM_LEAD: {
        "excellent": "参与度高，主动分享资源，带动团队成员共同成长，任务完成出色，成果丰富。",
        "pass": "按时参加团队研修活动，能完成分工任务，有一定成果。",
        "basic_pass": "能参加团队活动，分工任务基本完成。",
        "fail": "团队活动多次缺席，分工任务未完成，未提交成果。",
    },
    FilingLevel.SCHOOL: {
        "excellent": "学校考核小组评定：师德表现良好，教育教学实绩突出。",
        "pass": "学校考核小组评定：师德表现良好，完成学校安排的教育教学工作。",
        "basic_pass": "学校考核小组评定：基本完成学校安排的工作。",
        "fail": "学校考核小组评定：未完成学校安排的带教和公开教学工作。",
    },
    FilingLevel.DISTRICT: {
        "excellent": "项目任务全部完成，成果质量高。",
        "pass": "项目任务按要求完成。",
        "basic_pass": "项目任务基本完成。",
        "fail": "项目任务未完成。",
    },
    FilingLevel.LEADING_GROUP: {
        "excellent": "领导小组评定优秀。",
        "pass": "领导小组评定合格。",
        "basic_pass": "领导小组评定基本合格。",
        "fail": "领导小组评定不合格。",
    },
}

_ENDED = ("withdrawn", "terminated")


@contextmanager
def _after(*models) -> Iterator:
    """``new(model)``: the rows of ``model`` written inside the block."""
    last = {m: m.objects.order_by("-pk").values_list("pk", flat=True).first() or 0 for m in models}
    yield lambda model: model.objects.filter(pk__gt=last[model])


def load_demo_assessments(path: Path = DEMO_ASSESSMENTS) -> list[str]:
    """Assess the demo participants as ``path`` describes: components filed at each level by the
    person whose level it is, decisions made and finalised by the bureau's staff, all through the
    services and dated to the days the file gives. A programme with any assessment is left as it
    is, so running it again changes nothing. Raises ValueError naming the file and the entry."""
    path = Path(path)
    data = schema.read(path, "assessments")
    loaded: list[str] = []
    for entry in data["bureaus"]:
        bureau = Bureau.objects.filter(code=entry["bureau"]).first()
        where = f"{schema.display_path(path)}: bureau {entry['bureau']!r}"
        if bureau is None:
            raise ValueError(f"{where}: there is no such bureau; load the demo first")
        with bureau_scope(bureau):
            staff = User.objects.filter(username=entry["staff"]).first()
            if staff is None or not staff.has_role(Role.BUREAU_STAFF):
                raise ValueError(f"{where}: {entry['staff']!r} is not a bureau staff user here")
            for spec in entry["programmes"]:
                line = _load_programme(
                    staff, spec, where=f"{where}: programme {spec['programme']!r}"
                )
                if line:
                    loaded.append(line)
    return loaded


class _Clock:
    """The rows a service writes dated to the day they stand for."""

    def at(self, day: dt.date, salt: str) -> dt.datetime:
        spread = zlib.crc32(f"{day}|{salt}".encode())
        moment = dt.time(9 + spread % 8, (spread >> 8) % 60)
        return min(timezone.make_aware(dt.datetime.combine(day, moment)), timezone.now())

    @contextmanager
    def dated(self, day: dt.date, salt: str) -> Iterator[dt.datetime]:
        """Audit rows and notifications written inside the block are dated ``day``."""
        last_audit = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        last_note = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        moment = self.at(day, salt)
        yield moment
        AuditEntry.objects.filter(pk__gt=last_audit).update(created_at=moment)
        Notification.objects.filter(pk__gt=last_note).update(created_at=moment)


@dataclass
class _People:
    """Who files each level for a teacher: the teacher, their group's lead, their school's
    administrator; the bureau's staff where a level has nobody of its own."""

    staff: User
    leads: dict[int, User]  # by teacher profile pk
    school_admins: dict[int, User]  # by school pk

    def filer(self, level: str, enrolment: Enrolment) -> User:
        if level == FilingLevel.SELF:
            return enrolment.teacher.user
        if level == FilingLevel.TEAM_LEAD:
            return self.leads.get(enrolment.teacher_id, self.staff)
        if level == FilingLevel.SCHOOL:
            return self.school_admins.get(enrolment.school_id, self.staff)
        return self.staff


def _people(programme: Programme, staff: User) -> _People:
    leads = {
        m.teacher_id: m.team.lead
        for m in Membership.objects.filter(team__programme=programme, team__lead__isnull=False)
        .select_related("team__lead")
        .order_by("-id")
    }
    admins = {}
    for user in User.objects.filter(is_active=True).order_by("pk"):
        if user.has_role(Role.SCHOOL_ADMIN):
            school_id = administered_school_id(user)
            if school_id:
                admins.setdefault(school_id, user)
    return _People(staff=staff, leads=leads, school_admins=admins)


def _ended_by(enrolment: Enrolment, day: dt.date) -> bool:
    """Had the enrolment ended (withdrawn or terminated) by ``day``?"""
    return any(
        change.to_status in _ENDED and change.effective_on <= day
        for change in enrolment.status_changes.all()
    )


def _load_programme(staff: User, spec: dict, *, where: str) -> str | None:
    programme = Programme.objects.filter(code=spec["programme"]).first()
    if programme is None:
        raise ValueError(f"{where}: there is no such programme; load the programme seeds first")
    if Assessment.objects.filter(scheme__programme=programme).exists():
        return None
    clock = _Clock()
    people = _people(programme, staff)
    years = {w.key: w for w in programme.years}
    enrolments = list(
        Enrolment.objects.filter(programme=programme)
        .select_related("teacher__user", "school")
        .prefetch_related("status_changes")
        .order_by("tier__order", "teacher__staff_number")
    )
    by_username = {e.teacher.user.username: e for e in enrolments}
    counts = {"decided": 0, "open": 0}
    with transaction.atomic():
        for ending in spec.get("endings", []):
            _end(staff, by_username, ending, clock=clock, where=where)
        # the status history as it now stands, an ending just recorded included
        enrolments = list(
            Enrolment.objects.filter(programme=programme)
            .select_related("teacher__user", "school")
            .prefetch_related("status_changes")
            .order_by("tier__order", "teacher__staff_number")
        )
        for item in spec["assessments"]:
            scheme = AssessmentScheme.objects.filter(programme=programme, kind=item["kind"]).first()
            here = f"{where}: assessment {item['kind']!r} {item.get('year', '')!r}"
            if scheme is None:
                raise ValueError(f"{here}: the programme has no such assessment scheme")
            year_key = item.get("year", "")
            if scheme.kind == "annual" and year_key not in years:
                raise ValueError(f"{here}: not a year of the programme ({', '.join(years)})")
            last_day = years[year_key].end if year_key else programme.cycle.end
            unknown = sorted(set(item.get("results", {})) - set(by_username))
            if unknown:
                raise ValueError(f"{here}: not enrolled: {', '.join(unknown)}")
            components = list(scheme.components.order_by("order", "id"))
            filed_on = dt.date.fromisoformat(item["filed_on"])
            for enrolment in enrolments:
                if enrolment.enrolled_on > last_day or _ended_by(enrolment, last_day):
                    continue
                chosen = item.get("results", {}).get(enrolment.teacher.user.username, {})
                result = chosen.get("result") or item.get("result") or "pass"
                _assess(
                    scheme,
                    enrolment,
                    year_key,
                    components,
                    result=result,
                    comment=chosen.get("comment", ""),
                    filed_on=filed_on,
                    decided_on=(
                        None if item.get("open") else dt.date.fromisoformat(item["decided_on"])
                    ),
                    people=people,
                    clock=clock,
                    where=here,
                )
                counts["open" if item.get("open") else "decided"] += 1
        for plan in spec.get("plans", []):
            _plan(staff, by_username, plan, clock=clock, where=where)
        if "units" in spec:
            _assess_units(programme, staff, spec["units"], clock=clock, where=where)
    return (
        f"{programme.bureau.code} · {programme.code}: {counts['decided']} assessments decided, "
        f"{counts['open']} under way"
    )


def _assess(
    scheme,
    enrolment,
    year_key,
    components,
    *,
    result,
    comment,
    filed_on,
    decided_on,
    people,
    clock,
    where,
) -> None:
    assessment = assessment_get_or_open(enrolment=enrolment, scheme=scheme, year_key=year_key)
    salt = f"{enrolment.pk}|{scheme.pk}|{year_key}"
    for index, component in enumerate(components):
        if decided_on is None:
            # An assessment under way: every self-assessment is in, two leads and schools in
            # three have filed, the district not yet.
            spread = zlib.crc32(f"{salt}|{component.pk}".encode())
            if component.level not in (FilingLevel.SELF, FilingLevel.TEAM_LEAD, FilingLevel.SCHOOL):
                continue
            if component.level != FilingLevel.SELF and spread % 3 == 0:
                continue
        day = filed_on + dt.timedelta(days=index)
        filer = people.filer(component.level, enrolment)
        if not may_file(filer, assessment, component):
            filer = people.staff
        with clock.dated(day, f"{salt}|{component.pk}") as moment:
            try:
                filing = component_file(
                    actor=filer,
                    assessment=assessment,
                    component=component,
                    result="" if component.level == FilingLevel.SELF else result,
                    text=_TEXTS[component.level][result],
                )
            except ValidationError as exc:
                raise ValueError(f"{where}: {enrolment}: {exc.messages}") from exc
        ComponentAssessment.objects.filter(pk=filing.pk).update(filed_at=moment)
    if decided_on is None:
        return
    with clock.dated(decided_on, salt) as moment, _after(Consequence, EnrolmentStatusChange) as new:
        try:
            draft = decision_make(
                actor=people.staff, assessment=assessment, result=result, comment=comment
            )
            # Dated before it is finalised: what follows from it (a plan's due date) counts
            # from the day it stands for.
            AssessmentDecision.objects.filter(pk=draft.pk).update(decided_at=moment)
            decision = decision_finalise(actor=people.staff, decision=draft)
        except ValidationError as exc:
            raise ValueError(f"{where}: {enrolment}: {exc.messages}") from exc
    AssessmentDecision.objects.filter(pk=decision.pk).update(finalised_at=moment)
    new(Consequence).update(created_at=moment)
    new(EnrolmentStatusChange).update(effective_on=decided_on)
    RectificationPlan.objects.filter(consequence__in=new(Consequence)).update(created_at=moment)


def _end(staff, by_username, spec, *, clock, where) -> None:
    """XH-TERMINATE: the leading group's decision ending a participation, recorded by staff on
    the day it took effect."""
    enrolment = by_username.get(spec["teacher"])
    here = f"{where}: ending of {spec['teacher']!r}"
    if enrolment is None:
        raise ValueError(f"{here}: not enrolled in the programme")
    day = dt.date.fromisoformat(spec["effective_on"])
    with clock.dated(day, f"end|{enrolment.pk}") as moment, _after(EnrolmentStatusChange) as new:
        try:
            ending = enrolment_end(
                actor=staff,
                enrolment=enrolment,
                ground=spec["ground"],
                effective_on=day,
                reason=spec["reason"],
                document_number=spec["document_number"],
            )
        except InvalidEnding as exc:
            raise ValueError(f"{here}: {exc}") from exc
    Ending.objects.filter(pk=ending.pk).update(created_at=moment)
    new(EnrolmentStatusChange).update(effective_on=day)


def _plan(staff, by_username, spec, *, clock, where) -> None:
    """XH-FAIL-1: the rectification plan a fail made owed, handed in by the teacher and
    reviewed by staff on the days the file gives."""
    here = f"{where}: rectification plan of {spec['teacher']!r}"
    enrolment = by_username.get(spec["teacher"])
    plan = (
        RectificationPlan.objects.filter(
            enrolment=enrolment, consequence__year_key=spec["year"]
        ).first()
        if enrolment is not None
        else None
    )
    if plan is None:
        raise ValueError(f"{here}: no plan is owed for {spec['year']} (no failed year there)")
    day = dt.date.fromisoformat(spec["submitted_on"])
    with clock.dated(day, f"plan|{plan.pk}") as moment:
        try:
            plan = plan_submit(
                actor=enrolment.teacher.user,
                plan=plan,
                text=spec["text"],
                files=[
                    SimpleUploadedFile(
                        "整改方案.pdf",
                        demo_pdf(["书面整改方案", enrolment.teacher.user.full_name, spec["text"]]),
                        content_type="application/pdf",
                    )
                ],
            )
        except ValidationError as exc:
            raise ValueError(f"{here}: {exc.messages}") from exc
    RectificationPlan.objects.filter(pk=plan.pk).update(submitted_at=moment)
    if "review" not in spec:
        return
    day = dt.date.fromisoformat(spec["reviewed_on"])
    with clock.dated(day, f"review|{plan.pk}") as moment:
        plan_review(
            actor=staff,
            plan=plan,
            accept=spec["review"] == "accepted",
            comment=spec.get("comment", ""),
        )
    RectificationPlan.objects.filter(pk=plan.pk).update(reviewed_at=moment)


def _assess_units(programme, staff, spec, *, clock, where) -> None:
    """HA-ASSESS: the working group's result for each unit: every learning district and every
    school directly under the bureau."""
    units = [("district", d) for d in LearningDistrict.objects.order_by("name")] + [
        ("school", s)
        for s in School.objects.filter(learning_district__isnull=True).order_by("name")
    ]
    names = {unit.name for _kind, unit in units}
    unknown = sorted(set(spec["results"]) - names)
    if unknown:
        raise ValueError(f"{where}: unit assessments: no such unit: {', '.join(unknown)}")
    day = dt.date.fromisoformat(spec["decided_on"])
    for kind, unit in units:
        chosen = spec["results"].get(unit.name, {})
        with clock.dated(day, f"unit|{unit.pk}"):
            unit_assessment_decide(
                actor=staff,
                programme=programme,
                year_key=spec["year"],
                result=chosen.get("result") or spec["result"],
                comment=chosen.get("comment", ""),
                **{kind: unit},
            )


registry.add_step("assessments", command="load_demo_assessments")
