"""Read the shipped division files into plain rows (pure; no Django import).

Sources (see data/README.md): the NBS 2023 codes as published by modood/Administrative-divisions-
of-China (national files to township level, Beijing's villages), and Vonng/adcode's 2016 Beijing
table (urban-rural class, GCJ-02 points) and district boundaries (GCJ-02).
"""

import csv
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from shapely.geometry import shape

from shoushan.core.coordinates import gcj02_to_wgs84, transform_geojson_geometry
from shoushan.regions.codes import pad_code

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
DIVISIONS = DATA_DIR / "admin_divisions"
BOUNDARIES = DATA_DIR / "boundaries"
MUNICIPALITIES = {"11", "12", "31", "50"}  # 直辖市: the province row is the city
BEIJING = "11"
SOURCE_2023 = "NBS 2023 (modood/Administrative-divisions-of-China)"

# A 2016 point is taken only where the code matches and the name, less these suffixes, matches
# too: codes are sometimes reused for a different place (2016 卢沟桥 is 2023 六里桥).
_NAME_SUFFIXES = re.compile(
    r"(办事处|社区居民委员会|社区居委会|居民委员会|居委会|村民委员会|村委会|委员会|街道|地区|镇|乡|社区|村)+$"
)


@dataclass
class RegionRow:
    code: str
    name: str
    level: str
    parent_code: str | None
    kind: str = ""
    urban_rural_class: str = ""
    longitude: float | None = None
    latitude: float | None = None
    location_source: str = ""
    boundary: dict | None = field(default=None, repr=False)
    source: str = SOURCE_2023


def name_stem(name: str) -> str:
    return _NAME_SUFFIXES.sub("", name.strip())


def street_kind(name: str) -> str:
    for suffix in ("街道", "地区", "镇", "乡"):
        if name.endswith(suffix):
            return suffix
    return "其他"


def district_kind(name: str) -> str:
    for suffix in ("区", "县", "市", "旗"):
        if name.endswith(suffix):
            return suffix
    return "其他"


def community_kind(name: str) -> str:
    if name.endswith(("村委会", "村民委员会")):
        return "村"
    if name.endswith(("居委会", "居民委员会", "社区")):
        return "社区"
    return "其他"


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def source_files(province: str) -> list[Path]:
    files = [DIVISIONS / n for n in ("provinces.csv", "cities.csv", "areas.csv", "streets.csv")]
    if province == BEIJING:
        files += [
            DIVISIONS / "beijing_villages.csv",
            DIVISIONS / "beijing_adcode_2016_vonng.csv",
            BOUNDARIES / "beijing_districts_amap_gcj02.geojson",
            BOUNDARIES / "beijing_outline_amap_gcj02.geojson",
        ]
    return files


def checksum(paths: Iterable[Path], version: str) -> str:
    digest = hashlib.sha256(version.encode())
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def province_codes() -> dict[str, str]:
    """Province code (2 digits) → name, from the national file."""
    return {r["code"]: r["name"] for r in _read(DIVISIONS / "provinces.csv")}


def read_province(province: str) -> list[RegionRow]:
    """Every region of one province to township level (and to community level for Beijing),
    parents before children."""
    names = province_codes()
    if province not in names:
        raise ValueError(f"unknown province code {province!r}")
    municipality = province in MUNICIPALITIES
    top = RegionRow(
        code=pad_code(province),
        name=names[province],
        level="city" if municipality else "province",
        parent_code=None,
        kind="直辖市" if municipality else _province_kind(names[province]),
    )
    rows = [top]
    cities = [r for r in _read(DIVISIONS / "cities.csv") if r["provinceCode"] == province]
    if not municipality:  # a municipality's 市辖区/县 rows are statistical groupings, not places
        rows += [
            RegionRow(code=pad_code(r["code"]), name=r["name"], level="city", parent_code=top.code)
            for r in cities
        ]
    for r in _read(DIVISIONS / "areas.csv"):
        if r["provinceCode"] == province:
            parent = top.code if municipality else pad_code(r["cityCode"])
            rows.append(
                RegionRow(
                    code=pad_code(r["code"]),
                    name=r["name"],
                    level="district",
                    parent_code=parent,
                    kind=district_kind(r["name"]),
                )
            )
    for r in _read(DIVISIONS / "streets.csv"):
        if r["provinceCode"] == province:
            rows.append(
                RegionRow(
                    code=pad_code(r["code"]),
                    name=r["name"],
                    level="street",
                    parent_code=pad_code(r["areaCode"]),
                    kind=street_kind(r["name"]),
                )
            )
    if province == BEIJING:
        rows += _beijing_communities()
        _join_2016(rows)
        _attach_boundaries(rows)
        _estimate_street_points(rows)
    return rows


def _province_kind(name: str) -> str:
    return "自治区" if name.endswith("自治区") else "省"


def _beijing_communities() -> list[RegionRow]:
    return [
        RegionRow(
            code=r["code"],
            name=r["name"],
            level="community",
            parent_code=pad_code(r["streetCode"]),
            kind=community_kind(r["name"]),
        )
        for r in _read(DIVISIONS / "beijing_villages.csv")
    ]


def _join_2016(rows: list[RegionRow]) -> None:
    """Urban-rural class where codes match; GCJ-02 points converted to WGS84 where codes and
    names match."""
    old = {r["code"]: r for r in _read(DIVISIONS / "beijing_adcode_2016_vonng.csv")}
    for row in rows:
        match = old.get(row.code)
        if match is None or row.level not in ("street", "community"):
            continue
        if row.level == "community":
            row.urban_rural_class = match["ur_code"]
        if match["longitude"] and name_stem(match["name"]) == name_stem(row.name):
            lon, lat = gcj02_to_wgs84(float(match["longitude"]), float(match["latitude"]))
            row.longitude, row.latitude = round(lon, 7), round(lat, 7)
            row.location_source = "point"


def _attach_boundaries(rows: list[RegionRow]) -> None:
    by_code = {row.code: row for row in rows}
    with (BOUNDARIES / "beijing_districts_amap_gcj02.geojson").open(encoding="utf-8") as f:
        districts = json.load(f)["features"]
    with (BOUNDARIES / "beijing_outline_amap_gcj02.geojson").open(encoding="utf-8") as f:
        outline = json.load(f)["features"][0]
    pairs = [(pad_code(ft["properties"]["adcode"]), ft["geometry"]) for ft in districts]
    pairs.append((pad_code(BEIJING), outline["geometry"]))
    for code, geometry in pairs:
        row = by_code.get(code)
        if row is None:
            continue
        wgs84 = transform_geojson_geometry(geometry, gcj02_to_wgs84)
        centroid = shape(wgs84).centroid
        row.boundary = wgs84
        row.longitude, row.latitude = round(centroid.x, 7), round(centroid.y, 7)
        row.location_source = "polygon"


def _estimate_street_points(rows: list[RegionRow]) -> None:
    points: dict[str, list[tuple[float, float]]] = {}
    for row in rows:
        if row.level == "community" and row.longitude is not None:
            points.setdefault(row.parent_code or "", []).append((row.longitude, row.latitude))
    for row in rows:
        if row.level == "street" and row.longitude is None and row.code in points:
            pts = points[row.code]
            row.longitude = round(sum(p[0] for p in pts) / len(pts), 7)
            row.latitude = round(sum(p[1] for p in pts) / len(pts), 7)
            row.location_source = "estimated"
