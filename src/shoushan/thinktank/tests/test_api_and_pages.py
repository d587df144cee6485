"""The think tanks' API walks a topic from the guide to an adopted chapter on the blue book's
contributors page; the pages show and take the same; readers only, files to readers only."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shoushan.purchasing import services as purchasing
from shoushan.purchasing.tests.factories import call, fund
from shoushan.reviews.services import expert_create
from shoushan.thinktank import services

pytestmark = pytest.mark.usefixtures("fixed_now")  # the dates written are in the past

CITY = "110000000000"
CODE = "12100000400000624D"
PDF_BYTES = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def english(login):
    def sign_in(username: str):
        client = login(username)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return sign_in


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def _setting(city):
    money = fund(city, amount="1000000.00", region_code=CITY)
    envelope = purchasing.envelope_set(
        actor=city, fund=money, kind="advice", amount_text="400000.00"
    )
    line = call(city, envelope, [("B0201", "300000.00")]).lines.get()
    host = services.institution_create(
        actor=city, values={"name": "北京某社会科学院", "kind": "institute", "credit_code": CODE}
    )
    base = services.base_create(
        actor=city,
        values={"name": "首都社会治理研究基地", "host": host, "field": "社会治理",
                "director": "周主任", "recognised_on": date(2023, 1, 1),
                "valid_until": date(2027, 12, 31)},
    )  # fmt: skip
    experts = [
        expert_create(actor=city, name=f"{n}专家", field="社会治理", region_code=CITY)
        for n in "甲乙丙"
    ]
    return money, line, base, experts


def test_the_api_walks_a_topic_to_an_adopted_chapter(english, user):
    city = user("city_admin")
    money, line, base, experts = _setting(city)
    client = english("city_admin")
    made = _post(client, "/api/v1/thinktank/topics",
                 {"year": 2023, "title": "接诉即办数据驱动的基层治理研究", "kind": "applied",
                  "budget_cap": "150000.00", "indicator": "满意率"})  # fmt: skip
    assert made.status_code == 201, made.content
    topic_id = made.json()["id"]
    called = _post(
        client,
        f"/api/v1/thinktank/topics/{topic_id}/call",
        {"line_id": line.pk, "opens_on": "2023-02-01", "closes_on": "2023-02-28"},
    )
    assert called.json()["line_id"] == line.pk
    applied = _post(client, f"/api/v1/thinktank/topics/{topic_id}/applications",
                    {"base_id": base.pk, "lead": "赵研究员", "plan": "基于工单的实证研究",
                     "amount": "150000.00", "applied_on": "2023-02-15"})  # fmt: skip
    assert applied.status_code == 201, applied.content
    project_id = applied.json()["id"]
    url = f"/api/v1/thinktank/projects/{project_id}"
    for expert in experts:
        assert _post(client, f"{url}/experts", {"expert_id": expert.pk}).status_code == 201
    marks = {"选题价值": "17", "研究设计": "25", "研究基础": "16", "预期成果与应用": "17",
             "经费合理性": "8"}  # fmt: skip
    for seat in client.get(url).json()["panel"]:
        assert _post(client, f"{url}/seats/{seat['id']}/marks", {"marks": marks}).status_code == 200
    decided = _post(client, f"{url}/decision",
                    {"approve": True, "decided_on": "2023-03-20", "starts_on": "2023-04-01",
                     "ends_on": "2023-12-31"})  # fmt: skip
    assert decided.json()["status"] == "approved" and decided.json()["panel_mean"] == "83.00"
    fund_book = client.get(f"/api/v1/purchasing/funds/{money.pk}").json()
    assert fund_book["ledger"]["committed"] == "150000.00"
    early = _post(client, f"{url}/checks", {"check": "final_report", "on": "2023-06-01"})
    assert early.status_code == 409  # a final report before the mid-term passed
    for check, day in (("opening", "2023-04-15"), ("midterm", "2023-08-01"),
                       ("final_report", "2024-01-05")):  # fmt: skip
        answer = _post(client, f"{url}/checks", {"check": check, "on": day})
        assert answer.status_code == 200, answer.content
    late = _post(
        client,
        f"{url}/extension",
        {"asked_on": "2023-12-01", "new_end": "2024-06-30", "reason": "补充调研"},
    )
    assert late.status_code == 422 and "2 months" in late.json()["detail"]
    upload = client.post(
        f"{url}/outputs",
        {"kind": "chapter", "title": "接诉即办与基层治理", "authors": "赵研究员、钱博士",
         "submitted_on": "2024-01-05", "blue_book_year": "2023",
         "file": SimpleUploadedFile("chapter.pdf", PDF_BYTES)},
    )  # fmt: skip
    assert upload.status_code == 201, upload.content
    output_id = upload.json()["outputs"][0]["id"]
    assert upload.json()["outputs"][0]["has_file"]
    adopted = _post(client, f"/api/v1/thinktank/outputs/{output_id}/adoptions",
                    {"adopted_by": "北京市政务服务和数据管理局", "level": "city",
                     "adopted_on": "2024-02-01", "instruction": "吸收进年度工作要点。",
                     "instructed_by": "分管副市长"})  # fmt: skip
    assert adopted.status_code == 201, adopted.content
    reviewed = _post(client, f"{url}/checks", {"check": "final_review", "on": "2024-02-10"})
    assert reviewed.json()["final_result"] == "passed"  # city level: the review is not waived
    rate = client.get("/api/v1/thinktank/adoption-rate?year=2024").json()
    assert (rate["finished"], rate["adopted"], rate["adoption_rate"]) == (1, 1, "1.0000")
    bases = client.get("/api/v1/thinktank/bases?year=2023").json()
    assert next(b for b in bases if b["id"] == base.pk)["year"]["score"] == "100.0"
    [chapter] = client.get("/api/v1/thinktank/blue-book/2023/contributors").json()
    assert chapter["authors"] == ["赵研究员", "钱博士"]
    # the pages show the same, and the file goes to readers only
    page = client.get(f"/thinktank/projects/{project_id}/").content.decode()
    assert "吸收进年度工作要点。" in page
    assert "赵研究员" in client.get("/thinktank/blue-book/2023/contributors/").content.decode()
    assert client.get(f"/thinktank/outputs/{output_id}/file").status_code == 200
    assert english("street_staff").get(f"/thinktank/outputs/{output_id}/file").status_code == 403
    assert client.get("/api/v1/thinktank/projects/999999").status_code == 404


def test_the_pages_take_a_topic_and_an_application(login, user):
    city = user("city_admin")
    _money, line, base, _experts = _setting(city)
    client = login("city_admin")
    client.post("/thinktank/?year=2023", {"action": "topic", "title": "页面课题", "kind": "basic",
                                          "budget_cap": "80000"})  # fmt: skip
    index = client.get("/thinktank/?year=2023").content.decode()
    assert "页面课题" in index and "首都社会治理研究基地" in index
    topic_id = index.split("/thinktank/topics/")[1].split("/")[0]
    url = f"/thinktank/topics/{topic_id}/"
    client.post(url, {"action": "call", "line": line.pk, "opens_on": "2023-02-01",
                      "closes_on": "2023-02-28"})  # fmt: skip
    bid = {"action": "apply", "base": base.pk, "lead": "孙", "plan": "计划", "amount": "90000",
           "applied_on": "2023-02-10"}  # fmt: skip
    refused = client.post(url, bid, follow=True)
    assert "80,000.00" in refused.content.decode()  # over the topic's budget, in Chinese
    client.post(url, {"action": "apply", "base": base.pk, "lead": "孙研究员", "plan": "计划",
                      "amount": "80000", "applied_on": "2023-02-10"})  # fmt: skip
    assert "孙研究员" in client.get(url).content.decode()
    listed = services.institution_create(
        actor=city, values={"name": "某民办研究所", "kind": "private"}
    )
    client.post("/thinktank/institutions/", {"action": "code", "institution": listed.pk,
                                             "credit_code": "12100000400000624X"})  # fmt: skip
    listed.refresh_from_db()
    assert listed.credit_code == ""  # a wrong check digit: refused, nothing stored
    client.post("/thinktank/institutions/", {"action": "code", "institution": listed.pk,
                                             "credit_code": CODE})  # fmt: skip
    listed.refresh_from_db()
    assert listed.credit_code == CODE
    for path in ("/thinktank/institutions/", "/thinktank/adoptions/?year=2023",
                 f"/thinktank/bases/{base.pk}/"):  # fmt: skip
        assert client.get(path).status_code == 200
    assert login("street_staff").get("/thinktank/").status_code == 403


def test_a_units_weaknesses_in_the_evaluation_become_draft_topics(login):
    from shoushan.evaluation.models import Dataset
    from shoushan.evaluation.reports import unit_profile_of
    from shoushan.evaluation.services import dataset_build
    from shoushan.thinktank.models import Topic

    dataset = Dataset.objects.filter(year__isnull=False).order_by("pk").first()
    if dataset is None:
        pytest.skip("the demo made no evaluation data set")
    built = dataset_build(dataset)
    unit = sorted(built.result.scores.units)[0]
    weaknesses = [i["node"].name or i["node"].code for i in unit_profile_of(built, unit).weaknesses]
    url = f"/evaluation/{dataset.pk}/units/{unit}/"
    login("researcher").post(url, {"budget_cap": "200000.00"})  # refused: only the city office
    assert not Topic.objects.filter(year=dataset.year, indicator__in=weaknesses).exists()
    client = login("city_admin")
    drafted = client.post(url, {"budget_cap": "200000.00"})
    assert drafted.status_code == 302 and drafted["Location"].startswith("/thinktank/")
    topics = Topic.objects.filter(year=dataset.year, indicator__in=weaknesses)
    assert topics.count() == len(set(weaknesses)) > 0
    assert {t.budget_cap for t in topics} == {Decimal("200000.00")}
    client.post(url, {"budget_cap": "200000.00"})  # drafted once
    assert Topic.objects.filter(year=dataset.year, indicator__in=weaknesses).count() == len(
        set(weaknesses)
    )
