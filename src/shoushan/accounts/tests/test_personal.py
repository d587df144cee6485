from shoushan.audit.models import AuditRecord


def test_street_staff_see_masked_personal_information_everywhere(login, user):
    client = login("street_staff")
    inside = user("community_staff")
    page = client.get(f"/accounts/users/{inside.pk}/").content.decode()
    assert "138****0004" in page and inside.phone not in page
    assert inside.id_number[:6] + "********" + inside.id_number[-4:] in page
    api = client.get(f"/api/v1/accounts/users/{inside.pk}").json()
    assert api["phone"] == "138****0004" and "*" in api["id_number"]
    export = client.get("/accounts/users/export.csv").content.decode("utf-8-sig")
    assert inside.phone not in export and "138****0004" in export
    assert not AuditRecord.objects.filter(action="personal_information.view").exists()


def test_a_permitted_viewer_sees_values_and_each_read_is_audited(login, user):
    client = login("district_admin")
    inside = user("community_staff")
    page = client.get(f"/accounts/users/{inside.pk}/").content.decode()
    assert inside.phone in page and inside.id_number in page
    assert client.get(f"/api/v1/accounts/users/{inside.pk}").json()["phone"] == inside.phone
    export = client.get("/accounts/users/export.csv").content.decode("utf-8-sig")
    assert inside.phone in export
    reads = AuditRecord.objects.filter(action="personal_information.view", object_id=str(inside.pk))
    assert sorted(r.changes["purpose"] for r in reads) == ["api", "page"]
    assert all(r.actor_name == "district_admin" for r in reads)
    assert all(r.region_code == "110101001001" for r in reads)
    # the export, a list, is one record naming every account it showed
    (export_read,) = AuditRecord.objects.filter(
        action="personal_information.view", changes__purpose="export"
    )
    assert inside.pk in export_read.changes["ids"] and export_read.object_id == ""
    assert export_read.region_code.startswith("110101")


def test_a_list_page_writes_one_record_per_viewing_not_per_row(login):
    client = login("district_admin")
    before = AuditRecord.objects.filter(action="personal_information.view").count()
    client.get("/accounts/users/")
    reads = AuditRecord.objects.filter(action="personal_information.view")
    assert reads.count() == before + 1 and len(reads.latest("pk").changes["ids"]) >= 2
