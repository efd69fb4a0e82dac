"""Levels named by the bureau (HA-TIERS): one ordered scale that every bureau compares on, with 省级
between 市级 and 国家级; each bureau's names on its pages, exports and reason texts; levels a bureau
does not use left out of its choice lists."""

import datetime as dt
import importlib
from io import BytesIO, StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import translation
from openpyxl import load_workbook

from bureaus.levels import Level, LevelNames
from bureaus.models import AuditEntry, Bureau, LevelName
from bureaus.selectors import level_names, level_names_memo
from bureaus.tenancy import all_bureaus, bureau_scope
from cohorts.forms import EvidenceForm
from cohorts.models import Evidence
from programmes import models as programme_models
from programmes import rules
from programmes.models import Criterion
from tests.conftest import make_cast
from workshops.forms import CourseForm

DAY = dt.date(2024, 1, 1)
HAIAN = {1: "校级", 2: "区镇（局直）级", 3: "海安市级", 4: "南通市级", 5: "江苏省级", 6: "国家级"}


@pytest.fixture
def haian(db):
    cast = make_cast("ha", "海安")
    with bureau_scope(cast.bureau):
        for level, name in HAIAN.items():
            LevelName.objects.create(bureau=cast.bureau, level=level, name=name)
    return cast


def at_level(cast, level: int, *, min_level: int | None = None) -> Evidence:
    """The cast teacher's verified evidence at ``level``; with ``min_level``, the leader's
    cycle-long clause asks for that level."""
    with bureau_scope(cast.bureau):
        evidence = cast.extras["evidence"]
        Evidence.objects.filter(pk=evidence.pk).update(level=level)
        if min_level is not None:
            Criterion.objects.filter(requirement__programme=cast.programme, clause=2).update(
                min_level=min_level
            )
        evidence.refresh_from_db()
    return evidence


# --- The scale and the engine (no database) -----------------------------------------------------


def test_HA_TIERS_one_scale_with_provincial_between_municipal_and_national():
    assert [(step.name, step.value) for step in rules.Level] == [
        ("SCHOOL", 1),
        ("LEARNING_DISTRICT", 2),
        ("DISTRICT", 3),
        ("MUNICIPAL", 4),
        ("PROVINCIAL", 5),
        ("NATIONAL", 6),
    ]
    assert programme_models.Level.values == [1, 2, 3, 4, 5, 6]
    provincial = rules.Alternative(kinds=frozenset({"paper"}), min_level=Level.PROVINCIAL)
    assert provincial.matches(rules.Evidence(1, "paper", Level.NATIONAL, DAY))
    assert provincial.matches(rules.Evidence(2, "paper", Level.PROVINCIAL, DAY))
    assert not provincial.matches(rules.Evidence(3, "paper", Level.MUNICIPAL, DAY))


def test_HA_TIERS_reason_texts_carry_the_bureaus_name_and_default_otherwise():
    named = rules.Alternative(
        kinds=frozenset({"teaching_showcase"}),
        kind_names=("教学展示",),
        min_level=Level.DISTRICT,
        level_label="海安市级",
    )
    plain = rules.Alternative(
        kinds=frozenset({"teaching_showcase"}), kind_names=("教学展示",), min_level=Level.DISTRICT
    )
    with translation.override("zh-hans"):
        assert named.describe(1) == "1 项海安市级及以上教学展示"
        assert plain.describe(1) == "1 项区级及以上教学展示"
        assert rules.level_name(Level.DISTRICT, {3: "海安市级"}) == "海安市级"
        assert rules.level_name(Level.DISTRICT, {4: "南通市级"}) == "区级"
        assert rules.level_name(Level.PROVINCIAL) == "省级"
        assert rules.level_name(Level.NATIONAL) == "国家级"


def test_HA_TIERS_names_leave_out_hidden_levels_but_keep_a_stored_one():
    names = LevelNames(names={3: "海安市级"}, hidden=frozenset({2}))
    with translation.override("zh-hans"):
        assert names.choices() == [
            (1, "校级"),
            (3, "海安市级"),
            (4, "市级"),
            (5, "省级"),
            (6, "国家级"),
        ]
        assert (2, "学区级") in names.choices(keep=2)
        assert names.name(3) == "海安市级"
        assert names.name(2) == "学区级"  # hidden from choices, still named where it is stored
        assert names.name(None) == "—"


def test_HA_TIERS_a_spreadsheet_level_is_read_by_the_bureaus_name():
    names = LevelNames(names=HAIAN)
    with translation.override("zh-hans"):
        assert names.parse("海安市级") == Level.DISTRICT
        assert names.parse(" 南通市级 ") == Level.MUNICIPAL
        assert names.parse("区级") == Level.DISTRICT  # the default name still reads
        assert names.parse("6") == Level.NATIONAL
        assert names.parse("7") is None
        assert names.parse("县里") is None
        assert names.parse("") is None
        assert names.parse(None) is None
        # A bureau that calls its fourth level 区级 means the fourth level by it.
        assert LevelNames(names={4: "区级"}).parse("区级") == Level.MUNICIPAL


# --- The migration -----------------------------------------------------------------------------

MIGRATIONS = [
    ("cohorts.migrations.0005_provincial_level_national_to_6", "cohorts", "Evidence", "level"),
    (
        "programmes.migrations.0007_provincial_level_national_to_6",
        "programmes",
        "Criterion",
        "min_level",
    ),
    (
        "workshops.migrations.0007_provincial_level_national_to_6",
        "workshops",
        "WorkshopCourse",
        "level",
    ),
]


@pytest.mark.parametrize("module, app, model, column", MIGRATIONS)
def test_HA_TIERS_the_migration_moves_national_from_5_to_6_and_back(
    xuhui, module, app, model, column
):
    migration = importlib.import_module(module)
    with all_bureaus():
        rows = apps.get_model(app, model).objects
        row = rows.order_by("pk").first()
        rows.filter(pk=row.pk).update(**{column: 5})  # national, on the old scale
        migration.national_to_6(apps, None)
        assert rows.filter(pk=row.pk).values_list(column, flat=True).get() == 6
        others = rows.exclude(pk=row.pk).values_list("pk", column)
        before = dict(others)
        migration.national_back_to_5(apps, None)
        assert rows.filter(pk=row.pk).values_list(column, flat=True).get() == 5
        # A provincial row, which the old scale has no step for, folds into municipal.
        rows.filter(pk=row.pk).update(**{column: 5})
        migration.national_back_to_5(apps, None)
        assert rows.filter(pk=row.pk).values_list(column, flat=True).get() == 4
        assert dict(rows.exclude(pk=row.pk).values_list("pk", column)) == {
            pk: (4 if value == 5 else 5 if value == 6 else value) for pk, value in before.items()
        }


# --- Pages, the export and forms --------------------------------------------------------------


def test_HA_TIERS_a_haian_evidence_page_shows_haian_names(haian, xuhui):
    evidence = at_level(haian, 3)
    client = haian.client("teacher")
    listing = client.get("/evidence/").content.decode()
    detail = client.get(f"/evidence/{evidence.pk}/").content.decode()
    for page in (listing, detail):
        assert "海安市级" in page
        assert "区级" not in page


def test_HA_TIERS_a_xuhui_evidence_page_shows_xuhuis_names(haian, xuhui):
    evidence = at_level(xuhui, 3)
    client = xuhui.client("teacher")
    listing = client.get("/evidence/").content.decode()
    detail = client.get(f"/evidence/{evidence.pk}/").content.decode()
    for page in (listing, detail):
        assert "区级" in page
        assert "海安市级" not in page


def test_HA_TIERS_the_progress_page_names_the_missing_level_as_the_bureau_does(haian, xuhui):
    # The leader owes, over the cycle, one public lesson at 海安市级 (Xuhui: 区级) or above.
    at_level(haian, 1, min_level=3)
    at_level(xuhui, 1, min_level=3)
    haian_page = haian.client("lead").get("/progress/").content.decode()
    xuhui_page = xuhui.client("lead").get("/progress/").content.decode()
    assert "海安市级及以上" in haian_page
    assert "区级及以上" not in haian_page
    assert "区级及以上" in xuhui_page
    assert "海安市级" not in xuhui_page


def test_HA_TIERS_the_programme_page_states_requirements_in_the_bureaus_names(haian, xuhui):
    at_level(haian, 1, min_level=3)
    at_level(xuhui, 1, min_level=3)
    haian_page = haian.client("teacher").get(f"/programmes/{haian.programme.pk}/")
    xuhui_page = xuhui.client("teacher").get(f"/programmes/{xuhui.programme.pk}/")
    assert "海安市级及以上" in haian_page.content.decode()
    assert "区级及以上" in xuhui_page.content.decode()
    assert "海安市级" not in xuhui_page.content.decode()


def test_HA_TIERS_the_review_export_names_levels_as_the_bureau_does(haian, xuhui):
    at_level(haian, 3)
    at_level(xuhui, 3)

    def exported(cast) -> list[tuple]:
        response = cast.client("staff").get("/evidence/review/?state=verified&format=xlsx")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        sheet = load_workbook(BytesIO(response.content)).active
        return list(sheet.iter_rows(values_only=True))

    header, *rows = exported(haian)
    level = header.index("级别")
    assert [row[level] for row in rows] == ["海安市级"]
    header, *rows = exported(xuhui)
    assert [row[header.index("级别")] for row in rows] == ["区级"]


def test_HA_TIERS_the_review_page_offers_the_bureaus_names_as_filters(haian):
    page = haian.client("staff").get("/evidence/review/")
    choices = dict(page.context["filters"].fields["level"].choices)
    assert choices[3] == "海安市级" and choices[4] == "南通市级" and choices[5] == "江苏省级"
    filtered = haian.client("staff").get("/evidence/review/?state=verified&level=1")
    assert filtered.context["page"].paginator.count == 1


def test_HA_TIERS_a_hidden_level_is_not_offered_and_not_accepted(xuhui):
    with bureau_scope(xuhui.bureau):
        LevelName.objects.create(bureau=xuhui.bureau, level=2, hidden=True)
        requirement = xuhui.programme.requirements.get()
        kind = requirement.criteria.first().kinds.get()
    client = xuhui.client("teacher")
    offered = dict(client.get("/evidence/new/").context["form"].fields["level"].choices)
    assert 2 not in offered and {1, 3, 4, 5, 6} <= set(offered)
    response = client.post(
        "/evidence/new/",
        {
            "kind": kind.pk,
            "title": "学区公开课",
            "level": "2",
            "date": "2024-10-10",
            "requirements": [requirement.pk],
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["level"]
    with bureau_scope(xuhui.bureau):
        assert not Evidence.objects.filter(title="学区公开课").exists()
        # An item already at the hidden level keeps it when edited.
        stored = at_level(xuhui, 2)
        form = EvidenceForm(instance=stored, teacher=stored.teacher)
        assert 2 in dict(form.fields["level"].choices)
        assert 2 not in dict(CourseForm(bureau_id=xuhui.bureau.pk).fields["level"].choices)


def test_HA_TIERS_a_courses_level_choices_carry_the_bureaus_names(haian):
    with bureau_scope(haian.bureau):
        choices = dict(CourseForm(bureau_id=haian.bureau.pk).fields["level"].choices)
    assert choices[3] == "海安市级"


def test_HA_TIERS_a_workshops_courses_name_levels_as_the_bureau_does(haian, xuhui):
    from workshops.models import WorkshopCourse

    def page(cast) -> str:
        team, course = cast.extras["team"], cast.extras["course"]
        with bureau_scope(cast.bureau):
            WorkshopCourse.objects.filter(pk=course.pk).update(level=3)
        return cast.client("lead").get(f"/groups/{team.pk}/").content.decode()

    haian_page, xuhui_page = page(haian), page(xuhui)
    assert "海安市级" in haian_page and "区级" not in haian_page
    assert "区级" in xuhui_page and "海安市级" not in xuhui_page


# --- Naming the levels ------------------------------------------------------------------------


def test_HA_TIERS_staff_name_a_level_in_the_admin_and_the_change_is_audited(xuhui, putuo):
    at_level(xuhui, 3)
    client = xuhui.client("staff")
    response = client.post(
        "/admin/bureaus/levelname/add/", {"level": "3", "name": "徐汇区级", "hidden": ""}
    )
    assert response.status_code == 302
    with bureau_scope(xuhui.bureau):
        row = LevelName.objects.get()
        assert (row.level, row.name, row.hidden) == (3, "徐汇区级", False)
        assert AuditEntry.objects.filter(action="admin.add", target_id=str(row.pk)).exists()
    assert "徐汇区级" in xuhui.client("teacher").get("/evidence/").content.decode()
    # A second row for the same level, or a name another level has, is a form error.
    again = client.post("/admin/bureaus/levelname/add/", {"level": "3", "name": "区级2"})
    assert again.status_code == 200 and again.context["adminform"].form.errors
    same = client.post("/admin/bureaus/levelname/add/", {"level": "4", "name": "徐汇区级"})
    assert same.status_code == 200 and same.context["adminform"].form.errors
    response = client.post(
        f"/admin/bureaus/levelname/{row.pk}/change/",
        {"level": "3", "name": "", "hidden": "on"},
    )
    assert response.status_code == 302
    with bureau_scope(xuhui.bureau):
        assert AuditEntry.objects.filter(action="admin.change", target_id=str(row.pk)).exists()
    assert "区级" in xuhui.client("teacher").get("/evidence/").content.decode()
    # Putuo's names are Putuo's.
    with bureau_scope(putuo.bureau):
        assert level_names(putuo.bureau.pk) == LevelNames()


def test_leadership_reads_the_level_names_but_does_not_change_them(xuhui):
    client = xuhui.client("leader")
    assert client.get("/admin/bureaus/levelname/").status_code == 200
    assert client.get("/admin/bureaus/levelname/add/").status_code == 403


def test_a_bureaus_names_are_read_once_a_request(haian, django_assert_num_queries):
    with bureau_scope(haian.bureau), level_names_memo():
        with django_assert_num_queries(1):
            first = level_names(haian.bureau.pk)
            assert level_names(haian.bureau.pk) is first
        assert first.name(3) == "海安市级"


def test_HA_TIERS_the_demo_haian_bureau_names_its_levels(db):
    call_command("load_demo", stdout=StringIO())
    bureaus = {b.code: b for b in Bureau.objects.all()}
    with bureau_scope(bureaus["haian"]):
        assert level_names(bureaus["haian"].pk).as_dict() == HAIAN
    # Shanghai is a municipality: its 市级 is the provincial step, so 省级 is not offered.
    with bureau_scope(bureaus["xuhui"]), translation.override("zh-hans"):
        xuhui = level_names(bureaus["xuhui"].pk)
        assert xuhui.hidden == {5}
        assert xuhui.name(3) == "区级"
