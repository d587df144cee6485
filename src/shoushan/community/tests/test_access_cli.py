"""`shoushan access`: the CSV a planner gets, and what happens with a bad file."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English; pages are tested in the clerk's language."""
    with translation.override("en"):
        yield


DATA = Path(__file__).resolve().parents[5] / "shared" / "data"

NODES = "id,lon,lat\n1,116.300,39.9\n2,116.301,39.9\n3,116.302,39.9\n4,116.320,39.9\n"
EDGES = "u,v,length_m\n1,2,100\n2,3,100\n2,1,150\n"
FACILITIES = "id,category,lon,lat\ng1,grocery,116.300,39.9\nh1,health,116.302,39.9\n"
ORIGINS = "id,lon,lat,weight\na,116.300,39.9,10\nb,116.301,39.9,5\nisland,116.320,39.9,1\n"


@pytest.fixture
def files(tmp_path):
    paths = {}
    for name, text in (
        ("nodes", NODES),
        ("edges", EDGES),
        ("facilities", FACILITIES),
        ("origins", ORIGINS),
    ):
        paths[name] = tmp_path / f"{name}.csv"
        paths[name].write_text(text, encoding="utf-8")
    paths["out"] = tmp_path / "out.csv"
    return paths


def _run(files, **overrides):
    argv = []
    for key, value in {**files, **overrides}.items():
        argv += [f"--{key.replace('_', '-')}", str(value)]
    stdout = io.StringIO()
    call_command("access", *argv, stdout=stdout)
    return stdout.getvalue()


def test_output_columns_and_empty_cells_for_unreachable(files):
    summary = _run(files, minutes=2)
    with open(files["out"], newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == [
        "origin_id",
        "grocery_m",
        "grocery_min",
        "grocery_facility",
        "health_m",
        "health_min",
        "health_facility",
    ]
    # a: on the grocery (0 m, not empty), 200 m to health = 3 minutes at 4 km/h.
    assert rows[1] == ["a", "0.0", "0.00", "g1", "200.0", "3.00", "h1"]
    assert rows[2] == ["b", "100.0", "1.50", "g1", "100.0", "1.50", "h1"]
    assert rows[3] == ["island", "", "", "", "", "", ""]
    # Within 2 minutes of both: only b (5 of 16 weight).
    assert "33.3% of origins" in summary and "31.2% of weight" in summary


def test_speed_changes_minutes(files):
    _run(files, speed_kmh=6)
    with open(files["out"], newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[1][5] == "2.00"  # 200 m at 100 m/min


def test_bad_edge_row_fails_and_writes_nothing(files):
    files["edges"].write_text("u,v,length_m\n1,2,100\n2,9,100\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"edges.csv, row 3: node 9 is not in the nodes table"):
        _run(files)
    assert not files["out"].exists()
    assert not list(files["out"].parent.glob(".out.csv*"))  # no temporary left behind


def test_bad_origin_keeps_the_previous_output(files):
    files["out"].write_text("previous", encoding="utf-8")
    files["origins"].write_text("id,lon,lat\na,116.3,north\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"origins.csv, row 2: lat is not a valid number"):
        _run(files)
    assert files["out"].read_text(encoding="utf-8") == "previous"


def test_network_options_are_either_osm_or_tables(files):
    with pytest.raises(CommandError, match="--osm, or both --nodes and --edges"):
        del files["edges"]
        _run(files)


def test_osm_network(files):
    osm = DATA / "osm" / "beijing_haidian_bupt_campus.osm"
    if not osm.exists():
        pytest.skip("OSM extract not available")
    files["facilities"].write_text(
        "id,category,lon,lat\nf1,grocery,116.3520,39.9600\n", encoding="utf-8"
    )
    files["origins"].write_text(
        "id,lon,lat\nx,116.3500,39.9580\ny,116.3540,39.9620\n", encoding="utf-8"
    )
    nodes, edges = files.pop("nodes"), files.pop("edges")
    del nodes, edges
    _run(files, osm=osm)
    with open(files["out"], newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["origin_id"] for r in rows] == ["x", "y"]
    assert all(float(r["grocery_m"]) > 0 and r["grocery_facility"] == "f1" for r in rows)
