"""The service-circle page and API over the central-Beijing network that ships with Shoushan."""

import pytest

from shoushan.community import service_circle
from shoushan.community.demo import community_demo_create
from shoushan.community.tests.helpers import DONGCHENG, community_data_clear
from shoushan.regions.models import Region


@pytest.fixture(autouse=True)
def _no_community_data(beijing):
    community_data_clear()


@pytest.fixture
def demo(demo_city):
    community_demo_create(district_codes=[DONGCHENG])


def test_the_coverage_rate_by_district_and_the_gaps(user, demo):
    admin = user("city_admin")
    analysis = service_circle.analyse(
        admin, Region.objects.get(code="110000000000"), suggest_category="health", k=2
    )
    assert analysis.required and "health" in analysis.required
    districts = {d.region.code: d for d in analysis.districts}
    assert DONGCHENG in districts and "110102000000" in districts
    dongcheng = districts[DONGCHENG]
    assert dongcheng.communities > 100
    assert sum(d.communities for d in analysis.districts) == len(analysis.origins)
    shares = [dongcheng.shares[m] for m in (5, 10, 15)]
    assert shares == sorted(shares)  # more time never covers fewer
    covered = sum(1 for o in analysis.origins if not o.missing[15])
    assert analysis.total[15] == pytest.approx(covered / len(analysis.origins))
    for o in analysis.origins:
        for c in o.missing[15]:
            assert o.minutes[c] is None or o.minutes[c] > 15
    assert 0 < len(analysis.suggestions) <= 2
    assert all(s.gain > 0 for s in analysis.suggestions)


def test_the_page_and_api_render_within_the_scope(login, demo):
    page = login("street_staff").get("/community/service-circle/")
    assert page.status_code == 200
    body = login("street_staff").get("/api/v1/community/service-circle").json()
    assert body["region"] == "110101001000"
    assert all(c["code"].startswith("110101001") for c in body["communities"])
    assert (
        login("street_staff")
        .get("/api/v1/community/service-circle?region=110102000000")
        .status_code
        == 404
    )
    assert login("resident").get("/community/service-circle/").status_code == 403


def test_without_a_choice_the_page_suggests_sites_for_the_category_most_missed(login, demo):
    from shoushan.community.models import Facility

    Facility.objects.filter(category="sports").delete()  # every community now lacks one
    page = login("street_staff").get("/community/service-circle/")
    assert page.context["category"] == "sports"
    communities = len(page.context["data"]["origins"])
    assert page.context["category_missing"] == communities > 0
    sites = page.context["sites"]
    assert 1 <= len(sites) <= 3
    assert sum(s.origins_covered for s, _near in sites) <= communities
    assert all(near[0].code.startswith("110101001") for _s, near in sites)
    # A category that every community reaches needs no site.
    shares = page.context["analysis"].category_shares
    reached = [c for c, share in shares.items() if share == 1.0]
    if reached:
        again = login("street_staff").get(f"/community/service-circle/?category={reached[0]}&k=2")
        assert again.context["category_missing"] == 0 and again.context["sites"] == []


def test_the_shipped_network_is_central_beijings_whole_graph():
    network = service_circle.demo_network()
    assert network is not None
    # 10,166 OSM nodes and 22,500 directed edges (SOURCES: one connected component)
    assert len(network.node_ids) == 10166


def test_the_offline_base_layer_gives_roads_and_names_of_the_view(client, beijing):
    """Without a tile server the maps draw the shipped OpenStreetMap roads and the places'
    names: at street zoom around 多福巷, nothing for a view of the whole city."""
    near = client.get("/community/basemap.json", {"bbox": "116.395,39.915,116.420,39.935"})
    data = near.json()
    assert near.status_code == 200 and data["covered"] and len(data["roads"]) > 100
    assert all(len(road) == 2 and len(road[0]) == 2 for road in data["roads"])
    assert "多福巷社区居委会" in {p["name"] for p in data["places"]}
    city = client.get("/community/basemap.json", {"bbox": "115.4,39.4,117.5,41.1"}).json()
    assert city["roads"] == [] and city["zoom_in"] and city["places"] == []
    assert client.get("/community/basemap.json", {"bbox": "x"}).status_code == 400
