"""The sidebar offers a person the case pages they can use, not every page there is."""

import re

import pytest


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
