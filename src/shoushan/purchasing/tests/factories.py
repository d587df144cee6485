"""Building purchase-of-services records through the real services."""

from itertools import count

from shoushan.purchasing import services
from shoushan.purchasing.models import CatalogueItem, Fund

_serial = count(1)
CITY = "110000000000"
DONGCHENG = "110101000000"

# A few rows of the published catalogue's shape (codes and names as in 京财综〔2022〕1537号), and
# one item the rules exclude, as a city could mistakenly list it.
CATALOGUE_ROWS = [
    {"代码": "A", "一级目录": "公共服务"},
    {"代码": "A10", "二级目录": "社会治理服务"},
    {"代码": "A1002", "三级目录": "社会组织建设与管理服务"},
    {"代码": "A1003", "三级目录": "社会工作服务"},
    {"代码": "A1005", "三级目录": "志愿服务活动管理服务"},
    {"代码": "A1099", "三级目录": "社区公益性岗位劳务派遣服务"},
    {"代码": "B", "一级目录": "政府履职辅助性服务"},
    {"代码": "B02", "二级目录": "课题研究和社会调查服务"},
    {"代码": "B0201", "三级目录": "课题研究服务"},
]


def catalogue() -> None:
    if not CatalogueItem.objects.filter(
        code="A1099"
    ).exists():  # the demo may have loaded Beijing's
        services.catalogue_load(actor=None, rows=CATALOGUE_ROWS)


_funds = count(0)


def fund(actor=None, *, amount="1000000.00", region_code=DONGCHENG):
    """A fund of the region for a year it has none yet (one test makes up to 27)."""
    year = 2000 + next(_funds) % 27
    while Fund.objects.filter(region_code=region_code, year=year).exists():
        year = 2000 + next(_funds) % 27
    return services.fund_create(
        actor=actor,
        values={
            "name": f"测试社会建设专项资金{next(_serial)}",
            "year": str(year),
            "region_code": region_code,
            "amount": amount,
        },
    )


def call(actor, envelope, lines: list[tuple[str, str]]):
    """A call on the envelope with lines [(catalogue code, amount)]."""
    catalogue()
    return services.call_open(
        actor=actor,
        envelope=envelope,
        values={
            "title": f"测试项目指南{next(_serial)}",
            "opens_on": "2025-03-01",
            "closes_on": "2025-03-31",
        },
        lines=[
            {"item": code, "title": f"测试预算项目{next(_serial)}", "amount": amount}
            for code, amount in lines
        ],
    )


def award_values(amount: str, **values) -> dict:
    return {
        "title": f"测试服务项目{next(_serial)}",
        "amount": amount,
        "decided_on": "2025-05-10",
        **values,
    }


def contract_values(amount: str, **values) -> dict:
    return {
        "number": f"GM-2025-{next(_serial):05d}",
        "amount": amount,
        "signed_on": "2025-05-20",
        "starts_on": "2025-06-01",
        "ends_on": "2026-05-31",
        **values,
    }
