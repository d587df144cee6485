"""The evaluation pages: upload a data set (or be told exactly what is wrong, with nothing
stored), see the index and ranks, download them, open a unit's profile."""

import csv
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shoushan.audit.models import AuditRecord
from shoushan.evaluation.models import Dataset

DATA_DIR = (
    Path(__file__).resolve().parents[4].parent / "shared" / "data" / "composite" / "coinr-asem"
)
pytestmark = pytest.mark.skipif(not DATA_DIR.is_dir(), reason=f"no COINr data at {DATA_DIR}")


def _upload(client, *, data: bytes | None = None, meta: bytes | None = None, name="ASEM 2018"):
    data = data if data is not None else (DATA_DIR / "ASEM_iData.csv").read_bytes()
    meta = meta if meta is not None else (DATA_DIR / "ASEM_iMeta.csv").read_bytes()
    return client.post(
        "/evaluation/",
        {
            "name": name,
            "note": "COINr 1.1.14 example",
            "data": SimpleUploadedFile("ASEM_iData.csv", data, content_type="text/csv"),
            "meta": SimpleUploadedFile("ASEM_iMeta.csv", meta, content_type="text/csv"),
        },
    )


def test_a_researcher_uploads_and_reads_the_ranking(login):
    client = login("researcher")
    response = _upload(client)
    dataset = Dataset.objects.get(name="ASEM 2018")
    assert response.status_code == 302 and response["Location"] == f"/evaluation/{dataset.pk}/"
    assert AuditRecord.objects.filter(
        action="evaluation.dataset_create", object_id=str(dataset.pk)
    ).exists()

    page = client.get(f"/evaluation/{dataset.pk}/").content.decode()
    assert "DEU" in page and "75.23" in page  # the JOSS paper's top score

    download = client.get(f"/evaluation/{dataset.pk}/?format=csv")
    rows = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))
    expected_path = DATA_DIR / "expected" / "expected_ASEM_paper_example_results.csv"
    with expected_path.open(encoding="utf-8") as f:
        expected = {r["uCode"]: r for r in csv.DictReader(f)}
    assert len(rows) == len(expected) == 51
    for row in rows:
        assert int(row["Rank"]) == int(expected[row["uCode"]]["Rank"])
        for code in ("Index", "Conn", "Sust", "Physical", "Environ"):
            assert abs(float(row[code]) - float(expected[row["uCode"]][code])) < 1e-9

    profile = client.get(f"/evaluation/{dataset.pk}/units/DEU/")
    assert profile.status_code == 200
    text = profile.content.decode()
    assert "chart-data" in text and "Germany" in text


def test_a_bad_sheet_is_reported_by_row_and_column_and_nothing_is_stored(login):
    client = login("researcher")
    data = (DATA_DIR / "ASEM_iData.csv").read_text(encoding="utf-8")
    header, first, *rest = data.splitlines()
    columns = header.split(",")
    cells = first.split(",")
    goods = next(i for i, c in enumerate(columns) if c.strip('"') == "Goods")
    cells[goods] = "many"
    broken = "\n".join([header, ",".join(cells), *rest]).encode()
    before = (Dataset.objects.count(), AuditRecord.objects.count())

    response = _upload(client, data=broken, name="broken")

    assert response.status_code == 200
    page = response.content.decode()
    assert "ASEM_iData.csv" in page and "Goods" in page and "<td>2</td>" in page
    assert "&#x27;many&#x27; 不是数字" in page  # in the clerk's language
    assert (Dataset.objects.count(), AuditRecord.objects.count()) == before


def test_unknown_data_sets_and_units_are_404_and_other_roles_are_refused(login):
    client = login("researcher")
    _upload(client)
    dataset = Dataset.objects.get(name="ASEM 2018")
    assert client.get(f"/evaluation/{dataset.pk + 1}/").status_code == 404
    assert client.get(f"/evaluation/{dataset.pk}/units/XXX/").status_code == 404
    assert login("grid_worker").get("/evaluation/").status_code == 403


def test_a_pipeline_file_sets_the_method_and_a_bad_one_is_refused(login):
    client = login("researcher")
    data = (DATA_DIR / "ASEM_iData.csv").read_bytes()
    meta = (DATA_DIR / "ASEM_iMeta.csv").read_bytes()

    def upload(name: str, pipeline: bytes):
        return client.post(
            "/evaluation/",
            {
                "name": name,
                "data": SimpleUploadedFile("ASEM_iData.csv", data),
                "meta": SimpleUploadedFile("ASEM_iMeta.csv", meta),
                "pipeline": SimpleUploadedFile("method.yaml", pipeline),
            },
        )

    refused = upload("bad method", b"normalise: {method: minmax, spread: 3}\nround: many\n")
    page = refused.content.decode()
    assert refused.status_code == 200 and "method.yaml" in page
    assert "normalise" in page and "round" in page  # every problem, each by its key
    assert not Dataset.objects.filter(name="bad method").exists()

    upload("ASEM ranked by rank", b"normalise: {method: rank}\n")
    dataset = Dataset.objects.get(name="ASEM ranked by rank")
    assert dataset.pipeline_name == "method.yaml"
    download = client.get(f"/evaluation/{dataset.pk}/?format=csv")
    rows = {
        r["uCode"]: r for r in csv.DictReader(io.StringIO(download.content.decode("utf-8-sig")))
    }
    assert float(rows["DEU"]["Index"]) != pytest.approx(75.227804654282)  # not the plain method


def test_sheets_may_come_as_workbooks(login):
    from openpyxl import Workbook

    workbook = Workbook()
    with (DATA_DIR / "ASEM_iData.csv").open(encoding="utf-8") as f:
        for row in csv.reader(f):
            workbook.active.append([_cell(value) for value in row])
    content = io.BytesIO()
    workbook.save(content)
    client = login("researcher")
    response = client.post(
        "/evaluation/",
        {
            "name": "ASEM from a workbook",
            "data": SimpleUploadedFile("ASEM_iData.xlsx", content.getvalue()),
            "meta": SimpleUploadedFile(
                "ASEM_iMeta.csv", (DATA_DIR / "ASEM_iMeta.csv").read_bytes()
            ),
        },
    )
    assert response.status_code == 302
    dataset = Dataset.objects.get(name="ASEM from a workbook")
    page = client.get(f"/evaluation/{dataset.pk}/").content.decode()
    assert "75.23" in page  # the same index as from the CSV

    broken = client.post(
        "/evaluation/",
        {
            "name": "not a workbook",
            "data": SimpleUploadedFile("ASEM_iData.xlsx", b"PK\x03\x04 not really"),
            "meta": SimpleUploadedFile(
                "ASEM_iMeta.csv", (DATA_DIR / "ASEM_iMeta.csv").read_bytes()
            ),
        },
    )
    assert "ASEM_iData.xlsx" in broken.content.decode()
    assert not Dataset.objects.filter(name="not a workbook").exists()


def _cell(value: str):
    try:
        return float(value)
    except ValueError:
        return None if value in ("", "NA") else value


def test_weights_and_directions_are_edited_audited_and_checked(login):
    client = login("researcher")
    _upload(client)
    dataset = Dataset.objects.get(name="ASEM 2018")
    assert client.get(f"/evaluation/{dataset.pk}/framework/").status_code == 200

    response = client.post(
        f"/evaluation/{dataset.pk}/framework/",
        {"weight:Conn": "3", "weight:Sust": "1", "direction:Goods": "-1"},
    )
    assert response.status_code == 302
    dataset.refresh_from_db()
    record = AuditRecord.objects.get(action="evaluation.framework_edit", object_id=str(dataset.pk))
    assert (
        record.changes["Conn.Weight"] == ["1", "3"] and record.changes["Goods.Direction"][1] == "-1"
    )
    rows = {
        r["uCode"]: r
        for r in csv.DictReader(
            io.StringIO(
                client.get(f"/evaluation/{dataset.pk}/?format=csv").content.decode("utf-8-sig")
            )
        )
    }
    germany = rows["DEU"]
    assert float(germany["Index"]) == pytest.approx(
        (3 * float(germany["Conn"]) + float(germany["Sust"])) / 4
    )

    before = dataset.meta_csv
    refused = client.post(f"/evaluation/{dataset.pk}/framework/", {"direction:Goods": "2"})
    assert refused.status_code == 200 and "Direction" in refused.content.decode()
    dataset.refresh_from_db()
    assert dataset.meta_csv == before


def test_the_analysis_page_shows_coinrs_checks(login):
    client = login("researcher")
    _upload(client)
    dataset = Dataset.objects.get(name="ASEM 2018")
    page = client.get(f"/evaluation/{dataset.pk}/analysis/").content.decode()
    # Cronbach's alpha of the pillars as COINr computes them on the normalised set; flags shown.
    for heading in ("Cronbach", "第一主成分"):
        assert heading in page
    assert page.count("<tr>") > 49  # one row per indicator, and more
    assert "异常值" in page or "outliers" in page  # skewed indicators of the raw data are flagged


def test_indicators_are_renamed_moved_and_removed_in_the_framework_editor(login):
    client = login("researcher")
    _upload(client)
    dataset = Dataset.objects.get(name="ASEM 2018")
    page = client.get(f"/evaluation/{dataset.pk}/framework/").content.decode()
    assert 'name="parent:LPI"' in page and 'name="remove" value="LPI"' in page

    response = client.post(
        f"/evaluation/{dataset.pk}/framework/",
        {"name:LPI": "物流绩效指数", "parent:Flights": "P2P", "remove": ["Gas", "Elec"]},
    )
    assert response.status_code == 302
    dataset.refresh_from_db()
    meta = {r["iCode"]: r for r in csv.DictReader(io.StringIO(dataset.meta_csv))}
    assert meta["LPI"]["iName"] == "物流绩效指数" and meta["Flights"]["Parent"] == "P2P"
    assert "Gas" not in meta and "Elec" not in meta
    record = AuditRecord.objects.get(action="evaluation.framework_edit", object_id=str(dataset.pk))
    assert record.changes["Flights.Parent"] == ["Physical", "P2P"]
    assert "Gas.removed" in record.changes

    # Moving an indicator under an indicator is refused, and nothing changes.
    before = dataset.meta_csv
    refused = client.post(f"/evaluation/{dataset.pk}/framework/", {"parent:Ship": "LPI"})
    assert refused.status_code == 200
    dataset.refresh_from_db()
    assert dataset.meta_csv == before


def test_the_pipeline_is_edited_in_the_browser_checked_and_audited(login):
    client = login("researcher")
    _upload(client)
    dataset = Dataset.objects.get(name="ASEM 2018")
    page = client.get(f"/evaluation/{dataset.pk}/pipeline/").content.decode()
    assert 'name="pipeline"' in page and "uncertainty:" in page  # the reference of every key

    bad = "aggregate:\n  weights: ahp\n  ahp: {Conn: [[1, 9], [1, 1]]}\nnormalise: {method: loud}\n"
    refused = client.post(f"/evaluation/{dataset.pk}/pipeline/", {"pipeline": bad})
    text = refused.content.decode()
    assert refused.status_code == 200 and "aggregate.ahp.Conn" in text and "normalise" in text
    dataset.refresh_from_db()
    assert dataset.pipeline_yaml == ""

    plain = client.get(f"/evaluation/{dataset.pk}/?format=csv").content
    good = "normalise: {method: rank}\nuncertainty:\n  aggregate: [arithmetic, geometric]\n"
    assert client.post(f"/evaluation/{dataset.pk}/pipeline/", {"pipeline": good}).status_code == 302
    dataset.refresh_from_db()
    assert dataset.pipeline_yaml == good
    assert client.get(f"/evaluation/{dataset.pk}/?format=csv").content != plain
    record = AuditRecord.objects.get(action="evaluation.pipeline_edit", object_id=str(dataset.pk))
    assert record.changes["pipeline"] == ["", good]
    uncertainty = client.get(f"/evaluation/{dataset.pk}/uncertainty/").content.decode()
    assert "weights_level" not in uncertainty and uncertainty.count("<li>") >= 1


def test_uncertainty_alternatives_that_cannot_be_combined_are_refused_on_saving(login):
    client = login("researcher")
    _upload(client)
    dataset = Dataset.objects.get(name="ASEM 2018")
    # The build's own min-max [0, 100] has zeros, which a geometric mean cannot take.
    text = "uncertainty:\n  aggregate: [arithmetic, geometric]\n"
    refused = client.post(f"/evaluation/{dataset.pk}/pipeline/", {"pipeline": text})
    assert refused.status_code == 200
    assert "[1, 100]" in refused.content.decode()  # what to do instead, in either language
    dataset.refresh_from_db()
    assert dataset.pipeline_yaml == ""
