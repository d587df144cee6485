"""Weights (权重): how much each child counts within its parent. Given (iMeta) and equal
weights need no data; entropy, CRITIC and PCA weights are derived from the normalised data; expert
weights come from an AHP pairwise comparison matrix (层次分析法). Weights are always compared
within one parent, so every method ends by renormalising them to sum to 1 per parent."""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from shoushan.evaluation.engine.data import EngineError, Framework, Table
from shoushan.evaluation.engine.messages import _

# Saaty's random consistency index RI by matrix size n (Saaty 1980, The Analytic Hierarchy
# Process, table 1.7; n = 11..15 as extended there). n = 1, 2 are always consistent.
SAATY_RANDOM_INDEX = {
    1: 0.0,
    2: 0.0,
    3: 0.58,
    4: 0.90,
    5: 1.12,
    6: 1.24,
    7: 1.32,
    8: 1.41,
    9: 1.45,
    10: 1.49,
    11: 1.51,
    12: 1.48,
    13: 1.56,
    14: 1.57,
    15: 1.59,
}
MAX_CONSISTENCY_RATIO = 0.1


def weights_given(framework: Framework) -> dict[str, float]:
    """The iMeta weights, as stated (not renormalised)."""
    return {n.code: n.weight for n in framework.nodes if n.parent}


def weights_renormalise(framework: Framework, weights: Mapping[str, float]) -> dict[str, float]:
    """Scale weights so that the children of every parent sum to 1; a code missing from
    `weights` keeps its iMeta weight. Refuses a parent whose weights sum to zero or below,
    because its aggregate would be undefined."""
    out: dict[str, float] = {}
    for parent in (n for n in framework.nodes if n.level > 1):
        children = framework.children(parent.code)
        raw = np.array([weights.get(c.code, c.weight) for c in children], dtype=float)
        if np.any(raw < 0) or raw.sum() <= 0:
            raise EngineError(
                f"the weights of the children of {parent.code!r} must be ≥ 0 and sum > 0"
            )
        out.update(zip((c.code for c in children), (raw / raw.sum()).tolist(), strict=True))
    return out


def weights_equal(framework: Framework) -> dict[str, float]:
    """1/k for each of the k children of a parent."""
    return weights_renormalise(framework, {n.code: 1.0 for n in framework.nodes if n.parent})


def _complete_rows(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    rows = x[~np.isnan(x).any(axis=1)]
    if len(rows) < 2:
        raise EngineError("data-driven weights need at least 2 units with every value present")
    return rows


def weights_entropy(x: np.ndarray) -> np.ndarray:
    """Entropy weights (熵权法) of the columns of `x` (units × indicators, normalised, ≥ 0):
    a column whose values are spread evenly carries little information and gets little weight.
    e_j = -Σ p_ij ln p_ij / ln m with p_ij = x_ij / Σ_i x_ij; w_j ∝ 1 - e_j. Units with a
    missing value are left out, so that every column is judged on the same units."""
    x = _complete_rows(x)
    if np.any(x < 0):
        raise EngineError("entropy weights need non-negative values; normalise with minmax first")
    totals = x.sum(axis=0)
    if np.any(totals == 0):
        raise EngineError("entropy weights are undefined for a column of zeros")
    p = x / totals
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(p), 0.0)
    divergence = 1 + plogp.sum(axis=0) / np.log(len(x))
    if divergence.sum() <= 0:
        return np.full(x.shape[1], 1 / x.shape[1])  # all columns uniform: no column informs more
    return divergence / divergence.sum()


def weights_critic(x: np.ndarray) -> np.ndarray:
    """CRITIC weights (Diakoulaki, Mavrotas & Papayannakis 1995): C_j = σ_j Σ_k (1 - r_jk), so a
    column counts more when it varies a lot (contrast) and agrees little with the others
    (conflict). `x` should be min-max normalised so that the σ_j are comparable."""
    x = _complete_rows(x)
    sd = x.std(axis=0, ddof=1)
    if np.any(sd == 0):
        raise EngineError("CRITIC weights are undefined for a constant column")
    r = np.corrcoef(x, rowvar=False).reshape(x.shape[1], x.shape[1])
    c = sd * (1 - r).sum(axis=1)
    return c / c.sum()


@dataclass(frozen=True)
class AhpWeights:
    """Result of an AHP judgement matrix: the weights (principal eigenvector, summing to 1),
    λ_max, the consistency index CI = (λ_max - n)/(n - 1) and ratio CR = CI / RI(n)."""

    weights: np.ndarray
    lambda_max: float
    consistency_index: float
    consistency_ratio: float


def _check_pairwise(a: np.ndarray) -> None:
    n = a.shape[0]
    if a.ndim != 2 or a.shape != (n, n) or n == 0:
        raise EngineError(
            _("a pairwise comparison matrix must be square, not %(shape)s") % {"shape": a.shape}
        )
    if not np.all(np.isfinite(a)) or np.any(a <= 0):
        raise EngineError(_("pairwise comparisons must be positive numbers"))
    if not np.allclose(a * a.T, 1, rtol=1e-6):
        i, j = np.argwhere(~np.isclose(a * a.T, 1, rtol=1e-6))[0]
        raise EngineError(
            _(
                "the matrix is not reciprocal: the judgements in row %(i)d, column %(j)d "
                "and row %(j)d, column %(i)d must multiply to 1"
            )
            % {"i": i + 1, "j": j + 1}
        )
    if n > max(SAATY_RANDOM_INDEX):
        raise EngineError(f"Saaty's random index is tabulated up to n = {max(SAATY_RANDOM_INDEX)}")


def weights_ahp(matrix: np.ndarray, max_ratio: float = MAX_CONSISTENCY_RATIO) -> AhpWeights:
    """Expert weights from a reciprocal pairwise comparison matrix (a_ij = how much more
    important i is than j, Saaty's 1–9 scale). Judgements with CR > `max_ratio` (Saaty: 0.1)
    are refused, because the weights they give are not a considered opinion."""
    a = np.asarray(matrix, dtype=float)
    _check_pairwise(a)
    n = a.shape[0]
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))  # Perron root of a positive matrix: real and largest
    w = np.abs(vectors[:, k].real)
    w = w / w.sum()
    lambda_max = float(values[k].real)
    ci = max((lambda_max - n) / (n - 1), 0.0) if n > 2 else 0.0
    ri = SAATY_RANDOM_INDEX[n]
    cr = ci / ri if ri > 0 else 0.0
    if cr > max_ratio:
        raise EngineError(
            _(
                "the pairwise judgements are inconsistent: consistency ratio %(cr).3f exceeds "
                "%(max)g; revise the comparisons"
            )
            % {"cr": cr, "max": max_ratio}
        )
    return AhpWeights(w, lambda_max, ci, cr)


def weights_pca(x: np.ndarray) -> np.ndarray:
    """PCA weights: the squared loadings of the first principal component of the standardised
    complete rows, i.e. each child's share of the component that explains most of the group's
    variance (the OECD/JRC Handbook's use of squared loadings scaled to unity; a unit loading
    vector makes them sum to 1 already). Squaring removes the arbitrary sign of the loadings."""
    x = _complete_rows(x)
    sd = x.std(axis=0, ddof=1)
    if np.any(sd == 0):
        raise EngineError("PCA weights are undefined for a constant column")
    _u, _s, vt = np.linalg.svd((x - x.mean(axis=0)) / sd, full_matrices=False)
    w = vt[0] ** 2
    return w / w.sum()


DATA_WEIGHTINGS = {"entropy": weights_entropy, "critic": weights_critic, "pca": weights_pca}


def weights_from_data(table: Table, framework: Framework, method: str) -> dict[str, float]:
    """Entropy or CRITIC weights of the children of every parent whose children are all columns
    of `table` (the normalised indicators give the pillars' weights; an aggregated table gives
    every level's). Each parent's children are weighed against each other only."""
    if method not in DATA_WEIGHTINGS:
        raise EngineError(f"unknown weighting {method!r}; known: {', '.join(DATA_WEIGHTINGS)}")
    out: dict[str, float] = {}
    for parent in (n for n in framework.nodes if n.level > 1):
        codes = [c.code for c in framework.children(parent.code)]
        if not all(c in table.codes for c in codes):
            continue
        w = DATA_WEIGHTINGS[method](table.select_codes(codes).values)
        out.update(zip(codes, w.tolist(), strict=True))
    return out
