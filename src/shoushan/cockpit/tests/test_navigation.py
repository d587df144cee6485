"""The sidebar offers a person the case pages they can use, not every page there is."""

import re

import pytest

from shoushan.platform.tests.test_permissions import ROLES  # every role, one account each


@pytest.mark.parametrize(
    ("username", "works_cases", "patrols"),
    [
        ("resident", False, False),
        ("researcher", False, False),
        ("department_handler", True, False),
        ("grid_worker", True, True),
        ("street_staff", True, True),
    ],
)
def test_the_sidebar_shows_the_case_links_a_role_can_use(login, username, works_cases, patrols):
    page = login(username).get("/").content.decode()
    assert bool(re.search(r'href="/grid/">(案件|Cases)<', page)) is works_cases
    assert ('href="/grid/rules/"' in page) is works_cases
    assert ('href="/grid/report/"' in page) is patrols
    assert 'href="/report/"' in page  # the residents' form is everyone's


@pytest.mark.parametrize("username", ROLES)
def test_every_link_a_person_is_offered_opens(login, demo_city, username):
    """Navigation once offered pages that answered 403; now each link it shows must open."""
    client = login(username)
    page = client.get("/").content.decode()
    sidebar = page.split('class="sidebar"', 1)[1].split("</nav>", 1)[0]
    links = sorted(set(re.findall(r'href="(/[^"]*)"', sidebar)))
    assert links
    for href in links:
        status = client.get(href, follow=True).status_code
        assert status == 200, f"{username} is offered {href}, which answers {status}"


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("grid_worker", ['href="/grid/report/"', "核查队列"]),
        ("street_staff", ["派遣受理队列"]),
        ("department_handler", ["处置队列"]),
        ("community_staff", ['href="/grid/report/"', "本辖区未结案件"]),
        ("resident", ['href="/report/"', 'href="/report/follow-up/"']),
        ("city_admin", ["open-cases", "past-deadline"]),
        ("researcher", ['href="/evaluation/"']),
    ],
)
def test_each_role_starts_at_its_own_work(login, demo_city, username, expected):
    """Home was once the build-status table for everyone."""
    page = login(username).get("/").content.decode()
    main = page.split("<main", 1)[1]
    for needle in expected:
        assert needle in main, f"{username}'s home lacks {needle}"
