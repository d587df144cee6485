"""GeoReport v2 as its specification words it (http://wiki.open311.org/GeoReport_v2), and
FixMyStreet's `servicerequestupdates` as mySociety's Open311 extensions word it — checked against
those texts, not against our own output:

- every method takes the format as the URL's suffix, `.xml` or `.json`; XML is UTF-8 with the XML
  declaration;
- discovery: `discovery` > `changeset`, `contact`, `key_service`, `endpoints` > `endpoint` >
  `specification`, `url`, `changeset`, `type`, `formats` > `format`;
- service list: `services` > `service` > `service_code`, `service_name`, `description`,
  `metadata` (true/false), `type` (realtime, batch or blackbox), `keywords`, `group`;
- service definition: `service_definition` > `service_code`, `attributes` > `attribute` >
  `variable`, `code`, `datatype` (string, number, datetime, text, singlevaluelist,
  multivaluelist), `required`, `datatype_description`, `order`, `description`, `values` >
  `value` > `key`, `name`;
- POST service request: `service_requests` > `request` > `service_request_id` (or `token`),
  `service_notice`, `account_id`; attributes sent as `attribute[code]`;
- GET service requests / request: `service_requests` > `request` > `service_request_id`,
  `status` (open/closed), `status_notes`, `service_name`, `service_code`, `description`,
  `agency_responsible`, `service_notice`, `requested_datetime`, `updated_datetime`,
  `expected_datetime`, `address`, `address_id`, `zipcode`, `lat`, `long`, `media_url`; date-times
  ISO 8601 with their offset; where a request has a position, GeoRSS's `georss:point`
  ("latitude longitude") as well;
- request id from token: `service_requests` > `request` > `service_request_id`, `token`;
- errors: `errors` > `error` > `code`, `description`, with the HTTP status (400, 403, 404);
- `jurisdiction_id`: a jurisdiction the endpoint does not serve is an error;
- FixMyStreet updates: `service_request_updates` > `request_update` > `update_id`,
  `service_request_id`, `status` (OPEN, INVESTIGATING, IN_PROGRESS, ACTION_SCHEDULED, FIXED,
  CLOSED, DUPLICATE, NOT_COUNCILS_RESPONSIBILITY, NO_FURTHER_ACTION, INTERNAL_REFERRAL),
  `updated_datetime`, `description`, `media_url`.
"""

from datetime import datetime
from xml.etree import ElementTree

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from shoushan.grid.cases.services import case_move
from shoushan.grid.models import Case
from shoushan.grid.registry.selectors import department_unit

pytestmark = pytest.mark.usefixtures("demo_city", "fixed_now")  # deadlines, windows

KEY = "shoushan-demo-key"
POINT = {"lat": "39.9215538", "long": "116.4069014"}  # 东华门街道
BASE = "/open311/v2"
REQUEST_FIELDS = [
    "service_request_id", "status", "status_notes", "service_name", "service_code",
    "description", "agency_responsible", "service_notice", "requested_datetime",
    "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long",
    "media_url",
]  # fmt: skip
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}
FMS_STATUSES = {
    "OPEN", "INVESTIGATING", "IN_PROGRESS", "ACTION_SCHEDULED", "FIXED", "CLOSED", "DUPLICATE",
    "NOT_COUNCILS_RESPONSIBILITY", "NO_FURTHER_ACTION", "INTERNAL_REFERRAL",
}  # fmt: skip
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def xml(response) -> ElementTree.Element:
    """The body as the spec's XML: declared, UTF-8, never HTML."""
    assert response["Content-Type"].startswith("text/xml"), response["Content-Type"]
    body = response.content
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>'), body[:60]
    return ElementTree.fromstring(body)


def children(element: ElementTree.Element) -> list[str]:
    return [child.tag for child in element]


def iso(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    assert moment.tzinfo is not None, text  # ISO 8601 with its offset
    return moment


def post(fmt: str, client=None, **fields):
    data = {"api_key": KEY, "service_code": "C0101", "description": "井盖不见了", **POINT}
    data.update(fields)
    return (client or Client()).post(f"{BASE}/requests.{fmt}", data)


def test_discovery_and_the_service_list_in_xml_and_json():
    client = Client()
    root = xml(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert {"changeset", "contact", "key_service", "endpoints"} <= set(children(root))
    endpoint = root.find("endpoints/endpoint")
    assert {"specification", "url", "changeset", "type", "formats"} <= set(children(endpoint))
    assert {f.text for f in endpoint.findall("formats/format")} == {"text/xml", "application/json"}
    assert client.get(f"{BASE}/discovery.json").json()["endpoints"][0]["formats"]

    root = xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    services = root.findall("service")
    assert services and all(s.tag == "service" for s in root)
    for service in services:
        assert children(service) == [
            "service_code", "service_name", "description", "metadata", "type", "keywords", "group",
        ]  # fmt: skip
        assert service.findtext("metadata") in {"true", "false"}
        assert service.findtext("type") in {"realtime", "batch", "blackbox"}
    by_code = {s.findtext("service_code"): s for s in services}
    assert by_code["C0101"].findtext("metadata") == "true"  # a manhole cover asks more
    assert by_code["E0102"].findtext("metadata") == "false"
    listed = {s["service_code"]: s for s in client.get(f"{BASE}/services.json").json()}
    assert listed["C0101"]["metadata"] is True


def test_a_service_definition_lists_its_attributes_in_both_formats():
    client = Client()
    root = xml(client.get(f"{BASE}/services/C0109.xml"))  # 路灯
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "C0109"
    attributes = root.findall("attributes/attribute")
    assert [a.findtext("code") for a in attributes] == ["pole_number", "problem"]
    for attribute in attributes:
        assert children(attribute)[:7] == [
            "variable", "code", "datatype", "required", "datatype_description", "order",
            "description",
        ]  # fmt: skip
        assert attribute.findtext("datatype") in DATATYPES
        assert attribute.findtext("required") in {"true", "false"}
        assert attribute.findtext("order").isdigit()
    problem = attributes[1]
    assert problem.findtext("required") == "true"
    values = problem.findall("values/value")
    assert values and all(children(v) == ["key", "name"] for v in values)
    definition = client.get(f"{BASE}/services/C0109.json").json()
    assert [a["code"] for a in definition["attributes"]] == ["pole_number", "problem"]
    assert definition["attributes"][1]["required"] is True


def test_a_request_with_an_attribute_is_posted_read_back_and_followed_to_closure(user):
    client = Client()
    refused = post("xml", **{"attribute[problem]": "sinking"})  # not one of the values
    assert refused.status_code == 400
    error = xml(refused).find("error")
    assert error.findtext("code") == "400" and "problem" in error.findtext("description")
    missing = post("xml")  # the attribute is required
    assert missing.status_code == 400 and xml(missing).tag == "errors"

    created = post("xml", client, **{"attribute[problem]": "missing"})
    assert created.status_code == 201
    receipt = xml(created)
    assert receipt.tag == "service_requests"
    request_id = receipt.findtext("request/service_request_id")
    token = receipt.findtext("request/token")
    assert request_id and token
    assert receipt.find("request/service_notice") is not None
    assert receipt.find("request/account_id") is not None
    case = Case.objects.get(token=token)
    assert "丢失" in case.description  # the attribute, as the staff read it

    root = xml(client.get(f"{BASE}/requests/{request_id}.xml"))
    assert root.tag == "service_requests"
    [request] = root.findall("request")
    assert children(request) == [*REQUEST_FIELDS, "{http://www.georss.org/georss}point"]
    lat, lon = (float(v) for v in request.findtext("{http://www.georss.org/georss}point").split())
    assert (lat, lon) == (float(request.findtext("lat")), float(request.findtext("long")))
    assert (
        b'xmlns:georss="http://www.georss.org/georss"'
        in client.get(f"{BASE}/requests/{request_id}.xml").content
    )
    assert request.findtext("service_request_id") == request_id
    assert request.findtext("status") == "open"
    assert request.findtext("address")  # none given: the region it was placed in
    iso(request.findtext("requested_datetime"))
    iso(request.findtext("updated_datetime"))
    found = xml(client.get(f"{BASE}/tokens/{token}.xml"))
    assert children(found.find("request")) == ["service_request_id", "token"]
    assert client.get(f"{BASE}/tokens/{token}.json").json()[0]["service_request_id"] == request_id

    since = iso(request.findtext("requested_datetime")).isoformat()
    photo = SimpleUploadedFile("done.jpg", JPEG, content_type="image/jpeg")
    unit = department_unit(district_code="110101000000", department="区城市管理委员会")
    for username, action, extra in [
        ("street_staff", "register", {}),
        ("street_staff", "dispatch", {"unit_id": unit.pk}),
        ("department_handler", "accept", {}),
        ("department_handler", "handle", {"note": "井盖已补装", "photos": [photo]}),
        ("grid_worker", "verify", {}),
        ("street_staff", "close", {}),
    ]:
        case_move(actor=user(username), case_id=case.pk, action=action, **extra)

    updates = xml(client.get(f"{BASE}/servicerequestupdates.xml", {"start_date": since}))
    assert updates.tag == "service_request_updates"
    mine = [
        u
        for u in updates.findall("request_update")
        if u.findtext("service_request_id") == request_id
    ]
    assert len(mine) >= 6
    for update in mine:
        assert children(update)[:6] == [
            "update_id", "service_request_id", "status", "updated_datetime", "description",
            "media_url",
        ]  # fmt: skip
        assert update.findtext("status") in FMS_STATUSES
        iso(update.findtext("updated_datetime"))
    assert mine[-1].findtext("status") == "FIXED"
    handled = next(u for u in mine if u.findtext("description") == "井盖已补装")
    media = handled.findtext("media_url")
    assert media.startswith("http")
    photo_response = client.get(media.split("testserver", 1)[1])
    assert photo_response.status_code == 200
    json_updates = client.get(f"{BASE}/servicerequestupdates.json", {"start_date": since}).json()
    assert json_updates[-1]["status"] == "FIXED" or any(
        u["status"] == "FIXED" for u in json_updates
    )
    closed = xml(client.get(f"{BASE}/requests/{request_id}.xml")).find("request")
    assert closed.findtext("status") == "closed" and closed.findtext("media_url") == media


def test_errors_are_the_specs_in_the_format_asked_and_never_html():
    client = Client()
    for url, status in [
        (f"{BASE}/services/NOPE.xml", 404),
        (f"{BASE}/requests/20000101-999999.xml", 404),
        (f"{BASE}/tokens/nope.xml", 404),
        (f"{BASE}/nothing-here.xml", 404),
        (f"{BASE}/services.xml?jurisdiction_id=shanghai", 404),
        (f"{BASE}/requests.xml?start_date=yesterday", 400),
    ]:
        response = client.get(url)
        assert response.status_code == status, url
        root = xml(response)
        assert root.tag == "errors"
        [error] = root.findall("error")
        assert children(error) == ["code", "description"]
        assert error.findtext("code") == str(status) and error.findtext("description")
        as_json = client.get(url.replace(".xml", ".json"))
        assert as_json.status_code == status
        assert as_json["Content-Type"].startswith("application/json")
        assert as_json.json()[0]["code"] == status
    forbidden = post("xml", api_key="wrong")
    assert forbidden.status_code == 403 and xml(forbidden).findtext("error/code") == "403"
    assert post("json", api_key="wrong").json()[0]["code"] == 403
    wrong_method = client.delete(f"{BASE}/services.xml")
    assert wrong_method.status_code == 405 and xml(wrong_method).tag == "errors"


def test_a_jurisdiction_is_the_city_or_one_of_its_districts():
    client = Client()
    post("json", **{"attribute[problem]": "broken"})  # in 东城区
    assert xml(client.get(f"{BASE}/services.xml?jurisdiction_id=110000000000")).tag == "services"
    dongcheng = client.get(f"{BASE}/requests.json", {"jurisdiction_id": "110101000000"}).json()
    xicheng = client.get(f"{BASE}/requests.json", {"jurisdiction_id": "110102000000"}).json()
    assert dongcheng and all(r["address_id"].startswith("110101") for r in dongcheng)
    assert not {r["service_request_id"] for r in dongcheng} & {
        r["service_request_id"] for r in xicheng
    }
    refused = post("xml", jurisdiction_id="310000000000", **{"attribute[problem]": "broken"})
    assert refused.status_code == 404 and xml(refused).tag == "errors"


def test_a_json_client_does_the_same(user):
    client = Client()
    assert client.get(f"{BASE}/services/C0101.json").json()["attributes"][0]["code"] == "problem"
    [receipt] = post("json", client, **{"attribute[problem]": "displaced"}).json()
    request_id = receipt["service_request_id"]
    [request] = client.get(f"{BASE}/requests/{request_id}.json").json()
    assert list(request) == REQUEST_FIELDS
    assert request["status"] == "open" and request["address"]
    iso(request["requested_datetime"])
    case = Case.objects.get(token=receipt["token"])
    case_move(actor=user("street_staff"), case_id=case.pk, action="reject", note="不属于受理范围")
    updates = client.get(
        f"{BASE}/servicerequestupdates.json", {"start_date": request["requested_datetime"]}
    ).json()
    mine = [u for u in updates if u["service_request_id"] == request_id]
    assert mine[-1]["status"] == "NO_FURTHER_ACTION"
    assert mine[-1]["description"] == "不属于受理范围"
    assert post("json", api_key="nope").status_code == 403
