"""A pipeline file's `uncertainty` section: the researcher chooses what the analysis varies,
imputation included, and the nominal point of the analysis is the data set's own build."""

import numpy as np
import pytest

from shoushan.evaluation.engine import composite_data_read
from shoushan.evaluation.engine.pipeline import PipelineError, pipeline_build, pipeline_parse
from shoushan.evaluation.engine.results import rank_descending
from shoushan.evaluation.reports import uncertainty_of
from shoushan.evaluation.services import Built
from shoushan.evaluation.tests.test_uncertainty import DATA_DIR, needs_data

pytestmark = pytest.mark.usefixtures("english")

OWN_METHOD = {
    "impute": {"method": "group_mean", "group": "EurAsia_group"},
    "treat": True,
    "normalise": {"method": "minmax", "lower": 1, "upper": 100},
    "aggregate": {"method": "arithmetic"},
}


def test_the_section_lists_alternatives_by_step():
    pipeline = pipeline_parse(
        {
            "uncertainty": {
                "impute": ["group_mean", "mean", "none"],
                "treat": [True, False],
                "normalise": [{"method": "minmax", "lower": 1, "upper": 100}, "rank"],
                "aggregate": ["arithmetic", {"method": "generalised", "p": 0.5}],
                "weights": {"noise": 0.1, "levels": [1, 2]},
                "replications": 500,
                "sobol_samples": 64,
            }
        }
    )
    plan = pipeline.uncertainty
    assert plan is not None
    assert plan.spec.imputations == ("group_mean", "mean", None)
    assert plan.spec.treatments == (True, False)
    assert plan.spec.normalisations == (
        ("minmax", {"lower": 1.0, "upper": 100.0}),
        ("rank", {}),
    )
    assert plan.spec.aggregations == (("amean", {}), ("genmean", {"p": 0.5}))
    assert (plan.spec.weight_noise, plan.spec.noisy_levels) == (0.1, (1, 2))
    assert (plan.replications, plan.sobol_samples, plan.seed) == (500, 64, 2026)


def test_a_wrong_alternative_is_named_by_its_place_in_the_list():
    with pytest.raises(PipelineError) as refused:
        pipeline_parse(
            {
                "uncertainty": {
                    "impute": ["group_mean", "guess"],
                    "normalise": "rank",
                    "aggregate": ["arithmetic", {"method": "loudest"}],
                    "weights": {"noise": 2},
                    "replications": 10**6,
                    "colour": "blue",
                }
            }
        )
    lines = "\n".join(refused.value.lines)
    for key in (
        "uncertainty.impute[2]",
        "uncertainty.normalise",
        "uncertainty.aggregate[2].method",
        "uncertainty.weights.noise",
        "uncertainty.replications",
        "uncertainty.colour",
    ):
        assert key in lines


@pytest.fixture(scope="module")
def asem():
    return composite_data_read(DATA_DIR / "ASEM_iData.csv", DATA_DIR / "ASEM_iMeta.csv")


@needs_data
def test_imputation_is_an_uncertain_input_whose_nominal_point_is_the_build(asem):
    pipeline = pipeline_parse(
        {
            **OWN_METHOD,
            "uncertainty": {
                "impute": ["group_mean", "mean", "none"],
                "treat": [True],
                "normalise": [{"method": "minmax", "lower": 1, "upper": 100}],
                "aggregate": ["arithmetic"],
                "replications": 200,
                "sobol_samples": 32,
            },
        }
    )
    result = pipeline_build(asem, pipeline)
    built = Built(data=asem, result=result, pipeline=pipeline)
    uncertain = uncertainty_of(built)
    assert [s["input"] for s in uncertain.sensitivity] == ["imputation"]
    assert "group mean / mean / no imputation" in uncertain.inputs[0]
    ranks = rank_descending(result.scores.column("Index"))
    by_unit = dict(zip(result.scores.units, ranks, strict=True))
    assert {r["code"]: r["nominal"] for r in uncertain.rows} == {
        u: int(r) for u, r in by_unit.items()
    }
    # Imputation changes some ranks: some interval is wider than a point.
    assert any(r["p05"] != r["p95"] for r in uncertain.rows)
    assert uncertain.replications == 200


@needs_data
def test_without_a_section_the_standard_analysis_runs(asem):
    pipeline = pipeline_parse(OWN_METHOD)
    built = Built(data=asem, result=pipeline_build(asem, pipeline), pipeline=pipeline)
    uncertain = uncertainty_of(built)
    assert [s["input"] for s in uncertain.sensitivity] == [
        "treatment",
        "normalisation",
        "aggregation",
        "weights_level_1",
    ]
    assert uncertain.replications == 1000
    assert all(np.isfinite(s["total"]) for s in uncertain.sensitivity)


@needs_data
def test_weights_derived_by_the_build_are_the_nominal_ones(asem):
    pipeline = pipeline_parse(
        {
            **OWN_METHOD,
            "aggregate": {"method": "arithmetic", "weights": "entropy"},
            "uncertainty": {"weights": {"noise": 0.2}, "replications": 50, "sobol_samples": 16},
        }
    )
    result = pipeline_build(asem, pipeline)
    physical = [n.code for n in asem.framework.children("Physical")]
    assert sum(result.weights[c] for c in physical) == pytest.approx(1)
    uncertain = uncertainty_of(Built(data=asem, result=result, pipeline=pipeline))
    ranks = rank_descending(result.scores.column("Index"))
    by_unit = dict(zip(result.scores.units, ranks, strict=True))
    assert {r["code"]: r["nominal"] for r in uncertain.rows} == {
        u: int(r) for u, r in by_unit.items()
    }
