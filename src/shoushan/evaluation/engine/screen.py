"""Screen (按数据完整度筛选单位): drop units with too few indicator values, COINr's
`Screen(unit_screen = "byNA")`."""

from dataclasses import dataclass

import numpy as np

from shoushan.evaluation.engine.data import EngineError, Table


@dataclass(frozen=True)
class ScreenResult:
    table: Table
    availability: dict[str, float]  # share of indicators present, per unit
    removed_units: tuple[str, ...]


def screen_by_availability(table: Table, dat_thresh: float) -> ScreenResult:
    """Keep a unit when the share of its non-missing values is at least `dat_thresh`."""
    if not 0 <= dat_thresh <= 1:
        raise EngineError(f"dat_thresh must lie between 0 and 1, not {dat_thresh}")
    availability = 1 - np.isnan(table.values).sum(axis=1) / len(table.codes)
    keep = availability >= dat_thresh
    return ScreenResult(
        table=table.select_units(keep),
        availability=dict(zip(table.units, availability.tolist(), strict=True)),
        removed_units=tuple(u for u, k in zip(table.units, keep, strict=True) if not k),
    )
