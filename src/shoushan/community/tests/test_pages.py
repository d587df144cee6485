"""Pages and API for each role: the four administrative roles see their scope, others 403,
ids outside the scope 404."""

import json

import pytest

from shoushan.community import selectors
from shoushan.community.demo import community_demo_create
from shoushan.community.models import CommunityProfile, Facility
from shoushan.community.tests.helpers import (
    DONGCHENG,
    DONGHUAMEN,
    DUOFU,
    community_data_clear,
    xicheng_community,
)


@pytest.fixture(autouse=True)
def _no_community_data(beijing):
    community_data_clear()


VIEWERS = ["city_admin", "district_admin", "street_staff", "community_staff"]
PAGES = [
    "/community/",
    f"/community/{DUOFU}/",
    f"/community/{DUOFU}/history/",
    f"/community/{DUOFU}/checklist/",
    "/community/standards/",
    "/community/catalogue/",
    "/community/catalogue/coverage/",
    "/community/facilities/",
    "/community/facilities/data.json",
    "/community/import/",
    "/community/export.xlsx",
]


@pytest.fixture
def demo(beijing):
    community_demo_create(district_codes=[DONGHUAMEN])


@pytest.mark.parametrize("username", VIEWERS)
def test_every_page_renders_for_the_administrative_roles(login, demo, username):
    client = login(username)
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)


@pytest.mark.parametrize("username", ["grid_worker", "resident", "researcher"])
def test_other_roles_get_403(login, beijing, username):
    client = login(username)
    for url in ["/community/", f"/community/{DUOFU}/", "/community/standards/"]:
        assert client.get(url).status_code == 403
    assert client.get("/api/v1/community/communities").status_code == 403


def test_ids_outside_the_scope_are_not_found(login, beijing):
    other = xicheng_community()
    street = login("street_staff")
    for url in [
        f"/community/{other}/",
        f"/community/{other}/history/",
        f"/community/{other}/checklist/",
    ]:
        assert street.get(url).status_code == 404
    assert street.get("/community/standards/?region=110102000000").status_code == 404
    assert street.get(f"/api/v1/community/communities/{other}").status_code == 404
    community = login("community_staff")
    assert community.get(f"/community/{DUOFU}/").status_code == 200
    neighbour = "110101001002"
    assert community.get(f"/community/{neighbour}/").status_code == 404


def test_the_list_shows_only_the_scope_and_pages(login, beijing):
    page = login("street_staff").get("/community/").content.decode()
    assert DUOFU in page and xicheng_community() not in page
    city = login("city_admin").get("/community/?page=3").content.decode()
    assert "7535" in city or "7,535" in city


def test_the_standards_page_drills_down(login, demo):
    client = login("city_admin")
    city = client.get("/community/standards/").content.decode()
    assert "东城区" in city and "?region=110101000000" in city
    district = client.get(f"/community/standards/?region={DONGCHENG}").content.decode()
    assert "东华门街道" in district
    street = client.get(f"/community/standards/?region={DONGHUAMEN}").content.decode()
    assert f"/community/{DUOFU}/" in street


def test_thresholds_page_is_for_the_city_administrator(login, beijing):
    assert login("district_admin").get("/community/standards/rule/").status_code == 403
    client = login("city_admin")
    response = client.post(
        "/community/standards/rule/",
        {
            "min_staff": "3",
            "min_premises_m2": "350",
            "newer_since": "2020-01-01",
            "newer_min_premises_m2": "500",
            "min_funds": "0",
            "standardisation_items": "signage 统一标识标牌\nrules 工作制度上墙",
        },
    )
    assert response.status_code == 302
    rule = selectors.standards_rule()
    assert rule.min_staff == 3 and [i["code"] for i in rule.standardisation_items] == [
        "signage",
        "rules",
    ]


def test_the_catalogue_says_it_is_a_reference(login, demo):
    page = login("street_staff").get("/community/catalogue/").content.decode()
    assert "参考目录" in page
    assert 'value="copy"' not in page  # only the city administrator edits it
    admin = login("city_admin").get("/community/catalogue/").content.decode()
    assert 'value="copy"' in admin


def test_api_lists_edits_and_summarises(login, demo):
    client = login("street_staff")
    listed = client.get(f"/api/v1/community/communities?region={DONGHUAMEN}").json()
    assert listed["count"] == len(listed["items"]) or listed["count"] > 0
    assert all(i["code"].startswith("110101001") for i in listed["items"])
    patched = client.patch(
        f"/api/v1/community/communities/{DUOFU}",
        data=json.dumps({"households": 4321, "secretary_name": "李四"}),
        content_type="application/json",
    )
    assert patched.status_code == 200, patched.content
    body = patched.json()
    assert body["households"] == 4321 and body["secretary_name"] == "李*"
    assert "compliance" in body
    bad = client.patch(
        f"/api/v1/community/communities/{DUOFU}",
        data=json.dumps({"households": "lots"}),
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert CommunityProfile.objects.get(region_id=DUOFU).households == 4321
    summary = client.get("/api/v1/community/standards").json()
    assert summary["region"]["code"] == DONGHUAMEN
    assert summary["region"]["communities"] == len(summary["rows"])
    catalogue = client.get("/api/v1/community/catalogue").json()
    assert catalogue["is_reference"] and len(catalogue["categories"]) == 10
    coverage = client.get("/api/v1/community/catalogue/coverage").json()
    assert coverage["communities"] == summary["region"]["communities"]
    item = catalogue["categories"][0]["items"][0]["id"]
    put = client.put(
        f"/api/v1/community/communities/{DUOFU}/checklist",
        data=json.dumps([{"item_id": item, "status": "nearby", "evidence": "隔壁社区"}]),
        content_type="application/json",
    )
    assert put.status_code == 200
    assert next(e for e in put.json() if e["item_id"] == item)["status"] == "nearby"
    facilities = client.get("/api/v1/community/facilities").json()
    assert (
        facilities["count"] == Facility.objects.filter(region_code__startswith="110101001").count()
    )
    assert all(f["generated"] for f in facilities["items"])


def test_the_demo_is_generated_and_idempotent(beijing):
    first = community_demo_create(district_codes=[DONGHUAMEN])
    assert first["profiles"] > 0 and first["facilities"] > 0
    assert all(
        CommunityProfile.objects.filter(region__parent_id=DONGHUAMEN).values_list(
            "generated", flat=True
        )
    )
    again = community_demo_create(district_codes=[DONGHUAMEN])
    assert again == {"profiles": 0, "checklist_entries": 0, "facilities": 0}


def test_the_list_shows_each_communitys_standards_and_services(login, demo):
    page = login("street_staff").get("/community/").content.decode()
    assert " / 60</a>" in page
    assert "✔" in page or "✘" in page


def test_the_openapi_document_lists_the_community_endpoints(login, beijing):
    paths = login("city_admin").get("/api/v1/openapi.json").json()["paths"]
    for path in [
        "/api/v1/community/communities",
        "/api/v1/community/communities/{code}",
        "/api/v1/community/communities/{code}/checklist",
        "/api/v1/community/standards",
        "/api/v1/community/catalogue",
        "/api/v1/community/catalogue/coverage",
        "/api/v1/community/facilities",
        "/api/v1/community/service-circle",
    ]:
        assert path in paths
