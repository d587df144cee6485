"""The provinces' social-spending index from the official statistics shipped with Shoushan: it
needs nothing from SHOUSHAN_SHARED_DATA."""

import csv
import io
import math

from django.core.files.uploadedfile import SimpleUploadedFile

from shoushan.evaluation.models import Dataset
from shoushan.evaluation.provinces import official
from shoushan.evaluation.services import dataset_build


def _shipped(province: str, year: int, code: str) -> float:
    with official.DATA.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if (row["province_code"], row["year"], row["indicator_code"]) == (
                province,
                str(year),
                code,
            ):
                return float(row["value"])
    raise LookupError(code)


def test_the_shares_are_computed_from_the_yearbook_figures():
    # 2020 has no sample survey (a census year): its 65+ share is missing, so it is not offered.
    assert official.official_years() == [2023, 2022, 2021, 2019]
    rows = {r["uCode"]: r for r in csv.DictReader(io.StringIO(official.official_idata(2023)))}
    assert len(rows) == 31 and rows["11"]["uName"] == "北京市"
    beijing = rows["11"]
    expected = 100 * _shipped("11", 2023, "fx_education") / _shipped("11", 2023, "fx_total")
    assert math.isclose(float(beijing["EduShare"]), expected, rel_tol=1e-6)
    aged = 100 * _shipped("11", 2023, "nbs_pop65_sample") / _shipped("11", 2023, "nbs_pop_sample")
    assert math.isclose(float(beijing["Aged65"]), aged, rel_tol=1e-6)
    with official.FRAMEWORK.open(encoding="utf-8") as f:
        indicators = [r["iCode"] for r in csv.DictReader(f) if r["Type"] == "Indicator"]
    assert set(indicators) == set(beijing) - {"uCode", "uName"}


def test_the_demo_ranks_all_31_provinces_for_the_two_latest_years(beijing):
    for year in (2022, 2023):
        dataset = Dataset.objects.get(name=f"31 省（区、市）社会建设财政投入指数 {year}")
        index = dataset_build(dataset).result.scores.column("Index")
        assert len(index) == 31 and not any(math.isnan(v) for v in index)
        assert all(0 <= v <= 100 for v in index)


def test_the_sample_downloads_upload_again_as_a_data_set(beijing, login):
    client = login("researcher")
    files = {}
    for name in ("idata.csv", "imeta.csv", "pipeline.yaml"):
        response = client.get(f"/evaluation/sample/{name}")
        assert response.status_code == 200
        assert "attachment" in response["Content-Disposition"]
        files[name] = SimpleUploadedFile(name, response.content)
    assert "uCode,uName,EduShare" in files["idata.csv"].read().decode()
    files["idata.csv"].seek(0)
    response = client.post(
        "/evaluation/",
        {
            "name": "样例",
            "year": "2023",
            "data": files["idata.csv"],
            "meta": files["imeta.csv"],
            "pipeline": files["pipeline.yaml"],
        },
    )
    assert response.status_code == 302
    dataset = Dataset.objects.get(name="样例")
    assert len(dataset_build(dataset).result.scores.column("Index")) == 31
    assert login("resident").get("/evaluation/sample/idata.csv").status_code == 403
    assert client.get("/evaluation/sample/other.csv").status_code == 404
