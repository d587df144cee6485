"""Bad input is refused with a clear 4xx and the reason, never a 500, never cut silently (the
security review's reproductions, each kept here)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from shoushan.core.errors import InvalidInput
from shoushan.grid.intake.hotline import hotline_orders_import, hotline_rows_read
from shoushan.grid.models import Case
from shoushan.grid.registry.services import grids_import

HEADER = "工单编号,受理时间,诉求类别,诉求内容,社区编码,来电人,联系电话"


def _import(user, *lines):
    rows = hotline_rows_read("o.csv", "\n".join([HEADER, *lines]).encode())
    with pytest.raises(InvalidInput) as refused:
        hotline_orders_import(actor=user("street_staff"), rows=rows)
    return {(p["row"], p["column"]) for p in refused.value.details}


@pytest.mark.parametrize("when", ["0001-01-01 00:00", "9999-12-31 23:59", "1900-05-01 08:00"])
def test_a_12345_time_outside_1949_to_next_year_is_refused(demo_city, user, when):
    assert _import(user, f"X1,{when},R0101,路灯不亮,110101001001,,") == {(2, "received_at")}
    assert not Case.objects.filter(external_id="X1").exists()


def test_a_12345_caller_phone_must_be_a_phone(demo_city, user):
    assert _import(user, f"X2,2026-11-02 09:00,R0101,路灯不亮,110101001001,市民,{'1' * 30}") == {
        (2, "caller_phone")
    }
    assert _import(user, "X3,2026-11-02 09:00,R0101,路灯不亮,110101001001,市民,电话") == {
        (2, "caller_phone")
    }


@pytest.mark.parametrize("month", ["0001-01", "9999-12", "2026-13", "x"])
def test_pages_of_a_month_refuse_impossible_months_without_failing(login, demo_city, month):
    client = login("city_admin")
    assert client.get("/grid/ranking/", {"month": month}).status_code == 200
    assert client.get("/grid/problems/", {"month": month}).status_code == 200


def _post(**data):
    return Client().post(
        "/open311/v2/requests.json",
        {
            "api_key": "shoushan-demo-key",
            "service_code": "E0102",
            "lat": "39.9215538",
            "long": "116.4069014",
            "description": "胡同口有垃圾",
            **data,
        },
        **data.pop("headers", {}),
    )


def test_open311_refuses_what_it_cannot_store_whole(demo_city):
    assert _post(description="垃" * 6000).status_code == 400  # not cut to 5,000
    assert _post(first_name="名" * 80).status_code == 400
    assert _post(email="not-an-email").status_code == 400
    assert _post(phone="1" * 1000).status_code == 400
    long_key = Client().post(
        "/open311/v2/requests.json",
        {"api_key": "shoushan-demo-key", "service_code": "E0102", "description": "x"},
        HTTP_IDEMPOTENCY_KEY="k" * 80,
    )
    assert long_key.status_code == 400 and "Idempotency-Key" in long_key.json()[0]["description"]
    assert not Case.objects.filter(description__startswith="垃垃").exists()


def test_open311_refuses_a_body_too_big_in_json(demo_city):
    response = Client().post(
        "/open311/v2/requests.json",
        data=b"description=" + b"x" * (3 * 1024 * 1024),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413 and response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "start",
    ["2026-02-30T00:00:00", "2026-13-01T00:00:00", "2026-11-01T00:00:00-23:59", "0001-01-01"],
)
def test_open311_refuses_impossible_dates(demo_city, start):
    response = Client().get("/open311/v2/requests.json", {"start_date": start})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "collection",
    [
        [],
        None,
        "x",
        {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": [1]}]},
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"code": "123"},
                    "geometry": {"type": "Point", "coordinates": [116.4, 39.9]},
                }
            ],
        },
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"code": "110101001001099"},
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [[["a", 1], [2, 2], [3, 1], ["a", 1]]],
                    },
                }
            ],
        },
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"code": "110101001001099"},
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [[[float("nan"), 1], [2, 2], [3, 1], [float("nan"), 1]]],
                    },
                }
            ],
        },
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"code": 123},
                    "geometry": {"type": "Polygon", "coordinates": 5},
                }
            ],
        },
    ],
)
def test_a_bad_grid_file_is_refused_not_failed(demo_city, user, collection):
    with pytest.raises(InvalidInput):
        grids_import(actor=user("city_admin"), collection=collection, layer="unit")


def test_a_grid_file_nested_too_deep_is_refused_on_the_page(demo_city, login):
    deep = SimpleUploadedFile("g.geojson", b"[" * 100_000 + b"]" * 100_000)
    page = login("city_admin").post("/grid/layers/", {"layer": "unit", "file": deep})
    assert page.status_code == 200 and "GeoJSON" in page.content.decode()
    assert json.dumps([])  # (nothing stored either way)


def test_a_cell_longer_than_csv_allows_is_refused_with_its_row():
    content = f'{HEADER}\nX9,2026-11-02 09:00,R0101,"{"长" * 200_000}",110101001001,,\n'.encode()
    with pytest.raises(InvalidInput, match="2"):
        hotline_rows_read("o.csv", content)


def test_an_indicator_sheet_with_an_overlong_cell_is_refused(beijing, user):
    from shoushan.evaluation.services import dataset_create

    data = SimpleUploadedFile("d.csv", f'uCode,uName,X\nA,"{"x" * 200_000}",1\n'.encode())
    meta = SimpleUploadedFile("m.csv", b"iCode,iName,Level,Parent,Weight,Direction,Type\n")
    with pytest.raises(InvalidInput):
        dataset_create(actor=user("researcher"), name="t", note="", data_file=data, meta_file=meta)
