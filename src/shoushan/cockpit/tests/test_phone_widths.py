"""On a phone (390 px) no page of any role scrolls sideways: every page the navigation offers,
the home page and a case page are opened at that width and measured."""

import re

import pytest

from shoushan.accounts.demo import DEMO_PASSWORD
from shoushan.grid.tests.helpers import report
from shoushan.platform.tests.test_permissions import ROLES  # every role, one account each

PHONE = {"width": 390, "height": 844}


@pytest.mark.browser
@pytest.mark.parametrize("username", ROLES)
def test_no_page_scrolls_sideways_on_a_phone(
    new_person, live_server, transactional_db, demo_city, username
):
    base = live_server.url
    case, _ = report(description="胡同口有暴露垃圾，" * 12)  # a long note, as on the street
    page = new_person(viewport=PHONE)
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    sidebar = page.inner_html("#sidebar")
    paths = ["/", *sorted(set(re.findall(r'href="(/[^"]*)"', sidebar)))]
    if username in ("street_staff", "grid_worker"):
        paths.append(f"/grid/cases/{case.pk}/")
    if username == "community_staff":  # the checklist, worked on a phone
        paths.append("/community/110101001001/checklist/")
    assert not page.is_visible("#sidebar")  # behind the menu button
    page.click(".menu-toggle")
    assert page.is_visible("#sidebar")
    too_wide = []
    for path in paths:
        page.goto(f"{base}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide.append(f"{path} {width}px")
    assert not too_wide, f"{username} at 390 px: " + ", ".join(too_wide)
