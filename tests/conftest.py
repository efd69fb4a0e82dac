"""The fixed cast: Xuhui and Putuo, each with staff, leadership, a school administrator, a workshop
lead, a mentor and teachers. Everything of Xuhui's carries the canary text ``XHCANARY`` so a test
can prove that none of it reaches a Putuo user.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from dataclasses import dataclass, field
from urllib.parse import urlparse

import pytest
from django.test import Client

from accounts.models import TeacherProfile, User
from accounts.roles import Role
from accounts.services import role_grant
from bureaus.models import Bureau, LearningDistrict, School
from bureaus.tenancy import all_bureaus, bureau_scope
from programmes.models import Criterion, EvidenceKind, Programme, Requirement, Tier
from tests.uploads.samples import MINIMAL_PDF

PASSWORD = "correct-horse-battery"
CANARY = "XHCANARY"


@dataclass
class Cast:
    programme: Programme
    bureau: Bureau
    district: LearningDistrict
    school: School
    other_school: School
    staff: User
    leader: User
    school_admin: User
    lead: User
    mentor: User
    teacher: User
    extras: dict = field(default_factory=dict)

    def client(self, who: str) -> Client:
        client = Client()
        client.force_login(getattr(self, who))
        return client


def make_programme(bureau: Bureau, label: str) -> Programme:
    """A small XH-shaped programme: two tiers, a public-lesson requirement (XH-T2)."""
    programme = Programme.objects.create(
        bureau=bureau,
        code="backbone-2023",
        name=f"{label}骨干培养方案",
        start_month=dt.date(2023, 9, 1),
        end_month=dt.date(2026, 6, 1),
        status="active",
    )
    leader = Tier.objects.create(
        bureau=bureau,
        programme=programme,
        code="leader",
        name=f"{label}带头人",
        order=1,
        lead_rank="leader",
    )
    backbone = Tier.objects.create(
        bureau=bureau,
        programme=programme,
        code="backbone",
        name=f"{label}中青年骨干",
        order=2,
        lead_rank="backbone",
    )
    lesson = EvidenceKind.objects.create(
        bureau=bureau, code="public_lesson", name=f"{label}公开教学"
    )
    requirement = Requirement.objects.create(
        bureau=bureau,
        programme=programme,
        code="任务二",
        title=f"{label}公开教学或学术交流",
        order=2,
    )
    requirement.tiers.set([leader, backbone])
    yearly = Criterion.objects.create(
        bureau=bureau, requirement=requirement, clause=1, period="year", min_level=1
    )
    yearly.kinds.set([lesson])
    district = Criterion.objects.create(
        bureau=bureau, requirement=requirement, clause=2, period="cycle", min_level=2
    )
    district.kinds.set([lesson])
    district.tiers.set([leader])
    return programme


def make_cast(code: str, label: str) -> Cast:
    bureau = Bureau.objects.create(code=code, name=f"{label}区教育局", short_name=f"{label}局")
    with bureau_scope(bureau):
        district = LearningDistrict.objects.create(bureau=bureau, name=f"{label}学区")
        school = School.objects.create(
            bureau=bureau,
            name=f"{label}第一中学",
            stage="junior",
            number_of_classes=18,
            learning_district=district,
        )
        other = School.objects.create(bureau=bureau, name=f"{label}实验小学", stage="primary")
        district.lead_school = school
        district.save()

        def person(key: str, full_name: str, *roles: str, profile_school=None) -> User:
            user = User.objects.create_user(
                username=f"{code}_{key}",
                password=PASSWORD,
                full_name=full_name,
                email=f"{code}_{key}@example.edu.cn",
                bureau=bureau,
            )
            if profile_school is not None:
                TeacherProfile.objects.create(
                    bureau=bureau,
                    user=user,
                    staff_number=f"{code.upper()}-{key}",
                    gender="F",
                    school=profile_school,
                    subject="maths",
                    stage="junior",
                    years_teaching=12,
                    years_class_teacher=6,
                )
            for role in roles:
                role_grant(
                    actor=None,
                    user=user,
                    role=role,
                    school=school if role == Role.SCHOOL_ADMIN else None,
                )
            return user

        programme = make_programme(bureau, label)
        cast = Cast(
            programme=programme,
            bureau=bureau,
            district=district,
            school=school,
            other_school=other,
            staff=person("staff", f"{label}项目管理员", Role.BUREAU_STAFF),
            leader=person("leader", f"{label}局领导", Role.LEADERSHIP),
            school_admin=person(
                "school_admin",
                f"{label}专管员",
                Role.SCHOOL_ADMIN,
                Role.TEACHER,
                profile_school=school,
            ),
            lead=person(
                "lead", f"{label}坊主", Role.WORKSHOP_LEAD, Role.TEACHER, profile_school=school
            ),
            mentor=person(
                "mentor", f"{label}导师", Role.MENTOR, Role.TEACHER, profile_school=other
            ),
            teacher=person("teacher", f"{label}教师", Role.TEACHER, profile_school=school),
        )
        enrol(cast)
        return cast


def enrol(cast: Cast) -> None:
    """The teacher is a backbone teacher (骨干), the lead a leader (带头人); the teacher has one
    verified public lesson with a PDF."""
    from django.core.files.base import ContentFile

    from cohorts.models import Enrolment, Evidence, EvidenceFile

    tiers = {t.code: t for t in cast.programme.tiers.all()}
    for user, tier in ((cast.teacher, "backbone"), (cast.lead, "leader")):
        profile = user.teacher_profile
        cast.extras[f"enrolment_{tier}"] = Enrolment.objects.create(
            bureau=cast.bureau,
            programme=cast.programme,
            teacher=profile,
            tier=tiers[tier],
            school=profile.school,
            enrolled_on=dt.date(2023, 9, 1),
        )
    evidence = Evidence.objects.create(
        bureau=cast.bureau,
        teacher=cast.teacher.teacher_profile,
        kind=cast.programme.requirements.get().criteria.first().kinds.get(),
        title=f"{cast.bureau.short_name}公开课《函数》",
        level=1,
        date=dt.date(2023, 11, 5),
        state="verified",
    )
    evidence.requirements.set(cast.programme.requirements.all())
    stored = EvidenceFile(
        bureau=cast.bureau,
        evidence=evidence,
        original_name="lesson.pdf",
        size=9,
        content_type="application/pdf",
    )
    stored.file.save("lesson.pdf", ContentFile(MINIMAL_PDF), save=True)
    cast.extras["evidence"] = evidence
    cast.extras["evidence_file"] = stored
    from cohorts.models import OutputCall, ReservePoolEntry

    call = OutputCall.objects.create(
        bureau=cast.bureau,
        programme=cast.programme,
        title=f"{cast.bureau.short_name}年度成果征集",
        deadline=dt.date(2030, 12, 31),
        publication="《教育研究》",
    )
    evidence.output_call = call
    evidence.save(update_fields=["output_call"])
    cast.extras["output_call"] = call
    from cohorts.models import RosterImport

    job = RosterImport(
        bureau=cast.bureau,
        programme=cast.programme,
        status="done",
        original_name=f"{cast.bureau.short_name}名单.xlsx",
        total_rows=2,
    )
    job.file.save("roster.xlsx", ContentFile(b"PK"), save=True)
    cast.extras["roster_import"] = job
    from workshops.models import ReportingSchedule, Team
    from workshops.services import briefing_file, schedule_deadlines_sync, team_permissions_sync

    team = Team.objects.create(
        bureau=cast.bureau,
        programme=cast.programme,
        kind="workshop",
        name=f"{cast.bureau.short_name}数学工作坊",
        workshop_type="inter_school",
        lead=cast.lead,
        project_title="单元作业设计",
    )
    team_permissions_sync(team=team)
    schedule = ReportingSchedule.objects.create(
        bureau=cast.bureau,
        team=team,
        title="活动简报",
        frequency="quarterly",
        day=28,
        starts=dt.date(2023, 9, 1),
        ends=dt.date(2026, 6, 30),
    )
    schedule_deadlines_sync(schedule)
    first = schedule.deadlines.order_by("due").first()
    cast.extras["team"] = team
    from workshops.models import Membership
    from workshops.services import activity_record

    member = Membership.objects.create(
        bureau=cast.bureau,
        team=team,
        teacher=cast.teacher.teacher_profile,
        task_division="负责课例研究",
    )
    cast.extras["membership"] = member
    from django.core.files.uploadedfile import SimpleUploadedFile

    from workshops.services import course_record, document_upload

    def pdf(name):
        return SimpleUploadedFile(name, MINIMAL_PDF, content_type="application/pdf")

    cast.extras["activity"] = activity_record(
        actor=cast.lead,
        team=team,
        present_member_ids=[member.pk],
        data={
            "date": dt.date(2023, 10, 12),
            "kind": "集体备课",
            "topic": f"{cast.bureau.short_name}单元作业研讨",
            "hours": 3,
        },
        files=[pdf(f"{cast.bureau.short_name}活动材料.pdf")],
    )
    cast.extras["activity_file"] = cast.extras["activity"].files.get()
    cast.extras["deadline"] = first
    cast.extras["briefing"] = briefing_file(
        actor=cast.lead,
        deadline=first,
        text=f"{cast.bureau.short_name}第一季度简报",
        files=[pdf(f"{cast.bureau.short_name}简报附件.pdf")],
        on=dt.date(2023, 9, 25),
    )
    cast.extras["briefing_file"] = cast.extras["briefing"].files.get()
    cast.extras["document"] = document_upload(
        actor=cast.lead,
        team=team,
        kind="research_plan",
        title=f"{cast.bureau.short_name}研究方案",
        upload=pdf("plan.pdf"),
        on=dt.date(2023, 10, 1),
    )
    cast.extras["course"] = course_record(
        actor=cast.lead,
        team=team,
        data={
            "title": f"{cast.bureau.short_name}单元作业设计课程",
            "hours": 20,
            "delivery_mode": "face_to_face",
            "level": 1,
            "completed_on": dt.date(2025, 6, 1),
        },
    )
    from workshops.models import UnitDuty
    from workshops.services import unit_filing_create

    UnitDuty.objects.create(
        bureau=cast.bureau,
        programme=cast.programme,
        title=f"{cast.bureau.short_name}校本研修",
        owed_by="every_school",
        kinds=["training_session"],
        period="month",
    )
    cast.extras["unit_filing"] = unit_filing_create(
        actor=cast.staff,
        programme=cast.programme,
        school=cast.school,
        data={
            "kind": "training_session",
            "title": f"{cast.bureau.short_name}分层校本研修",
            "date": dt.date(2023, 10, 20),
        },
        files=[pdf(f"{cast.bureau.short_name}研修记录.pdf")],
    )
    cast.extras["unit_filing_file"] = cast.extras["unit_filing"].files.get()
    cast.extras["pool_entry"] = ReservePoolEntry.objects.create(
        bureau=cast.bureau,
        programme=cast.programme,
        teacher=cast.mentor.teacher_profile,
        willing=True,
        pre_service_hours=36,
        trainee_year_done=True,
        assessed_on=dt.date(2024, 6, 1),
    )
    from assessments.models import InitAssessment

    # SJ-INIT: the pool reads the trainee class teacher's assessment from the assessments app.
    cast.extras["init_assessment"] = InitAssessment.objects.create(
        bureau=cast.bureau,
        programme=cast.programme,
        teacher=cast.mentor.teacher_profile,
        result="pass",
        assessed_on=dt.date(2024, 6, 1),
        decided_by=cast.staff,
    )


@pytest.fixture(autouse=True)
def _broker_not_paused():
    """A broker failure pauses after-commit hand-overs for a few seconds; not across tests."""
    from bureaus import outbox

    outbox._broker_down_until = 0.0
    yield
    outbox._broker_down_until = 0.0


@pytest.fixture(autouse=True)
def _no_programme_views_kept():
    """Each test starts with no programme's engine view kept from another test."""
    from programmes.selectors import forget_specs

    forget_specs()


@pytest.fixture
def xuhui(db) -> Cast:
    return make_cast("xh", f"{CANARY}徐汇")


@pytest.fixture
def putuo(db) -> Cast:
    return make_cast("pt", "普陀")


@pytest.fixture
def platform_admin(db) -> User:
    with all_bureaus():
        return User.objects.create_superuser(
            username="platform",
            password=PASSWORD,
            email="root@example.edu.cn",
            full_name="平台管理员",
        )


# --- Services -----------------------------------------------------------------------------------


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=1
        ):
            return True
    except OSError:
        return False


def require_service(name: str) -> None:
    """Skip when a service is missing, or fail when REQUIRE_SERVICES=1 says it must be there."""
    required = os.environ.get("REQUIRE_SERVICES") == "1"
    if name == "redis":
        url = os.environ.get("REDIS_URL", "")
        ok = bool(url) and _reachable(url, 6379)
    elif name == "postgres":
        from django.db import connection

        ok = connection.vendor == "postgresql"
    else:  # pragma: no cover
        raise ValueError(name)
    if ok:
        return
    message = f"{name} is not available (set {'REDIS_URL' if name == 'redis' else 'DATABASE_URL'})"
    if required:
        pytest.fail(f"REQUIRE_SERVICES=1 but {message}")
    pytest.skip(message)
