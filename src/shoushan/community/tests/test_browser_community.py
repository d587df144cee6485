"""A street's staff open their communities' 三有一化 and 1060 status, record a checklist item, and
see on the map, inside the region outlines, which communities lack which services within 15
minutes and where new facilities would go; the city sees the coverage rate by district. In a
real browser."""

import re

import pytest

from shoushan.accounts.demo import DEMO_PASSWORD
from shoushan.audit.models import AuditRecord
from shoushan.community import selectors
from shoushan.community.demo import community_demo_create
from shoushan.community.models import ChecklistEntry, ChecklistStatus, Facility
from shoushan.community.tests.helpers import DONGCHENG, DONGHUAMEN, DUOFU
from shoushan.regions.models import Region


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def outlines_drawn(page, selector: str, at_least: int) -> int:
    """How many outlines the map says it drew, once it drew `at_least` (polled from here: the
    page's policy forbids evaluating strings, as wait_for_function does)."""
    for _attempt in range(100):
        drawn = int(page.get_attribute(selector, "data-outlines") or 0)
        if drawn >= at_least:
            return drawn
        page.wait_for_timeout(100)
    return drawn


@pytest.mark.browser
def test_a_street_sees_its_status_and_gaps_and_the_city_its_coverage_by_district(
    new_person, live_server, transactional_db, demo_city
):
    community_demo_create(district_codes=[DONGCHENG])
    # No sports ground anywhere: every community lacks one, so the street has gaps to plan for.
    Facility.objects.filter(category="sports").delete()
    street_communities = Region.objects.filter(level="community", parent_id=DONGHUAMEN)
    base = live_server.url

    page = new_person()
    sign_in(page, base, "street_staff")

    # 三有一化: one row per community of the street, a tick or a cross for each criterion.
    page.goto(f"{base}/community/standards/")
    rows = page.locator("main table").first.locator("tbody tr")
    assert rows.count() == street_communities.count() + 1  # and the street's total
    assert "多福巷社区" in rows.first.inner_text()
    assert re.search(r"[✔✘]", rows.first.inner_text())

    # The 1060 checklist: record one item as provided nearby, with its evidence.
    page.goto(f"{base}/community/{DUOFU}/checklist/")
    select = page.locator("select[name^=status_]").nth(1)
    item_id = int(select.get_attribute("name").removeprefix("status_"))
    select.select_option(ChecklistStatus.NEARBY)
    page.fill(f"input[name=evidence_{item_id}]", "步行 300 米有职业介绍站")
    page.click(".save-bar button[type=submit]")
    page.wait_for_url(f"{base}/community/{DUOFU}/checklist/")
    assert page.locator(".messages li.success").count() == 1
    entry = ChecklistEntry.objects.get(community_id=DUOFU, item_id=item_id)
    assert (entry.status, entry.evidence) == (ChecklistStatus.NEARBY, "步行 300 米有职业介绍站")
    assert AuditRecord.objects.filter(
        action="community.checklist_update", region_code=DUOFU, actor__username="street_staff"
    ).exists()
    assert page.locator(f"select[name=status_{item_id}]").input_value() == "nearby"

    # The service circle: the street outlined among its communities, red points for the gaps,
    # and numbered suggested sites for the category most communities lack.
    page.goto(f"{base}/community/service-circle/")
    outlined = street_communities.exclude(boundary=None).count()
    assert outlines_drawn(page, "#circle-map", 2 + outlined) == 2 + outlined  # and the district
    outline = selectors.map_outlines(Region.objects.get(code=DONGHUAMEN))
    assert {f["properties"]["level"] for f in outline["context"]} == {"district", "street"}
    assert page.locator(".outline-label", has_text="东华门街道").count() == 1
    gaps = page.locator("#gaps + table tbody tr")
    assert gaps.count() == page.locator("#circle-map path.origin.gap").count() > 0
    assert page.locator("select[name=category]").input_value() == "sports"
    sites = page.locator("#site-table tbody tr")
    assert 1 <= sites.count() == page.locator("#circle-map .site-marker").count() <= 3
    assert "社区" in sites.first.locator("td").nth(1).inner_text()  # named by a community near it
    page.screenshot(path="/tmp/community_service_circle_street.png", full_page=True)

    # The city: the coverage rate of each district, over the districts' outlines.
    city = new_person()
    sign_in(city, base, "city_admin")
    city.goto(f"{base}/community/service-circle/")
    assert outlines_drawn(city, "#circle-map", 16) == 16
    assert city.locator(".outline-label", has_text="东城区").count() == 1
    dongcheng = city.locator("main table tbody tr", has_text="东城区").first
    cells = dongcheng.locator("td").all_inner_texts()
    assert all(re.fullmatch(r"\d+\.\d%", c) for c in cells[-3:])  # 5, 10 and 15 minutes
    assert int(cells[1]) > 100  # urban communities counted
    city.screenshot(path="/tmp/community_service_circle_city.png", full_page=True)
