"""Weights: AHP against the worked example hand-checked below, entropy and CRITIC against
small matrices worked by hand, and the invariants every weighting must keep."""

import math

import numpy as np
import pytest

from shoushan.evaluation.engine.data import EngineError, Framework, Node, Table
from shoushan.evaluation.engine.weights import (
    weights_ahp,
    weights_critic,
    weights_entropy,
    weights_equal,
    weights_from_data,
    weights_given,
    weights_renormalise,
)

pytestmark = pytest.mark.usefixtures("english")


def _node(code: str, level: int, parent: str | None, weight: float = 1.0) -> Node:
    return Node(
        code, code, level, parent, weight, 1, "Indicator" if level == 1 else "Aggregate", None, None
    )


FRAMEWORK = Framework(
    (
        _node("a", 1, "P", 2.0),
        _node("b", 1, "P", 6.0),
        _node("c", 1, "Q", 5.0),
        _node("P", 2, "I", 1.0),
        _node("Q", 2, "I", 3.0),
        _node("I", 3, None),
    )
)


def test_ahp_reproduces_the_classic_three_criteria_example() -> None:
    # The 3 × 3 judgement matrix [[1, 3, 5], [1/3, 1, 3], [1/5, 1/3, 1]] is the example most
    # AHP tutorials reproduce on Saaty's 1–9 scale (Saaty 1980, The Analytic Hierarchy Process),
    # with w ≈ (0.637, 0.258, 0.105), λ_max ≈ 3.039, CI = (3.039 - 3)/2 ≈ 0.019 and
    # CR = 0.019/0.58 ≈ 0.033. No primary source was at hand when this was written, so the
    # figures were re-derived by hand (power iteration) rather than copied.
    result = weights_ahp(np.array([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]]))
    assert result.weights == pytest.approx([0.637, 0.258, 0.105], abs=5e-4)
    assert result.lambda_max == pytest.approx(3.0385, abs=1e-4)
    assert result.consistency_index == pytest.approx(0.0193, abs=1e-4)
    assert result.consistency_ratio == pytest.approx(0.0332, abs=1e-4)


def test_ahp_of_a_consistent_matrix_returns_the_ratios_it_was_built_from() -> None:
    w = np.array([0.4, 0.3, 0.2, 0.1])
    result = weights_ahp(w[:, None] / w[None, :])
    assert result.weights == pytest.approx(w, abs=1e-12)
    assert result.lambda_max == pytest.approx(4, abs=1e-9)
    assert result.consistency_ratio == pytest.approx(0, abs=1e-9)


def test_ahp_refuses_inconsistent_judgements_and_names_the_ratio() -> None:
    # a > b (9), b > c (9) but c > a (9): a cycle. λ_max for this matrix is hand-checkable:
    # The matrix is circulant, so λ_max = 1 + 9 + 1/9 = 10.111, CI = 3.556, CR = 3.556/0.58.
    cyclic = np.array([[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]])
    with pytest.raises(EngineError, match=r"consistency ratio 6\.130 exceeds 0\.1"):
        weights_ahp(cyclic)


def test_ahp_refuses_a_matrix_that_is_not_reciprocal_or_positive() -> None:
    with pytest.raises(EngineError, match="not reciprocal"):
        weights_ahp(np.array([[1, 3], [3, 1]]))
    with pytest.raises(EngineError, match="positive"):
        weights_ahp(np.array([[1, 0], [0, 1]]))


def test_entropy_weights_match_a_hand_calculation() -> None:
    x = np.array([[1.0, 2.0], [1.0, 4.0], [2.0, 6.0]])
    # column 1: p = (1/4, 1/4, 1/2), e = (2·¼ln4 + ½ln2)/ln3 = 1.5 ln2 / ln3 = 0.946395
    # column 2: p = (1/6, 1/3, 1/2), e = (ln6/6 + ln3/3 + ln2/2)/ln3 = 0.920620
    d1 = 1 - 1.5 * math.log(2) / math.log(3)
    d2 = 1 - (math.log(6) / 6 + math.log(3) / 3 + math.log(2) / 2) / math.log(3)
    assert weights_entropy(x) == pytest.approx([d1 / (d1 + d2), d2 / (d1 + d2)], abs=1e-12)
    assert weights_entropy(x) == pytest.approx([0.40309, 0.59691], abs=1e-5)


def test_entropy_gives_no_weight_to_a_constant_column_and_skips_incomplete_units() -> None:
    x = np.array([[5.0, 1.0], [5.0, 3.0], [5.0, 8.0], [np.nan, 100.0]])
    assert weights_entropy(x) == pytest.approx([0.0, 1.0], abs=1e-12)


def test_critic_weights_reward_contrast_and_conflict() -> None:
    # Equal σ = 0.5; a and b agree perfectly (r = 1) and both conflict with c (r = -1):
    # C_a = C_b = 0.5 · (0 + 0 + 2) = 1, C_c = 0.5 · (2 + 2 + 0) = 2 → (¼, ¼, ½).
    x = np.array([[0.0, 0.0, 1.0], [0.5, 0.5, 0.5], [1.0, 1.0, 0.0]])
    assert weights_critic(x) == pytest.approx([0.25, 0.25, 0.5], abs=1e-12)


def test_critic_refuses_a_constant_column() -> None:
    with pytest.raises(EngineError, match="constant"):
        weights_critic(np.array([[1.0, 1.0], [1.0, 2.0], [1.0, 3.0]]))


def test_renormalised_weights_sum_to_one_within_every_parent() -> None:
    w = weights_renormalise(FRAMEWORK, weights_given(FRAMEWORK))
    assert (w["a"], w["b"], w["c"]) == pytest.approx((0.25, 0.75, 1.0))
    assert (w["P"], w["Q"]) == pytest.approx((0.25, 0.75))
    assert weights_equal(FRAMEWORK) == pytest.approx(
        {"a": 0.5, "b": 0.5, "c": 1.0, "P": 0.5, "Q": 0.5}
    )


def test_renormalise_refuses_a_parent_without_weight() -> None:
    with pytest.raises(EngineError, match="'P'"):
        weights_renormalise(FRAMEWORK, {"a": 0.0, "b": 0.0})


def test_data_weights_are_computed_within_each_parent_only() -> None:
    table = Table(
        ("u1", "u2", "u3"), ("a", "b", "c"), np.array([[1, 2, 9], [1, 4, 1], [2, 6, 3.0]])
    )
    w = weights_from_data(table, FRAMEWORK, "entropy")
    assert set(w) == {"a", "b", "c"}  # P and Q are not columns: their weights need a build
    assert (w["a"], w["b"]) == pytest.approx((0.40309, 0.59691), abs=1e-5)
    assert w["c"] == pytest.approx(1.0)
