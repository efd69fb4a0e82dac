"""In a real browser (Debian's chromium driven by Playwright): sign in, find your way, switch
language, sign out."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture
def page(live_server):
    if not shutil.which(CHROMIUM):
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("chromium is required (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the database is used by the live
    # server's thread, and by this one only outside Playwright calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(locale="en-US", base_url=live_server.url)
        page = context.new_page()
        page.set_default_timeout(15000)
        yield page
        context.close()
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_sign_in_in_chinese_browse_and_switch_to_english(page, xuhui):
    from .conftest import PASSWORD

    page.goto("/")
    # An English-language browser still gets the Chinese portal by default.
    assert page.locator("h1").inner_text() == "登录"
    page.fill("#id_username", "xh_staff")
    page.fill("#id_password", "wrong password")
    page.click("main button[type=submit]")
    assert "请输入一个正确的" in page.locator(".errors").inner_text()
    page.fill("#id_username", "xh_staff")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/")
    assert "欢迎您" in page.locator("h1").inner_text()
    nav = page.locator(".mainnav").inner_text()
    assert "学校" in nav and "管理后台" in nav
    page.click(".mainnav >> text=学校")
    assert xuhui.school.name in page.locator("table").inner_text()
    page.click("[data-testid=language-switch]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Schools"
    assert "Home" in page.locator(".mainnav").inner_text()
    page.click("text=Log out")
    page.wait_for_url("**/accounts/login/**")
    assert page.locator("h1").inner_text() == "Log in"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_teacher_sees_their_profile_and_the_role_notification(page, xuhui):
    from .conftest import PASSWORD

    page.goto("/accounts/login/")
    page.fill("#id_username", "xh_teacher")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/")
    assert page.locator("[data-testid=unread-count]").inner_text() == "1"
    assert "管理后台" not in page.locator(".mainnav").inner_text()
    page.click(".mainnav >> text=我的资料")
    assert xuhui.school.name in page.locator("table").inner_text()
    page.click(".bell")
    page.click("text=全部标为已读")
    assert page.locator("[data-testid=unread-count]").count() == 0
