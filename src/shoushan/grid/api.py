"""The grid system's API router: the closed loop's cases (staff systems; residents' machine
clients use Open311 at /open311/v2/)."""

from shoushan.grid.cases.api import router

__all__ = ["router"]
