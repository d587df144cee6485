"""Aggregate (加权合成): combine indicators into pillars, pillars into sub-indices and so on up
to the index, level by level, with the iMeta weights. A missing child is skipped and the weights
of the present children are renormalised, as COINr's `a_amean`, `a_gmean` and `a_hmean` do; a
unit with no child present gets a missing aggregate.

Besides COINr's three means there are the generalised (power) mean, whose parameter p sets how
much a weak child can be compensated by a strong one (p = 1 arithmetic, 0 geometric, -1
harmonic, lower p less compensation), and Copeland's pairwise outranking, which uses only the
order of the units on each child. `aggregate_replicated` runs any of them over many weight sets
at once, for the Monte Carlo and Sobol analyses."""

from collections.abc import Callable, Mapping

import numpy as np

from shoushan.evaluation.engine.data import EngineError, Framework, Table
from shoushan.evaluation.engine.messages import _


def a_amean(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted arithmetic mean of each row of `x` (units × children)."""
    present = ~np.isnan(x)
    with np.errstate(invalid="ignore"):
        return np.where(present, x * w, 0).sum(axis=1) / np.where(present, w, 0).sum(axis=1)


def a_gmean(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted geometric mean; needs positive values (normalise onto e.g. [1, 100] first)."""
    if np.any(x <= 0):
        raise EngineError(_("the geometric mean needs positive values; normalise onto [1, 100]"))
    present = ~np.isnan(x)
    with np.errstate(invalid="ignore"):
        return np.exp(
            np.where(present, w * np.log(x), 0).sum(axis=1) / np.where(present, w, 0).sum(axis=1)
        )


def a_hmean(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted harmonic mean; needs non-zero values."""
    if np.any(x == 0):
        raise EngineError(_("the harmonic mean needs non-zero values; normalise onto [1, 100]"))
    present = ~np.isnan(x)
    with np.errstate(invalid="ignore"):
        return np.where(present, w, 0).sum(axis=1) / np.where(present, w / x, 0).sum(axis=1)


def _power_mean(children: list[np.ndarray], w: np.ndarray, p: float) -> np.ndarray:
    """Weighted power mean over `children` (each R × n, or 1 × n) with weights `w` (R × c,
    or 1 × c), missing children skipped and their weight dropped."""
    if p <= 0 and any(np.any(x <= 0) for x in children):
        raise EngineError(
            _("the power mean with p = %(p)g needs positive values; normalise onto [1, 100]")
            % {"p": p}
        )
    if p != int(p) and any(np.any(x < 0) for x in children):
        raise EngineError(_("the power mean with p = %(p)g needs values ≥ 0") % {"p": p})
    num = np.zeros(np.broadcast_shapes(children[0].shape, w[:, :1].shape))
    den = np.zeros_like(num)
    with np.errstate(invalid="ignore", divide="ignore"):
        for j, x in enumerate(children):
            present = ~np.isnan(x)
            term = np.log(x) if p == 0 else x**p
            num += np.where(present, w[:, j : j + 1] * term, 0)
            den += np.where(present, w[:, j : j + 1], 0)
        mean = num / den
        return np.exp(mean) if p == 0 else mean ** (1 / p)


def _copeland(children: list[np.ndarray], w: np.ndarray) -> np.ndarray:
    """Copeland score (R × n): for every pair of units, i outranks k when the weight of the
    children on which i is higher (ties count half) exceeds half the weight of the children
    both have; the score is wins minus losses. Only orders are used, so no child's scale or
    outlier can buy a unit its place."""
    shape = np.broadcast_shapes(children[0].shape, w[:, :1].shape)
    if all(x.shape[0] == 1 for x in children):
        # Children shared by every replication (the indicators): the pairwise tables are fixed
        # and only the weights vary, so the weighted sums are one matrix product.
        both = np.stack([~np.isnan(x[0])[:, None] & ~np.isnan(x[0])[None, :] for x in children])
        diff = np.stack([x[0][:, None] - x[0][None, :] for x in children])
        beats = np.where(both, (diff > 0) + 0.5 * (diff == 0), 0)
        wins = np.tensordot(w, beats, axes=1)
        total = np.tensordot(w, both.astype(float), axes=1)
    else:
        wins = np.zeros((*shape, shape[-1]))
        total = np.zeros_like(wins)
        for j, x in enumerate(children):
            x = np.broadcast_to(x, shape)
            wj = w[:, j, None, None]
            both = ~np.isnan(x)[..., :, None] & ~np.isnan(x)[..., None, :]
            diff = x[..., :, None] - x[..., None, :]
            total += np.where(both, wj, 0)
            wins += np.where(both, wj * ((diff > 0) + 0.5 * (diff == 0)), 0)
    margin = 2 * wins - total
    outrank = np.where(np.abs(margin) <= 1e-12 * np.maximum(total, 1), 0, np.sign(margin))
    score = outrank.sum(axis=-1)
    any_present = np.any([~np.isnan(np.broadcast_to(x, shape)) for x in children], axis=0)
    return np.where(any_present, score, np.nan)


def a_genmean(x: np.ndarray, w: np.ndarray, p: float = 1.0) -> np.ndarray:
    """Weighted generalised mean (Σ w x^p / Σ w)^(1/p), the geometric mean at p = 0."""
    return _power_mean([col[None] for col in np.asarray(x, float).T], np.asarray(w)[None], p)[0]


def a_copeland(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Copeland pairwise-outranking score of each row of `x` (units × children)."""
    return _copeland([col[None] for col in np.asarray(x, float).T], np.asarray(w)[None])[0]


AGGREGATORS: Mapping[str, Callable[..., np.ndarray]] = {
    "amean": a_amean,
    "gmean": a_gmean,
    "hmean": a_hmean,
    "genmean": a_genmean,
    "copeland": a_copeland,
}
POWER_OF_MEAN = {"amean": 1.0, "gmean": 0.0, "hmean": -1.0}


def _below_threshold(children: list[np.ndarray], dat_thresh: float | None) -> np.ndarray | bool:
    """True where fewer than `dat_thresh` of the children are present (COINr's `dat_thresh`):
    such an aggregate would rest on too little data to be shown."""
    if dat_thresh is None:
        return False
    if not 0 <= dat_thresh <= 1:
        raise EngineError(f"dat_thresh must lie between 0 and 1, not {dat_thresh}")
    present = sum((~np.isnan(x)).astype(float) for x in children)
    return present / len(children) < dat_thresh


def aggregate(
    table: Table,
    framework: Framework,
    method: str = "amean",
    weights: Mapping[str, float] | None = None,
    *,
    params: Mapping[str, float] | None = None,
    dat_thresh: float | None = None,
) -> Table:
    """Return `table` (the normalised indicators) with one column per aggregate appended, in
    iMeta order. `weights` overrides the iMeta weight of any code; `params` go to the method
    (e.g. {"p": 0.5} for "genmean"); an aggregate is missing where fewer than `dat_thresh` of
    its children are present."""
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
            value = function(x, w, **(params or {}))
            below = _below_threshold(list(x.T), dat_thresh)
            columns.append(np.where(below, np.nan, value))
    return Table(table.units, tuple(codes), np.column_stack(columns))


def aggregate_replicated(
    indicators: np.ndarray,
    framework: Framework,
    weights: Mapping[str, np.ndarray],
    method: str = "amean",
    *,
    params: Mapping[str, float] | None = None,
    dat_thresh: float | None = None,
) -> dict[str, np.ndarray]:
    """Aggregate one normalised table (units × indicators, in framework order) under R weight
    sets at once: `weights` maps a code to an array of R weights (a code left out keeps its
    iMeta weight in every set). Returns every aggregate's
    scores as an R × units array. One numpy pass per child instead of R builds is what makes
    10,000 Monte Carlo replications take seconds."""
    if method not in AGGREGATORS:
        raise EngineError(f"unknown aggregation {method!r}; known: {', '.join(AGGREGATORS)}")
    r = max((np.size(w) for w in weights.values()), default=1)  # a plain number is one weight
    columns: dict[str, np.ndarray] = {
        n.code: np.asarray(indicators, float)[None, :, j]
        for j, n in enumerate(framework.indicators)
    }
    for level in range(2, framework.max_level + 1):
        for node in framework.level(level):
            kids = framework.children(node.code)
            children = [columns[c.code] for c in kids]
            w = np.column_stack(
                [np.broadcast_to(weights.get(c.code, c.weight), (r,)) for c in kids]
            )
            if method == "copeland":
                value = _copeland(children, w)
            else:
                p = POWER_OF_MEAN.get(method, (params or {}).get("p", 1.0))
                value = _power_mean(children, w, p)
            columns[node.code] = np.where(_below_threshold(children, dat_thresh), np.nan, value)
    return {n.code: columns[n.code] for n in framework.nodes if n.level > 1}
