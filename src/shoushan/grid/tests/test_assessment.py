from datetime import date

import pytest

from shoushan.core.tests.clock import moment
from shoushan.grid.cases.assessment import rates_from_counts, street_ranking
from shoushan.grid.cases.services import case_move, case_return_visit_record
from shoushan.grid.models import Case
from shoushan.grid.tests.helpers import report


def test_rates_and_composite_follow_their_definitions():
    counts = {
        "dispatched": 10,
        "responded_on_time": 8,
        "visits": 4,
        "visits_resolved": 3,
        "visits_satisfied": 2,
        "registered": 10,
        "closed": 5,
        "closed_on_time": 4,
        "handled": 6,
        "reworked": 3,
        "extended": 1,
    }
    rates, composite = rates_from_counts(
        counts, {"response_rate": 1, "resolution_rate": 1, "satisfaction_rate": 1}
    )
    assert rates["response_rate"] == 0.8 and rates["resolution_rate"] == 0.75
    assert rates["satisfaction_rate"] == 0.5 and rates["closure_rate"] == 0.5
    assert rates["on_time_closure_rate"] == 0.8 and rates["rework_rate"] == 0.5
    assert rates["extension_rate"] == 0.1
    assert composite == pytest.approx((0.8 + 0.75 + 0.5) / 3)
    _rates, weighted = rates_from_counts(
        counts, {"response_rate": 2, "resolution_rate": 1, "satisfaction_rate": 1}
    )
    assert weighted == pytest.approx((1.6 + 0.75 + 0.5) / 4)
    empty = dict.fromkeys(counts, 0)
    assert rates_from_counts(empty, {"response_rate": 1})[1] is None


def _closed_case(user, satisfaction):
    case, _ = report()
    for username, action, extra in [
        ("street_staff", "register", {}),
        ("street_staff", "dispatch", {}),
        ("street_staff", "accept", {}),
        ("street_staff", "handle", {"note": "清运"}),
        ("grid_worker", "verify", {}),
        ("street_staff", "close", {}),
    ]:
        case = case_move(actor=user(username), case_id=case.pk, action=action, **extra)
    case_return_visit_record(
        actor=user("street_staff"), case_id=case.pk, resolved=True, satisfaction=satisfaction
    )
    return case


def test_every_street_is_listed_and_the_active_one_ranked(demo_city, user, clock):
    clock.pin("2026-11-30 23:40")  # the month's last evening
    _closed_case(user, "satisfied")
    _closed_case(user, "unsatisfied")
    rows = street_ranking(date(2026, 11, 1))
    assert len(rows) == 349
    top = rows[0]
    assert top.code == "110101001000" and top.rank == 1
    assert top.rates["satisfaction_rate"] == 0.5 and top.rates["resolution_rate"] == 1.0
    assert top.counts["received"] == 2 and top.counts["channel_resident"] == 2
    assert all(r.rank is None for r in rows[1:])


def test_a_case_counts_in_the_month_it_was_reported(demo_city, user, clock):
    # 00:30 on 1 March in Beijing is still 28 February in UTC: the case belongs to March
    clock.pin("2026-03-01 00:30")
    case = _closed_case(user, "satisfied")

    def received(month: date) -> int:
        return {r.code: r for r in street_ranking(month)}["110101001000"].counts["received"]

    assert (received(date(2026, 2, 1)), received(date(2026, 3, 1))) == (0, 1)
    Case.objects.filter(pk=case.pk).update(reported_at=moment("2026-02-15 12:00"))
    assert (received(date(2026, 2, 1)), received(date(2026, 3, 1))) == (1, 0)
    assert street_ranking(date(2001, 1, 1))[0].rank is None


def test_the_ranking_page_and_its_xlsx(login, demo_city, user, clock):
    clock.pin("2027-01-01 00:01")  # the page opens on this month, in Beijing's calendar
    _closed_case(user, "satisfied")
    client = login("street_staff")
    page = client.get("/grid/ranking/").content.decode()
    assert "东华门街道" in page
    xlsx = client.get("/grid/ranking/", {"format": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(xlsx.content)).active
    assert sheet.title == "2027-01" and sheet.max_row == 350
    assert (sheet["A2"].value, sheet["C2"].value) == (1, "东华门街道")
    assert client.get("/grid/ranking/", {"month": "2026-13"}).status_code == 200


def test_the_ranking_page_pages_filters_and_sorts(login, demo_city, user, clock):
    clock.pin("2027-01-01 00:01")
    _closed_case(user, "satisfied")
    client = login("street_staff")
    first = client.get("/grid/ranking/").content.decode()
    assert first.count('href="/regions/') - first.count('href="/regions/map') >= 50
    assert "page=2" in first and "东华门街道" in first
    dongcheng = client.get("/grid/ranking/", {"district": "东城区", "sort": "cases"}).content
    page = dongcheng.decode()
    assert "西城区</td>" not in page and page.index("东华门街道") < page.index("景山街道")
    assert client.get("/grid/ranking/", {"sort": "nonsense", "page": "x"}).status_code == 200


def test_the_city_grid_map_says_what_it_leaves_out(login, demo_city):
    page = login("city_admin").get("/grid/map/110000000000/").content.decode()
    from shoushan.grid.models import Grid

    total = Grid.objects.count()
    assert f"共 {total} 个网格" in page or f"{total} grids in all" in page
    if total > 3000:
        assert 'href="/grid/map/110101000000/"' in page  # open a district instead
