"""The cockpit through its API: a region outside the caller's scope is not found; the city sets a
target and the tile turns red; a review meeting puts the red tiles on its agenda and an action on
one becomes a key task linked to the tile and the meeting."""

import pytest

from shoushan.cockpit.models import KeyTask
from shoushan.cockpit.tiles import TILES

pytestmark = pytest.mark.usefixtures("demo_city", "fixed_now")

DONGCHENG, XICHENG = "110101000000", "110102000000"


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_the_board_is_the_callers_region_and_no_other(login):
    district = login("district_admin")
    board = district.get("/api/v1/cockpit/tiles").json()
    assert board["region_code"] == DONGCHENG
    assert all(t["definition"]["formula"] for t in board["tiles"])
    assert district.get(f"/api/v1/cockpit/tiles?region_code={XICHENG}").status_code == 404
    assert district.get("/api/v1/cockpit/tiles?region_code=110000000000").status_code == 404
    assert district.get(f"/api/v1/cockpit/tiles/nothing?region_code={DONGCHENG}").status_code == 404
    assert login("resident").get("/api/v1/cockpit/tiles").status_code == 403
    drill = district.get("/api/v1/cockpit/tiles/workers").json()
    assert sum(c["numerator"] for c in drill["children"]) == drill["tile"]["numerator"]


def test_a_red_tile_goes_on_the_meetings_agenda_and_becomes_a_task(login):
    city, district = login("city_admin"), login("district_admin")
    refused = district.put(
        "/api/v1/cockpit/targets/workers_certified",
        {"target": 100, "amber": 0},
        content_type="application/json",
    )
    assert refused.status_code == 403
    set_ = city.put(
        "/api/v1/cockpit/targets/workers_certified",
        {"target": 100, "amber": 0},
        content_type="application/json",
    )
    assert set_.status_code == 200
    tiles = {t["key"]: t for t in district.get("/api/v1/cockpit/tiles").json()["tiles"]}
    assert tiles["workers_certified"]["status"] == "red"
    assert "100" in tiles["workers_certified"]["rule"]
    alerts = district.get("/api/v1/cockpit/alerts").json()
    assert any(a["tile"] == "workers_certified" and a["kind"] == "threshold" for a in alerts)

    meeting = _post(
        district,
        "/api/v1/cockpit/meetings",
        {"region_code": DONGCHENG, "title": "东城区季度调度会", "held_on": "2026-12-04"},
    )
    assert meeting.status_code == 201, meeting.content
    agenda = {item["tile"] for item in meeting.json()["agenda"]}
    assert "workers_certified" in agenda
    meeting_id = meeting.json()["id"]
    action = {
        "tile": "workers_certified",
        "title": "社工持证率提升",
        "lead_code": "110101001000",
        "deadline": "2026-12-31",
    }
    made = _post(district, f"/api/v1/cockpit/meetings/{meeting_id}/actions", action)
    assert made.status_code == 201, made.content
    task = KeyTask.objects.get(pk=made.json()["id"])
    assert task.meeting_id == meeting_id and task.indicators == ["workers_certified"]
    assert task.assigning_code == DONGCHENG
    off_agenda = _post(
        district,
        f"/api/v1/cockpit/meetings/{meeting_id}/actions",
        {**action, "tile": "volunteers"} if "volunteers" not in agenda else {**action, "tile": "x"},
    )
    assert off_agenda.status_code == 422
    other = _post(
        login("street_staff_2"),
        f"/api/v1/cockpit/meetings/{meeting_id}/actions",
        action,
    )
    assert other.status_code == 404  # a meeting of another region is not found


@pytest.mark.parametrize("tile", TILES, ids=lambda t: t.key)
def test_every_tile_leads_to_the_records_behind_it(tile, login):
    city = login("city_admin")
    region = DONGCHENG if "district" in tile.levels else "110000000000"
    page = city.get(f"/cockpit/tiles/{tile.key}/?region_code={region}")
    assert page.status_code == 200
    records = page.context["records_url"]
    assert city.get(records).status_code == 200, records
    if tile.records_param:
        assert region in records
