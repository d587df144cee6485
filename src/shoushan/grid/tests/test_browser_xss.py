"""A grid's name comes from a file someone uploaded: on the grid map it is shown as text, never
run as HTML (and the page's policy would refuse inline script anyway)."""

import pytest
from shapely.geometry import box, mapping

from shoushan.grid.registry.services import grids_import
from shoushan.grid.tests.test_browser_closed_loop import sign_in
from shoushan.regions.models import Region

HOSTILE = "<img src=x onerror=\"document.title='pwned'\">"


@pytest.mark.browser
def test_a_hostile_grid_name_is_shown_as_text(new_person, live_server, transactional_db, demo_city):
    community = Region.objects.filter(code__startswith="110108", level="community").first().code
    grids_import(
        actor=None,
        collection={
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"code": f"{community}001", "name": HOSTILE},
                    "geometry": mapping(box(116.30, 39.98, 116.302, 39.982)),
                }
            ],
        },
        layer="comprehensive",
    )
    page = new_person()
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security" in m.text else 0)
    sign_in(page, live_server.url, "city_admin")
    page.goto(f"{live_server.url}/grid/map/{community}/")
    page.wait_for_selector("path.leaflet-interactive")
    page.dispatch_event("path.leaflet-interactive", "mouseover")
    tooltip = page.wait_for_selector(".leaflet-tooltip")
    assert HOSTILE in tooltip.inner_text()  # the name, as the letters it is made of
    assert tooltip.query_selector("img") is None
    assert page.title() != "pwned" and violations == []
