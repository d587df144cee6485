"""The demo's party building: over the real streets and communities and the registry's social
organisations and buildings, generated (and marked) non-public enterprises, party organisations,
instructors with their visits, and a regional alliance per district. The shares are chosen to
look like a city's (communities almost all covered, enterprises and organisations less so), not
taken from any published figure."""

import random
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from shoushan.core.validators import credit_code_check_character
from shoushan.party import rules
from shoushan.party.models import (
    Alliance,
    Enterprise,
    Instructor,
    JointProject,
    ListItem,
    ListKind,
    PartyKind,
    PartyOrganization,
    Sector,
    Unit,
    Visit,
)
from shoushan.party.services import common_region, coverage_store, units_refresh
from shoushan.regions.models import Level, Region

TRADES = ("科技", "信息技术", "商贸", "餐饮管理", "物业服务", "文化传媒", "建筑装饰", "物流")
NEEDS = ("老年人助餐服务", "青少年课后托管", "社区环境整治", "困难家庭帮扶", "法律咨询进社区")
RESOURCES = ("企业志愿服务队", "楼宇会议场地", "医院义诊团队", "高校社会工作实习生", "法律服务团队")
SURNAMES = "王李张刘陈杨赵黄周吴"
GIVEN = ("建国", "秀英", "海燕", "志强", "丽娟", "国栋", "晓明", "春梅")


def _code(division: str, serial: int) -> str:
    first17 = f"91{division}MA{serial:07d}"
    return first17 + credit_code_check_character(first17)


def _kind_for(members: int) -> str:
    return rules.kind_for_members(members) or PartyKind.BRANCH


def _term(kind: str, rng: random.Random, today: date) -> tuple[date, date]:
    """A term begun within its length; one in twelve ran out some weeks ago."""
    years = rules.TERM_YEARS[kind]
    if rng.random() < 1 / 12:
        end = today - timedelta(days=rng.randint(10, 120))
        return rules.years_later(end, -years), end
    start = today - timedelta(days=rng.randint(30, 365 * years - 30))
    return start, rules.years_later(start, years)


@transaction.atomic
def demo_party_create(*, district_codes, seed: int = 19) -> dict:
    """Everything above for the districts, unless party organisations were generated already."""
    units_refresh(actor=None)
    if PartyOrganization.objects.filter(is_generated=True).exists():
        return {}
    rng = random.Random(seed)
    today = timezone.localdate()
    prefixes = tuple(code[:6] for code in district_codes)
    streets = list(
        Region.objects.filter(level=Level.STREET, code__regex=rf"^({'|'.join(prefixes)})").order_by(
            "code"
        )
    )
    enterprises = _enterprises(streets, rng)
    units = [
        u
        for u in Unit.objects.filter(operating=True).order_by("pk")
        # and the organisations registered at the city with no street known (the published
        # lists'), so that the city's own row is not an artefact of the demo
        if u.region_code[:6] in prefixes or u.region_code.endswith("0000000000")
    ]
    instructors = _instructors(streets, rng, today)
    organizations = _organizations(units, instructors, rng, today)
    alliances = _alliances(district_codes, rng, today)
    coverage_store(Unit.objects.all())  # the records above were made in bulk
    return {
        "enterprises": enterprises,
        "party organisations": organizations,
        "instructors": len(instructors),
        "alliances": alliances,
    }


def _enterprises(streets: list[Region], rng: random.Random) -> int:
    made = []
    serial = 0
    for street in streets:
        for _i in range(rng.randint(3, 8)):
            serial += 1
            made.append(
                Enterprise(
                    name=f"北京{street.name.removesuffix('街道').removesuffix('地区')}"
                    f"{rng.choice(TRADES)}有限公司{serial}（演示）",
                    credit_code=_code(street.code[:6], serial),
                    region_code=street.code,
                    operating=rng.random() > 0.06,
                    employees=rng.choice((8, 15, 30, 60, 120, 400)),
                    is_generated=True,
                )
            )
    made = Enterprise.objects.bulk_create(made, batch_size=2000)
    made = list(Enterprise.objects.filter(is_generated=True))
    Unit.objects.bulk_create(
        [
            Unit(
                sector=Sector.ENTERPRISE,
                key=e.credit_code,
                name=e.name,
                region_code=e.region_code,
                operating=e.operating,
                full_members=max(0, int(rng.gauss(e.employees / 12, 2))),
                union_work=rng.random() < 0.3,
                youth_league_work=rng.random() < 0.1,
                enterprise=e,
                is_generated=True,
            )
            for e in made
        ],
        batch_size=2000,
    )
    return len(made)


def _instructors(streets: list[Region], rng: random.Random, today: date) -> list[Instructor]:
    Instructor.objects.bulk_create(
        Instructor(
            name=rng.choice(SURNAMES) + rng.choice(GIVEN),
            phone=f"139{rng.randint(10_000_000, 99_999_999)}",
            region_code=street.code,
            sent_by=f"{street.name}党工委（演示）",
            appointed_on=today - timedelta(days=rng.randint(200, 1500)),
            is_generated=True,
        )
        for street in streets
        if rng.random() < 0.8
    )
    return list(Instructor.objects.filter(is_generated=True))


def _organizations(
    units: list[Unit], instructors: list[Instructor], rng: random.Random, today: date
) -> int:
    """Own organisations where the members allow, joint branches of the small units of a street,
    instructors for some of the rest; the share of each depends on the sector."""
    own_share = {
        Sector.STREET: 1.0,
        Sector.COMMUNITY: 0.97,
        Sector.ORGANIZATION: 0.35,
        Sector.ENTERPRISE: 0.3,
        Sector.BUILDING: 0.5,
    }
    by_street_instructor = {i.region_code: i for i in instructors}
    plans: list[tuple[PartyOrganization, list[Unit]]] = []
    small: dict[str, list[Unit]] = {}
    guided: list[Unit] = []
    for unit in units:
        if unit.sector in (Sector.STREET, Sector.COMMUNITY):
            unit.full_members = rng.randint(30, 160) if unit.sector == Sector.COMMUNITY else 0
        elif unit.full_members == 0:
            unit.full_members = rng.choice((0, 1, 2, 3, 4, 6, 9, 15))
        chance = rng.random()
        members = rng.randint(120, 400) if unit.sector == Sector.STREET else unit.full_members
        if chance < own_share[unit.sector] and members >= rules.OWN_ORGANIZATION_MIN:
            kind = _kind_for(members)
            if rng.random() < 0.04:  # a few that have outgrown their kind
                kind = PartyKind.BRANCH
            start, end = _term(kind, rng, today)
            suffix = {"committee": "党委", "general_branch": "党总支", "branch": "党支部"}[kind]
            plans.append(
                (
                    PartyOrganization(
                        name=f"{unit.name.removesuffix('（演示）')}{suffix}",
                        kind=kind,
                        region_code=unit.region_code,
                        full_members=members,
                        probationary_members=rng.randint(0, 3),
                        secretary_name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                        secretary_phone=f"138{rng.randint(10_000_000, 99_999_999)}",
                        established_on=start - timedelta(days=rng.randint(0, 3000)),
                        term_start=start,
                        term_end=end,
                        is_generated=True,
                    ),
                    [unit],
                )
            )
        elif chance < own_share[unit.sector] + 0.25 and unit.sector != Sector.COMMUNITY:
            small.setdefault(unit.region_code[:9], []).append(unit)
        elif rng.random() < 0.5:
            guided.append(unit)
    for street, members in small.items():
        rng.shuffle(members)
        for start in range(0, len(members) - 1, 4):
            group = members[start : start + rng.randint(2, 5)]
            if len(group) < 2:
                continue
            term_start, term_end = _term(PartyKind.JOINT_BRANCH, rng, today)
            plans.append(
                (
                    PartyOrganization(
                        name=f"{street}联合党支部{start // 4 + 1}（演示）",
                        kind=PartyKind.JOINT_BRANCH,
                        region_code=common_region([u.region_code for u in group]),
                        full_members=max(3, sum(u.full_members for u in group)),
                        secretary_name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                        established_on=term_start,
                        term_start=term_start,
                        term_end=term_end,
                        is_generated=True,
                    ),
                    group,
                )
            )
    PartyOrganization.objects.bulk_create([p for p, _u in plans], batch_size=2000)
    made = list(PartyOrganization.objects.filter(is_generated=True).order_by("pk"))
    through = PartyOrganization.units.through
    through.objects.bulk_create(
        [
            through(partyorganization_id=o.pk, unit_id=u.pk)
            for o, (_p, group) in zip(made, plans, strict=True)
            for u in group
        ],
        batch_size=5000,
    )
    visits = []
    for unit in guided:
        instructor = by_street_instructor.get(unit.region_code[:9] + "000")
        if instructor is None:
            continue
        unit.instructor = instructor
        if rng.random() < 0.85:  # the rest have gone unvisited for a while
            for _v in range(rng.randint(1, 3)):
                visits.append(
                    Visit(
                        instructor=instructor,
                        unit=unit,
                        on=today - timedelta(days=rng.randint(3, 80)),
                        summary=rng.choice(
                            ("宣讲党的政策", "指导发展党员", "组织主题党日", "了解职工诉求")
                        ),
                    )
                )
    Unit.objects.bulk_update(units, ["full_members", "instructor"], batch_size=1000)
    Visit.objects.bulk_create(visits, batch_size=2000)
    return len(made)


def _alliances(district_codes, rng: random.Random, today: date) -> int:
    made = 0
    for district in Region.objects.filter(code__in=district_codes).order_by("code"):
        members = list(
            Unit.objects.filter(region_code__startswith=district.code[:6], operating=True)
            .exclude(sector=Sector.COMMUNITY)
            .order_by("pk")[:200]
        )
        if len(members) < 4:
            continue
        members = rng.sample(members, min(8, len(members)))
        alliance = Alliance.objects.create(
            name=f"{district.name}区域化党建联盟（演示）",
            region_code=district.code,
            established_on=today - timedelta(days=rng.randint(400, 1500)),
            is_generated=True,
        )
        alliance.members.set(members)
        needs = [
            ListItem.objects.create(
                alliance=alliance,
                kind=ListKind.NEED,
                unit=rng.choice(members),
                title=title,
                listed_on=today - timedelta(days=rng.randint(60, 300)),
            )
            for title in rng.sample(NEEDS, 3)
        ]
        resources = [
            ListItem.objects.create(
                alliance=alliance,
                kind=ListKind.RESOURCE,
                unit=rng.choice(members),
                title=title,
                listed_on=today - timedelta(days=rng.randint(60, 300)),
            )
            for title in rng.sample(RESOURCES, 3)
        ]
        for need, resource in zip(needs[:2], resources[:2], strict=True):
            project = JointProject.objects.create(
                alliance=alliance,
                title=f"{need.title}共建项目",
                need=need,
                started_on=need.listed_on + timedelta(days=20),
                finished_on=need.listed_on + timedelta(days=50) if rng.random() < 0.5 else None,
                result="服务居民、解决问题若干（演示）",
                beneficiaries=rng.randint(50, 800),
            )
            project.resources.set([resource])
            project.units.set({need.unit, resource.unit, *rng.sample(members, 2)})
            if project.finished_on is None:
                project.result, project.beneficiaries = "", 0
                project.save(update_fields=["result", "beneficiaries"])
        made += 1
    return made
