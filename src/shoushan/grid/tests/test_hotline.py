from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from shoushan.core.errors import InvalidInput
from shoushan.grid.intake.hotline import hotline_orders_import, hotline_rows_read
from shoushan.grid.models import Case

HEADER = "工单编号,受理时间,诉求类别,诉求内容,社区编码,经度,纬度,地址,来电人,联系电话\n"


def csv_bytes(*rows):
    return (HEADER + "".join(r + "\n" for r in rows)).encode("utf-8-sig")


GOOD = [
    "GD001,2026-11-02 09:15,R0101,小区物业不作为,110101001001,,,多福巷,王,13800000001",
    "GD002,2026-11-02 10:00,物业管理,楼道灯坏了,,116.4069014,39.9215538,,,",
]


def test_a_good_csv_creates_every_case_located_and_in_the_queue(demo_city, user):
    result = hotline_orders_import(
        actor=user("street_staff"), rows=hotline_rows_read("orders.csv", csv_bytes(*GOOD))
    )
    assert result.created == 2
    by_point = Case.objects.get(external_id="GD002")
    assert by_point.channel == "hotline" and by_point.grid is not None
    assert by_point.street_id == "110101001000" and by_point.stage == "reported"
    by_community = Case.objects.get(external_id="GD001")
    assert by_community.grid is None and by_community.community_id == "110101001001"
    assert by_community.events.get().action == "report"


def test_one_bad_row_imports_nothing_and_each_problem_names_row_and_column(demo_city, user):
    rows = hotline_rows_read(
        "orders.csv",
        csv_bytes(
            *GOOD,
            "GD001,2026-11-02 09:15,R0101,重复,110101001001,,,,,",  # repeats row 2
            "GD004,yesterday,R9999,,,,,,,",
            "GD005,2026-11-03 08:00,R0101,在上海,,121.47,31.23,,,",
        ),
    )
    with pytest.raises(InvalidInput) as error:
        hotline_orders_import(actor=user("street_staff"), rows=rows)
    problems = {(p["row"], p["column"]) for p in error.value.details}
    assert (4, "order_id") in problems
    assert {
        (5, "received_at"),
        (5, "category"),
        (5, "description"),
        (5, "community_code"),
    } <= problems
    assert Case.objects.filter(channel="hotline").count() == 0


def test_a_point_outside_the_city_imports_nothing(demo_city, user):
    rows = hotline_rows_read(
        "o.csv", csv_bytes(GOOD[0], "GD005,2026-11-03 08:00,R0101,在上海,,121.47,31.23,,,")
    )
    with pytest.raises(InvalidInput) as refused:
        hotline_orders_import(actor=user("street_staff"), rows=rows)
    (problem,) = refused.value.details
    assert (problem["row"], problem["column"]) == (3, "longitude")
    assert "不在本市网格范围内" in problem["reason"]
    assert not Case.objects.filter(channel="hotline").exists()


def test_importing_the_same_file_twice_is_refused(demo_city, user):
    content = csv_bytes(*GOOD)
    hotline_orders_import(actor=user("street_staff"), rows=hotline_rows_read("o.csv", content))
    with pytest.raises(InvalidInput):
        hotline_orders_import(actor=user("street_staff"), rows=hotline_rows_read("o.csv", content))
    assert Case.objects.filter(channel="hotline").count() == 2


def test_xlsx_and_unknown_columns(demo_city, user):
    book = Workbook()
    sheet = book.active
    sheet.append(["order_id", "received_at", "category", "description", "community_code"])
    sheet.append(["X1", "2026-11-05 14:00", "R0101", "噪音扰民", "110101001001"])
    buffer = BytesIO()
    book.save(buffer)
    assert (
        hotline_orders_import(
            actor=user("street_staff"), rows=hotline_rows_read("o.xlsx", buffer.getvalue())
        ).created
        == 1
    )
    with pytest.raises(InvalidInput, match=r"Unknown columns|未知"):
        hotline_rows_read("o.csv", "工单编号,受理时间,诉求类别,诉求内容,颜色\n".encode())


def test_the_import_page(login, demo_city):
    client = login("street_staff")
    bad = SimpleUploadedFile("o.csv", csv_bytes("GD9,not a time,R0101,x,110101001001,,,,,"))
    started = client.post("/grid/hotline-import/", {"file": bad})
    assert started.status_code == 302 and started["Location"].startswith("/jobs/")
    page = client.get(started["Location"]).content.decode()  # the job failed, naming the row
    assert "received_at" in page and '<td class="num">2</td>' in page
    assert not Case.objects.filter(external_id="GD9").exists()
    good = SimpleUploadedFile("o.csv", csv_bytes(*GOOD))
    done = client.get(client.post("/grid/hotline-import/", {"file": good})["Location"])
    assert Case.objects.filter(channel="hotline").count() == 2
    assert "100%" in done.content.decode()
    nothing = client.post("/grid/hotline-import/", {})
    assert nothing.status_code == 200 and not Case.objects.filter(external_id="GD9").exists()
    assert login("grid_worker").get("/grid/hotline-import/").status_code == 403
