"""A base layer for the maps when the city has no tile server of its own (an intranet often has
none, and the internet's are out of reach): the roads of the OpenStreetMap extract that ships
with Shoushan (central Beijing, ODbL) and the names of the streets and communities at their
published points, for the part of the map in view."""

from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from shoushan.community.service_circle import demo_network
from shoushan.regions.models import Level, LocationSource, Region

# Roads are sent for a view of at most about 6 × 6 km (street zoom), places for about 25 × 25 km.
MAX_ROADS_AREA_DEG2 = 0.06 * 0.06
MAX_PLACES_AREA_DEG2 = 0.25 * 0.25
MAX_PLACES = 400
ATTRIBUTION = "© OpenStreetMap contributors (ODbL)"


@lru_cache(maxsize=1)
def _segments(network) -> np.ndarray:
    """Each undirected road segment once: rows of lon1, lat1, lon2, lat2."""
    upper = sp.triu(network.graph).tocoo()
    return np.column_stack(
        [
            network.lon[upper.row],
            network.lat[upper.row],
            network.lon[upper.col],
            network.lat[upper.col],
        ]
    )


def _inside(lon: np.ndarray, lat: np.ndarray, box: tuple) -> np.ndarray:
    west, south, east, north = box
    return (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)


def basemap(west: float, south: float, east: float, north: float) -> dict:
    """{roads: [[[lon, lat], [lon, lat]], …], places: [{name, level, lon, lat}], zoom_in: the
    view is too large for roads, covered: the view meets the shipped extract, attribution}."""
    area = max(east - west, 0) * max(north - south, 0)
    answer: dict = {
        "roads": [],
        "places": [],
        "zoom_in": False,
        "covered": False,
        "attribution": ATTRIBUTION,
    }
    network = demo_network()
    if network is not None:
        answer["covered"] = bool(
            network.lon.min() < east
            and network.lon.max() > west
            and network.lat.min() < north
            and network.lat.max() > south
        )
        if area > MAX_ROADS_AREA_DEG2:
            answer["zoom_in"] = answer["covered"]
        else:
            segments = _segments(network)
            box = (west, south, east, north)
            keep = _inside(segments[:, 0], segments[:, 1], box) | _inside(
                segments[:, 2], segments[:, 3], box
            )
            answer["roads"] = [
                [[round(a, 6), round(b, 6)], [round(c, 6), round(d, 6)]]
                for a, b, c, d in segments[keep].tolist()
            ]
    if area <= MAX_PLACES_AREA_DEG2:
        levels = [Level.STREET, Level.COMMUNITY] if area <= MAX_ROADS_AREA_DEG2 else [Level.STREET]
        answer["places"] = [
            {"name": name, "level": level, "lon": lon, "lat": lat}
            for name, level, lon, lat in Region.objects.filter(
                level__in=levels,
                longitude__range=(west, east),
                latitude__range=(south, north),
            )
            .exclude(location_source=LocationSource.NONE)
            .values_list("name", "level", "longitude", "latitude")[:MAX_PLACES]
        ]
    return answer
