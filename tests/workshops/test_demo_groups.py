"""The demo groups (fixtures/demo_groups.json): loaded once, through the services, and showing
what each seed asks of its groups.

The demo bureaus come first (``load_demo``), then the programme seeds (``load_programmes``), the
enrolments (``load_demo_cohorts``) and then the groups (``load_demo_groups``), as ``make demo``
does. The loaded rows are read back through the selectors the portal's pages use.
"""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from accounts.models import User
from bureaus.models import AuditEntry, Bureau, School
from bureaus.tenancy import all_bureaus, bureau_scope
from demo.workshops import load_demo_groups, series_dates
from programmes.models import Programme
from programmes.rules import Status
from workshops import rules, selectors
from workshops.access import MANAGE, teams_for_user
from workshops.models import (
    ActivityFile,
    ActivityRecord,
    AttendanceRecord,
    Briefing,
    BriefingFile,
    Deadline,
    Membership,
    Obligation,
    Team,
    TeamDocument,
    WorkshopCourse,
)

pytestmark = pytest.mark.django_db

# After the XH cycle (2026-06) and inside the PT and SJ cycles (to 2027-08): what the demo shows.
TODAY = dt.date(2026, 11, 22)


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    """The demo stores its PDFs: keep them out of the shared test media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def load_everything() -> list[str]:
    """What ``make demo`` loads, with the groups as of TODAY; returns the programmes loaded."""
    for command in ("load_demo", "load_programmes", "load_demo_cohorts"):
        call_command(command, stdout=StringIO())
    return load_demo_groups(today=TODAY)


def row_counts() -> dict[str, int]:
    with all_bureaus():
        return {
            model.__name__: model.objects.count()
            for model in (
                Team,
                Membership,
                Obligation,
                Deadline,
                Briefing,
                BriefingFile,
                ActivityRecord,
                AttendanceRecord,
                ActivityFile,
                TeamDocument,
                WorkshopCourse,
                AuditEntry,
                User,
            )
        }


def programme(code: str) -> Programme:
    return Programme.objects.get(code=code)


def team(name: str) -> Team:
    return Team.objects.select_related("programme").get(name=name)


def test_loading_twice_changes_nothing():
    loaded = load_everything()
    assert len(loaded) == 5 and any("xh-backbone-2023" in line for line in loaded)
    before = row_counts()
    assert before["Team"] >= 20 and before["ActivityRecord"] > 200
    assert before["Briefing"] == before["BriefingFile"] > 30

    out = StringIO()
    call_command("load_demo_groups", stdout=out)

    assert "already present" in out.getvalue()
    assert row_counts() == before


def test_each_lead_manages_their_own_teams_only_and_signs_in_to_see_them():
    load_everything()
    password = json.loads((Path(__file__).parents[2] / "fixtures" / "demo.json").read_text())[
        "password"
    ]
    for bureau in Bureau.objects.all():
        with bureau_scope(bureau):
            teams = list(Team.objects.select_related("lead", "assistant"))
            assert teams, bureau.code
            for found in teams:
                holders = {found.lead_id, found.assistant_id} - {None}
                for user in User.objects.filter(pk__in=holders):
                    assert user.has_perm(MANAGE, found), (found.name, user.username)
            lead = User.objects.get(username=f"{PREFIXES[bureau.code]}_lead")
            led = {g.pk for g in teams if lead.pk in (g.lead_id, g.assistant_id)}
            assert led, bureau.code
            for found in teams:
                if lead.is_staff or found.pk in led:
                    continue
                assert not lead.has_perm(MANAGE, found), (lead.username, found.name)
            assert led <= set(teams_for_user(lead).values_list("pk", flat=True))
            names = [g.name for g in teams if g.pk in led]
        client = Client()
        response = client.post(
            "/accounts/login/", {"username": lead.username, "password": password}
        )
        assert response.status_code == 302, lead.username
        page = client.get("/").content.decode()
        assert all(name in page for name in names), (lead.username, names)


def test_XH_BRIEF_most_briefings_on_time_one_late_some_missing_one_extended():
    load_everything()
    with bureau_scope(Bureau.objects.get(code="xuhui")):
        backbone = programme("xh-backbone-2023")
        workshops = Team.objects.filter(programme=backbone, kind="workshop")
        statuses = [
            row.status
            for workshop in workshops
            for row in selectors.deadline_rows(workshop, today=TODAY)
        ]
        assert len(statuses) == 3 * 12
        # The rule itself, over the seeded rows: the quarterly deadlines before the 28th, and
        # each briefing's status from its deadline, extension and filing day.
        for workshop in workshops:
            rows = Deadline.objects.filter(team=workshop).select_related("briefing")
            assert [d.due for d in rows.order_by("due")] == rules.deadlines(
                rules.XH_BRIEF, backbone.cycle.start, backbone.cycle.end
            )
        by_rule = [
            rules.briefing_status(
                d.due,
                d.briefing.filed_on if hasattr(d, "briefing") else None,
                TODAY,
                d.extended_to,
            )
            for d in Deadline.objects.filter(team__in=workshops).select_related("briefing")
        ]
        assert sorted(by_rule) == sorted(statuses)
        assert statuses.count(rules.BriefingStatus.LATE) == 1
        assert statuses.count(rules.BriefingStatus.MISSING) == 3
        assert statuses.count(rules.BriefingStatus.ON_TIME) == 32
        extended = Deadline.objects.get(team__programme=backbone, extended_to__isnull=False)
        assert extended.extension_reason and extended.briefing.filed_on <= extended.extended_to
        assert extended.briefing.filed_on > extended.due
        # The briefings, their files and the audit rows are dated when they were filed.
        briefing = extended.briefing
        assert briefing.created_at.date() == briefing.filed_on
        assert briefing.files.get().uploaded_at.date() == briefing.filed_on
        entry = AuditEntry.objects.get(action="briefing.file", target_id=str(extended.pk))
        assert timezone_date(entry.created_at) == briefing.filed_on
        # XC-TEAM: every two months, filed by the project assistant (XC-ASSIST).
        cadre = team("徐家汇学区干部团队")
        assert {b.filed_by.username for b in Briefing.objects.filter(deadline__team=cadre)} == {
            "xh_t25"
        }
        assert cadre.deadlines.count() == 7


def test_what_each_seed_asks_of_its_teams_shows_in_the_demo():
    load_everything()
    with bureau_scope(Bureau.objects.get(code="xuhui")):
        # XH-WS-OUTPUT: met by the college–school workshop, and by no other.
        workshops = Team.objects.filter(programme__code="xh-backbone-2023", kind="workshop")
        met = {w.workshop_type: selectors.output_status(w) for w in workshops}
        assert met["college_school"].met and met["college_school"].rank == "trainer"
        # XH-WS-TYPES: the 院校合作 workshop's lead is a 研训员 the bureau marked as one.
        college = workshops.get(workshop_type="college_school")
        assert college.lead.trainer_researcher and college.lead.username == "xh_staff"
        assert met["inter_school"].rank == "leader" and met["inter_school"].missing == ["course"]
        assert met["intra_school"].rank == "backbone" and not met["intra_school"].met
        # XH-WS-LEAD: the research plan and each school year's implementation plan.
        rows = selectors.obligation_rows(workshops, today=TODAY)
        plans = {
            w.name: next(r for r in rows[w.pk] if r.obligation.title == "年度实施计划")
            for w in workshops
        }
        assert sorted(len(r.missed) for r in plans.values()) == [0, 0, 1]
        # XC-ATTEND is XC's rule: the XH workshops keep no attendance threshold, even where a
        # member missed much of a year.
        reading = team("文史融合整本书阅读教学工作坊")
        assert reading.activities.filter(attendance__present=False).exists()
        assert selectors.attendance_by_year(reading) == {}
        # The XC cadre team's member who missed more than a quarter of the hours of a year of
        # the programme earns no credit for it.
        cadre = team("徐家汇学区干部团队")
        failing = [
            (membership, year.key)
            for membership, years in selectors.attendance_by_year(cadre).items()
            for year, seen in years.items()
            if not seen.earns_credit
        ]
        assert [(Membership.objects.get(pk=m).teacher.user.username, y) for m, y in failing] == [
            ("xh_t20", "2017")
        ]
        # XC-PAIRS: one pair as the seed says, one not.
        [problem] = selectors.pair_problems(programme("xc-cadre-base-2017"))
        assert problem.mentee.user.username == "xh_t22"
        assert Team.objects.filter(kind="mentoring_pair").count() == 2
        # XC-MENTEE: the compliant pair's mentee portfolio was reviewed by the mentor.
        portfolio = TeamDocument.objects.get(kind="personal_portfolio")
        assert portfolio.reviewed_by.username == "xh_t02"
        assert portfolio.reviewed_on == dt.date(2018, 6, 25)

    with bureau_scope(Bureau.objects.get(code="songjiang")):
        # SJ-SCHOOL: one school's studio has 8 members, another's only 5.
        shortfalls = {s.school.name: s for s in selectors.studio_shortfalls(programme(SJ))}
        assert shortfalls["上海市松江二中"].studios == [("松江二中“知心”班主任工作室", 5)]
        assert "上海市松江一中" not in shortfalls
        assert "上海市松江区泖港学校" not in shortfalls  # 14 classes: a joint studio will do

    with bureau_scope(Bureau.objects.get(code="haian")):
        # HA-ACT: one subject group held a single activity in the autumn semester.
        subject_groups = Team.objects.filter(kind="subject_group")
        rows = selectors.obligation_rows(subject_groups, today=TODAY)
        autumn = {
            g.name: next(
                p.status
                for r in rows[g.pk]
                if r.obligation.period == "semester"
                for p in r.periods
                if p.window.key == "2022-2"  # autumn: September to December
            )
            for g in subject_groups
        }
        assert sorted(autumn.values()) == [Status.MET, Status.MET, Status.MISSED]
        assert autumn["心理健康教育学科指导组"] == Status.MISSED
        # HA-ORG, HA-READ: a mentor corps, and a working group and reading exchange per stage.
        for kind in ("working_group", "reading_group"):
            stages = Team.objects.filter(kind=kind).values_list("stage", flat=True)
            assert sorted(stages) == ["junior", "primary", "senior"]
        assert Team.objects.filter(kind="mentor_corps").count() == 1

    with bureau_scope(Bureau.objects.get(code="putuo")):
        # PT-MODULES / PT-CREDIT: sessions carry module, format and class hours.
        pt = programme(PT)
        hours = selectors.session_hours_by_teacher(pt, next(w for w in pt.years if w.key == "2024"))
        assert len(hours) >= 15
        assert all(h.lecture > 0 and h.practice > 0 for h in hours.values())
        assert sum(h.total >= 40 for h in hours.values()) > len(hours) / 2  # PT-HOURS
        modules = {module for h in hours.values() for module, _hours in h.by_module}
        assert len(modules) == 5
        meeting = ActivityRecord.objects.filter(kind="工作例会").first()
        assert meeting is not None and meeting.session_format == ""


def timezone_date(moment: dt.datetime) -> dt.date:
    from django.utils import timezone

    return timezone.localtime(moment).date()


PT = "pt-class-teacher-2024"
SJ = "sj-class-teacher-2024"
PREFIXES = {"xuhui": "xh", "putuo": "pt", "haian": "ha", "songjiang": "sj"}


# --- Without the database ---------------------------------------------------------------------


def test_a_monthly_series_keeps_its_day_moves_off_weekends_and_skips_months():
    days = series_dates(
        "month", dt.date(2024, 4, 30), dt.date(2025, 3, 31), skip=frozenset({"2025-01"})
    )
    assert days == [
        dt.date(2024, 4, 30),
        dt.date(2024, 5, 30),
        dt.date(2024, 6, 28),  # Sunday the 30th, and the Monday is July: the Friday before
        dt.date(2024, 7, 30),
        dt.date(2024, 8, 30),
        dt.date(2024, 9, 30),
        dt.date(2024, 10, 30),
        dt.date(2024, 11, 29),  # Saturday the 30th: the Friday before
        dt.date(2024, 12, 30),
        dt.date(2025, 2, 28),  # February has no 30th: its last day
        dt.date(2025, 3, 31),  # Sunday the 30th: the Monday after
    ]


def test_a_fortnightly_series_runs_every_fourteen_days_to_its_end():
    days = series_dates("fortnight", dt.date(2017, 4, 25), dt.date(2017, 6, 30))
    assert days[0] == dt.date(2017, 4, 25) and days[-1] == dt.date(2017, 6, 20)
    assert {(b - a).days for a, b in zip(days, days[1:], strict=False)} == {14}


def write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "groups.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


GOOD_GROUP = {
    "name": "测试工作坊",
    "kind": "workshop",
    "lead": "xh_lead",
    "formed_on": "2023-09-26",
    "members": [{"teacher": "xh_t03"}],
}


@pytest.mark.parametrize(
    "change, message",
    [
        ({"colour": "red"}, "unknown keys ['colour']"),
        ({"formed_on": "2023-13-01"}, "must be a date"),
        ({"members": [{"teacher": "xh_t03"}, {"teacher": "xh_t03"}]}, "listed twice"),
        (
            {"activities": [{"date": "2024-03-12", "kind": "x", "topic": "y", "hours": 0}]},
            "positive number of class hours",
        ),
        (
            {
                "activities": [
                    {"date": "2024-03-12", "kind": "x", "topic": "y", "hours": 2, "absent": ["z"]}
                ]
            },
            "'z' is not one of the group's members",
        ),
        ({"documents": [{"kind": "poem", "title": "t", "on": "2024-01-02"}]}, "unknown kind"),
        (
            {"briefings": {"exceptions": [{"due": "2024-03-28"}]}},
            "either when it was filed",
        ),
        (
            {
                "briefings": {
                    "exceptions": [
                        {"due": "2024-03-28", "extended_to": "2024-04-10", "missing": True}
                    ]
                }
            },
            "needs 'granted_on' and the 'reason'",
        ),
    ],
)
def test_a_malformed_file_is_refused_before_anything_is_written(tmp_path, change, message):
    data = {
        "bureaus": [
            {
                "bureau": "xuhui",
                "staff": "xh_staff",
                "programmes": [
                    {"programme": "xh-backbone-2023", "groups": [{**GOOD_GROUP, **change}]}
                ],
            }
        ]
    }
    with pytest.raises(ValueError, match="group '测试工作坊'") as error:
        load_demo_groups(write(tmp_path, data), today=TODAY)
    assert message in str(error.value)
    with all_bureaus():
        assert not Team.objects.exists()


def test_an_unknown_teacher_or_a_missing_programme_names_the_entry(tmp_path):
    call_command("load_demo", stdout=StringIO())
    data = {
        "bureaus": [
            {
                "bureau": "xuhui",
                "staff": "xh_staff",
                "programmes": [{"programme": "xh-backbone-2023", "groups": [GOOD_GROUP]}],
            }
        ]
    }
    with pytest.raises(ValueError, match="load_programmes"):
        load_demo_groups(write(tmp_path, data), today=TODAY)
    call_command("load_programmes", stdout=StringIO())
    data["bureaus"][0]["programmes"][0]["groups"] = [
        {**GOOD_GROUP, "members": [{"teacher": "xh_nobody"}]}
    ]
    with pytest.raises(ValueError, match="member 'xh_nobody': no teacher"):
        load_demo_groups(write(tmp_path, data), today=TODAY)
    with all_bureaus():
        assert not Team.objects.exists()  # the programme's transaction was rolled back
    with pytest.raises(CommandError, match="no such file"):
        call_command("load_demo_groups", file=str(tmp_path / "missing.json"))


def test_the_seeds_give_units_their_duties_and_the_demo_files_for_them():
    """SJ-SCHOOL, XC-TEAM, PT-HOURS and HA-ASSESS come from the seeds as duties of units; the
    demo files for most periods and leaves some missed, so the pages have something to show."""
    from workshops.models import UnitDuty, UnitFiling

    load_everything()
    with bureau_scope(Bureau.objects.get(code="songjiang")):
        sj = programme(SJ)
        [session] = UnitDuty.objects.filter(programme=sj)
        assert (session.rule, session.period, session.owed_by) == (
            "SJ-SCHOOL",
            "month",
            "every_school",
        )
        rows = selectors.unit_duty_rows(sj, today=TODAY)
        assert len(rows) == School.objects.count()  # every school, participants or not
        states = {row.state for row in rows}
        assert Status.MISSED in states and UnitFiling.objects.filter(programme=sj).exists()
        # The studio check lists every school of 15 classes or more but those with a studio of 8.
        from django.db.models import Count

        large = set(School.objects.filter(number_of_classes__gte=15).values_list("pk", flat=True))
        cleared = set(
            Team.objects.filter(programme=sj, kind="school_studio")
            .annotate(n=Count("memberships"))
            .filter(n__gte=8)
            .values_list("school_id", flat=True)
        )
        assert {s.school.pk for s in selectors.studio_shortfalls(sj)} == large - cleared
    with bureau_scope(Bureau.objects.get(code="xuhui")):
        xc = programme("xc-cadre-base-2017")
        duties = UnitDuty.objects.filter(programme=xc)
        assert {d.owed_by for d in duties} == {"learning_district"} and duties.count() == 6
        assert not Obligation.objects.filter(team__kind="cadre_team").exists()
        assert UnitFiling.objects.filter(programme=xc, kind="salon").exists()
    with bureau_scope(Bureau.objects.get(code="putuo")):
        pt = programme("pt-class-teacher-2024")
        hours = UnitDuty.objects.get(programme=pt, min_hours__isnull=False)
        assert (hours.rule, hours.min_hours, hours.period) == ("PT-HOURS", 40, "year")
        [row, *_rest] = selectors.unit_duty_rows(pt, today=TODAY)
        first_year = next(line for line in row.lines if line.duty == hours).periods[0]
        assert first_year.hours in (0, 40) and first_year.status in (Status.MET, Status.MISSED)
    with bureau_scope(Bureau.objects.get(code="haian")):
        # HA-ASSESS: the towns (区镇, as learning districts) and the schools directly under
        # the bureau (局直) are assessed as units; a town's school is assessed with its town.
        ha = programme("ha-1115-2022")
        duties = UnitDuty.objects.filter(programme=ha)
        assert {(d.rule, d.period, d.owed_by) for d in duties} == {
            ("HA-ASSESS", "year", "learning_district"),
            ("HA-ASSESS", "year", "direct_schools"),
        }
        units = {row.unit.name for row in selectors.unit_duty_rows(ha, today=TODAY)}
        assert {"曲塘镇学区", "南莫镇学区", "海安市实验小学"} <= units
        assert "海安市曲塘镇中心小学" not in units  # a town's school: assessed with its town
        assert UnitFiling.objects.filter(kind="unit_assessment").exists()


def test_XH_WS_TYPES_the_demo_refuses_a_college_school_workshop_led_by_a_participant(tmp_path):
    for command in ("load_demo", "load_programmes", "load_demo_cohorts"):
        call_command(command, stdout=StringIO())
    group = {**GOOD_GROUP, "workshop_type": "college_school"}
    data = {
        "bureaus": [
            {
                "bureau": "xuhui",
                "staff": "xh_staff",
                "programmes": [{"programme": "xh-backbone-2023", "groups": [group]}],
            }
        ]
    }
    with pytest.raises(ValueError, match="group '测试工作坊'") as error:
        load_demo_groups(write(tmp_path, data), today=TODAY)
    assert "研训员" in str(error.value)
    group["workshop_type"] = "inter_school"  # xh_lead is a 带头人 of the programme
    load_demo_groups(write(tmp_path, data), today=TODAY)
    with bureau_scope(Bureau.objects.get(code="xuhui")):
        assert Team.objects.get(name="测试工作坊").lead.username == "xh_lead"
