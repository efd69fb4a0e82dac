"""Every seed as its bureau wrote it, proven on the pages: each test loads the demo as ``make demo``
does (bureaus, programme seeds, enrolments and evidence, groups) and walks a year of one
teacher's progress page (``/progress/``, signed in as that teacher, on a fixed day) against the
seed's words, with the rule id in the test name. The reviewer's checks on the demo data are here
too, each on the page the reviewer opens.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO, StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import TeacherProfile, User
from bureaus.models import Bureau, School
from bureaus.tenancy import all_bureaus, bureau_scope
from cohorts.models import Enrolment, Evidence
from demo.workshops import load_demo_groups
from programmes.models import EvidenceKind, Programme
from workshops.models import ActivityRecord, Membership, Team

pytestmark = pytest.mark.django_db

# The demo's groups are loaded as of this day (after the XH cycle, inside PT's and SJ's).
GROUPS_AS_OF = dt.date(2026, 11, 22)

XH, HA, XC, SJ, PT = (
    "xh-backbone-2023",
    "ha-1115-2022",
    "xc-cadre-base-2017",
    "sj-class-teacher-2024",
    "pt-class-teacher-2024",
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    """The demo stores its PDFs: keep them out of the shared test media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def demo(db) -> None:
    for command in ("load_demo", "load_programmes", "load_demo_cohorts"):
        call_command(command, stdout=StringIO())
    load_demo_groups(today=GROUPS_AS_OF)


@pytest.fixture
def today(monkeypatch):
    """Fix the day the pages see as today (``timezone.localdate()`` with no argument)."""
    real = timezone.localdate

    def fix(day: dt.date) -> dt.date:
        def localdate(value=None, timezone=None):
            return day if value is None else real(value, timezone)

        monkeypatch.setattr("django.utils.timezone.localdate", localdate)
        return day

    return fix


# --- Reading the pages ---------------------------------------------------------------------------


def user(username: str) -> User:
    with all_bureaus():
        return User.objects.get(username=username)


def client_of(username: str) -> Client:
    client = Client()
    client.force_login(user(username))
    return client


def get(username: str, url: str) -> str:
    response = client_of(username).get(url)
    assert response.status_code == 200, (username, url, response.status_code)
    return response.content.decode()


def text_of(page: str) -> str:
    """What a reader sees: the page's text without tags, scripts or styles."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


@dataclass(frozen=True)
class Span:
    """One period of a requirement on the progress page: its label, state and reason."""

    label: str
    status: str
    reason: str


@dataclass(frozen=True)
class Row:
    status: str
    spans: list[Span]
    missing: str  # the text of the "what is missing" cell

    def period(self, label: str) -> Span:
        [span] = [s for s in self.spans if s.label == label]
        return span

    @property
    def labels(self) -> list[str]:
        return [s.label for s in self.spans]


SPAN = re.compile(r'<span class="state state-(\w+)" title="([^"]*)">([^<]*?) <small>')


def progress_rows(page: str, programme_name: str) -> dict[str, Row]:
    """The requirement rows of one programme's card on ``/progress/``, by requirement code."""
    start = page.index(f"<h2>{html.escape(programme_name)} · ")
    card = page[start : page.index("</section>", start)]
    rows = {}
    for chunk in card.split("<tr><td><strong>")[1:]:
        code = html.unescape(chunk[: chunk.index("</strong>")])
        first, status_cell, missing = chunk.split("</td>", 3)[:3]
        [status] = re.findall(r'class="state state-(\w+)"', status_cell)
        spans = [
            Span(html.unescape(label.strip()), state, html.unescape(reason))
            for state, reason, label in SPAN.findall(first)
        ]
        rows[code] = Row(status, spans, text_of(missing))
    return rows


def programme(bureau: str, code: str) -> tuple[Bureau, Programme]:
    found = Bureau.objects.get(code=bureau)
    with bureau_scope(found):
        return found, Programme.objects.get(code=code)


def my_rows(username: str, bureau: str, code: str) -> dict[str, Row]:
    _bureau, prog = programme(bureau, code)
    return progress_rows(get(username, "/progress/"), prog.name)


def add_evidence(bureau, teacher, kind: str, day: dt.date, *, level=1, hours=None, mentees=()):
    with bureau_scope(bureau):
        evidence = Evidence.objects.create(
            bureau=bureau,
            teacher=teacher,
            kind=EvidenceKind.objects.get(code=kind),
            title=f"{kind} {day}",
            level=level,
            date=day,
            hours=hours,
            state="verified",
        )
        evidence.mentees.set(mentees)
    return evidence


def year_window(year: int) -> tuple[dt.date, dt.date]:
    """The school year ``year`` (学年): 1 September to 31 August."""
    return dt.date(year, 9, 1), dt.date(year + 1, 8, 31)


# --- XH: XH-T2 and XH-T3 over the 2024 school year ----------------------------------------------


def test_XH_T2_XH_T3_a_leaders_2024_school_year_on_their_progress_page(demo, today):
    """A 学科带头人 (the demo's xh_t03, who leads no group) owes, in the 2024 school year, ≥1
    public lesson or academic exchange at school level or above (XH-T2) and a team or ≥2
    mentored teachers (XH-T3). Walked on their page on 15 September 2025, the year just over."""
    today(dt.date(2025, 9, 15))
    bureau, xh = programme("xuhui", XH)
    with bureau_scope(bureau):
        teacher = TeacherProfile.objects.get(user__username="xh_t03")
        assert not Team.objects.filter(lead=teacher.user).exists()
        start, end = year_window(2024)
        Evidence.objects.filter(
            teacher=teacher,
            date__range=(start, end),
            kind__code__in=[
                "public_lesson",
                "academic_exchange",
                "mentoring_teacher",
                "mentoring_team",
            ],
        ).delete()
        mentees = list(TeacherProfile.objects.exclude(pk=teacher.pk).order_by("pk")[:2])

    rows = my_rows("xh_t03", "xuhui", XH)
    assert rows["任务二"].labels[:3] == ["2023学年", "2024学年", "2025学年"]
    assert rows["任务二"].period("2024学年").status == "missed"
    assert rows["任务三"].period("2024学年").status == "missed"
    assert "2024学年未达成" in rows["任务二"].missing

    # XH-T2: one school-level public lesson in the year meets it.
    add_evidence(bureau, teacher, "public_lesson", dt.date(2024, 11, 12), level=1)
    rows = my_rows("xh_t03", "xuhui", XH)
    assert rows["任务二"].period("2024学年").status == "met"
    assert "2024学年" not in rows["任务二"].missing

    # XH-T3: two items about one mentee are one teacher mentored: not met, one short.
    add_evidence(bureau, teacher, "mentoring_teacher", dt.date(2024, 10, 8), mentees=mentees[:1])
    add_evidence(bureau, teacher, "mentoring_teacher", dt.date(2025, 3, 8), mentees=mentees[:1])
    rows = my_rows("xh_t03", "xuhui", XH)
    period = rows["任务三"].period("2024学年")
    assert period.status == "missed"
    assert "还差 1 名" in period.reason
    # A second mentee that year meets it.
    add_evidence(bureau, teacher, "mentoring_teacher", dt.date(2025, 4, 8), mentees=mentees[1:])
    assert my_rows("xh_t03", "xuhui", XH)["任务三"].period("2024学年").status == "met"


def test_XH_T3_a_leader_leading_a_workshop_that_year_meets_it_on_the_page(demo, today):
    """The reviewer's check: a 带头人 with two items about one mentee has XH-T3 not met; leading
    a workshop active that school year meets it."""
    today(dt.date(2025, 9, 15))
    bureau, xh = programme("xuhui", XH)
    with bureau_scope(bureau):
        teacher = TeacherProfile.objects.get(user__username="xh_t03")
        Evidence.objects.filter(
            teacher=teacher, kind__code__in=["mentoring_teacher", "mentoring_team"]
        ).delete()
        mentee = TeacherProfile.objects.exclude(pk=teacher.pk).order_by("pk").first()
    for day in (dt.date(2024, 10, 8), dt.date(2025, 3, 8)):
        add_evidence(bureau, teacher, "mentoring_teacher", day, mentees=[mentee])
    assert my_rows("xh_t03", "xuhui", XH)["任务三"].period("2024学年").status == "missed"
    with bureau_scope(bureau):
        team = Team.objects.create(
            bureau=bureau,
            programme=xh,
            kind="workshop",
            workshop_type="inter_school",
            name="初中语文单元作业设计工作坊",
            lead=teacher.user,
        )
        ActivityRecord.objects.create(
            bureau=bureau,
            team=team,
            date=dt.date(2024, 12, 5),
            kind="集体备课",
            topic="单元作业设计",
            hours=Decimal(2),
        )
    rows = my_rows("xh_t03", "xuhui", XH)
    assert rows["任务三"].period("2024学年").status == "met"
    assert rows["任务三"].period("2023学年").status == "missed"  # no workshop that year


# --- HA: HA-ACT on the calendar year 2022 --------------------------------------------------------


def test_HA_ACT_spring_met_autumn_missed_and_no_2021_on_any_page_or_export(demo, today):
    """The reviewer's check on Haian 2022: ha_t01 has two activities in spring 2022 and none in
    autumn; the spring semester is met, the autumn one missed, the year (4 needed) missed. No
    period of 2021 (or of a school year) on the progress page, the programme page, the matrix or
    its export."""
    today(dt.date(2023, 1, 10))
    bureau, ha = programme("haian", HA)
    activity_kinds = [
        "subject_training",
        "lesson_observation",
        "teaching_contest",
        "teaching_showcase",
        "problem_study",
        "collective_preparation",
        "resource_development",
        "dialogue_exchange",
    ]
    with bureau_scope(bureau):
        counted = Evidence.objects.filter(
            teacher__user__username="ha_t01", kind__code__in=activity_kinds, state="verified"
        )
        assert sorted(e.date.month for e in counted) == [3, 4]  # both in spring 2022

    page = get("ha_t01", "/progress/")
    rows = progress_rows(page, ha.name)
    activities = rows["研训活动"]
    assert activities.labels == ["2022年春季学期", "2022年秋季学期", "2022年度"]
    assert activities.period("2022年春季学期").status == "met"
    assert activities.period("2022年秋季学期").status == "missed"
    assert activities.period("2022年度").status == "missed"
    assert "还差 2 项（已有 2 项，需 4 项）" in activities.period("2022年度").reason
    assert rows["读书交流"].labels == ["2022年春季学期", "2022年秋季学期"]

    pages = {
        "progress": page,
        "programme (teacher)": get("ha_t01", f"/programmes/{ha.pk}/"),
        "programme (staff)": get("ha_staff", f"/programmes/{ha.pk}/"),
        "matrix": get("ha_staff", f"/programmes/{ha.pk}/progress/"),
    }
    for name, content in pages.items():
        # The only 2021 a reader meets is the number of the 2021 document the seed cites.
        words = text_of(content).replace("海教中心〔2021〕1号", "")
        assert "2021" not in words, name
        assert "学年" not in words, name  # a calendar year, never a school year
    assert "2022年秋季学期" in text_of(pages["matrix"])
    export = client_of("ha_staff").get(f"/programmes/{ha.pk}/progress/?format=xlsx")
    assert export.status_code == 200
    cells = [
        str(value)
        for row in load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    assert any("2022年秋季学期" in c for c in cells)
    assert not any("2021" in c or "学年" in c for c in cells)


def test_HA_TIERS_haian_pages_and_export_name_haians_levels_and_xuhuis_name_xuhuis(demo, today):
    """The reviewer's check: a Haian page and export show the bureau's level names (海安市级,
    区镇（局直）级), a Xuhui page shows Xuhui's (区级)."""
    today(dt.date(2023, 1, 10))
    _bureau, ha = programme("haian", HA)
    _bureau, xh = programme("xuhui", XH)
    haian_page = text_of(get("ha_t01", f"/programmes/{ha.pk}/"))
    assert "海安市级及以上" in haian_page  # 领雁示范: at the county-level city's level
    assert "区级" not in haian_page
    export = client_of("ha_staff").get("/evidence/review/?state=verified&format=xlsx")
    assert export.status_code == 200
    header, *rows = load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True)
    levels = {row[header.index("级别")] for row in rows}
    assert levels and levels <= {"校级", "区镇（局直）级", "海安市级", "南通市级", "江苏省级"}
    assert "区级" not in levels
    xuhui_page = text_of(get("xh_t03", f"/programmes/{xh.pk}/"))
    assert "区级及以上" in xuhui_page and "海安市级" not in xuhui_page


def test_HA_TIERS_each_tier_sees_what_the_seed_asks_of_it_on_its_page(demo, today):
    """HA-TIERS: 教育家型教师 spread their teaching proposition (教学主张), 卓越教师 show at county
    level (领雁示范), both levels of 教学骨干 lead a team (团队带动); every tier writes the plan,
    joins the activities and reading exchanges and hands in a research output."""
    today(dt.date(2023, 1, 10))
    bureau, ha = programme("haian", HA)
    with bureau_scope(bureau):
        by_tier = {}
        for enrolment in Enrolment.objects.filter(programme=ha).select_related("teacher__user"):
            by_tier.setdefault(enrolment.tier.code, enrolment.teacher.user.username)
    own = {
        "educator": {"教学主张"},
        "excellent": {"领雁示范"},
        "backbone_city": {"团队带动"},
        "backbone_town": {"团队带动"},
    }
    common = {"个人规划", "研训活动", "读书交流", "研究成果"}
    assert set(by_tier) == set(own)
    for tier, username in by_tier.items():
        assert set(my_rows(username, "haian", HA)) == common | own[tier], tier


# --- XC: XC-PHASES --------------------------------------------------------------------------------


def test_XC_PHASES_per_semester_items_only_in_the_implementation_and_no_summer_month(demo, today):
    """XC runs 2017-04 → 2018-06: plans in April–May 2017, implementation June 2017 – May 2018,
    summary in June 2018. The mentor's (xh_t19) and a mentee's (xh_t22) per-semester items are
    owed only in the implementation; the monthly reading recommendation is not owed in a month of
    the summer holiday, nor in the planning or summary months."""
    today(dt.date(2018, 7, 15))
    mentor = my_rows("xh_t19", "xuhui", XC)
    semesters = ["2017学年第一学期", "2017学年第二学期"]
    for code in ("导师要求⑤", "导师要求⑦", "导师要求⑧"):
        assert mentor[code].labels == semesters, code
    months = mentor["导师要求④"].labels
    assert months[0] == "2017年6月" and months[-1] == "2018年5月"
    for month in ("2017年4月", "2017年5月", "2017年7月", "2017年8月", "2018年6月"):
        assert month not in months
    # Fortnightly seminars run in the implementation and skip the summer holiday.
    fortnights = mentor["导师要求③"].spans
    assert fortnights and not any(s.label[:2] in {"07", "08"} for s in fortnights)
    # The mentee's forum report: once a semester of the implementation.
    mentee = my_rows("xh_t22", "xuhui", XC)
    assert mentee["学员要求⑤"].labels == semesters
    assert all(s.status == "met" for s in mentee["学员要求⑤"].spans)
    assert "2016学年" not in text_of(get("xh_t22", "/progress/"))


# --- SJ: SJ-TIERS and SJ-INIT ---------------------------------------------------------------------


def test_SJ_INIT_a_qualified_stage_class_teacher_owes_no_pre_service_items_a_first_time_one_does(
    demo, today
):
    """The reviewer's check: in the matrix staff read, a 合格期 地平线 class teacher (sj_t11) has
    no 上岗培训 cell, a first-time one (sj_teacher) has all three; the teachers' own pages say
    the same."""
    today(dt.date(2025, 9, 15))
    bureau, sj = programme("songjiang", SJ)
    with bureau_scope(bureau):
        stages = {
            p.user.username: p.class_teacher_stage
            for p in TeacherProfile.objects.filter(user__username__in=["sj_t11", "sj_teacher"])
        }
        assert stages == {"sj_t11": "qualified", "sj_teacher": "first_time"}
        names = {u: user(u).full_name for u in stages}
    page = get("sj_staff", f"/programmes/{sj.pk}/progress/")
    head = page[page.index("<thead>") : page.index("</thead>")]
    codes = [
        html.unescape(c) for c in re.findall(r'<th class="cell" title="[^"]*">([^<]+)<br>', head)
    ]
    init = [i for i, c in enumerate(codes) if c == "上岗培训"]
    assert len(init) == 3  # 32 hours of training, the trainee year, the assessment
    body = page[page.index("<tbody>") :]
    for username, owes in (("sj_t11", False), ("sj_teacher", True)):
        row = next(r for r in body.split("<tr>") if names[username] in r)
        cells = re.findall(r'<td class="cell[^"]*"[^>]*>(.*?)</td>', row, flags=re.S)
        assert len(cells) == len(codes)
        shown = [cells[i] != "—" for i in init]
        assert shown == [owes] * 3, username

    qualified = my_rows("sj_t11", "songjiang", SJ)
    first_time = my_rows("sj_teacher", "songjiang", SJ)
    assert "上岗培训" not in qualified and "上岗培训" in first_time
    assert len(first_time["上岗培训"].spans) == 3
    # Both owe the tier's shadow guidance, each school year.
    for rows in (qualified, first_time):
        assert rows["地平线项目"].labels == ["2024学年", "2025学年", "2026学年"]


def test_SJ_TIERS_each_tier_sees_its_own_project_on_its_page(demo, today):
    """SJ-TIERS: four tiers, each with its own project: 地平线, 指南针, 攀登者, 满天星."""
    today(dt.date(2025, 9, 15))
    bureau, sj = programme("songjiang", SJ)
    with bureau_scope(bureau):
        by_tier = {}
        for enrolment in Enrolment.objects.filter(programme=sj).select_related("teacher__user"):
            by_tier.setdefault(enrolment.tier.code, enrolment.teacher.user.username)
    projects = {
        "horizon": "地平线项目",
        "compass": "指南针项目",
        "climber": "攀登者项目",
        "starry_sky": "满天星项目",
    }
    assert set(by_tier) == set(projects)
    for tier, username in by_tier.items():
        rows = my_rows(username, "songjiang", SJ)
        assert {code for code in rows if code.endswith("项目")} == {projects[tier]}, tier


def test_SJ_SCHOOL_songjiangs_organisation_page_lists_every_large_school_without_a_studio(
    demo, today
):
    """The reviewer's check: Songjiang's organisation page lists every school with ≥15 classes
    and no studio of ≥8 members, whether or not any of its teachers is enrolled."""
    today(dt.date(2025, 9, 15))
    bureau, sj = programme("songjiang", SJ)
    with bureau_scope(bureau):
        # A large school where nobody teaches yet, let alone anybody enrolled.
        School.objects.create(
            bureau=bureau, name="松江区新建实验小学", stage="primary", number_of_classes=18
        )
        cleared = set()
        for studio in Team.objects.filter(programme=sj, kind="school_studio"):
            if Membership.objects.filter(team=studio).count() >= 8:
                cleared.add(studio.school_id)
        large = School.objects.filter(number_of_classes__gte=15).exclude(pk__in=cleared)
        expected = set(large.values_list("name", flat=True))
        small = set(School.objects.filter(number_of_classes__lt=15).values_list("name", flat=True))
        enrolled_schools = set(
            Enrolment.objects.filter(programme=sj).values_list("school", flat=True)
        )
        unenrolled = {s.name for s in large if s.pk not in enrolled_schools}
    assert expected and small
    page = get("sj_staff", f"/programmes/{sj.pk}/groups/")
    section = page[page.index('data-testid="studio-shortfalls"') :].split("</section>")[0]
    listed = {
        html.unescape(n)
        for n in re.findall(r"<tr class=\"board-row-missing\"><td>([^<]+)</td>", section)
    }
    assert listed == expected
    assert not listed & small
    assert "松江区新建实验小学" in unenrolled and unenrolled <= listed


# --- PT: PT-HOURS --------------------------------------------------------------------------------


def test_PT_HOURS_forty_class_hours_in_the_2024_school_year_on_the_teachers_page(demo, today):
    """PT-HOURS: every class teacher does ≥40 class hours of school-based training each school
    year, a total over the year's lectures and practice. pt_teacher's 2024 school year, walked on
    15 September 2025."""
    today(dt.date(2025, 9, 15))
    bureau, pt = programme("putuo", PT)
    kinds = ["school_training_lecture", "school_training_practice"]
    with bureau_scope(bureau):
        teacher = TeacherProfile.objects.get(user__username="pt_teacher")
        Evidence.objects.filter(
            teacher=teacher, kind__code__in=kinds, date__range=year_window(2024)
        ).delete()
    rows = my_rows("pt_teacher", "putuo", PT)
    assert rows["校本研修课时"].labels == ["2024学年", "2025学年", "2026学年"]
    assert rows["校本研修课时"].period("2024学年").status == "missed"
    for n, day in enumerate((dt.date(2024, 10, 9), dt.date(2024, 12, 4), dt.date(2025, 3, 5))):
        add_evidence(bureau, teacher, kinds[n % 2], day, hours=Decimal(12))
    period = my_rows("pt_teacher", "putuo", PT)["校本研修课时"].period("2024学年")
    assert period.status == "missed"
    assert "还差 4 课时（已有 36 课时，需 40 课时）" in period.reason
    # Hours of another school year do not count towards this one.
    add_evidence(bureau, teacher, kinds[1], dt.date(2025, 9, 5), hours=Decimal(4))
    assert my_rows("pt_teacher", "putuo", PT)["校本研修课时"].period("2024学年").status == "missed"
    add_evidence(bureau, teacher, kinds[1], dt.date(2025, 6, 18), hours=Decimal(4))
    assert my_rows("pt_teacher", "putuo", PT)["校本研修课时"].period("2024学年").status == "met"


# --- The calendars as the seeds write them --------------------------------------------------------


def test_XH_CYCLE_XC_PHASES_the_programme_pages_show_the_seeds_months_not_invented_days(demo):
    """XH's table gives months (启动大会 2023年10月, 个人规划 2023年10月—11月) and XC's its phases'
    months: the programme pages show those months, never a day the seed does not give."""
    _bureau, xh = programme("xuhui", XH)
    page = text_of(get("xh_t03", f"/programmes/{xh.pk}/"))
    assert "2023年10月 召开启动大会" in page
    assert "2023年11月 完善个人三年发展规划" in page
    for invented in ("2023-10-31", "2023-11-30", "2024-06-30", "2025-06-30"):
        assert invented not in page
    assert "2024-03-28 季度简报" in page  # XH-BRIEF: the seed's 28th of the quarter's last month
    _bureau, xc = programme("xuhui", XC)
    page = text_of(get("xh_t22", f"/programmes/{xc.pk}/"))
    assert "2017年5月 完成计划制定" in page and "2017年4月—5月" in page
    for invented in ("2017-04-30", "2017-05-31", "2018-06-30 总结"):
        assert invented not in page
