"""UNDP's Human Development Index, built by the engine from the framework files in
frameworks/hdi alone, against every value UNDP published in HDR 2023/24. UNDP's file lives beside
the repository in ../shared/data (CC BY 3.0 IGO; see SOURCES-composite.md there)."""

import csv
import math
from pathlib import Path

import numpy as np
import pytest

from shoushan.evaluation.engine import composite_data_read
from shoushan.evaluation.engine.pipeline import pipeline_build, pipeline_read
from shoushan.evaluation.engine.results import BuildResult, rank_descending
from shoushan.evaluation.frameworks.hdi.hdr import (
    HDR_YEARS,
    IMETA_PATH,
    PIPELINE_PATH,
    hdr_idata_write,
)

REPO_ROOT = Path(__file__).resolve().parents[4]
HDR_CSV = (
    REPO_ROOT.parent
    / "shared"
    / "data"
    / "composite"
    / "undp-hdr"
    / "HDR23-24_Composite_indices_complete_time_series.csv"
)

needs_data = pytest.mark.skipif(
    not HDR_CSV.is_file(), reason=f"UNDP HDR time series not found at {HDR_CSV}"
)


@pytest.fixture(scope="module")
def published() -> dict[str, dict[str, str]]:
    with HDR_CSV.open(newline="", encoding="utf-8-sig") as f:
        return {row["iso3"]: row for row in csv.DictReader(f)}


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[int, BuildResult]:
    folder = tmp_path_factory.mktemp("hdr")
    pipeline = pipeline_read(PIPELINE_PATH)
    results = {}
    for year in HDR_YEARS:
        idata = folder / f"hdi_{year}.csv"
        hdr_idata_write(HDR_CSV, year, idata)
        results[year] = pipeline_build(composite_data_read(idata, IMETA_PATH), pipeline)
    return results


@needs_data
def test_every_published_hdi_1990_to_2022_is_reproduced_to_3_decimals(
    builds: dict[int, BuildResult], published: dict[str, dict[str, str]]
) -> None:
    compared, problems = 0, []
    for year, result in builds.items():
        hdi = result.scores.column("HDI")
        for code, value in zip(result.scores.units, hdi, strict=True):
            text = published[code][f"hdi_{year}"]
            if text == "":
                continue
            compared += 1
            if value != float(text):  # both rounded to 3 decimals: exact equality
                problems.append(f"{code} {year}: engine {value}, UNDP {text}")
    assert problems == []
    assert compared > 6000  # 195 countries and 11 regions over 33 years, less the gaps


@needs_data
def test_a_country_missing_a_component_gets_no_hdi(
    builds: dict[int, BuildResult], published: dict[str, dict[str, str]]
) -> None:
    result = builds[1990]
    incomplete = np.isnan(result.stages["Raw"].values).any(axis=1)
    assert incomplete.sum() > 10  # many countries lack 1990 data
    assert np.isnan(result.scores.column("HDI")[incomplete]).all()
    assert all(
        published[code]["hdi_1990"] == "" for code in np.array(result.scores.units)[incomplete]
    )


@needs_data
def test_hdi_rank_2022_is_reproduced_for_all_193_ranked_countries(
    builds: dict[int, BuildResult], published: dict[str, dict[str, str]]
) -> None:
    scores = builds[2022].scores
    countries = [i for i, code in enumerate(scores.units) if not code.startswith("ZZ")]
    ranks = rank_descending(scores.column("HDI")[countries])
    engine = {scores.units[i]: r for i, r in zip(countries, ranks, strict=True)}
    ranked = {code: row["hdi_rank_2022"] for code, row in published.items() if row["hdi_rank_2022"]}
    assert len(ranked) == 193
    assert {code: engine[code] for code in ranked} == {c: float(r) for c, r in ranked.items()}
    unranked = [code for code in engine if code not in ranked]
    assert all(math.isnan(engine[code]) for code in unranked)


@needs_data
def test_hdi_keeps_every_step_for_inspection(builds: dict[int, BuildResult]) -> None:
    result = builds[2022]
    assert list(result.stages) == ["Raw", "Transformed", "Normalised", "Aggregated", "Rounded"]
    i = result.scores.units.index("NOR")
    raw = result.stages["Raw"]
    assert result.stages["Transformed"].column("gnipc")[i] == np.log(raw.column("gnipc")[i])
    lei = (raw.column("le")[i] - 20) / 65
    assert result.stages["Aggregated"].column("LEI")[i] == pytest.approx(lei, abs=1e-15)
    assert result.stages["Aggregated"].column("HDI")[i] != result.scores.column("HDI")[i]
