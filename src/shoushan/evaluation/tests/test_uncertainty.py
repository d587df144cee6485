"""Aggregation alternatives (power mean, Copeland, data threshold), the vectorised aggregation,
Monte Carlo rank intervals and Sobol indices. Sobol is checked on the Ishigami function, whose
indices are known in closed form; the Monte Carlo is checked against the plain build on COINr's
ASEM example."""

import itertools
import math
from pathlib import Path

import numpy as np
import pytest

from shoushan.evaluation.engine import CompositeData, EngineError, composite_data_read
from shoushan.evaluation.engine.aggregate import (
    a_amean,
    a_copeland,
    a_genmean,
    a_gmean,
    a_hmean,
    aggregate,
    aggregate_replicated,
)
from shoushan.evaluation.engine.normalise import normalise
from shoushan.evaluation.engine.results import BuildResult, composite_build, rank_descending
from shoushan.evaluation.engine.treat import treat
from shoushan.evaluation.engine.uncertainty import (
    UncertaintySpec,
    composite_model,
    composite_sobol,
    rank_uncertainty,
    ranks_descending,
    sobol_indices,
)

pytestmark = pytest.mark.usefixtures("english")

DATA_DIR = (
    Path(__file__).resolve().parents[4].parent / "shared" / "data" / "composite" / "coinr-asem"
)
needs_data = pytest.mark.skipif(not DATA_DIR.is_dir(), reason=f"no COINr data at {DATA_DIR}")
X = np.array([[1.0, 4.0, np.nan], [2.0, 2.0, 8.0], [9.0, 1.0, 3.0]])
W = np.array([1.0, 2.0, 1.0])
MINMAX_1_100 = ("minmax", {"lower": 1.0, "upper": 100.0})


@pytest.fixture(scope="module")
def data() -> CompositeData:
    return composite_data_read(DATA_DIR / "ASEM_iData.csv", DATA_DIR / "ASEM_iMeta.csv")


@pytest.fixture(scope="module")
def example(data: CompositeData) -> BuildResult:
    return composite_build(data)


@pytest.mark.parametrize(("p", "mean"), [(1, a_amean), (0, a_gmean), (-1, a_hmean)])
def test_power_mean_is_the_arithmetic_geometric_and_harmonic_mean_at_1_0_and_minus_1(
    p, mean
) -> None:
    assert a_genmean(X, W, p) == pytest.approx(mean(X, W), abs=1e-12)


def test_power_mean_matches_a_hand_value_and_falls_as_p_falls() -> None:
    assert a_genmean(np.array([[1.0, 3.0]]), np.array([1.0, 1.0]), 2)[0] == pytest.approx(
        math.sqrt(5)
    )
    means = [a_genmean(X, W, p) for p in (3, 1, 0.5, 0, -2)]
    assert all(np.all(hi >= lo) for hi, lo in itertools.pairwise(means))
    with pytest.raises(EngineError, match="positive"):
        a_genmean(np.array([[0.0, 1.0]]), np.array([1.0, 1.0]), -1)


def test_copeland_counts_weighted_pairwise_wins_minus_losses() -> None:
    # Weights 1, 2, 1 over the children both units have. Unit 0 vs 1 (child 3 missing for 0):
    # 0 wins child 2 (weight 2 of 3) → 0 beats 1. 0 vs 2: 0 wins child 2 (2 of 3) → 0 beats 2.
    # 1 vs 2: 1 wins child 2 and 3 (3 of 4) → 1 beats 2. Scores: 0 → +2, 1 → 0, 2 → -2.
    assert a_copeland(X, W).tolist() == [2, 0, -2]


def test_copeland_gives_a_tie_zero_and_ignores_scale() -> None:
    x = np.array([[1.0, 2.0], [2.0, 1.0], [0.0, 0.0]])
    assert a_copeland(x, np.array([1.0, 1.0])).tolist() == [1, 1, -2]
    assert a_copeland(x * [1, 1000], np.array([1.0, 1.0])).tolist() == [1, 1, -2]


@needs_data
def test_data_threshold_makes_an_aggregate_missing_when_too_few_children_are_present(
    example: BuildResult, data: CompositeData
) -> None:
    table = example.stages["Normalised"]
    values = np.array(table.values)
    children = [c.code for c in data.framework.children("Physical")]
    first = [table.codes.index(c) for c in children]
    values[0, first[: len(first) // 2 + 1]] = np.nan  # unit 0 keeps under half of Physical
    holed = table.with_values(values)
    loose = aggregate(holed, data.framework, dat_thresh=None)
    strict = aggregate(holed, data.framework, dat_thresh=0.5)
    assert not math.isnan(loose.column("Physical")[0])
    assert math.isnan(strict.column("Physical")[0])
    assert strict.column("Physical")[1:] == pytest.approx(loose.column("Physical")[1:])
    assert aggregate(table, data.framework, dat_thresh=1.0).values == pytest.approx(
        example.scores.values, nan_ok=True
    )


@needs_data
@pytest.mark.parametrize(
    ("method", "params"),
    [("amean", {}), ("gmean", {}), ("hmean", {}), ("genmean", {"p": 0.5}), ("copeland", {})],
)
def test_replicated_aggregation_equals_one_build_per_weight_set(
    example: BuildResult, data: CompositeData, method: str, params: dict
) -> None:
    fw = data.framework
    directions = {n.code: n.direction for n in fw.indicators}
    table = normalise(example.stages["Treated"], directions, *MINMAX_1_100)
    rng = np.random.default_rng(3)
    sets = [{n.code: n.weight * rng.uniform(0.5, 1.5) for n in fw.nodes if n.parent} for _ in "ab"]
    stacked = {code: np.array([s[code] for s in sets]) for code in sets[0]}
    many = aggregate_replicated(table.values, fw, stacked, method, params=params)
    for r, weights in enumerate(sets):
        one = aggregate(table, fw, method, weights, params=params)
        assert many["Index"][r] == pytest.approx(one.column("Index"), rel=1e-10)
        assert many["Conn"][r] == pytest.approx(one.column("Conn"), rel=1e-10)


def _ishigami(u: np.ndarray) -> np.ndarray:
    x = np.pi * (2 * u - 1)
    return np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_sobol_indices_of_the_ishigami_function_match_the_analytic_values() -> None:
    a, b = 7, 0.1  # Ishigami & Homma (1990); closed-form variances as in Saltelli et al. 2008
    v1 = 0.5 * (1 + b * math.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * math.pi**8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    first = [v1 / v, v2 / v, 0.0]
    total = [(v1 + v13) / v, v2 / v, v13 / v]
    assert first == pytest.approx([0.314, 0.442, 0.0], abs=1e-3)
    assert total == pytest.approx([0.558, 0.442, 0.244], abs=1e-3)
    result = sobol_indices(_ishigami, [0, 1, 2], n=8192, seed=1, n_boot=300)
    assert result.first == pytest.approx(first, abs=0.01)
    assert result.total == pytest.approx(total, abs=0.01)
    assert np.all(result.first_ci[0] <= first) and np.all(result.first_ci[1] >= first)
    assert np.all(result.total_ci[0] <= total) and np.all(result.total_ci[1] >= total)


def test_sobol_with_plain_random_sampling_converges_too_and_groups_columns() -> None:
    # Columns 0 and 2 form one input: its first-order index is S1 + S3 + S13 = S_T1 + S3.
    result = sobol_indices(_ishigami, [0, 1, 0], n=20000, seed=2, n_boot=100, sampling="random")
    assert result.first == pytest.approx([0.558, 0.442], abs=0.03)
    assert result.total == pytest.approx([0.558, 0.442], abs=0.03)


def test_ranks_descending_equals_the_single_row_ranking() -> None:
    scores = np.array([[3.0, 1.0, 3.0, np.nan, 2.0], [0.0, 1.0, 2.0, 3.0, 4.0]])
    for row, ranked in zip(scores, ranks_descending(scores), strict=True):
        assert ranked == pytest.approx(rank_descending(row), nan_ok=True)


@needs_data
def test_monte_carlo_without_uncertainty_gives_the_nominal_ranks_with_zero_width(
    example: BuildResult, data: CompositeData
) -> None:
    result = rank_uncertainty(example.stages["Screened"], data.framework, UncertaintySpec(), 50, 1)
    nominal = rank_descending(example.scores.column("Index"))
    assert result.nominal.tolist() == nominal.tolist()
    for q in (result.p05, result.median, result.p95):
        assert q.tolist() == nominal.tolist()
    assert result.scores[0] == pytest.approx(example.scores.column("Index"), abs=1e-9)


SPEC = UncertaintySpec(
    treatments=(True, False),
    normalisations=(MINMAX_1_100, ("rank", {})),
    aggregations=(("amean", {}), ("gmean", {})),
    weight_noise=0.25,
    noisy_levels=(1, 2),
)


@needs_data
def test_model_builds_each_sampled_option_as_the_plain_pipeline_would(
    example: BuildResult, data: CompositeData
) -> None:
    fw = data.framework
    model = composite_model(example.stages["Screened"], fw, SPEC)
    assert model.inputs == (
        "treatment",
        "normalisation",
        "aggregation",
        "weights_level_1",
        "weights_level_2",
    )
    point = np.full(len(model.groups), 0.5)
    point[:3] = [0.9, 0.9, 0.9]  # treatment off, rank normalisation, geometric mean
    point[model.groups == 3] = 1.0  # indicator weights at +25 %
    directions = {n.code: n.direction for n in fw.indicators}
    table = normalise(example.stages["Screened"], directions, "rank")
    weights = {n.code: n.weight * (1.25 if n.level == 1 else 1) for n in fw.nodes if n.parent}
    expected = aggregate(table, fw, "gmean", weights).column("Index")
    assert model.index_scores(point)[0] == pytest.approx(expected, rel=1e-10)
    treated = normalise(treat(example.stages["Screened"])[0], directions, *MINMAX_1_100)
    nominal = aggregate(treated, fw).column("Index")
    assert model.index_scores(model.nominal_point())[0] == pytest.approx(nominal, rel=1e-10)


@needs_data
def test_monte_carlo_is_reproducible_and_widens_the_intervals(
    example: BuildResult, data: CompositeData
) -> None:
    table = example.stages["Screened"]
    one = rank_uncertainty(table, data.framework, SPEC, 400, seed=7)
    again = rank_uncertainty(table, data.framework, SPEC, 400, seed=7)
    other = rank_uncertainty(table, data.framework, SPEC, 400, seed=8)
    assert np.array_equal(one.ranks, again.ranks)
    assert not np.array_equal(one.ranks, other.ranks)
    assert np.all(one.p05 <= one.median) and np.all(one.median <= one.p95)
    assert np.any(one.p95 - one.p05 >= 3)
    assert np.all(np.abs(one.median - one.nominal) <= 10)


@needs_data
def test_composite_sobol_apportions_the_rank_shift_among_the_steps(
    example: BuildResult, data: CompositeData
) -> None:
    result = composite_sobol(
        example.stages["Screened"], data.framework, SPEC, n=256, seed=3, n_boot=200
    )
    assert result.inputs[:3] == ("treatment", "normalisation", "aggregation")
    assert result.first.shape == result.total.shape == (5,)
    assert np.all(result.total >= result.first - 0.05)  # S_T ≥ S_1 up to sampling error
    assert np.all(result.total > 0)  # every step moves some rank
    assert np.all(result.total_ci[0] <= result.total) and np.all(result.total <= result.total_ci[1])


@needs_data
def test_replicated_aggregation_defaults_to_the_imeta_weights(
    example: BuildResult, data: CompositeData
) -> None:
    table = example.stages["Normalised"]
    many = aggregate_replicated(table.values, data.framework, {})
    assert many["Index"][0] == pytest.approx(example.scores.column("Index"), abs=1e-9)
