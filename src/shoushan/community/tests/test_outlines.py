"""The region outlines under the community maps: districts for the city, a district's streets,
a street among its district and communities — from our own boundaries, no tiles."""

import pytest
from django.core.cache import cache
from shapely.geometry import shape

from shoushan.community import selectors
from shoushan.community.tests.helpers import DONGCHENG, DONGHUAMEN, DUOFU
from shoushan.regions.models import Region


@pytest.fixture(autouse=True)
def _fresh_outlines(demo_city):
    cache.clear()  # outlines are cached per region; each test sees the boundaries it sets
    yield
    cache.clear()


def outlines(code: str) -> dict:
    return selectors.map_outlines(Region.objects.get(code=code))


def by_level(features: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for f in features:
        out.setdefault(f["properties"]["level"], []).append(f)
    return out


def test_the_city_map_draws_the_districts_from_the_regions_endpoint(login):
    city = outlines("110000000000")
    assert city["context"] == []
    assert city["children_url"] == "/api/v1/regions/110000000000/boundaries"
    assert city["children_level"] == "district" and city["levels"] == ["district"]
    served = login("city_admin").get(city["children_url"]).json()
    assert len(served["features"]) == 16


def test_a_district_map_draws_its_outline_and_its_streets():
    district = outlines(DONGCHENG)
    levels = by_level(district["context"])
    assert [f["properties"]["code"] for f in levels["district"]] == [DONGCHENG]
    streets = Region.objects.filter(parent_id=DONGCHENG, level="street")
    assert {f["properties"]["code"] for f in levels["street"]} == set(
        streets.values_list("code", flat=True)
    )
    # Beijing has no official street boundaries: each is its communities' generated outlines.
    assert all(f["properties"]["generated"] for f in levels["street"])
    outline = shape(levels["district"][0]["geometry"])
    for f in levels["street"]:
        assert outline.buffer(0.002).contains(shape(f["geometry"]))
    assert district["children_url"] == ""


def test_a_street_map_draws_the_street_in_its_district_and_fetches_its_communities():
    street = outlines(DONGHUAMEN)
    levels = by_level(street["context"])
    assert [f["properties"]["code"] for f in levels["district"]] == [DONGCHENG]
    (own,) = levels["street"]
    assert own["properties"]["name"] == "东华门街道"
    duofu = Region.objects.get(code=DUOFU)
    assert (
        shape(own["geometry"]).buffer(1e-4).contains(shape(duofu.boundary).representative_point())
    )
    assert street["children_url"] == f"/api/v1/regions/{DONGHUAMEN}/boundaries"
    assert street["children_level"] == "community" and street["children_generated"]


def test_an_official_street_boundary_is_used_as_it_is():
    square = {
        "type": "Polygon",
        "coordinates": [[[116.40, 39.91], [116.42, 39.91], [116.42, 39.93], [116.40, 39.91]]],
    }
    Region.objects.filter(code=DONGHUAMEN).update(boundary=square, boundary_generated=False)
    (own,) = by_level(outlines(DONGHUAMEN)["context"])["street"]
    assert own["properties"]["generated"] is False
    assert shape(own["geometry"]).equals(shape(square))
