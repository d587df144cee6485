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
