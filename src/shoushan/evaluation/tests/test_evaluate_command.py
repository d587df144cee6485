"""`shoushan evaluate`: the results file a user gets from the ASEM sheets is COINr's JOSS-paper
table, and a bad sheet or pipeline gives one line per problem and no results file."""

import csv
import math
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from shoushan.evaluation.tests.test_coinr_parity import DATA_DIR, EXPECTED_DIR, needs_data

pytestmark = pytest.mark.usefixtures("english")

TOLERANCE = 1e-9


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def _evaluate(tmp_path: Path, *extra: str, data: Path | None = None, meta: Path | None = None):
    out = tmp_path / "results.csv"
    call_command(
        "evaluate",
        "--data",
        str(data or DATA_DIR / "ASEM_iData.csv"),
        "--meta",
        str(meta or DATA_DIR / "ASEM_iMeta.csv"),
        "--out",
        str(out),
        *extra,
    )
    return out


def _assert_paper_results(out: Path) -> None:
    header, rows = _read(out)
    _, want = _read(EXPECTED_DIR / "expected_ASEM_paper_example_results.csv")
    aggregates = ["Index", "Conn", "Sust"]
    assert header[:5] == ["uCode", "uName", *aggregates]
    assert header[-1] == "Rank" and len(header) == 2 + 11 + 1  # index, 2 sub-indices, 8 pillars
    assert [r["uCode"] for r in rows] == [r["uCode"] for r in want]
    assert [r["Rank"] for r in rows] == [r["Rank"] for r in want]
    for got, expected in zip(rows, want, strict=True):
        for code in header[2:-1]:
            assert abs(float(got[code]) - float(expected[code])) <= TOLERANCE, code
    assert rows[0]["uName"] == "Germany"


@needs_data
def test_evaluate_writes_the_paper_example_results(tmp_path: Path, capsys) -> None:
    _assert_paper_results(_evaluate(tmp_path))
    assert "51 units written" in capsys.readouterr().out


@needs_data
def test_evaluate_reads_xlsx_sheets(tmp_path: Path) -> None:
    from openpyxl import Workbook

    books = {}
    for name in ("ASEM_iData", "ASEM_iMeta"):
        book = Workbook()
        sheet = book.active
        with (DATA_DIR / f"{name}.csv").open(newline="", encoding="utf-8") as f:
            for row in csv.reader(f):
                sheet.append([_cell(v) for v in row])
        books[name] = tmp_path / f"{name}.xlsx"
        book.save(books[name])
    out = _evaluate(tmp_path, data=books["ASEM_iData"], meta=books["ASEM_iMeta"])
    _assert_paper_results(out)


def _cell(text: str) -> float | str | None:
    if text in ("", "NA"):
        return None
    try:
        return float(text)
    except ValueError:
        return text


@needs_data
def test_evaluate_with_the_example_pipeline_matches_coinrs_example(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(
        "denominate: true\nimpute: {method: group_mean, group: EurAsia_group}\n"
        "screen: {dat_thresh: 0.9, after_impute: true}\ntreat: {}\nround: 2\n",
        encoding="utf-8",
    )
    _, rows = _read(_evaluate(tmp_path, "--pipeline", str(tmp_path / "p.yaml")))
    _, want = _read(EXPECTED_DIR / "expected_ASEM_results_full.csv")
    assert [r["uCode"] for r in rows[:6]] == ["CHE", "NLD", "DNK", "NOR", "BEL", "SWE"]
    for got, expected in zip(rows, want, strict=True):
        assert float(got["Index"]) == round(float(expected["Index"]), 2), got["uCode"]


@needs_data
def test_a_bad_cell_gives_one_line_with_file_row_and_column_and_no_output(tmp_path: Path):
    lines = (DATA_DIR / "ASEM_iData.csv").read_text(encoding="utf-8").splitlines()
    header = next(csv.reader([lines[0]]))
    cells = next(csv.reader([lines[3]]))
    cells[header.index("LPI")] = "3.2 points"
    lines[3] = ",".join(f'"{c}"' for c in cells)
    bad = tmp_path / "bad_iData.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CommandError) as raised:
        _evaluate(tmp_path, data=bad)
    message = str(raised.value)
    assert message == "bad_iData.csv, row 4, column 'LPI': '3.2 points' is not a number"
    with translation.override("zh-hans"), pytest.raises(CommandError) as raised:
        _evaluate(tmp_path, data=bad)  # the clerk's language, same place
    assert str(raised.value).startswith("bad_iData.csv, row 4, column 'LPI': ")
    assert raised.value.returncode != 0
    assert not (tmp_path / "results.csv").exists()
    assert list(tmp_path.iterdir()) == [bad]  # no temporary file left either


@needs_data
def test_a_bad_pipeline_lists_each_problem_on_its_own_line(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(
        "normalise: {method: minmax, lower: low}\nround: many\ntransform: {Nope: [log]}\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as raised:
        _evaluate(tmp_path, "--pipeline", str(tmp_path / "p.yaml"))
    assert str(raised.value).splitlines() == [
        "p.yaml: normalise.lower: must be a number, not 'low'",
        "p.yaml: round: must be a whole number from 0, not 'many'",
    ]
    assert not (tmp_path / "results.csv").exists()


@needs_data
def test_a_pipeline_naming_an_unknown_indicator_is_refused(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text("transform: {Nope: [log]}\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"^p.yaml: transform.Nope: 'Nope' is not an indic"):
        _evaluate(tmp_path, "--pipeline", str(tmp_path / "p.yaml"))
    assert not (tmp_path / "results.csv").exists()


def test_a_missing_file_or_a_broken_workbook_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"nothing\.csv: file not found"):
        _evaluate(tmp_path, data=tmp_path / "nothing.csv", meta=tmp_path / "nothing.csv")
    (tmp_path / "iData.xlsx").write_text("not a workbook", encoding="utf-8")
    (tmp_path / "iMeta.csv").write_text("iCode\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"iData\.xlsx: cannot be read as an Excel workbook"):
        _evaluate(tmp_path, data=tmp_path / "iData.xlsx", meta=tmp_path / "iMeta.csv")
    assert not (tmp_path / "results.csv").exists()


def test_units_without_a_score_come_last_without_a_rank(tmp_path: Path) -> None:
    (tmp_path / "iMeta.csv").write_text(
        "iCode,Level,Parent,Weight,Direction,Type\na,1,I,1,1,Indicator\nI,2,,1,1,Aggregate\n",
        encoding="utf-8",
    )
    (tmp_path / "iData.csv").write_text("uCode,uName,a\nX,Ex,\nY,Why,2\nZ,Zed,4\n", "utf-8")
    out = _evaluate(tmp_path, data=tmp_path / "iData.csv", meta=tmp_path / "iMeta.csv")
    _, rows = _read(out)
    assert [(r["uCode"], r["I"], r["Rank"]) for r in rows] == [
        ("Z", "100.0", "1"),
        ("Y", "0.0", "2"),
        ("X", "", ""),
    ]
    assert not math.isnan(float(rows[0]["I"]))


@needs_data
def test_evaluate_writes_rank_intervals_and_the_sobol_indices(tmp_path: Path, capsys) -> None:
    pipeline = tmp_path / "pipeline.yaml"
    pipeline.write_text(
        "normalise: {method: minmax, lower: 1, upper: 100}\n"
        "uncertainty:\n"
        "  aggregate: [arithmetic, geometric]\n"
        "  weights: {noise: 0.25}\n"
        "  replications: 200\n"
        "  sobol_samples: 32\n",
        encoding="utf-8",
    )
    intervals = tmp_path / "intervals.csv"
    out = _evaluate(tmp_path, "--pipeline", str(pipeline), "--uncertainty", str(intervals))
    header, rows = _read(intervals)
    assert header == ["uCode", "uName", "Rank", "RankMedian", "RankP05", "RankP95"]
    _, results = _read(out)
    assert [r["Rank"] for r in rows] == [r["Rank"] for r in results]  # nominal = as built
    assert all(int(r["RankP05"]) <= int(r["RankMedian"]) <= int(r["RankP95"]) for r in rows)
    printed = capsys.readouterr().out
    assert (
        "200 replications" in printed and "aggregation: arithmetic mean / geometric mean" in printed
    )
