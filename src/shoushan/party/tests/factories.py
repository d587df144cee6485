"""Building party-building records through the real services."""

from itertools import count

from shoushan.core.validators import credit_code_check_character
from shoushan.party import services

_serial = count(1)
DONGHUAMEN = "110101001000"  # 东华门街道, the demo street clerk's scope
JINGSHAN = "110101002000"  # 景山街道, another street of 东城区
XICHANGANJIE = "110102001000"  # 西长安街街道, 西城区


def enterprise_code(division: str = "110101") -> str:
    """A well-formed code of an enterprise registered by market regulation (9, 1)."""
    first17 = f"91{division}TQ{next(_serial):07d}"
    return first17 + credit_code_check_character(first17)


def enterprise(actor=None, **values):
    defaults = {
        "name": f"测试科技有限公司{next(_serial)}",
        "credit_code": enterprise_code(),
        "region_code": DONGHUAMEN,
        "employees": "20",
        "full_members": "1",
    }
    return services.enterprise_register(actor=actor, values={**defaults, **values})


def branch_values(units: list[str], **values) -> dict:
    """A party branch elected on 2024-01-10 for three years, over the units (keys)."""
    return {
        "name": f"测试党支部{next(_serial)}",
        "kind": "joint_branch" if len(units) > 1 else "branch",
        "units": " ".join(units),
        "full_members": "5",
        "probationary_members": "1",
        "secretary_name": "张建国",
        "secretary_phone": "13800138000",
        "established_on": "2024-01-10",
        "term_start": "2024-01-10",
        "term_end": "2027-01-09",
        **values,
    }
