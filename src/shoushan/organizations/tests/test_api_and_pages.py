import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from shoushan.audit.models import AuditRecord
from shoushan.core.models import Job
from shoushan.organizations.models import SocialOrganization
from shoushan.organizations.tests.factories import credit_code, organization

pytestmark = pytest.mark.calendar


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def login(login):
    """Signed-in clients that ask for English."""

    def sign_in(username):
        client = login(username)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return sign_in


def _passed(client, body, year=2025):
    return client.post(
        f"/api/v1/organizations/{body.pk}/inspections",
        json.dumps(
            {
                "year": year,
                "submitted_on": "2026-04-01",
                "result": "passed",
                "decided_on": "2026-05-20",
            }
        ),
        content_type="application/json",
    )


def test_a_district_clerk_records_a_failed_inspection_and_the_organisation_becomes_ineligible(
    login, user, clock
):
    clock.pin("2026-07-01 10:00")
    body = organization(user("district_admin"), registered_on="2020-01-01")
    client = login("district_admin")
    assert _passed(client, body).status_code == 200
    detail = client.get(f"/api/v1/organizations/{body.pk}").json()
    assert detail["eligibility"]["eligible"] is True
    assert detail["legal_representative"] == "王小明"  # the district office may see it (audited)

    page = client.post(
        f"/organizations/{body.pk}/",
        {
            "action": "inspection",
            "year": "2025",
            "submitted_on": "2026-04-01",
            "result": "failed",
            "decided_on": "2026-06-20",
        },
        follow=True,
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert '<span class="badge warn">' in text and "2026-09-20" in text  # not eligible
    detail = client.get(f"/api/v1/organizations/{body.pk}").json()
    assert detail["eligibility"]["eligible"] is False
    assert detail["eligibility"]["reasons"] == ["Passed the last annual inspection: 2025: failed"]
    assert detail["inspections"][0]["rectification_due"] == "2026-09-20"
    assert AuditRecord.objects.filter(action="organization.inspection_record").count() == 2


def test_out_of_scope_organisations_answer_404_and_personal_data_is_masked(login, user, clock):
    clock.pin("2026-07-01 10:00")
    haidian = organization(
        user("city_admin"),
        authority="110108",
        region_code="110108001000",
        credit_code=credit_code("2", "110108"),
    )
    district = login("district_admin")
    assert district.get(f"/api/v1/organizations/{haidian.pk}").status_code == 404
    assert district.get(f"/organizations/{haidian.pk}/").status_code == 404
    assert _passed(district, haidian).status_code == 404
    mine = organization(user("district_admin"))
    street = login("street_staff")  # 东华门街道: sees its organisations, masked, writes nothing
    detail = street.get(f"/api/v1/organizations/{mine.pk}").json()
    assert detail["legal_representative"] == "王**"
    assert detail["contact_phone"] == "138****8000"
    assert _passed(street, mine).status_code == 403


def test_a_bad_record_through_the_api_is_refused_with_its_reason(login):
    client = login("district_admin")
    code = credit_code("2", "110101")
    response = client.post(
        "/api/v1/organizations",
        json.dumps(
            {
                "name": "东城区某某协会",
                "credit_code": code,
                "kind": "social_group",
                "authority": "东城区民政局",
                "registered_on": "2019-01-01",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "another kind of organisation" in response.json()["detail"]
    assert not SocialOrganization.objects.filter(credit_code=code).exists()


def test_the_registry_as_of_a_past_day_and_search_by_code(login, user, clock):
    clock.pin("2026-07-01 10:00")
    body = organization(user("district_admin"), registered_on="2021-01-01")
    client = login("district_admin")
    found = client.get("/api/v1/organizations", {"q": body.credit_code[:-2].lower()}).json()
    assert [o["id"] for o in found["items"]] == [body.pk]
    before = client.get("/api/v1/organizations", {"q": body.name, "as_of": "2020-12-31"}).json()
    assert before["count"] == 0
    page = client.get("/organizations/", {"q": body.name[-6:], "as_of": "2022-01-01"})
    assert body.name in page.content.decode()


def test_the_public_look_up_needs_no_sign_in_and_shows_no_personal_data(client, user, clock):
    clock.pin("2026-07-01 10:00")
    body = organization(user("district_admin"))
    found = client.get("/api/v1/organizations/lookup", {"q": body.credit_code}).json()
    assert found[0]["name"] == body.name
    assert "legal_representative" not in found[0]
    page = client.get("/organizations/lookup/", {"q": body.name})
    assert page.status_code == 200
    assert body.name in page.content.decode()
    assert "王小明" not in page.content.decode()


REGISTRY = (
    "社会组织名称,统一社会信用代码,类型,登记管理机关,成立登记日期,住所区划代码\n"
    "{name1},{code1},社会服务机构,东城区民政局,2015-03-01,110101001000\n"
    "{name2},{code2},基金会,东城区民政局,2016-03-01,110101001000\n"
    "{name3},{code3},社会团体,东城区民政局,1/9/2030,110101999000\n"
)


def _upload(client, kind, text, name="file.csv"):
    response = client.post(
        "/organizations/import/",
        {"kind": kind, "file": SimpleUploadedFile(name, text.encode("utf-8"))},
    )
    assert response.status_code == 302, response.content[:300]
    return Job.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def test_an_import_with_bad_rows_names_each_problem_and_stores_nothing(login, clock):
    clock.pin("2026-07-01 10:00")
    client = login("district_admin")
    codes = [credit_code("2", "110101"), credit_code("3", "110101"), credit_code("1", "110101")]
    before = SocialOrganization.objects.count()
    job = _upload(
        client,
        "registry",
        REGISTRY.format(
            name1="甲",
            code1=codes[0],
            name2="乙",
            code2=codes[1],
            name3="丙",
            code3=codes[2][:-1] + "0",
        ),
    )
    job.refresh_from_db()
    assert job.status == "failed"
    problems = {(p["row"], p["column"]) for p in job.outcome["problems"]}
    # row 3: a foundation registered by a district needs a 53… code of that district — the code
    # given is one; row 4: a wrong check character, an unknown street, a date in 2030
    assert (4, "credit_code") in problems and (4, "region_code") in problems
    assert (4, "registered_on") in problems
    assert SocialOrganization.objects.count() == before


def test_an_import_of_the_registry_then_inspections_ratings_and_lists(login, clock):
    clock.pin("2026-07-01 10:00")
    client = login("district_admin")
    codes = [credit_code("2", "110101"), credit_code("1", "110101")]
    text = (
        "社会组织名称,统一社会信用代码,类型,登记管理机关,成立登记日期,住所区划代码\n"
        f"导入甲中心,{codes[0]},民办非企业单位,110101,2015-03-01,110101001000\n"
        f"导入乙协会,{codes[1]},社会团体,东城区民政局,2016-03-01,110101002000\n"
    )
    assert _upload(client, "registry", text).outcome == {"created": 2}
    inspections = (
        "统一社会信用代码,年度,报送日期,年检结论,结论日期\n"
        f"{codes[0]},2024,2025-03-01,合格,2025-05-01\n"
        f"{codes[0]},2025,2026-03-01,不合格,2026-05-01\n"
        f"{codes[1]},2025,2026-03-01,合格,2026-05-01\n"
    )
    assert _upload(client, "inspections", inspections).outcome == {"created": 3, "updated": 0}
    ratings = (
        "统一社会信用代码,等级,评定日期\n"
        f"{codes[1]},4A级社会组织,2020-12-01\n"
        f"{codes[1]},3A,2024-12-01\n"
        f"{codes[0]},6A,2024-12-01\n"
    )
    job = _upload(client, "ratings", ratings)
    assert job.status == "failed"
    assert job.outcome["problems"][0]["row"] == 4
    job = _upload(client, "ratings", ratings.rsplit("\n", 2)[0] + "\n")
    assert job.outcome == {"created": 2, "ended": 0}
    lists = (
        "统一社会信用代码,名录,列入日期,列入事由,移出日期,移出事由\n"
        f"{codes[1]},活动异常名录,2026-01-05,未按时报送年报,2025-12-01,补报\n"
    )
    job = _upload(client, "lists", lists)
    assert job.status == "failed" and job.outcome["problems"][0]["column"] == "exited_on"
    imported = SocialOrganization.objects.get(credit_code=codes[1])
    ratings = list(imported.ratings.order_by("awarded_on"))
    assert [(r.grade, r.end) for r in ratings] == [(4, "downgraded"), (3, "")]
    detail = client.get(f"/api/v1/organizations/{imported.pk}").json()
    assert detail["rating"]["grade"] == 3 and detail["eligibility"]["eligible"]
    failed = SocialOrganization.objects.get(credit_code=codes[0])
    assert not client.get(f"/api/v1/organizations/{failed.pk}").json()["eligibility"]["eligible"]


def test_every_page_opens_for_a_district_clerk(login, user, clock):
    clock.pin("2026-07-01 10:00")
    body = organization(user("district_admin"))
    client = login("district_admin")
    for url in (
        "/organizations/",
        f"/organizations/{body.pk}/",
        "/organizations/register/",
        "/organizations/overdue/",
        "/organizations/lists/",
        "/organizations/ratings/",
        "/organizations/hubs/",
        "/organizations/incubators/",
        "/organizations/buildings/",
        "/organizations/import/",
        "/organizations/lookup/?q=东城",
    ):
        assert client.get(url).status_code == 200, url


def test_an_export_imports_again_unchanged(login, user, clock):
    clock.pin("2026-07-01 10:00")
    admin = user("district_admin")
    body = organization(admin, registered_on="2019-01-01")
    from shoushan.organizations import services

    services.inspection_record(
        actor=admin,
        organization=body,
        values={"year": "2024", "result": "基本合格", "decided_on": "2025-06-01", "note": "=1+1"},
    )
    client = login("district_admin")
    exported = client.get(
        "/organizations/export/inspections/", {"format": "xlsx", "q": body.credit_code}
    )
    assert exported.status_code == 200
    response = client.post(
        "/organizations/import/",
        {"kind": "inspections", "file": SimpleUploadedFile("back.xlsx", exported.content)},
    )
    job = Job.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    assert job.status == "done", (job.message, job.outcome["problems"][:3])
    assert job.outcome == {"created": 0, "updated": 1}
    inspection = body.inspections.get(year=2024)
    assert (inspection.result, inspection.note) == ("basically_passed", "=1+1")
    csv = client.get("/organizations/", {"q": body.credit_code, "format": "csv"})
    assert body.credit_code in csv.content.decode("utf-8-sig")
    assert "王小明" not in csv.content.decode("utf-8-sig")  # no personal information


def test_the_registry_is_for_region_offices(login):
    resident = login("resident")
    assert resident.get("/organizations/").status_code == 403
    assert resident.get("/api/v1/organizations").status_code == 403
    assert resident.get("/organizations/lookup/?q=东城").status_code == 200
