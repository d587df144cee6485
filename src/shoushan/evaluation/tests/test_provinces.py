"""Shoushan's demonstration index of the 31 provinces, built from the GPI research data."""

import csv
import io
import math

import pytest
from django.conf import settings

from shoushan.evaluation.demo import GPI_FILE
from shoushan.evaluation.models import Dataset
from shoushan.evaluation.provinces import FRAMEWORK, provincial_idata
from shoushan.evaluation.reports import ranking_rows, uncertainty_of
from shoushan.evaluation.services import dataset_build

SOURCE = settings.SHARED_DATA_DIR / GPI_FILE
pytestmark = pytest.mark.skipif(not SOURCE.is_file(), reason=f"no GPI data at {SOURCE}")


def test_indicators_are_computed_from_the_sheets_as_documented():
    rows = {r["uCode"]: r for r in csv.DictReader(io.StringIO(provincial_idata(SOURCE, 2018)))}
    assert len(rows) == 31 and rows["11"]["uName"] == "北京市"
    beijing = rows["11"]
    # 2018 Beijing: education 1,025.51 ×10⁸ yuan, population 2,154 ×10⁴, effluent 133,187.89
    # ×10⁴ t, unemployed 7.91 and employed 1,237.81 ×10⁴.
    assert math.isclose(float(beijing["EduSpend"]), 1025.51e8 / 2154e4)
    assert math.isclose(float(beijing["Effluent"]), 133187.89 / 2154)
    assert math.isclose(float(beijing["Unemployment"]), 100 * 7.91 / (7.91 + 1237.81))
    assert float(beijing["Commuting"]) == pytest.approx(95.2562377)
    with FRAMEWORK.open(encoding="utf-8") as f:
        indicators = [r["iCode"] for r in csv.DictReader(f) if r["Type"] == "Indicator"]
    assert set(indicators) == set(beijing) - {"uCode", "uName"}


def test_the_demo_builds_both_years_and_ranks_all_31(beijing):
    for year in (2017, 2018):
        dataset = Dataset.objects.get(name__endswith=f"（演示）{year}")
        result = dataset_build(dataset).result
        index = result.scores.column("Index")
        assert len(index) == 31 and not any(math.isnan(v) for v in index)
        assert all(0 <= v <= 100 for v in index)


def test_a_missing_year_is_refused():
    with pytest.raises(ValueError, match="2030"):
        provincial_idata(SOURCE, 2030)


def test_the_results_page_compares_ranks_with_last_year(login):
    this_year = Dataset.objects.get(name__endswith="（演示）2018")
    last_year = Dataset.objects.get(name__endswith="（演示）2017")
    client = login("researcher")
    page = client.get(f"/evaluation/{this_year.pk}/?compare={last_year.pk}").content.decode()
    assert "北京市" in page and "比较排名" in page
    assert ("▲" in page) or ("▼" in page)  # 31 provinces do not all keep their rank
    assert client.get(f"/evaluation/{this_year.pk}/?compare=999999").status_code == 404


def test_provinces_are_mapped_when_the_boundaries_are_at_hand(login, settings, tmp_path):
    dataset = Dataset.objects.get(name__endswith="（演示）2018")
    client = login("researcher")
    page = client.get(f"/evaluation/{dataset.pk}/").content.decode()
    assert 'id="area-map"' in page and '"name": "CN011"' in page  # Beijing's PCODE
    boundaries = client.get("/evaluation/provinces.geojson")
    assert boundaries.status_code == 200
    assert b"ADM1_PCODE" in b"".join(boundaries.streaming_content)

    settings.SHARED_DATA_DIR = tmp_path  # a server without the file: no map, a clear 404
    assert 'id="area-map"' not in client.get(f"/evaluation/{dataset.pk}/").content.decode()
    assert client.get("/evaluation/provinces.geojson").status_code == 404


def test_rank_uncertainty_is_shown_with_its_intervals_and_sensitivity(login):
    dataset = Dataset.objects.get(name__endswith="（演示）2018")
    built = dataset_build(dataset)
    result = uncertainty_of(built)
    assert len(result.rows) == 31
    assert all(r["p05"] <= r["median"] <= r["p95"] for r in result.rows)
    # The nominal ranks are those of the data set's own method (it treats outliers).
    shown = {r["code"]: r["rank"] for r in ranking_rows(built)}
    assert all(r["nominal"] == shown[r["code"]] for r in result.rows)
    assert [s["input"] for s in result.sensitivity] == [
        "treatment",
        "normalisation",
        "aggregation",
        "weights_level_1",
    ]
    assert all(s["total_low"] <= s["total"] <= s["total_high"] for s in result.sensitivity)

    page = login("researcher").get(f"/evaluation/{dataset.pk}/uncertainty/").content.decode()
    assert 'id="rank-intervals"' in page and "Sobol" in page
    assert uncertainty_of(built) == result  # a fixed seed: the page and the book agree
