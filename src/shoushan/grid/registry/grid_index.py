"""Where a point lies: the comprehensive grids in an STRtree, kept in each process and rebuilt
when the grids change (every write of grids raises the version stamp GRIDS_VERSION)."""

from dataclasses import dataclass

from shoushan.core.versioned import VersionedCache
from shoushan.grid.geometry import PointLocator, as_polygon
from shoushan.grid.models import Grid, GridLayer

GRIDS_VERSION = "grids"


@dataclass
class Location:
    """Where a case is: codes only, so that intake needs no extra queries."""

    community_code: str
    street_code: str
    grid_id: int | None = None
    grid_code: str | None = None
    owner: str = ""

    @property
    def region_code(self) -> str:
        return self.grid_code or self.community_code or self.street_code


@dataclass(frozen=True)
class GridSnapshot:
    """The comprehensive grids at one moment: their codes, what intake needs of each, and an
    STRtree over their polygons, all indexed alike."""

    codes: list[str]
    locations: list[Location]
    locator: PointLocator | None

    def locate(self, lon: float, lat: float) -> Location | None:
        if self.locator is None:
            return None
        index = self.locator.locate_one(lon, lat)
        return self.locations[index] if index >= 0 else None


def _snapshot_build() -> GridSnapshot:
    rows = list(
        Grid.objects.filter(layer=GridLayer.COMPREHENSIVE).values_list(
            "id", "code", "community_id", "community__parent_id", "owner", "boundary"
        )
    )
    return GridSnapshot(
        codes=[row[1] for row in rows],
        locations=[Location(c, s, i, g, p) for i, g, c, s, p, _b in rows],
        locator=PointLocator([as_polygon(row[-1]) for row in rows]) if rows else None,
    )


_grid_index: VersionedCache[GridSnapshot] = VersionedCache(GRIDS_VERSION, _snapshot_build)


def grid_snapshot() -> GridSnapshot:
    """The grids as this process knows them (at most VERSION_CHECK_SECONDS old)."""
    return _grid_index.get()
