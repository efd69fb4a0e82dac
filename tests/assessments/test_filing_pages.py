"""The pages where assessments are filed (XH-ASSESS, XH-WS-LEAD): the teacher's assessments and
self-assessment, the group lead's assessment of each member and of the group, and the school
administrator's view of the school's teachers with the school's part.

The teacher reads other levels' results only once the decision is finalised, and never a draft;
a part is late after its due date but accepted until the assessment is finalised, then read-only;
files are served only to those who may read the assessment; another bureau's assessment is a 404.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import TeacherProfile, User
from accounts.roles import Role
from accounts.services import role_grant
from assessments import services
from assessments.forms import aspects_from_text, aspects_text
from assessments.models import (
    AssessmentComponent,
    AssessmentScheme,
    ComponentAssessment,
    ComponentFile,
    TeamAssessment,
    TeamAssessmentFile,
)
from bureaus.models import AuditEntry
from bureaus.tenancy import bureau_scope
from cohorts.models import Enrolment
from tests.assessments.helpers import component, make_scheme
from tests.uploads.samples import MINIMAL_PDF
from workshops.models import Membership


def pdf(name: str = "自评报告.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, MINIMAL_PDF, content_type="application/pdf")


def fake_pdf(name: str = "假文件.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"not a pdf at all", content_type="application/pdf")


@pytest.fixture
def scheme(xuhui):
    return make_scheme(xuhui)


def form_url(cast, who: str, scheme, level: str, year: str = "2023") -> str:
    enrolment = cast.extras["enrolment_backbone" if who == "teacher" else "enrolment_leader"]
    part = component(scheme, level)
    if year:
        return f"/assessments/file/{enrolment.pk}/{part.pk}/{year}/"
    return f"/assessments/file/{enrolment.pk}/{part.pk}/"


def opened(cast, scheme, year: str = "2023"):
    with bureau_scope(cast.bureau):
        return services.assessment_get_or_open(
            enrolment=cast.extras["enrolment_backbone"], scheme=scheme, year_key=year
        )


def file_all_and_finalise(cast, scheme, assessment, result: str = "fail"):
    with bureau_scope(cast.bureau):
        for level, actor in (("school", cast.school_admin), ("district", cast.staff)):
            services.component_file(
                actor=actor,
                assessment=assessment,
                component=component(scheme, level),
                result="pass",
                text=f"{level}评价文字",
            )
        if not ComponentAssessment.objects.filter(
            assessment=assessment, component__level="self"
        ).exists():
            services.component_file(
                actor=cast.teacher,
                assessment=assessment,
                component=component(scheme, "self"),
                text="自评",
            )
        draft = services.decision_make(
            actor=cast.staff, assessment=assessment, result=result, comment="认定意见"
        )
        return services.decision_finalise(actor=cast.staff, decision=draft)


# --- The teacher: my assessments ----------------------------------------------------------------


def test_XH_ASSESS_the_teacher_sees_each_year_the_mid_term_and_the_end_of_term(xuhui, scheme):
    make_scheme(xuhui, kind="end_of_term")
    page = xuhui.client("teacher").get("/assessments/mine/").content.decode()
    for year in ("2023学年", "2024学年", "2025学年"):
        assert f"{year} XHCANARY学年考核" in page
    assert "XHCANARY届满考核" in page
    assert "个人自评" in page and "学校考核" in page and "写自评" in page


def test_the_page_says_so_to_someone_not_enrolled(xuhui, scheme):
    response = xuhui.client("staff").get("/assessments/mine/")
    assert response.status_code == 200
    assert "您尚未入选培养方案" in response.content.decode()


def test_XH_ASSESS_the_teacher_files_the_self_assessment_with_a_file(xuhui, scheme):
    client = xuhui.client("teacher")
    url = form_url(xuhui, "teacher", scheme, "self")
    assert client.get(url).status_code == 200
    response = client.post(url, {"text": "本学年上公开课一节", "files": [pdf()]})
    assert response.status_code == 302 and response["Location"] == "/assessments/mine/"
    with bureau_scope(xuhui.bureau):
        filing = ComponentAssessment.objects.get(component__level="self")
        assert (filing.text, filing.filed_by, filing.assessment.year_key) == (
            "本学年上公开课一节",
            xuhui.teacher,
            "2023",
        )
        stored = ComponentFile.objects.get(filing=filing)
        assert AuditEntry.objects.filter(action="assessment.component_file").count() == 1
    page = client.get("/assessments/mine/").content.decode()
    assert "自评报告.pdf" in page and "本学年上公开课一节" in page
    # The form shows what was filed, to be changed until the assessment is finalised.
    assert "本学年上公开课一节" in client.get(url).content.decode()
    # The file: for the teacher, the lead, the school, the staff and the leadership ...
    for who in ("teacher", "lead", "school_admin", "staff", "leader"):
        response = xuhui.client(who).get(f"/assessments/files/{stored.pk}/")
        assert response.status_code == 200, who
        assert b"".join(response.streaming_content) == MINIMAL_PDF
    # ... and for nobody else: a teacher not concerned is the same 404 as a missing file.
    assert xuhui.client("mentor").get(f"/assessments/files/{stored.pk}/").status_code == 404


def test_bad_input_keeps_the_text_and_asks_for_the_files_again(xuhui, scheme):
    client = xuhui.client("teacher")
    url = form_url(xuhui, "teacher", scheme, "self")
    # No text: the file chosen is not kept, and the form says so.
    page = client.post(url, {"text": "  ", "files": [pdf()]}).content.decode()
    assert "这一项为必填" in page or "这个字段是必填项" in page
    assert "所选文件未保存，请重新选择后再提交。" in page
    # A file that is not what its name says: refused, the text is still in the form.
    response = client.post(url, {"text": "我的自评全文", "files": [fake_pdf()]})
    assert response.status_code == 200
    page = response.content.decode()
    assert "我的自评全文" in page and "所选文件未保存" in page
    with bureau_scope(xuhui.bureau):
        assert not ComponentAssessment.objects.exists()
        assert not ComponentFile.objects.exists()


def test_XH_ASSESS_the_teacher_sees_no_draft_and_other_levels_only_once_finalised(xuhui, scheme):
    assessment = opened(xuhui, scheme)
    with bureau_scope(xuhui.bureau):
        services.component_file(
            actor=xuhui.school_admin,
            assessment=assessment,
            component=component(scheme, "school"),
            result="fail",
            text="学校意见保密",
            files=[pdf("学校评价表.pdf")],
        )
        school_file = ComponentFile.objects.get()
        services.component_file(
            actor=xuhui.staff,
            assessment=assessment,
            component=component(scheme, "district"),
            result="pass",
        )
        services.component_file(
            actor=xuhui.teacher,
            assessment=assessment,
            component=component(scheme, "self"),
            text="自评",
        )
        draft = services.decision_make(
            actor=xuhui.staff, assessment=assessment, result="fail", comment="草稿意见"
        )
    client = xuhui.client("teacher")
    page = client.get("/assessments/mine/").content.decode()
    assert "学校意见保密" not in page and "草稿意见" not in page and "学校评价表.pdf" not in page
    assert "认定中" in page and "定稿后可见" in page
    assert client.get(f"/assessments/files/{school_file.pk}/").status_code == 404
    with bureau_scope(xuhui.bureau):
        services.decision_finalise(actor=xuhui.staff, decision=draft)
    page = client.get("/assessments/mine/").content.decode()
    assert "学校意见保密" in page and "草稿意见" in page and "学校评价表.pdf" in page
    assert "最终结果" in page
    assert client.get(f"/assessments/files/{school_file.pk}/").status_code == 200


def test_XH_ASSESS_a_corrected_result_shows_the_old_one_with_the_reason(xuhui, scheme):
    final = file_all_and_finalise(xuhui, scheme, opened(xuhui, scheme), result="fail")
    with bureau_scope(xuhui.bureau):
        services.decision_correct(
            actor=xuhui.staff, decision=final, result="pass", reason="补交材料后复核"
        )
    page = xuhui.client("teacher").get("/assessments/mine/").content.decode()
    assert "<del>不合格</del>" in page and "补交材料后复核" in page
    assert "更正原因" in page


def test_a_part_past_its_due_date_is_late_but_accepted_until_finalised(xuhui, scheme):
    with bureau_scope(xuhui.bureau):
        AssessmentComponent.objects.filter(scheme=scheme, level="self").update(
            due_month=6, due_day=30
        )
        part = component(scheme, "self")
        assert part.due_on(xuhui.programme, "2023") == dt.date(2024, 6, 30)
        assert part.due_on(xuhui.programme, "2024") == dt.date(2025, 6, 30)
    client = xuhui.client("teacher")
    url = form_url(xuhui, "teacher", scheme, "self")
    page = client.get(url).content.decode()
    assert "2024-06-30" in page and "已过截止日期" in page
    assert client.get("/assessments/mine/").content.decode().count("已逾期") >= 1
    assert client.post(url, {"text": "迟交的自评"}).status_code == 302
    assert "逾期提交" in client.get("/assessments/mine/").content.decode()


def test_a_finalised_assessment_is_read_only(xuhui, scheme):
    assessment = opened(xuhui, scheme)
    file_all_and_finalise(xuhui, scheme, assessment, result="pass")
    client = xuhui.client("teacher")
    url = form_url(xuhui, "teacher", scheme, "self")
    page = client.get(url).content.decode()
    assert "已定稿" in page and 'name="text"' not in page
    response = client.post(url, {"text": "定稿后改写"}, follow=True)
    assert "考核已定稿，此项不能再修改。" in response.content.decode()
    with bureau_scope(xuhui.bureau):
        assert ComponentAssessment.objects.get(component__level="self").text == "自评"


def test_who_may_open_which_form(xuhui, putuo, scheme):
    self_url = form_url(xuhui, "teacher", scheme, "self")
    school_url = form_url(xuhui, "teacher", scheme, "school")
    lead_url = form_url(xuhui, "teacher", scheme, "team_lead")
    district_url = form_url(xuhui, "teacher", scheme, "district")
    # Another bureau, or a teacher not concerned: the same 404 as a missing assessment.
    for who in ("teacher", "staff", "school_admin", "lead"):
        for url in (self_url, school_url, lead_url):
            assert putuo.client(who).get(url).status_code == 404, (who, url)
    assert xuhui.client("mentor").get(self_url).status_code == 404
    # Those who read the assessment but may not file this part: 403.
    assert xuhui.client("lead").get(self_url).status_code == 403
    assert xuhui.client("teacher").get(school_url).status_code == 403
    assert xuhui.client("school_admin").get(lead_url).status_code == 403
    # The district's part is filed by staff on the board, not here.
    assert xuhui.client("staff").get(district_url).status_code == 404
    # A year the programme does not have; a year on an assessment of the cycle.
    assert xuhui.client("teacher").get(self_url.replace("2023", "2031")).status_code == 404
    end = make_scheme(xuhui, kind="end_of_term")
    assert xuhui.client("teacher").get(form_url(xuhui, "teacher", end, "self")).status_code == 404
    assert (
        xuhui.client("teacher").get(form_url(xuhui, "teacher", end, "self", "")).status_code == 200
    )


# --- The group lead: assess my group (XH-WS-LEAD) -----------------------------------------------


def test_XH_WS_LEAD_the_lead_assesses_each_member_on_the_four_aspects(xuhui, scheme):
    team = xuhui.extras["team"]
    client = xuhui.client("lead")
    listing = client.get("/assessments/groups/").content.decode()
    assert team.name in listing and "2024学年" in listing
    page = client.get(f"/assessments/groups/{team.pk}/2023/").content.decode()
    assert xuhui.teacher.full_name in page
    url = form_url(xuhui, "teacher", scheme, "team_lead")
    back = f"/assessments/groups/{team.pk}/2023/"
    form = client.get(f"{url}?next={back}").content.decode()
    for label in ("参与情况", "同伴互助", "任务完成", "成果产出"):
        assert label in form
    response = client.post(
        url,
        {
            "next": back,
            "result": "excellent",
            "participation": "每次活动均参加",
            "peer_support": "带教两位青年教师",
            "task_completion": "完成课例研究",
            "outputs": "论文一篇",
        },
    )
    assert response.status_code == 302 and response["Location"] == back
    with bureau_scope(xuhui.bureau):
        filing = ComponentAssessment.objects.get(component__level="team_lead")
    assert filing.result == "excellent" and filing.filed_by == xuhui.lead
    assert aspects_from_text(filing.text) == {
        "participation": "每次活动均参加",
        "peer_support": "带教两位青年教师",
        "task_completion": "完成课例研究",
        "outputs": "论文一篇",
    }
    # Shown back in the form, each aspect in its own field.
    assert "带教两位青年教师</textarea>" in client.get(url).content.decode()
    assert "优秀" in client.get(back).content.decode()
    # The teacher does not read the lead's result before the decision is final.
    assert (
        "带教两位青年教师" not in xuhui.client("teacher").get("/assessments/mine/").content.decode()
    )


def test_the_aspects_survive_a_text_written_otherwise():
    assert aspects_from_text("自由书写的评价") == {"participation": "自由书写的评价"}
    text = aspects_text({"participation": "a", "outputs": "b\nc"})
    assert aspects_from_text(text) == {"participation": "a", "outputs": "b\nc"}


def test_XH_WS_LEAD_a_scored_scheme_asks_the_lead_for_a_score_with_its_weight(xuhui):
    scheme = make_scheme(xuhui, scored=True)
    client = xuhui.client("lead")
    url = form_url(xuhui, "teacher", scheme, "team_lead")
    assert "占考核的20%" in client.get(url).content.decode()
    page = client.post(url, {"result": "pass", "score": "120"}).content.decode()
    assert "participation" in page  # the form again, with the error
    assert client.post(url, {"result": "pass", "score": "85.5"}).status_code == 302
    with bureau_scope(xuhui.bureau):
        assert str(ComponentAssessment.objects.get().score) == "85.50"


def test_XH_WS_LEAD_the_lead_assesses_the_group_as_a_whole_until_the_year_is_finalised(
    xuhui, scheme
):
    team = xuhui.extras["team"]
    client = xuhui.client("lead")
    url = f"/assessments/groups/{team.pk}/2023/"
    # Bad input: the text is kept, the file is asked for again.
    page = client.post(url, {"result": "", "text": "全年活动十二次", "files": [pdf()]})
    page = page.content.decode()
    assert "全年活动十二次" in page and "所选文件未保存" in page
    response = client.post(
        url, {"result": "excellent", "text": "全年活动十二次", "files": [pdf("团队总结.pdf")]}
    )
    assert response.status_code == 302
    with bureau_scope(xuhui.bureau):
        found = TeamAssessment.objects.get()
        assert (found.team, found.year_key, found.result) == (team, "2023", "excellent")
        stored = TeamAssessmentFile.objects.get()
        [entry] = AuditEntry.objects.filter(action="assessment.team_file")
        assert entry.data["group"] == team.name
    assert "团队总结.pdf" in client.get(url).content.decode()
    for who, status in (("lead", 200), ("staff", 200), ("leader", 200), ("teacher", 404)):
        response = xuhui.client(who).get(f"/assessments/group-files/{stored.pk}/")
        assert response.status_code == status, who
    # Once the bureau finalises a member's assessment of that year, the group's is locked.
    file_all_and_finalise(xuhui, scheme, opened(xuhui, scheme), result="pass")
    page = client.get(url).content.decode()
    assert "已对本学年的考核定稿" in page and 'name="text"' not in page
    client.post(url, {"result": "fail", "text": "改"})
    with bureau_scope(xuhui.bureau):
        assert TeamAssessment.objects.get().result == "excellent"
        with pytest.raises(ValidationError):
            services.team_assessment_file(
                actor=xuhui.lead, team=team, year_key="2023", result="fail"
            )
    # Another year is still open.
    assert 'name="text"' in client.get(f"/assessments/groups/{team.pk}/2024/").content.decode()


def test_XH_WS_LEAD_only_the_lead_assesses_the_group(xuhui, putuo, scheme):
    team = xuhui.extras["team"]
    url = f"/assessments/groups/{team.pk}/2023/"
    assert xuhui.client("teacher").get(url).status_code == 403  # a member sees the group
    assert xuhui.client("mentor").get(url).status_code == 404
    for who in ("lead", "staff", "teacher"):
        assert putuo.client(who).get(url).status_code == 404
    assert xuhui.client("lead").get(f"/assessments/groups/{team.pk}/2031/").status_code == 404
    assert "您没有带领团队" in xuhui.client("mentor").get("/assessments/groups/").content.decode()


# --- The school administrator -------------------------------------------------------------------


def test_the_school_sees_its_teachers_with_what_is_missing_and_files_its_part(xuhui, scheme):
    client = xuhui.client("school_admin")
    page = client.get(f"/assessments/school/?scheme={scheme.pk}&year=2023").content.decode()
    assert xuhui.teacher.full_name in page and xuhui.lead.full_name in page
    assert "未提交" in page
    url = form_url(xuhui, "teacher", scheme, "school")
    back = f"/assessments/school/?scheme={scheme.pk}&year=2023"
    response = client.post(url, {"next": back, "result": "pass", "text": "师德表现良好"})
    assert response.status_code == 302 and response["Location"] == back
    with bureau_scope(xuhui.bureau):
        filing = ComponentAssessment.objects.get()
        assert (filing.level, filing.result, filing.filed_by) == (
            "school",
            "pass",
            xuhui.school_admin,
        )
    assert "合格" in client.get(back).content.decode()
    # Only school administrators reach the page.
    assert xuhui.client("teacher").get("/assessments/school/").status_code == 403


def test_the_school_page_says_so_without_assessments(xuhui):
    page = xuhui.client("school_admin").get("/assessments/school/").content.decode()
    assert "本校没有教师参加设有考核的培养方案" in page


def test_a_school_administrator_files_only_for_their_own_school(xuhui, scheme):
    with bureau_scope(xuhui.bureau):
        Enrolment.objects.filter(pk=xuhui.extras["enrolment_backbone"].pk).update(
            school=xuhui.other_school
        )
    assert (
        xuhui.client("school_admin").get(form_url(xuhui, "teacher", scheme, "school")).status_code
        == 404
    )
    page = xuhui.client("school_admin").get("/assessments/school/").content.decode()
    assert xuhui.teacher.full_name not in page


# --- Due dates ----------------------------------------------------------------------------------


def test_a_due_month_must_fit_the_programmes_calendar(xuhui, scheme):
    end = make_scheme(xuhui, kind="end_of_term")
    with bureau_scope(xuhui.bureau):
        part = component(end, "self")
        part.due_month = 3  # the cycle 2023-09 to 2026-06 has March three times
        with pytest.raises(ValidationError, match="不止一次"):
            part.full_clean()
        part.due_month, part.due_day = 2, 30
        with pytest.raises(ValidationError):
            part.full_clean()
        part.due_month, part.due_day = None, 5
        with pytest.raises(ValidationError):
            part.full_clean()
        annual = component(scheme, "self")
        annual.due_month, annual.due_day = 6, 30
        annual.full_clean()
        part.due_month, part.due_day = None, None
        part.full_clean()


def test_the_due_date_goes_with_the_scheme_to_the_next_cycle(xuhui, scheme):
    with bureau_scope(xuhui.bureau):
        AssessmentComponent.objects.filter(scheme=scheme, level="self").update(due_month=6)
        from programmes.models import Programme

        target = Programme.objects.create(
            bureau=xuhui.bureau,
            code="backbone-2026",
            name="下一轮",
            start_month=dt.date(2026, 9, 1),
            end_month=dt.date(2029, 6, 1),
        )
        services.schemes_copy(actor=xuhui.staff, source=xuhui.programme, target=target, months=36)
        copied = AssessmentScheme.objects.get(programme=target)
        assert copied.components.get(level="self").due_month == 6


# --- Queries ------------------------------------------------------------------------------------


def new_member(cast, key: str, tier_code: str = "backbone") -> Enrolment:
    user = User.objects.create_user(
        username=f"{cast.bureau.code}_{key}",
        password="x",
        full_name=f"成员{key}",
        email=f"{key}@example.edu.cn",
        bureau=cast.bureau,
    )
    role_grant(actor=None, user=user, role=Role.TEACHER)
    profile = TeacherProfile.objects.create(
        bureau=cast.bureau,
        user=user,
        staff_number=f"{cast.bureau.code.upper()}-{key}",
        gender="F",
        school=cast.school,
        subject="maths",
        stage="junior",
    )
    Membership.objects.create(bureau=cast.bureau, team=cast.extras["team"], teacher=profile)
    return Enrolment.objects.create(
        bureau=cast.bureau,
        programme=cast.programme,
        teacher=profile,
        tier=cast.programme.tiers.get(code=tier_code),
        school=cast.school,
        enrolled_on=dt.date(2023, 9, 1),
    )


def file_for(cast, scheme, enrolment, year: str = "2023") -> None:
    assessment = services.assessment_get_or_open(enrolment=enrolment, scheme=scheme, year_key=year)
    for level, actor in (("school", cast.school_admin), ("team_lead", cast.lead)):
        services.component_file(
            actor=actor,
            assessment=assessment,
            component=component(scheme, level),
            result="pass",
            files=[pdf()],
        )


def count_queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as seen:
        assert client.get(url).status_code == 200
    return len(seen.captured_queries)


def test_the_lead_and_school_pages_take_the_same_queries_for_2_or_8_teachers(
    xuhui, scheme, django_assert_max_num_queries
):
    team = xuhui.extras["team"]
    lead, school = xuhui.client("lead"), xuhui.client("school_admin")
    group_url = f"/assessments/groups/{team.pk}/2023/"
    school_url = f"/assessments/school/?scheme={scheme.pk}&year=2023"
    with bureau_scope(xuhui.bureau):
        file_for(xuhui, scheme, xuhui.extras["enrolment_backbone"])
    small = (count_queries(lead, group_url), count_queries(school, school_url))
    with bureau_scope(xuhui.bureau):
        for i in range(6):
            file_for(xuhui, scheme, new_member(xuhui, f"m{i}"))
    with django_assert_max_num_queries(small[0]):
        assert lead.get(group_url).status_code == 200
    with django_assert_max_num_queries(small[1]):
        page = school.get(school_url).content.decode()
    assert page.count("成员m") == 6


def test_my_assessments_takes_the_same_queries_for_one_or_three_years_filed(
    xuhui, scheme, django_assert_max_num_queries
):
    make_scheme(xuhui, kind="end_of_term")
    client = xuhui.client("teacher")
    with bureau_scope(xuhui.bureau):
        file_for(xuhui, scheme, xuhui.extras["enrolment_backbone"], "2023")
    small = count_queries(client, "/assessments/mine/")
    with bureau_scope(xuhui.bureau):
        for year in ("2024", "2025"):
            file_for(xuhui, scheme, xuhui.extras["enrolment_backbone"], year)
            assessment = services.assessment_get_or_open(
                enrolment=xuhui.extras["enrolment_backbone"], scheme=scheme, year_key=year
            )
            file_all_and_finalise(xuhui, scheme, assessment, result="pass")
    with django_assert_max_num_queries(small):
        assert client.get("/assessments/mine/").status_code == 200


# --- Navigation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "label", "shown"),
    [
        ("teacher", "我的考核", True),
        ("staff", "我的考核", False),
        ("lead", "团队考核", True),
        ("teacher", "团队考核", False),
        ("school_admin", "本校考核", True),
        ("leader", "本校考核", False),
    ],
)
def test_each_role_finds_its_page_in_the_navigation(xuhui, who, label, shown):
    assert (label in xuhui.client(who).get("/").content.decode()) is shown


# --- No rule ids --------------------------------------------------------------------------------


def test_no_rule_id_on_the_filing_pages(xuhui, scheme):
    from tests.test_no_rule_ids_on_pages import RULE_ID

    with bureau_scope(xuhui.bureau):
        AssessmentComponent.objects.filter(scheme=scheme).update(
            description="参与情况、同伴互助、任务完成、成果（XH-WS-LEAD）"
        )
    team = xuhui.extras["team"]
    pages = {
        "teacher": ["/assessments/mine/", form_url(xuhui, "teacher", scheme, "self")],
        "lead": [
            "/assessments/groups/",
            f"/assessments/groups/{team.pk}/2023/",
            form_url(xuhui, "teacher", scheme, "team_lead"),
        ],
        "school_admin": ["/assessments/school/", form_url(xuhui, "teacher", scheme, "school")],
    }
    for who, urls in pages.items():
        for url in urls:
            response = xuhui.client(who).get(url)
            assert response.status_code == 200, (who, url)
            body = response.content.decode()
            assert not RULE_ID.findall(body), (who, url)
    assert "成果" in xuhui.client("teacher").get(pages["teacher"][1]).content.decode()


# --- Reminders ----------------------------------------------------------------------------------


def test_a_self_assessment_not_filed_is_reminded_before_and_once_overdue(xuhui, scheme):
    from accounts.models import Notification
    from bureaus.tenancy import all_bureaus
    from workshops.services import reminders_scan

    with bureau_scope(xuhui.bureau):
        AssessmentComponent.objects.filter(scheme=scheme, level="self").update(
            due_month=6, due_day=30
        )

    def sent() -> list[tuple[str, str]]:
        with all_bureaus():
            return sorted(
                (n.recipient.username, n.key.rsplit(":", 2)[1])
                for n in Notification.objects.filter(key__startswith="self-assessment:")
            )

    reminders_scan(today=dt.date(2025, 6, 23))  # seven days before 2025-06-30
    assert sent() == [("xh_lead", "before"), ("xh_teacher", "before")]
    reminders_scan(today=dt.date(2025, 6, 23))
    assert len(sent()) == 2  # each once
    with bureau_scope(xuhui.bureau):
        services.component_file(
            actor=xuhui.teacher,
            assessment=opened(xuhui, scheme, "2024"),
            component=component(scheme, "self"),
            text="自评",
        )
    reminders_scan(today=dt.date(2025, 7, 1))  # overdue: only the one who has not filed
    assert ("xh_lead", "overdue") in sent() and len(sent()) == 3
    with all_bureaus():
        notice = Notification.objects.get(
            key__startswith="self-assessment:", key__contains="overdue"
        )
    assert "2024学年" in notice.subject and notice.link == "/assessments/mine/"
