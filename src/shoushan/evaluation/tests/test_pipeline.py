"""Pipeline files: each optional step configured from YAML, checked with messages that name
the key, and the COINr anchors reproduced through a pipeline file rather than through code."""

import csv
import math
from pathlib import Path

import numpy as np
import pytest

from shoushan.evaluation.engine import CompositeData, EngineError, InputError, composite_data_read
from shoushan.evaluation.engine.data import Table
from shoushan.evaluation.engine.impute import impute_panel
from shoushan.evaluation.engine.pipeline import (
    Pipeline,
    PipelineError,
    panel_data_read,
    pipeline_build,
    pipeline_parse,
    pipeline_read,
)
from shoushan.evaluation.engine.results import results_columns, results_rows
from shoushan.evaluation.engine.treat import log_ct
from shoushan.evaluation.tests.test_coinr_parity import (
    DATA_DIR,
    _assert_results_match,
    _mismatches,
    needs_data,
)

pytestmark = pytest.mark.usefixtures("english")

EXAMPLE_YAML = """
denominate: true
impute: {method: group_mean, group: EurAsia_group}
screen: {dat_thresh: 0.9, after_impute: true}
treat: {winmax: 5, skew_thresh: 2, kurt_thresh: 3.5}
normalise: {method: minmax, lower: 0, upper: 100}
aggregate: {method: arithmetic}
"""


@pytest.fixture(scope="module")
def data() -> CompositeData:
    return composite_data_read(DATA_DIR / "ASEM_iData.csv", DATA_DIR / "ASEM_iMeta.csv")


def _build(data: CompositeData, text: str):
    return pipeline_build(data, pipeline_parse(_yaml(text)))


def _yaml(text: str):
    import yaml

    return yaml.safe_load(text)


@needs_data
def test_no_pipeline_is_coinrs_paper_example(data: CompositeData) -> None:
    result = pipeline_build(data)
    assert list(result.stages) == ["Raw", "Normalised", "Aggregated"]
    _assert_results_match("expected_ASEM_paper_example_results.csv", result)


@needs_data
def test_an_empty_pipeline_file_is_the_paper_example_too(data: CompositeData, tmp_path: Path):
    (tmp_path / "empty.yaml").write_text("# nothing configured\n", encoding="utf-8")
    result = pipeline_build(data, pipeline_read(tmp_path / "empty.yaml"))
    _assert_results_match("expected_ASEM_paper_example_results.csv", result)


@needs_data
def test_example_pipeline_file_reproduces_coinrs_example_at_every_stage(data: CompositeData):
    result = _build(data, EXAMPLE_YAML)
    stages = ["Raw", "Denominated", "Imputed", "Screened", "Treated", "Normalised", "Aggregated"]
    assert list(result.stages) == stages
    for stage in stages:
        assert _mismatches(f"expected_ASEM_{stage}.csv", result.stages[stage]) == [], stage


@needs_data
@pytest.mark.parametrize("method", ["geometric", "harmonic"])
def test_geometric_and_harmonic_pipelines_match_coinr(data: CompositeData, method: str) -> None:
    text = EXAMPLE_YAML.replace("lower: 0", "lower: 1").replace("arithmetic", method)
    result = _build(data, text)
    suffix = {"geometric": "gmean", "harmonic": "hmean"}[method]
    assert _mismatches(f"expected_ASEM_Aggregated_{suffix}.csv", result.scores) == []


@needs_data
def test_aggregation_method_can_differ_by_level(data: CompositeData) -> None:
    text = EXAMPLE_YAML.replace("lower: 0", "lower: 1").replace(
        "{method: arithmetic}", "{method: arithmetic, levels: {4: geometric}}"
    )
    scores = _build(data, text).scores
    pillars = _build(data, EXAMPLE_YAML.replace("lower: 0", "lower: 1")).scores
    assert np.array_equal(scores.column("Conn"), pillars.column("Conn"))
    expected = np.sqrt(scores.column("Conn") * scores.column("Sust"))
    assert np.allclose(scores.column("Index"), expected, rtol=1e-13)
    assert not np.allclose(scores.column("Index"), pillars.column("Index"))


@needs_data
def test_per_indicator_treatment_overrides_the_default(data: CompositeData) -> None:
    text = EXAMPLE_YAML.replace(
        "kurt_thresh: 3.5}", "kurt_thresh: 3.5, indicators: {Services: none, Flights: log}}"
    )
    result = _build(data, text)
    screened, treated = result.stages["Screened"], result.stages["Treated"]
    default = _build(data, EXAMPLE_YAML).stages["Treated"]
    # Services is winsorised by default (COINr: 4 points) and left alone when overridden.
    assert not np.array_equal(default.column("Services"), screened.column("Services"))
    assert np.array_equal(treated.column("Services"), screened.column("Services"))
    assert np.array_equal(treated.column("Flights"), log_ct(screened.column("Flights")))
    assert "Services" not in {d.code for d in result.treatment}


@needs_data
def test_screening_before_imputation_removes_units_short_of_data(data: CompositeData) -> None:
    text = EXAMPLE_YAML.replace("after_impute: true", "after_impute: false")
    result = _build(data, text)
    assert list(result.stages)[:4] == ["Raw", "Denominated", "Screened", "Imputed"]
    availability = 1 - np.isnan(result.stages["Denominated"].values).mean(axis=1)
    expected = {u for u, a in zip(data.raw.units, availability, strict=True) if a < 0.9}
    assert expected and set(result.removed_units) == expected
    assert not expected & set(result.scores.units)


@needs_data
def test_median_imputation_is_configurable(data: CompositeData) -> None:
    result = _build(data, "denominate: true\nimpute: {method: median}\n")
    assert _mismatches("expected_ASEM_Imputed_i_median.csv", result.stages["Imputed"]) == []


TINY_META = """iCode,iName,Level,Parent,Weight,Direction,Type
a,A,1,P,1,1,Indicator
b,B,1,P,1,-1,Indicator
P,Pillar,2,,1,1,Aggregate
Region,Region,,,,,Group
"""
TINY_DATA = """uCode,uName,Region,a,b
U1,One,N,1,10
U2,Two,N,100,30
U3,Three,S,10000,
U4,Four,S,,20
"""


@pytest.fixture
def tiny(tmp_path: Path) -> CompositeData:
    (tmp_path / "iMeta.csv").write_text(TINY_META, encoding="utf-8")
    (tmp_path / "iData.csv").write_text(TINY_DATA, encoding="utf-8")
    return composite_data_read(tmp_path / "iData.csv", tmp_path / "iMeta.csv")


def test_transforms_run_before_normalising_and_goalposts_follow_them(tiny: CompositeData):
    result = _build(
        tiny,
        """
transform: {a: [log, {cap: 6.0}]}
normalise:
  indicators:
    a: {method: goalposts, lower: 1, upper: 1000, scale: 100}
    b: {method: goalposts, lower: 0, upper: 40, scale: 100, truncate: false}
round: 1
""",
    )
    transformed = result.stages["Transformed"].column("a")
    assert transformed[:3].tolist() == [0.0, np.log(100), 6.0]  # ln 10000 = 9.2, capped
    # goalposts ln 1 = 0 and min(ln 1000, 6) = 6: ln 100 / 6 of the way.
    assert result.stages["Normalised"].column("a")[1] == pytest.approx(100 * np.log(100) / 6)
    assert result.stages["Normalised"].column("b").tolist()[:2] == [75, 25]  # reversed
    assert result.scores.column("P")[0] == pytest.approx(37.5)  # (0 + 75) / 2, rounded
    assert list(result.stages)[-1] == "Rounded"
    assert result.scores.column("P")[1] == round(result.stages["Aggregated"].column("P")[1], 1)


def test_group_median_and_missing_propagation(tiny: CompositeData) -> None:
    result = _build(tiny, "impute: {method: group_median, group: Region}\n")
    assert result.stages["Imputed"].column("b")[2:].tolist() == [20, 20]
    assert result.stages["Imputed"].column("a")[3] == 10000
    propagate = _build(tiny, "aggregate: {missing: propagate}\n").scores.column("P")
    skip = _build(tiny, "aggregate: {missing: skip}\n").scores.column("P")
    assert math.isnan(propagate[2]) and not math.isnan(skip[2])


def test_geometric_mean_of_a_zero_stops_unless_missing_propagates(tiny: CompositeData) -> None:
    with pytest.raises(EngineError, match="U1"):
        _build(tiny, "aggregate: {method: geometric}\n")  # min-max gives U1 a zero on a
    scores = _build(tiny, "aggregate: {method: geometric, missing: propagate}\n").scores
    assert math.isnan(scores.column("P")[0])


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("normalize: {}\n", ["normalize: unknown key"]),
        ("round: 2.5\n", ["round: must be a whole number"]),
        ("screen: {dat_thresh: 1.5}\n", ["screen.dat_thresh: must be a number from 0 to 1"]),
        ("impute: {method: average}\n", ["impute.method: 'average' is not one of"]),
        ("impute: {method: group_mean}\n", ["impute.group:"]),
        ("impute: {method: linear}\n", ["impute.method: 'linear' needs panel data"]),
        ("treat: {indicators: {a: trim}}\n", ["treat.indicators.a: 'trim' is not one of"]),
        ("transform: {a: [sqrt]}\n", ["transform.a[0]: must be log"]),
        (
            "normalise: {indicators: {a: {method: goalposts, upper: 9}}}\n",
            ["normalise.indicators.a.lower: is required for goalposts"],
        ),
        ("normalise: {method: zscore, lower: 0}\n", ["normalise.lower: zscore takes no such"]),
        ("aggregate: {levels: {2: median}}\n", ["aggregate.levels.2: 'median' is not one of"]),
        ("time: {column: Time}\n", ["time.build: is required"]),
        (
            "denominate: yes please\nround: -1\n",
            ["denominate: must be true or false", "round: must be a whole number"],
        ),
    ],
)
def test_bad_pipeline_names_every_bad_key(text: str, keys: list[str]) -> None:
    with pytest.raises(PipelineError) as raised:
        pipeline_parse(_yaml(text), "my.yaml")
    lines = raised.value.lines
    assert len(lines) == len(keys), lines
    for line, key in zip(lines, keys, strict=True):
        assert line.startswith(f"my.yaml: {key}"), line


def test_pipeline_naming_an_unknown_indicator_or_level_is_refused(tiny: CompositeData) -> None:
    pipeline = pipeline_parse(
        _yaml("transform: {zz: [log]}\naggregate: {levels: {5: geometric}}\n"), "p.yaml"
    )
    with pytest.raises(PipelineError) as raised:
        pipeline_build(tiny, pipeline)
    assert [line.split(":")[1].strip() for line in raised.value.lines] == [
        "transform.zz",
        "aggregate.levels.5",
    ]


def test_invalid_yaml_reports_its_line(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text("round: 3\nnormalise: [\n", encoding="utf-8")
    with pytest.raises(PipelineError, match=r"p.yaml: line \d+: not valid YAML"):
        pipeline_read(tmp_path / "p.yaml")


def test_results_rows_are_best_first_with_every_aggregate(tiny: CompositeData) -> None:
    result = pipeline_build(tiny)
    rows = results_rows(tiny, result)
    assert results_columns(tiny.framework) == ["uCode", "uName", "P", "Rank"]
    scores = [r.scores["P"] for r in rows]
    assert scores == sorted(scores, reverse=True)
    # U3 has only a (100), U1 and U4 tie at 50, U2 is last; ties share the best rank.
    assert [(r.code, r.rank) for r in rows] == [("U3", 1), ("U1", 2), ("U4", 2), ("U2", 4)]
    assert rows[0].name == dict(zip(tiny.raw.units, tiny.unit_names, strict=True))[rows[0].code]


def _series(values: list[float], method: str) -> list[float]:
    table = Table(("A",) * len(values), ("x",), np.array(values).reshape(-1, 1))
    return impute_panel(table, [2020, 2021, 2022][: len(values)], method).column("x").tolist()


@pytest.mark.parametrize(
    ("values", "method", "expected"),
    [
        ([3, math.nan, 5], "linear", [3, 4, 5]),
        ([math.nan, 5, 6], "linear", [5, 5, 6]),  # before the first observation: nearest
        ([7, 8, math.nan], "linear", [7, 8, 8]),
        ([3, math.nan, 5], "constant", [3, 3, 5]),
        ([math.nan, 5, 6], "constant", [5, 5, 6]),
        ([3, math.nan, 5], "latest", [3, 3, 5]),
        ([math.nan, 5, math.nan], "latest", [math.nan, 5, 5]),  # only carried forward
    ],
)
def test_panel_imputation_per_unit(values: list[float], method: str, expected: list[float]):
    got = _series(values, method)
    assert [round(g, 12) if not math.isnan(g) else "NA" for g in got] == [
        e if not math.isnan(e) else "NA" for e in expected
    ]


def test_panel_imputation_keeps_units_apart_and_rows_in_any_order() -> None:
    table = Table(("A", "B", "A", "B"), ("x",), np.array([[5.0], [100], [np.nan], [np.nan]]))
    imputed = impute_panel(table, [2022, 2020, 2021, 2021], "latest")
    assert math.isnan(imputed.column("x")[2])  # A's only earlier point is later in time
    assert imputed.column("x")[3] == 100


@needs_data
def test_panel_pipeline_builds_one_year_with_gaps_filled_from_the_units_past(tmp_path: Path):
    with (DATA_DIR / "ASEM_iData_p.csv").open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        header, rows = list(reader.fieldnames or []), list(reader)
    row_2021 = next(r for r in rows if r["uCode"] == "NZL" and r["Time"] == "2021")
    row_2022 = next(r for r in rows if r["uCode"] == "NZL" and r["Time"] == "2022")
    row_2022["LPI"] = "NA"
    with (tmp_path / "panel.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    pipeline = pipeline_parse(
        _yaml("time: {column: Time, build: 2022}\nimpute: {method: latest}\n"), "p.yaml"
    )
    data = panel_data_read(tmp_path / "panel.csv", DATA_DIR / "ASEM_iMeta.csv", "Time")
    result = pipeline_build(data, pipeline)
    assert list(result.stages)[:3] == ["Raw", "Imputed", "Selected"]
    selected = result.stages["Selected"]
    assert len(selected.units) == 51 and len(set(selected.units)) == 51
    assert selected.column("LPI")[selected.units.index("NZL")] == float(row_2021["LPI"])
    assert len(result.scores.units) == 51


def test_panel_reader_refuses_a_unit_twice_at_one_time(tiny: CompositeData, tmp_path: Path):
    (tmp_path / "p.csv").write_text(
        "uCode,uName,Region,Time,a,b\nU1,One,N,2020,1,2\nU1,One,N,2021,1,2\nU1,One,N,2021,3,4\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as raised:
        panel_data_read(tmp_path / "p.csv", tmp_path / "iMeta.csv", "Time")
    assert (raised.value.row, raised.value.column) == (4, "uCode")


def test_pipeline_default_is_plain(tiny: CompositeData) -> None:
    assert Pipeline().spec.denominate is False and Pipeline().spec.imputation is None


def test_default_goalposts_follow_each_indicators_transform_too(tiny: CompositeData) -> None:
    text = "transform: {a: [log]}\nnormalise: {method: goalposts, lower: 1, upper: 10000}\n"
    normalised = _build(tiny, text).stages["Normalised"]
    assert normalised.column("a")[:3].tolist() == [0, 0.5, 1]  # ln 100 is half of ln 10000
    # b has no transform: its goalposts stay 1 and 10000, reversed (lower is better).
    assert normalised.column("b")[0] == pytest.approx((10000 - 10) / 9999)


def test_treat_true_is_coinrs_default_and_false_skips(tiny: CompositeData) -> None:
    assert pipeline_parse(_yaml("treat: true\n")).spec.treat is True
    assert pipeline_parse(_yaml("treat:\n")).spec.treat is True
    assert pipeline_parse(_yaml("treat: false\n")).spec.treat is False
    with pytest.raises(PipelineError, match=r"aggregate\.method: \['geometric'\] is not one"):
        pipeline_parse(_yaml("aggregate: {method: [geometric]}\n"))
