"""Impute (缺失值插补): fill missing values column by column, as COINr's `i_mean`, `i_median`
and `i_mean_grp` do. A column (or group) with no value at all stays missing."""

from collections.abc import Callable, Sequence

import numpy as np

from shoushan.evaluation.engine.data import EngineError, Table


def _fill(x: np.ndarray, statistic: Callable[[np.ndarray], float]) -> np.ndarray:
    missing = np.isnan(x)
    if missing.all() or not missing.any():
        return x
    filled = x.copy()
    filled[missing] = statistic(x[~missing])
    return filled


def impute_mean(table: Table) -> Table:
    """COINr `i_mean`: each missing value becomes the mean of its column."""
    return table.with_values(np.column_stack([_fill(x, np.mean) for x in table.values.T]))


def impute_median(table: Table) -> Table:
    """COINr `i_median`: each missing value becomes the median of its column."""
    return table.with_values(np.column_stack([_fill(x, np.median) for x in table.values.T]))


def impute_group_mean(table: Table, groups: Sequence[str | None]) -> Table:
    """COINr `i_mean_grp`: each missing value becomes the mean of its column within the unit's
    group (e.g. Europe or Asia). Units without a group label are left as they are, as COINr's
    `skip_f_na = TRUE` does."""
    if len(groups) != len(table.units):
        raise EngineError(f"{len(groups)} group labels for {len(table.units)} units")
    labels = np.array([g if g is not None else "" for g in groups], dtype=object)
    values = np.array(table.values)
    for label in {g for g in groups if g is not None}:
        rows = labels == label
        values[rows] = np.column_stack([_fill(x, np.mean) for x in values[rows].T])
    return table.with_values(values)


def impute_group_median(table: Table, groups: Sequence[str | None]) -> Table:
    """COINr `i_median_grp`: as `impute_group_mean` but with the group median, which one
    extreme unit in a small group cannot drag."""
    if len(groups) != len(table.units):
        raise EngineError(f"{len(groups)} group labels for {len(table.units)} units")
    labels = np.array([g if g is not None else "" for g in groups], dtype=object)
    values = np.array(table.values)
    for label in {g for g in groups if g is not None}:
        rows = labels == label
        values[rows] = np.column_stack([_fill(x, np.median) for x in values[rows].T])
    return table.with_values(values)


PANEL_IMPUTATIONS = ("latest", "constant", "linear")


def _fill_series(times: np.ndarray, x: np.ndarray, method: str) -> np.ndarray:
    """One unit's series of one indicator, `times` ascending. As COINr's `impute_panel`:
    "latest" carries the last observation forward only (earlier gaps stay missing);
    "constant" and "linear" are R's `approx(rule = 2)`, so gaps before the first or after the
    last observation take the nearest observed value."""
    seen = ~np.isnan(x)
    if seen.all() or not seen.any():
        return x
    if method == "linear":
        return np.interp(times, times[seen], x[seen])
    # Index of the last observation at or before each time (-1 before the first one).
    last = np.maximum.accumulate(np.where(seen, np.arange(len(x)), -1))
    filled = np.where(last >= 0, x[np.maximum(last, 0)], np.nan)
    if method == "constant":
        filled[last < 0] = x[seen][0]
    return filled


def impute_panel(table: Table, times: Sequence[float], method: str = "latest") -> Table:
    """Fill gaps of panel data (one row per unit and time point; `table.units` repeats the unit
    code) from the same unit's other time points, which knows more about a unit than any
    other unit's values do. Rows may come in any order."""
    if method not in PANEL_IMPUTATIONS:
        raise EngineError(f"unknown panel imputation {method!r}; known: {PANEL_IMPUTATIONS}")
    if len(times) != len(table.units):
        raise EngineError(f"{len(times)} time points for {len(table.units)} rows")
    time = np.asarray(times, dtype=float)
    units = np.array(table.units, dtype=object)
    values = np.array(table.values)
    for unit in dict.fromkeys(table.units):
        rows = np.flatnonzero(units == unit)
        rows = rows[np.argsort(time[rows], kind="stable")]
        for j in range(values.shape[1]):
            values[rows, j] = _fill_series(time[rows], values[rows, j], method)
    return table.with_values(values)
