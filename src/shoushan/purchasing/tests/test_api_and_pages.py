"""The purchase-of-services API and pages walk a project from the fund to its payments; amounts go
as strings exact to the fen, a sum over its bound is 409 with the amounts, another region's
records are 404."""

import pytest

from shoushan.organizations.tests.factories import organization
from shoushan.purchasing import services
from shoushan.purchasing.models import Award
from shoushan.purchasing.tests.factories import call, catalogue, fund

pytestmark = pytest.mark.usefixtures("fixed_now")  # the dates written are in the past


@pytest.fixture
def english(login):
    def sign_in(username: str):
        client = login(username)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return sign_in


def _post(client, url, body, method="post"):
    return getattr(client, method)(url, body, content_type="application/json")


def test_the_api_walks_a_project_from_fund_to_payments(english, user):
    catalogue()
    client = english("district_admin")
    body = organization(user("district_admin"), registered_on="2024-03-01")
    fund = _post(
        client,
        "/api/v1/purchasing/funds",
        {"name": "东城区社会建设专项资金", "year": 2025, "region_code": "110101000000",
         "amount": "2500000.00"},
    )  # fmt: skip
    assert fund.status_code == 201, fund.content
    fund_id = fund.json()["id"]
    envelope = _post(
        client, f"/api/v1/purchasing/funds/{fund_id}/envelopes/governance", {"amount": "1000000"},
        method="put",
    )  # fmt: skip
    assert envelope.json()["amount"] == "1000000.00"
    call = _post(
        client,
        f"/api/v1/purchasing/envelopes/{envelope.json()['id']}/calls",
        {"title": "2025年社会治理服务项目指南", "opens_on": "2025-03-01", "closes_on": "2025-03-31",
         "lines": [{"item": "A1003", "title": "社区社会工作服务", "amount": "600000.00"}]},
    )  # fmt: skip
    assert call.status_code == 201, call.content
    line_id = call.json()["lines"][0]["id"]
    over = _post(
        client,
        f"/api/v1/purchasing/lines/{line_id}/awards",
        {"organization_id": body.pk, "title": "过大项目", "amount": "600000.01",
         "decided_on": "2025-05-10"},
    )  # fmt: skip
    assert over.status_code == 409 and "600,000.00" in over.json()["detail"]
    award = _post(
        client,
        f"/api/v1/purchasing/lines/{line_id}/awards",
        {"organization_id": body.pk, "title": "社区社会工作服务项目", "amount": "123456.78",
         "decided_on": "2025-05-10"},
    )  # fmt: skip
    assert award.status_code == 201, award.content
    contract = _post(
        client,
        f"/api/v1/purchasing/awards/{award.json()['id']}/contract",
        {"number": "DC-2025-001", "amount": "123456.78", "signed_on": "2025-05-20",
         "starts_on": "2025-06-01", "ends_on": "2026-05-31",
         "milestones": [{"name": "中期", "due_on": "2025-11-30", "amount": "61728.39"},
                        {"name": "结项", "due_on": "2026-05-31", "amount": "61728.39"}]},
    )  # fmt: skip
    assert contract.status_code == 201, contract.content
    contract_id = contract.json()["id"]
    for milestone in contract.json()["milestones"]:
        paid = _post(
            client,
            f"/api/v1/purchasing/contracts/{contract_id}/payments",
            {"milestone_id": milestone["id"], "amount": "61728.39", "paid_on": "2025-12-01"},
        )
        assert paid.status_code == 201, paid.content
    assert paid.json()["paid"] == "123456.78"
    ledger = client.get(f"/api/v1/purchasing/funds/{fund_id}").json()["ledger"]
    assert ledger["committed"] == ledger["paid"] == "123456.78"
    assert ledger["children"][0]["remaining"] == "876543.22"
    [grant] = client.get(f"/api/v1/purchasing/funds/{fund_id}/360giving").json()["grants"]
    assert grant["amountAwarded"] == "123456.78" and grant["currency"] == "CNY"
    assert grant["id"].startswith("360G-") and grant["awardDate"] == "2025-05-10"
    assert grant["recipientOrganization"][0]["id"] == f"CN-USCC-{body.credit_code}"
    assert grant["plannedDates"][0] == {"startDate": "2025-06-01", "endDate": "2026-05-31"}
    sheet = client.get(f"/purchasing/funds/{fund_id}/?format=360giving").content.decode("utf-8-sig")
    header, row = sheet.splitlines()[:2]
    assert header.startswith("Identifier,Title,Description,Currency,Amount Awarded,Award Date")
    assert ",123456.78,2025-05-10," in row
    float_amount = _post(
        client, f"/api/v1/purchasing/funds/{fund_id}/envelopes/basic", {"amount": 1.1}, method="put"
    )
    assert float_amount.status_code == 422
    # another district's office sees none of it
    other = english("city_admin")
    assert other.get(f"/api/v1/purchasing/funds/{fund_id}").status_code == 200
    assert english("street_staff").get(f"/api/v1/purchasing/funds/{fund_id}").status_code == 403


def test_another_regions_fund_is_not_found(english):
    city = english("city_admin")
    fund = _post(
        city,
        "/api/v1/purchasing/funds",
        {"name": "西城区资金", "year": 2025, "region_code": "110102000000", "amount": "100.00"},
    )
    assert fund.status_code == 201
    district = english("district_admin")  # 东城区
    assert district.get(f"/api/v1/purchasing/funds/{fund.json()['id']}").status_code == 404
    assert (
        _post(
            district,
            f"/api/v1/purchasing/funds/{fund.json()['id']}/envelopes/basic",
            {"amount": "1.00"},
            method="put",
        ).status_code
        == 404
    )


def test_the_pages_walk_a_project_and_show_the_ledger(login, user):
    catalogue()
    client = login("district_admin")
    body = organization(user("district_admin"), registered_on="2024-03-01")
    made = client.post(
        "/purchasing/",
        {
            "name": "页面测试资金",
            "year": "2025",
            "region_code": "110101000000",
            "amount": "1,000,000",
        },
    )
    assert made.status_code == 302, made.content.decode()[:500]
    fund_url = made["Location"]
    bad = client.post(fund_url, {"kind": "basic", "amount": "1000000.001"}, follow=True)
    assert "2 位小数" in bad.content.decode()  # the reason, in the page's language
    client.post(fund_url, {"kind": "basic", "amount": "500000.00"})
    page = client.get(fund_url).content.decode()
    assert 'id="ledger"' in page and "¥500,000.00" in page
    envelope = page.split("/envelopes/")[1].split("/")[0]
    opened = client.post(
        f"/purchasing/envelopes/{envelope}/calls/new/",
        {"title": "页面测试指南", "opens_on": "2025-03-01", "closes_on": "2025-03-31",
         "line-1-item": "A1003", "line-1-title": "社工服务", "line-1-amount": "300000"},
    )  # fmt: skip
    assert opened.status_code == 302, opened.content.decode()[:2000]
    call_url = opened["Location"]
    line = client.get(call_url).content.decode().split('name="line"><option value="')[1]
    line_id = line.split('"')[0]
    steps = [
        {"action": "apply", "line": line_id, "organization": body.credit_code,
         "title": "页面测试项目", "amount": "100000.50", "applied_on": "2025-03-10"},
    ]  # fmt: skip
    for step in steps:
        answer = client.post(call_url, step, follow=True).content.decode()
        assert "页面测试项目" in answer
    application = answer.split('name="application"><option value="')[1].split('"')[0]
    client.post(call_url, {"action": "endorse", "application": application,
                           "endorsed_on": "2025-03-12"})  # fmt: skip
    client.post(call_url, {"action": "notice", "proposed": application, "starts_on": "2025-04-01"})
    page = client.get(call_url).content.decode()
    assert "2025-04-01 – 2025-04-08" in page
    notice = page.split('name="notice" value="')[1].split('"')[0]
    client.post(call_url, {"action": "approve", "notice": notice, "approved_on": "2025-04-09"})
    nonsense = client.post(call_url, {"action": "nonsense"}, follow=True)
    assert nonsense.status_code == 200
    assert "¥100,000.50" in client.get(fund_url).content.decode()
    award_url = f"/purchasing/awards/{Award.objects.get(title='页面测试项目').pk}/"
    client.post(award_url, {"action": "contract", "number": "YM-0001", "amount": "100000.50",
                            "signed_on": "2025-04-20", "starts_on": "2025-05-01",
                            "ends_on": "2026-04-30", "milestone-1-name": "首付",
                            "milestone-1-due_on": "2025-05-01",
                            "milestone-1-amount": "100000.50"})  # fmt: skip
    report = {"action": "report", "reported_on": "2025-07-01", "done_percent": "35",
              "people_served": "120", "work_done": "走访独居老人一百二十户。"}  # fmt: skip
    shown = client.post(award_url, report, follow=True).content.decode()
    assert "走访独居老人一百二十户。" in shown and "35%" in shown
    refused = client.post(award_url, {**report, "done_percent": "101"}, follow=True)
    assert "须为 0 至 100 之间的整数" in refused.content.decode()
    for url in ("/purchasing/catalogue/", "/purchasing/", "/purchasing/dashboard/?year=2025"):
        assert client.get(url).status_code == 200
    assert login("street_staff").get(fund_url).status_code == 403


def test_the_api_runs_the_procedure_from_application_to_evaluation(english, user):
    office = user("district_admin")
    client = english("district_admin")
    money = fund(office, amount="1000000.00")
    envelope = services.envelope_set(actor=office, fund=money, kind="basic", amount_text="500000")
    line = call(office, envelope, [("A1003", "500000.00")]).lines.get()
    body = organization(office, registered_on="2024-03-01")
    applied = _post(
        client,
        f"/api/v1/purchasing/lines/{line.pk}/applications",
        {"organization_id": body.pk, "title": "社区社工服务", "amount": "200000.00",
         "applied_on": "2025-03-10"},
    )  # fmt: skip
    assert applied.status_code == 201, applied.content
    application_id = applied.json()["id"]
    endorsed = _post(
        client,
        f"/api/v1/purchasing/applications/{application_id}/endorse",
        {"endorsed_on": "2025-03-12"},
    )
    assert endorsed.json()["office_code"] == "110101000000"
    notice = _post(
        client,
        f"/api/v1/purchasing/calls/{line.call_id}/notices",
        {"application_ids": [application_id], "starts_on": "2025-04-01"},
    )
    assert notice.status_code == 201 and notice.json()["ends_on"] == "2025-04-08"
    early = _post(
        client,
        f"/api/v1/purchasing/notices/{notice.json()['id']}/approve",
        {"approved_on": "2025-04-08"},
    )
    assert early.status_code == 422
    approved = _post(
        client,
        f"/api/v1/purchasing/notices/{notice.json()['id']}/approve",
        {"approved_on": "2025-04-09"},
    )
    assert approved.status_code == 200 and approved.json()[0]["amount"] == "200000.00"
    listed = client.get(f"/api/v1/purchasing/calls/{line.call_id}/applications").json()
    assert listed[0]["status"] == "approved" and listed[0]["award_id"]
    award_id = listed[0]["award_id"]
    signed = _post(
        client,
        f"/api/v1/purchasing/awards/{award_id}/contract",
        {"number": "GM-API-0001", "amount": "200000.00", "signed_on": "2025-04-20",
         "starts_on": "2025-05-01", "ends_on": "2026-04-30",
         "milestones": [{"name": "首付", "due_on": "2025-05-01", "amount": "200000.00"}]},
    )  # fmt: skip
    assert signed.status_code == 201, signed.content
    contract_id = signed.json()["id"]
    report = {"reported_on": "2025-08-01", "done_percent": 45, "work_done": "完成需求调研。"}
    reported = _post(client, f"/api/v1/purchasing/contracts/{contract_id}/reports", report)
    assert reported.status_code == 201, reported.content
    assert reported.json()["reports"][0]["done_percent"] == 45
    backwards = _post(
        client,
        f"/api/v1/purchasing/contracts/{contract_id}/reports",
        {**report, "reported_on": "2025-09-01", "done_percent": 20},
    )
    assert backwards.status_code == 409 and "does not go back" in backwards.json()["detail"]
    over = _post(
        client,
        f"/api/v1/purchasing/contracts/{contract_id}/reports",
        {**report, "done_percent": 120},
    )
    assert over.status_code == 422
    for stage, day in (("midterm", "2025-10-01"), ("final", "2026-05-10")):
        graded = _post(
            client,
            f"/api/v1/purchasing/contracts/{contract_id}/evaluations",
            {"stage": stage, "grade": "good", "evaluator": "第三方评估机构", "evaluated_on": day},
        )
        assert graded.status_code == 201, graded.content
    shown = client.get(f"/api/v1/purchasing/contracts/{contract_id}").json()
    assert [e["stage"] for e in shown["evaluations"]] == ["midterm", "final"]
    assert len(shown["reports"]) == 1
    record = client.get(f"/api/v1/organizations/{body.pk}").json()["services_delivered"]
    assert record == [
        {"project": "社区社工服务", "buyer": money.name, "reference": "GM-API-0001",
         "amount": "200000.00", "grade": "good", "evaluated_on": "2026-05-10",
         "evaluator": "第三方评估机构"}
    ]  # fmt: skip
    page = client.get(f"/organizations/{body.pk}/")
    assert "GM-API-0001" in page.content.decode()
    board = client.get(f"/api/v1/purchasing/dashboard?year={money.year}").json()
    assert board["fund_ids"] == [money.pk]
    assert board["by_kind"][0]["committed"] == "200000.00"
    assert board["delivery"][0]["grades"] == ["good"]
    [place] = board["places"]  # at the organisation's domicile, or the first region up with a point
    assert body.region_code.startswith(place["code"].rstrip("0")[:6])
    assert place["projects"] == [{"award_id": award_id, "title": "社区社工服务",
                                  "organization": body.name, "amount": "200000.00"}]  # fmt: skip
    page = client.get(f"/purchasing/dashboard/?year={money.year}").content.decode()
    assert 'id="project-map"' in page and 'id="project-places"' in page
    assert client.get("/api/v1/purchasing/dashboard?year=1999").json()["places"] == []
