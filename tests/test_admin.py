"""The Django admin for bureau staff: only their bureau, offered and saved."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import TeacherProfile, User
from accounts.roles import Role, roles_of
from bureaus.models import AuditEntry, School
from bureaus.tenancy import all_bureaus, bureau_scope

from .conftest import CANARY


def test_staff_add_a_school_in_their_bureau(xuhui, putuo):
    client = putuo.client("staff")
    page = client.get("/admin/bureaus/school/add/").content.decode()
    assert 'name="bureau"' not in page
    found = client.get(
        "/admin/autocomplete/",
        {
            "app_label": "bureaus",
            "model_name": "school",
            "field_name": "learning_district",
            "term": "",
        },
    ).json()["results"]
    assert [r["id"] for r in found] == [str(putuo.district.pk)]
    response = client.post(
        "/admin/bureaus/school/add/",
        {
            "name": "普陀新校",
            "stage": "primary",
            "number_of_classes": 12,
            "learning_district": putuo.district.pk,
            "code": "",
            "address": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    with bureau_scope(putuo.bureau):
        school = School.objects.get(name="普陀新校")
        assert school.bureau_id == putuo.bureau.pk
        assert AuditEntry.objects.filter(action="admin.add", target_id=str(school.pk)).exists()


def test_a_posted_id_of_another_bureau_is_refused(xuhui, putuo):
    client = putuo.client("staff")
    response = client.post(
        "/admin/bureaus/school/add/",
        {
            "name": "越界学校",
            "stage": "primary",
            "number_of_classes": 1,
            "learning_district": xuhui.district.pk,
        },
    )
    assert response.status_code == 200  # the form again, with an error
    assert "learning_district" in response.context["adminform"].form.errors
    assert not School.objects.all_bureaus().filter(name="越界学校").exists()


def test_a_duplicate_name_in_the_same_bureau_is_a_form_error_not_a_crash(xuhui, putuo):
    client = putuo.client("staff")
    response = client.post(
        "/admin/bureaus/school/add/",
        {
            "name": putuo.school.name,
            "stage": "primary",
            "number_of_classes": 1,
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    # The same name in another bureau is fine.
    response = client.post(
        "/admin/bureaus/school/add/",
        {
            "name": xuhui.school.name,
            "stage": "primary",
            "number_of_classes": 1,
        },
    )
    assert response.status_code == 302


def test_list_filters_and_changelists_show_only_the_bureau(xuhui, putuo):
    client = putuo.client("staff")
    page = client.get("/admin/bureaus/school/").content.decode()
    assert putuo.school.name in page and CANARY not in page
    assert putuo.district.name in page  # the learning-district filter offers Putuo's only


def test_staff_create_a_teacher_with_profile_and_roles(xuhui, putuo):
    client = putuo.client("staff")
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "pt_new",
            "full_name": "新老师",
            "email": "new@example.edu.cn",
            "usable_password": "true",
            "password1": "Fresh-Teacher-2026",
            "password2": "Fresh-Teacher-2026",
            "roles": [Role.TEACHER, Role.SCHOOL_ADMIN],
            "administered_school": putuo.school.pk,
            "teacher_profile-TOTAL_FORMS": "1",
            "teacher_profile-INITIAL_FORMS": "0",
            "teacher_profile-MIN_NUM_FORMS": "0",
            "teacher_profile-MAX_NUM_FORMS": "1",
            "teacher_profile-0-staff_number": "PT-900",
            "teacher_profile-0-gender": "F",
            "teacher_profile-0-school": putuo.school.pk,
            "teacher_profile-0-subject": "chinese",
            "teacher_profile-0-stage": "junior",
            "teacher_profile-0-professional_title": "first",
            "teacher_profile-0-years_teaching": "8",
            "teacher_profile-0-years_class_teacher": "3",
            "teacher_profile-0-contact": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[-4000:]
    with bureau_scope(putuo.bureau):
        user = User.objects.get(username="pt_new")
        assert user.bureau_id == putuo.bureau.pk
        assert roles_of(user) == {Role.TEACHER, Role.SCHOOL_ADMIN}
        assert TeacherProfile.objects.get(user=user).bureau_id == putuo.bureau.pk
        assert (
            AuditEntry.objects.filter(
                action="role.grant", actor=putuo.staff, target_id=str(user.pk)
            ).count()
            == 2
        )
    response = Client().post(
        "/accounts/login/", {"username": "pt_new", "password": "Fresh-Teacher-2026"}
    )
    assert response.status_code == 302


def test_a_username_is_unique_across_bureaus(xuhui, putuo):
    client = putuo.client("staff")
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "xh_teacher",
            "full_name": "重名",
            "email": "",
            "usable_password": "true",
            "password1": "Fresh-Teacher-2026",
            "password2": "Fresh-Teacher-2026",
            "teacher_profile-TOTAL_FORMS": "0",
            "teacher_profile-INITIAL_FORMS": "0",
            "teacher_profile-MIN_NUM_FORMS": "0",
            "teacher_profile-MAX_NUM_FORMS": "1",
        },
    )
    assert response.status_code == 200
    assert "username" in response.context["adminform"].form.errors


def test_staff_change_roles_in_the_user_form(xuhui):
    client = xuhui.client("staff")
    page = client.get(f"/admin/accounts/user/{xuhui.teacher.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update(
        {
            "username": "xh_teacher",
            "full_name": xuhui.teacher.full_name,
            "email": xuhui.teacher.email,
            "phone": "",
            "is_active": "on",
            "roles": [Role.TEACHER, Role.MENTOR],
            "teacher_profile-TOTAL_FORMS": "1",
            "teacher_profile-INITIAL_FORMS": "1",
            "teacher_profile-MIN_NUM_FORMS": "0",
            "teacher_profile-MAX_NUM_FORMS": "1",
        }
    )
    with bureau_scope(xuhui.bureau):
        profile = TeacherProfile.objects.get(user=xuhui.teacher)
    data.update(
        {
            "teacher_profile-0-id": profile.pk,
            "teacher_profile-0-user": xuhui.teacher.pk,
            "teacher_profile-0-staff_number": profile.staff_number,
            "teacher_profile-0-gender": "F",
            "teacher_profile-0-school": profile.school_id,
            "teacher_profile-0-subject": "maths",
            "teacher_profile-0-stage": "junior",
            "teacher_profile-0-professional_title": "first",
            "teacher_profile-0-years_teaching": "12",
            "teacher_profile-0-years_class_teacher": "6",
            "teacher_profile-0-contact": "",
        }
    )
    data.pop("password", None)
    data.pop("last_login", None)
    data.pop("date_joined", None)
    response = client.post(f"/admin/accounts/user/{xuhui.teacher.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    with bureau_scope(xuhui.bureau):
        fresh = User.objects.get(pk=xuhui.teacher.pk)
        assert roles_of(fresh) == {Role.TEACHER, Role.MENTOR}


def test_leadership_reads_but_does_not_change(xuhui):
    client = xuhui.client("leader")
    assert client.get("/admin/bureaus/school/").status_code == 200
    page = client.get(f"/admin/bureaus/school/{xuhui.school.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert (
        client.post(f"/admin/bureaus/school/{xuhui.school.pk}/change/", {"name": "x"}).status_code
        == 403
    )
    assert client.get("/admin/bureaus/school/add/").status_code == 403


def test_bureaus_and_groups_are_for_platform_admins_only(xuhui, platform_admin):
    staff = xuhui.client("staff")
    assert staff.get("/admin/bureaus/bureau/").status_code == 403
    assert staff.get("/admin/auth/group/").status_code == 403
    root = Client()
    root.force_login(platform_admin)
    assert root.get("/admin/bureaus/bureau/").status_code == 200
    page = root.get("/admin/bureaus/school/").content.decode()
    assert xuhui.school.name in page  # the platform admin sees every bureau


def test_platform_admin_cannot_link_across_bureaus(xuhui, putuo, platform_admin):
    root = Client()
    root.force_login(platform_admin)
    response = root.post(
        "/admin/bureaus/school/add/",
        {
            "bureau": putuo.bureau.pk,
            "name": "跨局",
            "stage": "primary",
            "number_of_classes": 1,
            "learning_district": xuhui.district.pk,
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    with all_bureaus():
        assert not School.objects.filter(name="跨局").exists()


def test_bulk_delete_action_is_audited(xuhui):
    client = xuhui.client("staff")
    with bureau_scope(xuhui.bureau):
        extra = School.objects.create(bureau=xuhui.bureau, name="待撤销学校", stage="primary")
    response = client.post(
        "/admin/bureaus/school/",
        {
            "action": "delete_selected",
            "_selected_action": [extra.pk],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    with bureau_scope(xuhui.bureau):
        assert not School.objects.filter(pk=extra.pk).exists()
        assert AuditEntry.objects.filter(action="admin.delete", target_id=str(extra.pk)).exists()


def admin_page_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured)


def add_rows(cast, start: int, stop: int) -> None:
    """A district, a school, a teacher (user and profile) and an audit row per number."""
    from bureaus.models import LearningDistrict
    from bureaus.services import audit_record

    with bureau_scope(cast.bureau):
        for i in range(start, stop):
            district = LearningDistrict.objects.create(bureau=cast.bureau, name=f"学区{i}")
            school = School.objects.create(
                bureau=cast.bureau, name=f"学校{i}", stage="primary", learning_district=district
            )
            user = User.objects.create_user(
                username=f"xh_row{i}", full_name=f"教师{i}", bureau=cast.bureau
            )
            TeacherProfile.objects.create(
                bureau=cast.bureau,
                user=user,
                staff_number=f"ROW{i}",
                gender="F",
                school=school,
                subject="maths",
                stage="primary",
            )
            audit_record(bureau=cast.bureau, actor=cast.staff, action="test.row", target=school)


CHANGELISTS = (
    "/admin/bureaus/learningdistrict/",
    "/admin/bureaus/school/",
    "/admin/accounts/user/",
    "/admin/accounts/teacherprofile/",
    "/admin/bureaus/auditentry/",
)


def test_changelists_do_not_query_per_row(xuhui):
    """The same number of queries for 3 rows more as for 30 (all on the first page)."""
    client = xuhui.client("staff")
    add_rows(xuhui, 0, 3)
    for url in CHANGELISTS:
        admin_page_queries(client, url)  # the session, roles and content types, once
    few = {url: admin_page_queries(client, url) for url in CHANGELISTS}
    add_rows(xuhui, 3, 30)
    many = {url: admin_page_queries(client, url) for url in CHANGELISTS}
    assert many == few


def test_SJ_INIT_staff_mark_first_time_class_teachers_from_the_list(xuhui):
    """The teachers' list takes a class-teacher stage per row; a change is audited."""
    client = xuhui.client("staff")
    with bureau_scope(xuhui.bureau):
        profiles = list(TeacherProfile.objects.order_by("pk"))
    data = {
        "form-TOTAL_FORMS": str(len(profiles)),
        "form-INITIAL_FORMS": str(len(profiles)),
        "_save": "保存",
    }
    for i, profile in enumerate(profiles):
        data[f"form-{i}-id"] = str(profile.pk)
        data[f"form-{i}-class_teacher_stage"] = "first_time" if i == 0 else ""
        data[f"form-{i}-career_stage"] = ""
    response = client.post("/admin/accounts/teacherprofile/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    with bureau_scope(xuhui.bureau):
        profiles[0].refresh_from_db()
        assert profiles[0].class_teacher_stage == "first_time"
        assert AuditEntry.objects.filter(target_id=str(profiles[0].pk)).exists()
