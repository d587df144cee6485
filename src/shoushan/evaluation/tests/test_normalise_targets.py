"""Distance to a target (the iMeta Target column or the pipeline's) and to a reference unit,
checked against COINr's formulas: 1 - (target - x) / (target - min x), after the indicator's
direction has been applied to its values and to its target."""

import numpy as np
import pytest

from shoushan.evaluation.engine import EngineError
from shoushan.evaluation.engine.data import Table
from shoushan.evaluation.engine.normalise import n_dist2targ, normalise
from shoushan.evaluation.engine.pipeline import pipeline_build, pipeline_parse
from shoushan.evaluation.tests.test_pipeline_weights import asem, needs_data  # noqa: F401

pytestmark = pytest.mark.usefixtures("english")


def test_the_formula_and_the_cap():
    x = np.array([1.0, 2.0, 4.0, np.nan, 6.0])
    assert np.allclose(n_dist2targ(x, 4.0), [0, 1 / 3, 1, np.nan, 5 / 3], equal_nan=True)
    assert np.nanmax(n_dist2targ(x, 4.0, cap_max=True)) == 1


@needs_data
def test_imeta_targets_are_used_and_flip_with_the_direction(asem):  # noqa: F811
    result = pipeline_build(asem, pipeline_parse({"normalise": {"method": "dist2targ"}}))
    raw, normalised = result.stages["Raw"], result.stages["Normalised"]
    nodes = {n.code: n for n in asem.framework.indicators}
    for code in ("LPI", "CO2"):
        node = nodes[code]
        x = raw.column(code) * node.direction
        target = node.target * node.direction
        expected = 1 - (target - x) / (target - np.nanmin(x))
        assert np.allclose(normalised.column(code), expected, equal_nan=True)
    assert nodes["CO2"].direction == -1


@needs_data
def test_a_reference_unit_scores_one_everywhere(asem):  # noqa: F811
    pipeline = pipeline_parse({"normalise": {"method": "dist2ref", "reference": "DEU"}})
    normalised = pipeline_build(asem, pipeline).stages["Normalised"]
    germany = normalised.values[normalised.units.index("DEU")]
    assert np.allclose(germany[~np.isnan(germany)], 1)
    capped = pipeline_parse(
        {"normalise": {"method": "dist2ref", "reference": "DEU", "cap_max": True}}
    )
    assert np.nanmax(pipeline_build(asem, capped).stages["Normalised"].values) <= 1


@needs_data
def test_an_unknown_reference_or_a_missing_target_is_named(asem):  # noqa: F811
    with pytest.raises(EngineError, match="XXX"):
        pipeline_build(
            asem, pipeline_parse({"normalise": {"method": "dist2ref", "reference": "XXX"}})
        )
    overrides = {"normalise": {"indicators": {"Goods": {"method": "dist2targ", "target": 5}}}}
    assert pipeline_build(asem, pipeline_parse(overrides)).stages["Normalised"] is not None


def test_without_a_target_the_indicator_is_named():
    table = Table(("a", "b"), ("X",), np.array([[1.0], [2.0]]))
    with pytest.raises(EngineError, match="X: distance to target"):
        normalise(table, {"X": 1}, "dist2targ", {})
    assert np.allclose(normalise(table, {"X": 1}, "dist2targ", {"target": 2}).values, [[0], [1]])
