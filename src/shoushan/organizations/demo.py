"""The demo registry. Where SHOUSHAN_SHARED_DATA holds Beijing's open data on social organisations
(it may not be shipped: read from there, never copied), the demo loads the real lists: the
civil-affairs bureau's seriously dishonest list and abnormal-activity list, Haidian's district
ratings, and the member lists of two city hubs (市科协's societies, 市社科联's societies and
research institutes). Each record says its source; what a list does not publish (a registration
date, a rating's date) stays empty and the pages say so.

Generated organisations fill every demo district's streets — with inspections, a few list
entries and grades — and each district gets a generated hub, an incubation centre and
commercial buildings with workstations. Every generated record is marked generated."""

import csv
import random
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shoushan.core.validators import credit_code_check_character, is_valid_credit_code
from shoushan.organizations import codes, rules
from shoushan.organizations.models import (
    AnnualInspection,
    BuildingTenant,
    BuildingWorkstation,
    CommercialBuilding,
    CreditList,
    CreditListEntry,
    Field,
    HubLevel,
    HubMembership,
    HubOrganization,
    Incubation,
    IncubationOutcome,
    Incubator,
    IncubatorKind,
    InspectionResult,
    OrganizationKind,
    OrganizationStatus,
    Rating,
    SocialOrganization,
    StatusEvent,
    StatusEventKind,
    TenantKind,
    WorkstationService,
)
from shoushan.regions.models import Level, Region

CITY = "110000000000"
FOLDER = "social_orgs"
PUBLISHER = "北京市民政局"
PORTAL = "北京市公共数据开放平台"
DISHONEST = "beijing_social_org_blacklist.csv"
ABNORMAL = "bj_social_org_abnormal_activity_list.csv"
HAIDIAN_RATINGS = "haidian_social_org_ratings.csv"
CAST_SOCIETIES = "bj_cast_affiliated_societies.csv"
SKL_SOCIETIES = "bj_skl_social_science_societies.csv"
SKL_INSTITUTES = "bj_skl_private_research_institutes.csv"
GENERATED = "演示数据（生成）"


def shared_file(name: str) -> Path | None:
    path = settings.SHARED_DATA_DIR / FOLDER / name
    return path if path.exists() else None


def _rows(name: str) -> list[dict[str, str]]:
    path = shared_file(name)
    if path is None:
        return []
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _day_first(text: str) -> date | None:
    """The bureau's D/M/YYYY 00:00:00."""
    text = text.strip().split(" ")[0]
    if not text:
        return None
    day, month, year = (int(p) for p in text.split("/"))
    return date(year, month, day)


def _authority_of(code: str) -> str:
    division = codes.division_of(code)
    return CITY if division == "110000" else division + "000000"


class _Registry:
    """Organisations of the published lists, one record per code (or per name, without one)."""

    def __init__(self) -> None:
        self.by_key: dict[str, SocialOrganization] = {
            o.credit_code or o.name: o
            for o in SocialOrganization.objects.filter(is_generated=False)
        }

    def get(self, name: str, code: str, *, source: str, kind: str | None = None):
        code = code.strip().upper()
        if code and not is_valid_credit_code(code):
            code = ""
        key = code or name.strip()
        if key in self.by_key:
            return self.by_key[key]
        authority = _authority_of(code) if code else CITY
        organization = SocialOrganization.objects.create(
            name=name.strip().replace("\n", "")[:200],
            credit_code=code,
            kind=(codes.kind_of(code) if code else None) or kind or OrganizationKind.SOCIAL_GROUP,
            authority_code=authority,
            region_code=authority,
            source=source[:200],
        )
        self.by_key[key] = organization
        return organization


def real_lists_load() -> dict[str, int]:
    """The published lists in SHOUSHAN_SHARED_DATA, once; {} when the folder is not there."""
    if (
        not shared_file(DISHONEST)
        or CreditListEntry.objects.filter(organization__is_generated=False).exists()
    ):
        return {}
    counts: dict[str, int] = defaultdict(int)
    with transaction.atomic():
        registry = _Registry()
        dishonest_source = f"{PUBLISHER}·社会组织严重违法失信名单（{PORTAL}）"
        for row in _rows(DISHONEST):
            organization = registry.get(
                row["社会组织名称"], row["统一社会信用代码"], source=dishonest_source
            )
            exited = _day_first(row["移出时间"])
            exit_reason = row["移出事由"] or ("（名单未载移出事由）" if exited else "")
            CreditListEntry.objects.create(
                organization=organization,
                list=CreditList.DISHONEST,
                entered_on=_day_first(row["列入时间"]),
                entry_reason=f"列入事由代码 {row['列入事由']}（代码表未公布）",
                exited_on=exited,
                exit_reason=exit_reason,
                source=dishonest_source,
            )
            counts["dishonest"] += 1
            if row["移出事由"] == "已完成注销登记" and exited:
                _status(organization, StatusEventKind.DEREGISTER, exited, "已完成注销登记")
        abnormal_source = f"{PUBLISHER}·社会组织活动异常名录（{PORTAL}）"
        seen = set()
        for row in _rows(ABNORMAL):
            key = (row["entity_name"], row["credit_code"])
            if key in seen:  # the published file repeats some entries
                continue
            seen.add(key)
            organization = registry.get(
                row["entity_name"], row["credit_code"], source=abnormal_source
            )
            CreditListEntry.objects.create(
                organization=organization,
                list=CreditList.ABNORMAL,
                entered_on=None,
                entry_reason="列入活动异常名录（公开数据未载列入日期与事由）",
                source=abnormal_source,
            )
            counts["abnormal"] += 1
        ratings_source = f"海淀区·区级社会组织评估等级结果（{PORTAL}）"
        for row in _rows(HAIDIAN_RATINGS):
            organization = registry.get(
                row["社会组织名称"], row["统一社会信用代码"], source=ratings_source
            )
            grade = row["等级"][:1]
            if grade.isdigit():
                Rating.objects.create(
                    organization=organization,
                    grade=int(grade),
                    awarded_on=None,
                    valid_until=None,
                    authority="海淀区民政局",
                    source=ratings_source + "（未载评定日期）",
                )
                counts["ratings"] += 1
        counts["members"] = _real_hubs_load(registry)
        counts["organizations"] = len(registry.by_key)
    return dict(counts)


def _status(organization: SocialOrganization, kind: str, on: date, reason: str) -> None:
    status = {
        StatusEventKind.DEREGISTER: OrganizationStatus.DEREGISTERED,
        StatusEventKind.REVOKE: OrganizationStatus.REVOKED,
        StatusEventKind.SUSPEND: OrganizationStatus.SUSPENDED,
    }[kind]
    StatusEvent.objects.create(
        organization=organization, kind=kind, on=on, status=status, reason=reason
    )
    organization.status = status
    organization.save(update_fields=["status"])


def _real_hubs_load(registry: _Registry) -> int:
    """Two city hubs with their published member lists. Membership is known as of the list's
    date (市科协's list is dated 1 July 2024); the 市社科联 lists carry no date."""
    members = 0
    cast_rows = _rows(CAST_SOCIETIES)
    if cast_rows:
        hub = HubOrganization.objects.create(
            name="北京市科学技术协会",
            level=HubLevel.CITY,
            region_code=CITY,
            field="科技",
            batch=1,
            note="成员据市科协公布的所属自然科学类学会、协会、基金会名单（更新于2024-07-01）。",
        )
        source = f"市科协·所属自然科学类学会协会基金会名单（{PORTAL}）"
        kinds = {
            "基金会": OrganizationKind.FOUNDATION,
            "民办非企业单位（组织）": OrganizationKind.SOCIAL_SERVICE,
        }
        for row in cast_rows:
            organization = registry.get(
                row["学会名称"], "", source=source, kind=kinds.get(row["分类"])
            )
            if not organization.legal_representative and row["法人"]:
                organization.legal_representative = row["法人"]  # published masked
                organization.field = Field.SCIENCE
                organization.save(update_fields=["legal_representative", "field"])
            HubMembership.objects.create(
                hub=hub, organization=organization, joined_on=date(2024, 7, 1)
            )
            members += 1
    skl = _rows(SKL_SOCIETIES) + _rows(SKL_INSTITUTES)
    if skl:
        hub = HubOrganization.objects.create(
            name="北京市社会科学界联合会",
            level=HubLevel.CITY,
            region_code=CITY,
            field="社会科学",
            batch=1,
            note="成员据市社科联公布的所属社科类社会团体与民办社科研究机构名单（未载日期）。",
        )
        source = f"市社科联·所属社科类社会团体与民办社科研究机构名单（{PORTAL}）"
        institutes = {r["名称"] for r in _rows(SKL_INSTITUTES)}
        for row in skl:
            kind = OrganizationKind.SOCIAL_SERVICE if row["名称"] in institutes else None
            organization = registry.get(row["名称"], "", source=source, kind=kind)
            organization.field = Field.SCIENCE
            organization.save(update_fields=["field"])
            HubMembership.objects.create(
                hub=hub, organization=organization, joined_on=date(2024, 1, 1)
            )
            members += 1
    return members


# ---- generated ----------------------------------------------------------------------------------

PREFIXES = ("阳光", "和美", "同心", "邻里", "安康", "启航", "心语", "益行", "乐龄", "春晖")
KIND_NAMES = {
    OrganizationKind.SOCIAL_SERVICE: (
        "社会工作服务中心",
        "养老服务中心",
        "青少年服务中心",
        "社区服务中心",
    ),
    OrganizationKind.SOCIAL_GROUP: ("志愿者协会", "文化体育协会", "商会", "老年协会"),
    OrganizationKind.FOUNDATION: ("公益基金会",),
}
FIELDS = {
    "社会工作服务中心": Field.SOCIAL_SERVICE,
    "养老服务中心": Field.SOCIAL_SERVICE,
    "青少年服务中心": Field.EDUCATION,
    "社区服务中心": Field.SOCIAL_SERVICE,
    "志愿者协会": Field.SOCIAL_SERVICE,
    "文化体育协会": Field.CULTURE,
    "商会": Field.BUSINESS,
    "老年协会": Field.SOCIAL_SERVICE,
    "公益基金会": Field.SOCIAL_SERVICE,
}
BUILDINGS = ("国际大厦", "金融中心", "科技大厦", "商务中心", "广场写字楼")
SERVICES = ("政策宣讲会", "楼宇青年联谊", "法律咨询进楼宇", "职工心理健康讲座", "志愿服务日")


def _generated_code(kind: str, division: str, serial: int) -> str:
    first17 = f"5{codes.TYPE_CHARACTER[kind]}{division}MJY{serial:06d}"
    return first17 + credit_code_check_character(first17)


def demo_organizations_create(*, district_codes, per_street: int = 3, seed: int = 17) -> dict:
    """Generated organisations in the districts' streets, with their years, unless there are
    some; and the real lists when SHOUSHAN_SHARED_DATA holds them."""
    counts: dict = {"real": real_lists_load()}
    if SocialOrganization.objects.filter(is_generated=True).exists():
        return counts
    rng = random.Random(seed)
    today = timezone.localdate()
    districts = list(Region.objects.filter(code__in=district_codes).order_by("code"))
    streets: dict[str, list[Region]] = defaultdict(list)
    for street in Region.objects.filter(level=Level.STREET, parent_id__in=district_codes).order_by(
        "code"
    ):
        streets[street.parent_id].append(street)
    serial = SocialOrganization.objects.count() + 1
    made: list[SocialOrganization] = []
    with transaction.atomic():
        for district in districts:
            for street in streets[district.code]:
                for _i in range(per_street):
                    kind = rng.choices(list(KIND_NAMES), weights=(55, 40, 5), k=1)[0]
                    authority = CITY if kind == OrganizationKind.FOUNDATION else district.code
                    suffix = rng.choice(KIND_NAMES[kind])
                    place = street.name.removesuffix("街道").removesuffix("地区")
                    made.append(
                        SocialOrganization(
                            name=f"北京市{district.name}{place}{rng.choice(PREFIXES)}{suffix}",
                            credit_code=_generated_code(kind, authority[:6], serial),
                            kind=kind,
                            authority_code=authority,
                            region_code=street.code,
                            field=FIELDS[suffix],
                            business_scope="为辖区居民提供服务（演示）",
                            registered_on=date(
                                rng.randint(2008, 2023), rng.randint(1, 12), rng.randint(1, 28)
                            ),
                            legal_representative=rng.choice("王李张刘陈杨赵黄周吴")
                            + rng.choice(("建华", "秀英", "志强", "丽娟", "海涛")),
                            contact_phone=f"139{rng.randint(0, 99999999):08d}",
                            source=GENERATED,
                            is_generated=True,
                        )
                    )
                    serial += 1
        made = SocialOrganization.objects.bulk_create(made)
        made = list(SocialOrganization.objects.filter(is_generated=True).order_by("pk"))
        events, inspections, entries, ratings = [], [], [], []
        for organization in made:
            registered = organization.registered_on
            events.append(
                StatusEvent(
                    organization=organization,
                    kind=StatusEventKind.REGISTER,
                    on=registered,
                    status=OrganizationStatus.REGISTERED,
                )
            )
            last_year = today.year - 1
            for year in range(max(registered.year, today.year - 5), last_year + 1):
                due = rules.report_due(organization.kind, year)
                if due >= today:
                    continue  # not due yet
                if year == last_year and rng.random() < 0.06:
                    continue  # this year's report missing: overdue
                result = rng.choices(
                    (
                        InspectionResult.PASSED,
                        InspectionResult.BASICALLY_PASSED,
                        InspectionResult.FAILED,
                    ),
                    weights=(86, 10, 4),
                    k=1,
                )[0]
                decided = due + timedelta(days=rng.randint(10, 60))
                if decided > today:
                    decided = today
                submitted = due - timedelta(days=rng.randint(5, 60))
                rectified = None
                outcome = ""
                if result != InspectionResult.PASSED and rules.months_later(decided, 3) < today:
                    outcome = "rectified" if rng.random() < 0.8 else "not_rectified"
                    rectified = rules.months_later(decided, 3)
                inspections.append(
                    AnnualInspection(
                        organization=organization,
                        year=year,
                        due_on=due,
                        submitted_on=submitted,
                        result=result,
                        decided_on=decided,
                        rectification_due=rules.months_later(decided, 3)
                        if result != InspectionResult.PASSED
                        else None,
                        rectification_outcome=outcome,
                        rectified_on=rectified,
                    )
                )
            if rng.random() < 0.03:
                entries.append(
                    CreditListEntry(
                        organization=organization,
                        list=CreditList.ABNORMAL,
                        entered_on=today - timedelta(days=rng.randint(30, 400)),
                        entry_reason="未按规定报送年度工作报告（演示）",
                        source=GENERATED,
                    )
                )
            if registered.year <= today.year - 3 and rng.random() < 0.25:
                awarded = date(
                    rng.randint(max(registered.year + 2, today.year - 6), today.year - 1), 12, 1
                )
                if awarded < today:
                    ratings.append(
                        Rating(
                            organization=organization,
                            grade=rng.choices((5, 4, 3, 2, 1), weights=(8, 20, 50, 15, 7), k=1)[0],
                            awarded_on=awarded,
                            valid_until=rules.rating_valid_until(awarded),
                            authority="评估委员会（演示）",
                            source=GENERATED,
                        )
                    )
        StatusEvent.objects.bulk_create(events)
        AnnualInspection.objects.bulk_create(inspections)
        CreditListEntry.objects.bulk_create(entries)
        Rating.objects.bulk_create(ratings)
        counts.update(
            organizations=len(made),
            inspections=len(inspections),
            list_entries=len(entries),
            ratings=len(ratings),
        )
        by_district: dict[str, list[SocialOrganization]] = defaultdict(list)
        for organization in made:
            by_district[organization.region_code[:6] + "000000"].append(organization)
        for district in districts:
            counts.setdefault("hubs", 0)
            counts["hubs"] += 1
            _district_hub(district, by_district[district.code], rng)
            _district_incubator(district, by_district[district.code], rng, today)
            counts["buildings"] = counts.get("buildings", 0) + _buildings(
                district, streets[district.code], rng, today
            )
    return counts


def _district_hub(district: Region, members: list[SocialOrganization], rng: random.Random) -> None:
    hub = HubOrganization.objects.create(
        name=f"{district.name}社会组织联合会（演示）",
        level=HubLevel.DISTRICT,
        region_code=district.code,
        field="综合",
        recognised_on=date(2015, 6, 1),
        is_generated=True,
        note=GENERATED,
    )
    HubMembership.objects.bulk_create(
        HubMembership(
            hub=hub,
            organization=o,
            joined_on=max(o.registered_on, date(2015, 6, 1)) + timedelta(days=rng.randint(0, 200)),
        )
        for o in members
        if o.kind != OrganizationKind.FOUNDATION and rng.random() < 0.5
    )


def _district_incubator(
    district: Region, organizations: list[SocialOrganization], rng: random.Random, today: date
) -> None:
    incubator = Incubator.objects.create(
        name=f"{district.name}社会组织孵化中心（演示）",
        kind=IncubatorKind.CENTRE,
        region_code=district.code,
        operator=f"{district.name}社会组织服务中心",
        opened_on=date(2012, 9, 1),
        is_generated=True,
    )
    graduates = [o for o in organizations if o.registered_on and o.registered_on.year >= 2016][:2]
    for organization in graduates:
        Incubation.objects.create(
            incubator=incubator,
            name=organization.name,
            field=organization.field,
            entered_on=organization.registered_on - timedelta(days=rng.randint(200, 400)),
            exited_on=organization.registered_on,
            outcome=IncubationOutcome.REGISTERED,
            organization=organization,
            is_generated=True,
        )
    for name, outcome in (
        ("社区睦邻互助队", IncubationOutcome.IN_PROGRESS),
        ("楼门文化小组", IncubationOutcome.LEFT),
        ("青年创益团队", IncubationOutcome.FAILED),
    ):
        entered = today - timedelta(days=rng.randint(100, 700))
        Incubation.objects.create(
            incubator=incubator,
            name=f"{district.name}{name}（演示）",
            field=Field.SOCIAL_SERVICE,
            entered_on=entered,
            exited_on=None
            if outcome == IncubationOutcome.IN_PROGRESS
            else entered + timedelta(days=90),
            outcome=outcome,
            is_generated=True,
        )


def _buildings(district: Region, streets: list[Region], rng: random.Random, today: date) -> int:
    made = 0
    for street in streets:
        if street.kind and street.kind != "街道":
            continue  # towns: few office buildings
        for _i in range(rng.choice((0, 1, 1, 2))):
            lon = (street.longitude or 116.4) + rng.uniform(-0.004, 0.004)
            lat = (street.latitude or 39.9) + rng.uniform(-0.004, 0.004)
            place = street.name.removesuffix("街道")
            building = CommercialBuilding.objects.create(
                name=f"{place}{rng.choice(BUILDINGS)}（演示）",
                address=f"{district.name}{street.name}（演示地址）",
                region_code=street.code,
                longitude=lon,
                latitude=lat,
                point_estimated=True,
                enterprise_count=rng.randint(20, 180),
                organization_count=rng.randint(0, 6),
                is_generated=True,
            )
            made += 1
            BuildingTenant.objects.create(
                building=building, name=f"{place}科技有限公司（演示）", kind=TenantKind.ENTERPRISE
            )
            if rng.random() < 0.6:
                station = BuildingWorkstation.objects.create(
                    building=building,
                    name=f"{building.name.removesuffix('（演示）')}社会工作站",
                    opened_on=date(rng.randint(2012, 2022), 5, 1),
                    staff_count=rng.randint(1, 4),
                )
                WorkstationService.objects.bulk_create(
                    WorkstationService(
                        workstation=station,
                        on=today - timedelta(days=rng.randint(1, 300)),
                        title=rng.choice(SERVICES),
                        participants=rng.randint(10, 120),
                    )
                    for _s in range(3)
                )
    return made
