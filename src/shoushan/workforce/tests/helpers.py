from datetime import date
from itertools import count

from shoushan.accounts.models import User
from shoushan.core.validators import id_number_check_character
from shoushan.regions.models import Level, Region
from shoushan.workforce.services import worker_create

_sequence = count(1)


def id_number(born: date = date(1985, 3, 14), *, male: bool = True, area: str = "110105") -> str:
    """A well-formed generated ID number, a new one at each call."""
    n = next(_sequence) % 500
    first17 = f"{area}{born:%Y%m%d}{n * 2 + (1 if male else 0):03d}"
    return first17 + id_number_check_character(first17)


def communities(prefix: str, k: int = 2) -> list[str]:
    return list(
        Region.objects.filter(level=Level.COMMUNITY, code__startswith=prefix)
        .order_by("code")
        .values_list("code", flat=True)[:k]
    )


def make_worker(actor: str | User = "city_admin", **values):
    actor = actor if isinstance(actor, User) else User.objects.get(username=actor)
    fields = {
        "name": "测试工作者",
        "id_number": id_number(),
        "education": "bachelor",
        "political_status": "party_member",
        "post": "full_time",
        "community_code": "110101001001",
        "hire_date": "2015-07-01",
        "monthly_pay": "9000",
        "phone": "13912345678",
    }
    fields.update(values)
    return worker_create(actor=actor, **fields)
