"""Statistical division codes (统计用区划代码), pure functions with no Django import.

A code has 12 digits in five segments: province 2, prefecture 2, county 2, township 3,
village 3 (110105001001 = 北京市 / 市辖区 / 朝阳区 / 建外街道 / a community). A unit grid appends
three more. The *significant prefix* of a code drops its trailing all-zero segments; a record
lies inside a region exactly when its code starts with the region's significant prefix.
"""

import re

CODE_LENGTH = 12
GRID_CODE_LENGTH = 15
_SEGMENT_ENDS = (2, 4, 6, 9, 12)
_CODE = re.compile(r"[1-9]\d{11}")


def is_region_code(code: str) -> bool:
    return bool(_CODE.fullmatch(code))


def pad_code(code: str) -> str:
    """Official files truncate codes (11, 1101, 110105, 110105001); pad them to 12 digits."""
    code = code.strip()
    if not code.isdigit() or len(code) not in _SEGMENT_ENDS:
        raise ValueError(f"not a division code: {code!r}")
    return code.ljust(CODE_LENGTH, "0")


def significant_prefix(code: str) -> str:
    """110000000000 → 11, 110105000000 → 110105, 110105001000 → 110105001."""
    for end in _SEGMENT_ENDS:
        if set(code[end:CODE_LENGTH]) <= {"0"}:
            return code[:end] + code[CODE_LENGTH:]
    return code


def contains(scope_code: str, code: str) -> bool:
    """Whether the region `scope_code` contains (or is) the region or grid `code`."""
    return code.startswith(significant_prefix(scope_code))


def ancestor_codes(code: str) -> list[str]:
    """The codes of every region above `code`, from the province down (pseudo-levels included)."""
    prefix = significant_prefix(code[:CODE_LENGTH])
    return [prefix[:end].ljust(CODE_LENGTH, "0") for end in _SEGMENT_ENDS if end < len(prefix)]
