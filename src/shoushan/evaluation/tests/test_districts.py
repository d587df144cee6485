"""The city's own index of its districts: census indicators from the 2020 yearbook and the
platform's own figures for the year (here, the grid's closed loop), built by the same engine."""

import csv
import io
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from shoushan.accounts.models import User
from shoushan.audit.models import AuditRecord
from shoushan.community.demo import community_demo_create
from shoushan.community.selectors import compliance_of
from shoushan.core.errors import InvalidInput
from shoushan.evaluation import districts
from shoushan.evaluation.districts.platform import community_values, grid_values, workforce_values
from shoushan.evaluation.models import Dataset
from shoushan.evaluation.services import dataset_build, district_dataset_create
from shoushan.grid.cases.services import case_move, case_return_visit_record
from shoushan.grid.registry.selectors import unit_of_street
from shoushan.grid.tests.helpers import report
from shoushan.regions.models import Region
from shoushan.workforce.demo import demo_workers_create
from shoushan.workforce.selectors import statistics_as_of

CENSUS = districts.CENSUS
DONGCHENG = "110101000000"
XICHENG = "110102000000"


def _closed_case(actor, satisfaction: str, place: Region | None = None) -> None:
    """A case closed through the real workflow and its return visit: at 多福巷 (东城区) unless
    another community's published point is given."""
    where = {"lon": place.longitude, "lat": place.latitude} if place else {}
    case, _created = report(**where)
    unit_of_street(case.street_id).members.add(actor)  # a case goes only where someone acts
    for action in ("register", "dispatch", "accept", "handle", "verify", "close"):
        extra = {"note": "已清运"} if action == "handle" else {}
        case = case_move(actor=actor, case_id=case.pk, action=action, **extra)
    case_return_visit_record(actor=actor, case_id=case.pk, resolved=True, satisfaction=satisfaction)


def test_census_indicators_follow_their_recipes():
    rows = districts.census_rows(CENSUS)
    assert len(rows) == 16 and DONGCHENG in rows
    values = districts.census_values(rows)[DONGCHENG]
    row = rows[DONGCHENG]
    assert values["HomeToilet"] == pytest.approx(100 * row["住房內有厕所"] / row["家庭户户数_长表"])
    assert values["Divorced"] == pytest.approx(100 * row["离婚"] / row["十五岁以上人口"])
    assert values["Aged65"] == row["人口比重_65岁及以上"] == 18.23
    assert set(values) == set(districts.CENSUS_RECIPES)


def test_the_framework_keeps_only_indicators_some_districts_have():
    values = {"a": {"EduYears": 12.0, "Aged65": 10.0}, "b": {"EduYears": 11.0, "Aged65": 10.0}}
    meta, dropped = districts.district_framework(values)
    rows = {r["iCode"]: r for r in csv.DictReader(io.StringIO(meta))}
    # Aged65 has no spread, so min-max could not place it: dropped like the empty ones.
    assert set(rows) == {"EduYears", "Services", "Index"}
    assert "65岁及以上人口比重" in dropped and "接诉响应率" in dropped
    assert "平均受教育年限" not in dropped


def test_a_districts_index_is_built_from_census_and_the_year_of_cases(demo_city, user, clock):
    # The year of today's cases, profiles and workers: "now" stops where the test begins, so that
    # at a year's last second the cases it closes and the year it reads are one year.
    clock.pin(timezone.localtime())
    # A superuser stands in for the street staff and the units of two districts.
    admin = User.objects.create_superuser("district-index-test", password="x" * 20)
    _closed_case(admin, "satisfied")
    _closed_case(admin, "unsatisfied")
    xicheng = (
        Region.objects.filter(code__startswith="110102", level="community", location_source="point")
        .exclude(longitude=None)
        .first()
    )
    _closed_case(admin, "satisfied", xicheng)
    year = timezone.localdate().year
    rates = grid_values(year)
    assert rates[DONGCHENG]["SatisfactionRate"] == pytest.approx(50.0)
    assert rates[DONGCHENG]["ResolutionRate"] == pytest.approx(100.0)
    assert rates[XICHENG]["SatisfactionRate"] == pytest.approx(100.0)

    dataset = district_dataset_create(actor=user("city_admin"), year=year)
    assert AuditRecord.objects.filter(
        action="evaluation.dataset_create", object_id=str(dataset.pk)
    ).exists()
    built = dataset_build(dataset)
    scores = built.result.scores
    assert len(scores.units) == 16
    governance = dict(zip(scores.units, scores.column("Governance"), strict=True))
    # Only 东城区 and 西城区 have cases: the others have no governance score, yet every district
    # is ranked on the parts it has.
    assert not np.isnan(governance[DONGCHENG]) and not np.isnan(governance[XICHENG])
    assert all(np.isnan(v) for code, v in governance.items() if code not in (DONGCHENG, XICHENG))
    assert not np.isnan(scores.column("Index")).any()
    raw = dict(zip(built.data.raw.units, built.data.raw.column("SatisfactionRate"), strict=True))
    assert raw[DONGCHENG] == pytest.approx(50.0)


def test_a_future_year_is_refused(beijing, user, clock):
    clock.pin("2027-01-01 00:01")  # a new year in Beijing, still 2026 in UTC
    with pytest.raises(InvalidInput):
        district_dataset_create(actor=user("city_admin"), year=2028)
    assert district_dataset_create(actor=user("city_admin"), year=2027).year == 2027


@pytest.mark.calendar  # the year of today's cases, profiles and workers
def test_the_page_and_the_command_build_the_districts_index(login, beijing):
    client = login("researcher")
    year = timezone.localdate().year
    response = client.post("/evaluation/districts/", {"year": str(year)})
    assert response.status_code == 302
    dataset = Dataset.objects.get(pk=int(response["Location"].strip("/").split("/")[-1]))
    page = client.get(response["Location"]).content.decode()
    assert "东城区" in page and "延庆区" in page
    assert 'id="area-map"' in page  # a choropleth of the districts, from their boundaries
    geojson = client.get(f"/evaluation/{dataset.pk}/regions.geojson").json()
    assert len(geojson["features"]) == 16
    assert {f["properties"]["code"] for f in geojson["features"]} >= {DONGCHENG, XICHENG}
    book = client.get(f"/evaluation/{dataset.pk}/blue-book.html").content.decode()
    assert book.count("<svg") >= 3 + 16 and "东城区" in book
    # The platform's indicators with no data are named, not invented.
    assert "接诉响应率" in dataset.note and "ResponseRate" not in dataset.note
    assert client.post("/evaluation/districts/", {"year": "1999"}).status_code == 302
    assert login("street_staff").post("/evaluation/districts/", {"year": year}).status_code == 403

    out = StringIO()
    call_command("district_index", year=year, stdout=out)
    assert "/evaluation/" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("district_index", year=1990, stdout=StringIO())


def test_community_profiles_and_workers_fill_their_indicators(beijing, clock):
    clock.pin(timezone.localtime())  # the year of today's profiles and workers: one year
    community_demo_create()  # 东城区 and 西城区 (the session's demo may have made them already)
    demo_workers_create()
    year = timezone.localdate().year
    shares = community_values(year)
    assert set(shares) == {DONGCHENG, XICHENG}  # only their communities have profiles
    compliant = [
        r.compliant
        for r in compliance_of(Region.objects.filter(code__startswith="110101", level="community"))
    ]
    assert shares[DONGCHENG]["StandardsShare"] == pytest.approx(
        100 * sum(compliant) / len(compliant)
    )
    workers = workforce_values(year)
    assert set(workers) == {DONGCHENG, XICHENG}
    figures = statistics_as_of(Region.objects.get(code=DONGCHENG), timezone.localdate())["figures"]
    assert workers[DONGCHENG]["WorkersPerHousehold"] == pytest.approx(
        figures.staff_per_1000_households
    )
    assert 0 < workers[DONGCHENG]["WorkersPerHousehold"] < 50
