"""The service catalogue: loaded idempotently as a version, copied into drafts, published; the
per-community checklist, its coverage by category and region, and who is missing each item."""

import pytest

from shoushan.audit.models import AuditRecord
from shoushan.community import selectors, services
from shoushan.community.models import (
    CatalogueItem,
    CatalogueSubItem,
    CatalogueVersion,
    ChecklistEntry,
)
from shoushan.community.services import ChecklistChange
from shoushan.community.tests.helpers import (
    DONGHUAMEN,
    DUOFU,
    community_data_clear,
    xicheng_community,
)
from shoushan.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from shoushan.regions.models import Region


@pytest.fixture(autouse=True)
def _no_community_data(beijing):
    community_data_clear()


def test_the_reference_catalogue_loads_once(beijing):
    version, created = services.catalogue_load()
    assert created and version.published and version.is_reference
    assert version.categories.count() == 10
    assert CatalogueItem.objects.filter(category__version=version).count() == 60
    subs = CatalogueSubItem.objects.filter(item__category__version=version).count()
    assert subs >= 120
    again, created_again = services.catalogue_load()
    assert again == version and not created_again
    assert CatalogueVersion.objects.count() == 1
    assert CatalogueItem.objects.count() == 60 and CatalogueSubItem.objects.count() == subs


def test_a_draft_is_edited_and_published_while_the_published_version_stays_frozen(user, beijing):
    admin = user("city_admin")
    published, _ = services.catalogue_load()
    with pytest.raises(Conflict):
        services.catalogue_item_save(
            actor=admin, version=published, category_code="01", code="01.01", name="x"
        )
    draft = services.catalogue_version_copy(actor=admin, source=published, name="2027 草案")
    assert not draft.published
    assert CatalogueItem.objects.filter(category__version=draft).count() == 60
    services.catalogue_item_save(
        actor=admin,
        version=draft,
        category_code="03",
        code="03.07",
        name="认知障碍照护",
        life_circle=15,
        sub_items=["筛查", "照护指导"],
    )
    services.catalogue_item_save(
        actor=admin, version=draft, category_code="01", code="01.01", name="就业失业登记"
    )
    assert CatalogueItem.objects.filter(category__version=draft).count() == 61
    assert (
        CatalogueItem.objects.get(category__version=published, code="01.01").name != "就业失业登记"
    )
    duofu = Region.objects.get(code=DUOFU)
    old_item = CatalogueItem.objects.get(category__version=published, code="02.01")
    services.checklist_update(
        actor=admin, community=duofu, changes=[ChecklistChange(old_item.pk, "provided", "窗口")]
    )
    services.catalogue_version_publish(actor=admin, version=draft)
    assert list(CatalogueVersion.objects.filter(published=True)) == [draft]
    carried = ChecklistEntry.objects.get(community=duofu, item__category__version=draft)
    assert (carried.item.code, carried.status, carried.evidence) == ("02.01", "provided", "窗口")
    assert AuditRecord.objects.filter(action="community.catalogue_item_save").count() == 2
    with pytest.raises(Forbidden):
        services.catalogue_version_copy(actor=user("district_admin"), source=draft, name="y")
    with pytest.raises(InvalidInput):
        services.catalogue_version_copy(actor=admin, source=draft, name="2027 草案")


def _items(n):
    version, _ = services.catalogue_load()
    return list(CatalogueItem.objects.filter(category__version=version).order_by("id"))[:n]


def test_checklist_changes_are_audited_and_a_bad_entry_saves_nothing(user, beijing):
    a, b = _items(2)
    duofu = Region.objects.get(code=DUOFU)
    actor = user("community_staff")
    n = services.checklist_update(
        actor=actor,
        community=duofu,
        changes=[
            ChecklistChange(a.pk, "provided", "服务站一楼", "photo.jpg"),
            ChecklistChange(b.pk, "not_provided"),
        ],
    )
    assert n == 2
    same = services.checklist_update(
        actor=actor,
        community=duofu,
        changes=[ChecklistChange(a.pk, "provided", "服务站一楼", "photo.jpg")],
    )
    assert same == 0
    with pytest.raises(InvalidInput):
        services.checklist_update(
            actor=actor,
            community=duofu,
            changes=[ChecklistChange(a.pk, "nearby"), ChecklistChange(b.pk, "maybe")],
        )
    assert ChecklistEntry.objects.get(community=duofu, item=a).status == "provided"
    records = AuditRecord.objects.filter(action="community.checklist_update", region_code=DUOFU)
    assert records.count() == 2
    with pytest.raises(NotFound):
        services.checklist_update(
            actor=actor,
            community=Region.objects.get(code=xicheng_community()),
            changes=[ChecklistChange(a.pk, "provided")],
        )


def test_coverage_by_item_category_and_region_and_the_missing_list(user, beijing):
    admin = user("city_admin")
    version, _ = services.catalogue_load()
    first = version.categories.order_by("order").first()
    items = list(first.items.order_by("order"))
    codes = list(
        Region.objects.filter(parent_id=DONGHUAMEN).order_by("code").values_list("code", flat=True)
    )
    c0, c1, c2 = (Region.objects.get(code=c) for c in codes[:3])
    services.checklist_update(
        actor=admin,
        community=c0,
        changes=[ChecklistChange(i.pk, "provided") for i in items],
    )
    services.checklist_update(
        actor=admin,
        community=c1,
        changes=[
            ChecklistChange(items[0].pk, "nearby"),
            ChecklistChange(items[1].pk, "not_provided"),
        ],
    )
    services.checklist_update(
        actor=admin, community=c2, changes=[ChecklistChange(items[0].pk, "provided")]
    )
    coverage = selectors.catalogue_coverage(admin, version, within=DONGHUAMEN)
    n = len(codes)
    assert coverage["communities"] == n
    cat = coverage["categories"][0]
    first_item = cat.items[0]
    assert (first_item.provided, first_item.nearby, first_item.not_provided) == (2, 1, 0)
    assert first_item.share == pytest.approx(2 / n)
    assert first_item.missing == n - 3
    second = cat.items[1]
    assert (second.provided, second.not_provided, second.unrecorded) == (1, 1, n - 2)
    assert cat.complete == 1  # only c0 provides every item of the category
    regions = dict((r.code, share) for r, _count, share in coverage["regions"])
    assert regions[c0.code] == pytest.approx(len(items) / 60)
    missing = selectors.communities_missing_item(admin, items[0], within=DONGHUAMEN)
    assert set(missing.values_list("code", flat=True)) == set(codes) - {c0.code, c1.code, c2.code}
    district = selectors.catalogue_coverage(admin, version, within="110101000000")
    shares = dict((r.code, share) for r, _count, share in district["regions"])
    provided_pairs = len(items) + 1  # c0 all items of the category, c2 one
    assert shares[DONGHUAMEN] == pytest.approx(provided_pairs / (n * 60))


def test_evidence_is_an_uploaded_file_served_only_inside_the_scope(
    user, beijing, login, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    (a,) = _items(1)
    duofu = Region.objects.get(code=DUOFU)
    client = login("community_staff")
    scan = SimpleUploadedFile("收据.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
    client.post(
        f"/community/{DUOFU}/checklist/",
        {f"status_{a.pk}": "provided", f"file_{a.pk}": scan},
    )
    entry = ChecklistEntry.objects.get(community=duofu, item=a)
    assert entry.evidence_file.name.endswith(f"{DUOFU}-{a.code}.pdf")
    url = f"/community/{DUOFU}/checklist/{a.pk}/evidence/"
    assert b"".join(client.get(url).streaming_content) == b"%PDF-1.4 evidence"
    assert login("street_staff_2").get(url).status_code == 404  # another street's community
    fake = SimpleUploadedFile("x.pdf", b"MZ not a pdf", content_type="application/pdf")
    with pytest.raises(InvalidInput) as refused:
        services.checklist_update(
            actor=user("community_staff"),
            community=duofu,
            changes=[ChecklistChange(a.pk, "provided", evidence_file=fake)],
        )
    assert "x.pdf" in refused.value.details[0]["message"]
    audit = AuditRecord.objects.filter(action="community.checklist_update").latest("pk")
    assert "evidence_file" in audit.changes
