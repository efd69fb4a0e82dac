"""Sign-in, lockout, password change and reset, and the language switch."""

import re

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User
from bureaus.tenancy import bureau_scope

from .cohorts.test_roster import confirm, preview, roster
from .conftest import PASSWORD


def login(client, username, password, ip="10.1.1.1"):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


def test_the_login_page_is_chinese_by_default(db):
    response = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in body
    assert "登录" in body and "用户名" in body and "密码" in body
    assert "English" in body  # the switch offers English


def test_anonymous_visitors_are_sent_to_sign_in(db):
    response = Client().get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_login_and_logout(xuhui):
    client = Client()
    response = login(client, "xh_teacher", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert xuhui.teacher.full_name in home.content.decode()  # signed in as that teacher
    assert "xh_teacher" not in home.content.decode()  # named by full name, not the username
    assert xuhui.bureau.short_name in home.content.decode()
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_is_a_clear_chinese_message(xuhui):
    response = login(Client(), "xh_teacher", "wrong")
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_lockout_is_keyed_on_username_and_ip(xuhui, settings):
    attacker = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(attacker, "xh_teacher", "wrong", ip="10.9.9.9")
    locked = login(attacker, "xh_teacher", PASSWORD, ip="10.9.9.9")
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    # The same school NAT address: another teacher still signs in.
    assert login(Client(), "xh_lead", PASSWORD, ip="10.9.9.9").status_code == 302
    # The same teacher from another address still signs in.
    assert login(Client(), "xh_teacher", PASSWORD, ip="10.7.7.7").status_code == 302


def test_password_change(xuhui):
    client = Client()
    login(client, "xh_teacher", PASSWORD)
    response = client.post(
        "/accounts/password/change/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-much-better-Pass-2026",
            "new_password2": "a-much-better-Pass-2026",
        },
    )
    assert response.status_code == 302
    assert login(Client(), "xh_teacher", "a-much-better-Pass-2026").status_code == 302


def test_password_reset_by_email_across_bureaus(xuhui, putuo):
    response = Client().post("/accounts/password/reset/", {"email": "pt_teacher@example.edu.cn"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"/accounts/reset/[^/]+/[^/\s]+/", mail.outbox[0].body).group(0)
    client = Client()
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    response = client.post(
        form_page.request["PATH_INFO"],
        {"new_password1": "Reset-and-better-2026", "new_password2": "Reset-and-better-2026"},
    )
    assert response.status_code == 302
    assert login(Client(), "pt_teacher", "Reset-and-better-2026").status_code == 302


def test_password_reset_for_an_unknown_address_reveals_nothing(db):
    response = Client().post("/accounts/password/reset/", {"email": "nobody@example.edu.cn"})
    assert response.status_code == 302 and mail.outbox == []


def test_a_closed_bureau_cannot_sign_in(xuhui):
    xuhui.bureau.is_active = False
    xuhui.bureau.save()
    assert login(Client(), "xh_teacher", PASSWORD).status_code == 200


def test_language_switch_to_english_and_back(xuhui):
    client = xuhui.client("teacher")
    assert "首页" in client.get("/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    body = client.get("/").content.decode()
    assert '<html lang="en">' in body and "Home" in body and "首页" not in body
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "首页" in client.get("/").content.decode()


def test_the_page_layout_shows_navigation_by_role(xuhui):
    staff_nav = xuhui.client("staff").get("/").content.decode()
    teacher_nav = xuhui.client("teacher").get("/").content.decode()
    admin_nav = xuhui.client("school_admin").get("/").content.decode()
    assert "/schools/" in staff_nav and "/admin/" in staff_nav
    assert "/schools/" not in teacher_nav and "/admin/" not in teacher_nav
    assert "/schools/mine/" in admin_nav and "/admin/" not in admin_nav


def test_a_school_administrator_sees_only_their_school(xuhui):
    client = xuhui.client("school_admin")
    assert client.get(f"/schools/{xuhui.school.pk}/").status_code == 200
    assert client.get(f"/schools/{xuhui.other_school.pk}/").status_code == 404
    assert client.get("/schools/").status_code == 403
    assert client.get("/schools/mine/")["Location"] == f"/schools/{xuhui.school.pk}/"


def test_teachers_cannot_reach_school_pages(xuhui):
    client = xuhui.client("teacher")
    assert client.get("/schools/").status_code == 403
    assert client.get(f"/schools/{xuhui.school.pk}/").status_code == 403


@pytest.mark.parametrize("path", ["/", "/me/", "/notifications/"])
def test_platform_admin_without_bureau_goes_to_admin_only(platform_admin, path):
    client = Client()
    client.force_login(platform_admin)
    response = client.get(path)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_user_without_bureau_or_platform_role_reaches_nothing(db):
    from accounts.models import User
    from bureaus.tenancy import all_bureaus

    with all_bureaus():
        orphan = User.objects.create_user(username="orphan", password="x", full_name="无归属")
    client = Client()
    client.force_login(orphan)
    assert client.get("/").status_code == 403
    assert client.get("/admin/").status_code == 302


def test_the_bell_counts_unread_notifications(xuhui):
    client = xuhui.client("teacher")
    body = client.get("/").content.decode()
    assert 'data-testid="unread-count">1<' in body  # the role-granted notice
    client.post("/notifications/read/")
    assert 'data-testid="unread-count"' not in client.get("/").content.decode()
    with bureau_scope(xuhui.bureau):
        assert not xuhui.teacher.notifications.filter(read_at__isnull=True).exists()


def test_a_teacher_created_by_a_roster_import_sets_a_password_by_email(xuhui, putuo):
    client = xuhui.client("staff")
    assert confirm(client, preview(client, xuhui, roster(xuhui, 2))).status_code == 302
    with bureau_scope(xuhui.bureau):
        teacher = User.objects.get(email="r00001@example.edu.cn")
        assert not teacher.has_usable_password()
    response = Client().post("/accounts/password/reset/", {"email": "R00001@example.edu.cn"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["r00001@example.edu.cn"]
    link = re.search(r"/accounts/reset/[^/]+/[^/\s]+/", mail.outbox[0].body).group(0)
    reset = Client()
    form_page = reset.get(link, follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    response = reset.post(
        form_page.request["PATH_INFO"],
        {"new_password1": "First-password-2026", "new_password2": "First-password-2026"},
    )
    assert response.status_code == 302
    assert login(Client(), teacher.username, "First-password-2026").status_code == 302
    # The link works once.
    assert not reset.get(link, follow=True).context["validlink"]


def test_no_reset_mail_for_a_passwordless_account_of_a_closed_bureau(xuhui):
    with bureau_scope(xuhui.bureau):
        xuhui.teacher.set_unusable_password()
        xuhui.teacher.save()
    xuhui.bureau.is_active = False
    xuhui.bureau.save()
    Client().post("/accounts/password/reset/", {"email": "xh_teacher@example.edu.cn"})
    assert mail.outbox == []
