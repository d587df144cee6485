"""Community profiles as spreadsheet rows: the columns, reading an uploaded xlsx/CSV, checking a
row's values, and writing the (masked) export."""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from io import BytesIO

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shoushan.core.errors import InvalidInput
from shoushan.core.exports import spreadsheet_safe
from shoushan.core.masking import mask
from shoushan.core.tables import table_read

MAX_ROWS = 20_000


@dataclass(frozen=True)
class Column:
    key: str
    chinese: str
    label: object  # lazy translation
    editable: bool = True


COLUMNS = [
    Column("code", "社区编码", gettext_lazy("Community code"), editable=False),
    Column("name", "社区名称", gettext_lazy("Community"), editable=False),
    Column("kind", "类型", gettext_lazy("Kind"), editable=False),
    Column("urban_rural_class", "城乡分类", gettext_lazy("Urban-rural class"), editable=False),
    Column("street", "街道乡镇", gettext_lazy("Street / town"), editable=False),
    Column("district", "区", gettext_lazy("District"), editable=False),
    Column("households", "户数", gettext_lazy("Households")),
    Column("population", "人口", gettext_lazy("Population")),
    Column("premises_m2", "办公服务用房面积", gettext_lazy("Premises (m²)")),
    Column("staff_count", "工作人员数", gettext_lazy("Staff")),
    Column("annual_funds", "年度经费", gettext_lazy("Annual funds (yuan)")),
    Column("built_on", "成立日期", gettext_lazy("Established on")),
    Column("standardisation_items", "规范化事项", gettext_lazy("Standardisation items met")),
    Column("office_phone", "办公电话", gettext_lazy("Office phone")),
    # exported masked; an import never overwrites the name with a masked one
    Column("secretary_name", "书记", gettext_lazy("Secretary"), editable=False),
    Column("generated", "演示数据", gettext_lazy("Generated"), editable=False),
]
EDITABLE = [c.key for c in COLUMNS if c.editable] + ["secretary_name"]
_BY_NAME = {name: c for c in COLUMNS for name in (c.key, c.chinese)}
_PHONE = re.compile(r"[0-9+\-() ]{3,40}")
_SPLIT = re.compile(r"[,，、;；\s]+")


def column_of(name: str) -> Column | None:
    name = str(name or "").strip()
    column = _BY_NAME.get(name)
    if column is None:
        for c in COLUMNS:
            if name == str(c.label):
                return c
    return column


def read_rows(name: str, content: bytes) -> list[tuple[int, dict[str, str]]]:
    """(row number as the spreadsheet shows it, {column key: text}) for each non-empty row."""
    table = table_read(name, content, max_rows=MAX_ROWS)
    if not table.header:
        raise InvalidInput(_("The file is empty."))
    header = [column_of(h) for h in table.header]
    unknown = [h for h, c in zip(table.header, header, strict=True) if c is None and h]
    if unknown:
        raise InvalidInput(_("Unknown columns: %(names)s.") % {"names": ", ".join(unknown)})
    if not any(c is not None and c.key == "code" for c in header):
        raise InvalidInput(_("The column “社区编码” (code) is missing."))
    return [
        (number, {c.key: (row[i] if i < len(row) else "") for i, c in enumerate(header) if c})
        for number, row in table.rows
    ]


def label_of(key: str) -> str:
    for c in COLUMNS:
        if c.key == key:
            return str(c.label)
    return key


def clean_profile_values(
    raw: dict[str, str], item_codes: dict[str, str]
) -> tuple[dict[str, object], dict[str, str]]:
    """The typed values of the editable columns present in `raw`, and {column: error}.
    `item_codes` maps each standardisation item's code and label to its code."""
    values: dict[str, object] = {}
    errors: dict[str, str] = {}
    for key in ("households", "population", "staff_count"):
        if key in raw:
            text = raw[key].strip()
            if not text:
                values[key] = None
            elif not text.isdigit() or len(text) > 9:
                errors[key] = _("“%(value)s” is not a whole number of zero or more.") % {
                    "value": text[:20]
                }
            else:
                values[key] = int(text)
    for key, places in (("premises_m2", 1), ("annual_funds", 2)):
        if key in raw:
            text = raw[key].strip().replace(",", "")
            if not text:
                values[key] = None
                continue
            try:
                number = Decimal(text)
            except InvalidOperation:
                number = None
            if number is None or not number.is_finite() or number < 0 or number >= 10**11:
                errors[key] = _("“%(value)s” is not a number of zero or more.") % {
                    "value": text[:20]
                }
            else:
                values[key] = number.quantize(Decimal(1).scaleb(-places))
    if "built_on" in raw:
        text = raw["built_on"].strip()
        if not text:
            values["built_on"] = None
        else:
            try:
                values["built_on"] = date.fromisoformat(text[:10])
            except ValueError:
                errors["built_on"] = _("“%(value)s” is not a date such as 2015-06-30.") % {
                    "value": text[:20]
                }
            else:
                if values["built_on"] > timezone.localdate():
                    errors["built_on"] = _("The date lies in the future.")
    if "standardisation_items" in raw:
        parts = [p for p in _SPLIT.split(raw["standardisation_items"].strip()) if p]
        unknown = [p for p in parts if p not in item_codes]
        if unknown:
            errors["standardisation_items"] = _(
                "Unknown standardisation items: %(names)s. Known: %(known)s."
            ) % {
                "names": "、".join(unknown[:5]),
                "known": "、".join(sorted(set(item_codes.values()))),
            }
        else:
            values["standardisation_items"] = sorted({item_codes[p] for p in parts})
    if "office_phone" in raw:
        text = raw["office_phone"].strip()
        if text and not _PHONE.fullmatch(text):
            errors["office_phone"] = _("“%(value)s” is not a telephone number.") % {
                "value": text[:20]
            }
        else:
            values["office_phone"] = text
    if "secretary_name" in raw:
        text = raw["secretary_name"].strip()
        if "*" in text:
            errors["secretary_name"] = _("A masked name cannot be saved; type the full name.")
        elif len(text) > 50:
            errors["secretary_name"] = _("At most 50 characters.")
        else:
            values["secretary_name"] = text
    return values, errors


def profiles_xlsx(rows: list[dict[str, object]]) -> HttpResponse:
    """The export: one row per community, the secretary's name masked."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet("communities")
    bold = Font(bold=True)
    from openpyxl.cell import WriteOnlyCell

    header = []
    for c in COLUMNS:
        cell = WriteOnlyCell(sheet, value=c.chinese)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        values = []
        for c in COLUMNS:
            value = row.get(c.key)
            if c.key == "secretary_name":
                value = mask(str(value or ""), "name")
            elif c.key == "standardisation_items":
                value = "、".join(value or [])
            elif c.key == "generated":
                value = _("yes") if value else ""
            elif isinstance(value, Decimal):
                value = float(value)
            elif isinstance(value, date):
                value = value.isoformat()
            values.append(spreadsheet_safe(value) if isinstance(value, str) else value)
        sheet.append(values)
    out = BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="community-profiles-{stamp}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response
