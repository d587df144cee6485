"""Analysis (分析) of a built index, as COINr 1.1.14 does it: statistics of each indicator,
correlations with their p-values, Cronbach's alpha, PCA weights, effective weights, ranks,
strengths and weaknesses of a unit, and the change between two builds.

These are the checks a reviewer runs before publishing: an indicator with few distinct values
or a heavy tail, a pillar that does not hang together, an indicator whose nominal weight hides
a much smaller effective one. Every function takes and returns plain data."""

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as scipy_stats

from shoushan.evaluation.engine.data import EngineError, Framework, Table
from shoushan.evaluation.engine.results import rank_descending
from shoushan.evaluation.engine.treat import kurtosis, skewness

# ---------------------------------------------------------------------------------------------
# Statistics per indicator (COINr get_stats)


@dataclass(frozen=True)
class IndicatorStats:
    """One row of COINr's `get_stats` table. Fractions of non-zero, unique and same values are
    of the values present; the flags compare against the number of units, as COINr does."""

    code: str
    min: float
    max: float
    mean: float
    median: float
    std: float
    skew: float
    kurt: float
    n_avail: int
    n_nonzero: int
    n_unique: int
    n_same: int
    frc_avail: float
    frc_nonzero: float
    frc_unique: float
    frc_same: float
    flag_avail: str  # "ok" or "LOW"
    flag_nonzero: str  # "ok" or "LOW"
    flag_unique: str  # "ok" or "LOW"
    flag_skew_kurt: str  # "ok" or "OUT"


def signif(x: float, digits: int = 3) -> float:
    """R's `signif`, which COINr rounds its table with: scale by a power of ten, round half to
    even, scale back. Python's `round` differs on ties such as 9.205 (R gives 9.2), because R
    rounds the scaled binary value 920.4999… rather than the exact decimal."""
    if not math.isfinite(x) or x == 0:
        return x
    exponent = digits - 1 - math.floor(math.log10(abs(x)))
    if exponent > 0:
        scale = 10.0**exponent
        return float(np.rint(x * scale) / scale)
    scale = 10.0**-exponent
    return float(np.rint(x / scale) * scale)


def _or_nan(function: Callable[[np.ndarray], float], x: np.ndarray) -> float:
    """Skew and kurtosis need 3 and 4 values; with fewer the statistic is missing, not an error,
    so that one sparse indicator does not stop the whole table."""
    try:
        return function(x)
    except EngineError:
        return math.nan


def _flag(ok: bool, bad: str = "LOW") -> str:
    return "ok" if ok else bad


def column_stats(
    code: str,
    x: np.ndarray,
    *,
    t_skew: float = 2,
    t_kurt: float = 3.5,
    t_avail: float = 0.65,
    t_zero: float = 0.5,
    t_unq: float = 0.5,
) -> IndicatorStats:
    """Statistics of one column, unrounded; NaN is a missing value."""
    n = len(x)
    present = x[~np.isnan(x)]
    n_avail = len(present)
    if n_avail == 0:
        raise EngineError(f"{code}: no value present")
    values, counts = np.unique(present, return_counts=True)
    n_nonzero = int(np.count_nonzero(present))
    skew, kurt = _or_nan(skewness, present), _or_nan(kurtosis, present)
    return IndicatorStats(
        code=code,
        min=float(present.min()),
        max=float(present.max()),
        mean=float(present.mean()),
        median=float(np.median(present)),
        std=float(present.std(ddof=1)) if n_avail > 1 else math.nan,
        skew=skew,
        kurt=kurt,
        n_avail=n_avail,
        n_nonzero=n_nonzero,
        n_unique=len(values),
        n_same=int(counts.max()),
        frc_avail=n_avail / n,
        frc_nonzero=n_nonzero / n_avail,
        frc_unique=len(values) / n_avail,
        frc_same=int(counts.max()) / n_avail,
        flag_avail=_flag(n_avail / n >= t_avail),
        flag_nonzero=_flag(n_nonzero / n >= t_zero),
        flag_unique=_flag(len(values) / n >= t_unq),
        # NaN comparisons are False, so an indicator too short for a skew is not flagged.
        flag_skew_kurt=_flag(not (abs(skew) > t_skew and kurt > t_kurt), "OUT"),
    )


def indicator_stats(
    table: Table,
    *,
    t_skew: float = 2,
    t_kurt: float = 3.5,
    t_avail: float = 0.65,
    t_zero: float = 0.5,
    t_unq: float = 0.5,
) -> list[IndicatorStats]:
    """COINr `get_stats` for every column of `table`, unrounded (round with `signif` for
    display; the flags are decided on the unrounded numbers, as COINr decides them)."""
    thresholds = {"t_skew": t_skew, "t_kurt": t_kurt, "t_avail": t_avail}
    thresholds |= {"t_zero": t_zero, "t_unq": t_unq}
    return [
        column_stats(code, x, **thresholds)
        for code, x in zip(table.codes, table.values.T, strict=True)
    ]


# ---------------------------------------------------------------------------------------------
# Correlations (COINr get_corr) and Cronbach's alpha (get_cronbach)


@dataclass(frozen=True)
class Correlation:
    """Pearson correlation of two columns over the units where both are present. `r` is NaN
    when blanked for p > pval, or when fewer than 3 units are shared."""

    var1: str
    var2: str
    r: float
    p: float
    n: int


def pearson_pair(x: np.ndarray, y: np.ndarray) -> tuple[float, float, int]:
    """R's `cor(use = "pairwise.complete.obs")` and `cor.test`'s two-sided p-value (t with
    n − 2 degrees of freedom) for one pair, using the units where both values are present."""
    both = ~(np.isnan(x) | np.isnan(y))
    n = int(both.sum())
    if n < 3:
        return math.nan, math.nan, n
    dx, dy = x[both] - x[both].mean(), y[both] - y[both].mean()
    denominator = math.sqrt(float(np.sum(dx * dx) * np.sum(dy * dy)))
    if denominator == 0:
        return math.nan, math.nan, n
    r = float(np.clip(np.sum(dx * dy) / denominator, -1, 1))
    if abs(r) == 1:
        return r, 0.0, n
    t = r * math.sqrt((n - 2) / (1 - r * r))
    return r, float(2 * scipy_stats.t.sf(abs(t), n - 2)), n


def correlations(first: Table, second: Table, *, pval: float = 0.05) -> list[Correlation]:
    """Every column of `first` against every column of `second`, in COINr's long order (the
    first table's codes vary fastest). A correlation whose p-value exceeds `pval` is blanked
    (NaN), so that a chart shows only significant ones; `pval = 0` keeps them all."""
    if first.units != second.units:
        raise EngineError("correlated tables must have the same units in the same order")
    out = []
    for code2, y in zip(second.codes, second.values.T, strict=True):
        for code1, x in zip(first.codes, first.values.T, strict=True):
            r, p, n = pearson_pair(x, y)
            if pval > 0 and not p <= pval:
                r = math.nan
            out.append(Correlation(code1, code2, r, p, n))
    return out


def _pairwise_covariance(values: np.ndarray) -> np.ndarray:
    """R's `cov(use = "pairwise.complete.obs")`: each entry over the rows where both columns
    are present, with means taken over those rows."""
    k = values.shape[1]
    cov = np.full((k, k), np.nan)
    for i in range(k):
        for j in range(i, k):
            both = ~(np.isnan(values[:, i]) | np.isnan(values[:, j]))
            if both.sum() > 1:
                x, y = values[both, i], values[both, j]
                cov[i, j] = cov[j, i] = np.sum((x - x.mean()) * (y - y.mean())) / (len(x) - 1)
    return cov


def cronbach_alpha(table: Table) -> float:
    """COINr `get_cronbach`: alpha = k² · mean off-diagonal covariance / sum of all covariances.
    It measures whether the columns (e.g. the indicators of a pillar) move together."""
    k = len(table.codes)
    if k < 2:
        raise EngineError("Cronbach's alpha needs at least two columns")
    cov = _pairwise_covariance(table.values)
    total = float(np.nansum(cov))
    off_diagonal_mean = (total - float(np.nansum(np.diag(cov)))) / (k * (k - 1))
    return k * k * off_diagonal_mean / total


# ---------------------------------------------------------------------------------------------
# PCA weights (COINr get_PCA, by_groups) and effective weights (get_eff_weights)


@dataclass(frozen=True)
class GroupPCA:
    """PCA of the children of one aggregate: PC1 loadings (the weights COINr proposes; their
    sign is arbitrary) and the share of variance each component explains."""

    group: str
    codes: tuple[str, ...]
    loadings: np.ndarray
    variance_explained: np.ndarray
    n_units: int


def pca_first_component(table: Table, group: str = "") -> GroupPCA:
    """`prcomp(center = TRUE, scale. = TRUE)` on the units with every column present (PCA is
    undefined with gaps; build after imputation to keep all units)."""
    complete = ~np.isnan(table.values).any(axis=1)
    x = table.values[complete]
    if x.shape[0] < 2:
        raise EngineError(f"{group or 'PCA'}: fewer than two complete units")
    sd = x.std(axis=0, ddof=1)
    if np.any(sd == 0):
        raise EngineError(f"{group or 'PCA'}: a column has no variance")
    z = (x - x.mean(axis=0)) / sd
    _u, singular, vt = np.linalg.svd(z, full_matrices=False)
    variance = singular**2
    return GroupPCA(group, table.codes, vt[0], variance / variance.sum(), int(x.shape[0]))


def pca_weights_by_group(table: Table, framework: Framework, level: int = 1) -> list[GroupPCA]:
    """PCA within each aggregate of level `level` + 1, over its children at `level`, in
    framework order: COINr's `get_PCA(by_groups = TRUE)`."""
    out = []
    for parent in framework.level(level + 1):
        codes = [c.code for c in framework.children(parent.code) if c.code in table.codes]
        if len(codes) < 2:
            raise EngineError(f"{parent.code}: PCA needs at least two children in the table")
        out.append(pca_first_component(table.select_codes(codes), parent.code))
    return out


def effective_weights(
    framework: Framework, weights: Mapping[str, float] | None = None
) -> dict[str, float]:
    """COINr `get_eff_weights`: a node's share of the index is its weight over the sum of its
    siblings' weights, times its parent's share. Two indicators with the same nominal weight
    count differently when their pillars have different numbers of indicators."""
    weight = {n.code: (weights or {}).get(n.code, n.weight) for n in framework.nodes}
    share: dict[str, float] = {}
    for level in range(framework.max_level, 0, -1):
        for node in framework.level(level):
            if node.parent is None:
                share[node.code] = 1.0
                continue
            siblings = sum(weight[s.code] for s in framework.children(node.parent))
            share[node.code] = share[node.parent] * weight[node.code] / siblings
    return {n.code: share[n.code] for n in framework.nodes}


# ---------------------------------------------------------------------------------------------
# Ranks, strengths and weaknesses (get_str_wk / get_str_weak), change between builds


def ranks(table: Table) -> Table:
    """Rank every column, 1 for the highest, ties sharing the lowest rank, missing unranked:
    COINr's `rank_df`."""
    return table.with_values(np.column_stack([rank_descending(x) for x in table.values.T]))


def group_ranks(table: Table, labels: Sequence[str | None]) -> Table:
    """Rank within each group (e.g. income group): a unit is compared only with the units
    sharing its label. A unit with no label gets no rank."""
    if len(labels) != len(table.units):
        raise EngineError("one group label per unit is needed")
    out = np.full(table.values.shape, np.nan)
    for label in {g for g in labels if g is not None}:
        rows = np.array([g == label for g in labels])
        out[rows] = ranks(table.select_units(rows)).values
    return table.with_values(out)


@dataclass(frozen=True)
class RankedIndicator:
    """One strength or weakness: the indicator, the unit's rank in it and its value."""

    code: str
    rank: float
    value: float


@dataclass(frozen=True)
class StrengthsWeaknesses:
    """Strengths are the best-ranked indicators (best first); weaknesses the worst-ranked, in
    ascending rank as COINr lists them (the worst last)."""

    unit: str
    strengths: tuple[RankedIndicator, ...]
    weaknesses: tuple[RankedIndicator, ...]


def _unique_fraction(x: np.ndarray) -> float:
    """COINr counts NA as one more distinct value and divides by all units."""
    present = x[~np.isnan(x)]
    return (len(np.unique(present)) + (len(present) < len(x))) / len(x)


def _candidates(
    table: Table, rank_table: Table, row: int, unq_discard: float | None, min_discard: bool
) -> list[tuple[float, int]]:
    """(rank, column) of the indicators a unit may be praised or blamed for: its rank present,
    enough distinct values (`unq_discard`) and, with `min_discard`, not the worst rank of that
    indicator, since sharing the last place (often a zero) is no strength."""
    out = []
    for j, x in enumerate(table.values.T):
        rank = rank_table.values[row, j]
        if np.isnan(rank):
            continue
        if unq_discard is not None and not _unique_fraction(x) > unq_discard:
            continue
        if min_discard and rank == np.nanmax(rank_table.values[:, j]):
            continue
        out.append((float(rank), j))
    return sorted(out, key=lambda item: item[0])  # stable: ties keep column order, as R's order


def strengths_weaknesses(
    table: Table,
    unit: str,
    *,
    top_n: int = 5,
    bottom_n: int = 5,
    directions: Mapping[str, int] | None = None,
    group_labels: Sequence[str | None] | None = None,
    unq_discard: float | None = None,
    min_discard: bool = True,
) -> StrengthsWeaknesses:
    """COINr `get_str_weak` on the indicator columns of `table`. Pass `directions` for raw data
    (COINr does so for the Raw set), so that a low value of a lower-is-better indicator counts
    as a strength; pass `group_labels` to rank within the unit's group."""
    if unit not in table.units:
        raise EngineError(f"unit {unit!r} is not in the table")
    if directions:
        signs = np.array([directions.get(code, 1) for code in table.codes], dtype=float)
        adjusted = table.with_values(table.values * signs)
    else:
        adjusted = table
    rank_table = ranks(adjusted) if group_labels is None else group_ranks(adjusted, group_labels)
    row = table.units.index(unit)
    chosen = _candidates(table, rank_table, row, unq_discard, min_discard)
    entries = [
        RankedIndicator(table.codes[j], rank, float(table.values[row, j])) for rank, j in chosen
    ]
    weaknesses = entries[len(entries) - bottom_n :] if bottom_n else []
    return StrengthsWeaknesses(unit, tuple(entries[:top_n]), tuple(weaknesses))


@dataclass(frozen=True)
class Change:
    """Change from an earlier build to a later one. `score_change` is later − earlier;
    `rank_change` is earlier rank − later rank, so a positive number means the unit moved up."""

    score_change: Table
    rank_change: Table


def change_between(earlier: Table, later: Table) -> Change:
    """Year-on-year (同比) change of scores and ranks between two builds of the same units and
    codes; the later build's row and column order is used, so either order of input works."""
    if set(earlier.units) != set(later.units) or set(earlier.codes) != set(later.codes):
        raise EngineError("the two builds must have the same units and codes")
    rows = [earlier.units.index(u) for u in later.units]
    before = Table(later.units, earlier.codes, earlier.values[rows]).select_codes(later.codes)
    return Change(
        score_change=later.with_values(later.values - before.values),
        rank_change=later.with_values(ranks(before).values - ranks(later).values),
    )


__all__ = [
    "Change",
    "Correlation",
    "GroupPCA",
    "IndicatorStats",
    "RankedIndicator",
    "StrengthsWeaknesses",
    "change_between",
    "column_stats",
    "correlations",
    "cronbach_alpha",
    "effective_weights",
    "group_ranks",
    "indicator_stats",
    "pca_first_component",
    "pca_weights_by_group",
    "pearson_pair",
    "ranks",
    "signif",
    "strengths_weaknesses",
]
