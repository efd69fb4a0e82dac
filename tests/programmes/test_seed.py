"""The programme seeds (fixtures/programmes/): each bureau's programme as data, rule by rule.

The demo bureaus are loaded first (``load_demo``), then the seeds (``load_programmes``); the
requirements are read back through the selector and run through the engine, as the portal does.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from accounts.models import TeacherProfile, User
from accounts.roles import Role, roles_of
from bureaus.models import AuditEntry, Bureau, School
from bureaus.tenancy import all_bureaus, bureau_scope
from demo.programmes import SEED_DIR, SeedBureauMissing, load_programme_seed, seed_files
from programmes import rules
from programmes.models import (
    Criterion,
    EvidenceKind,
    Milestone,
    Phase,
    Programme,
    Requirement,
    Tier,
)
from programmes.rules import Evidence, Level, Status, evaluate
from programmes.selectors import requirement_specs

XH, XC, HA, SJ, PT = (
    "xh-backbone-2023",
    "xc-cadre-base-2017",
    "ha-1115-2022",
    "sj-class-teacher-2024",
    "pt-class-teacher-2024",
)
LEADERS = ("subject_leader", "class_teacher_leader")
XH_YEARS = (2023, 2024, 2025)
AFTER_XH = dt.date(2026, 7, 1)


@pytest.fixture
def bureaus(db) -> dict[str, Bureau]:
    call_command("load_demo", stdout=StringIO())
    call_command("load_programmes", stdout=StringIO())
    return {bureau.code: bureau for bureau in Bureau.objects.all()}


def programme_of(bureau: Bureau, code: str) -> tuple[Programme, dict[str, rules.RequirementSpec]]:
    """The programme and its requirements as the engine sees them, by requirement code."""
    with bureau_scope(bureau):
        programme = Programme.objects.get(code=code)
        return programme, {spec.key: spec for _, spec in requirement_specs(programme)}


def phases_of(bureau: Bureau, code: str) -> list[tuple[str, dt.date, dt.date]]:
    with bureau_scope(bureau):
        return list(
            Phase.objects.filter(programme__code=code)
            .order_by("starts", "id")
            .values_list("name", "starts", "ends")
        )


def milestones_of(bureau: Bureau, code: str) -> list[dict]:
    with bureau_scope(bureau):
        return list(
            Milestone.objects.filter(programme__code=code)
            .order_by("due", "id")
            .values("repeat", "due", "month", "title", "owner", "scope", "duration", "description")
        )


def tiers_of(bureau: Bureau, code: str) -> list[tuple[str, str]]:
    with bureau_scope(bureau):
        return list(
            Tier.objects.filter(programme__code=code).order_by("order").values_list("code", "name")
        )


def run(
    programme: Programme,
    spec: rules.RequirementSpec,
    tier: str,
    evidence: list[Evidence],
    today: dt.date,
    **profile,
) -> rules.RequirementResult:
    """The engine's result for a participant of ``tier`` (with ``profile``: class_teacher_stage,
    years_class_teacher, career_stage)."""
    who = rules.Participant(tier, **profile)
    return evaluate(
        spec, tier=tier, evidence=evidence, cycle=programme.cycle, today=today, participant=who
    )


def ev(n: int, kind: str, level: Level, day: dt.date, **extra) -> Evidence:
    return Evidence(n, kind, Level(level), day, **extra)


def row_counts() -> dict[str, int]:
    with all_bureaus():
        return {
            model.__name__: model.objects.count()
            for model in (Programme, Phase, Milestone, Tier, EvidenceKind, Requirement, Criterion)
        } | {"seed audits": AuditEntry.objects.filter(action="programme.seed").count()}


# --- Loading -------------------------------------------------------------------------------------


def test_every_seed_file_loads_into_its_bureau(bureaus):
    files = seed_files()
    assert {path.name for path in files} == {"xh.json", "xc.json", "ha.json", "sj.json", "pt.json"}
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        spec = data["programme"]
        with bureau_scope(bureaus[data["bureau"]]):
            programme = Programme.objects.get(code=spec["code"])
            assert programme.name == spec["name"]
            assert programme.tiers.count() == len(spec["tiers"])
            assert programme.requirements.count() == len(spec["requirements"])
            assert programme.phases.count() == len(spec["phases"])
            assert programme.milestones.count() == len(spec["milestones"])
            criteria = sum(len(r["criteria"]) for r in spec["requirements"])
            assert Criterion.objects.filter(requirement__programme=programme).count() == criteria
            assert AuditEntry.objects.filter(action="programme.seed").exists()


def test_a_second_load_changes_nothing(bureaus):
    before = row_counts()
    out = StringIO()
    call_command("load_programmes", stdout=out)
    assert out.getvalue().count("already loaded, nothing changed") == 5
    for path in seed_files():
        assert load_programme_seed(path) is None
    assert row_counts() == before


def test_no_seed_text_that_teachers_read_carries_a_rule_id():
    """Descriptions are shown on the programme page to teachers: plain words, no rule ids."""
    import re

    rule_id = re.compile(r"\b(?:XH|XC|HA|SJ|PT)-[A-Z]")

    def texts(value):
        if isinstance(value, dict):
            # A "rule" field names the rule for staff (the admin), and "consequence_rules" the
            # rules that follow from results; neither is ever on a page.
            for key, item in value.items():
                if key not in ("rule", "consequence_rules"):
                    yield from texts(item)
        elif isinstance(value, list):
            for item in value:
                yield from texts(item)
        elif isinstance(value, str):
            yield value

    for path in seed_files():
        data = json.loads(path.read_text(encoding="utf-8"))
        found = [text[:40] for text in texts(data) if rule_id.search(text)]
        assert found == [], (path.name, found)


def test_seeds_of_one_bureau_define_their_shared_evidence_kinds_alike(bureaus):
    kinds: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for path in seed_files():
        data = json.loads(path.read_text(encoding="utf-8"))
        for kind in data["evidence_kinds"]:
            kinds[data["bureau"], kind["code"]].append(kind)
    for (bureau, code), definitions in kinds.items():
        assert all(d == definitions[0] for d in definitions), (bureau, code)
        with bureau_scope(bureaus[bureau]):
            stored = EvidenceKind.objects.get(code=code)
        assert (stored.name, stored.has_hours, stored.has_delivery_mode) == (
            definitions[0]["name"],
            definitions[0]["has_hours"],
            definitions[0]["has_delivery_mode"],
        )


def test_a_seed_for_a_bureau_that_does_not_exist_is_a_clear_error(bureaus, tmp_path):
    data = json.loads((SEED_DIR / "ha.json").read_text(encoding="utf-8"))
    data["bureau"] = "nowhere"
    path = tmp_path / "nowhere.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(SeedBureauMissing, match=r"nowhere\.json.*'nowhere'"):
        load_programme_seed(path)
    out = StringIO()
    call_command("load_programmes", str(path), stdout=out)
    assert "Skipped" in out.getvalue() and "nowhere" in out.getvalue()


# In xh.json, requirements[1] is 任务二 and requirements[2] is 任务三, whose leader clause has two
# alternatives (criteria 0 and 1).
SPOILS = {
    "unknown kind": ("任务二", 0, "kinds", ["no_such_kind"], "unknown evidence kind codes"),
    "unknown tier": ("任务二", 0, "tiers", ["no_such_tier"], "not tiers of the requirement"),
    "bad level": ("任务二", 0, "min_level", 7, "min_level 7"),
    "clause periods disagree": ("任务三", 1, "period", "semester", "disagree on the period"),
    "clause tiers disagree": ("任务三", 1, "tiers", ["subject_leader"], "disagree on the tiers"),
}


@pytest.mark.parametrize("spoil", SPOILS)
def test_a_malformed_seed_raises_naming_the_file_and_requirement(bureaus, tmp_path, spoil):
    code, index, field, value, problem = SPOILS[spoil]
    data = json.loads((SEED_DIR / "xh.json").read_text(encoding="utf-8"))
    data["programme"]["code"] = "xh-malformed"
    [requirement] = [r for r in data["programme"]["requirements"] if r["code"] == code]
    requirement["criteria"][index][field] = value
    path = tmp_path / "malformed.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    before = row_counts()
    with pytest.raises(ValueError) as caught:
        load_programme_seed(path)
    message = str(caught.value)
    assert "malformed.json" in message and f"requirement {code!r}" in message
    assert problem in message
    assert row_counts() == before
    with pytest.raises(CommandError, match="malformed.json"):
        call_command("load_programmes", str(path), stdout=StringIO())
    with pytest.raises(CommandError, match="malformed.json"):
        call_command("load_programmes", str(path), stdout=StringIO())


# --- The demo bureaus -------------------------------------------------------------------------


def test_demo_has_four_bureaus_with_a_person_per_role_and_thirty_teachers(bureaus):
    for code, prefix in (("xuhui", "xh"), ("putuo", "pt"), ("haian", "ha"), ("songjiang", "sj")):
        with bureau_scope(bureaus[code]):
            profiles = list(TeacherProfile.objects.all())
            assert len(profiles) >= 30
            assert len({p.staff_number for p in profiles}) == len(profiles)
            assert all(p.years_class_teacher <= p.years_teaching for p in profiles)
            held = set()
            for user in User.objects.all():
                assert user.username.startswith(f"{prefix}_")
                held |= roles_of(user)
            assert held == {role.value for role in Role}
            classes = list(School.objects.values_list("number_of_classes", flat=True))
            assert any(n >= 15 for n in classes) and any(n < 15 for n in classes)
    with bureau_scope(bureaus["songjiang"]):
        # SJ-HONOUR and SJ-TITLE have people to apply to.
        assert TeacherProfile.objects.filter(years_class_teacher__gte=20).count() >= 3
        assert TeacherProfile.objects.filter(
            years_teaching__gte=30, years_class_teacher__gte=20
        ).exists()


# --- XH -------------------------------------------------------------------------------------------


def test_XH_TIERS_three_tiers(bureaus):
    assert tiers_of(bureaus["xuhui"], XH) == [
        ("subject_leader", "学科带头人"),
        ("class_teacher_leader", "班主任带头人"),
        ("backbone", "中青年骨干"),
    ]
    _, specs = programme_of(bureaus["xuhui"], XH)
    assert list(specs) == ["任务一", "任务二", "任务三", "任务四", "任务五"]
    programme, _ = programme_of(bureaus["xuhui"], XH)
    # The two 带头人 tiers have the same tasks: the engine gives them the same result for the
    # same evidence, and the backbone tier a different one where its tasks differ.
    evidence = [
        *lessons(Level.SCHOOL),
        ev(20, "mentoring_teacher", Level.SCHOOL, dt.date(2024, 10, 1)),
        ev(21, "award", Level.DISTRICT, dt.date(2024, 5, 1)),
        ev(22, "training", Level.DISTRICT, dt.date(2024, 3, 1)),
    ]
    differs = []
    for key, spec in specs.items():
        assert spec.applies_to("backbone")
        subject = run(programme, spec, "subject_leader", evidence, AFTER_XH)
        class_teacher = run(programme, spec, "class_teacher_leader", evidence, AFTER_XH)
        backbone = run(programme, spec, "backbone", evidence, AFTER_XH)
        assert (subject.status, subject.reasons) == (class_teacher.status, class_teacher.reasons)
        if backbone.status != subject.status:
            differs.append(key)
    assert differs == ["任务二", "任务四"]  # school-level lessons and a district award


def test_XH_CYCLE_school_years_and_phases(bureaus):
    programme, _ = programme_of(bureaus["xuhui"], XH)
    assert (programme.start_month, programme.end_month) == (
        dt.date(2023, 9, 1),
        dt.date(2026, 6, 30),
    )
    school_years = rules.windows(rules.Period.YEAR, programme.cycle)
    assert [w.key for w in school_years] == ["2023", "2024", "2025"]
    assert (school_years[0].start, school_years[-1].end) == (
        dt.date(2023, 9, 1),
        dt.date(2026, 6, 30),
    )
    assert programme.document_number == "徐教发〔2023〕29号"
    assert programme.document_date == dt.date(2023, 10, 16)
    phases = phases_of(bureaus["xuhui"], XH)
    assert {name for name, _, _ in phases} == {"启动", "实施", "考核", "总结"}
    assert phases[0] == ("启动", dt.date(2023, 9, 1), dt.date(2023, 11, 30))
    assert ("实施", dt.date(2023, 11, 1), dt.date(2026, 1, 31)) in phases
    # An assessment and a summary at the end of each school year.
    for name in ("考核", "总结"):
        assert [rules.school_year_of(s) for n, s, _ in phases if n == name] == list(XH_YEARS)


def test_XH_CYCLE_milestones_kick_off_plan_and_annual_assessments(bureaus):
    milestones = milestones_of(bureaus["xuhui"], XH)
    # The seed's table gives months ("2023年10月", "2023年10月—11月"), never a day: each is
    # once in its month; only the quarterly briefings have a day (the 28th, XH-BRIEF).
    kick_off = next(m for m in milestones if "启动大会" in m["title"])
    assert (kick_off["repeat"], kick_off["due"]) == ("month", dt.date(2023, 10, 1))
    plan = next(m for m in milestones if m["title"] == "完善个人三年发展规划")
    assert (plan["repeat"], plan["due"], plan["owner"]) == (
        "month",
        dt.date(2023, 11, 1),
        "骨干个人",
    )
    assert plan["duration"] == "2023年10月—11月"
    assessments = [m for m in milestones if m["title"].endswith(("学年考核", "届满考核"))]
    assert [(m["title"], m["repeat"], m["due"]) for m in assessments] == [
        ("2023学年考核", "month", dt.date(2024, 6, 1)),
        ("2024学年考核", "month", dt.date(2025, 6, 1)),
        ("2025学年考核及届满考核", "month", dt.date(2026, 6, 1)),
    ]
    dated = [m for m in milestones if m["repeat"] == "once"]
    assert dated and all(m["title"].startswith("季度简报") for m in dated)
    assert all(m["due"].day == 28 for m in dated)
    assert all(m["due"].day == 1 for m in milestones if m["repeat"] == "month")
    assert all(m["month"] is None for m in milestones)
    assert all(m["due"] <= dt.date(2026, 6, 30) for m in milestones)


def test_XH_BRIEF_a_briefing_before_the_28th_of_each_quarters_last_month(bureaus):
    from workshops.rules import XH_BRIEF, deadlines

    programme, _ = programme_of(bureaus["xuhui"], XH)
    briefs = [m for m in milestones_of(bureaus["xuhui"], XH) if m["title"].startswith("季度简报")]
    # The rule's quarterly deadlines over the cycle, from the first full quarter of work.
    due = deadlines(XH_BRIEF, programme.cycle.start, programme.cycle.end)
    assert [m["due"] for m in briefs] == [d for d in due if d >= briefs[0]["due"]]
    assert len(briefs) == 11 and due[-1] == dt.date(2026, 6, 28)
    assert {m["owner"] for m in briefs} == {"坊主"}


def test_XH_T1_district_training_during_the_cycle(bureaus):
    programme, specs = programme_of(bureaus["xuhui"], XH)
    trainings = [ev(i, "training", Level.DISTRICT, dt.date(2024, 3, i)) for i in range(1, 5)]
    for tier in (*LEADERS, "backbone"):
        assert run(programme, specs["任务一"], tier, trainings, AFTER_XH).status == Status.MET
        assert run(programme, specs["任务一"], tier, trainings[:3], AFTER_XH).status == (
            Status.MISSED
        )


def lessons(level: Level) -> list[Evidence]:
    return [ev(i, "public_lesson", level, dt.date(y, 11, 5)) for i, y in enumerate(XH_YEARS, 1)]


@pytest.mark.parametrize("tier", LEADERS)
def test_XH_T2_leader_with_a_district_lesson_each_year_meets_it(bureaus, tier):
    programme, specs = programme_of(bureaus["xuhui"], XH)
    spec = specs["任务二"]
    assert run(programme, spec, tier, lessons(Level.DISTRICT), AFTER_XH).status == Status.MET
    # School level every year is not enough for a 带头人: once at district level (学区 counts).
    school_only = lessons(Level.SCHOOL)
    assert run(programme, spec, tier, school_only, AFTER_XH).status == Status.MISSED
    with_district = school_only + [
        ev(9, "academic_exchange", Level.LEARNING_DISTRICT, dt.date(2025, 4, 1))
    ]
    assert run(programme, spec, tier, with_district, AFTER_XH).status == Status.MET


def test_XH_T2_backbone_with_school_level_lessons_each_year_meets_it(bureaus):
    programme, specs = programme_of(bureaus["xuhui"], XH)
    spec = specs["任务二"]
    assert run(programme, spec, "backbone", lessons(Level.SCHOOL), AFTER_XH).status == Status.MET
    result = run(programme, spec, "backbone", lessons(Level.SCHOOL)[:2], AFTER_XH)
    assert result.status == Status.MISSED
    assert result.period("2025")[0].status == Status.MISSED


def test_XH_T3_mentoring_each_school_year(bureaus):
    programme, specs = programme_of(bureaus["xuhui"], XH)
    spec = specs["任务三"]
    one_a_year = [
        ev(i, "mentoring_teacher", Level.SCHOOL, dt.date(y, 10, 1))
        for i, y in enumerate(XH_YEARS, 1)
    ]
    assert run(programme, spec, "backbone", one_a_year, AFTER_XH).status == Status.MET
    assert run(programme, spec, "subject_leader", one_a_year, AFTER_XH).status == Status.MISSED
    teams = [
        ev(i, "mentoring_team", Level.SCHOOL, dt.date(y, 10, 1)) for i, y in enumerate(XH_YEARS, 1)
    ]
    assert run(programme, spec, "subject_leader", teams, AFTER_XH).status == Status.MET
    two_a_year = one_a_year + [
        ev(10 + i, "mentoring_teacher", Level.SCHOOL, dt.date(y, 12, 1))
        for i, y in enumerate(XH_YEARS, 1)
    ]
    assert run(programme, spec, "class_teacher_leader", two_a_year, AFTER_XH).status == Status.MET


def test_XH_T4_paper_or_award_municipal_for_leaders_district_for_backbone(bureaus):
    programme, specs = programme_of(bureaus["xuhui"], XH)
    spec = specs["任务四"]
    district_award = [ev(1, "award", Level.DISTRICT, dt.date(2024, 5, 1))]
    assert run(programme, spec, "backbone", district_award, AFTER_XH).status == Status.MET
    assert run(programme, spec, "subject_leader", district_award, AFTER_XH).status == (
        Status.MISSED
    )
    municipal_paper = [ev(1, "paper", Level.MUNICIPAL, dt.date(2024, 5, 1))]
    assert run(programme, spec, "subject_leader", municipal_paper, AFTER_XH).status == Status.MET


def test_XH_T5_online_district_course_or_school_face_to_face_for_backbone(bureaus):
    programme, specs = programme_of(bureaus["xuhui"], XH)
    spec = specs["任务五"]

    def course(level: Level, delivery: str) -> list[Evidence]:
        return [ev(1, "course", level, dt.date(2025, 5, 1), hours=Decimal(20), delivery=delivery)]

    face = course(Level.SCHOOL, "face_to_face")
    assert run(programme, spec, "backbone", face, AFTER_XH).status == Status.MET
    assert run(programme, spec, "subject_leader", face, AFTER_XH).status == Status.MISSED
    online = course(Level.DISTRICT, "online")
    assert run(programme, spec, "class_teacher_leader", online, AFTER_XH).status == Status.MET


# --- XC -------------------------------------------------------------------------------------------


def test_XC_PHASES_plans_implementation_and_summary(bureaus):
    programme, _ = programme_of(bureaus["xuhui"], XC)
    assert programme.cycle_label == "2017.04 – 2018.06"
    phases = phases_of(bureaus["xuhui"], XC)
    # Plans, implementation and summary follow each other over the whole cycle, month by month.
    assert phases[0][1] == programme.cycle.start and phases[-1][2] == programme.cycle.end
    for (_, _, ends), (_, starts, _) in zip(phases, phases[1:], strict=False):
        assert starts == ends + dt.timedelta(days=1)
        assert (rules.month_start(starts), rules.month_end(ends)) == (starts, ends)
    assert phases == [
        ("第一阶段", dt.date(2017, 4, 1), dt.date(2017, 5, 31)),
        ("第二阶段", dt.date(2017, 6, 1), dt.date(2018, 5, 31)),
        ("第三阶段", dt.date(2018, 6, 1), dt.date(2018, 6, 30)),
    ]


def test_XC_PHASES_the_calendar_is_the_seeds_months_without_invented_days(bureaus):
    """The seed's 时间安排: 第一阶段 2017年4月—5月 (a meeting, the plans, the kick-offs),
    第三阶段 2018年6月 (the summary and the portfolios); no day is given."""
    milestones = milestones_of(bureaus["xuhui"], XC)
    assert [(m["repeat"], m["due"], m["duration"]) for m in milestones] == [
        ("month", dt.date(2017, 5, 1), "2017年4月—5月"),
        ("month", dt.date(2017, 5, 1), "2017年4月—5月"),
        ("month", dt.date(2017, 5, 1), "2017年4月—5月"),
        ("month", dt.date(2018, 6, 1), "2018年6月"),
    ]
    assert "完成计划制定" in [m["title"] for m in milestones]


def test_XC_MENTEE_obligations_of_both_newly_promoted_tiers(bureaus):
    assert tiers_of(bureaus["xuhui"], XC) == [
        ("new_vice_principal", "新提任的副职校园长"),
        ("new_principal", "新提任的正职校园长"),
        ("mentor", "带教导师"),
    ]
    programme, specs = programme_of(bureaus["xuhui"], XC)
    mentee = {key: spec for key, spec in specs.items() if key.startswith("学员")}
    assert {key: spec.clauses[0].period for key, spec in mentee.items()} == {
        "学员要求①": "cycle",
        "学员要求③": "cycle",
        "学员要求④": "cycle",
        "学员要求⑤": "semester",
        "学员要求⑥": "cycle",
        "学员要求⑦": "cycle",
    }
    assert all(not spec.applies_to("mentor") for spec in mentee.values())
    # A forum report in each semester of the implementation phase (XC-PHASES): June 2017 is the
    # tail of a semester the phase barely touches, so the two owed are autumn 2017 and spring
    # 2018, each by its dated semester.
    spec = specs["学员要求⑤"]
    owed = spec.clauses[0].periods(programme.cycle)
    assert [(w.label, w.start, w.end) for w in owed] == [
        ("2017学年第一学期", dt.date(2017, 9, 1), dt.date(2018, 1, 19)),
        ("2017学年第二学期", dt.date(2018, 2, 26), dt.date(2018, 5, 31)),
    ]
    reports = [
        ev(i, "forum_report", Level.SCHOOL, day)
        for i, day in enumerate([dt.date(2017, 12, 1), dt.date(2018, 4, 1)])
    ]
    after = dt.date(2018, 7, 1)
    assert run(programme, spec, "new_principal", reports, after).status == Status.MET
    assert run(programme, spec, "new_vice_principal", reports[1:], after).status == Status.MISSED


def test_XC_MENTOR_fortnightly_seminars_monthly_reading_and_semester_portfolios(bureaus):
    programme, specs = programme_of(bureaus["xuhui"], XC)
    periods = {
        key: spec.clauses[0].period for key, spec in specs.items() if spec.applies_to("mentor")
    }
    assert periods["导师要求③"] == "fortnight"
    assert periods["导师要求④"] == "month"
    assert periods["导师要求⑤"] == periods["导师要求⑦"] == periods["导师要求⑧"] == "semester"
    monthly = specs["导师要求④"]
    # A book a month in the implementation phase (June 2017 – May 2018), not in the summer
    # holiday (July, August) nor in February, which is mostly winter holiday.
    months = [w.key for w in monthly.clauses[0].periods(programme.cycle)]
    assert months == [
        "2017-06",
        "2017-09",
        "2017-10",
        "2017-11",
        "2017-12",
        "2018-01",
        "2018-03",
        "2018-04",
        "2018-05",
    ]
    books = [
        ev(i, "reading_recommendation", Level.SCHOOL, dt.date.fromisoformat(f"{m}-15"))
        for i, m in enumerate(months)
    ]
    after = dt.date(2018, 7, 1)
    assert run(programme, monthly, "mentor", books, after).status == Status.MET
    result = run(programme, monthly, "mentor", books[:3] + books[4:], after)
    assert [p.window.key for c in result.clauses for p in c.periods if p.status == "missed"] == [
        "2017-11"
    ]


# --- HA -------------------------------------------------------------------------------------------


def test_HA_TIERS_four_tiers_with_two_backbone_levels(bureaus):
    assert tiers_of(bureaus["haian"], HA) == [
        ("educator", "教育家型教师"),
        ("excellent", "卓越教师"),
        ("backbone_city", "教学骨干（海安市级）"),
        ("backbone_town", "教学骨干（区镇（局直）级）"),
    ]
    programme, specs = programme_of(bureaus["haian"], HA)
    assert programme.cycle_label == "2022.01 – 2022.12"
    # Haian names its levels itself; the description no longer explains the Shanghai names.
    assert "级别说明" not in programme.description
    assert specs["教学主张"].tiers == {"educator"}
    assert specs["领雁示范"].tiers == {"excellent"}
    # The seed: 教学主张 at 省市层面 (南通市级 and above), 领雁 at 县域层面 (海安市级).
    assert specs["教学主张"].clauses[0].alternatives[0].min_level == Level.MUNICIPAL
    assert specs["领雁示范"].clauses[0].alternatives[0].min_level == Level.DISTRICT
    # An exchange at Haian (county-city) level meets the excellent teacher's 县域 demonstration.
    county = [ev(1, "teaching_showcase", Level.DISTRICT, dt.date(2022, 10, 1))]
    after = dt.date(2023, 1, 1)
    assert run(programme, specs["领雁示范"], "excellent", county, after).status == Status.MET
    missed = run(programme, specs["教学主张"], "educator", county, after)
    assert missed.status == Status.MISSED
    # The reason names the level as Haian does.
    with translation.override("zh-hans"):
        assert "南通市级及以上" in " ".join(missed.reasons)
        none = run(programme, specs["领雁示范"], "excellent", [], after)
        assert "海安市级及以上" in " ".join(none.reasons)


def test_HA_SCHEDULE_every_calendar_event_with_month_owner_scope_and_duration(bureaus):
    milestones = milestones_of(bureaus["haian"], HA)
    assert len(milestones) == 18
    # The seed gives a month without a day, or "全年": no invented dates.
    in_month = [m for m in milestones if m["repeat"] == "month"]
    assert {m["due"].month for m in in_month} == {3, 4, 5, 6, 7, 8, 9, 11, 12}
    assert all(m["due"].day == 1 and m["due"].year == 2022 for m in in_month)
    assert all(m["owner"] and "日程安排" in m["description"] for m in milestones)

    def event(text: str) -> tuple[int, str, str, str]:
        m = next(m for m in milestones if text in m["title"])
        return m["due"].month, m["owner"], m["scope"], m["duration"]

    assert event("推进会暨第一次市级培养对象全员培训") == (5, "工作组", "市内", "两天")
    assert event("初中培养对象读书交流") == (7, "工作组（初中）", "市内", "半天")
    assert event("地理学科教学骨干培训") == (7, "地理学科指导组", "省内高校", "4天")
    assert event("对区镇、局直单位实施骨干培养工作进行考核")[:3] == (12, "工作组", "区镇、局直单位")
    year_round = [m for m in milestones if m["duration"] == "全年"]
    assert len(year_round) == 3
    assert all(m["repeat"] == "all_year" and m["due"] is None for m in year_round)
    assert len(in_month) == 15


def test_HA_PLAN_three_year_plan_in_april(bureaus):
    programme, specs = programme_of(bureaus["haian"], HA)
    plan = specs["个人规划"]
    assert plan.tiers == {"educator", "excellent", "backbone_city", "backbone_town"}
    [clause] = plan.clauses
    assert clause.period == "cycle" and clause.alternatives[0].kinds == {"development_plan"}
    april = [m for m in milestones_of(bureaus["haian"], HA) if "三年成长规划" in m["title"]]
    assert [(m["repeat"], m["due"], m["owner"]) for m in april] == [
        ("month", dt.date(2022, 4, 1), "各学科指导组")
    ]
    done = [ev(1, "development_plan", Level.SCHOOL, dt.date(2022, 4, 20))]
    result = run(programme, plan, "backbone_town", done, dt.date(2023, 1, 1))
    assert result.status == Status.MET
    # The plan is due in April: by its last day, and one filed in May is late.
    [period] = result.clauses[0].periods
    assert period.due == dt.date(2022, 4, 30) and period.late_days == 0
    may = [ev(1, "development_plan", Level.SCHOOL, dt.date(2022, 5, 3))]
    [late] = run(programme, plan, "backbone_town", may, dt.date(2023, 1, 1)).clauses[0].periods
    assert late.status == Status.MET and late.late_days == 3


def test_HA_ACT_two_subject_group_activities_a_semester_and_four_in_the_year(bureaus):
    programme, specs = programme_of(bureaus["haian"], HA)
    spec = specs["研训活动"]
    per_semester, per_year = spec.clauses
    assert (per_semester.period, per_semester.alternatives[0].min_count) == ("semester", 2)
    assert (per_year.period, per_year.alternatives[0].min_count) == ("year", 4)
    kinds = ["subject_training", "lesson_observation", "collective_preparation", "problem_study"]
    days = [dt.date(2022, 3, 10), dt.date(2022, 6, 10), dt.date(2022, 9, 10), dt.date(2022, 11, 10)]
    activities = [
        ev(i, kind, Level.SCHOOL, day)
        for i, (kind, day) in enumerate(zip(kinds, days, strict=True))
    ]
    after = dt.date(2023, 1, 1)
    assert run(programme, spec, "backbone_city", activities, after).status == Status.MET
    # Four in the year, but three of them in spring: the autumn semester is missed.
    lopsided = [ev(i, k, Level.SCHOOL, dt.date(2022, 4 + i, 10)) for i, k in enumerate(kinds[:3])]
    lopsided.append(ev(9, "problem_study", Level.SCHOOL, dt.date(2022, 10, 10)))
    result = run(programme, spec, "backbone_city", lopsided, after)
    assert result.status == Status.MISSED
    assert [p.window.key for p in result.clauses[0].periods if p.status == Status.MISSED] == [
        "2022-2"
    ]
    assert result.clauses[1].status == Status.MET


def test_HA_ACT_HA_READ_spring_met_autumn_missed_and_no_2021_period_anywhere(bureaus):
    """Haian 2022 runs on the calendar year: two activities in spring and none in autumn meet
    the spring semester and miss the autumn one; no period of 2021 (or of a school year) is
    owed, shown or counted."""
    programme, specs = programme_of(bureaus["haian"], HA)
    assert programme.year_basis == "calendar_year"
    assert [(w.key, w.label) for w in programme.years] == [("2022", "2022年度")]
    assert [(w.label, w.start, w.end) for w in programme.semesters] == [
        ("2022年春季学期", dt.date(2022, 1, 1), dt.date(2022, 8, 31)),
        ("2022年秋季学期", dt.date(2022, 9, 1), dt.date(2022, 12, 31)),
    ]
    spring = [
        ev(1, "subject_training", Level.SCHOOL, dt.date(2022, 3, 18)),
        ev(2, "lesson_observation", Level.SCHOOL, dt.date(2022, 5, 20)),
    ]
    after = dt.date(2023, 1, 10)
    result = run(programme, specs["研训活动"], "backbone_city", spring, after)
    semesters = {p.window.label: p.status for p in result.clauses[0].periods}
    assert semesters == {"2022年春季学期": Status.MET, "2022年秋季学期": Status.MISSED}
    every_window = [
        w for r in specs.values() for c in r.clauses for w in c.periods(programme.cycle)
    ]
    every_window += programme.years + programme.semesters
    assert not any("2021" in w.label or w.start.year != 2022 for w in every_window)
    reading = run(programme, specs["读书交流"], "backbone_town", [], after)
    assert [p.window.label for p in reading.clauses[0].periods] == [
        "2022年春季学期",
        "2022年秋季学期",
    ]


def test_HA_OUTPUT_research_outputs_collected_in_december(bureaus):
    programme, specs = programme_of(bureaus["haian"], HA)
    spec = specs["研究成果"]
    assert spec.clauses[0].alternatives[0].kinds == {"research_output"}
    after = dt.date(2023, 1, 1)
    december = [ev(1, "research_output", Level.SCHOOL, dt.date(2022, 12, 10))]
    assert spec.tiers
    for tier in spec.tiers:
        assert run(programme, spec, tier, december, after).status == Status.MET
        assert run(programme, spec, tier, [], after).status == Status.MISSED
    [collection] = [m for m in milestones_of(bureaus["haian"], HA) if "研究成果" in m["title"]]
    assert (collection["repeat"], collection["due"]) == ("month", dt.date(2022, 12, 1))
    assert collection["owner"] == "教科部"
    # Due in December: by the 31st; on 20 December nothing is overdue yet.
    [period] = run(programme, spec, "excellent", [], dt.date(2022, 12, 20)).clauses[0].periods
    assert period.due == dt.date(2022, 12, 31) and period.overdue_days(dt.date(2022, 12, 20)) == 0
    assert "《海安教育研究》" in collection["title"]


# --- SJ -------------------------------------------------------------------------------------------


def test_SJ_the_district_skills_showcase_is_every_two_years_without_a_date(bureaus):
    [showcase] = [m for m in milestones_of(bureaus["songjiang"], SJ) if "基本功展示" in m["title"]]
    assert (showcase["repeat"], showcase["due"], showcase["month"]) == ("biennial", None, None)


def test_SJ_TIERS_four_tiers_each_with_its_own_requirements(bureaus):
    assert tiers_of(bureaus["songjiang"], SJ) == [
        ("horizon", "地平线"),
        ("compass", "指南针"),
        ("climber", "攀登者"),
        ("starry_sky", "满天星"),
    ]
    programme, specs = programme_of(bureaus["songjiang"], SJ)
    # The bureau runs the programme on its draft document (草案): active in the portal.
    assert programme.status == "active" and "草案" in programme.name
    # No cycle in the draft: three school years from 2024, and the field for staff says so
    # (the description, which teachers read, says only what the draft says).
    assert [w.key for w in programme.years] == ["2024", "2025", "2026"]
    assert "三个学年" in programme.assumptions and "三个学年" not in programme.description
    assert "名额" in programme.assumptions  # SJ's tier quotas: the draft gives none
    for tier in ("horizon", "compass", "climber", "starry_sky"):
        assert any(spec.tiers == {tier} for spec in specs.values()), tier


def test_SJ_INIT_32_hours_of_pre_service_training_a_trainee_year_and_an_assessment(bureaus):
    programme, specs = programme_of(bureaus["songjiang"], SJ)
    spec = specs["上岗培训"]
    assert spec.tiers == {"horizon"}
    after = dt.date(2027, 9, 1)

    def first_time(hours: str) -> list[Evidence]:
        return [
            ev(
                1, "pre_service_training", Level.DISTRICT, dt.date(2024, 9, 2), hours=Decimal(hours)
            ),
            ev(2, "trainee_class_teacher", Level.SCHOOL, dt.date(2025, 6, 30)),
            ev(3, "appointment_assessment", Level.SCHOOL, dt.date(2025, 7, 5)),
        ]

    new = {"class_teacher_stage": "first_time"}
    assert run(programme, spec, "horizon", first_time("32"), after, **new).status == Status.MET
    short = run(programme, spec, "horizon", first_time("30"), after, **new)
    assert short.status == Status.MISSED
    assert any("32" in reason for reason in short.reasons)
    no_trainee_year = [e for e in first_time("40") if e.kind != "trainee_class_teacher"]
    assert run(programme, spec, "horizon", no_trainee_year, after, **new).status == Status.MISSED


def test_SJ_INIT_is_owed_by_first_time_class_teachers_only(bureaus):
    """A 地平线 class teacher in the qualified stage (合格期) owes none of the pre-service
    training, trainee year or appointment assessment; a first-time one owes all three."""
    programme, specs = programme_of(bureaus["songjiang"], SJ)
    spec = specs["上岗培训"]
    assert {c.condition for c in spec.clauses} == {
        rules.Condition(rules.ConditionKind.FIRST_TIME_CLASS_TEACHER)
    }
    qualified = rules.Participant("horizon", class_teacher_stage="qualified", years_class_teacher=3)
    first_time = rules.Participant("horizon", class_teacher_stage="first_time")
    assert not spec.applies_to(qualified) and spec.applies_to(first_time)
    after = dt.date(2025, 9, 1)
    owed = run(programme, spec, "horizon", [], after, class_teacher_stage="first_time")
    assert len(owed.clauses) == 3 and owed.status == Status.IN_PROGRESS  # the cycle runs on
    nothing = run(programme, spec, "horizon", [], after, class_teacher_stage="qualified")
    assert nothing.clauses == () and nothing.reasons == []
    # The shadow guidance of the tier is owed by both.
    assert specs["地平线项目"].applies_to(qualified) and specs["地平线项目"].applies_to(first_time)


# --- PT -------------------------------------------------------------------------------------------


def test_PT_HOURS_school_based_training_each_school_year(bureaus):
    programme, specs = programme_of(bureaus["putuo"], PT)
    assert programme.document_date == dt.date(2024, 11, 8)
    spec = specs["校本研修课时"]
    [clause] = spec.clauses
    assert clause.period == "year"
    [alternative] = clause.alternatives
    assert alternative.kinds == {"school_training_lecture", "school_training_practice"}
    # 40 class hours is a total over the school year: no single record has to reach it.
    assert alternative.min_hours is None
    assert alternative.min_total_hours == Decimal(40)
    with bureau_scope(bureaus["putuo"]):
        requirement = Requirement.objects.get(programme=programme, code="校本研修课时")
        assert all(k.has_hours for k in EvidenceKind.objects.filter(code__in=alternative.kinds))
    assert "40课时" in requirement.description and "累计" in requirement.description
    after = dt.date(2027, 9, 1)
    sessions = [
        ev(i * 10 + n, kind, Level.SCHOOL, dt.date(y, 10, 1 + n), hours=Decimal(4))
        for i, (y, kind) in enumerate(
            [
                (2024, "school_training_lecture"),
                (2025, "school_training_practice"),
                (2026, "school_training_lecture"),
            ]
        )
        for n in range(10)  # 10 sessions of 4 class hours: 40 in the school year
    ]
    for tier in ("new", "early_career", "mature"):
        assert run(programme, spec, tier, sessions, after).status == Status.MET
    result = run(programme, spec, "mature", sessions[:29], after)  # 36 hours in 2026
    assert [p.window.key for p in result.clauses[0].periods if p.status == "missed"] == ["2026"]


def test_PT_MODULES_career_stage_tiers_and_modules(bureaus):
    assert tiers_of(bureaus["putuo"], PT) == [
        ("new", "新入职班主任"),
        ("early_career", "职初班主任"),
        ("mature", "成熟期班主任"),
    ]
    programme, _ = programme_of(bureaus["putuo"], PT)
    for module in ("班集体管理", "班级活动组织", "学生发展指导", "综合素质评价", "沟通与合作"):
        assert module in programme.description


def test_PT_ASSIGN_credits_assigned_at_the_end_of_each_semester(bureaus):
    milestones = milestones_of(bureaus["putuo"], PT)
    assert len(milestones) == 6
    assert {m["owner"] for m in milestones} == {"师训专管员"}
    programme, _ = programme_of(bureaus["putuo"], PT)
    semester_ends = [w.end for w in rules.windows(rules.Period.SEMESTER, programme.cycle)]
    assert len(semester_ends) == 6
    # "每学期末": in the last month of each semester, no day given.
    assert {m["repeat"] for m in milestones} == {"month"}
    assert [m["due"] for m in milestones] == [rules.month_start(d) for d in semester_ends]
