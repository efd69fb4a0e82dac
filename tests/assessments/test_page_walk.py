"""What a user reads on the assessment pages: the state of a decision on the board, an overdue
rectification plan marked as such (XH-FAIL-1), in plain Chinese."""

from __future__ import annotations

import datetime as dt

from assessments import services
from bureaus.tenancy import bureau_scope
from tests.assessments.helpers import make_scheme
from tests.assessments.test_board_pages import board_url, body, file_all, open_assessment
from tests.assessments.test_filing_pages import file_all_and_finalise, opened
from tests.assessments.test_plans import owed_plan


def test_the_board_says_a_finalised_decision_is_final_not_a_column_name(xuhui):
    scheme = make_scheme(xuhui)
    assessment = open_assessment(xuhui, scheme)
    file_all(xuhui, scheme, assessment)
    with bureau_scope(xuhui.bureau):
        draft = services.decision_make(
            actor=xuhui.staff, assessment=assessment, result="pass", comment=""
        )
        services.decision_finalise(actor=xuhui.staff, decision=draft)
    html = body(xuhui.client("staff").get(board_url(scheme)))
    assert "已定稿" in html
    assert "确认时间" not in html


def test_XH_FAIL_1_an_owed_plan_past_its_date_is_marked_overdue_for_staff_and_teacher(xuhui):
    plan = owed_plan(xuhui)
    with bureau_scope(xuhui.bureau):
        plan.due_on = dt.date(2024, 8, 2)
        plan.save(update_fields=["due_on"])
    staff_list = body(xuhui.client("staff").get("/assessments/plans/review/"))
    assert "已逾期" in staff_list
    teacher_list = body(xuhui.client("teacher").get("/assessments/plans/"))
    assert "已逾期" in teacher_list
    detail = body(xuhui.client("teacher").get(f"/assessments/plans/{plan.pk}/"))
    assert "已逾期" in detail
    assert "XH-FAIL" not in staff_list + teacher_list + detail


def test_XH_FAIL_1_a_plan_not_yet_due_is_not_overdue(xuhui):
    plan = owed_plan(xuhui)
    with bureau_scope(xuhui.bureau):
        plan.due_on = dt.date.today() + dt.timedelta(days=30)
        plan.save(update_fields=["due_on"])
    assert "已逾期" not in body(xuhui.client("staff").get("/assessments/plans/review/"))


def test_XH_FAIL_1_my_assessments_links_to_the_plan_owed(xuhui):
    owed_plan(xuhui)
    html = body(xuhui.client("teacher").get("/assessments/mine/"))
    assert 'href="/assessments/plans/"' in html and "我的整改方案" in html


def test_my_assessments_has_no_plan_link_when_nothing_is_owed(xuhui):
    html = body(xuhui.client("teacher").get("/assessments/mine/"))
    assert 'href="/assessments/plans/"' not in html


def test_XH_WS_LEAD_a_finalised_year_without_a_group_assessment_says_none_was_filed(xuhui):
    scheme = make_scheme(xuhui)
    file_all_and_finalise(xuhui, scheme, opened(xuhui, scheme), result="pass")
    team = xuhui.extras["team"]
    page = body(xuhui.client("lead").get(f"/assessments/groups/{team.pk}/2023/"))
    assert "未提交团队整体考核" in page
    assert "按已提交的内容保存" not in page


def test_the_sheet_reads_a_self_assessment_handed_in_as_on_the_board_and_tier_as_on_pages(xuhui):
    import csv
    import io

    scheme = make_scheme(xuhui)
    file_all(xuhui, scheme, open_assessment(xuhui, scheme, year="2023"))
    response = xuhui.client("staff").post(
        "/assessments/sheets/export/",
        {
            "subject": "teachers",
            "programme": scheme.programme_id,
            "kind": "annual",
            "year": "2023",
            "file_format": "csv",
        },
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    headers = rows[0]
    assert headers[3] == "层次"
    self_column = headers.index("个人自评（个人自评）")
    by_number = {r[0]: r for r in rows[1:]}
    assert by_number[xuhui.teacher.teacher_profile.staff_number][self_column] == "已提交"
    assert by_number[xuhui.lead.teacher_profile.staff_number][self_column] == ""


def test_a_row_with_a_bad_result_does_not_read_unchanged_in_the_dry_run(xuhui):
    from tests.assessments.test_sheets import import_post, numbers, sheet_bytes

    scheme = make_scheme(xuhui, scored=True)
    teacher, lead = numbers(xuhui)
    data = sheet_bytes([["工号", "姓名", "最终结果"], [teacher, "甲", "很好"], [lead, "乙", ""]])
    response = import_post(xuhui.client("staff"), scheme, data)
    check = response.context["check"]
    assert [r.line for r in check.rows if r.problems] == [2]
    page = body(response)
    bad_row = page.split('class="has-error"')[1].split("</tr>")[0]
    assert "不变" not in bad_row and "很好" in bad_row
    assert page.count("不变") == 1  # the lead's row, left as it is


def test_an_exported_sheet_handed_back_leaves_its_finalised_rows_as_they_are(xuhui):
    import io

    from openpyxl import load_workbook

    from tests.assessments.test_sheets import export_post, finalise, import_post, numbers

    scheme = make_scheme(xuhui, scored=True)
    with bureau_scope(xuhui.bureau):
        finalise(xuhui, scheme, xuhui.extras["enrolment_backbone"], "2023", "fail", score=50)
    client = xuhui.client("staff")
    exported = export_post(client, scheme).content
    teacher, lead = numbers(xuhui)

    def handed_back(change_teacher: bool) -> bytes:
        book = load_workbook(io.BytesIO(exported))
        sheet = book.active
        headers = [c.value for c in sheet[1]]
        result_col = headers.index("最终结果") + 1
        for row in sheet.iter_rows(min_row=2):
            if row[0].value == lead:
                row[result_col - 1].value = "合格"
            if row[0].value == teacher and change_teacher:
                row[result_col - 1].value = "合格"
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    response = import_post(client, scheme, handed_back(False), year="2023")
    check = response.context["check"]
    assert check.valid, [(r.line, r.problems) for r in check.rows]
    assert [r.staff_number for r in check.to_write] == [lead]
    locked = [r for r in check.rows if r.locked]
    assert [r.staff_number for r in locked] == [teacher] and locked[0].empty
    # A finalised row changed in the sheet is still refused: corrections belong on the page.
    response = import_post(client, scheme, handed_back(True), year="2023")
    check = response.context["check"]
    assert not check.valid
    assert [r.staff_number for r in check.rows if r.problems] == [teacher]


def test_the_board_index_opens_an_end_of_term_board_with_a_plain_view_not_not_yet_due(xuhui):
    end = make_scheme(xuhui, kind="end_of_term")
    html = body(xuhui.client("staff").get("/assessments/board/"))
    assert f'href="/assessments/schemes/{end.pk}/board/">查看</a>' in html
    assert "未到期" not in html


def test_the_bulk_finalise_message_lists_the_refused_rows_without_doubled_punctuation(xuhui):
    scheme = make_scheme(xuhui)
    lacking = [
        open_assessment(xuhui, scheme, xuhui.extras[key])
        for key in ("enrolment_backbone", "enrolment_leader")
    ]
    with bureau_scope(xuhui.bureau):
        drafts = [
            services.decision_make(actor=xuhui.staff, assessment=a, result="pass") for a in lacking
        ]
    response = xuhui.client("staff").post(
        f"/assessments/schemes/{scheme.pk}/board/finalise/",
        {"year": "2024", "decision": [d.pk for d in drafts]},
        follow=True,
    )
    html = body(response)
    assert "未定稿（2）" in html
    assert "。；" not in html


def test_the_end_of_term_board_speaks_of_the_whole_term_not_this_year(xuhui):
    end = make_scheme(xuhui, kind="end_of_term")
    html = body(xuhui.client("staff").get(f"/assessments/schemes/{end.pk}/board/"))
    assert "整个培养周期任务" in html and "本学年任务" not in html
    annual = make_scheme(xuhui)
    html = body(xuhui.client("staff").get(board_url(annual)))
    assert "本学年任务" in html


def test_a_sheet_with_no_result_does_not_ask_to_correct_rows_that_are_valid(xuhui):
    from tests.assessments.test_sheets import import_post, numbers, sheet_bytes

    scheme = make_scheme(xuhui)
    teacher, lead = numbers(xuhui)
    data = sheet_bytes([["工号", "姓名", "最终结果"], [teacher, "甲", ""], [lead, "乙", ""]])
    page = body(import_post(xuhui.client("staff"), scheme, data))
    assert "没有任何一行填写结果" in page
    assert "请改正以下各行" not in page
