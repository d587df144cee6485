"""The browser test: Debian's chromium, driven by Playwright, against a live server."""

import pytest

from shoushan.accounts.demo import DEMO_PASSWORD


@pytest.mark.browser
def test_a_street_account_walks_the_region_tree_to_a_community(
    new_person, live_server, transactional_db, beijing
):
    page = new_person()
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
