"""Aggregate (加权合成): combine indicators into pillars, pillars into sub-indices and so on up
to the index, level by level, with the iMeta weights. A missing child is skipped and the weights
of the present children are renormalised, as COINr's `a_amean`, `a_gmean` and `a_hmean` do; a
unit with no child present gets a missing aggregate."""

from collections.abc import Callable, Mapping

import numpy as np

from shoushan.evaluation.engine.data import EngineError, Framework, Table


def a_amean(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted arithmetic mean of each row of `x` (units × children)."""
    present = ~np.isnan(x)
    with np.errstate(invalid="ignore"):
        return np.where(present, x * w, 0).sum(axis=1) / np.where(present, w, 0).sum(axis=1)


def a_gmean(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted geometric mean; needs positive values (normalise onto e.g. [1, 100] first)."""
    if np.any(x <= 0):
        raise EngineError("the geometric mean needs positive values; normalise onto [1, 100]")
    present = ~np.isnan(x)
    with np.errstate(invalid="ignore"):
        return np.exp(
            np.where(present, w * np.log(x), 0).sum(axis=1) / np.where(present, w, 0).sum(axis=1)
        )


def a_hmean(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted harmonic mean; needs non-zero values."""
    if np.any(x == 0):
        raise EngineError("the harmonic mean needs non-zero values; normalise onto [1, 100]")
    present = ~np.isnan(x)
    with np.errstate(invalid="ignore"):
        return np.where(present, w, 0).sum(axis=1) / np.where(present, w / x, 0).sum(axis=1)


AGGREGATORS: Mapping[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "amean": a_amean,
    "gmean": a_gmean,
    "hmean": a_hmean,
}


def aggregate(
    table: Table,
    framework: Framework,
    method: str = "amean",
    weights: Mapping[str, float] | None = None,
) -> Table:
    """Return `table` (the normalised indicators) with one column per aggregate appended, in
    iMeta order. `weights` overrides the iMeta weight of any code."""
    if method not in AGGREGATORS:
        raise EngineError(f"unknown aggregation {method!r}; known: {', '.join(AGGREGATORS)}")
    function = AGGREGATORS[method]
    codes = list(table.codes)
    columns = list(table.values.T)
    for level in range(2, framework.max_level + 1):
        for node in framework.level(level):
            children = framework.children(node.code)
            x = np.column_stack([columns[codes.index(c.code)] for c in children])
            w = np.array([(weights or {}).get(c.code, c.weight) for c in children])
            codes.append(node.code)
            columns.append(function(x, w))
    return Table(table.units, tuple(codes), np.column_stack(columns))
