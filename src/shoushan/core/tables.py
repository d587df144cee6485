"""The one reader of tables that people upload or name: CSV (UTF-8 with or without BOM, or
GB18030) or the first sheet of an xlsx workbook, as text cells, with the row number a
spreadsheet shows (the header is row 1). Every import reads through it, so that every import
treats encodings, dates, times, blank rows and size limits alike:

- a date-time cell keeps its time of day (2026-11-26 09:30:00), a date cell is a date;
- a whole number stored as a float (12.0, as Excel keeps codes) reads as 12;
- blank rows are skipped but counted, so a reported row number is the one the reader sees;
- a file of more than `max_rows` data rows is refused while reading, not after;
- the apostrophe our exports put before a cell that would start a formula (`'=1+1`, see
  `core.exports.spreadsheet_safe`) is taken off again, so that an export imports unchanged.
"""

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils.translation import gettext as _

from shoushan.core.errors import InvalidInput
from shoushan.core.exports import FORMULA_STARTS

ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (row number, cells), blank rows left out


def text_decode(content: bytes) -> str:
    """Text of an uploaded file: UTF-8 (with or without BOM), else GB18030."""
    for encoding in ENCODINGS:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput(_("The file is neither UTF-8 nor GB18030 text."))


def table_read(name: str, content: bytes, *, max_rows: int) -> Table:
    """The header and the non-blank rows of a CSV or xlsx file (by its name's ending)."""
    if name.lower().endswith((".xlsx", ".xlsm")):
        lines = _xlsx_lines(content)
    else:
        lines = csv.reader(io.StringIO(text_decode(content)))
    rows: list[tuple[int, list[str]]] = []
    number = 1
    try:
        header = [cell.strip() for cell in next(lines, None) or []]
        for number, cells in enumerate(lines, start=2):
            cells = [_unguarded(cell.strip()) for cell in cells]
            if not any(cells):
                continue
            if len(rows) == max_rows:
                raise InvalidInput(_("At most %(n)s rows in one file.") % {"n": max_rows})
            rows.append((number, cells))
    except csv.Error:  # a cell longer than CSV's limit (131,072 characters), a broken quote
        raise InvalidInput(
            _("Row %(n)s cannot be read: a cell is too long or a quote is not closed.")
            % {"n": number + 1}
        ) from None
    while header and not header[-1]:
        header.pop()
    return Table(header=header, rows=rows)


def _unguarded(cell: str) -> str:
    if cell[:1] == "'" and cell[1:2] in FORMULA_STARTS and cell[1:2]:
        return cell[1:]
    return cell


MAX_XLSX_UNPACKED = 200 * 1024 * 1024  # bytes of XML a workbook may unpack to
MAX_XLSX_RATIO = 200  # how much a part of it may have been compressed (a "zip bomb" is far more)


def xlsx_check(content: bytes) -> None:
    """Refuse a workbook that would unpack to more than MAX_XLSX_UNPACKED, or whose parts are
    compressed beyond any real spreadsheet, before anything unpacks it."""
    import zipfile

    try:
        parts = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except zipfile.BadZipFile:
        return  # not a workbook at all: the reader says so in its own words
    unpacked = sum(part.file_size for part in parts)
    squeezed = any(
        part.file_size > 1024 * 1024
        and part.file_size > MAX_XLSX_RATIO * max(part.compress_size, 1)
        for part in parts
    )
    if unpacked > MAX_XLSX_UNPACKED or squeezed:
        raise InvalidInput(
            _("The workbook unpacks to more than %(mb)s MB; save it as CSV or split it.")
            % {"mb": MAX_XLSX_UNPACKED // (1024 * 1024)}
        )


def _xlsx_lines(content: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    xlsx_check(content)
    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
    except Exception:
        raise InvalidInput(_("The file is not a readable xlsx workbook.")) from None
    for values in sheet.iter_rows(values_only=True):
        yield [cell_text(v) for v in values]


def cell_text(value) -> str:
    """A spreadsheet cell as the text a person would type for it."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def table_records(
    table: Table,
    columns: Mapping[str, Iterable[str]],
    *,
    required: Iterable[str] = (),
    allow_unknown: bool = False,
) -> list[tuple[int, dict[str, str]]]:
    """The rows keyed by column: `columns` maps each key to the headers that name it (an English
    key and its Chinese name, say). Unknown headers (unless allowed) and missing required
    columns are refused, naming them."""
    names = {alias: key for key, aliases in columns.items() for alias in (key, *aliases)}
    keys = [names.get(h) for h in table.header]
    unknown = [h for h, k in zip(table.header, keys, strict=True) if k is None and h]
    if unknown and not allow_unknown:
        raise InvalidInput(_("Unknown columns: %(names)s.") % {"names": ", ".join(unknown)})
    missing = [" / ".join(dict.fromkeys([k, *columns[k]])) for k in required if k not in set(keys)]
    if missing:
        raise InvalidInput(
            _("Missing columns: %(names)s (the file has: %(header)s).")
            % {"names": ", ".join(missing), "header": ", ".join(table.header) or "—"}
        )
    return [
        (number, {k: (cells[i] if i < len(cells) else "") for i, k in enumerate(keys) if k})
        for number, cells in table.rows
    ]
