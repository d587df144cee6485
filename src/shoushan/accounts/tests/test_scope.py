"""A street account sees its own street's records and nothing else — on pages, API and exports."""

import pytest

from shoushan.accounts.models import User
from shoushan.accounts.scope import scope_filter
from shoushan.audit.models import AuditRecord


@pytest.fixture
def own_and_other(user):
    """An audit record filed in 东华门街道 (the street account's) and one in 景山街道."""
    own = AuditRecord.objects.filter(region_code__startswith="110101001").first()
    other = AuditRecord.objects.filter(region_code__startswith="110101002").first()
    assert own is not None and other is not None
    return own, other


def test_the_helper_keeps_only_codes_under_the_scope(user):
    street = user("street_staff")
    codes = set(
        scope_filter(AuditRecord.objects.all(), street).values_list("region_code", flat=True)
    )
    assert codes and all(c.startswith("110101001") for c in codes)
    assert scope_filter(AuditRecord.objects.all(), user("resident")).count() == 0


def test_audit_pages_show_only_the_streets_records(login, own_and_other):
    own, other = own_and_other
    client = login("street_staff")
    listing = client.get("/audit/").content.decode()
    assert f"/audit/{own.pk}/" in listing and f"/audit/{other.pk}/" not in listing
    assert client.get(f"/audit/{own.pk}/").status_code == 200
    assert client.get(f"/audit/{other.pk}/").status_code == 404


def test_audit_api_shows_only_the_streets_records(login, own_and_other):
    own, other = own_and_other
    client = login("street_staff")
    items = client.get("/api/v1/audit", {"page_size": 200}).json()["items"]
    assert {r["region_code"][:9] for r in items} == {"110101001"}
    assert client.get(f"/api/v1/audit/{own.pk}").status_code == 200
    assert client.get(f"/api/v1/audit/{other.pk}").status_code == 404


def test_audit_export_holds_only_the_streets_records(login, own_and_other):
    client = login("street_staff")
    rows = client.get("/audit/export.csv").content.decode("utf-8-sig").splitlines()[1:]
    assert rows and all(",110101001" in row for row in rows)
    assert not any("110101002" in row for row in rows)


def test_account_pages_api_and_export_show_only_accounts_in_the_street(login, user):
    client = login("street_staff")
    neighbour = user("street_staff_2")  # 景山街道
    inside = user("community_staff")  # 多福巷社区, inside 东华门街道
    listing = client.get("/accounts/users/").content.decode()
    assert "community_staff" in listing and "street_staff_2" not in listing
    assert client.get(f"/accounts/users/{inside.pk}/").status_code == 200
    assert client.get(f"/accounts/users/{neighbour.pk}/").status_code == 404
    api = client.get("/api/v1/accounts/users").json()
    assert "street_staff_2" not in {u["username"] for u in api["items"]}
    assert client.get(f"/api/v1/accounts/users/{neighbour.pk}").status_code == 404
    export = client.get("/accounts/users/export.csv").content.decode("utf-8-sig")
    assert "community_staff" in export and "street_staff_2" not in export
    assert "district_admin" not in export  # above the street: not inside its scope


def test_a_district_sees_all_its_streets_and_the_city_sees_everything(login):
    district = login("district_admin").get("/api/v1/accounts/users", {"page_size": 200}).json()
    names = {u["username"] for u in district["items"]}
    assert {"street_staff", "street_staff_2", "community_staff"} <= names
    assert "city_admin" not in names
    city = login("city_admin").get("/api/v1/accounts/users", {"page_size": 200}).json()
    assert city["count"] == User.objects.count()  # residents and researchers have no scope


def test_records_tied_to_no_region_are_seen_at_the_top_level_only(login):
    from django.test import Client

    for _ in range(5):  # lock out a name that is no account: its audit record has no region
        Client().post("/accounts/login/", {"username": "nobody", "password": "wrong-password"})
    lock = AuditRecord.objects.get(action="account.lock", object_repr="nobody")
    assert lock.region_code == ""
    assert login("city_admin").get(f"/api/v1/audit/{lock.pk}").status_code == 200
    assert login("district_admin").get(f"/api/v1/audit/{lock.pk}").status_code == 404
    resident = User.objects.get(username="resident")
    assert login("city_admin").get(f"/accounts/users/{resident.pk}/").status_code == 200
    assert login("district_admin").get(f"/accounts/users/{resident.pk}/").status_code == 404


def test_roles_without_the_permission_are_refused_the_lists(login):
    client = login("grid_worker")
    assert client.get("/audit/").status_code == 403
    assert client.get("/api/v1/audit").status_code == 403
    assert client.get("/api/v1/accounts/users").status_code == 403
