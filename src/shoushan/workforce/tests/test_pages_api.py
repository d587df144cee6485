import json

import pytest

from shoushan.audit.models import AuditRecord
from shoushan.workforce.tests.helpers import id_number, make_worker


@pytest.mark.parametrize(
    "username", ["community_staff", "street_staff", "district_admin", "city_admin"]
)
def test_the_pages_render_for_each_staff_role(demo_city, login, username):
    worker = make_worker()
    client = login(username)
    for url in (
        "/workforce/",
        f"/workforce/{worker.pk}/",
        f"/workforce/{worker.pk}/edit/",
        "/workforce/new/",
        "/workforce/statistics/",
        "/workforce/import/",
        "/workforce/wages/",
    ):
        assert client.get(url).status_code == 200, url
    assert worker.id_number not in client.get(f"/workforce/{worker.pk}/").content.decode()


def test_other_roles_are_refused(demo_city, login):
    worker = make_worker()
    client = login("grid_worker")
    assert client.get("/workforce/").status_code == 403
    assert client.get(f"/workforce/{worker.pk}/").status_code == 403
    assert client.get("/api/v1/workforce/workers").status_code == 403


def test_out_of_scope_ids_are_not_found(demo_city, login):
    worker = make_worker()  # 多福巷社区, 东华门街道
    client = login("street_staff_2")  # 景山街道
    assert client.get(f"/workforce/{worker.pk}/").status_code == 404
    assert (
        client.post(
            f"/workforce/{worker.pk}/events/", {"kind": "leave", "on": "2020-01-01"}
        ).status_code
        == 404
    )
    assert client.get(f"/api/v1/workforce/workers/{worker.pk}").status_code == 404
    assert worker.pk not in {
        w["id"] for w in client.get("/api/v1/workforce/workers").json()["items"]
    }
    assert client.get("/workforce/statistics/", {"region_code": "110101001000"}).status_code == 404


def test_an_unmasked_read_on_the_page_is_audited(demo_city, login):
    worker = make_worker()
    client = login("district_admin")
    assert worker.id_number not in client.get(f"/workforce/{worker.pk}/").content.decode()
    assert not AuditRecord.objects.filter(
        action="personal_information.view", object_id=str(worker.pk)
    ).exists()
    page = client.get(f"/workforce/{worker.pk}/", {"reveal": "1"}).content.decode()
    assert worker.id_number in page
    assert AuditRecord.objects.get(action="personal_information.view", object_id=str(worker.pk))
    # without the permission, asking to reveal shows the masked value
    assert (
        worker.id_number
        not in login("street_staff")
        .get(f"/workforce/{worker.pk}/", {"reveal": "1"})
        .content.decode()
    )


def test_the_form_records_a_worker_and_the_history_page_lists_events(demo_city, login):
    client = login("community_staff")
    number = id_number()
    response = client.post(
        "/workforce/new/",
        {
            "name": "王五",
            "id_number": number,
            "education": "associate",
            "political_status": "masses",
            "qualification": "none",
            "post": "full_time",
            "community_code": "110101001001",
            "hire_date": "2021-03-01",
        },
    )
    assert response.status_code == 302
    detail = response["Location"]
    assert (
        client.post(
            detail + "events/", {"kind": "post_change", "on": "2022-01-01", "post": "member"}
        ).status_code
        == 302
    )
    page = client.get(detail).content.decode()
    assert page.count("<tr><td>20") == 2  # the hire and the post change
    refused = client.post(
        "/workforce/new/",
        {
            "name": "王五",
            "id_number": id_number(),
            "gender": "female",
            "education": "associate",
            "political_status": "masses",
            "qualification": "none",
            "post": "full_time",
            "community_code": "110101001001",
            "hire_date": "2021-03-01",
        },
    )
    assert refused.status_code == 200 and "errorlist" in refused.content.decode()


def test_the_api_lists_creates_and_records_events(demo_city, login):
    client = login("street_staff")
    created = client.post(
        "/api/v1/workforce/workers",
        json.dumps(
            {
                "name": "赵六",
                "id_number": id_number(),
                "education": "本科",
                "political_status": "中共党员",
                "post": "副主任",
                "community_code": "110101001001",
                "hire_date": "2017-05-02",
                "monthly_pay": 9500,
            }
        ),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert "*" in body["id_number_masked"] and body["events"][0]["kind"] == "hire"
    wid = body["id"]
    bad = client.post(
        f"/api/v1/workforce/workers/{wid}/events",
        json.dumps({"kind": "leave", "on": "2016-01-01"}),
        content_type="application/json",
    )
    assert bad.status_code == 409 and bad.json()["detail"]  # before the hire date
    ok = client.post(
        f"/api/v1/workforce/workers/{wid}/events",
        json.dumps({"kind": "transfer", "on": "2020-01-01", "community_code": "110101001002"}),
        content_type="application/json",
    )
    assert ok.status_code == 201 and ok.json()["community_code"] == "110101001002"
    listed = client.get("/api/v1/workforce/workers", {"region_code": "110101001002"}).json()
    assert wid in {w["id"] for w in listed["items"]}
    assert client.get(f"/api/v1/workforce/workers/{wid}").json()["community_code"] == (
        "110101001002"
    )
    mismatch = client.post(
        "/api/v1/workforce/workers",
        json.dumps(
            {
                "name": "赵六",
                "id_number": id_number(),
                "gender": "female",
                "education": "本科",
                "political_status": "中共党员",
                "post": "副主任",
                "community_code": "110101001001",
                "hire_date": "2017-05-02",
            }
        ),
        content_type="application/json",
    )
    assert mismatch.status_code == 422 and "gender" in mismatch.json()["errors"]


def test_only_the_city_admin_sets_the_city_average_wage(demo_city, login):
    assert (
        login("district_admin").post("/workforce/wages/", {"year": 2023, "yuan": 1}).status_code
        == 403
    )
    assert (
        login("city_admin").post("/workforce/wages/", {"year": 2023, "yuan": 150000}).status_code
        == 302
    )


def test_the_openapi_document_lists_the_workforce_operations(beijing, login):
    paths = login("city_admin").get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/workforce/workers",
        "/api/v1/workforce/workers/{worker_id}",
        "/api/v1/workforce/workers/{worker_id}/events",
        "/api/v1/workforce/statistics",
    } <= set(paths)


def test_subdivisions_without_records_say_so_and_are_not_counted_as_zero(demo_city, login):
    client = login("city_admin")  # the demo city's workers are in 东城区 and 西城区
    client.cookies["django_language"] = "en"
    page = client.get("/workforce/statistics/?region_code=110000000000").content.decode()
    assert "The records cover 2 of the 16 subdivisions of 北京市" in page
    assert page.count("No records") == 14
