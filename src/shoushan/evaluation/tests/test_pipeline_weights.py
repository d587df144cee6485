"""A pipeline file chooses how children are weighed (given, equal, entropy, CRITIC) and the
generalised-mean and Copeland aggregations."""

import csv

import numpy as np
import pytest

from shoushan.evaluation.engine import composite_data_read
from shoushan.evaluation.engine.pipeline import PipelineError, pipeline_build, pipeline_parse
from shoushan.evaluation.engine.weights import weights_entropy
from shoushan.evaluation.tests.test_coinr_parity import DATA_DIR, needs_data


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
