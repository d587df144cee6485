"""Normalise (标准化): bring indicators measured in different units onto one scale. As in COINr,
each column is first multiplied by its Direction, so that for every indicator higher is better,
then the method is applied. Missing values stay missing."""

from collections.abc import Callable, Mapping

import numpy as np

from shoushan.evaluation.engine.data import EngineError, Table
from shoushan.evaluation.engine.messages import _


def n_minmax(x: np.ndarray, lower: float = 0, upper: float = 100) -> np.ndarray:
    lo, hi = np.nanmin(x), np.nanmax(x)
    return (x - lo) / (hi - lo) * (upper - lower) + lower


def n_zscore(x: np.ndarray, mean: float = 0, sd: float = 1) -> np.ndarray:
    return (x - np.nanmean(x)) / np.nanstd(x, ddof=1) * sd + mean


def rank_min(x: np.ndarray) -> np.ndarray:
    """Rank ascending, ties sharing the lowest rank (R's `ties.method = "min"`), NaN kept."""
    present = ~np.isnan(x)
    ranks = np.full(len(x), np.nan)
    ranks[present] = np.searchsorted(np.sort(x[present]), x[present], side="left") + 1
    return ranks


def n_rank(x: np.ndarray) -> np.ndarray:
    return rank_min(x)


def n_borda(x: np.ndarray) -> np.ndarray:
    return rank_min(x) - 1


def n_prank(x: np.ndarray) -> np.ndarray:
    """Percentile rank: 0 for the lowest, 1 for the highest."""
    return (rank_min(x) - 1) / (np.count_nonzero(~np.isnan(x)) - 1)


def n_fracmax(x: np.ndarray) -> np.ndarray:
    """x / max(x). On a reversed indicator the maximum is ≤ 0, and COINr then gives negative
    ratios or ±Inf; this is kept to match, so only use it on positive, higher-is-better data."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return x / np.nanmax(x)


def n_dist2max(x: np.ndarray) -> np.ndarray:
    lo, hi = np.nanmin(x), np.nanmax(x)
    return 1 - (hi - x) / (hi - lo)


def n_dist2targ(x: np.ndarray, target: float, cap_max: bool = False) -> np.ndarray:
    """Distance to a target: 1 - (target - x) / (target - min(x)); a unit at the target scores
    1, the lowest 0, and one beyond the target more than 1 unless capped."""
    y = 1 - (target - x) / (target - np.nanmin(x))
    return np.minimum(y, 1) if cap_max else y


def n_dist2ref(x: np.ndarray, reference: int, cap_max: bool = False) -> np.ndarray:
    """Distance to a reference unit's value (row `reference`): as distance to a target."""
    return n_dist2targ(x, x[reference], cap_max)


def n_goalposts(
    x: np.ndarray,
    lower: float,
    upper: float,
    scale: float = 1,
    *,
    direction: int = 1,
    truncate: bool = True,
) -> np.ndarray:
    """Distance from the lower to the upper goalpost, scaled by `scale`. The goalposts are given
    in the indicator's own units; for a reversed indicator (x already times -1) they are negated
    and swapped, as COINr does."""
    lo, hi = (-upper, -lower) if direction == -1 else (lower, upper)
    y = (x - lo) / (hi - lo)
    if truncate:
        y = np.clip(y, 0, 1)
    return y * scale


NORMALISERS: Mapping[str, Callable[..., np.ndarray]] = {
    "minmax": n_minmax,
    "zscore": n_zscore,
    "rank": n_rank,
    "borda": n_borda,
    "prank": n_prank,
    "fracmax": n_fracmax,
    "dist2max": n_dist2max,
    "dist2targ": n_dist2targ,
    "dist2ref": n_dist2ref,
    "goalposts": n_goalposts,
}


def _arguments(
    table: Table, code: str, method: str, own: Mapping, direction: int, targets: Mapping
) -> dict:
    """The normaliser's arguments for one column. Goalposts and targets are written in the
    indicator's own units, so they flip with its direction as its values do; a reference is a
    unit code, turned into its row."""
    own = dict(own)
    if method == "goalposts":
        own["direction"] = direction
    if method == "dist2targ":
        target = own.get("target", targets.get(code))
        if target is None:
            raise EngineError(
                _(
                    "%(code)s: distance to target needs a target (the iMeta Target column "
                    "or the pipeline's target)"
                )
                % {"code": code}
            )
        own["target"] = target * direction
    if method == "dist2ref":
        if own.get("reference") not in table.units:
            raise EngineError(
                _("%(code)s: the reference unit %(unit)r is not in the data")
                % {"code": code, "unit": own.get("reference")}
            )
        own["reference"] = table.units.index(own["reference"])
    return own


def normalise(
    table: Table,
    directions: Mapping[str, int],
    method: str = "minmax",
    params: Mapping[str, float] | None = None,
    column_params: Mapping[str, Mapping[str, float]] | None = None,
    column_methods: Mapping[str, str] | None = None,
    targets: Mapping[str, float] | None = None,
) -> Table:
    """Normalise every column with `method` (a key of NORMALISERS) and `params`, or with the
    column's own entry of `column_methods` and `column_params` (COINr's `indiv_specs`, needed for
    goalposts, which differ per indicator). `targets` are the iMeta targets by code, for the
    distance to target."""
    for name in {method, *(column_methods or {}).values()}:
        if name not in NORMALISERS:
            raise EngineError(f"unknown normalisation {name!r}; known: {', '.join(NORMALISERS)}")
    columns = []
    for code, x in zip(table.codes, table.values.T, strict=True):
        direction = directions[code]
        own_method = (column_methods or {}).get(code, method)
        own = (column_params or {}).get(code, params or {})
        arguments = _arguments(table, code, own_method, own, direction, targets or {})
        columns.append(NORMALISERS[own_method](x * direction, **arguments))
    return table.with_values(np.column_stack(columns))
