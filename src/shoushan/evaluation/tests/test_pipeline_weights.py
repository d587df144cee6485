"""A pipeline file chooses how children are weighed (given, equal, entropy, CRITIC) and the
generalised-mean and Copeland aggregations."""

import csv

import numpy as np
import pytest

from shoushan.evaluation.engine import composite_data_read
from shoushan.evaluation.engine.analysis import pca_first_component
from shoushan.evaluation.engine.pipeline import (
    PipelineError,
    pipeline_build,
    pipeline_check,
    pipeline_parse,
)
from shoushan.evaluation.engine.weights import weights_entropy
from shoushan.evaluation.tests.test_coinr_parity import DATA_DIR, needs_data

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture(scope="module")
def asem():
    return composite_data_read(DATA_DIR / "ASEM_iData.csv", DATA_DIR / "ASEM_iMeta.csv")


def _scores(asem, yaml_text: dict):
    return pipeline_build(asem, pipeline_parse(yaml_text)).scores


@needs_data
def test_entropy_weights_each_pillar_from_its_own_indicators(asem):
    result = pipeline_build(asem, pipeline_parse({"aggregate": {"weights": "entropy"}}))
    normalised, scores = result.stages["Normalised"], result.scores
    children = [n.code for n in asem.framework.children("Physical")]
    x = normalised.select_codes(children).values
    w = weights_entropy(x)
    present = ~np.isnan(x)
    expected = np.nansum(x * w, axis=1) / (present * w).sum(axis=1)
    assert np.allclose(scores.column("Physical"), expected, atol=1e-9)
    plain = _scores(asem, {})
    assert not np.allclose(scores.column("Index"), plain.column("Index"))


@needs_data
def test_generalised_mean_at_p_1_is_the_arithmetic_mean_and_copeland_runs(asem):
    plain = _scores(asem, {})
    power = _scores(asem, {"aggregate": {"method": "generalised", "p": 1}})
    assert np.allclose(power.column("Index"), plain.column("Index"), atol=1e-9, equal_nan=True)
    copeland = _scores(asem, {"aggregate": {"method": "copeland"}}).column("Index")
    assert np.isfinite(copeland).all() and len(set(np.round(copeland, 9))) > 10


@needs_data
def test_equal_weights_set_the_frameworks_aside(asem, tmp_path):
    with (DATA_DIR / "ASEM_iMeta.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        if row["iCode"] == "Conn":
            row["Weight"] = "3"
    with (tmp_path / "iMeta.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    heavy = composite_data_read(DATA_DIR / "ASEM_iData.csv", tmp_path / "iMeta.csv")

    plain = _scores(asem, {}).column("Index")
    assert not np.allclose(_scores(heavy, {}).column("Index"), plain)  # the weight counts
    equal = _scores(heavy, {"aggregate": {"weights": "equal"}}).column("Index")
    assert np.allclose(equal, plain, atol=1e-12)  # … unless set aside


def test_an_unknown_weighting_is_named_by_its_key():
    with pytest.raises(PipelineError) as refused:
        pipeline_parse({"aggregate": {"weights": "popularity", "p": "two"}})
    lines = "\n".join(refused.value.lines)
    assert "aggregate.weights" in lines and "aggregate.p" in lines


@needs_data
def test_pca_weights_are_each_childs_share_of_the_first_component(asem):
    result = pipeline_build(asem, pipeline_parse({"aggregate": {"weights": "pca"}}))
    normalised, scores = result.stages["Normalised"], result.scores
    children = [n.code for n in asem.framework.children("Physical")]
    x = normalised.select_codes(children).values
    pca = pca_first_component(normalised.select_codes(children))
    w = pca.loadings**2  # sign-free, and summing to 1 for a unit loading vector
    assert w.sum() == pytest.approx(1)
    present = ~np.isnan(x)
    expected = np.nansum(np.nan_to_num(x) * w, axis=1) / (present * w).sum(axis=1)
    assert np.allclose(scores.column("Physical"), expected, atol=1e-9)


@needs_data
def test_ahp_weights_come_from_the_experts_matrix_and_others_keep_their_weights(asem):
    # Conn's five children, Physical judged 3× as important as each of the others, the others
    # equal: a consistent matrix, so the weights are 3/7 and 1/7 each.
    third = ["1/3", 1, 1, 1, 1]
    matrix = [[1, 3, 3, 3, 3], third, third, third, third]
    pipeline = pipeline_parse({"aggregate": {"weights": "ahp", "ahp": {"Conn": matrix}}})
    assert [n.code for n in asem.framework.children("Conn")] == [
        "Physical",
        "ConEcFin",
        "Political",
        "Instit",
        "P2P",
    ]
    scores = pipeline_build(asem, pipeline).scores
    plain = _scores(asem, {})
    pillars = plain.select_codes(["Physical", "ConEcFin", "Political", "Instit", "P2P"]).values
    expected = pillars @ (np.array([3, 1, 1, 1, 1]) / 7)
    assert np.allclose(scores.column("Conn"), expected, atol=1e-9)
    # Sust has no matrix: the framework's weights stand.
    assert np.allclose(scores.column("Sust"), plain.column("Sust"), atol=1e-12)


def test_ahp_matrices_are_checked_when_the_file_is_read():
    inconsistent = [[1, 9, "1/9"], ["1/9", 1, 9], [9, "1/9", 1]]
    not_reciprocal = [[1, 3], [3, 1]]
    with pytest.raises(PipelineError) as refused:
        pipeline_parse(
            {
                "aggregate": {
                    "weights": "ahp",
                    "ahp": {"A": inconsistent, "B": not_reciprocal, "C": [[1, "x"], [1, 1]]},
                }
            }
        )
    lines = "\n".join(refused.value.lines)
    assert "aggregate.ahp.A" in lines and "consistency ratio" in lines
    assert "aggregate.ahp.B" in lines and "reciprocal" in lines
    assert "aggregate.ahp.C[1][2]" in lines
    with pytest.raises(PipelineError, match=r"aggregate\.ahp"):
        pipeline_parse({"aggregate": {"weights": "ahp"}})


@needs_data
def test_ahp_matrix_must_fit_the_parent_it_names(asem):
    pipeline = pipeline_parse(
        {"aggregate": {"weights": "ahp", "ahp": {"Conn": [[1, 2], [0.5, 1]], "LPI": [[1]]}}}
    )
    with pytest.raises(PipelineError) as refused:
        pipeline_check(pipeline, asem)
    lines = "\n".join(refused.value.lines)
    assert "has 2 rows but Conn has 5 children" in lines
    assert "aggregate.ahp.LPI" in lines
