import pytest

from shoushan.accounts.services import user_create
from shoushan.audit.models import AuditRecord
from shoushan.core.errors import InvalidInput


def test_creating_an_account_is_audited_with_personal_fields_masked(user):
    actor = user("district_admin")
    created = user_create(
        actor=actor,
        username="wangfang",
        password="A-long-enough-pass",
        role="community_staff",
        full_name="王芳",
        phone="13912345678",
        id_number="11010519491231002X",
        scope_codes=["110101002001"],
    )
    record = AuditRecord.objects.get(action="user.create", object_id=str(created.pk))
    assert record.actor_name == "district_admin"
    assert record.region_code == "110101002001"
    assert record.changes["phone"] == "139****5678"
    assert record.changes["id_number"] == "110105********002X"
    assert record.changes["scopes"] == ["110101002001"]


def test_bad_input_creates_nothing_and_says_why(user):
    before = (AuditRecord.objects.count(), user("city_admin").__class__.objects.count())
    with pytest.raises(InvalidInput) as error:
        user_create(
            actor=user("district_admin"),
            username="x1",
            password="A-long-enough-pass",
            role="community_staff",
            phone="12345",
            id_number="110105194912310021",
            scope_codes=["110102001001"],  # 西城区: outside 东城区's scope
        )
    assert set(error.value.details) == {"phone", "id_number", "scope_codes"}
    after = (AuditRecord.objects.count(), user("city_admin").__class__.objects.count())
    assert after == before


def test_audit_records_are_append_only(beijing):
    record = AuditRecord.objects.first()
    record.action = "tampered"
    with pytest.raises(ValueError, match="append-only"):
        record.save()


def test_the_audit_page_filters_by_action_and_exports_csv(login):
    client = login("city_admin")
    page = client.get("/audit/", {"action": "user.create"}).content.decode()
    assert "user.create" in page and "regions.load" not in page.split("<tbody>")[1]
    export = client.get("/audit/export.csv", {"action": "regions.load"})
    assert export["Content-Type"].startswith("text/csv")
    lines = export.content.decode("utf-8-sig").splitlines()
    assert len(lines) >= 2 and all("regions.load" in line for line in lines[1:])


def test_the_audit_api_filters_by_time_and_refuses_what_is_not_a_time(login):
    client = login("city_admin")
    everything = client.get("/api/v1/audit", {"page_size": 200}).json()["count"]
    assert (
        client.get("/api/v1/audit", {"since": "2000-01-01T00:00:00"}).json()["count"] == everything
    )
    assert client.get("/api/v1/audit", {"until": "2000-01-01T00:00:00+08:00"}).json()["count"] == 0
    for bad in ("0.5", "", "yesterday"):
        response = client.get("/api/v1/audit", {"until": bad})
        assert response.status_code == 422, bad
        assert "until" in response.json()["detail"]
    assert client.get("/api/v1/audit", {"page_size": 201}).status_code == 422
    assert client.get("/api/v1/audit", {"page": 0}).status_code == 422


def test_times_with_unusual_offsets_or_far_years_are_handled(login):
    client = login("city_admin")
    odd = client.get("/api/v1/audit", {"until": "5852-12-12T12:34:01+21:56"})
    assert odd.status_code == 200
    ancient = client.get("/api/v1/audit", {"since": "0001-01-01T00:30:00+23:59"})
    assert ancient.status_code in (200, 422)


def test_impossible_dates_are_explained_not_a_server_error(login):
    client = login("city_admin")
    for bad in ("2026-13-45", "2026-02-30", "abc"):
        page = client.get("/audit/", {"since": bad})
        assert page.status_code == 200 and "不是日期" in page.content.decode()
        assert client.get("/audit/export.csv", {"until": bad}).status_code == 422


def test_exports_cannot_smuggle_spreadsheet_formulas(login, user):
    from shoushan.accounts.services import api_token_create

    api_token_create(actor=user("city_admin"), name='=HYPERLINK("http://x.example","y")')
    export = login("city_admin").get("/audit/export.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in export
    assert "\n=HYPERLINK" not in export and ",=HYPERLINK" not in export


def test_signed_in_pages_are_never_cached(login):
    response = login("district_admin").get("/accounts/users/")
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
