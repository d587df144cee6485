import numpy as np
import pytest
from shapely.geometry import Point, box

from shoushan.grid.geometry import (
    PointLocator,
    area_m2,
    as_geojson,
    overlapping_pairs,
    polygon_problems,
    reading_order,
)


def square(lon, lat, size=0.001):
    return {
        "type": "Polygon",
        "coordinates": [
            [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
        ],
    }


def test_a_ten_thousand_square_metre_cell_measures_so():
    # 0.0009° of latitude is ~100 m; at 40°N 0.001175° of longitude is ~100 m.
    cell = box(116.4, 40.0, 116.4 + 0.0011745, 40.0 + 0.000901)
    assert area_m2(cell) == pytest.approx(10_000, rel=0.01)


def test_problems_are_named():
    assert polygon_problems(square(116.4, 39.9)) == []
    assert "Polygon" in polygon_problems({"type": "Point", "coordinates": [116.4, 39.9]})[0]
    unclosed = square(116.4, 39.9)
    unclosed["coordinates"][0].pop()
    assert "not closed" in polygon_problems(unclosed)[0]
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    assert "invalid polygon" in polygon_problems(bowtie)[0]
    far = {"type": "Polygon", "coordinates": [[[200, 0], [201, 0], [201, 1], [200, 0]]]}
    assert "WGS84" in polygon_problems(far)[0]


def test_overlaps_above_the_tolerance_are_found():
    a, b = box(0, 0, 0.001, 0.001), box(0.0009, 0, 0.0019, 0.001)  # ~1 m wide strip shared
    c = box(0.01, 0.01, 0.011, 0.011)
    shared = area_m2(a.intersection(b))
    assert overlapping_pairs([a, b, c], tolerance_m2=shared * 2) == []
    [(i, j, overlap)] = overlapping_pairs([a, b, c], tolerance_m2=shared / 2)
    assert (i, j) == (0, 1) and overlap == pytest.approx(shared)


def test_grids_are_numbered_north_to_south_then_west_to_east():
    cells = [box(x, y, x + 1, y + 1) for y in (2, 1, 0) for x in (2, 0, 1)]
    order = reading_order(cells)
    labels = [(cells[i].bounds[1], cells[i].bounds[0]) for i in order]
    assert labels == [(2, 0), (2, 1), (2, 2), (1, 0), (1, 1), (1, 2), (0, 0), (0, 1), (0, 2)]


def test_the_locator_finds_each_points_polygon_or_none():
    cells = [box(x, 0, x + 1, 1) for x in range(4)]
    locator = PointLocator(cells)
    found = locator.locate([0.5, 2.5, 9.0, 1.0], [0.5, 0.5, 0.5, 0.5])
    assert found.tolist() == [0, 2, -1, 0]  # the shared edge at x=1 goes to the lower index
    rng = np.random.default_rng(1)
    lons, lats = rng.uniform(0, 4, 1000), rng.uniform(0, 1, 1000)
    expected = [
        next(i for i, c in enumerate(cells) if c.covers(Point(x, y)))
        for x, y in zip(lons, lats, strict=True)
    ]
    assert locator.locate(lons, lats).tolist() == expected


def test_geojson_output_is_rounded_to_a_centimetre():
    out = as_geojson(box(116.123456789, 39.1, 116.2, 39.2))
    assert out["coordinates"][0][0][0] in (116.2, 116.1234568)
