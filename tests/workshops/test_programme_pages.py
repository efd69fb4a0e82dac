"""The programme-wide pages of the workshops app, for bureau staff and leadership: the briefing
board (XH-BRIEF), the programme's groups with what they owe (HA-ORG, HA-ACT, HA-READ, SJ-SCHOOL,
XC-PAIRS), and school-based session hours (PT-MODULES, for PT-CREDIT)."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import TeacherProfile, User
from bureaus.models import School
from bureaus.tenancy import bureau_scope
from cohorts.models import Enrolment
from programmes.models import Programme, Tier
from tests.workshops.test_group_rules import keep_group_rules
from workshops.models import Deadline, MemberRole, Membership, ReportingSchedule, Team
from workshops.services import (
    activity_record,
    briefing_file,
    deadline_extend,
    schedule_deadlines_sync,
    team_permissions_sync,
    team_presets_apply,
)


def board_url(cast) -> str:
    return f"/programmes/{cast.programme.pk}/briefings/"


def teams_url(cast) -> str:
    return f"/programmes/{cast.programme.pk}/groups/"


def sessions_url(cast) -> str:
    return f"/programmes/{cast.programme.pk}/sessions/"


@pytest.fixture
def today_is(monkeypatch):
    """Fix the day the pages see as today (only ``timezone.localdate()`` with no argument)."""

    def fix(day: dt.date) -> None:
        real = timezone.localdate

        def localdate(value=None, timezone=None):
            return day if value is None else real(value, timezone)

        monkeypatch.setattr("django.utils.timezone.localdate", localdate)

    return fix


def deadline_on(cast, day: dt.date, team=None) -> Deadline:
    return Deadline.objects.get(team=team or cast.extras["team"], due=day)


def person(cast, key: str, school: School, full_name: str | None = None) -> TeacherProfile:
    user = User.objects.create(
        bureau=cast.bureau, username=f"{cast.bureau.code}_{key}", full_name=full_name or key
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


def enrol(cast, profile: TeacherProfile, tier: Tier) -> Enrolment:
    return Enrolment.objects.create(
        bureau=cast.bureau,
        programme=cast.programme,
        teacher=profile,
        tier=tier,
        school=profile.school,
        enrolled_on=dt.date(2023, 9, 1),
    )


def make_team(cast, kind: str, name: str, lead=None, **fields) -> Team:
    team = Team.objects.create(
        bureau=cast.bureau,
        programme=cast.programme,
        kind=kind,
        name=name,
        lead=lead or cast.lead,
        **fields,
    )
    team_permissions_sync(team=team)
    return team


def quarterly(cast, team: Team) -> None:
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


def member(cast, team: Team, profile: TeacherProfile, role=MemberRole.MEMBER) -> Membership:
    return Membership.objects.create(bureau=cast.bureau, team=team, teacher=profile, role=role)


# --- The briefing board (XH-BRIEF) ---------------------------------------------------------------


def test_XH_BRIEF_the_board_shows_on_time_late_missing_open_and_an_extension(xuhui, today_is):
    today_is(dt.date(2024, 5, 1))  # in the 2023 school year, the default one
    with bureau_scope(xuhui.bureau):
        # 2023-09-28 was filed on 2023-09-25 by the cast: on time.
        late = deadline_on(xuhui, dt.date(2023, 12, 28))
        briefing_file(actor=xuhui.lead, deadline=late, text="迟交的简报", on=dt.date(2024, 1, 5))
        extended = deadline_on(xuhui, dt.date(2024, 3, 28))
        deadline_extend(
            actor=xuhui.staff, deadline=extended, to=dt.date(2024, 4, 10), reason="坊主外出培训"
        )
        still_open = deadline_on(xuhui, dt.date(2024, 6, 28))
    response = xuhui.client("leader").get(board_url(xuhui))
    assert response.status_code == 200
    body = response.content.decode()
    team = xuhui.extras["team"]
    assert team.name in body and f'href="/groups/{team.pk}/"' in body
    assert xuhui.lead.full_name in body
    # One column per due date of the 2023 school year, and no other year's.
    board = response.context["board"]
    assert board.dates == [
        dt.date(2023, 9, 28),
        dt.date(2023, 12, 28),
        dt.date(2024, 3, 28),
        dt.date(2024, 6, 28),
    ]
    assert [c.status for c in board.rows[0].cells] == ["on_time", "late", "missing", "open"]
    assert board.counts == {"on_time": 1, "late": 1, "missing": 1, "open": 1}
    # Chips in Chinese, the missing cell highlighted, each cell linked to its deadline.
    for word in ("按时", "逾期提交", "缺交", "未到期"):
        assert word in body
    assert 'class="cell board-cell board-cell-missing" data-status="missing"' in body
    assert f'href="/deadlines/{extended.pk}/"' in body
    assert f'href="/deadlines/{still_open.pk}/"' in body
    assert "04-10" in body and "坊主外出培训" in body  # the extension, with its reason
    assert response.context["with_missing"] == 1
    assert 'data-testid="groups-with-missing"><strong>1<' in body


def test_XH_BRIEF_the_board_filters_by_school_year_kind_and_missing(xuhui):
    with bureau_scope(xuhui.bureau):
        for day in (dt.date(2023, 12, 28), dt.date(2024, 3, 28), dt.date(2024, 6, 28)):
            briefing_file(actor=xuhui.lead, deadline=deadline_on(xuhui, day), text="简报", on=day)
        team = make_team(xuhui, "cadre_team", "学区干部团队甲")
        team_presets_apply(actor=xuhui.staff, team=team)  # a briefing every two months
    client = xuhui.client("staff")
    url = board_url(xuhui)
    everything = client.get(url, {"school_year": "2023"})
    assert [r.team.name for r in everything.context["board"].rows] == [
        "学区干部团队甲",
        xuhui.extras["team"].name,
    ]
    assert everything.context["with_missing"] == 1
    missing = client.get(url, {"school_year": "2023", "missing_only": "on"}).context["board"]
    assert [r.team.name for r in missing.rows] == ["学区干部团队甲"]
    workshops = client.get(url, {"school_year": "2023", "kind": "workshop"}).context["board"]
    assert [r.team.name for r in workshops.rows] == [xuhui.extras["team"].name]
    later = client.get(url, {"school_year": "2024", "kind": "workshop"}).context["board"]
    assert later.dates[0] == dt.date(2024, 9, 28) and later.counts == {"missing": 4}
    # Once the cycle is over, the board opens on its last school year.
    assert client.get(url).context["board"].school_year.key == "2025"


def test_XH_BRIEF_the_board_is_for_staff_and_leadership_of_the_bureau_only(xuhui, putuo):
    keep_group_rules(xuhui, training_hours_a_year=Decimal(40))  # the session hours exist
    assert xuhui.client("staff").get(board_url(xuhui)).status_code == 200
    for who in ("teacher", "lead", "school_admin"):
        assert xuhui.client(who).get(board_url(xuhui)).status_code == 403
    assert putuo.client("staff").get(board_url(xuhui)).status_code == 404
    assert putuo.client("leader").get(teams_url(xuhui)).status_code == 404
    assert putuo.client("staff").get(sessions_url(xuhui)).status_code == 404
    assert xuhui.client("teacher").get(teams_url(xuhui)).status_code == 403
    assert xuhui.client("teacher").get(sessions_url(xuhui)).status_code == 403


def test_XH_BRIEF_the_board_exports_to_excel_in_the_readers_language(xuhui):
    response = xuhui.client("staff").get(
        board_url(xuhui), {"school_year": "2023", "format": "xlsx"}
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("团队", "类型", "负责人")
    assert rows[0][3:] == ("2023-09-28", "2023-12-28", "2024-03-28", "2024-06-28")
    assert rows[1][:3] == (xuhui.extras["team"].name, "工作坊", xuhui.lead.full_name)
    assert rows[1][3:] == ("按时", "缺交", "缺交", "缺交")


def board_queries(cast) -> int:
    client = cast.client("staff")
    client.get(board_url(cast))  # the session and the user's roles, once
    with CaptureQueriesContext(connection) as queries:
        response = client.get(board_url(cast), {"school_year": "2023"})
    assert response.status_code == 200
    return len(queries)


def add_workshops(cast, start: int, end: int) -> None:
    with bureau_scope(cast.bureau):
        for i in range(start, end):
            quarterly(cast, make_team(cast, "workshop", f"工作坊{i:03d}"))


def test_XH_BRIEF_the_board_takes_as_many_queries_for_20_teams_as_for_2(xuhui):
    add_workshops(xuhui, 0, 1)  # with the cast's workshop: 2 groups
    two = board_queries(xuhui)
    add_workshops(xuhui, 1, 19)  # 20 groups
    twenty = board_queries(xuhui)
    assert twenty == two
    with bureau_scope(xuhui.bureau):
        assert Team.objects.filter(programme=xuhui.programme).count() == 20


# --- The programme's organisation (HA-ORG, HA-ACT, HA-READ, SJ-SCHOOL, XC-PAIRS) ----------------


def test_HA_ACT_a_subject_group_with_one_activity_has_missed_its_semesters(xuhui):
    with bureau_scope(xuhui.bureau):
        team = make_team(xuhui, "subject_group", "数学学科指导组", subject="maths")
        team_presets_apply(actor=xuhui.staff, team=team)
        member(xuhui, team, xuhui.teacher.teacher_profile)
        activity_record(
            actor=xuhui.staff,
            team=team,
            present_member_ids=[],
            data={
                "date": dt.date(2023, 10, 10),
                "kind": "学科培训",
                "topic": "新课标解读",
                "hours": 2,
            },
        )
    response = xuhui.client("leader").get(teams_url(xuhui))
    assert response.status_code == 200
    body = response.content.decode()
    assert "学科指导组" in body and "数学学科指导组" in body and f"/groups/{team.pk}/" in body
    (item,) = [
        i for _label, items in response.context["sections"] for i in items if i["team"] == team
    ]
    lines = {line.title: line for line in item["obligations"]}
    semester = lines["学科研训活动（每学期）"]
    assert semester.rule == "HA-ACT" and semester.required == 2
    # Every semester of the cycle is over (2023-1 … 2025-2) and none had two activities.
    assert semester.missed == 6 and semester.status == "missed"
    # Each year of the programme's calendar: the school years 2023, 2024 and 2025.
    assert lines["学科研训活动（每年）"].missed == 3
    assert item["missed"] == 9 and item["team"].member_count == 1
    assert 'data-testid="missed">6' in body
    assert "学科研训活动（每学期）" in body and "未完成" in body  # the status chip, in Chinese
    assert "HA-ACT" not in body  # rule ids stay in the code and the admin
    # A programme with no working groups or reading exchanges is not asked about stages.
    assert 'data-testid="stage-gaps"' not in body


def test_HA_ORG_HA_READ_the_stages_without_a_working_group_or_reading_exchange(xuhui):
    with bureau_scope(xuhui.bureau):
        make_team(xuhui, "working_group", "小学工作组", stage="primary")
        make_team(xuhui, "reading_group", "初中读书交流", stage="junior")
    response = xuhui.client("staff").get(teams_url(xuhui))
    stages = response.context["stages"]
    assert [str(s) for s in stages["working"]] == ["初中", "高中"]
    assert [str(s) for s in stages["reading"]] == ["小学", "高中"]
    body = response.content.decode()
    assert 'data-testid="stage-gaps"' in body and "初中、高中" in body and "小学、高中" in body
    # Sections follow the order of group kinds: workshop, …, reading exchange, …, working group.
    labels = [str(label) for label, _items in response.context["sections"]]
    assert labels == ["工作坊", "学段读书交流", "工作组"]


def test_SJ_SCHOOL_a_big_school_with_a_studio_of_5_is_listed_one_of_8_is_not(xuhui):
    with bureau_scope(xuhui.bureau):
        backbone = xuhui.programme.tiers.get(code="backbone")
        for label, size in (("五人", 5), ("八人", 8)):
            school = School.objects.create(
                bureau=xuhui.bureau, name=f"{label}工作室中学", stage="junior", number_of_classes=20
            )
            teachers = [person(xuhui, f"{label}{i}", school) for i in range(size)]
            enrol(xuhui, teachers[0], backbone)
            studio = make_team(xuhui, "school_studio", f"{label}工作室", school=school)
            for teacher in teachers:
                member(xuhui, studio, teacher)
    response = xuhui.client("staff").get(teams_url(xuhui))
    listed = {s.school.name: s for s in response.context["studios"]}
    assert set(listed) == {"五人工作室中学", xuhui.school.name}  # the cast's school: 18, none
    assert listed["五人工作室中学"].studios == [("五人工作室", 5)]
    section = response.content.decode().split('data-testid="studio-shortfalls"')[1]
    assert "五人工作室中学" in section and "五人工作室（5）" in section
    assert "八人工作室中学" not in section


def test_SJ_SCHOOL_the_section_is_only_for_programmes_with_school_studios(xuhui):
    response = xuhui.client("staff").get(teams_url(xuhui))
    assert response.context["studios"] is None and response.context["pairs"] is None
    body = response.content.decode()
    assert 'data-testid="studio-shortfalls"' not in body
    assert 'data-testid="pair-problems"' not in body


def test_XC_PAIRS_a_vice_principal_mentored_from_another_school_is_listed(xuhui):
    with bureau_scope(xuhui.bureau):
        vice = Tier.objects.create(
            bureau=xuhui.bureau, programme=xuhui.programme, code="new_vice_principal", name="副校长"
        )
        Tier.objects.create(
            bureau=xuhui.bureau, programme=xuhui.programme, code="mentor", name="带教导师"
        )
        # The mentor works at the other school.
        wrong = person(xuhui, "vp_wrong", xuhui.school, "跨校副校长")
        right = person(xuhui, "vp_right", xuhui.other_school, "本校副校长")
        for mentee, name in ((wrong, "跨校结对"), (right, "本校结对")):
            enrol(xuhui, mentee, vice)
            pair = make_team(xuhui, "mentoring_pair", name, lead=xuhui.mentor)
            member(xuhui, pair, mentee, MemberRole.MENTEE)
    response = xuhui.client("leader").get(teams_url(xuhui))
    pairs = response.context["pairs"]
    assert [(p["team"].name, p["mentee"].user.full_name) for p in pairs] == [
        ("跨校结对", "跨校副校长")
    ]
    assert pairs[0]["mentee_school"] == xuhui.school
    assert pairs[0]["mentor_school"] == xuhui.other_school
    section = response.content.decode().split('data-testid="pair-problems"')[1]
    assert "跨校副校长" in section and "本校副校长" not in section


# --- School-based session hours (PT-MODULES, PT-CREDIT) -------------------------------------------


def sessions(cast):
    """A training group with the cast's teacher (the admin's school) and mentor (the other
    school); three credited sessions and one with no format, over two school years, in a
    programme that owes 40 class hours a year (PT-HOURS)."""
    keep_group_rules(cast, training_hours_a_year=Decimal(40))
    team = make_team(cast, "training_group", "班主任校本研修组", school=cast.school)
    teacher = member(cast, team, cast.teacher.teacher_profile)
    mentor = member(cast, team, cast.mentor.teacher_profile)
    absent = member(cast, team, person(cast, "absent", cast.school, "缺席教师"))

    def session(day, hours, module, format_, present):
        activity_record(
            actor=cast.staff,
            team=team,
            present_member_ids=[m.pk for m in present],
            data={
                "date": day,
                "kind": "校本研修",
                "topic": f"研修{day}",
                "hours": hours,
                "module": module,
                "session_format": format_,
            },
        )

    session(dt.date(2023, 10, 9), 3, "class_collective", "lecture", [teacher, mentor])
    session(dt.date(2024, 3, 4), 4, "communication", "practice", [teacher])
    session(dt.date(2024, 4, 1), 2, "evaluation", "", [teacher, mentor])  # no format: not counted
    session(dt.date(2024, 10, 8), 5, "student_guidance", "lecture", [teacher])
    return absent


def test_PT_MODULES_hours_by_module_and_format_for_present_members_only(xuhui):
    with bureau_scope(xuhui.bureau):
        sessions(xuhui)
    response = xuhui.client("staff").get(sessions_url(xuhui), {"school_year": "2023"})
    assert response.status_code == 200
    rows = {r.teacher.user.full_name: r for r in response.context["rows"]}
    assert set(rows) == {xuhui.teacher.full_name, xuhui.mentor.full_name, "缺席教师"}
    teacher = rows[xuhui.teacher.full_name]
    assert (teacher.hours.lecture, teacher.hours.practice, teacher.hours.total) == (3, 4, 7)
    # TrainingModule order: collective, activities, guidance, evaluation, communication.
    assert teacher.modules == [3, 0, 0, 0, 4]
    assert teacher.credits == Decimal("0.5")  # PT-CREDIT: 3/10 + 4/20
    mentor = rows[xuhui.mentor.full_name]
    assert (mentor.hours.lecture, mentor.hours.practice, mentor.credits) == (3, 0, Decimal("0.3"))
    assert rows["缺席教师"].hours.total == 0
    body = response.content.decode()
    assert xuhui.school.name in body and xuhui.other_school.name in body
    assert "班集体管理" in body or "Class collective management" in body
    # The whole cycle adds the 2024 school year's lecture.
    whole = xuhui.client("staff").get(sessions_url(xuhui), {"school_year": ""})
    rows = {r.teacher.user.full_name: r for r in whole.context["rows"]}
    assert rows[xuhui.teacher.full_name].hours.lecture == 8
    assert rows[xuhui.teacher.full_name].credits == Decimal("1.0")


def test_PT_MODULES_a_school_admin_sees_their_own_school_only(xuhui):
    with bureau_scope(xuhui.bureau):
        sessions(xuhui)
    response = xuhui.client("school_admin").get(sessions_url(xuhui), {"school_year": "2023"})
    assert response.status_code == 200
    names = {r.teacher.user.full_name for r in response.context["rows"]}
    assert names == {xuhui.teacher.full_name, "缺席教师"}
    assert xuhui.mentor.full_name not in response.content.decode()


def test_PT_CREDIT_session_hours_export_to_excel(xuhui):
    with bureau_scope(xuhui.bureau):
        sessions(xuhui)
    response = xuhui.client("leader").get(
        sessions_url(xuhui), {"school_year": "2023", "format": "xlsx"}
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("姓名", "工号", "学校") and len(rows[0]) == 3 + 3 + 5 + 1
    found = {r[0]: r for r in rows[1:]}
    assert found[xuhui.teacher.full_name][3:] == (3, 4, 7, 3, 0, 0, 0, 4, 0.5)
    assert found[xuhui.mentor.full_name][-1] == 0.3


# --- Links from the programme ---------------------------------------------------------------------


def test_the_programme_page_links_staff_to_the_teams_board_and_hours(xuhui):
    keep_group_rules(xuhui, training_hours_a_year=Decimal(40))  # PT-HOURS
    pk = xuhui.programme.pk
    staff = xuhui.client("staff").get(f"/programmes/{pk}/").content.decode()
    for url in (teams_url(xuhui), board_url(xuhui), sessions_url(xuhui)):
        assert f'href="{url}"' in staff
    admin = xuhui.client("school_admin").get(f"/programmes/{pk}/").content.decode()
    assert f'href="{sessions_url(xuhui)}"' in admin and f'href="{board_url(xuhui)}"' not in admin
    teacher = xuhui.client("teacher").get(f"/programmes/{pk}/").content.decode()
    assert f'href="{board_url(xuhui)}"' not in teacher
    assert f'href="{sessions_url(xuhui)}"' not in teacher


def test_XH_BRIEF_a_cycle_too_short_for_a_year_shows_the_board_of_the_whole_cycle(xuhui):
    """Five months of a school year are a stub, not a year: the board covers the cycle instead
    of failing."""
    with bureau_scope(xuhui.bureau):
        Programme.objects.filter(pk=xuhui.programme.pk).update(end_month=dt.date(2024, 1, 31))
    client = xuhui.client("staff")
    response = client.get(board_url(xuhui))
    assert response.status_code == 200
    board = response.context["board"]
    assert (board.school_year.start, board.school_year.end) == (
        dt.date(2023, 9, 1),
        dt.date(2024, 1, 31),
    )
    assert client.get(board_url(xuhui), {"format": "xlsx"}).status_code == 200
