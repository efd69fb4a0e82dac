"""Teachers upload evidence in the browser; staff verify it; progress follows (XH-T2)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from bureaus.tenancy import bureau_scope
from cohorts.models import Evidence, EvidenceFile, EvidenceState
from cohorts.selectors import progress_for_enrolment
from programmes.rules import Status
from tests.uploads.samples import MINIMAL_PDF

PDF = MINIMAL_PDF


def upload(client, cast, *, files, submit=True, title="区级公开课", level="3", day="2024-10-10"):
    with bureau_scope(cast.bureau):
        kind = cast.programme.requirements.get().criteria.first().kinds.get()
        requirement = cast.programme.requirements.get()
    data = {
        "kind": kind.pk,
        "title": title,
        "level": level,
        "date": day,
        "hours": "",
        "delivery_mode": "",
        "description": "",
        "requirements": [requirement.pk],
        "files": files,
    }
    if submit:
        data["submit"] = "1"
    return client.post("/evidence/new/", data)


def pdf(name="lesson.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("virus.pdf", b"MZ\x90\x00" + b"\x00" * 200, "不是真正的 PDF 文件"),
        ("empty.pdf", b"", "是空文件"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message_and_nothing_is_written(
    xuhui, name, content, message
):
    client = xuhui.client("teacher")
    before = Evidence.objects.all_bureaus().count()
    response = upload(client, xuhui, files=[pdf(name, content)])
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Evidence.objects.all_bureaus().count() == before
    # What the teacher typed is still in the form.
    assert 'value="区级公开课"' in response.content.decode()


def test_an_oversize_file_is_refused(xuhui, settings):
    settings.EVIDENCE_MAX_FILE_MB = 1
    response = upload(
        xuhui.client("teacher"), xuhui, files=[pdf("big.pdf", PDF + b"0" * (1024 * 1024 + 10))]
    )
    assert response.status_code == 200
    assert "最大为 1 MB" in response.content.decode()
    assert not Evidence.objects.all_bureaus().filter(title="区级公开课").exists()


def test_a_teacher_uploads_and_submits_with_several_files(xuhui):
    client = xuhui.client("teacher")
    response = upload(client, xuhui, files=[pdf("a.pdf"), pdf("b.pdf")])
    assert response.status_code == 302
    with bureau_scope(xuhui.bureau):
        evidence = Evidence.objects.get(title="区级公开课")
        assert evidence.state == EvidenceState.SUBMITTED
        assert evidence.files.count() == 2
        assert evidence.school_year == 2024 and evidence.semester == (2024, 1)
    page = client.get(f"/evidence/{evidence.pk}/").content.decode()
    assert "a.pdf" in page and "b.pdf" in page and "2024学年第一学期" in page


def test_submitting_needs_a_file(xuhui):
    client = xuhui.client("teacher")
    response = upload(client, xuhui, files=[])
    assert response.status_code == 200
    assert "请至少附上一个文件" in response.content.decode()


def test_files_are_served_only_to_those_who_may_see_them(xuhui):
    evidence, stored = xuhui.extras["evidence"], xuhui.extras["evidence_file"]
    url = f"/evidence/{evidence.pk}/files/{stored.pk}/"
    owner = xuhui.client("teacher").get(url)
    assert owner.status_code == 200 and b"".join(owner.streaming_content).startswith(b"%PDF")
    assert owner["Content-Disposition"].startswith("attachment")
    assert xuhui.client("staff").get(url).status_code == 200
    assert xuhui.client("school_admin").get(url).status_code == 200  # the teacher's school
    assert xuhui.client("lead").get(url).status_code == 404  # another teacher's file
    assert xuhui.client("mentor").get(url).status_code == 404
    page = xuhui.client("teacher").get(f"/evidence/{evidence.pk}/").content.decode()
    assert stored.file.name not in page


def test_staff_verify_and_progress_changes(xuhui):
    enrolment = xuhui.extras["enrolment_backbone"]
    teacher = xuhui.client("teacher")
    upload(teacher, xuhui, files=[pdf()], title="2024学年公开课", level="1", day="2024-10-10")
    with bureau_scope(xuhui.bureau):
        evidence = Evidence.objects.get(title="2024学年公开课")
        before = progress_for_enrolment(enrolment, today=dt.date(2025, 9, 1))
        assert before[0].result.period("2024")[0].status == Status.MISSED
    staff = xuhui.client("staff")
    queue = staff.get("/evidence/review/").content.decode()
    assert "2024学年公开课" in queue
    response = staff.post(f"/evidence/{evidence.pk}/review/", {"decision": "approve"})
    assert response.status_code == 302
    with bureau_scope(xuhui.bureau):
        evidence.refresh_from_db()
        assert evidence.state == EvidenceState.VERIFIED and evidence.verified_by == xuhui.staff
        after = progress_for_enrolment(enrolment, today=dt.date(2025, 9, 1))
        assert after[0].result.period("2024")[0].status == Status.MET
    # The cycle (2023-09 → 2026-06) is over: the page says what was missed, and why.
    page = teacher.get("/progress/").content.decode()
    assert "2025学年未达成：" in page and "还差 1 项（已有 0 项，需 1 项）" in page
    assert "2024学年未达成" not in page
    assert "截至 2026-06-30" in page  # the period's end beside its status
    assert "已结束" in page and "进行中" not in page  # the programme is over


def test_returning_needs_a_comment_and_tells_the_teacher(xuhui):
    teacher = xuhui.client("teacher")
    upload(teacher, xuhui, files=[pdf()], title="待退回材料")
    with bureau_scope(xuhui.bureau):
        evidence = Evidence.objects.get(title="待退回材料")
    staff = xuhui.client("staff")
    staff.post(f"/evidence/{evidence.pk}/review/", {"decision": "return", "comment": ""})
    with bureau_scope(xuhui.bureau):
        evidence.refresh_from_db()
        assert evidence.state == EvidenceState.SUBMITTED
    staff.post(
        f"/evidence/{evidence.pk}/review/", {"decision": "return", "comment": "请补充听课记录"}
    )
    with bureau_scope(xuhui.bureau):
        evidence.refresh_from_db()
        assert evidence.state == EvidenceState.RETURNED
        assert xuhui.teacher.notifications.filter(subject__contains="待退回材料").exists()
    mine = teacher.get("/evidence/").content.decode()
    assert "请补充听课记录" in mine
    # The teacher fixes it and resubmits.
    response = teacher.post(f"/evidence/{evidence.pk}/submit/")
    assert response.status_code == 302
    with bureau_scope(xuhui.bureau):
        evidence.refresh_from_db()
        assert evidence.state == EvidenceState.SUBMITTED
        assert [e.to_state for e in evidence.events.all()] == ["submitted", "returned", "submitted"]


def test_only_verified_evidence_counts(xuhui):
    enrolment = xuhui.extras["enrolment_backbone"]
    upload(
        xuhui.client("teacher"), xuhui, files=[pdf()], title="未审核", level="1", day="2024-10-10"
    )
    with bureau_scope(xuhui.bureau):
        rows = progress_for_enrolment(enrolment, today=dt.date(2025, 9, 1))
        assert rows[0].result.period("2024")[0].status == Status.MISSED
        assert rows[0].result.period("2023")[0].status == Status.MET  # the cast's verified one


def test_school_first_review_when_the_bureau_requires_it(xuhui):
    xuhui.bureau.school_review_first = True
    xuhui.bureau.save()
    upload(xuhui.client("teacher"), xuhui, files=[pdf()], title="校级材料", level="1")
    with bureau_scope(xuhui.bureau):
        evidence = Evidence.objects.get(title="校级材料")
    staff, school = xuhui.client("staff"), xuhui.client("school_admin")
    assert "校级材料" not in staff.get("/evidence/review/").content.decode()
    assert "校级材料" in school.get("/evidence/review/").content.decode()
    staff.post(f"/evidence/{evidence.pk}/review/", {"decision": "approve"})
    with bureau_scope(xuhui.bureau):
        evidence.refresh_from_db()
        assert evidence.state == EvidenceState.SUBMITTED  # the bureau cannot skip the school
    school.post(f"/evidence/{evidence.pk}/review/", {"decision": "approve"})
    with bureau_scope(xuhui.bureau):
        evidence.refresh_from_db()
        assert evidence.state == EvidenceState.SCHOOL_APPROVED
    assert "校级材料" in staff.get("/evidence/review/").content.decode()
    staff.post(f"/evidence/{evidence.pk}/review/", {"decision": "approve"})
    with bureau_scope(xuhui.bureau):
        evidence.refresh_from_db()
        assert evidence.state == EvidenceState.VERIFIED


def test_submitted_evidence_cannot_be_edited(xuhui):
    teacher = xuhui.client("teacher")
    upload(teacher, xuhui, files=[pdf()], title="已提交")
    with bureau_scope(xuhui.bureau):
        evidence = Evidence.objects.get(title="已提交")
    response = teacher.get(f"/evidence/{evidence.pk}/edit/", follow=True)
    assert "审核期间不能修改" in response.content.decode()


def test_a_draft_can_be_edited_files_removed_and_added(xuhui):
    teacher = xuhui.client("teacher")
    upload(teacher, xuhui, files=[pdf("old.pdf")], title="草稿", submit=False)
    with bureau_scope(xuhui.bureau):
        evidence = Evidence.objects.get(title="草稿")
        old = evidence.files.get()
        kind = evidence.kind
    response = teacher.post(
        f"/evidence/{evidence.pk}/edit/",
        {
            "kind": kind.pk,
            "title": "草稿（修改）",
            "level": "1",
            "date": "2024-10-11",
            "hours": "",
            "delivery_mode": "",
            "description": "改过",
            "remove_files": [old.pk],
            "files": [pdf("new.pdf")],
            "dimensions": ["class_building"],
        },
    )
    assert response.status_code == 302
    with bureau_scope(xuhui.bureau):
        evidence.refresh_from_db()
        assert evidence.title == "草稿（修改）" and evidence.state == EvidenceState.DRAFT
        assert [f.original_name for f in evidence.files.all()] == ["new.pdf"]
        assert not EvidenceFile.objects.filter(pk=old.pk).exists()
        assert evidence.dimensions == ["class_building"]
    page = teacher.get("/evidence/").content.decode()
    assert "班级建设" in page  # SJ-FILE: the work file groups evidence by dimension


def test_the_date_cannot_be_in_the_future(xuhui):
    response = upload(xuhui.client("teacher"), xuhui, files=[pdf()], day="2999-01-01")
    assert response.status_code == 200
    assert "不能是将来的日期" in response.content.decode()


def test_another_teacher_cannot_edit_or_submit(xuhui):
    evidence = xuhui.extras["evidence"]
    lead = xuhui.client("lead")
    assert lead.get(f"/evidence/{evidence.pk}/edit/").status_code == 404
    assert lead.post(f"/evidence/{evidence.pk}/submit/").status_code == 404
    assert Client().get(f"/evidence/{evidence.pk}/").status_code == 302


def _submitted(cast, title):
    upload(cast.client("teacher"), cast, files=[pdf()], title=title)
    with bureau_scope(cast.bureau):
        return Evidence.objects.get(title=title)


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/evidence/review/",
        "https:///evil.example/",
        "javascript:alert(1)",
        "",
    ],
)
def test_a_review_never_sends_the_reviewer_to_another_site(xuhui, next_url):
    evidence = _submitted(xuhui, "外部跳转")
    response = xuhui.client("staff").post(
        f"/evidence/{evidence.pk}/review/", {"decision": "approve", "next": next_url}
    )
    assert response.status_code == 302
    assert response["Location"] == "/evidence/review/"
    with bureau_scope(xuhui.bureau):
        evidence.refresh_from_db()
        assert evidence.state == EvidenceState.VERIFIED  # the review itself is done


def test_a_review_returns_to_a_page_of_the_portal(xuhui):
    evidence = _submitted(xuhui, "本站跳转")
    response = xuhui.client("staff").post(
        f"/evidence/{evidence.pk}/review/",
        {"decision": "approve", "next": "/evidence/review/?state=submitted"},
    )
    assert response["Location"] == "/evidence/review/?state=submitted"


def test_over_https_a_review_does_not_return_to_plain_http(xuhui):
    evidence = _submitted(xuhui, "降级跳转")
    response = xuhui.client("staff").post(
        f"/evidence/{evidence.pk}/review/",
        {"decision": "approve", "next": "http://testserver/evidence/"},
        secure=True,
    )
    assert response["Location"] == "/evidence/review/"


def test_XH_T3_a_mentoring_item_must_name_its_mentees(xuhui):
    from programmes.models import EvidenceKind

    with bureau_scope(xuhui.bureau):
        kind = EvidenceKind.objects.create(
            bureau=xuhui.bureau, code="mentoring_teacher", name="培养教师", names_people=True
        )
    client = xuhui.client("teacher")
    data = {"kind": kind.pk, "title": "带教青年教师", "level": 1, "date": "2024-10-01"}
    response = client.post("/evidence/new/", data)
    assert response.status_code == 200
    assert "请写明培养对象" in response.content.decode()
    response = client.post("/evidence/new/", {**data, "mentee_names": "王小明\n 王小明 \n李华"})
    assert response.status_code == 302
    with bureau_scope(xuhui.bureau):
        saved = Evidence.objects.get(title="带教青年教师")
        assert saved.outside_mentees == ["王小明", "李华"]
    page = client.get(f"/evidence/{saved.pk}/").content.decode()
    assert "培养对象" in page and "王小明、李华" in page
