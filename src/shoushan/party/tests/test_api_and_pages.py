"""The party-building API and pages: the same rules as the services, scope as 404, personal
information masked, imports all or nothing, exports in the import's columns."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from shoushan.audit.models import AuditRecord
from shoushan.core.models import Job
from shoushan.party import services
from shoushan.party.imports import COLUMNS
from shoushan.party.models import Enterprise, PartyOrganization, Unit
from shoushan.party.tests.factories import (
    DONGHUAMEN,
    XICHANGANJIE,
    branch_values,
    enterprise,
    enterprise_code,
)


@pytest.fixture
def english(login):
    def sign_in(username: str):
        client = login(username)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return sign_in


def test_the_api_records_a_joint_branch_and_the_coverage_moves(english):
    client = english("street_staff")
    codes = []
    for name in ("甲科技有限公司", "乙商贸有限公司"):
        code = enterprise_code()
        response = client.post(
            "/api/v1/party/enterprises",
            {"name": name, "credit_code": code, "region_code": DONGHUAMEN, "full_members": 2},
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        codes.append(code)
    before = client.get(f"/api/v1/party/coverage?region_code={DONGHUAMEN}").json()["total"]
    body = {**branch_values(codes), "units": codes, "full_members": 5, "probationary_members": 1}
    response = client.post("/api/v1/party/organizations", body, content_type="application/json")
    assert response.status_code == 201, response.content
    made = response.json()
    assert made["unit_keys"] == sorted(codes)
    assert made["secretary_name"] != "张建国"  # masked: a street clerk may not see it
    coverage = client.get(f"/api/v1/party/coverage?region_code={DONGHUAMEN}").json()
    after = coverage["total"]
    assert after["organization_covered"] == before["organization_covered"] + 2
    assert after["operating"] == before["operating"]
    assert "operating units" in coverage["definitions"]["organization"]["formula"]
    uncovered = client.get(
        f"/api/v1/party/units?region_code={DONGHUAMEN}&uncovered=organization&page_size=200"
    ).json()
    assert not {u["key"] for u in uncovered["items"]} & set(codes)


def test_the_api_refuses_bad_input_and_hides_what_is_out_of_scope(english):
    client = english("street_staff")
    code = enterprise_code()
    body = branch_values([code], full_members=-1)
    body["units"] = [code]
    response = client.post("/api/v1/party/organizations", body, content_type="application/json")
    assert response.status_code == 422
    xicheng = Unit.objects.get(key=XICHANGANJIE)
    assert client.get(f"/api/v1/party/units/{xicheng.pk}").status_code == 404
    assert client.get(f"/party/units/{xicheng.pk}/").status_code == 404
    assert client.get(f"/api/v1/party/coverage?region_code={XICHANGANJIE}").status_code == 404
    assert english("resident").get("/api/v1/party/coverage").status_code == 403


def test_the_secretary_is_shown_to_whom_the_permission_allows_and_the_reading_audited(
    english, user
):
    unit = enterprise(user("street_staff"))
    made = services.party_organization_create(
        actor=user("street_staff"), values=branch_values([unit.credit_code])
    )
    shown = english("district_admin").get(f"/api/v1/party/organizations/{made.pk}").json()
    assert shown["secretary_name"] == "张建国"
    assert AuditRecord.objects.filter(
        action="personal_information.view", object_id=str(made.pk)
    ).exists()


def _upload(client, kind, text):
    response = client.post(
        "/party/import/",
        {"kind": kind, "file": SimpleUploadedFile("file.csv", text.encode("utf-8"))},
    )
    assert response.status_code == 302, response.content[:300]
    return Job.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def test_an_import_is_all_or_nothing_and_names_each_problem(english):
    client = english("street_staff")
    codes = [enterprise_code(), enterprise_code()]
    header = ",".join(COLUMNS["enterprises"].values())
    bad = (
        f"{header}\n"
        f"导入甲公司,{codes[0]},{DONGHUAMEN},是,30,2\n"
        f"导入乙公司,{codes[1][:-1]}0,{XICHANGANJIE},否,-5,1\n"
    )
    before = Enterprise.objects.count()
    job = _upload(client, "enterprises", bad)
    job.refresh_from_db()
    assert job.status == "failed"
    problems = {(p["row"], p["column"]) for p in job.outcome["problems"]}
    assert {(3, "统一社会信用代码"), (3, "所在街道代码"), (3, "从业人员数")} <= problems
    assert Enterprise.objects.count() == before
    good = (
        f"{header}\n导入甲公司,{codes[0]},{DONGHUAMEN},是,30,2\n"
        f"导入乙公司,{codes[1]},{DONGHUAMEN},是,8,1\n"
    )
    assert _upload(client, "enterprises", good).outcome == {"created": 2}
    branch = (
        ",".join(COLUMNS["organizations"].values())
        + f"\n导入联合党支部,联合党支部,{codes[0]};{codes[1]},3,0,,,"
        + "2024-03-01,2024-03-01,2027-02-28\n"
    )
    assert _upload(client, "organizations", branch).outcome == {"created": 1}
    made = PartyOrganization.objects.get(name="导入联合党支部")
    assert sorted(made.units.values_list("key", flat=True)) == sorted(codes)


def test_exports_use_the_import_columns(english, user):
    client = english("street_staff")
    made = enterprise(user("street_staff"))
    services.party_organization_create(
        actor=user("street_staff"), values=branch_values([made.credit_code])
    )
    response = client.get(f"/party/organizations/?region_code={DONGHUAMEN}&format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(COLUMNS["organizations"].values())
    assert any(row[2] == made.credit_code for row in rows[1:])
    response = client.get(f"/party/units/?region_code={DONGHUAMEN}&uncovered=work&format=xlsx")
    assert response.status_code == 200


def test_the_pages_show_the_arithmetic_and_lead_to_the_uncovered(english, user):
    client = english("street_staff")
    page = client.get("/party/").content.decode()
    assert (
        'data-arithmetic="organization"' in page
        and "?region_code=" in page
        and "uncovered=organization" in page
    )
    units = client.get(f"/party/units/?region_code={DONGHUAMEN}&uncovered=organization")
    assert units.status_code == 200
    for url in (
        "/party/organizations/",
        "/party/organizations/new/",
        "/party/enterprises/",
        "/party/instructors/",
        "/party/warnings/",
        "/party/alliances/",
        "/party/import/",
    ):
        assert client.get(url).status_code == 200, url
    response = client.post(
        "/party/enterprises/",
        {"name": "页面公司", "credit_code": "bad", "region_code": DONGHUAMEN},
    )
    assert response.status_code == 200  # the form again, with the reason
    assert not Enterprise.objects.filter(name="页面公司").exists()


def test_warnings_are_listed_one_kind_at_a_time(english, user):
    client = english("street_staff")
    crowded = enterprise(user("street_staff"), full_members="7")
    answer = client.get("/api/v1/party/warnings?kind=members_without_own").json()
    assert answer["counts"]["members_without_own"] >= 1
    assert {w["kind"] for w in answer["items"]} == {"members_without_own"}
    assert crowded.unit.pk in {w["id"] for w in answer["items"]}
    refused = client.get("/api/v1/party/warnings?kind=everything")
    assert refused.status_code == 422 and "members_without_own" in refused.content.decode()
    page = client.get("/party/warnings/?kind=members_without_own").content.decode()
    assert f'href="/party/units/{crowded.unit.pk}/"' in page
    assert 'aria-current="true"' in page
