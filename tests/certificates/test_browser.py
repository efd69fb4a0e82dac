"""In a real browser (Debian's chromium driven by Playwright, in Chinese): staff issue every honour
certificate due in one click and watch the progress bar reach the end, moved by the page's script
while a worker thread runs the outbox's jobs one by one; the teacher then downloads theirs."""

from __future__ import annotations

import os
import queue
import shutil
import threading
import time

import pytest
from django.db import connections

from bureaus import outbox
from tests.test_browser import ARGS, CHROMIUM, expect, sign_in

from .conftest import make_kind
from .test_batch import add_class_teachers


@pytest.fixture
def page(live_server):
    if not shutil.which(CHROMIUM):
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("chromium is required (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(locale="zh-CN", base_url=live_server.url)
        page = context.new_page()
        page.set_default_timeout(20000)
        yield page
        context.close()
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def worker(monkeypatch):
    """A worker thread in the test: each job handed to the broker is run in turn, a little apart,
    so the page sees the batch progress."""
    jobs: queue.Queue = queue.Queue()
    ran: list[str] = []

    def work():
        while True:
            item = jobs.get()
            if item is None:
                break
            time.sleep(0.4)
            try:
                ran.append(outbox.run(*item))
            finally:
                connections.close_all()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    monkeypatch.setattr(
        outbox, "_publish", lambda job_id, bureau_id, task: jobs.put((job_id, bureau_id))
    )
    yield ran
    jobs.put(None)
    thread.join(timeout=30)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_SJ_HONOUR_staff_issue_all_due_and_the_progress_bar_reaches_the_end(
    page, xuhui, fake_renderer, worker
):
    honour = make_kind(xuhui, title="荣誉证书", type="honour", min_class_teacher_years=20)
    teachers = add_class_teachers(xuhui, 4)
    sign_in(page, "xh_staff")
    page.click(".mainnav >> text=证书")
    expect(page.locator("h1")).to_have_text("证书")
    page.click(f"text={honour.title}")
    expect(page.locator("[data-testid=due]")).to_have_text("4")
    page.click("[data-testid=issue-all]")
    page.wait_for_url("**/certificates/batches/*/")
    bar = page.locator("#batch-progress")
    expect(bar).to_be_visible()
    expect(bar).to_have_attribute("value", "100", timeout=30000)
    expect(page.locator("#batch-state")).to_have_text("已完成")
    expect(page.locator("#batch-text")).to_contain_text("已颁发 4 / 4 份")
    # The page was drawn while the batch ran, and its script (not a reload) moved it to the end.
    expect(page.locator("#batch-wait")).to_be_hidden()
    assert page.locator("#batch-wait").count() == 1
    assert "done" in worker
    # The list of what the batch issued, on a phone.
    page.set_viewport_size({"width": 390, "height": 800})
    page.click("text=已颁发的证书")
    for profile in teachers:
        expect(page.locator("table")).to_contain_text(profile.user.full_name)
    rows = page.locator("table.cert-list tbody tr")
    expect(rows).to_have_count(4)
    # The table scrolls in its box instead of widening the page.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1
