"""The facilities registry's writes: imports from CSV, GeoJSON and OpenStreetMap, all or nothing.

CSV columns: `id` (optional), `name`, `category`, `lon`, `lat`, `hours`, `provider`, and an
optional `crs` per row (wgs84, gcj02 or bd09; the form's choice otherwise). Chinese headers
(编号, 名称, 类别, 经度, 纬度, 开放时间, 提供方, 坐标系) are accepted. GeoJSON: a FeatureCollection
of Points with the same names in `properties`. Each facility is placed in the community whose
point is nearest (within 3 km); a non-city account may import only inside its scope.
"""

import json
import math
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.utils.translation import gettext as _

from shoushan.accounts.scope import in_scope, scope_prefixes
from shoushan.audit.services import audit_record
from shoushan.community.models import CatalogueItem, Facility, FacilitySource
from shoushan.community.services import require_editor
from shoushan.core.coordinates import to_wgs84
from shoushan.core.errors import InvalidInput
from shoushan.core.tables import table_read
from shoushan.regions.models import Level, Region

MAX_ROWS = 100_000
NEAREST_LIMIT_M = 3000.0
HEADERS = {
    "id": "编号",
    "name": "名称",
    "category": "类别",
    "lon": "经度",
    "lat": "纬度",
    "hours": "开放时间",
    "provider": "提供方",
    "crs": "坐标系",
}
_ALIASES = {"longitude": "lon", "latitude": "lat", "lng": "lon"}


@dataclass
class FacilityRow:
    external_id: str
    name: str
    category: str
    lon: float
    lat: float
    hours: str = ""
    provider: str = ""


@dataclass
class FacilityImportResult:
    created: int
    unplaced: int


def _key(name: str) -> str | None:
    name = str(name or "").strip().lower()
    name = _ALIASES.get(name, name)
    for key, chinese in HEADERS.items():
        if name in (key, chinese):
            return key
    return None


def read_csv(content: bytes, *, crs: str = "wgs84") -> tuple[list[FacilityRow], list[dict]]:
    table = table_read("facilities.csv", content, max_rows=MAX_ROWS)
    keys = [_key(h) for h in table.header]
    unknown = [h for h, k in zip(table.header, keys, strict=True) if k is None and h]
    if unknown:
        raise InvalidInput(_("Unknown columns: %(names)s.") % {"names": ", ".join(unknown)})
    missing = [k for k in ("name", "category", "lon", "lat") if k not in keys]
    if missing:
        raise InvalidInput(_("Missing columns: %(names)s.") % {"names": ", ".join(missing)})
    rows, problems = [], []
    for number, record in table.rows:
        values = {k: (record[i] if i < len(record) else "") for i, k in enumerate(keys) if k}
        row, errors = _row(values, crs)
        problems += [{"row": number, "column": c, "message": m} for c, m in errors]
        if row is not None:
            rows.append(row)
    return rows, problems


def read_geojson(content: bytes, *, crs: str = "wgs84") -> tuple[list[FacilityRow], list[dict]]:
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidInput(_("The file is not GeoJSON (JSON in UTF-8).")) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise InvalidInput(_("The file is not a GeoJSON FeatureCollection."))
    rows, problems = [], []
    for number, feature in enumerate(data.get("features") or [], start=1):
        geometry = (feature or {}).get("geometry") or {}
        props = (feature or {}).get("properties") or {}
        if geometry.get("type") != "Point" or len(geometry.get("coordinates") or []) < 2:
            problems.append(
                {"row": number, "column": "geometry", "message": _("Not a Point geometry.")}
            )
            continue
        values = {
            k: str(props.get(k) or props.get(HEADERS[k]) or "").strip()
            for k in ("name", "category", "hours", "provider", "crs")
        }
        values["id"] = str(feature.get("id") or props.get("id") or "")
        values["lon"], values["lat"] = (str(v) for v in geometry["coordinates"][:2])
        row, errors = _row(values, crs)
        problems += [{"row": number, "column": c, "message": m} for c, m in errors]
        if row is not None:
            rows.append(row)
    return rows, problems


def _row(values: dict[str, str], crs: str) -> tuple[FacilityRow | None, list[tuple[str, str]]]:
    errors = []
    if not values.get("name"):
        errors.append((HEADERS["name"], _("The name is empty.")))
    if not values.get("category"):
        errors.append((HEADERS["category"], _("The category is empty.")))
    try:
        lon, lat = float(values.get("lon", "")), float(values.get("lat", ""))
        if not (math.isfinite(lon) and math.isfinite(lat)):
            raise ValueError
    except ValueError:
        errors.append((HEADERS["lon"], _("The longitude and latitude must be numbers.")))
        return None, errors
    if not (73 <= lon <= 136 and 3 <= lat <= 54):
        errors.append(
            (
                HEADERS["lon"],
                _("The point (%(lon)s, %(lat)s) lies outside China.") % {"lon": lon, "lat": lat},
            )
        )
    row_crs = (values.get("crs") or crs or "wgs84").lower()
    try:
        lon, lat = to_wgs84(lon, lat, row_crs)
    except ValueError:
        errors.append(
            (
                HEADERS["crs"],
                _("Unknown coordinate system %(crs)s; use wgs84, gcj02 or bd09.")
                % {"crs": row_crs},
            )
        )
    if errors:
        return None, errors
    return (
        FacilityRow(
            external_id=values.get("id", "")[:64],
            name=values["name"][:200],
            category=values["category"][:40],
            lon=round(float(lon), 7),
            lat=round(float(lat), 7),
            hours=values.get("hours", "")[:100],
            provider=values.get("provider", "")[:200],
        ),
        [],
    )


def nearest_communities(lons, lats) -> list[str]:
    """The code of the community whose point is nearest each point (within 3 km), or ""."""
    points = list(
        Region.objects.filter(level=Level.COMMUNITY, longitude__isnull=False).values_list(
            "code", "longitude", "latitude"
        )
    )
    if not points or not len(lons):
        return [""] * len(lons)
    from scipy.spatial import cKDTree

    codes = [p[0] for p in points]
    ref = np.array([[p[1], p[2]] for p in points])
    cos = math.cos(math.radians(float(np.mean(ref[:, 1]))))
    scale = np.array([111_320.0 * cos, 110_540.0])
    tree = cKDTree(ref * scale)
    dist, idx = tree.query(np.column_stack([lons, lats]) * scale)
    return [codes[i] if d <= NEAREST_LIMIT_M else "" for d, i in zip(dist, idx, strict=True)]


def facilities_import(
    *, actor, name: str, content: bytes, crs: str = "wgs84"
) -> FacilityImportResult:
    """Import a CSV or GeoJSON file of facilities; a file with any bad row imports nothing."""
    require_editor(actor)
    if name.lower().endswith((".geojson", ".json")):
        rows, problems = read_geojson(content, crs=crs)
        source = FacilitySource.GEOJSON
    else:
        rows, problems = read_csv(content, crs=crs)
        source = FacilitySource.CSV
    return _facilities_save(actor, rows, problems, source)


def facilities_import_osm(*, actor, path: str) -> FacilityImportResult:
    """Import the facilities of an OpenStreetMap extract (.osm or .osm.pbf), through the
    documented OSM-tag → category mapping of `shoushan.community.osm`."""
    require_editor(actor)
    from shoushan.community.access import AccessInputError
    from shoushan.community.osm import osm_facilities

    try:
        found = osm_facilities(path)
    except (AccessInputError, OSError) as error:
        raise InvalidInput(str(error)) from None
    rows = [
        FacilityRow(
            external_id=str(f.id)[:64],
            name=(getattr(f, "name", "") or str(f.category))[:200],
            category=str(f.category)[:40],
            lon=round(float(f.lon), 7),
            lat=round(float(f.lat), 7),
            hours=(getattr(f, "hours", "") or "")[:100],
            provider=(getattr(f, "provider", "") or "")[:200],
        )
        for f in found
    ]
    return _facilities_save(actor, rows, [], FacilitySource.OSM)


def _facilities_save(
    actor, rows: list[FacilityRow], problems: list[dict], source: str, *, generated: bool = False
) -> FacilityImportResult:
    if not rows and not problems:
        raise InvalidInput(_("The file has no facilities."))
    codes = nearest_communities([r.lon for r in rows], [r.lat for r in rows]) if rows else []
    prefixes = scope_prefixes(actor) if actor is not None else None
    city_wide = prefixes is None or any(len(p) <= 2 for p in prefixes)
    if not city_wide:
        for n, (row, code) in enumerate(zip(rows, codes, strict=True), start=1):
            if not code or not in_scope(actor, code):
                problems.append(
                    {
                        "row": row.external_id or n,
                        "column": HEADERS["lon"],
                        "message": _("%(name)s lies outside your scope.") % {"name": row.name},
                    }
                )
    if problems:
        raise InvalidInput(
            _("%(n)s problems found; nothing was imported.") % {"n": len(problems)},
            details=problems,
        )
    items = {}
    for item in CatalogueItem.objects.filter(category__version__published=True).exclude(
        facility_category=""
    ):
        items.setdefault(item.facility_category, item)
    with transaction.atomic():
        Facility.objects.bulk_create(
            [
                Facility(
                    external_id=r.external_id,
                    name=r.name,
                    category=r.category,
                    item=items.get(r.category),
                    longitude=r.lon,
                    latitude=r.lat,
                    hours=r.hours,
                    provider=r.provider,
                    community_id=code or None,
                    region_code=code,
                    source=FacilitySource.GENERATED if generated else source,
                )
                for r, code in zip(rows, codes, strict=True)
            ],
            batch_size=2000,
        )
        audit_record(
            actor=actor,
            action="community.facilities_import",
            object_type="community.facility",
            object_repr=f"{len(rows)} facilities ({source})",
            changes={"created": len(rows), "source": source},
        )
    return FacilityImportResult(created=len(rows), unplaced=sum(1 for c in codes if not c))


def facility_create(*, actor, values: dict[str, str], crs: str = "wgs84") -> Facility:
    """Register one facility entered by hand (same checks as a file row)."""
    require_editor(actor)
    row, errors = _row({**values, "id": values.get("id", "")}, crs)
    if errors:
        raise InvalidInput(
            _("Some values are not valid; nothing was saved."),
            details=[{"row": 1, "column": c, "message": m} for c, m in errors],
        )
    _facilities_save(actor, [row], [], FacilitySource.MANUAL)
    return Facility.objects.filter(source=FacilitySource.MANUAL, name=row.name).latest("id")
