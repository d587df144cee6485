"""The browser test: Debian's chromium, driven by Playwright, against a live server."""

import os
import shutil

import pytest

from shoushan.accounts.demo import DEMO_PASSWORD

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Playwright's sync API runs an event loop in this thread; the ORM calls of the fixtures are
# still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.mark.browser
def test_a_street_account_walks_the_region_tree_to_a_community(
    browser, live_server, transactional_db, beijing
):
    page = browser.new_page(locale="zh-CN")
    external = []
    page.on(
        "request",
        lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None,
    )

    page.goto(f"{live_server.url}/regions/")
    page.fill("#id_username", "street_staff")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")

    page.wait_for_url(f"{live_server.url}/regions/110000000000/")
    assert page.locator("h1").first.inner_text().startswith("北京市")
    page.click("table.children >> text=东城区")
    page.click("table.children >> text=东华门街道")
    page.click("table.children >> text=多福巷社区居委会")
    page.wait_for_url(f"{live_server.url}/regions/110101001001/")
    crumbs = page.locator(".breadcrumbs li").all_inner_texts()
    assert crumbs == ["北京市", "东城区", "东华门街道", "多福巷社区居委会"]
    assert "111" in page.locator("dl.facts").inner_text()

    # the live search (htmx) finds the street by a Chinese substring and opens it
    page.fill("input[name=q]", "景山")
    page.wait_for_selector("#search-results >> text=景山街道")
    page.click("#search-results >> text=景山街道")
    page.wait_for_url(f"{live_server.url}/regions/110101002000/")
    assert external == []
