"""Reading OpenStreetMap: which ways are walked, how facilities are found."""

import pytest
from django.utils import translation

from shoushan.community.access import AccessInputError, haversine_m
from shoushan.community.osm import (
    OSM_TAG_CATEGORIES,
    is_walkable,
    osm_facilities,
    osm_walk_network,
)


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English; pages are tested in the clerk's language."""
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("tags", "walkable"),
    [
        ({"highway": "footway"}, True),
        ({"highway": "residential"}, True),
        ({"highway": "steps"}, True),
        ({"highway": "pedestrian", "area": "yes"}, True),
        ({"highway": "service", "access": "private"}, False),
        ({"highway": "service", "access": "private", "foot": "yes"}, True),
        ({"highway": "path", "access": "no", "foot": "designated"}, True),
        ({"highway": "footway", "foot": "no"}, False),
        ({"highway": "motorway"}, False),
        ({"highway": "trunk"}, False),
        ({"highway": "trunk", "sidewalk": "both"}, True),
        ({"highway": "trunk", "sidewalk": "separate"}, False),
        ({"highway": "trunk_link", "foot": "yes"}, True),
        ({"highway": "cycleway"}, False),
        ({"highway": "cycleway", "foot": "yes"}, True),
        ({"highway": "cycleway", "segregated": "yes"}, True),
        ({"highway": "construction"}, False),
        ({"highway": "proposed"}, False),
        ({"building": "yes"}, False),
    ],
)
def test_is_walkable(tags, walkable):
    assert is_walkable(tags) is walkable


OSM_XML = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="test">
  <node id="1" lat="39.900" lon="116.300" version="1"/>
  <node id="2" lat="39.900" lon="116.301" version="1"/>
  <node id="3" lat="39.900" lon="116.302" version="1"/>
  <node id="4" lat="39.901" lon="116.302" version="1"/>
  <node id="5" lat="39.902" lon="116.302" version="1"/>
  <node id="6" lat="39.903" lon="116.302" version="1"/>
  <node id="7" lat="39.904" lon="116.302" version="1"/>
  <node id="10" lat="39.9005" lon="116.3005" version="1">
    <tag k="amenity" v="pharmacy"/><tag k="name" v="Pharmacy"/><tag k="name:zh" v="药店"/>
  </node>
  <node id="11" lat="39.9006" lon="116.3006" version="1">
    <tag k="shop" v="supermarket"/><tag k="amenity" v="post_office"/>
    <tag k="opening_hours" v="07:00-22:00"/><tag k="operator" v="Wumart"/>
  </node>
  <node id="12" lat="39.910" lon="116.310" version="1"/>
  <node id="13" lat="39.910" lon="116.312" version="1"/>
  <node id="14" lat="39.912" lon="116.312" version="1"/>
  <node id="15" lat="39.912" lon="116.310" version="1"/>
  <node id="16" lat="39.905" lon="116.305" version="1"><tag k="shop" v="jewelry"/></node>
  <way id="100" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="footway"/></way>
  <way id="101" version="1"><nd ref="2"/><nd ref="1"/><tag k="highway" v="residential"/></way>
  <way id="102" version="1"><nd ref="3"/><nd ref="4"/><tag k="highway" v="motorway"/></way>
  <way id="103" version="1"><nd ref="3"/><nd ref="5"/>
    <tag k="highway" v="trunk"/><tag k="sidewalk" v="both"/></way>
  <way id="104" version="1"><nd ref="5"/><nd ref="6"/>
    <tag k="highway" v="service"/><tag k="access" v="private"/></way>
  <way id="105" version="1"><nd ref="6"/><nd ref="7"/><tag k="highway" v="path"/></way>
  <way id="106" version="1"><nd ref="5"/><nd ref="99"/><nd ref="6"/>
    <tag k="highway" v="footway"/></way>
  <way id="200" version="1"><nd ref="12"/><nd ref="13"/><nd ref="14"/><nd ref="15"/>
    <nd ref="12"/><tag k="amenity" v="kindergarten"/><tag k="building" v="yes"/></way>
</osm>
"""


@pytest.fixture
def osm_file(tmp_path):
    path = tmp_path / "tiny.osm"
    path.write_text(OSM_XML, encoding="utf-8")
    return path


def test_walk_network_keeps_walkable_ways_and_reduces_parallel_edges(osm_file):
    network = osm_walk_network(osm_file)
    # 1-2 (footway and residential: one edge), 2-3, 3-5 (trunk with sidewalk), 6-7 (path).
    # Motorway 3-4 and private service 5-6 are out; way 106 misses node 99, so it is cut
    # there and leaves no edge (5 and 6 have no usable neighbour in it).
    assert sorted(network.node_ids.tolist()) == [1, 2, 3, 5, 6, 7]
    assert network.n_edges == 4
    i = {int(n): k for k, n in enumerate(network.node_ids)}
    expected = float(haversine_m(116.300, 39.900, 116.301, 39.900))
    assert network.graph[i[1], i[2]] == pytest.approx(expected)
    assert network.graph[i[3], i[5]] == pytest.approx(
        float(haversine_m(116.302, 39.9, 116.302, 39.902))
    )
    assert network.graph[i[5], i[6]] == 0  # no edge


def test_facilities_from_nodes_and_way_centroids(osm_file):
    facilities = {(f.id, f.category): f for f in osm_facilities(osm_file)}
    assert set(facilities) == {
        ("n10", "health"),
        ("n11", "grocery"),
        ("n11", "post"),
        ("w200", "education"),
    }
    pharmacy = facilities[("n10", "health")]
    assert (pharmacy.lon, pharmacy.lat, pharmacy.name) == (116.3005, 39.9005, "药店")
    shop = facilities[("n11", "grocery")]
    assert (shop.hours, shop.provider) == ("07:00-22:00", "Wumart")
    kindergarten = facilities[("w200", "education")]  # mean of the four corners
    assert kindergarten.lon == pytest.approx(116.311) and kindergarten.lat == pytest.approx(39.911)


def test_custom_mapping(osm_file):
    facilities = osm_facilities(osm_file, mapping={("shop", "jewelry"): "luxury"})
    assert [(f.id, f.category) for f in facilities] == [("n16", "luxury")]


def test_mapping_codes_are_short_snake_case():
    categories = set(OSM_TAG_CATEGORIES.values())
    assert len(categories) == 10
    assert all(c.isascii() and c == c.lower() and " " not in c for c in categories)


def test_unreadable_or_missing_files(tmp_path):
    with pytest.raises(AccessInputError, match="file not found"):
        osm_walk_network(tmp_path / "missing.osm")
    bad = tmp_path / "bad.osm"
    bad.write_text("<osm><node id='1' lat='x'", encoding="utf-8")
    with pytest.raises(AccessInputError):
        osm_walk_network(bad)
    empty = tmp_path / "empty.osm"
    empty.write_text('<osm version="0.6"></osm>', encoding="utf-8")
    with pytest.raises(AccessInputError, match="no walkable ways"):
        osm_walk_network(empty)
