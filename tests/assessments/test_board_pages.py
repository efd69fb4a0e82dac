"""The staff's assessment board (decide, finalise one or in bulk, correct), the working group's
unit assessments (HA-ASSESS) and the leadership's results, as pages."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments import services
from assessments.models import AssessmentDecision, UnitAssessment
from bureaus.models import AuditEntry
from bureaus.tenancy import bureau_scope
from programmes.selectors import forget_specs
from tests.assessments.helpers import component, make_scheme
from tests.assessments.test_board import add_participants, assess_all
from tests.conftest import MINIMAL_PDF
from tests.test_browser import page  # noqa: F401, F811  (the browser, for the phone test)

RULE_ID = re.compile(r"\b(?:XH|XC|HA|SJ|PT)-[A-Z][A-Z0-9-]*")


def board_url(scheme, year="2024") -> str:
    return f"/assessments/schemes/{scheme.pk}/board/?year={year}"


def row_url(scheme, enrolment, year="2024") -> str:
    return f"/assessments/schemes/{scheme.pk}/board/{enrolment.pk}/?year={year}"


def open_assessment(cast, scheme, enrolment=None, year="2024"):
    with bureau_scope(cast.bureau):
        return services.assessment_get_or_open(
            enrolment=enrolment or cast.extras["enrolment_backbone"],
            scheme=scheme,
            year_key=year,
        )


def file_all(cast, scheme, assessment, *, district="pass", files=()) -> None:
    """The teacher's self-assessment (text and files), the school's and the district's parts."""
    with bureau_scope(cast.bureau):
        services.component_file(
            actor=cast.teacher,
            assessment=assessment,
            component=component(scheme, "self"),
            text="本学年完成公开课两节。",
            files=list(files),
        )
        services.component_file(
            actor=cast.school_admin,
            assessment=assessment,
            component=component(scheme, "school"),
            result="pass",
        )
        services.component_file(
            actor=cast.staff,
            assessment=assessment,
            component=component(scheme, "district"),
            result=district,
        )


def body(response) -> str:
    return response.content.decode()


# --- The board -----------------------------------------------------------------------------------


def test_xh_assess_staff_see_who_misses_what_with_counts_and_a_plain_chinese_suggestion(xuhui):
    scheme = make_scheme(xuhui)
    assessment = open_assessment(xuhui, scheme)
    file_all(xuhui, scheme, assessment)
    with bureau_scope(xuhui.bureau):
        services.component_file(
            actor=xuhui.lead,
            assessment=assessment,
            component=component(scheme, "team_lead"),
            result="pass",
        )
    response = xuhui.client("staff").get(board_url(scheme))
    assert response.status_code == 200
    html = body(response)
    assert xuhui.teacher.full_name in html and xuhui.lead.full_name in html
    # The lead's row misses the self-assessment, the school's and the district's parts.
    assert html.count("缺") >= 3
    # The suggestion names the year's requirement and the group lead's result in plain Chinese.
    assert "2024学年" in html and "任务二" in html
    assert "坊主评价 合格" in html
    assert not RULE_ID.findall(html)
    counts = dict(re.findall(r'data-state="(\w+)"><strong>(\d+)</strong>', html))
    assert counts == {"missing": "1", "complete": "1", "decided": "0", "finalised": "0"}
    missing = xuhui.client("staff").get(board_url(scheme) + "&state=missing")
    assert xuhui.lead.full_name in body(missing)
    assert f">{xuhui.teacher.full_name}<" not in body(missing)


def test_the_board_reads_in_constant_queries_at_two_sizes(xuhui, django_assert_max_num_queries):
    scheme = make_scheme(xuhui)
    client = xuhui.client("staff")
    with bureau_scope(xuhui.bureau):
        assess_all(xuhui, scheme, add_participants(xuhui, 2))
    forget_specs()  # both with the programme's configuration read afresh
    with django_assert_max_num_queries(30) as small:
        assert client.get(board_url(scheme)).status_code == 200
    with bureau_scope(xuhui.bureau):
        assess_all(xuhui, scheme, add_participants(xuhui, 60, start=2))
    forget_specs()
    with django_assert_max_num_queries(30) as large:
        response = client.get(board_url(scheme))
    assert response.status_code == 200
    assert "1 / 2" in body(response)  # 64 rows, a html of 50 at a time
    assert len(large.captured_queries) == len(small.captured_queries)


def test_deciding_writes_a_draft_and_finalising_locks_it(xuhui):
    scheme = make_scheme(xuhui)
    assessment = open_assessment(xuhui, scheme)
    file_all(xuhui, scheme, assessment)
    enrolment = xuhui.extras["enrolment_backbone"]
    client = xuhui.client("staff")
    response = client.post(
        f"/assessments/schemes/{scheme.pk}/board/{enrolment.pk}/decide/",
        {"year": "2024", "result": "pass", "comment": "完成良好"},
    )
    assert response.status_code == 302
    with bureau_scope(xuhui.bureau):
        draft = AssessmentDecision.objects.get(assessment=assessment)
    assert draft.result == "pass" and not draft.is_final and draft.comment == "完成良好"
    response = client.post(f"/assessments/decisions/{draft.pk}/finalise/", follow=True)
    assert "已定稿" in body(response) or "定稿" in body(response)
    draft.refresh_from_db()
    assert draft.is_final
    # Deciding again is refused in Chinese, nothing lost.
    response = client.post(
        f"/assessments/schemes/{scheme.pk}/board/{enrolment.pk}/decide/",
        {"year": "2024", "result": "fail", "comment": "再议"},
    )
    assert response.status_code == 400
    assert "再议" in body(response)
    with bureau_scope(xuhui.bureau):
        assert AssessmentDecision.objects.filter(assessment=assessment).count() == 1


def test_a_bad_result_is_a_chinese_message_and_the_comment_stays(xuhui):
    scheme = make_scheme(xuhui)
    enrolment = xuhui.extras["enrolment_backbone"]
    response = xuhui.client("staff").post(
        f"/assessments/schemes/{scheme.pk}/board/{enrolment.pk}/decide/",
        {"year": "2024", "result": "basic_pass", "comment": "我的意见"},
    )
    assert response.status_code == 400
    html = body(response)
    assert "我的意见" in html and "未保存" in html


def test_a_decision_posted_for_a_year_not_of_the_programme_is_not_saved(xuhui):
    scheme = make_scheme(xuhui)
    enrolment = xuhui.extras["enrolment_backbone"]
    client = xuhui.client("staff")
    response = client.post(
        f"/assessments/schemes/{scheme.pk}/board/{enrolment.pk}/decide/",
        {"year": "1999", "result": "pass", "comment": "别的学年"},
    )
    assert response.status_code == 400
    assert "1999" in body(response) and "别的学年" in body(response)
    response = client.post(
        f"/assessments/schemes/{scheme.pk}/board/finalise/",
        {"year": "1999", "all_complete": "1"},
    )
    assert response.status_code == 302
    response = client.post(
        f"/assessments/programmes/{xuhui.programme.pk}/units/",
        {"unit": f"district-{xuhui.district.pk}", "year": "1999", "result": "pass"},
    )
    assert response.status_code == 400 and "1999" in body(response)
    with bureau_scope(xuhui.bureau):
        assert not AssessmentDecision.objects.exists()
        assert not UnitAssessment.objects.exists()


def test_finalising_with_a_component_missing_says_what_is_missing(xuhui):
    scheme = make_scheme(xuhui)
    assessment = open_assessment(xuhui, scheme)
    with bureau_scope(xuhui.bureau):
        draft = services.decision_make(actor=xuhui.staff, assessment=assessment, result="pass")
    response = xuhui.client("staff").post(
        f"/assessments/decisions/{draft.pk}/finalise/", follow=True
    )
    assert response.status_code == 200
    assert "个人自评" in body(response)
    draft.refresh_from_db()
    assert not draft.is_final


def test_bulk_finalise_finalises_complete_drafts_and_reports_the_others(xuhui):
    scheme = make_scheme(xuhui)
    done = open_assessment(xuhui, scheme)
    file_all(xuhui, scheme, done)
    lacking = open_assessment(xuhui, scheme, xuhui.extras["enrolment_leader"])
    with bureau_scope(xuhui.bureau):
        first = services.decision_make(actor=xuhui.staff, assessment=done, result="pass")
        second = services.decision_make(actor=xuhui.staff, assessment=lacking, result="pass")
    client = xuhui.client("staff")
    response = client.post(
        f"/assessments/schemes/{scheme.pk}/board/finalise/",
        {"year": "2024", "decision": [first.pk, second.pk]},
        follow=True,
    )
    html = body(response)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.is_final and not second.is_final
    assert xuhui.lead.full_name in html and "个人自评" in html  # why the lead's row was not
    # "All complete drafts" finalises nothing more: the lead's row is still incomplete.
    response = client.post(
        f"/assessments/schemes/{scheme.pk}/board/finalise/",
        {"year": "2024", "all_complete": "1"},
        follow=True,
    )
    assert "没有可定稿" in body(response)


def test_bulk_finalise_all_complete_drafts(xuhui):
    scheme = make_scheme(xuhui)
    with bureau_scope(xuhui.bureau):
        people = add_participants(xuhui, 3)
    for enrolment in people:
        assessment = open_assessment(xuhui, scheme, enrolment)
        with bureau_scope(xuhui.bureau):
            for level in ("self", "school", "district"):
                services.component_file(
                    actor=xuhui.staff,
                    assessment=assessment,
                    component=component(scheme, level),
                    result="pass",
                )
            services.decision_make(actor=xuhui.staff, assessment=assessment, result="pass")
    response = xuhui.client("staff").post(
        f"/assessments/schemes/{scheme.pk}/board/finalise/",
        {"year": "2024", "all_complete": "1"},
    )
    assert response.status_code == 302
    with bureau_scope(xuhui.bureau):
        assert AssessmentDecision.objects.filter(finalised_at__isnull=False).count() == 3
        assert AuditEntry.objects.filter(action="assessment.finalise").count() == 3


def test_a_correction_keeps_the_old_decision_visible_in_the_history(xuhui):
    scheme = make_scheme(xuhui)
    assessment = open_assessment(xuhui, scheme)
    file_all(xuhui, scheme, assessment, district="fail")
    enrolment = xuhui.extras["enrolment_backbone"]
    with bureau_scope(xuhui.bureau):
        first = services.decision_finalise(
            actor=xuhui.staff,
            decision=services.decision_make(
                actor=xuhui.staff, assessment=assessment, result="fail", comment="首次意见"
            ),
        )
    client = xuhui.client("staff")
    # Without a reason: refused in Chinese, nothing lost.
    response = client.post(
        f"/assessments/decisions/{first.pk}/correct/", {"result": "pass", "comment": "复核后"}
    )
    assert response.status_code == 400 and "复核后" in body(response)
    response = client.post(
        f"/assessments/decisions/{first.pk}/correct/",
        {"result": "pass", "reason": "项目考核复核后改为合格", "comment": ""},
    )
    assert response.status_code == 302
    html = body(client.get(row_url(scheme, enrolment)))
    assert "项目考核复核后改为合格" in html and "首次意见" in html
    assert "本学年完成公开课两节。" in html
    first.refresh_from_db()
    assert first.result == "fail" and first.is_final


def test_the_row_page_shows_the_texts_and_serves_the_files_to_staff_only(xuhui):
    scheme = make_scheme(xuhui)
    assessment = open_assessment(xuhui, scheme)
    pdf = SimpleUploadedFile("自评.pdf", MINIMAL_PDF, content_type="application/pdf")
    file_all(xuhui, scheme, assessment, files=[pdf])
    enrolment = xuhui.extras["enrolment_backbone"]
    html = body(xuhui.client("staff").get(row_url(scheme, enrolment)))
    assert "本学年完成公开课两节。" in html and "自评.pdf" in html
    stored = re.search(r'href="(/assessments/schemes/\d+/files/\d+/)"', html).group(1)
    assert xuhui.client("staff").get(stored).status_code == 200
    assert xuhui.client("teacher").get(stored).status_code == 403
    assert xuhui.client("leader").get(stored).status_code == 403


@pytest.mark.parametrize("role", ["teacher", "lead", "school_admin", "leader", "mentor"])
def test_only_staff_reach_the_board(xuhui, role):
    scheme = make_scheme(xuhui)
    client = xuhui.client(role)
    assert client.get(board_url(scheme)).status_code == 403
    assert client.get("/assessments/board/").status_code == 403


def test_an_unknown_year_is_said_and_the_board_still_shows(xuhui):
    scheme = make_scheme(xuhui)
    response = xuhui.client("staff").get(board_url(scheme, "1999"))
    assert response.status_code == 200
    assert "1999" in body(response)


def test_another_bureaus_scheme_enrolment_and_decision_are_404(xuhui, putuo):
    scheme = make_scheme(xuhui)
    assessment = open_assessment(xuhui, scheme)
    with bureau_scope(xuhui.bureau):
        draft = services.decision_make(actor=xuhui.staff, assessment=assessment, result="pass")
    client = putuo.client("staff")
    enrolment = xuhui.extras["enrolment_backbone"]
    assert client.get(board_url(scheme)).status_code == 404
    assert client.get(row_url(scheme, enrolment)).status_code == 404
    assert client.post(f"/assessments/decisions/{draft.pk}/finalise/").status_code == 404
    assert client.get(f"/assessments/schemes/{scheme.pk}/results/").status_code == 404
    # Putuo's own scheme with Xuhui's enrolment: 404 as well.
    putuo_scheme = make_scheme(putuo)
    assert client.get(row_url(putuo_scheme, enrolment)).status_code == 404
    draft.refresh_from_db()
    assert not draft.is_final


def test_the_board_index_lists_the_schemes_and_years(xuhui):
    scheme = make_scheme(xuhui)
    html = body(xuhui.client("staff").get("/assessments/board/"))
    assert scheme.title in html and "2024学年" in html
    assert f"/assessments/schemes/{scheme.pk}/board/?year=2024" in html


def test_the_navigation_shows_the_board_to_staff_and_the_results_to_leadership(xuhui):
    staff = body(xuhui.client("staff").get("/"))
    leader = body(xuhui.client("leader").get("/"))
    teacher = body(xuhui.client("teacher").get("/"))
    assert "/assessments/board/" in staff and "/assessments/results/" in staff
    assert "/assessments/board/" not in leader and "/assessments/results/" in leader
    assert "/assessments/board/" not in teacher and "/assessments/results/" not in teacher
    pk = xuhui.programme.pk
    programme = body(xuhui.client("staff").get(f"/programmes/{pk}/"))
    assert f"/assessments/board/?programme={pk}" in programme
    assert f"/assessments/results/?programme={pk}" in programme
    assert f"/assessments/results/?programme={pk}" in body(
        xuhui.client("leader").get(f"/programmes/{pk}/")
    )


# --- HA-ASSESS: units -----------------------------------------------------------------------------


def test_ha_assess_the_working_group_gives_each_unit_a_result_per_year(xuhui):
    url = f"/assessments/programmes/{xuhui.programme.pk}/units/?year=2024"
    client = xuhui.client("staff")
    html = body(client.get(url))
    assert xuhui.district.name in html and xuhui.other_school.name in html
    assert xuhui.school.name not in html  # in a learning district: the district is assessed
    response = client.post(
        url,
        {
            "unit": f"district-{xuhui.district.pk}",
            "year": "2024",
            "result": "excellent",
            "comment": "组织有力",
        },
    )
    assert response.status_code == 302
    with bureau_scope(xuhui.bureau):
        found = UnitAssessment.objects.get(learning_district=xuhui.district, year_key="2024")
    assert found.result == "excellent" and found.comment == "组织有力"
    # No result chosen: refused in Chinese, the comment kept.
    response = client.post(
        url,
        {"unit": f"school-{xuhui.other_school.pk}", "year": "2024", "comment": "待定"},
    )
    assert response.status_code == 400 and "待定" in body(response)
    assert not RULE_ID.findall(body(client.get(url)))


def test_units_are_staffs_and_another_bureaus_unit_is_404(xuhui, putuo):
    url = f"/assessments/programmes/{xuhui.programme.pk}/units/?year=2024"
    assert xuhui.client("leader").get(url).status_code == 403
    assert putuo.client("staff").get(url).status_code == 404
    own = f"/assessments/programmes/{putuo.programme.pk}/units/?year=2024"
    response = putuo.client("staff").post(
        own, {"unit": f"district-{xuhui.district.pk}", "year": "2024", "result": "pass"}
    )
    assert response.status_code == 404


# --- Leadership: results -------------------------------------------------------------------------


def test_leadership_read_results_by_school_and_tier_and_filter_teachers(xuhui):
    scheme = make_scheme(xuhui)
    assessment = open_assessment(xuhui, scheme)
    file_all(xuhui, scheme, assessment)
    with bureau_scope(xuhui.bureau):
        services.decision_finalise(
            actor=xuhui.staff,
            decision=services.decision_make(
                actor=xuhui.staff, assessment=assessment, result="excellent"
            ),
        )
        other = open_assessment(xuhui, scheme, xuhui.extras["enrolment_leader"])
        services.decision_make(actor=xuhui.staff, assessment=other, result="fail")  # a draft
        services.unit_assessment_decide(
            actor=xuhui.staff,
            programme=xuhui.programme,
            year_key="2024",
            result="pass",
            comment="单位意见",
            district=xuhui.district,
        )
    client = xuhui.client("leader")
    url = f"/assessments/schemes/{scheme.pk}/results/?year=2024"
    html = body(client.get(url))
    assert "优秀" in html and "尚未" in html
    assert xuhui.school.name in html and "中青年骨干" in html
    assert "单位意见" in html  # the units' results
    assert not RULE_ID.findall(html)
    # The draft fail is not a result yet: filtered on fail, nobody.
    failed = body(client.get(url + "&result=fail"))
    assert xuhui.lead.full_name not in failed
    excellent = body(client.get(url + "&result=excellent"))
    assert xuhui.teacher.full_name in excellent and xuhui.lead.full_name not in excellent
    assert client.get("/assessments/results/").status_code == 200


@pytest.mark.parametrize("role", ["teacher", "lead", "school_admin", "mentor"])
def test_only_leadership_and_staff_read_results(xuhui, role):
    scheme = make_scheme(xuhui)
    client = xuhui.client(role)
    assert client.get(f"/assessments/schemes/{scheme.pk}/results/").status_code == 403
    assert client.get("/assessments/results/").status_code == 403


def test_results_read_in_constant_queries(xuhui, django_assert_max_num_queries):
    scheme = make_scheme(xuhui)
    client = xuhui.client("leader")
    url = f"/assessments/schemes/{scheme.pk}/results/?year=2024"
    with bureau_scope(xuhui.bureau):
        assess_all(xuhui, scheme, add_participants(xuhui, 1))
    with django_assert_max_num_queries(20) as small:
        client.get(url)
    with bureau_scope(xuhui.bureau):
        assess_all(xuhui, scheme, add_participants(xuhui, 60, start=1))
    with django_assert_max_num_queries(20) as large:
        client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_board_and_results_link_to_the_spreadsheets_and_only_staff_to_the_import(xuhui):
    scheme = make_scheme(xuhui)
    board = body(xuhui.client("staff").get(f"/assessments/schemes/{scheme.pk}/board/?year=2024"))
    query = f"?programme={xuhui.programme.pk}&amp;kind=annual&amp;year=2024"
    assert f"/assessments/sheets/export/{query}" in board
    assert f"/assessments/sheets/import/{query}" in board
    results = f"/assessments/schemes/{scheme.pk}/results/?year=2024"
    staff, leader = (body(xuhui.client(who).get(results)) for who in ("staff", "leader"))
    assert "/assessments/sheets/import/" in staff
    assert f"/assessments/sheets/export/{query}" in leader
    assert "/assessments/sheets/import/" not in leader


# --- In a browser, on a phone ------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_board_scrolls_in_its_box_and_the_decide_form_saves(page, xuhui):  # noqa: F811
    import os

    from tests.conftest import PASSWORD

    scheme = make_scheme(xuhui)
    assessment = open_assessment(xuhui, scheme)
    file_all(xuhui, scheme, assessment)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/accounts/login/")
    page.fill("#id_username", "xh_staff")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/")
    page.goto(board_url(scheme))
    shots = os.environ.get("BOARD_SHOTS")
    if shots:
        page.screenshot(path=f"{shots}/board-390.png", full_page=True)
    # The page itself does not scroll sideways: the table does, in its own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto(row_url(scheme, xuhui.extras["enrolment_backbone"]))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.select_option("#decision select[name=result]", "pass")
    page.fill("#decision textarea[name=comment]", "手机上评定")
    if shots:
        page.screenshot(path=f"{shots}/row-390.png", full_page=True)
    page.click("#decision button.primary")
    page.locator(".messages", has_text="已评定").wait_for()
    with bureau_scope(xuhui.bureau):
        decision = AssessmentDecision.objects.get(assessment=assessment)
    assert decision.comment == "手机上评定" and not decision.is_final
    if shots:
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(board_url(scheme))
        page.screenshot(path=f"{shots}/board-wide.png", full_page=True)
        page.goto(f"/assessments/schemes/{scheme.pk}/results/?year=2024")
        page.screenshot(path=f"{shots}/results-wide.png", full_page=True)


def test_the_years_progress_beside_the_row_is_that_years_only(xuhui):
    """XH-T2 in the fixture: one public lesson a year. The teacher's lesson of November 2023
    meets 2023学年 and not 2024学年; the end-of-term scheme reads the whole cycle."""
    import datetime as dt

    from assessments import selectors

    scheme = make_scheme(xuhui)
    teacher = xuhui.extras["enrolment_backbone"].pk
    today = dt.date(2026, 7, 1)
    with bureau_scope(xuhui.bureau):
        first = selectors.year_progress(scheme, "2023", today=today)
        second = selectors.year_progress(scheme, "2024", today=today, only=teacher)
        whole = selectors.year_progress(make_scheme(xuhui, kind="end_of_term"), "", today=today)
    assert first[teacher] == [("任务二", "met")]
    assert second == {teacher: [("任务二", "missed")]}
    assert whole[teacher] == [("任务二", "missed")]  # later years and the district clause missed
    with bureau_scope(xuhui.bureau):
        assessment = open_assessment(xuhui, scheme, year="2023")
    file_all(xuhui, scheme, assessment, district="excellent")
    row = row_url(scheme, xuhui.extras["enrolment_backbone"], "2023")
    html = body(xuhui.client("staff").get(row))
    assert "2023学年 各项任务均已完成；学校考核 合格；项目考核 优秀" in html
