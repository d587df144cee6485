"""Uncertainty and sensitivity analysis (不确定性与敏感性分析): how far would the ranking move
if the builder had made other defensible choices — treat outliers or not, another
normalisation, other weights, another aggregation? A rank that holds across those choices can
be published with confidence; a wide interval says the rank is an artefact of the method.

Every uncertain input is a coordinate of the unit hypercube, so one model serves both the Monte
Carlo rank intervals and the Sobol indices: a discrete choice takes option floor(u · k), and a
noisy weight becomes w · (1 + noise · (2u - 1)). The expensive steps (imputation, treatment and
normalisation) run once per distinct option; weights and aggregation are vectorised over the
replications (see `aggregate_replicated`)."""

import itertools
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.stats import qmc

from shoushan.evaluation.engine.aggregate import aggregate_replicated
from shoushan.evaluation.engine.data import EngineError, Framework, Table
from shoushan.evaluation.engine.impute import (
    impute_group_mean,
    impute_group_median,
    impute_mean,
    impute_median,
)
from shoushan.evaluation.engine.messages import _
from shoushan.evaluation.engine.normalise import normalise
from shoushan.evaluation.engine.treat import treat

Option = tuple[str, Mapping[str, float]]
IMPUTERS: dict[str, Callable] = {
    "mean": impute_mean,
    "median": impute_median,
    "group_mean": impute_group_mean,
    "group_median": impute_group_median,
}
CHUNK = 1024  # replications per aggregation call: bounds Copeland's R × n × n memory


@dataclass(frozen=True)
class UncertaintySpec:
    """The alternatives of each step. The first option of each tuple is the nominal one; a
    tuple of one option fixes that step. `weight_noise` is the relative half-width of the
    uniform noise put on the weights of the children at each of `noisy_levels`."""

    treatments: tuple[bool, ...] = (True,)
    # None = leave gaps (aggregation skips them); group methods use `group_labels`.
    imputations: tuple[str | None, ...] = (None,)
    group_labels: tuple[str | None, ...] = ()
    normalisations: tuple[Option, ...] = (("minmax", {"lower": 0.0, "upper": 100.0}),)
    aggregations: tuple[Option, ...] = (("amean", {}),)
    dat_thresholds: tuple[float | None, ...] = (None,)
    weight_noise: float = 0.0
    noisy_levels: tuple[int, ...] = (1,)
    weights: Mapping[str, float] = field(default_factory=dict)  # overrides iMeta weights

    @property
    def choices(self) -> dict[str, tuple]:
        return {
            "imputation": self.imputations,
            "treatment": self.treatments,
            "normalisation": self.normalisations,
            "aggregation": self.aggregations,
            "dat_thresh": self.dat_thresholds,
        }


@dataclass(frozen=True)
class UncertaintyPlan:
    """A pipeline file's `uncertainty` section: the alternatives to vary and the size of the
    Monte Carlo and Sobol runs. The seed is fixed so that a page and its blue book agree."""

    spec: UncertaintySpec
    replications: int = 1000
    sobol_samples: int = 256
    seed: int = 2026
    listed: frozenset[str] = frozenset()  # the steps the file lists; the others keep the build's


def uncertainty_check(table: Table, framework: Framework, spec: UncertaintySpec) -> None:
    """Build once at every combination of the discrete options (nominal weights), so that an
    impossible combination, such as a geometric mean over min-max [0, 100] scores, is refused
    when the file is saved rather than when the analysis runs. A few builds: milliseconds."""
    model = composite_model(table, framework, spec)
    discrete = [name for name in model.inputs if name in spec.choices]
    for combination in itertools.product(*(range(len(spec.choices[n])) for n in discrete)):
        point = model.nominal_point()
        for name, option in zip(discrete, combination, strict=True):
            column = model.groups == model.inputs.index(name)
            point[column] = (option + 0.5) / len(spec.choices[name])
        try:
            model.index_scores(point)
        except EngineError as error:
            options = ", ".join(
                f"{name} = {spec.choices[name][option]!r}"
                for name, option in zip(discrete, combination, strict=True)
            )
            raise EngineError(
                _("the uncertainty alternatives %(options)s cannot be combined: %(error)s")
                % {"options": options, "error": error}
            ) from None


@dataclass(frozen=True)
class CompositeModel:
    """The build as a function of a point of the unit hypercube. `groups[j]` is the input
    (index into `inputs`) that column j of a design belongs to."""

    table: Table
    framework: Framework
    spec: UncertaintySpec
    inputs: tuple[str, ...]
    groups: np.ndarray
    noisy_codes: tuple[str, ...]
    normalised: dict[tuple[int, int, int], np.ndarray]

    def index_scores(self, u: np.ndarray) -> np.ndarray:
        """Index scores (rows of `u` × units) for design rows `u` in [0, 1)^d."""
        u = np.atleast_2d(u)
        picks = {name: self._pick(u, name) for name in self.spec.choices}
        weights = self._weights(u)
        top = self.framework.level(self.framework.max_level)[0].code
        out = np.full((len(u), len(self.table.units)), np.nan)
        keys = np.column_stack([picks[name] for name in self.spec.choices])
        for key in np.unique(keys, axis=0):
            rows = np.flatnonzero((keys == key).all(axis=1))
            i, t, n, a, d = (int(k) for k in key)
            method, params = self.spec.aggregations[a]
            x = self.normalised[(i, t, n)]
            for start in range(0, len(rows), CHUNK):
                part = rows[start : start + CHUNK]
                w = {code: v[part] for code, v in weights.items()}
                scores = aggregate_replicated(
                    x,
                    self.framework,
                    w,
                    method,
                    params=params,
                    dat_thresh=self.spec.dat_thresholds[d],
                )
                out[part] = scores[top]
        return out

    def nominal_point(self) -> np.ndarray:
        """First option of every choice, weights without noise."""
        point = np.full(len(self.groups), 0.5)
        for j, name in enumerate(self.inputs):
            if name in self.spec.choices:
                point[self.groups == j] = 0.0
        return point

    def _pick(self, u: np.ndarray, name: str) -> np.ndarray:
        k = len(self.spec.choices[name])
        if name not in self.inputs:
            return np.zeros(len(u), dtype=int)
        column = int(np.flatnonzero(self.groups == self.inputs.index(name))[0])
        return np.minimum((u[:, column] * k).astype(int), k - 1)

    def _weights(self, u: np.ndarray) -> dict[str, np.ndarray]:
        nominal = {
            n.code: self.spec.weights.get(n.code, n.weight)
            for n in self.framework.nodes
            if n.parent
        }
        weights = {code: np.full(len(u), w) for code, w in nominal.items()}
        first = len(self.groups) - len(self.noisy_codes)
        for j, code in enumerate(self.noisy_codes):
            noise = self.spec.weight_noise * (2 * u[:, first + j] - 1)
            weights[code] = nominal[code] * (1 + noise)
        return weights


def _imputed(table: Table, method: str | None, labels: Sequence[str | None]) -> Table:
    if method is None:
        return table
    if method in ("group_mean", "group_median"):
        if len(labels) != len(table.units):
            raise EngineError(f"imputation {method!r} needs a group label for every unit")
        return IMPUTERS[method](table, labels)
    if method not in IMPUTERS:
        raise EngineError(f"unknown imputation {method!r}; known: {', '.join(IMPUTERS)}")
    return IMPUTERS[method](table)


def composite_model(table: Table, framework: Framework, spec: UncertaintySpec) -> CompositeModel:
    """Prepare the model: impute, treat and normalise `table` (the indicators before those
    steps) once per distinct combination of options, and lay out the inputs: one column per
    choice with more than one option, then one column per noisy weight, grouped by level."""
    if spec.weight_noise < 0 or spec.weight_noise >= 1:
        raise EngineError(f"weight noise must lie in [0, 1), not {spec.weight_noise}")
    codes = tuple(n.code for n in framework.indicators)
    table = table.select_codes(codes)
    directions = {n.code: n.direction for n in framework.indicators}
    targets = {n.code: n.target for n in framework.indicators if n.target is not None}
    normalised = {}
    for i, imputation in enumerate(spec.imputations):
        imputed = _imputed(table, imputation, spec.group_labels)
        for t, treated_on in enumerate(spec.treatments):
            treated = treat(imputed)[0] if treated_on else imputed
            for n, (method, params) in enumerate(spec.normalisations):
                normalised[(i, t, n)] = normalise(
                    treated, directions, method, params, targets=targets
                ).values
    inputs = [name for name, options in spec.choices.items() if len(options) > 1]
    groups = list(range(len(inputs)))
    noisy: list[str] = []
    if spec.weight_noise > 0:
        for level in spec.noisy_levels:
            level_codes = [n.code for n in framework.level(level) if n.parent]
            if not level_codes:
                continue
            inputs.append(f"weights_level_{level}")
            groups += [len(inputs) - 1] * len(level_codes)
            noisy += level_codes
    return CompositeModel(
        table, framework, spec, tuple(inputs), np.array(groups, dtype=int), tuple(noisy), normalised
    )


def ranks_descending(scores: np.ndarray) -> np.ndarray:
    """Row-wise `rank_descending`: rank 1 for the highest score, ties sharing the best rank,
    missing scores unranked. Counting higher scores is O(n²) per row, cheap for tens of units
    and free of a Python loop over replications."""
    higher = (scores[:, None, :] > scores[:, :, None]).sum(axis=2)
    return np.where(np.isnan(scores), np.nan, higher + 1.0)


@dataclass(frozen=True)
class RankDistribution:
    """Per unit: the nominal rank and the median, 5th and 95th percentile of its rank over the
    replications; `ranks` and `scores` keep every replication (replications × units)."""

    units: tuple[str, ...]
    nominal: np.ndarray
    median: np.ndarray
    p05: np.ndarray
    p95: np.ndarray
    ranks: np.ndarray
    scores: np.ndarray


def rank_uncertainty(
    table: Table,
    framework: Framework,
    spec: UncertaintySpec,
    replications: int = 1000,
    seed: int | None = None,
) -> RankDistribution:
    """Monte Carlo: draw every uncertain input independently and uniformly, build the index
    `replications` times, and summarise each unit's ranks."""
    model = composite_model(table, framework, spec)
    rng = np.random.default_rng(seed)
    u = rng.random((replications, len(model.groups)))
    scores = model.index_scores(u)
    ranks = ranks_descending(scores)
    nominal = ranks_descending(model.index_scores(model.nominal_point()))[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a unit never ranked: all-NaN column
        p05, median, p95 = np.nanpercentile(ranks, [5, 50, 95], axis=0)
    return RankDistribution(table.units, nominal, median, p05, p95, ranks, scores)


@dataclass(frozen=True)
class SobolIndices:
    """First-order (`first`) and total (`total`) Sobol indices per input (first axis), per
    output if the model has several; `*_ci` hold the bootstrap (low, high) bounds."""

    inputs: tuple[str, ...]
    first: np.ndarray
    total: np.ndarray
    first_ci: np.ndarray
    total_ci: np.ndarray


def saltelli_design(
    n: int, groups: Sequence[int] | np.ndarray, seed: int | None = None, sampling: str = "sobol"
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """A and B (n × d) and, for each input i, A_B^i: A with the columns of input i taken from
    B. Scrambled Sobol points converge much faster than plain random ones."""
    group_of = np.asarray(groups)
    d = len(group_of)
    if sampling == "sobol":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # n not a power of two: still fine
            base = qmc.Sobol(d=2 * d, scramble=True, seed=seed).random(n)
    elif sampling == "random":
        base = np.random.default_rng(seed).random((n, 2 * d))
    else:
        raise EngineError(f"unknown sampling {sampling!r}; known: sobol, random")
    a, b = base[:, :d], base[:, d:]
    ab = []
    for i in range(int(group_of.max()) + 1):
        m = a.copy()
        m[:, group_of == i] = b[:, group_of == i]
        ab.append(m)
    return a, b, ab


def _estimate(fa: np.ndarray, fb: np.ndarray, fab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Saltelli (2010) first-order and Jansen (1999) total estimators along axis -2 (samples);
    an output that never varies has no share to apportion, so its indices are NaN."""
    variance = np.concatenate([fa, fb], axis=-2).var(axis=-2)
    with np.errstate(invalid="ignore", divide="ignore"):
        first = (fb * (fab - fa)).mean(axis=-2) / variance
        total = 0.5 * ((fa - fab) ** 2).mean(axis=-2) / variance
    return first, total


def sobol_indices(
    model: Callable[[np.ndarray], np.ndarray],
    groups: Sequence[int] | np.ndarray,
    n: int = 1000,
    seed: int | None = None,
    n_boot: int = 1000,
    confidence: float = 0.95,
    sampling: str = "sobol",
    inputs: Sequence[str] | None = None,
) -> SobolIndices:
    """Sobol indices of `model` (rows of [0, 1)^d → one value or a vector per row) with respect
    to the inputs that `groups` assigns the d columns to, from n(k + 2) model runs; confidence
    intervals by resampling the n base rows with replacement."""
    a, b, ab = saltelli_design(n, groups, seed, sampling)
    k = len(ab)
    runs = model(np.vstack([a, b, *ab]))
    runs = runs.reshape(len(runs), -1)
    fa, fb, fab = runs[:n], runs[n : 2 * n], runs[2 * n :].reshape(k, n, -1)
    first, total = _estimate(fa, fb, fab)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(n_boot, n))
    tails = [(1 - confidence) / 2 * 100, (1 + confidence) / 2 * 100]
    first_ci, total_ci = [], []
    for i in range(k):
        s1, st = _estimate(fa[idx], fb[idx], fab[i][idx])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            first_ci.append(np.nanpercentile(s1, tails, axis=0))
            total_ci.append(np.nanpercentile(st, tails, axis=0))
    squeeze = runs.shape[1] == 1
    names = tuple(inputs) if inputs is not None else tuple(f"x{i + 1}" for i in range(k))

    def shape(x: np.ndarray) -> np.ndarray:
        return x[..., 0] if squeeze else x

    return SobolIndices(
        names,
        shape(first),
        shape(total),
        shape(np.stack(first_ci, axis=1)),
        shape(np.stack(total_ci, axis=1)),
    )


def composite_sobol(
    table: Table,
    framework: Framework,
    spec: UncertaintySpec,
    n: int = 1000,
    seed: int | None = None,
    n_boot: int = 1000,
    output: str = "rank_shift",
) -> SobolIndices:
    """Sobol indices of the index with respect to each uncertain step. `output`: "rank_shift"
    (mean absolute rank change from the nominal ranks, one number per run, as COINr's
    sensitivity analysis uses), "ranks" or "scores" (one index per unit)."""
    model = composite_model(table, framework, spec)
    if not model.inputs:
        raise EngineError("no uncertain input: give some step more than one option, or noise")
    nominal = ranks_descending(model.index_scores(model.nominal_point()))

    def run(u: np.ndarray) -> np.ndarray:
        scores = model.index_scores(u)
        if output == "scores":
            return scores
        ranks = ranks_descending(scores)
        if output == "ranks":
            return ranks
        return np.nanmean(np.abs(ranks - nominal), axis=1)

    if output not in ("rank_shift", "ranks", "scores"):
        raise EngineError(f"unknown output {output!r}; known: rank_shift, ranks, scores")
    return sobol_indices(run, model.groups, n, seed, n_boot, inputs=model.inputs)
