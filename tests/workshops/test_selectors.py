"""Reads on groups against the database: obligations counted per period in a fixed number of
queries, the lead's rank and the output owed (XH-WS-OUTPUT), school studios (SJ-SCHOOL),
mentoring pairs (XC-PAIRS), school-based session hours (PT-MODULES) and attendance per school
year (XC-ATTEND)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import TeacherProfile, User
from bureaus.models import School
from bureaus.tenancy import bureau_scope
from cohorts.models import Enrolment
from programmes.models import Tier
from programmes.rules import Period, Status, Window
from tests.uploads.samples import MINIMAL_PDF
from tests.workshops.test_group_rules import keep_group_rules
from workshops import rules, selectors
from workshops.models import ActivityRecord, AttendanceRecord, Membership, Team
from workshops.services import activity_record, document_upload, team_presets_apply

pytestmark = pytest.mark.django_db


def new_teacher(cast, key: str, school: School, name: str = "") -> TeacherProfile:
    user = User.objects.create_user(
        username=f"{cast.bureau.code}_{key}",
        password="x",
        full_name=name or f"教师{key}",
        email=f"{key}@example.edu.cn",
        bureau=cast.bureau,
    )
    return TeacherProfile.objects.create(
        bureau=cast.bureau,
        user=user,
        staff_number=f"{cast.bureau.code.upper()}-{key}",
        gender="F",
        school=school,
        subject="maths",
        stage="junior",
    )


def new_team(cast, name: str, kind: str, lead: User, **fields) -> Team:
    return Team.objects.create(
        bureau=cast.bureau, programme=cast.programme, kind=kind, name=name, lead=lead, **fields
    )


def enrol(cast, profile: TeacherProfile, tier: Tier) -> Enrolment:
    return Enrolment.objects.create(
        bureau=cast.bureau,
        programme=cast.programme,
        teacher=profile,
        tier=tier,
        school=profile.school,
        enrolled_on=dt.date(2023, 9, 1),
    )


def pdf(name: str = "plan.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, MINIMAL_PDF, content_type="application/pdf")


# --- Obligations --------------------------------------------------------------------------------


def test_XH_WS_LEAD_obligations_of_a_workshop_counted_per_period(xuhui):
    team = xuhui.extras["team"]  # has its research plan, filed 2023-10-01
    with bureau_scope(xuhui.bureau):
        assert team_presets_apply(actor=xuhui.staff, team=team) == 3
        document_upload(
            actor=xuhui.lead,
            team=team,
            kind="implementation_plan",
            title="2024学年实施计划",
            upload=pdf(),
            on=dt.date(2024, 9, 20),
        )
        rows = selectors.obligation_rows([team], today=dt.date(2025, 3, 1))[team.pk]
    by_title = {row.obligation.title: row for row in rows}
    assert list(by_title) == ["研究方案", "年度实施计划", "项目研究报告"]
    assert by_title["研究方案"].met == 1 and by_title["研究方案"].current.count == 1
    plans = by_title["年度实施计划"]
    assert [(p.window.key, p.count, p.status) for p in plans.periods] == [
        ("2023", 0, Status.MISSED),
        ("2024", 1, Status.MET),
        ("2025", 0, Status.UPCOMING),
    ]
    assert plans.current.window.key == "2024" and [p.window.key for p in plans.missed] == ["2023"]
    assert by_title["项目研究报告"].current.status == Status.IN_PROGRESS


def test_HA_ACT_activities_count_only_in_their_own_team(xuhui):
    with bureau_scope(xuhui.bureau):
        one = new_team(xuhui, "语文学科指导组", "subject_group", xuhui.lead)
        other = new_team(xuhui, "英语学科指导组", "subject_group", xuhui.mentor)
        for team in (one, other):
            team_presets_apply(actor=xuhui.staff, team=team)
        for day, kind in ((dt.date(2023, 10, 9), "集体备课"), (dt.date(2023, 11, 6), "课堂观摩")):
            ActivityRecord.objects.create(
                bureau=xuhui.bureau, team=one, date=day, kind=kind, topic="研讨", hours=3
            )
        ActivityRecord.objects.create(
            bureau=xuhui.bureau,
            team=other,
            date=dt.date(2023, 10, 9),
            kind="读书交流",
            topic="x",
            hours=2,
        )
        rows = selectors.obligation_rows(
            Team.objects.filter(pk__in=[one.pk, other.pk]).select_related("programme"),
            today=dt.date(2024, 3, 1),
        )
    semester = {g: rows[g.pk][0].periods[0] for g in (one, other)}
    assert (semester[one].count, semester[one].status) == (2, Status.MET)
    assert (semester[other].count, semester[other].status) == (0, Status.MISSED)
    with bureau_scope(xuhui.bureau):
        assert selectors.obligation_rows([], today=dt.date(2024, 3, 1)) == {}


def _teams_with_obligations(cast, count: int) -> list[Team]:
    teams = []
    for i in range(count):
        team = new_team(cast, f"学科指导组{i}", "subject_group", cast.lead)
        team_presets_apply(actor=cast.staff, team=team)
        ActivityRecord.objects.create(
            bureau=cast.bureau,
            team=team,
            date=dt.date(2024, 3, 4),
            kind="学科培训",
            topic="t",
            hours=2,
        )
        teams.append(team)
    workshop = cast.extras["team"]
    team_presets_apply(actor=cast.staff, team=workshop)  # document obligations as well
    teams.append(workshop)
    return list(Team.objects.filter(pk__in=[g.pk for g in teams]).select_related("programme"))


def test_obligation_rows_take_the_same_few_queries_for_2_or_20_teams(xuhui):
    with bureau_scope(xuhui.bureau):
        few = _teams_with_obligations(xuhui, 1)
        with CaptureQueriesContext(connection) as small:
            rows = selectors.obligation_rows(few, today=dt.date(2024, 6, 1))
        assert len(rows) == 2
        Team.objects.filter(kind="subject_group").delete()
        many = _teams_with_obligations(xuhui, 19)
        with CaptureQueriesContext(connection) as large:
            rows = selectors.obligation_rows(many, today=dt.date(2024, 6, 1))
    assert len(rows) == 20 and all(len(found) >= 2 for found in rows.values())
    assert len(small) == len(large) <= 4


# --- XH-WS-OUTPUT ---------------------------------------------------------------------------------


def test_XH_WS_OUTPUT_the_leads_rank_comes_from_their_tier(xuhui):
    team = xuhui.extras["team"]  # inter-school, led by the cast's 带头人
    with bureau_scope(xuhui.bureau):
        leader_tier = xuhui.extras["enrolment_leader"].tier
        assert selectors.lead_rank(team) == rules.LeadRank.LEADER  # no rank set: a leader
        Tier.objects.filter(pk=leader_tier.pk).update(lead_rank="backbone")
        assert selectors.lead_rank(team) == rules.LeadRank.BACKBONE
        Tier.objects.filter(pk=leader_tier.pk).update(lead_rank="leader")
        assert selectors.lead_rank(team) == rules.LeadRank.LEADER
        team.lead = xuhui.mentor  # not enrolled in the programme: not a lead of this workshop
        assert selectors.lead_rank(team) is None


def test_XH_WS_TYPES_a_trainer_researcher_is_a_person_the_bureau_marked_not_anyone_not_enrolled(
    xuhui,
):
    team = xuhui.extras["team"]
    with bureau_scope(xuhui.bureau):
        team.workshop_type = "college_school"
        team.lead = xuhui.mentor  # not enrolled, not marked
        assert selectors.lead_rank(team) is None
        status = selectors.output_status(team)
        assert not status.met and status.missing[0] == "lead" and status.options == ()
        team.lead.trainer_researcher = True
        assert selectors.lead_rank(team) == rules.LeadRank.TRAINER
        assert selectors.output_status(team).options == rules.owed_courses(
            "college_school", rules.LeadRank.TRAINER
        )
        # A 带头人 does not lead a 院校合作 workshop; a 研训员 not enrolled leads no 校际 one.
        team.lead = xuhui.lead
        assert selectors.lead_rank(team) is None
        team.workshop_type = "inter_school"
        assert selectors.lead_rank(team) == rules.LeadRank.LEADER
        team.lead = xuhui.mentor
        assert selectors.lead_rank(team) is None


def test_XH_WS_OUTPUT_a_backbones_workshop_with_its_report_and_school_course_is_done(xuhui):
    team = xuhui.extras["team"]  # a 20-hour school face-to-face course, no project report
    with bureau_scope(xuhui.bureau):
        status = selectors.output_status(team)
        assert (status.rank, status.met, status.missing) == (
            rules.LeadRank.LEADER,
            False,
            ["project_report", "course"],
        )
        Tier.objects.filter(pk=xuhui.extras["enrolment_leader"].tier_id).update(
            lead_rank="backbone"
        )
        assert selectors.output_status(team).missing == ["project_report"]
        document_upload(
            actor=xuhui.lead, team=team, kind="project_report", title="项目研究报告", upload=pdf()
        )
        status = selectors.output_status(team)
        assert status.met and status.report_done and len(status.options) == 2
        assert [c.title for c in status.courses] == [xuhui.extras["course"].title]
        other = new_team(xuhui, "学科指导组", "subject_group", xuhui.lead)
        assert selectors.output_status(other) is None


# --- SJ-SCHOOL ------------------------------------------------------------------------------------


def test_SJ_SCHOOL_a_school_of_eighteen_classes_is_short_until_its_studio_has_eight(
    xuhui, django_assert_max_num_queries
):
    school = xuhui.school  # 18 classes; the teacher and the lead are enrolled from it
    with bureau_scope(xuhui.bureau):
        # The studio is the school's duty: a large school without participants is listed too.
        School.objects.create(
            bureau=xuhui.bureau, name="未参加学校", stage="junior", number_of_classes=40
        )
        big, short = selectors.studio_shortfalls(xuhui.programme)
        assert (big.school.name, big.classes, big.studios) == ("未参加学校", 40, [])
        assert (short.school, short.classes, short.studios) == (school, 18, [])
        School.objects.filter(name="未参加学校").delete()
        studio = new_team(xuhui, "班主任工作室", "school_studio", xuhui.lead, school=school)
        joint = new_team(xuhui, "联合工作室", "school_studio", xuhui.mentor)  # no school
        profiles = [new_teacher(xuhui, f"s{i}", school) for i in range(8)]
        for profile in profiles[:7]:
            Membership.objects.create(bureau=xuhui.bureau, team=studio, teacher=profile)
            Membership.objects.create(bureau=xuhui.bureau, team=joint, teacher=profile)
        with django_assert_max_num_queries(2):
            [short] = selectors.studio_shortfalls(xuhui.programme)
        assert short.studios == [("班主任工作室", 7)] and "7" in short.reason
        Membership.objects.create(bureau=xuhui.bureau, team=studio, teacher=profiles[7])
        assert selectors.studio_shortfalls(xuhui.programme) == []


# --- XC-PAIRS ---------------------------------------------------------------------------------


def test_XC_PAIRS_pairs_against_the_rule_are_listed_with_the_mentee(
    xuhui, django_assert_max_num_queries
):
    with bureau_scope(xuhui.bureau):
        tiers = {
            code: Tier.objects.create(
                bureau=xuhui.bureau, programme=xuhui.programme, code=code, name=code, order=i
            )
            for i, code in enumerate(("new_vice_principal", "new_principal", "mentor"), start=5)
        }
        here, there = xuhui.school, xuhui.other_school
        principal_here = new_teacher(xuhui, "p_here", here, "本校校长")
        listed_there = new_teacher(xuhui, "m_there", there, "名单导师")
        unlisted_there = new_teacher(xuhui, "u_there", there, "非名单校长")
        enrol(xuhui, listed_there, tiers["mentor"])
        mentees = {
            "vp_ok": (here, "new_vice_principal", principal_here),
            "vp_wrong": (here, "new_vice_principal", listed_there),
            "p_ok": (here, "new_principal", listed_there),
            "p_wrong": (here, "new_principal", unlisted_there),
        }
        for key, (school, tier, mentor) in mentees.items():
            mentee = new_teacher(xuhui, key, school, key)
            enrol(xuhui, mentee, tiers[tier])
            pair = new_team(xuhui, f"带教{key}", "mentoring_pair", mentor.user)
            Membership.objects.create(bureau=xuhui.bureau, team=pair, teacher=mentee, role="mentee")
            Membership.objects.create(  # a member who is not a mentee is not checked
                bureau=xuhui.bureau, team=pair, teacher=xuhui.teacher.teacher_profile
            )
        with django_assert_max_num_queries(4):
            found = selectors.pair_problems(xuhui.programme)
        assert sorted(p.mentee.user.full_name for p in found) == ["p_wrong", "vp_wrong"]
        assert all(p.problem for p in found)


def test_XC_PAIRS_a_programme_without_pairs_has_no_problems(xuhui):
    with bureau_scope(xuhui.bureau):
        assert selectors.pair_problems(xuhui.programme) == []


# --- PT-MODULES -----------------------------------------------------------------------------------


def test_PT_MODULES_session_hours_count_present_members_and_formatted_sessions_only(xuhui):
    with bureau_scope(xuhui.bureau):
        team = new_team(xuhui, "校本研修组", "training_group", xuhui.lead, school=xuhui.school)
        teacher = xuhui.teacher.teacher_profile
        other = new_teacher(xuhui, "t2", xuhui.school)
        present = Membership.objects.create(bureau=xuhui.bureau, team=team, teacher=teacher)
        absent = Membership.objects.create(bureau=xuhui.bureau, team=team, teacher=other)

        def session(day, hours, module="", format_="", attended=(present, absent), on=team):
            activity_record(
                actor=xuhui.staff,
                team=on,
                data={
                    "date": day,
                    "kind": "校本研修",
                    "topic": f"研修{day}",
                    "hours": Decimal(hours),
                    "module": module,
                    "session_format": format_,
                },
                present_member_ids=[m.pk for m in attended],
            )

        session(dt.date(2024, 10, 8), 3, "class_collective", "lecture")
        session(dt.date(2024, 11, 5), 4, "communication", "practice", attended=[absent])
        session(dt.date(2024, 12, 3), 2)  # a meeting: no format, not credited
        session(dt.date(2025, 10, 14), 2, "evaluation", "lecture")
        # A workshop's session is not school-based training.
        session(
            dt.date(2024, 10, 9),
            5,
            "class_collective",
            "lecture",
            attended=[xuhui.extras["membership"]],
            on=xuhui.extras["team"],
        )
        year = selectors.session_hours_by_teacher(xuhui.programme, year_of(xuhui, "2024"))
        assert set(year) == {teacher.pk, other.pk}
        assert (year[teacher.pk].lecture, year[teacher.pk].practice) == (3, 0)
        assert year[teacher.pk].by_module == (("class_collective", Decimal(3)),)
        assert (year[other.pk].lecture, year[other.pk].practice) == (3, 4)
        whole = selectors.session_hours_by_teacher(xuhui.programme)
        assert whole[teacher.pk].total == 5 and whole[other.pk].total == 9
        later = Window(Period.YEAR, "2030", dt.date(2030, 9, 1), dt.date(2031, 8, 31))
        assert selectors.session_hours_by_teacher(xuhui.programme, later) == {}


def year_of(cast, key: str) -> Window:
    """The programme's year with this key (e.g. the 2024 school year)."""
    return next(w for w in cast.programme.years if w.key == key)


# --- XC-ATTEND ------------------------------------------------------------------------------------


def test_XC_ATTEND_attendance_per_member_and_school_year(xuhui):
    keep_group_rules(xuhui, keeps_attendance=True)
    team = xuhui.extras["team"]
    member = xuhui.extras["membership"]  # present at the 3-hour activity of 2023-10-12
    with bureau_scope(xuhui.bureau):
        other = Membership.objects.create(
            bureau=xuhui.bureau, team=team, teacher=new_teacher(xuhui, "m2", xuhui.school)
        )
        for day, hours, present in (
            (dt.date(2024, 3, 5), 3, [other]),
            (dt.date(2024, 10, 8), 2, [member, other]),
            (dt.date(2024, 11, 12), 4, [other]),
        ):
            activity_record(
                actor=xuhui.lead,
                team=team,
                data={"date": day, "kind": "集体备课", "topic": "研讨", "hours": Decimal(hours)},
                present_member_ids=[m.pk for m in present],
            )
        years = {
            membership: {int(year.key): seen for year, seen in by_year.items()}
            for membership, by_year in selectors.attendance_by_year(team).items()
        }
        # The member joined after the first activity: no row for it, so it is not counted.
        assert AttendanceRecord.objects.filter(membership=other).count() == 3
    assert years[member.pk][2023] == rules.Attendance(Decimal(6), Decimal(3), rules.QUARTER)
    assert not years[member.pk][2023].earns_credit
    assert years[member.pk][2024] == rules.Attendance(Decimal(6), Decimal(4), rules.QUARTER)
    assert years[other.pk][2023].earns_credit and set(years[other.pk]) == {2023, 2024}
    with bureau_scope(xuhui.bureau):
        assert selectors.attendance_by_member(team, 2024) == {
            member.pk: years[member.pk][2024],
            other.pk: years[other.pk][2024],
        }
        assert selectors.attendance_by_member(team, 2026) == {}


def test_XH_WS_TYPES_the_migration_marks_the_leads_once_taken_for_trainer_researchers(xuhui):
    """Before, a 院校合作 workshop's lead not enrolled in its programme was taken for a 研训员:
    the migration marks exactly those leads, so what their workshops owe does not change."""
    import importlib

    from django.apps import apps

    forwards = importlib.import_module(
        "workshops.migrations.0012_college_school_leads_are_trainer_researchers"
    ).forwards
    with bureau_scope(xuhui.bureau):
        new_team(xuhui, "院校合作工作坊", "workshop", xuhui.mentor, workshop_type="college_school")
        new_team(xuhui, "院校合作工作坊二", "workshop", xuhui.lead, workshop_type="college_school")
        new_team(xuhui, "学科指导组", "subject_group", xuhui.teacher)
    forwards(apps, None)
    marked = set(
        User.objects.all_bureaus().filter(trainer_researcher=True).values_list("pk", flat=True)
    )
    assert marked == {xuhui.mentor.pk}  # the 带头人 is enrolled: not taken for a 研训员
    forwards(apps, None)
    assert User.objects.all_bureaus().filter(trainer_researcher=True).count() == 1
