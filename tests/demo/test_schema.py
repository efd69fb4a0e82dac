"""The schema of the seed and demo files (demo/schema.py): every file has one, it is the only
checker, and a bad value is reported with the file, the objects it is in and its path."""

from __future__ import annotations

import ast
import copy
import json
from pathlib import Path

import pytest
from django.conf import settings

from demo import schema
from demo.accounts import load_demo
from demo.cohorts import load_demo_cohorts
from demo.programmes import load_programme_seed
from demo.workshops import load_demo_groups

ROOT = Path(settings.BASE_DIR)
FIXTURES = ROOT / "fixtures"
FILES = {
    "fixtures/demo.json": "people",
    "fixtures/demo_cohorts.json": "cohorts",
    "fixtures/demo_groups.json": "groups",
    **{f"fixtures/programmes/{p.name}": "programme" for p in (FIXTURES / "programmes").glob("*")},
}
DOMAIN_APPS = ("bureaus", "accounts", "programmes", "cohorts", "workshops")
DOMAIN_APPS += ("assessments", "credits", "stipends")


def fixture(name: str) -> dict:
    return json.loads((ROOT / name).read_text(encoding="utf-8"))


def problem(data: dict, kind: str, source: str) -> str:
    with pytest.raises(schema.SchemaError) as caught:
        schema.check(data, kind, source=source)
    return str(caught.value)


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_seed_and_demo_file_has_its_shape(name):
    assert schema.read(ROOT / name, FILES[name])  # names the file relative to the project


def test_a_bad_value_in_a_programme_seed_names_the_file_the_requirement_and_the_path():
    data = fixture("fixtures/programmes/xh.json")
    data["programme"]["requirements"][2]["criteria"][1]["period"] = "weekly"
    message = problem(data, "programme", "fixtures/programmes/xh.json")
    assert message.startswith(
        "fixtures/programmes/xh.json: programme 'xh-backbone-2023': requirement '任务三': clause "
    )
    assert ": programme.requirements[2].criteria[1].period: unknown period 'weekly'" in message
    assert "'year'" in message  # the periods it may be


def test_a_bad_value_in_the_demo_people_names_the_bureau_the_school_and_the_path():
    data = fixture("fixtures/demo.json")
    school = data["bureaus"][0]["schools"][1]
    school["stage"] = "university"
    message = problem(data, "people", "fixtures/demo.json")
    assert message.startswith(
        f"fixtures/demo.json: bureau 'xuhui': school {school['name']!r}: "
        "bureaus[0].schools[1].stage: 'university' is not one of ['primary'"
    )


def test_a_reference_to_a_school_the_bureau_lacks_is_refused_in_the_demo_people():
    data = fixture("fixtures/demo.json")
    person = next(p for p in data["bureaus"][1]["people"] if "profile" in p)
    index = data["bureaus"][1]["people"].index(person)
    person["profile"]["school"] = "不存在的学校"
    message = problem(data, "people", "demo.json")
    assert f"bureaus[1].people[{index}].profile.school: is not one of the bureau's schools" in (
        message
    )


def test_a_bad_value_in_the_demo_cohorts_names_the_enrolment_the_item_and_the_path():
    data = fixture("fixtures/demo_cohorts.json")
    enrolment = data["bureaus"][0]["programmes"][0]["enrolments"][3]
    enrolment["evidence"][2]["date"] = "2024-02-30"
    message = problem(data, "cohorts", "fixtures/demo_cohorts.json")
    title = enrolment["evidence"][2]["title"]
    assert message == (
        f"fixtures/demo_cohorts.json: bureau 'xuhui': programme 'xh-backbone-2023': "
        f"enrolment {enrolment['teacher']!r}: evidence 3 ({title!r}): "
        "bureaus[0].programmes[0].enrolments[3].evidence[2].date: "
        "'2024-02-30' must be a date, YYYY-MM-DD"
    )


def test_a_bad_value_in_the_demo_groups_names_the_group_the_activity_and_the_path():
    data = fixture("fixtures/demo_groups.json")
    group = data["bureaus"][0]["programmes"][0]["groups"][0]
    group["activities"][0]["hours"] = "two"
    message = problem(data, "groups", "fixtures/demo_groups.json")
    assert message.startswith(
        f"fixtures/demo_groups.json: bureau 'xuhui': programme 'xh-backbone-2023': "
        f"group {group['name']!r}: activity 1 ({group['activities'][0]['topic']!r}): "
        "bureaus[0].programmes[0].groups[0].activities[0].hours: "
        "hours 'two' must be a positive number"
    )


@pytest.mark.parametrize(
    "spoil, expected",
    [
        (lambda d: d["programme"]["tiers"][0].pop("name"), "programme.tiers[0]: missing ['name']"),
        (
            lambda d: d["programme"]["milestones"][0].update(colour="red"),
            "programme.milestones[0]: unknown keys ['colour']",
        ),
        (lambda d: d["evidence_kinds"][0].update(order=-1), "evidence_kinds[0].order: -1 is less"),
        (
            lambda d: d["evidence_kinds"].append(dict(d["evidence_kinds"][0])),
            "is listed twice",
        ),
        (
            lambda d: d["programme"].update(start_month="2023-9"),
            "programme.start_month: '2023-9' must be a month, YYYY-MM",
        ),
        (
            lambda d: d["programme"]["requirements"][0]["criteria"][0].update(min_hours=1.25),
            "criteria[0].min_hours: min_hours 1.25 must be 0 to 99999.9 class hours",
        ),
        (  # a rule over the parts: the path is that of the value it is about
            lambda d: d["programme"]["requirements"][0].update(tiers=["nobody"]),
            "programme.requirements[0].tiers: unknown tier codes ['nobody']",
        ),
        (
            lambda d: d["programme"].update(end_month="2020-01"),
            "programme.end_month: the cycle ends before it starts",
        ),
        (  # HA-SCHEDULE: how often an event happens decides which fields it takes
            lambda d: d["programme"]["milestones"][0].update(repeat="all_year"),
            "programme.milestones[0]: an event of the whole year has no 'due' and no 'month'",
        ),
        (
            lambda d: d["programme"]["milestones"][0].update(repeat="yearly", due=None),
            "programme.milestones[0]: an event of every year needs its 'month' and no 'due'",
        ),
        (
            lambda d: d["programme"]["milestones"][0].update(due="2023-13"),
            "programme.milestones[0].due: '2023-13' must be a date, YYYY-MM-DD, or a month",
        ),
        (
            lambda d: d["programme"]["requirements"][0]["criteria"][0].update(due_month=13),
            "criteria[0].due_month: 13 is greater than the maximum of 12",
        ),
        (  # the alternatives of a clause share their due date (HA-PLAN)
            lambda d: d["programme"]["requirements"][3]["criteria"][1].update(due_month=4),
            "programme.requirements[3].criteria[1]: its alternatives disagree on the due date",
        ),
    ],
)
def test_shape_and_rule_problems_of_a_seed_are_reported_at_their_path(spoil, expected):
    data = fixture("fixtures/programmes/xh.json")
    spoil(data)
    message = problem(data, "programme", "xh.json")
    assert message.startswith("xh.json: ") and expected in message


def test_a_file_that_is_not_json_is_named(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken\.json: not valid JSON"):
        schema.read(path, "cohorts")


def test_each_loader_checks_its_file_through_the_schema_module(monkeypatch, tmp_path):
    """Every loader reads its file through demo.schema; none checks a file on its own."""
    kinds = []

    def refuse(data, kind, *, source):
        kinds.append(kind)
        raise schema.SchemaError(f"{source}: refused by the schema")

    monkeypatch.setattr(schema, "check", refuse)
    for load, name in [
        (load_demo, "demo.json"),
        (load_programme_seed, "programmes/xh.json"),
        (load_demo_cohorts, "demo_cohorts.json"),
        (load_demo_groups, "demo_groups.json"),
    ]:
        with pytest.raises(ValueError, match="refused by the schema"):
            load(FIXTURES / name)
    assert kinds == ["people", "programme", "cohorts", "groups"]


def test_the_schema_module_is_the_only_checker():
    gone = ["programmes/seed.py", "cohorts/demo.py", "workshops/demo.py", "accounts/demo.py"]
    assert not [name for name in gone if (ROOT / name).exists()]
    checkers = []
    for path in [*ROOT.glob("*/*.py"), *ROOT.glob("*/*/*.py")]:
        if path.parts[len(ROOT.parts)] in {".venv", "tests", "var", "bench"}:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and node.name in {"_Shape", "_SeedCheck"}:
                checkers.append(f"{path.relative_to(ROOT)}:{node.name}")
    assert checkers == []


def test_no_domain_app_imports_the_demo():
    wrong = []
    for app in DOMAIN_APPS:
        for path in (ROOT / app).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                if any(name == "demo" or name.startswith("demo.") for name in names):
                    wrong.append(str(path.relative_to(ROOT)))
        assert not (ROOT / app / "demo.py").exists()
        assert not (ROOT / app / "management" / "commands").exists()
    assert wrong == []


def test_a_section_another_app_adds_is_part_of_the_seed_schema():
    data = fixture("fixtures/programmes/pt.json")
    data["test_notes"] = ["一", 2]
    assert "unknown keys ['test_notes']" in problem(data, "programme", "pt.json")
    schema.add_section("programme", "test_notes", {"type": "array", "items": schema.TEXT})
    try:
        assert "test_notes[1]: 'test_notes' must be a non-empty text" in problem(
            data, "programme", "pt.json"
        )
        data["test_notes"] = ["一"]
        schema.check(copy.deepcopy(data), "programme", source="pt.json")
    finally:
        schema.SCHEMAS["programme"]["properties"].pop("test_notes")


def test_a_series_topic_is_a_text_or_an_object_and_its_own_hours_are_checked():
    data = fixture("fixtures/demo_groups.json")
    groups = data["bureaus"][0]["programmes"][1]["groups"]
    series = groups[0]["series"][0]
    series["topics"][0] = ""
    message = problem(data, "groups", "groups.json")
    assert message.endswith(
        "groups[0].series[0].topics[0]: a topic is a non-empty text or an object with its 'topic'"
    )
    series["topics"][0] = {"topic": "读书分享", "hours": 0}
    message = problem(data, "groups", "groups.json")
    assert "series 1 (" in message and "topic '读书分享': " in message
    assert message.endswith("topics[0].hours: hours 0 must be a positive number of class hours")
