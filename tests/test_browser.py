"""In a real browser (Debian's chromium driven by Playwright): sign in, find your way, switch
language, sign out."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.uploads.samples import MINIMAL_PDF

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


def expect(locator):
    """Playwright's waiting assertions: a check after a click waits for the page it loads."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


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
    expect(page.locator(".errors")).to_contain_text("请输入一个正确的")
    page.fill("#id_username", "xh_staff")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/")
    assert "欢迎您" in page.locator("h1").inner_text()
    nav = page.locator(".mainnav").inner_text()
    assert "学校" in nav and "管理后台" in nav
    page.click(".mainnav >> text=学校")
    expect(page.locator("table")).to_contain_text(xuhui.school.name)
    page.click("[data-testid=language-switch]")
    expect(page.locator("h1")).to_have_text("Schools")
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
    expect(page.locator("table")).to_contain_text(xuhui.school.name)
    page.click(".bell")
    page.click("text=全部标为已读")
    expect(page.locator("[data-testid=unread-count]")).to_have_count(0)


def sign_in(page, username):
    from .conftest import PASSWORD

    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_teacher_uploads_evidence_and_staff_verify_it(page, xuhui, tmp_path):
    pdf = tmp_path / "公开课教案.pdf"
    pdf.write_bytes(MINIMAL_PDF)
    fake = tmp_path / "病毒.pdf"
    fake.write_bytes(b"MZ\x90\x00" + b"\x00" * 64)
    sign_in(page, "xh_teacher")
    page.click(".mainnav >> text=我的材料")
    page.click("text=上传材料")
    page.select_option("#id_kind", label="XHCANARY徐汇公开教学")
    page.fill("#id_title", "区级公开课《一次函数》")
    page.select_option("#id_level", label="区级")
    page.fill("#id_date", "2025-03-12")
    page.check("#id_requirements_0")
    page.set_input_files("#id_files", [str(fake)])
    page.click("button[name=submit]")
    expect(page.locator("main")).to_contain_text("不是真正的 PDF 文件")
    assert page.input_value("#id_title") == "区级公开课《一次函数》"  # nothing typed is lost
    page.set_input_files("#id_files", [str(pdf)])
    page.click("button[name=submit]")
    page.wait_for_url("**/evidence/*/")
    assert "已提交" in page.locator("h1").inner_text()
    page.click("text=退出登录")

    sign_in(page, "xh_staff")
    page.click(".mainnav >> text=材料审核")
    page.click("text=区级公开课《一次函数》")
    page.click("button[value=approve]")
    page.wait_for_url("**/evidence/review/")
    assert "已认定" in page.locator(".messages").inner_text()
    page.click("text=退出登录")

    sign_in(page, "xh_teacher")
    page.click(".mainnav >> text=我的进度")
    expect(page.locator("main")).to_contain_text("任务二")


# A real 1×1 PNG: uploads are decoded, so a broken one is refused.
PNG_PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c63b05a55fe1f0004d8025b72198b2f0000000049454e44ae426082"
)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_XH_BRIEF_staff_extend_a_missing_briefing_and_the_lead_files_it_and_records_an_activity(
    page, xuhui, tmp_path
):
    import datetime as dt

    from django.utils import timezone

    from bureaus.tenancy import bureau_scope

    today = timezone.localdate()
    with bureau_scope(xuhui.bureau):
        team = xuhui.extras["team"]
        last = team.deadlines.order_by("-due").first()  # 2026-06-28, never filed
    photo = tmp_path / "活动照片.png"
    photo.write_bytes(PNG_PIXEL)
    report = tmp_path / "简报附件.pdf"
    report.write_bytes(MINIMAL_PDF)

    # Staff: the board shows what is missing; one deadline gets an extension.
    sign_in(page, "xh_staff")
    page.goto(f"/programmes/{xuhui.programme.pk}/briefings/")
    row = page.locator("tr.board-row-missing", has_text=team.name)
    assert row.locator(".board-missing").count() == 4  # the 2025 school year: nothing filed
    row.locator(f"a[href='/deadlines/{last.pk}/']").click()
    page.wait_for_url(f"**/deadlines/{last.pk}/")
    page.fill("#id_to", (today - dt.timedelta(days=400)).isoformat())  # before the deadline
    page.fill("#id_reason", "区级活动冲突")
    page.click("#extension button[type=submit]")
    expect(page.locator("#extension .has-error").first).to_be_visible()
    assert page.input_value("#id_reason") == "区级活动冲突"  # nothing typed is lost
    page.fill("#id_to", (today + dt.timedelta(days=7)).isoformat())
    page.click("#extension button[type=submit]")
    page.wait_for_url(f"**/deadlines/{last.pk}/")
    assert "区级活动冲突" in page.locator("main").inner_text()
    page.click("text=退出登录")

    # The lead: the home page says what is due next; the briefing is filed in time.
    sign_in(page, "xh_lead")
    panel = page.locator("[data-testid=my-groups]")
    assert team.name in panel.inner_text()
    panel.locator(f"a[href='/deadlines/{last.pk}/']").click()
    page.fill("#id_text", "本季度完成单元作业设计三轮研讨。")
    page.set_input_files("#id_files", [str(report)])
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**/deadlines/{last.pk}/")
    main = page.locator("main").inner_text()
    assert "按时" in main and "简报附件.pdf" in main

    # ... and records an activity with a photo; a bad number loses nothing typed.
    page.goto(f"/groups/{team.pk}/")
    page.click(f"a[href='/groups/{team.pk}/activities/new/']")
    page.fill("#id_date", (today - dt.timedelta(days=1)).isoformat())
    page.fill("#id_kind", "集体备课")
    page.fill("#id_topic", "作业设计第三轮研讨")
    page.fill("#id_hours", "0")
    page.click("main form button[type=submit]")
    expect(page.locator(".has-error #id_hours")).to_have_count(1)
    assert page.input_value("#id_topic") == "作业设计第三轮研讨"
    page.fill("#id_hours", "2.5")
    page.set_input_files("#id_files", [str(photo)])
    page.click("main form button[type=submit]")
    page.wait_for_url("**/activities/*/")
    assert "作业设计第三轮研讨" in page.locator("h1").inner_text()
    image = page.locator("main img")
    assert image.count() == 1
    page.wait_for_function("() => document.querySelector('main img').complete")
    assert image.evaluate("img => img.naturalWidth") == 1  # served, not broken


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_XH_T3_the_mentee_list_narrows_as_the_teacher_types(page, xuhui):
    """Typing in the box above the mentee list hides the teachers who do not match; a chosen
    one stays in view."""
    sign_in(page, "xh_teacher")
    page.goto("/evidence/new/")
    options = page.locator("#id_mentees option")
    everyone = options.count()
    assert everyone >= 2
    first = options.nth(0).inner_text()
    page.select_option("#id_mentees", index=0)
    name = options.nth(1).inner_text().split("（")[0]
    page.fill("input.select-filter", name)
    shown = [
        options.nth(i).inner_text()
        for i in range(everyone)
        if options.nth(i).evaluate("o => !o.hidden")
    ]
    assert any(name in text for text in shown)
    assert first in shown  # chosen: stays in view
    assert all(name in text or text == first for text in shown)
