"""In a real browser: the main pages of each role, the admin pages staff work in included, load
under the Content-Security-Policy without a single violation (a blocked inline script, style or
event handler would be one), in Chinese and in English."""

from __future__ import annotations

import os
import shutil
from decimal import Decimal

import pytest
from django.test import Client

from bureaus.tenancy import bureau_scope
from workshops.models import GroupRules

from .test_browser import ARGS, CHROMIUM

# Every CSP violation the page reports, collected before any script of the page runs.
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def walk(cast) -> dict[str, list[str]]:
    """The main pages of each role of the cast, whose programme keeps attendance (XC-ATTEND) and
    school-based training hours (PT-HOURS), so that those sections and pages are walked too."""
    with bureau_scope(cast.bureau):
        GroupRules.objects.update_or_create(
            programme=cast.programme,
            defaults={
                "bureau": cast.bureau,
                "keeps_attendance": True,
                "training_hours_a_year": Decimal(40),
            },
        )
        team = cast.extras["team"]
        pk = cast.programme.pk
        requirement = cast.programme.requirements.get().pk
        enrolment = cast.extras["enrolment_backbone"].pk
        evidence = cast.extras["evidence"].pk
        deadline = cast.extras["deadline"].pk
        activity = cast.extras["activity"].pk
        call = cast.extras["output_call"].pk
        roster = cast.extras["roster_import"].pk
    return {
        "teacher": [
            "/",
            "/progress/",
            "/evidence/",
            "/evidence/new/",
            f"/evidence/{evidence}/",
            "/groups/",
            f"/groups/{team.pk}/",
            "/programmes/",
            f"/programmes/{pk}/",
            "/me/",
            "/notifications/",
        ],
        "lead": [
            "/",
            f"/groups/{team.pk}/",
            f"/groups/{team.pk}/activities/new/",
            f"/groups/{team.pk}/documents/new/",
            f"/groups/{team.pk}/members/add/",
            f"/activities/{activity}/",
            f"/deadlines/{deadline}/",
        ],
        "mentor": ["/", "/groups/", "/progress/"],
        "school_admin": [
            "/",
            "/schools/mine/",
            "/evidence/review/",
            f"/programmes/{pk}/progress/",
            f"/programmes/{pk}/sessions/",
        ],
        "leader": [
            "/",
            f"/programmes/{pk}/",
            f"/programmes/{pk}/progress/",
            f"/programmes/{pk}/coverage/",
            f"/programmes/{pk}/briefings/",
            "/admin/",
            "/admin/programmes/programme/",
            f"/admin/programmes/programme/{pk}/change/",
        ],
        "staff": [
            "/",
            "/schools/",
            "/evidence/review/",
            f"/evidence/{evidence}/",
            f"/programmes/{pk}/briefings/",
            f"/programmes/{pk}/groups/",
            f"/outputs/{call}/",
            "/admin/",
            "/admin/cohorts/enrolment/",
            f"/admin/cohorts/enrolment/{enrolment}/change/",
            "/admin/cohorts/enrolment/import/",
            "/admin/cohorts/enrolment/export/",
            "/admin/cohorts/rosterimport/",
            "/admin/cohorts/rosterimport/add/",
            f"/admin/cohorts/rosterimport/{roster}/change/",
            f"/admin/programmes/programme/{pk}/change/",
            f"/admin/programmes/requirement/{requirement}/change/",
            f"/admin/workshops/team/{team.pk}/change/",
            "/admin/workshops/team/add/",
            f"/admin/accounts/user/{cast.teacher.pk}/change/",
            "/admin/accounts/user/add/",
            "/admin/bureaus/auditentry/",
            "/admin/programmes/evidencekind/",
        ],
    }


@pytest.fixture
def browser_context(live_server):
    if not shutil.which(CHROMIUM):
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("chromium is required (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)

        def new_context(**options):
            context = browser.new_context(base_url=live_server.url, locale="zh-CN", **options)
            context.add_init_script(LISTEN)
            return context

        yield new_context
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def signed_in(context, live_server, user, language: str) -> None:
    client = Client()
    client.force_login(user)
    host = live_server.url.split("//", 1)[1].split(":")[0]
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "domain": host,
                "path": "/",
            },
            {"name": "portal_language", "value": language, "domain": host, "path": "/"},
        ]
    )


def violations_on(page, url: str, console: list[str]) -> list[str]:
    console.clear()
    response = page.goto(url)
    assert response is not None and response.status == 200, (url, response and response.status)
    page.wait_for_load_state("load")
    page.wait_for_timeout(100)  # reports are dispatched after the element that caused them
    found = page.evaluate("window.__csp")
    return [f"{url}: {v}" for v in found] + [f"{url}: {m}" for m in console]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_csp_violation_on_the_main_pages_of_each_role(
    browser_context, live_server, xuhui, language
):
    problems = []
    for role, urls in walk(xuhui).items():
        context = browser_context()
        signed_in(context, live_server, getattr(xuhui, role), language)
        page = context.new_page()
        page.set_default_timeout(15000)
        console: list[str] = []
        page.on(
            "console",
            lambda m, console=console: (
                "Content Security Policy" in m.text and console.append(m.text)
            ),
        )
        for url in urls:
            problems += violations_on(page, url, console)
        context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_csp_violation_while_signing_in_and_working_in_the_admin(
    browser_context, live_server, xuhui, tmp_path
):
    from .conftest import PASSWORD

    context = browser_context()
    page = context.new_page()
    page.set_default_timeout(15000)
    console: list[str] = []
    page.on("console", lambda m: "Content Security Policy" in m.text and console.append(m.text))
    problems = violations_on(page, "/accounts/login/", console)
    page.fill("#id_username", "xh_staff")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/")
    # The action's intermediate page (a form asking for the new status), reached through the
    # changelist's own scripts: select a row, choose the action, go.
    problems += violations_on(page, "/admin/cohorts/enrolment/", console)
    page.locator("input.action-select").first.check()
    page.select_option("select[name=action]", "change_status")
    page.click("button[name=index]")
    page.locator("input[name=apply]").wait_for(
        state="attached"
    )  # the next page, not the one clicked on
    page.wait_for_timeout(100)
    problems += [f"action page: {v}" for v in page.evaluate("window.__csp")] + console
    # A change form with inlines: a new inline row, the calendar, an autocomplete's dropdown.
    team = xuhui.extras["team"].pk
    problems += violations_on(page, f"/admin/workshops/team/{team}/change/", console)
    rows = page.locator("#memberships-group tr.form-row").count()
    page.click("#memberships-group .add-row a")
    assert page.locator("#memberships-group tr.form-row").count() == rows + 1
    page.locator(".datetimeshortcuts a").nth(1).click()
    page.locator(".calendarbox:visible").wait_for()
    page.keyboard.press("Escape")
    page.locator(".select2-selection").first.click()
    page.locator(".select2-results__option").first.wait_for()
    page.keyboard.press("Escape")
    problems += [f"group change form: {v}" for v in page.evaluate("window.__csp")] + console
    # The roster import: the file is checked and previewed before anything is written.
    from .cohorts.test_roster import roster

    sheet = tmp_path / "名单.xlsx"
    sheet.write_bytes(roster(xuhui, 2))
    problems += violations_on(page, "/admin/cohorts/enrolment/import/", console)
    page.select_option("#id_programme", str(xuhui.programme.pk))
    page.select_option("#id_format", "0")
    page.set_input_files("#id_import_file", str(sheet))
    page.click("form input[type=submit]")
    page.locator("input[name=import_file_name]").wait_for(state="attached")  # the confirm form
    problems += [f"import preview: {v}" for v in page.evaluate("window.__csp")] + console
    # The export page's "select all" works without its inline handler.
    problems += violations_on(page, "/admin/cohorts/enrolment/export/", console)
    fields = page.locator('.selectable-field-export-row input[type="checkbox"]')
    assert fields.count() >= 2
    page.uncheck("#select-all-toggle")
    assert not any(fields.nth(i).is_checked() for i in range(fields.count()))
    page.click("label[for=select-all-toggle]")
    assert all(fields.nth(i).is_checked() for i in range(fields.count()))
    assert not problems, "\n".join(problems)
