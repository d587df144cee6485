from datetime import date

from shoushan.audit.models import AuditRecord
from shoushan.grid.cases.services import case_move
from shoushan.grid.models import CalendarDay, Category
from shoushan.grid.registry.selectors import department_unit
from shoushan.grid.tests.helpers import report


def test_a_city_administrator_edits_a_category_and_the_change_is_audited(login, demo_city):
    category = Category.objects.get(code="E0102")
    admin = login("city_admin")
    response = admin.post(
        f"/grid/rules/categories/{category.pk}/",
        {
            "filing_standard": "新标准",
            "closing_standard": category.closing_standard,
            "time_limit": "3",
            "time_limit_unit": "working_days",
            "default_department": category.default_department,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    category.refresh_from_db()
    assert category.time_limit == 3 and category.filing_standard == "新标准"
    record = AuditRecord.objects.get(action="category.update", object_id=str(category.pk))
    assert record.changes["filing_standard"][1] == "新标准"
    assert login("street_staff").get(f"/grid/rules/categories/{category.pk}/").status_code == 403


def test_calendar_days_are_added_and_removed(login, demo_city):
    admin = login("city_admin")
    admin.post(
        "/grid/rules/",
        {"what": "calendar", "date": "2027-01-01", "kind": "holiday", "note": "元旦"},
    )
    day = CalendarDay.objects.get(date=date(2027, 1, 1))
    assert day.kind == "holiday"
    admin.post("/grid/rules/", {"what": "calendar_delete", "id": day.pk})
    assert not CalendarDay.objects.filter(date=date(2027, 1, 1)).exists()
    page = admin.get("/grid/rules/", {"year": 2025}).content.decode()
    assert "2025-01-28" in page


def test_a_routing_rule_overrides_the_locality(login, user, demo_city):
    unit = department_unit(district_code="110101000000", department="区城市管理委员会")
    admin = login("city_admin")
    admin.post(
        "/grid/rules/",
        {"what": "routing", "region_code": "110101000000", "category_code": "E01", "unit": unit.pk},
    )
    case, _ = report()
    case = case_move(actor=user("street_staff"), case_id=case.pk, action="register")
    case = case_move(actor=user("street_staff"), case_id=case.pk, action="dispatch")
    assert case.unit == unit  # the major class's rule in the district beats the street office
    bad = admin.post(
        "/grid/rules/",
        {"what": "routing", "region_code": "999", "category_code": "E01", "unit": unit.pk},
    )
    assert bad.status_code == 302
