"""XH-T3 on the seeded Xuhui programme: mentees named on evidence are counted once each, and a
workshop the participant leads in the portal counts as a 指导团队 in the years it is active."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import TeacherProfile
from bureaus.models import Bureau
from bureaus.tenancy import bureau_scope
from cohorts.models import Enrolment, Evidence
from cohorts.selectors import progress_for_enrolment
from programmes.models import EvidenceKind, Programme
from programmes.rules import Status
from workshops.models import ActivityRecord, Team

TODAY = dt.date(2025, 3, 1)


@pytest.fixture
def xh(db):
    call_command("load_demo", stdout=StringIO())
    call_command("load_programmes", stdout=StringIO())
    bureau = Bureau.objects.get(code="xuhui")
    with bureau_scope(bureau):
        programme = Programme.objects.get(code="xh-backbone-2023")
        teacher, other = TeacherProfile.objects.order_by("pk")[:2]
        leader = Enrolment.objects.create(
            bureau=bureau,
            programme=programme,
            teacher=teacher,
            tier=programme.tiers.get(code="subject_leader"),
            school=teacher.school,
            enrolled_on=dt.date(2023, 9, 1),
        )
        leader.other_teacher = other
        # Start from a clean slate for task three in the 2024 school year.
        Evidence.objects.filter(
            teacher=leader.teacher, kind__code__in=["mentoring_teacher", "mentoring_team"]
        ).delete()
        Team.objects.filter(lead=leader.teacher.user).delete()
        yield bureau, leader


def task_three_2024(enrolment) -> Status:
    [row] = [
        r for r in progress_for_enrolment(enrolment, today=TODAY) if r.requirement.code == "任务三"
    ]
    return row.result.period("2024")[0]


def mentoring(bureau, teacher, day, *, mentees=(), names=""):
    evidence = Evidence.objects.create(
        bureau=bureau,
        teacher=teacher,
        kind=EvidenceKind.objects.get(code="mentoring_teacher"),
        title="带教青年教师",
        level=1,
        date=day,
        mentee_names=names,
        state="verified",
    )
    evidence.mentees.set(mentees)
    return evidence


def test_XH_T3_two_items_about_one_mentee_are_not_met_two_mentees_are(xh):
    bureau, leader = xh
    with bureau_scope(bureau):
        mentee = leader.other_teacher
        mentoring(bureau, leader.teacher, dt.date(2024, 10, 1), mentees=[mentee])
        mentoring(bureau, leader.teacher, dt.date(2024, 12, 1), mentees=[mentee])
        period = task_three_2024(leader)
        assert period.status == Status.IN_PROGRESS
        assert "还差 1 名（已有 1 名，需 2 名）" in period.reason
        mentoring(bureau, leader.teacher, dt.date(2025, 1, 10), names="王小明\n")
        assert task_three_2024(leader).status == Status.MET


def test_XH_T3_leading_an_active_workshop_that_year_is_met_another_year_is_not(xh):
    bureau, leader = xh
    with bureau_scope(bureau):
        team = Team.objects.create(
            bureau=bureau,
            programme=leader.programme,
            kind="workshop",
            name="初中数学工作坊（测试）",
            lead=leader.teacher.user,
        )

        def activity(day):
            ActivityRecord.objects.create(
                bureau=bureau,
                team=team,
                date=day,
                kind="集体备课",
                topic="研修活动",
                hours=Decimal(2),
            )

        activity(dt.date(2023, 11, 5))  # the 2023 school year
        assert task_three_2024(leader).status == Status.IN_PROGRESS
        activity(dt.date(2024, 11, 5))
        activity(dt.date(2024, 12, 5))
        assert task_three_2024(leader).status == Status.MET
