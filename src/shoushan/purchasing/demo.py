"""The demo's purchase of services: the city's special fund for this year at the seed's size
(about ¥250 million, split into the seven kinds), and — where SHOUSHAN_SHARED_DATA holds Beijing's
2022 guiding catalogue — calls on its social-governance, social-security and culture items,
applications from the demo's eligible organisations endorsed by their district offices, the
public notice of the proposed ones and, once it has run, their awards, contracts with two
milestones and the first payments: how far the year has gone decides how far the demo gets.
Everything goes through the services, so the demo obeys every bound; every fund is marked
generated. The split between kinds is chosen to look plausible, not published."""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shoushan.organizations.models import OrganizationStatus, SocialOrganization
from shoushan.organizations.selectors import eligibility_of
from shoushan.purchasing import services
from shoushan.purchasing.budget import MIYUN_BUDGET, budget_load
from shoushan.purchasing.catalogue import catalogue_rows, shared_catalogue
from shoushan.purchasing.models import CatalogueItem, Fund
from shoushan.regions.models import Level, Region

ENVELOPES = {  # yuan
    "basic": "60000000.00",
    "welfare": "40000000.00",
    "convenience": "30000000.00",
    "governance": "40000000.00",
    "advice": "10000000.00",
    "projects": "40000000.00",
    "posts": "30000000.00",
}
CALLS = {  # envelope → (title, [(catalogue code, line title, amount)])
    "governance": (
        "社会治理服务项目指南",
        [
            ("A1002", "社会组织孵化培育与能力建设", "8000000.00"),
            ("A1003", "社区社会工作服务", "12000000.00"),
            ("A1005", "社区志愿服务活动管理", "6000000.00"),
        ],
    ),
    "basic": (
        "社会基本公共服务项目指南",
        [
            ("A0402", "社区居家养老服务", "20000000.00"),
            ("A0407", "残疾人社区康复服务", "8000000.00"),
            ("A0410", "未成年人关爱服务", "6000000.00"),
        ],
    ),
    "welfare": (
        "社会公益服务项目指南",
        [("A0802", "社区群众文化活动", "10000000.00"), ("A0206", "社区教育服务", "6000000.00")],
    ),
}
PROJECT_WORDS = ("社区", "邻里", "街巷", "楼门", "一老一小", "服务站", "互助")


def _catalogue() -> int:
    if CatalogueItem.objects.exists():
        return 0
    path = shared_catalogue()
    if path is None:
        return 0
    return services.catalogue_load(actor=None, rows=catalogue_rows(path.read_bytes()))["items"]


MIYUN = "110118000000"


def _miyun_budget() -> int:
    """Miyun district's published 2024 purchase budget (57 lines, ¥65,219,184.72) as a fund with
    its calls: real figures, so the fund is not marked generated."""
    path = settings.SHARED_DATA_DIR / MIYUN_BUDGET
    region = Region.objects.filter(code=MIYUN).first()
    if (
        not path.exists()
        or region is None
        or not CatalogueItem.objects.filter(level=3).exists()
        or Fund.objects.filter(region_code=MIYUN, year=2024).exists()
    ):
        return 0
    rows = catalogue_rows(path.read_bytes())
    fund = services.fund_create(
        actor=None,
        values={
            "name": f"{region.name}2024年政府购买服务预算",
            "year": "2024",
            "region_code": MIYUN,
            "amount": str(sum((Decimal(r["预算金额"]) for r in rows), Decimal("0.00"))),
        },
    )
    budget_load(actor=None, fund=fund, rows=rows, opens_on="2024-01-01", closes_on="2024-12-31")
    return 1


@transaction.atomic
def demo_purchasing_create(*, seed: int = 7) -> dict:
    """The city's fund for this year, unless a generated one exists already, and Miyun's
    published budget where SHOUSHAN_SHARED_DATA holds it."""
    counts = {"catalogue items": _catalogue()}
    counts["published budgets"] = _miyun_budget()
    today = timezone.localdate()
    city = Region.objects.filter(level=Level.CITY).first()
    if city is None or Fund.objects.filter(region_code=city.code, year=today.year).exists():
        return counts
    rng = random.Random(seed)
    fund = services.fund_create(
        actor=None,
        values={
            "name": f"{city.name}{today.year}年社会建设专项资金（演示）",
            "year": str(today.year),
            "region_code": city.code,
            "amount": "250000000.00",
        },
        is_generated=True,
    )
    envelopes = {
        kind: services.envelope_set(actor=None, fund=fund, kind=kind, amount_text=amount)
        for kind, amount in ENVELOPES.items()
    }
    counts["funds"] = 1
    if not CatalogueItem.objects.filter(level=3).exists():
        return counts  # no catalogue: calls cannot be opened, and the pages say why
    opens = date(today.year, 1, 15)
    organizations = [
        o
        for o in SocialOrganization.objects.filter(
            is_generated=True, status=OrganizationStatus.REGISTERED
        ).order_by("pk")[:400]
        if eligibility_of(o, opens).eligible
    ]
    rng.shuffle(organizations)
    applications = awards = contracts = payments = 0
    serial = 0
    for kind, (title, lines) in CALLS.items():
        call = services.call_open(
            actor=None,
            envelope=envelopes[kind],
            values={
                "title": f"{today.year}年{title}（演示）",
                "directions": "面向本市登记的社会组织，围绕社区居民需求开展专业服务。",
                "opens_on": opens.isoformat(),
                "closes_on": (opens + timedelta(days=45)).isoformat(),
            },
            lines=[{"item": c, "title": t, "amount": a} for c, t, a in lines],
        )
        proposed = []
        for line in call.lines.all():
            planned = Decimal("0.00")
            for _i in range(rng.randint(3, 7)):
                if not organizations:
                    break
                applied_on = opens + timedelta(days=rng.randint(0, 40))
                if applied_on > today:
                    break
                amount = Decimal(rng.randrange(200_000, 1_500_000, 1000)) + Decimal("0.00")
                application = services.application_submit(
                    actor=None,
                    line=line,
                    organization=organizations.pop(),
                    values={
                        "title": f"{rng.choice(PROJECT_WORDS)}{line.title}项目",
                        "amount": str(amount),
                        "applied_on": applied_on.isoformat(),
                    },
                )
                applications += 1
                endorsed_on = applied_on + timedelta(days=3)
                if endorsed_on > today:
                    continue
                services.application_endorse(
                    actor=None, application=application, hub=None, on=endorsed_on
                )
                if planned + amount <= line.amount and rng.random() < 0.75:
                    planned += amount
                    proposed.append(application)
        notice_starts = date(today.year, 3, 20)
        if not proposed or notice_starts > today:
            continue
        notice = services.notice_start(
            actor=None, call=call, applications=proposed, starts_on=notice_starts, ends_on=None
        )
        decided = notice.ends_on + timedelta(days=1)
        if decided > today:
            continue  # the notice is running: approval waits for it
        for award in services.notice_approve(actor=None, notice=notice, on=decided):
            awards += 1
            serial += 1
            amount = award.amount
            first = (amount / 2).quantize(Decimal("0.01"))
            starts = decided + timedelta(days=20)
            contract = services.contract_sign(
                actor=None,
                award=award,
                values={
                    "number": f"SJ-{today.year}-{serial:04d}",
                    "amount": str(amount),
                    "signed_on": (decided + timedelta(days=10)).isoformat(),
                    "starts_on": starts.isoformat(),
                    "ends_on": (starts + timedelta(days=364)).isoformat(),
                },
                milestones=[
                    {"name": "合同签订后首付", "due_on": starts.isoformat(), "amount": str(first)},
                    {
                        "name": "结项评估后尾款",
                        "due_on": (starts + timedelta(days=364)).isoformat(),
                        "amount": str(amount - first),
                    },
                ],
            )
            contracts += 1
            if starts <= today and rng.random() < 0.8:
                services.payment_record(
                    actor=None,
                    contract=contract,
                    milestone=contract.milestones.order_by("due_on").first(),
                    values={"amount": str(first), "paid_on": starts.isoformat()},
                )
                payments += 1
    counts.update(
        {
            "applications": applications,
            "awards": awards,
            "contracts": contracts,
            "payments": payments,
        }
    )
    return counts
