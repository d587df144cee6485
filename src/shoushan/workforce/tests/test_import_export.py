import io
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from shoushan.audit.models import AuditRecord
from shoushan.core.errors import InvalidInput
from shoushan.workforce.models import CareerEvent, CommunityWorker
from shoushan.workforce.services import workers_import
from shoushan.workforce.sheets import read_workers_xlsx
from shoushan.workforce.tests.helpers import id_number, make_worker

HEADER = [
    "姓名",
    "身份证号",
    "性别",
    "学历",
    "政治面貌",
    "社会工作职业资格",
    "证书编号",
    "取得年份",
    "职务",
    "社区编码",
    "入职日期",
    "月应发工资（元）",
]


def xlsx(rows) -> bytes:
    book = Workbook()
    book.active.append(HEADER)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def good_row(number, community="110101001001"):
    return [
        "李四",
        number,
        "男",
        "大专",
        "中共党员",
        "助理社会工作师",
        "Z123",
        2019,
        "委员",
        community,
        date(2016, 4, 1),
        8800,
    ]


def test_a_good_file_imports_every_worker_with_the_hire(demo_city, user):
    numbers = [id_number(date(1991, 1, 1)), id_number(date(1992, 2, 2))]
    rows = read_workers_xlsx(xlsx([good_row(n) for n in numbers]))
    result = workers_import(actor=user("community_staff"), rows=rows)
    assert result.created == 2
    imported = CommunityWorker.objects.filter(id_number__in=numbers)
    assert {w.qualification for w in imported} == {"assistant"}
    assert CareerEvent.objects.filter(worker__in=imported, kind="hire").count() == 2
    assert AuditRecord.objects.filter(action="community_worker.import").count() >= 2


def test_one_bad_row_imports_nothing_and_each_problem_is_listed(demo_city, user):
    good = id_number(date(1991, 1, 1))
    bad_check = id_number(date(1992, 2, 2))
    bad_check = bad_check[:17] + ("0" if bad_check[17] != "0" else "1")
    female = id_number(date(1993, 3, 3), male=False)
    rows = read_workers_xlsx(
        xlsx(
            [
                good_row(good),
                good_row(bad_check),
                good_row(female),
                good_row(good),
                good_row(id_number(), community="110101002001"),
            ]
        )
    )
    with pytest.raises(InvalidInput) as refused:
        workers_import(actor=user("community_staff"), rows=rows)
    problems = {(p["row"], p["column"]) for p in refused.value.details}
    assert (3, "id_number") in problems  # check character
    assert (4, "gender") in problems  # 男 entered, the number says female
    assert (5, "id_number") in problems  # the same number as row 2
    assert (6, "community_code") in problems  # outside the community's scope
    assert all(p["reason"] for p in refused.value.details)
    assert not CommunityWorker.objects.filter(id_number__in=[good, female]).exists()


def test_the_import_page_lists_problems_in_the_users_language(demo_city, login):
    client = login("community_staff")
    upload = io.BytesIO(xlsx([good_row("110101199001011234")]))
    upload.name = "workers.xlsx"
    started = client.post("/workforce/import/", {"file": upload})
    assert started.status_code == 302 and started["Location"].startswith("/jobs/")
    page = client.get(started["Location"]).content.decode()  # the job failed, naming the row
    assert "身份证号码" in page  # the validator's message, in Chinese


def _export(client, **params):
    response = client.get("/workforce/", {"format": "xlsx", **params})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_the_export_is_masked_without_the_permission(demo_city, login):
    worker = make_worker(name="导出测试")
    rows = _export(login("street_staff"), q="导出测试")
    assert len(rows) == 2
    assert worker.id_number not in rows[1] and "13912345678" not in rows[1]
    assert rows[1][1] == worker.id_number[:6] + "********" + worker.id_number[-4:]


def test_an_unmasked_export_is_audited(demo_city, login):
    worker = make_worker(name="导出测试")
    before = AuditRecord.objects.filter(action="personal_information.view").count()
    rows = _export(login("city_admin"), q="导出测试")
    assert worker.id_number in rows[1]
    seen = AuditRecord.objects.filter(action="personal_information.view", object_id=str(worker.pk))
    assert seen.count() == 1 and seen.get().changes["purpose"] == "export"
    assert AuditRecord.objects.filter(action="personal_information.view").count() == before + 1
    masked = _export(login("city_admin"), q="导出测试", masked="1")
    assert worker.id_number not in masked[1]


def test_an_export_can_be_imported_again(demo_city, login, user):
    worker = make_worker(name="往返测试")
    content = login("city_admin").get("/workforce/", {"format": "xlsx", "q": "往返测试"}).content
    rows = read_workers_xlsx(content)
    assert rows[0]["id_number"] == worker.id_number and rows[0]["education"]
    with pytest.raises(InvalidInput) as refused:  # the same person cannot be recorded twice
        workers_import(actor=user("city_admin"), rows=rows)
    assert refused.value.details[0]["column"] == "id_number"
