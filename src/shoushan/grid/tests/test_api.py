import json

from shoushan.grid.tests.helpers import report


def move(client, case, **body):
    return client.post(
        f"/api/v1/cases/{case.pk}/moves", json.dumps(body), content_type="application/json"
    )


def test_cases_are_listed_within_scope_and_moved_through_the_api(login, demo_city):
    case, _created = report()
    client = login("street_staff")
    listed = client.get("/api/v1/cases", {"stage": "reported"}).json()
    assert case.pk in {c["id"] for c in listed["items"]}
    assert client.get(f"/api/v1/cases/{case.pk}").json()["community_code"] == "110101001001"
    assert move(client, case, action="register").json()["stage"] == "registered"
    illegal = move(client, case, action="close")
    assert illegal.status_code == 409 and illegal.json()["detail"]
    other = login("street_staff_2")
    assert other.get(f"/api/v1/cases/{case.pk}").status_code == 404
    assert move(other, case, action="dispatch").status_code == 404
    assert case.pk not in {c["id"] for c in other.get("/api/v1/cases").json()["items"]}
