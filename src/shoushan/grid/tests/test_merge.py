"""Merging duplicates: every reporter kept with their contact and their own return visit, both
histories telling it, refusals that change nothing, and the page and API a dispatcher uses."""

import json

import pytest
from django.test import Client
from django.utils import translation

from shoushan.accounts.models import User
from shoushan.audit.models import AuditRecord
from shoushan.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from shoushan.grid.cases.assessment import case_counts
from shoushan.grid.cases.merge import case_merge
from shoushan.grid.cases.selectors import case_reporters
from shoushan.grid.cases.services import case_move, case_return_visit_record
from shoushan.grid.models import Case, CaseReporter
from shoushan.grid.registry.selectors import department_unit
from shoushan.grid.tests.helpers import DUOFUXIANG, report

LON, LAT = DUOFUXIANG


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def staff(username="street_staff"):
    return User.objects.get(username=username)


def three_reports():
    """The same rubbish reported three times by three people, on three channels."""
    first, _c = report(
        description="胡同口有一堆暴露垃圾，好几天没人清理，味道很大",
        reporter_name="王小明",
        reporter_phone="13812345678",
    )
    second, _c = report(
        channel="hotline",
        external_id="GD20261127001",
        description="胡同口暴露垃圾好几天没人清理了",
        lat=LAT + 0.0004,
        reporter_name="李华",
        reporter_phone="13900001111",
    )
    third, _c = report(
        channel="open311",
        description="胡同口的垃圾没人清理",
        reporter_name="赵敏",
        reporter_email="zhao@example.cn",
    )
    return first, second, third


def walk_to_closed(case):
    unit = department_unit(district_code="110101000000", department="区城市管理委员会")
    steps = [
        ("street_staff", "register", {}),
        ("street_staff", "dispatch", {"unit_id": unit.pk}),
        ("department_handler", "accept", {}),
        ("department_handler", "handle", {"note": "已清运"}),
        ("grid_worker", "verify", {}),
        ("street_staff", "close", {}),
    ]
    for username, action, extra in steps:
        case = case_move(actor=staff(username), case_id=case.pk, action=action, **extra)
    return case


def test_merging_keeps_every_reporter_and_each_gets_a_return_visit(demo_city):
    first, second, third = three_reports()
    # a chain: the third into the second, then the second (with the third's reporter) into the first
    case_merge(actor=staff(), case_id=third.pk, into_id=second.pk, note="同一处垃圾")
    kept = case_merge(actor=staff(), case_id=second.pk, into_id=first.pk)
    assert kept.pk == first.pk and kept.stage == "reported"
    for duplicate in (second, third):
        duplicate.refresh_from_db()
        assert duplicate.stage == "merged" and not duplicate.is_open
    assert Case.objects.get(pk=second.pk).merged_into_id == first.pk
    reporters = CaseReporter.objects.filter(case=first).order_by("reported_at")
    assert [(r.name, r.phone, r.email, r.channel) for r in reporters] == [
        ("李华", "13900001111", "", "hotline"),
        ("赵敏", "", "zhao@example.cn", "open311"),
    ]
    assert reporters[0].external_id == "GD20261127001" and reporters[0].merged_case_id == second.pk
    # the kept case's history names both merges; the duplicate's says where it went
    merges = list(first.events.filter(action="merge").values_list("data", flat=True))
    assert merges == [
        {"merged": second.number, "channel": "hotline", "reporter": "李*", "reporters_added": 2}
    ]
    into = second.events.get(action="merge", to_stage="merged")
    assert (into.from_stage, into.to_stage, into.data) == (
        "reported",
        "merged",
        {"into": first.number},
    )
    assert third.events.get(action="merge").note == "同一处垃圾"
    assert AuditRecord.objects.filter(action="case.merge").count() == 4
    # closed once, the case is visited once per reporter
    walk_to_closed(first)
    rows = case_reporters(staff(), first)
    assert [r["name"] for r in rows] == ["王**", "李*", "赵*"]  # masked without the permission
    assert [r["case"].pk for r in rows] == [first.pk, second.pk, third.pk]
    for reporter in [None, *reporters]:
        case_return_visit_record(
            actor=staff(),
            case_id=first.pk,
            resolved=True,
            satisfaction="satisfied",
            reporter_id=reporter.pk if reporter else None,
        )
    assert [len(r["visits"]) for r in case_reporters(staff(), first)] == [1, 1, 1]


def test_refusals_change_nothing(demo_city):
    first, second, third = three_reports()
    before = list(Case.objects.order_by("pk").values_list("pk", "stage", "merged_into"))
    with pytest.raises(InvalidInput):
        case_merge(actor=staff(), case_id=first.pk, into_id=first.pk)
    with pytest.raises(NotFound):  # outside the other street's scope: as if it did not exist
        case_merge(actor=staff("street_staff_2"), case_id=second.pk, into_id=first.pk)
    with pytest.raises(NotFound):
        case_merge(actor=staff(), case_id=second.pk, into_id=10**9)
    with pytest.raises(Forbidden):
        case_merge(actor=staff("grid_worker"), case_id=second.pk, into_id=first.pk)
    with pytest.raises(InvalidInput):  # a merge is not a plain move
        case_move(actor=staff(), case_id=second.pk, action="merge")
    closed = walk_to_closed(third)
    with pytest.raises(Conflict):  # a closed case is no duplicate to merge…
        case_merge(actor=staff(), case_id=closed.pk, into_id=first.pk)
    with pytest.raises(Conflict):  # …nor a case to merge into
        case_merge(actor=staff(), case_id=second.pk, into_id=closed.pk)
    case_merge(actor=staff(), case_id=second.pk, into_id=first.pk)
    with pytest.raises(Conflict):  # merged once is merged
        case_merge(actor=staff(), case_id=second.pk, into_id=first.pk)
    with pytest.raises(InvalidInput):  # a return visit names one of the case's reporters
        case_return_visit_record(
            actor=staff(), case_id=closed.pk, resolved=True, satisfaction="satisfied", reporter_id=1
        )
    after = {
        pk: (stage, into)
        for pk, stage, into in Case.objects.values_list("pk", "stage", "merged_into")
    }
    assert after[second.pk] == ("merged", first.pk)
    assert all(after[pk][1] is None for pk, *_rest in before if pk != second.pk)


def test_a_merged_duplicate_counts_as_received_only(demo_city, fixed_now):
    """The reports' day is pinned: the window below is that day's, which at another hour of the
    real clock could leave some of them out."""
    first, second, _third = three_reports()
    case_move(actor=staff(), case_id=second.pk, action="register")
    case_merge(actor=staff(), case_id=second.pk, into_id=first.pk)
    counts = case_counts(
        first.reported_at.replace(hour=0, minute=0), second.reported_at.replace(hour=23)
    )
    street = counts[first.street_id]
    assert street["received"] == 3 and street["registered"] == 0


def test_the_dispatcher_merges_from_the_duplicates_page(demo_city, login):
    first, second, _third = three_reports()
    client = login("street_staff")
    page = client.get(f"/grid/cases/{first.pk}/duplicates/").content.decode()
    assert f'action="/grid/cases/{second.pk}/merge/"' in page  # merge it into this case
    assert f'action="/grid/cases/{first.pk}/merge/"' in page  # or this case into it
    answer = client.post(f"/grid/cases/{second.pk}/merge/", {"into": first.pk})
    assert answer.status_code == 302 and answer["Location"] == f"/grid/cases/{first.pk}/"
    detail = client.get(f"/grid/cases/{first.pk}/").content.decode()
    assert "李*" in detail and "13900001111" not in detail and second.number in detail
    merged = client.get(f"/grid/cases/{second.pk}/").content.decode()
    assert first.number in merged
    assert (
        login("street_staff_2")
        .post(f"/grid/cases/{first.pk}/merge/", {"into": second.pk})
        .status_code
        == 404
    )


def test_the_api_lists_duplicates_and_merges(demo_city, login):
    first, second, third = three_reports()
    client = login("street_staff")
    found = client.get(f"/api/v1/cases/{first.pk}/duplicates").json()
    assert {d["id"] for d in found} == {second.pk, third.pk}
    assert all(0.3 <= d["similarity"] <= 1 for d in found)

    def merge(who, case, into):
        return who.post(
            f"/api/v1/cases/{case.pk}/merge",
            json.dumps({"into": into.pk, "note": "重复"}),
            content_type="application/json",
        )

    answer = merge(client, second, first)
    assert answer.status_code == 200 and answer.json()["id"] == first.pk
    assert client.get(f"/api/v1/cases/{second.pk}").json()["merged_into"] == first.pk
    assert merge(client, second, first).status_code == 409
    assert merge(login("street_staff_2"), third, first).status_code == 404
    assert login("street_staff_2").get(f"/api/v1/cases/{first.pk}/duplicates").status_code == 404


def test_an_open311_client_sees_its_merged_request_closed_and_where_it_went(demo_city):
    from shoushan.grid.tests.test_open311 import submit

    first, _second, _third = three_reports()
    answer = submit(description="胡同口暴露垃圾好几天没人清理了").json()[0]
    case = Case.objects.get(token=answer["token"])
    case_merge(actor=staff(), case_id=case.pk, into_id=first.pk)
    [request] = Client().get(f"/open311/v2/requests/{answer['service_request_id']}.json").json()
    assert request["status"] == "closed"
    assert request["status_notes"] == f"merged into {first.number}"
