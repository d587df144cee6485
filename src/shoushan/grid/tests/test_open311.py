"""GeoReport v2 as a client sees it."""

from django.test import Client

from shoushan.core.coordinates import wgs84_to_gcj02
from shoushan.grid.models import Case

KEY = "shoushan-demo-key"
POINT = {"lat": "39.9215538", "long": "116.4069014"}


def submit(client=None, **fields):
    data = {"api_key": KEY, "service_code": "E0102", "description": "暴露垃圾", **POINT, **fields}
    return (client or Client()).post("/open311/v2/requests.json", data)


def test_discovery_and_services(demo_city):
    client = Client()
    discovery = client.get("/open311/v2/discovery.json").json()
    assert discovery["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    services = client.get("/open311/v2/services.json").json()
    codes = {s["service_code"] for s in services}
    assert {"E0102", "C0101", "R0101"} <= codes
    assert all({"service_name", "metadata", "type", "group"} <= set(s) for s in services)
    definition = client.get("/open311/v2/services/E0102.json").json()
    assert definition["service_code"] == "E0102" and definition["attributes"] == []
    assert client.get("/open311/v2/services/NOPE.json").status_code == 404


def test_submit_then_read_by_id_token_and_filters(demo_city):
    created = submit(email="a@example.com", first_name="三", last_name="张")
    assert created.status_code == 201
    [receipt] = created.json()
    request_id, token = receipt["service_request_id"], receipt["token"]
    client = Client()
    [one] = client.get(f"/open311/v2/requests/{request_id}.json").json()
    assert one["status"] == "open" and one["service_code"] == "E0102"
    assert float(one["lat"]) == float(POINT["lat"])
    assert "extended_attributes" not in one
    [extended] = client.get(
        f"/open311/v2/requests/{request_id}.json", {"extensions": "true"}
    ).json()
    attrs = extended["extended_attributes"]
    assert attrs["community_code"] == "110101001001" and attrs["street_code"] == "110101001000"
    assert attrs["grid_code"].startswith("110101001001") and attrs["stage"] == "reported"
    assert client.get(f"/open311/v2/tokens/{token}.json").json() == [
        {"service_request_id": request_id, "token": token}
    ]
    listed = client.get(
        "/open311/v2/requests.json", {"service_code": "E0102", "status": "open"}
    ).json()
    assert request_id in {r["service_request_id"] for r in listed}
    assert client.get("/open311/v2/requests.json", {"status": "closed"}).json() == [] or all(
        r["status"] == "closed"
        for r in client.get("/open311/v2/requests.json", {"status": "closed"}).json()
    )
    case = Case.objects.get(token=token)
    assert case.channel == "open311" and case.reporter_email == "a@example.com"


def test_gcj02_is_accepted_with_a_parameter(demo_city):
    lon, lat = wgs84_to_gcj02(116.4069014, 39.9215538)
    [receipt] = submit(lat=str(lat), long=str(lon), crs="gcj02").json()
    case = Case.objects.get(token=receipt["token"])
    assert case.community_id == "110101001001"


def test_errors_are_400s_in_the_spec_format_and_create_nothing(demo_city):
    before = Case.objects.count()
    for fields, status in [
        ({"api_key": "wrong"}, 403),
        ({"service_code": "NOPE"}, 400),
        ({"lat": "31.23", "long": "121.47"}, 400),  # Shanghai: outside the city
        ({"lat": "north", "long": "east"}, 400),
        ({"lat": "", "long": ""}, 400),
    ]:
        response = submit(**fields)
        assert response.status_code == status, fields
        [error] = response.json()
        assert error["code"] == status and error["description"]
    assert Case.objects.count() == before


def test_an_idempotency_key_makes_a_retry_return_the_first_request(demo_city):
    client = Client(HTTP_IDEMPOTENCY_KEY="retry-42")
    first = submit(client).json()[0]["service_request_id"]
    second = submit(client).json()[0]["service_request_id"]
    assert first == second
    assert Case.objects.filter(idempotency_key__endswith=":retry-42").count() == 1


def test_unknown_ids_and_bad_dates(demo_city):
    client = Client()
    assert client.get("/open311/v2/requests/20000101-999999.json").status_code == 404
    assert client.get("/open311/v2/tokens/nope.json").status_code == 404
    assert client.get("/open311/v2/requests.json", {"start_date": "yesterday"}).status_code == 400


def test_city_administrators_create_and_revoke_keys_in_the_ui(login, demo_city):
    import re

    admin = login("city_admin")
    created = admin.post("/grid/open311-keys/", {"name": "区数据中心"})
    page = admin.get(created["Location"]).content.decode()
    key = re.search(r'id="new-key">([\w-]+)<', page).group(1)
    assert submit(api_key=key).status_code == 201
    from shoushan.grid.models import Open311Key

    record = Open311Key.objects.get(name="区数据中心")
    admin.post(f"/grid/open311-keys/{record.pk}/revoke/")
    assert submit(api_key=key).status_code == 403
    assert login("street_staff").get("/grid/open311-keys/").status_code == 403
