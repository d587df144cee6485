"""Demo accounts, one for each role, on real Beijing regions. Generated, and marked so."""

from dataclasses import dataclass

from shoushan.accounts.models import Role, User
from shoushan.accounts.services import user_create
from shoushan.core.validators import id_number_check_character

DEMO_PASSWORD = "Shoushan-demo-2026"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    full_name: str
    organization: str
    scopes: tuple[str, ...]


DEMO_ACCOUNTS = [
    DemoAccount(
        "city_admin", Role.CITY_ADMIN, "演示·市管理员", "市委社会工委市民政局", ("110000000000",)
    ),
    DemoAccount(
        "district_admin",
        Role.DISTRICT_ADMIN,
        "演示·东城区管理员",
        "东城区委社会工委",
        ("110101000000",),
    ),
    DemoAccount(
        "street_staff", Role.STREET_STAFF, "演示·东华门街道", "东华门街道办事处", ("110101001000",)
    ),
    DemoAccount(
        "street_staff_2", Role.STREET_STAFF, "演示·景山街道", "景山街道办事处", ("110101002000",)
    ),
    DemoAccount(
        "community_staff",
        Role.COMMUNITY_STAFF,
        "演示·多福巷社区",
        "多福巷社区居委会",
        ("110101001001",),
    ),
    DemoAccount(
        "grid_worker", Role.GRID_WORKER, "演示·网格员", "多福巷社区网格站", ("110101001001",)
    ),
    DemoAccount(
        "department_handler",
        Role.DEPARTMENT_HANDLER,
        "演示·部门处置员",
        "东城区各委办局",
        ("110101000000",),
    ),
    DemoAccount("researcher", Role.RESEARCHER, "演示·研究员", "社会建设研究基地", ()),
    DemoAccount("resident", Role.RESIDENT, "演示·居民", "", ()),
]


def demo_id_number(index: int) -> str:
    """A well-formed, generated ID number (东城区, born 1990) — not a real person's."""
    first17 = f"110101199001{index + 1:02d}{100 + index:03d}"
    return first17 + id_number_check_character(first17)


def demo_accounts_create() -> list[tuple[DemoAccount, bool]]:
    """Create the demo accounts that do not exist yet; (account, created) for each."""
    results = []
    for index, account in enumerate(DEMO_ACCOUNTS):
        if User.objects.filter(username=account.username).exists():
            results.append((account, False))
            continue
        user_create(
            actor=None,
            username=account.username,
            password=DEMO_PASSWORD,
            role=account.role,
            full_name=account.full_name,
            organization=account.organization,
            phone=f"1380000{index:04d}",
            id_number=demo_id_number(index),
            scope_codes=account.scopes,
            is_demo=True,
        )
        results.append((account, True))
    return results
