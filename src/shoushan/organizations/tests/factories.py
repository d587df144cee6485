"""Building registry records through the real services."""

from datetime import date
from itertools import count

from shoushan.core.validators import credit_code_check_character
from shoushan.organizations import services

_serial = count(1)
DONGCHENG = "110101000000"
DONGHUAMEN = "110101001000"
CITY = "110000000000"


def credit_code(kind_digit: str = "2", division: str = "110101", body: str | None = None) -> str:
    """A well-formed code of a civil-affairs body (5), of the given type, division and body."""
    body = body or f"MJ{next(_serial):07d}"
    first17 = f"5{kind_digit}{division}{body}"
    return first17 + credit_code_check_character(first17)


def organization(actor=None, **values):
    """An organisation registered by 东城区's bureau, domiciled in 东华门街道, from 2018."""
    kind = values.pop("kind", "social_service")
    digit = {"social_group": "1", "social_service": "2", "foundation": "3"}[kind]
    authority = values.pop("authority", "110101")
    defaults = {
        "name": f"东城区测试社会服务中心{next(_serial)}",
        "credit_code": credit_code(digit, authority[:6] if authority.isdigit() else "110101"),
        "kind": kind,
        "authority": authority,
        "region_code": DONGHUAMEN,
        "field": "社会服务",
        "registered_on": date(2018, 3, 1).isoformat(),
        "legal_representative": "王小明",
        "contact_phone": "13800138000",
    }
    return services.organization_register(actor=actor, values={**defaults, **values})
