"""The one masking helper for personal information (pure; no Django import).

ID 110105********002X, phone 138****5678, names 张** — enough left to recognise a record,
not enough to identify a person.
"""

from enum import StrEnum


class PersonalKind(StrEnum):
    ID_NUMBER = "id_number"
    PHONE = "phone"
    NAME = "name"
    TEXT = "text"


def mask(value: str | None, kind: PersonalKind | str) -> str:
    if not value:
        return value or ""
    kind = PersonalKind(kind)
    if kind is PersonalKind.ID_NUMBER:
        return _keep(value, 6, 4)
    if kind is PersonalKind.PHONE:
        return _keep(value, 3, 4)
    if kind is PersonalKind.NAME:
        return _keep(value, 1, 0)
    return _keep(value, 1, 1) if len(value) > 2 else "*" * len(value)


def _keep(value: str, head: int, tail: int) -> str:
    if len(value) <= head + tail:
        return value[:1] + "*" * (len(value) - 1)
    return value[:head] + "*" * (len(value) - head - tail) + value[len(value) - tail :]
