"""Conversions between WGS84, GCJ-02 and BD-09 (pure; no Django import).

Chinese map providers publish coordinates in GCJ-02 (AMap, Tencent) or BD-09 (Baidu); Shoushan
stores WGS84. GCJ-02 is a published closed-form offset from WGS84 applied inside China only;
its inverse has no closed form, so `gcj02_to_wgs84` iterates until the forward transform of
its answer lands within 1e-9 degrees (~0.1 mm) of the input. Every function takes floats or
numpy arrays of longitudes and latitudes and returns the same shape.
"""

import math

import numpy as np

_A = 6378245.0  # Krasovsky 1940 semi-major axis, as the GCJ-02 algorithm uses
_EE = 0.00669342162296594323  # its first eccentricity squared
_BD_X_PI = math.pi * 3000.0 / 180.0
_TOLERANCE_DEG = 1e-9


def in_china(lon, lat):
    """The rough box inside which GCJ-02 applies an offset (outside it GCJ-02 equals WGS84)."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    return (lon >= 72.004) & (lon <= 137.8347) & (lat >= 0.8293) & (lat <= 55.8271)


def _offset(lon, lat):
    x, y = lon - 105.0, lat - 35.0
    d_lat = (
        -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
        + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    )
    d_lon = (
        300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
        + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    )
    rad_lat = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    d_lat = d_lat * 180.0 / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    d_lon = d_lon * 180.0 / (_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    return d_lon, d_lat


def _shaped(lon, lat, out_lon, out_lat):
    if np.ndim(lon) == 0 and np.ndim(lat) == 0:
        return float(out_lon), float(out_lat)
    return out_lon, out_lat


def wgs84_to_gcj02(lon, lat):
    lon_a, lat_a = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    d_lon, d_lat = _offset(lon_a, lat_a)
    inside = in_china(lon_a, lat_a)
    return _shaped(
        lon, lat, np.where(inside, lon_a + d_lon, lon_a), np.where(inside, lat_a + d_lat, lat_a)
    )


def gcj02_to_wgs84(lon, lat):
    """The inverse of `wgs84_to_gcj02`, by fixed-point iteration (converges in 3–5 steps)."""
    g_lon, g_lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    w_lon, w_lat = g_lon.copy(), g_lat.copy()
    for _ in range(30):
        f_lon, f_lat = wgs84_to_gcj02(w_lon, w_lat)
        e_lon, e_lat = np.asarray(f_lon) - g_lon, np.asarray(f_lat) - g_lat
        w_lon, w_lat = w_lon - e_lon, w_lat - e_lat
        if (
            np.max(np.abs(e_lon), initial=0.0) < _TOLERANCE_DEG
            and np.max(np.abs(e_lat), initial=0.0) < _TOLERANCE_DEG
        ):
            break
    return _shaped(lon, lat, w_lon, w_lat)


def gcj02_to_bd09(lon, lat):
    x, y = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _BD_X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _BD_X_PI)
    return _shaped(lon, lat, z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006)


def bd09_to_gcj02(lon, lat):
    """The inverse of `gcj02_to_bd09`, refined by iteration to the same tolerance."""
    b_lon, b_lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    g_lon, g_lat = b_lon - 0.0065, b_lat - 0.006
    for _ in range(30):
        f_lon, f_lat = gcj02_to_bd09(g_lon, g_lat)
        e_lon, e_lat = np.asarray(f_lon) - b_lon, np.asarray(f_lat) - b_lat
        g_lon, g_lat = g_lon - e_lon, g_lat - e_lat
        if (
            np.max(np.abs(e_lon), initial=0.0) < _TOLERANCE_DEG
            and np.max(np.abs(e_lat), initial=0.0) < _TOLERANCE_DEG
        ):
            break
    return _shaped(lon, lat, g_lon, g_lat)


def bd09_to_wgs84(lon, lat):
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def wgs84_to_bd09(lon, lat):
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


_TO_WGS84 = {"wgs84": lambda lon, lat: (lon, lat), "gcj02": gcj02_to_wgs84, "bd09": bd09_to_wgs84}


def to_wgs84(lon, lat, crs: str):
    """Convert from a named system ("wgs84", "gcj02" or "bd09") to WGS84."""
    try:
        return _TO_WGS84[crs.lower()](lon, lat)
    except KeyError:
        raise ValueError(f"unknown coordinate system {crs!r}; use wgs84, gcj02 or bd09") from None


def transform_geojson_geometry(geometry: dict, convert) -> dict:
    """Apply `convert(lons, lats)` to every position of a GeoJSON geometry (a new dict)."""

    def walk(coords):
        if isinstance(coords[0], (int, float)):  # a position
            lon, lat = convert(float(coords[0]), float(coords[1]))
            return [round(lon, 7), round(lat, 7)]
        if isinstance(coords[0][0], (int, float)):  # a ring or line: convert it in one call
            array = np.asarray(coords, dtype=float)
            lons, lats = convert(array[:, 0], array[:, 1])
            return np.round(np.column_stack([lons, lats]), 7).tolist()
        return [walk(part) for part in coords]

    if geometry["type"] == "GeometryCollection":
        return {
            "type": "GeometryCollection",
            "geometries": [transform_geojson_geometry(g, convert) for g in geometry["geometries"]],
        }
    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}
