"""What a person may not do outside their area (found by a security review)."""

import json

import pytest
from django.test import Client
from shapely.geometry import box, mapping

from shoushan.core.errors import Forbidden, InvalidInput
from shoushan.grid.cases.services import case_move, case_return_visit_record
from shoushan.grid.intake.hotline import hotline_orders_import, hotline_rows_read
from shoushan.grid.models import Case, Grid, Unit
from shoushan.grid.registry.services import grids_import
from shoushan.grid.tests.helpers import report


def test_a_district_cannot_import_another_districts_grids(user, demo_city):
    xicheng = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "110102001004901"},
                "geometry": mapping(box(116.30, 39.90, 116.301, 39.901)),
            }
        ],
    }
    with pytest.raises(InvalidInput):
        grids_import(actor=user("district_admin"), collection=xicheng, layer="unit")
    assert not Grid.objects.filter(code="110102001004901").exists()


def test_open311_shows_only_what_open311_clients_submitted(demo_city):
    patrol, _ = report(channel="resident", description="张三 13800138000 反映")
    listed = Client().get("/open311/v2/requests.json").json()
    assert patrol.number not in {r["service_request_id"] for r in listed}
    assert Client().get(f"/open311/v2/requests/{patrol.number}.json").status_code == 404


def test_a_street_cannot_import_work_orders_of_another_street(user, demo_city):
    content = (
        "工单编号,受理时间,诉求类别,诉求内容,社区编码\n"
        "X9,2026-11-02 09:15,R0101,噪音,110101001001\n"
    )
    with pytest.raises(InvalidInput):
        hotline_orders_import(
            actor=user("street_staff_2"), rows=hotline_rows_read("o.csv", content.encode())
        )
    assert not Case.objects.filter(external_id="X9").exists()


def test_a_case_is_dispatched_only_to_a_unit_of_its_place(user, demo_city):
    case, _ = report()
    case_move(actor=user("street_staff"), case_id=case.pk, action="register")
    xicheng_office = Unit.objects.filter(region__code__startswith="110102", kind="street").first()
    with pytest.raises(InvalidInput):
        case_move(
            actor=user("street_staff"),
            case_id=case.pk,
            action="dispatch",
            unit_id=xicheng_office.pk,
        )


def test_only_dispatching_staff_record_return_visits(user, demo_city):
    case, _ = report()
    for username, action, extra in [
        ("street_staff", "register", {}),
        ("street_staff", "dispatch", {}),
        ("street_staff", "accept", {}),
        ("street_staff", "handle", {"note": "已处理"}),
        ("grid_worker", "verify", {}),
        ("street_staff", "close", {}),
    ]:
        case_move(actor=user(username), case_id=case.pk, action=action, **extra)
    with pytest.raises(Forbidden):
        case_return_visit_record(
            actor=user("department_handler"),
            case_id=case.pk,
            resolved=True,
            satisfaction="satisfied",
        )
    assert not case.return_visits.exists()


def test_patrol_reports_come_from_staff_in_their_own_area(user, demo_city):
    with pytest.raises(Forbidden):
        report(channel="patrol", actor=user("resident"))
    with pytest.raises(Forbidden):
        report(channel="patrol", actor=user("street_staff_2"))  # 多福巷 is not 景山's
    case, _ = report(channel="patrol", actor=user("grid_worker"))
    assert case.channel == "patrol"
    assert json.loads(json.dumps(case.number))


def test_a_case_is_never_sent_to_a_unit_with_nobody_to_act(user, demo_city, login):
    """The default dispatch once sent cases to a unit no account belonged to: nobody saw them."""
    case, _ = report()
    case_move(actor=user("street_staff"), case_id=case.pk, action="register")
    office = Unit.objects.get(region_id=case.street_id, kind="street")
    office.members.clear()
    with pytest.raises(InvalidInput, match=office.name):
        case_move(actor=user("street_staff"), case_id=case.pk, action="dispatch")
    case.refresh_from_db()
    assert case.stage == "registered" and case.unit is None and case.events.count() == 2
    page = login("street_staff").get(f"/grid/cases/{case.pk}/").content.decode()
    assert f"{office.name}</option>" not in page  # offered only as "no account to act"
    assert "（无人办理）" in page or "(no account to act)" in page


def test_the_number_to_call_is_read_by_a_dispatcher_in_scope_with_a_reason(user, demo_city):
    from shoushan.audit.models import AuditRecord
    from shoushan.core.errors import NotFound
    from shoushan.grid.cases.services import case_reporter_phone_for_call

    case, _ = report(channel="resident", reporter_phone="13800001234")
    call = {"case_id": case.pk, "reason": "回访"}
    assert case_reporter_phone_for_call(actor=user("street_staff"), **call) == "13800001234"
    with pytest.raises(NotFound):
        case_reporter_phone_for_call(actor=user("street_staff_2"), **call)
    with pytest.raises(Forbidden):
        case_reporter_phone_for_call(actor=user("grid_worker"), **call)
    with pytest.raises(InvalidInput):
        case_reporter_phone_for_call(actor=user("street_staff"), case_id=case.pk, reason=" ")
    read = AuditRecord.objects.filter(action="case.reporter_phone_read")
    assert read.count() == 1 and read.get().changes["reason"] == "回访"
