"""Loading the official divisions. Idempotent: the same files load once; changed files update
names, classes and points in place (regions are never deleted: records may point at them)."""

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from shoushan.audit.services import audit_record
from shoushan.core.errors import InvalidInput
from shoushan.core.versioned import version_bump
from shoushan.regions import sources
from shoushan.regions.models import LEVEL_ORDER, DatasetLoad, Region
from shoushan.regions.selectors import REGIONS_VERSION

LOADER_VERSION = "regions-2"  # a new version reloads: district kinds
_FIELDS = (
    "boundary_generated",
    "name",
    "level",
    "kind",
    "parent_id",
    "urban_rural_class",
    "longitude",
    "latitude",
    "location_source",
    "boundary",
    "source",
)


@dataclass
class LoadResult:
    province: str
    skipped: bool
    created: int = 0
    updated: int = 0
    by_level: dict[str, int] = field(default_factory=dict)


def regions_load(*, actor=None, province: str = sources.BEIJING, force: bool = False) -> LoadResult:
    """Load one province (Beijing to community level, others to township level)."""
    province = province.strip()[:2]
    if province not in sources.province_codes():
        raise InvalidInput(_("Unknown province code %(code)s.") % {"code": province})
    dataset = f"regions:{province}"
    checksum = sources.checksum(sources.source_files(province), LOADER_VERSION)
    done = DatasetLoad.objects.filter(name=dataset, checksum=checksum).first()
    if done is not None and not force:
        return LoadResult(
            province=province, skipped=True, by_level=done.summary.get("by_level", {})
        )

    rows = sources.read_province(province)
    level_order: Sequence[str] = LEVEL_ORDER
    rows.sort(key=lambda r: (level_order.index(r.level), r.code))
    wanted = {
        r.code: Region(
            code=r.code,
            name=r.name,
            level=r.level,
            kind=r.kind,
            parent_id=r.parent_code,
            urban_rural_class=r.urban_rural_class,
            longitude=r.longitude,
            latitude=r.latitude,
            location_source=r.location_source,
            boundary=r.boundary,
            source=r.source,
        )
        for r in rows
    }
    with transaction.atomic():
        existing = Region.objects.in_bulk(list(wanted))
        for code, old in existing.items():
            if old.boundary_generated:  # the demo city's polygons and points stay as they are
                region = wanted[code]
                region.boundary, region.boundary_generated = old.boundary, True
                if region.location_source != "point":
                    region.longitude, region.latitude = old.longitude, old.latitude
                    region.location_source = old.location_source
        new = [region for code, region in wanted.items() if code not in existing]
        changed = [
            region
            for code, region in wanted.items()
            if code in existing
            and any(getattr(existing[code], f) != getattr(region, f) for f in _FIELDS)
        ]
        Region.objects.bulk_create(new, batch_size=1000)  # parents sort before children
        Region.objects.bulk_update(changed, list(_FIELDS), batch_size=500)
        result = LoadResult(
            province=province,
            skipped=False,
            created=len(new),
            updated=len(changed),
            by_level=_count_levels(rows),
        )
        DatasetLoad.objects.update_or_create(
            name=dataset, defaults={"checksum": checksum, "summary": asdict(result)}
        )
        version_bump(REGIONS_VERSION)
        audit_record(
            actor=actor,
            action="regions.load",
            object_type="regions.region",
            object_id=rows[0].code,
            object_repr=rows[0].name,
            region_code=rows[0].code,
            changes={"created": result.created, "updated": result.updated, **result.by_level},
        )
    return result


def _count_levels(rows: list[sources.RegionRow]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.level] = counts.get(row.level, 0) + 1
    return counts
