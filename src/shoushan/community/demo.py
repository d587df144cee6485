"""Demo data of the community system, built on the real divisions and marked as generated:
profiles (figures made up), checklist entries and facilities placed near each community's point.
The reference catalogue is loaded (it is data the project ships, not generated). Safe to run
again: what exists is not made twice."""

import math
import random
from datetime import date
from decimal import Decimal

from django.db import transaction

from shoushan.audit.services import audit_record
from shoushan.community.models import (
    CatalogueItem,
    ChecklistEntry,
    ChecklistStatus,
    CommunityProfile,
    Facility,
    FacilitySource,
)
from shoushan.community.selectors import standards_rule
from shoushan.community.services import catalogue_load
from shoushan.regions.codes import significant_prefix
from shoushan.regions.models import Level, Region

DEMO_DISTRICTS = ("110101000000", "110102000000")  # 东城区, 西城区
FACILITY_NAMES = {
    "grocery": "社区菜店",
    "food": "早餐店",
    "health": "社区卫生服务站",
    "elderly_care": "养老服务驿站",
    "education": "幼儿园",
    "sports": "健身场地",
    "culture": "文化活动室",
    "post": "快递驿站",
    "daily_services": "便民维修点",
    "community_service": "社区服务站",
}


@transaction.atomic
def community_demo_create(
    *, district_codes: list[str] | None = None, staff_counts: dict[str, int] | None = None
) -> dict[str, int]:
    """Profiles, checklists and facilities for the communities of the demo districts (东城区 and
    西城区 unless others are given). A profile's staff is the community's count in
    `staff_counts` (the workforce register's generated workers in post) where it has one, so
    that the two pages agree. Returns the counts created."""
    version, _new = catalogue_load()
    rule = standards_rule()
    item_codes = [i["code"] for i in rule.standardisation_items]
    codes = district_codes or list(DEMO_DISTRICTS)
    communities = []
    for code in codes:
        communities += list(
            Region.objects.filter(
                level=Level.COMMUNITY, code__startswith=significant_prefix(code)
            ).defer("boundary")
        )
    have = set(
        CommunityProfile.objects.filter(region__in=communities).values_list("region_id", flat=True)
    )
    staff_counts = staff_counts or {}
    profiles = [
        _profile(c, item_codes, staff_counts.get(c.code)) for c in communities if c.code not in have
    ]
    CommunityProfile.objects.bulk_create(profiles, batch_size=1000)

    items = list(CatalogueItem.objects.filter(category__version=version))
    recorded = set(
        ChecklistEntry.objects.filter(
            community__in=communities, item__category__version=version
        ).values_list("community_id", flat=True)
    )
    entries = [
        entry for c in communities if c.code not in recorded for entry in _checklist(c, items)
    ]
    ChecklistEntry.objects.bulk_create(entries, batch_size=2000)

    placed = set(
        Facility.objects.filter(
            source=FacilitySource.GENERATED, community__in=communities
        ).values_list("community_id", flat=True)
    )
    by_category = {}
    for item in items:
        if item.facility_category:
            by_category.setdefault(item.facility_category, item)
    facilities = [
        f
        for c in communities
        if c.code not in placed and c.longitude is not None
        for f in _facilities(c, by_category)
    ]
    Facility.objects.bulk_create(facilities, batch_size=2000)
    counts = {
        "profiles": len(profiles),
        "checklist_entries": len(entries),
        "facilities": len(facilities),
    }
    if any(counts.values()):
        audit_record(
            actor=None,
            action="community.demo_create",
            object_type="community.communityprofile",
            object_repr="demo",
            changes=counts,
        )
    return counts


def _rng(code: str, salt: str) -> random.Random:
    return random.Random(f"{salt}:{code}")


def _profile(community: Region, item_codes: list[str], staff: int | None) -> CommunityProfile:
    r = _rng(community.code, "profile")
    households = r.randint(1200, 4800)
    village = community.kind == "村"
    met = [c for c in item_codes if r.random() < 0.95]
    return CommunityProfile(
        region=community,
        households=households,
        population=int(households * r.uniform(2.2, 2.9)),
        premises_m2=Decimal(r.choice([r.randint(150, 349), *[r.randint(350, 900)] * 5])),
        staff_count=r.choice([0, *[r.randint(6, 18)] * 12]) if staff is None else staff,
        annual_funds=None if r.random() < 0.04 else Decimal(r.randint(8, 40) * 10_000),
        built_on=date(r.randint(1985, 2022), r.randint(1, 12), r.randint(1, 28)),
        standardisation_items=met,
        office_phone=f"010-{r.randint(6000, 8999)}{r.randint(1000, 9999)}",
        secretary_name="" if village else "演示" + r.choice("王李张刘陈杨赵黄周吴"),
        generated=True,
    )


def _checklist(community: Region, items: list[CatalogueItem]) -> list[ChecklistEntry]:
    r = _rng(community.code, "checklist")
    out = []
    for item in items:
        x = r.random()
        if x < 0.72:
            status = ChecklistStatus.PROVIDED
        elif x < 0.87:
            status = ChecklistStatus.NEARBY
        elif x < 0.97:
            status = ChecklistStatus.NOT_PROVIDED
        else:
            continue  # not recorded
        out.append(
            ChecklistEntry(
                community=community,
                item=item,
                status=status,
                evidence="演示数据（生成）" if status != ChecklistStatus.NOT_PROVIDED else "",
                generated=True,
            )
        )
    return out


def _facilities(community: Region, by_category: dict[str, CatalogueItem]) -> list[Facility]:
    """Six to ten facilities of different categories within about 400 m of the community's
    point (real or estimated)."""
    r = _rng(community.code, "facilities")
    categories = r.sample(sorted(by_category), k=min(len(by_category), r.randint(6, 10)))
    short = community.name.removesuffix("居委会").removesuffix("村委会")
    out = []
    for category in categories:
        distance, bearing = r.uniform(30, 400), r.uniform(0, 2 * math.pi)
        d_lat = distance * math.cos(bearing) / 110_540
        d_lon = (
            distance * math.sin(bearing) / (111_320 * math.cos(math.radians(community.latitude)))
        )
        out.append(
            Facility(
                external_id=f"demo-{community.code}-{category}",
                name=f"演示·{short}{FACILITY_NAMES.get(category, category)}",
                category=category,
                item=by_category[category],
                longitude=round(community.longitude + d_lon, 7),
                latitude=round(community.latitude + d_lat, 7),
                hours="08:30-17:30",
                provider="演示数据（生成）",
                community=community,
                region_code=community.code,
                source=FacilitySource.GENERATED,
            )
        )
    return out
