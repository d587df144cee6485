import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shoushan.core.coordinates import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    in_china,
    to_wgs84,
    transform_geojson_geometry,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

CHINA_LON = st.floats(min_value=73.0, max_value=135.0)
CHINA_LAT = st.floats(min_value=18.0, max_value=53.0)


def metres(lon1, lat1, lon2, lat2) -> float:
    dx = (lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2)) * 111_320
    dy = (lat2 - lat1) * 110_574
    return math.hypot(dx, dy)


def test_gcj02_to_wgs84_matches_an_independent_implementation():
    # Reference values from gcoord's test suite (GCJ02 (123, 45) → WGS84, → BD09).
    lon, lat = gcj02_to_wgs84(123.0, 45.0)
    assert lon == pytest.approx(122.99395597, abs=5e-6)
    assert lat == pytest.approx(44.99804071, abs=5e-6)
    lon, lat = gcj02_to_bd09(123.0, 45.0)
    assert lon == pytest.approx(123.00636499, abs=5e-6)
    assert lat == pytest.approx(45.00636899, abs=5e-6)


def test_the_offset_in_beijing_is_a_few_hundred_metres():
    lon, lat = 116.397, 39.909  # Tiananmen, WGS84
    g_lon, g_lat = wgs84_to_gcj02(lon, lat)
    assert 100 < metres(lon, lat, g_lon, g_lat) < 700


@given(CHINA_LON, CHINA_LAT)
def test_gcj02_inverse_round_trips_to_a_millimetre(lon, lat):
    back_lon, back_lat = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert metres(lon, lat, back_lon, back_lat) < 0.001


@given(CHINA_LON, CHINA_LAT)
def test_bd09_inverse_round_trips_to_a_millimetre(lon, lat):
    back_lon, back_lat = bd09_to_wgs84(*wgs84_to_bd09(lon, lat))
    assert metres(lon, lat, back_lon, back_lat) < 0.001
    g_lon, g_lat = bd09_to_gcj02(*gcj02_to_bd09(lon, lat))
    assert metres(lon, lat, g_lon, g_lat) < 0.001


def test_outside_china_nothing_moves():
    assert wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)  # Paris
    assert gcj02_to_wgs84(183.0, 45.0) == (183.0, 45.0)
    assert not bool(in_china(2.35, 48.85))


def test_arrays_convert_element_by_element():
    lons, lats = np.array([116.4, 121.47, 2.35]), np.array([39.9, 31.23, 48.85])
    out_lon, out_lat = wgs84_to_gcj02(lons, lats)
    for i in range(3):
        assert (out_lon[i], out_lat[i]) == pytest.approx(wgs84_to_gcj02(lons[i], lats[i]))


def test_to_wgs84_names_the_system_and_refuses_unknown_ones():
    assert to_wgs84(116.4, 39.9, "WGS84") == (116.4, 39.9)
    assert to_wgs84(116.4, 39.9, "gcj02") == gcj02_to_wgs84(116.4, 39.9)
    with pytest.raises(ValueError, match="unknown coordinate system"):
        to_wgs84(116.4, 39.9, "epsg:3857")


def test_geojson_polygons_with_holes_convert_every_position():
    polygon = {
        "type": "MultiPolygon",
        "coordinates": [
            [
                [[116.0, 39.0], [117.0, 39.0], [117.0, 40.0], [116.0, 39.0]],
                [[116.5, 39.5], [116.6, 39.5], [116.6, 39.6], [116.5, 39.5]],
            ],
            [[[118.0, 39.0], [118.5, 39.0], [118.5, 39.5], [118.0, 39.0]]],
        ],
    }
    converted = transform_geojson_geometry(polygon, gcj02_to_wgs84)
    assert converted["type"] == "MultiPolygon"
    assert len(converted["coordinates"][0][1]) == 4
    expected = gcj02_to_wgs84(118.5, 39.5)
    assert converted["coordinates"][1][0][2] == pytest.approx(list(expected), abs=1e-7)
    point = transform_geojson_geometry(
        {"type": "Point", "coordinates": [116.0, 39.0]}, gcj02_to_wgs84
    )
    assert point["coordinates"] == pytest.approx(list(gcj02_to_wgs84(116.0, 39.0)), abs=1e-7)
