"""Region API: public, no sign-in (these are official codes)."""

from typing import Annotated

from django.http import HttpRequest
from ninja import Path, Query, Router, Schema
from pydantic import WithJsonSchema

from shoushan.core.api import error_responses
from shoushan.regions import selectors
from shoushan.regions.models import Level, Region

# Documented, not enforced by the schema: a malformed code gets our own 422 message.
RegionCode = Annotated[
    str,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^[1-9]\d{11}$",
            "description": "12-digit statistical division code",
            "example": "110101001000",
        }
    ),
    Path(),
]

router = Router(tags=["regions"])


class Centroid(Schema):
    longitude: float
    latitude: float
    crs: str = "WGS84"
    source: str  # polygon | point | estimated


class RegionSummary(Schema):
    code: str
    name: str
    level: str
    kind: str
    parent_code: str | None
    urban_rural_class: str | None
    centroid: Centroid | None

    @staticmethod
    def resolve_parent_code(obj: Region) -> str | None:
        return obj.parent_id

    @staticmethod
    def resolve_urban_rural_class(obj: Region) -> str | None:
        return obj.urban_rural_class or None

    @staticmethod
    def resolve_centroid(obj: Region) -> dict | None:
        if obj.longitude is None:
            return None
        return {"longitude": obj.longitude, "latitude": obj.latitude, "source": obj.location_source}


class RegionChild(RegionSummary):
    child_count: int


class RegionDetail(RegionSummary):
    descendant_counts: dict[str, int]
    path: list[str]


class RegionSearchResult(RegionSummary):
    path: str


@router.get(
    "",
    response={200: list[RegionSearchResult], **error_responses(400, 422)},
    auth=None,
    summary="Search regions",
)
def region_search(
    request: HttpRequest,
    search: str = "",
    level: Level | None = None,
    limit: Annotated[int, Query(ge=1, le=selectors.SEARCH_LIMIT)] = selectors.SEARCH_LIMIT,
) -> list[Region]:
    """Regions whose name contains `search` (Chinese substring; several words narrow by ancestor
    names, e.g. `海淀 学院路`) or whose code starts with it. Without `search`: the regions of
    `level`, or the top regions."""
    if search.strip():
        regions = selectors.region_search(search, level=level, limit=limit)
    elif level:
        regions = list(selectors.region_list_level(level)[:limit])
    else:
        regions = list(selectors.region_list_roots()[:limit])
    paths = selectors.region_paths(regions)
    for region in regions:
        region.path = " › ".join(filter(None, [paths[region.code], region.name]))
    return regions


@router.get(
    "/{code}",
    response={200: RegionDetail, **error_responses(400, 404, 422)},
    auth=None,
    summary="One region",
)
def region_detail(request: HttpRequest, code: RegionCode) -> Region:
    """`path` lists the codes of the regions above it, from the top."""
    region = selectors.region_get(code)
    region.descendant_counts = selectors.region_descendant_counts(region)
    region.path = [a.code for a in selectors.region_ancestors(region)]
    return region


@router.get(
    "/{code}/children",
    response={200: list[RegionChild], **error_responses(400, 404, 422)},
    auth=None,
    summary="Its children",
)
def region_children(request: HttpRequest, code: RegionCode) -> list[Region]:
    return list(selectors.region_children(selectors.region_get(code)))


@router.get(
    "/{code}/boundaries",
    response={200: dict, **error_responses(400, 404, 422)},
    auth=None,
    summary="Children's boundaries as GeoJSON",
)
def region_boundaries(request: HttpRequest, code: RegionCode) -> dict:
    """A FeatureCollection (WGS84) of the children that have an official boundary (Beijing's
    16 districts under 110000000000), simplified for display."""
    return selectors.region_boundaries(selectors.region_get(code))
