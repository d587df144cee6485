"""In the browser: a street clerk registers two enterprises, records a joint branch for them and
sees the street's 组织覆盖率 change by the right amount with the arithmetic shown; the city
administrator opens the coverage by district and sector and, in two clicks, the uncovered list."""

import re

import pytest

from shoushan.accounts.demo import DEMO_PASSWORD
from shoushan.party.tests.factories import DONGHUAMEN, enterprise_code


def _sign_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _covered(page) -> tuple[int, int]:
    text = page.inner_text("[data-arithmetic=organization]")
    covered, operating = re.search(r"=\s*(\d+)\s*÷\s*(\d+)", text).groups()
    return int(covered), int(operating)


@pytest.mark.browser
def test_a_street_clerk_covers_two_enterprises_and_the_city_finds_the_uncovered(
    browser, live_server, transactional_db, demo_city
):
    base = live_server.url
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _sign_in(page, base, "street_staff")
    codes = [enterprise_code(), enterprise_code()]
    for n, code in enumerate(codes):
        page.goto(f"{base}/party/enterprises/")
        form = page.locator("form.card")
        form.locator("input[name=name]").fill(f"浏览器测试企业{n}")
        form.locator("input[name=credit_code]").fill(code)
        form.locator("input[name=region_code]").fill(DONGHUAMEN)
        form.locator("input[name=full_members]").fill("2")
        form.locator("button[type=submit]").click()
        page.wait_for_load_state("networkidle")
        assert code in page.inner_text("table")
    page.goto(f"{base}/party/?region_code={DONGHUAMEN}")
    covered, operating = _covered(page)
    page.goto(f"{base}/party/organizations/new/")
    page.fill("input[name=name]", "浏览器测试联合党支部")
    page.select_option("select[name=kind]", "joint_branch")
    page.fill("input[name=units]", " ".join(codes))
    page.fill("input[name=full_members]", "4")
    page.fill("input[name=term_start]", "2025-03-01")
    page.fill("input[name=term_end]", "2028-02-28")
    page.fill("input[name=established_on]", "2025-03-01")
    page.click("form.card button[type=submit]")
    page.wait_for_url(re.compile(r"/party/organizations/\d+/$"))
    assert "浏览器测试企业0" in page.inner_text("main")
    page.goto(f"{base}/party/?region_code={DONGHUAMEN}")
    assert _covered(page) == (covered + 2, operating)
    context.close()

    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _sign_in(page, base, "city_admin")
    page.goto(f"{base}/party/")
    assert page.locator("#by-region").get_by_text("东城区").is_visible()
    assert page.locator("#by-sector").get_by_text("非公有制企业").is_visible()
    page.locator("#by-region tr", has_text="东城区").locator("td.num a").first.click()
    page.wait_for_url(
        re.compile(r"/party/units/\?region_code=110101000000.*uncovered=organization")
    )
    assert "没有党组织的单位" in page.inner_text("h1")
    context.close()
