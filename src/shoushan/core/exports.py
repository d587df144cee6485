"""CSV and xlsx exports: one way to write them, safe to open in Excel or WPS."""

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse
from django.utils import timezone

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> str:
    """A cell a spreadsheet will show as text: one that starts like a formula gets a leading
    apostrophe, so `=HYPERLINK(…)` in a name cannot run when the file is opened."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(
    name: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    """A UTF-8 CSV download (with a BOM, so that Excel reads the Chinese), named
    `<name>-<local time>.csv`, never cached."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return response


def table_response(
    name: str, header: Sequence[str], rows: Iterable[Sequence[object]], *, xlsx: bool
) -> HttpResponse:
    """The rows under their header as a CSV or an xlsx download (one sheet, every text cell
    guarded like a CSV's), named `<name>-<local time>`, never cached."""
    if not xlsx:
        return csv_response(name, header, rows)
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(name[:31])
    sheet.append(list(header))
    for row in rows:
        sheet.append([v if isinstance(v, int) else spreadsheet_safe(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response
