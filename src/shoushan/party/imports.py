"""Importing non-public enterprises and party organisations from an xlsx or CSV file, all or
nothing: every row goes through the same service a page uses, inside one transaction; if any row
is refused, the transaction is undone and every problem is named (row, column, reason). Row 2 is
the first row under the header. An import runs as a background job (tasks.py)."""

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from shoushan.accounts.roles import PARTY_KEEPERS, require_role
from shoushan.core.errors import DomainError, InvalidInput
from shoushan.core.tables import table_read, table_records
from shoushan.party import services

MAX_ROWS = 50_000

# kind → {column key: Chinese header}
COLUMNS = {
    "enterprises": {
        "name": "企业名称",
        "credit_code": "统一社会信用代码",
        "region_code": "所在街道代码",
        "operating": "是否在营",
        "employees": "从业人员数",
        "full_members": "正式党员数",
    },
    "organizations": {
        "name": "党组织名称",
        "kind": "党组织类型",
        "units": "覆盖单位",
        "full_members": "正式党员数",
        "probationary_members": "预备党员数",
        "secretary_name": "书记",
        "secretary_phone": "书记电话",
        "established_on": "成立日期",
        "term_start": "任期开始",
        "term_end": "任期结束",
    },
}
REQUIRED = {
    "enterprises": ("name", "credit_code", "region_code"),
    "organizations": (
        "name",
        "kind",
        "units",
        "full_members",
        "established_on",
        "term_start",
        "term_end",
    ),
}
SAVE = {
    "enterprises": services.enterprise_register,
    "organizations": services.party_organization_create,
}


class _Refused(Exception):
    """Undoes the import's transaction after every row has been tried."""


def rows_read(kind: str, name: str, content: bytes) -> list[tuple[int, dict[str, str]]]:
    if kind not in COLUMNS:
        raise InvalidInput(_("Unknown kind of import: %(kind)s.") % {"kind": kind})
    table = table_read(name, content, max_rows=MAX_ROWS)
    columns = {key: [chinese] for key, chinese in COLUMNS[kind].items()}
    return table_records(table, columns, required=REQUIRED[kind])


def party_import(*, actor, kind: str, rows: Sequence[tuple[int, dict[str, str]]]) -> dict:
    """Store one file's rows; returns the count. Raises InvalidInput naming every problem if
    any row is refused (nothing stored)."""
    require_role(actor, PARTY_KEEPERS, services.NOT_KEEPER)
    if not rows:
        raise InvalidInput(_("The file has no rows under its header."))
    save = SAVE[kind]
    problems: list[dict] = []
    try:
        with transaction.atomic():
            for number, row in rows:
                try:
                    with transaction.atomic():
                        save(actor=actor, values=row)
                except DomainError as e:
                    details = e.details if isinstance(e.details, dict) else {"": e.message}
                    problems += [
                        {"row": number, "column": COLUMNS[kind].get(c, c), "reason": str(m)}
                        for c, m in details.items()
                    ]
            if problems:
                raise _Refused
    except _Refused:
        raise InvalidInput(
            _("%(n)s problems found; nothing was imported.") % {"n": len(problems)},
            details=problems,
        ) from None
    return {"created": len(rows)}
