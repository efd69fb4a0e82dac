"""The certificate pages as each role sees them: staff the bureau's kinds and certificates, a
school administrator their school's, a teacher their own — and the PDF only through the download
view, after the access check. Another bureau's certificate is the same 404 as a missing one."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from bureaus.tenancy import bureau_scope
from tests.conftest import CANARY
from tests.test_no_rule_ids_on_pages import RULE_ID

from .conftest import issue, make_kind, run_jobs


def revoke(cast, certificate, *, reason: str = "姓名有误", reissue: bool = False):
    """Revoke ``certificate`` (or reissue it: revoked, and replaced by a new one) as staff."""
    from certificates.services import certificate_reissue, certificate_revoke

    with bureau_scope(cast.bureau):
        if reissue:
            return certificate_reissue(actor=cast.staff, certificate=certificate, reason=reason)
        certificate_revoke(actor=cast.staff, certificate=certificate, reason=reason)
        return None


@pytest.fixture
def issued(xuhui, kind, fake_renderer):
    """The teacher's and the mentor's (another school) certificates, their PDFs made."""
    teacher = issue(xuhui, kind, xuhui.teacher)
    mentor = issue(xuhui, kind, xuhui.mentor)
    run_jobs(xuhui.bureau)
    with bureau_scope(xuhui.bureau):
        teacher.refresh_from_db()
        mentor.refresh_from_db()
    assert teacher.render_state == "done" and mentor.render_state == "done"
    return {"teacher": teacher, "mentor": mentor}


def test_a_teacher_downloads_their_certificate_under_its_chinese_name(xuhui, issued):
    client = xuhui.client("teacher")
    certificate = issued["teacher"]
    page = client.get("/me/").content.decode()
    assert certificate.number in page and f"/certificates/{certificate.pk}/pdf/" in page
    assert "/media/" not in page
    mine = client.get("/certificates/mine/").content.decode()
    assert certificate.number in mine and issued["mentor"].number not in mine
    response = client.get(f"/certificates/{certificate.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF") and certificate.code.encode() in body
    disposition = response["Content-Disposition"]
    name = f"{certificate.number}-{certificate.holder_name}.pdf"
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote(name)}" in disposition
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_teacher_cannot_download_another_teachers_certificate(xuhui, issued):
    client = xuhui.client("teacher")
    other = issued["mentor"]
    assert client.get(f"/certificates/{other.pk}/pdf/").status_code == 404
    assert client.get("/certificates/999999/pdf/").status_code == 404


def test_a_revoked_certificate_is_shown_revoked_with_its_replacement_and_not_served(
    xuhui, kind, issued
):
    client = xuhui.client("teacher")
    old = issued["teacher"]
    new = revoke(xuhui, old, reason="姓名更正", reissue=True)
    run_jobs(xuhui.bureau)
    assert client.get(f"/certificates/{old.pk}/pdf/").status_code == 404
    assert client.get(f"/certificates/{new.pk}/pdf/").status_code == 200
    page = client.get("/me/").content.decode()
    assert "已作废" in page and "姓名更正" in page
    assert new.number in page and f"/certificates/{new.pk}/pdf/" in page
    assert f"/certificates/{old.pk}/pdf/" not in page
    # Staff keep the revoked one's PDF for the record.
    assert xuhui.client("staff").get(f"/certificates/{old.pk}/pdf/").status_code == 200


def test_a_revoked_certificate_without_replacement_is_not_served_to_the_school(xuhui, issued):
    revoke(xuhui, issued["teacher"])
    client = xuhui.client("school_admin")
    assert client.get(f"/certificates/{issued['teacher'].pk}/pdf/").status_code == 404


def test_the_school_administrator_sees_their_schools_certificates_only(xuhui, issued):
    client = xuhui.client("school_admin")
    page = client.get("/certificates/school/").content.decode()
    mine, other = issued["teacher"], issued["mentor"]
    assert mine.number in page and mine.holder_name in page
    assert other.holder_name not in page  # the mentor teaches at another school
    assert client.get(f"/certificates/{mine.pk}/pdf/").status_code == 200
    assert client.get(f"/certificates/{other.pk}/pdf/").status_code == 404
    # A staff page is not theirs.
    assert client.get("/certificates/").status_code == 403
    assert client.get("/certificates/issued/").status_code == 403
    searched = client.get("/certificates/school/", {"q": "不存在的人"}).content.decode()
    assert mine.number not in searched


def test_the_school_page_shows_the_count_to_its_administrator(xuhui, issued):
    page = xuhui.client("school_admin").get(f"/schools/{xuhui.school.pk}/").content.decode()
    assert "/certificates/school/" in page


def test_staff_see_kinds_counts_and_every_certificate_with_filters(xuhui, kind, issued):
    client = xuhui.client("staff")
    kinds = client.get("/certificates/").content.decode()
    assert kind.title in kinds and f"/certificates/kinds/{kind.pk}/" in kinds
    detail = client.get(f"/certificates/kinds/{kind.pk}/").content.decode()
    assert kind.title in detail
    listed = client.get("/certificates/issued/").content.decode()
    for certificate in issued.values():
        assert certificate.number in listed
    by_school = client.get("/certificates/issued/", {"school": xuhui.school.pk}).content.decode()
    assert issued["teacher"].number in by_school and issued["mentor"].number not in by_school
    revoke(xuhui, issued["mentor"])
    revoked = client.get("/certificates/issued/", {"status": "revoked"}).content.decode()
    assert issued["mentor"].number in revoked and issued["teacher"].number not in revoked
    by_name = client.get(
        "/certificates/issued/", {"q": issued["teacher"].holder_name}
    ).content.decode()
    assert issued["teacher"].number in by_name and issued["mentor"].number not in by_name
    by_number = client.get("/certificates/issued/", {"q": issued["mentor"].number}).content
    assert issued["mentor"].number in by_number.decode()
    assert "/media/" not in listed


@pytest.mark.parametrize("role", ["teacher", "lead", "mentor", "school_admin", "leader"])
def test_staff_pages_are_refused_to_other_roles(xuhui, kind, role):
    client = xuhui.client(role)
    for url in ("/certificates/", f"/certificates/kinds/{kind.pk}/", "/certificates/issued/"):
        assert client.get(url).status_code == 403, url


def test_another_bureau_gets_the_same_404_as_a_missing_certificate(xuhui, putuo, kind, issued):
    certificate = issued["teacher"]
    for role in ("staff", "school_admin", "teacher"):
        client = putuo.client(role)
        for url in (f"/certificates/{certificate.pk}/pdf/", "/certificates/999999/pdf/"):
            response = client.get(url)
            assert response.status_code == 404, (role, url)
            assert CANARY not in response.content.decode()
    staff = putuo.client("staff")
    assert staff.get(f"/certificates/kinds/{kind.pk}/").status_code == 404
    assert staff.post(f"/certificates/kinds/{kind.pk}/issue-all/").status_code == 404
    listed = staff.get("/certificates/issued/").content.decode()
    assert CANARY not in listed and certificate.number not in listed


@pytest.mark.parametrize("role", ["teacher", "school_admin"])
def test_no_rule_ids_on_the_certificate_pages(xuhui, issued, role):
    make_kind(xuhui, title="荣誉证书", type="honour", min_class_teacher_years=20)
    client = xuhui.client(role)
    for url in ("/", "/me/", "/certificates/mine/", "/certificates/school/"):
        response = client.get(url)
        if response.status_code == 200:
            assert not RULE_ID.findall(response.content.decode()), url


def test_pages_speak_chinese_and_switch_to_english(xuhui, issued):
    client = xuhui.client("teacher")
    page = client.get("/certificates/mine/").content.decode()
    assert "我的证书" in page and "下载 PDF" in page
    client.post("/i18n/setlang/", {"language": "en"})
    page = client.get("/certificates/mine/").content.decode()
    assert "My certificates" in page and "Download PDF" in page


def test_the_navigation_reaches_each_roles_page(xuhui):
    staff = xuhui.client("staff").get("/").content.decode()
    assert 'href="/certificates/"' in staff
    school = xuhui.client("school_admin").get("/").content.decode()
    assert 'href="/certificates/school/"' in school
    teacher = xuhui.client("teacher").get("/").content.decode()
    assert 'href="/certificates/mine/"' in teacher


def test_staff_and_the_school_administrator_see_a_teachers_certificates_on_their_page(
    xuhui, issued
):
    certificate = issued["teacher"]
    with bureau_scope(xuhui.bureau):
        profile = xuhui.teacher.teacher_profile
    for role in ("staff", "school_admin"):
        page = xuhui.client(role).get(f"/schools/teachers/{profile.pk}/").content.decode()
        assert certificate.number in page, role
        assert f"/certificates/{certificate.pk}/pdf/" in page, role


def test_the_teachers_home_lists_their_valid_certificates(xuhui, issued):
    page = xuhui.client("teacher").get("/").content.decode()
    assert issued["teacher"].number in page and issued["mentor"].number not in page
    revoke(xuhui, issued["teacher"])
    page = xuhui.client("teacher").get("/").content.decode()
    assert issued["teacher"].number not in page


def test_XH_FAIL_END_the_teacher_reads_why_a_certificate_is_not_theirs_yet(xuhui, kind):
    client = xuhui.client("teacher")
    for url in ("/me/", "/certificates/mine/"):
        page = client.get(url).content.decode()
        assert kind.title in page and "届满考核尚未" in page, url
        assert not RULE_ID.findall(page), url
