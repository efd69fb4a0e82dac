"""Assessment schemes are configuration of a programme (XH-ASSESS, XH-WS-LEAD, PT-EVAL,
HA-ASSESS): validated with clear messages, edited on the programme's admin page, copied to the
next cycle and seeded."""

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from assessments.models import AssessmentComponent, AssessmentScheme
from bureaus.tenancy import all_bureaus, bureau_scope
from demo import schema
from demo.programmes import SEED_DIR
from programmes.services import programme_copy
from tests.assessments.helpers import make_scheme
from tests.workshops.test_group_rules import change_form_data


def scheme_errors(cast, **fields) -> dict:
    values = {"kind": "annual", "title": "学年考核", "results": ["excellent", "pass", "fail"]}
    values.update(fields)
    with bureau_scope(cast.bureau):
        scheme = AssessmentScheme(bureau=cast.bureau, programme=cast.programme, **values)
        try:
            scheme.full_clean()
        except ValidationError as error:
            return error.message_dict
    return {}


def test_a_scale_needs_fail_and_a_passing_result_and_known_results(xuhui):
    assert scheme_errors(xuhui) == {}
    assert scheme_errors(xuhui, results=["excellent", "pass", "basic_pass", "fail"]) == {}
    assert "须包括不合格和至少一个合格等第" in scheme_errors(xuhui, results=["pass"])["results"][0]
    assert "须包括不合格和至少一个合格等第" in scheme_errors(xuhui, results=["fail"])["results"][0]
    assert "未知的等第：good" in scheme_errors(xuhui, results=["good", "fail"])["results"][0]
    assert "只能列一次" in scheme_errors(xuhui, results=["pass", "pass", "fail"])["results"][0]


def test_a_scored_scheme_needs_thresholds_that_rise_with_the_result(xuhui):
    assert "只有计分方案才有分数线" in scheme_errors(xuhui, pass_from=60)["pass_from"][0]
    missing = scheme_errors(xuhui, scored=True, pass_from=60)
    assert list(missing) == ["excellent_from"]
    assert scheme_errors(xuhui, scored=True, excellent_from=90, pass_from=60) == {}
    upside_down = scheme_errors(xuhui, scored=True, excellent_from=60, pass_from=90)
    assert "等第越高分数线越高" in upside_down["pass_from"][0]
    not_on_scale = scheme_errors(
        xuhui, scored=True, excellent_from=90, pass_from=60, basic_pass_from=50
    )
    assert "不在本方案的等第中" in not_on_scale["basic_pass_from"][0]
    assert (
        "大于 0"
        in scheme_errors(xuhui, scored=True, excellent_from=120, pass_from=60)["excellent_from"][0]
    )


def test_a_component_of_a_scored_scheme_has_a_weight_and_the_weights_add_up_to_100(xuhui):
    scheme = make_scheme(xuhui, scored=True)
    with bureau_scope(xuhui.bureau):
        part = AssessmentComponent(
            bureau=xuhui.bureau, scheme=scheme, title="综合考核", level="district"
        )
        with pytest.raises(ValidationError, match="须为每个考核项填写权重"):
            part.full_clean()
    client = xuhui.client("staff")
    url = f"/admin/assessments/assessmentscheme/{scheme.pk}/change/"
    data = change_form_data(client.get(url))
    data["components-0-weight"] = "30"  # 30 + 20 + 20 + 40
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "合计为 110，应合计为 100" in refused.content.decode()
    with bureau_scope(xuhui.bureau):
        assert scheme.components.get(level="self").weight == 20
    data["components-0-weight"] = "20"
    assert client.post(url, data).status_code == 302


def test_staff_add_a_scheme_on_the_programmes_admin_page_and_a_bad_scale_is_explained(xuhui):
    client = xuhui.client("staff")
    url = f"/admin/programmes/programme/{xuhui.programme.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and "assessment_schemes-TOTAL_FORMS" in page.content.decode()
    data = change_form_data(page)
    data.update(
        {
            "assessment_schemes-TOTAL_FORMS": "1",
            "assessment_schemes-0-kind": "annual",
            "assessment_schemes-0-title": "学年考核",
            "assessment_schemes-0-results": ["excellent", "pass"],
        }
    )
    refused = client.post(url, data)
    assert refused.status_code == 200
    with bureau_scope(xuhui.bureau):
        assert not AssessmentScheme.objects.exists()
    data["assessment_schemes-0-results"] = ["excellent", "pass", "basic_pass", "fail"]
    assert client.post(url, data).status_code == 302
    with bureau_scope(xuhui.bureau):
        found = AssessmentScheme.objects.get()
    assert found.scale == ["excellent", "pass", "basic_pass", "fail"]
    assert found.bureau_id == xuhui.bureau.pk


def test_a_copy_of_the_programme_takes_its_schemes_and_components(xuhui):
    make_scheme(xuhui, scored=True)
    make_scheme(xuhui, kind="end_of_term")
    with bureau_scope(xuhui.bureau):
        copy = programme_copy(
            actor=xuhui.staff,
            programme=xuhui.programme,
            name="下一轮",
            code="next",
            start_month=dt.date(2026, 9, 1),
        )
        copied = {s.kind: s for s in AssessmentScheme.objects.filter(programme=copy)}
        assert set(copied) == {"annual", "end_of_term"}
        annual = copied["annual"]
        assert (annual.scored, annual.excellent_from, annual.pass_from) == (
            True,
            Decimal(90),
            Decimal(60),
        )
        parts = list(annual.components.values_list("title", "level", "weight", "required"))
    assert parts == [
        ("个人自评", "self", Decimal(20), True),
        ("坊主评价", "team_lead", Decimal(20), False),
        ("学校考核", "school", Decimal(20), True),
        ("项目考核", "district", Decimal(40), True),
    ]
    assert annual.bureau_id == xuhui.bureau.pk


def test_XH_ASSESS_PT_EVAL_HA_ASSESS_come_with_the_seeds_and_their_consequence_rules(db):
    call_command("load_demo", stdout=StringIO())
    call_command("load_programmes", stdout=StringIO())
    with all_bureaus():
        schemes = {
            (s.programme.code[:2], s.kind): [
                (c.title, c.level) for c in s.components.order_by("order")
            ]
            for s in AssessmentScheme.objects.select_related("programme")
        }
    assert set(schemes) == {
        ("xh", "annual"),
        ("xh", "end_of_term"),
        ("pt", "annual"),
        ("ha", "annual"),
        ("sj", "annual"),
    }
    # XH-ASSESS: project and comprehensive assessment at district, school and self levels, and
    # the group lead's assessment (XH-WS-LEAD).
    assert schemes[("xh", "annual")] == [
        ("个人自评", "self"),
        ("坊主评价", "team_lead"),
        ("学校考核", "school"),
        ("项目考核", "district"),
        ("综合考核", "district"),
    ]
    assert [t for t, _ in schemes[("pt", "annual")]] == ["过程性评价", "成果性评价"]  # PT-EVAL
    assert schemes[("ha", "annual")] == [("年度考核表", "team_lead")]  # HA-ASSESS
    # SJ-TITLE reads the school's annual assessment of its class teachers.
    assert schemes[("sj", "annual")] == [("学校年度考核", "school")]
    with all_bureaus():
        rules_of = {
            (s.programme.code[:2], s.kind): s.consequence_rules
            for s in AssessmentScheme.objects.select_related("programme")
        }
    # XH-FAIL-1, XH-FAIL-2, XH-BONUS, XH-FAIL-END are Xuhui's; the others name none.
    assert rules_of == {
        ("xh", "annual"): ["XH-FAIL-1", "XH-FAIL-2", "XH-BONUS"],
        ("xh", "end_of_term"): ["XH-FAIL-END"],
        ("pt", "annual"): [],
        ("ha", "annual"): [],
        ("sj", "annual"): [],
    }


def test_a_seed_with_an_unknown_level_or_a_scale_without_fail_is_refused(xuhui, tmp_path):
    data = json.loads((SEED_DIR / "xh.json").read_text(encoding="utf-8"))
    path = tmp_path / "xh.json"
    data["assessment_schemes"][0]["components"][0]["level"] = "class"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValueError, match="unknown filing level 'class'"):
        schema.read(path, "programme")
    data["assessment_schemes"][0]["components"][0]["level"] = "self"
    data["assessment_schemes"][0]["results"] = ["excellent", "pass"]
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    schema.read(path, "programme")  # the shape is right; the model refuses the scale
    from demo.assessments import load_assessment_schemes

    with (
        bureau_scope(xuhui.bureau),
        pytest.raises(ValueError, match="xh.json: assessment scheme '学年考核'.*须包括不合格"),
    ):
        load_assessment_schemes(xuhui.programme, data["assessment_schemes"], source="xh.json")
