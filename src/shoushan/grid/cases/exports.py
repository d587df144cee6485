"""The ranking as an xlsx workbook."""

from datetime import date
from io import BytesIO

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from shoushan.core.exports import spreadsheet_safe
from shoushan.grid.cases.assessment import StreetMonth

RATE_COLUMNS = [
    ("response_rate", "Response rate"),
    ("resolution_rate", "Resolution rate"),
    ("satisfaction_rate", "Satisfaction rate"),
    ("closure_rate", "Closure rate"),
    ("on_time_closure_rate", "On-time closure rate"),
    ("rework_rate", "Rework rate"),
    ("extension_rate", "Extension rate"),
]


def ranking_xlsx(month: date, rows: list[StreetMonth]) -> HttpResponse:
    book = Workbook()
    sheet = book.active
    sheet.title = f"{month:%Y-%m}"
    header = [
        _("Rank"),
        _("Change"),
        _("Street / town"),
        _("Code"),
        _("District"),
        _("Composite"),
        *[_(label) for _key, label in RATE_COLUMNS],
        _("Number of cases"),
        _("Return visits"),
    ]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(
            [
                row.rank,
                row.rank_change,
                spreadsheet_safe(row.name),
                row.code,
                row.district,
                None if row.composite is None else round(row.composite, 4),
                *[
                    None if row.rates[key] is None else round(row.rates[key], 4)
                    for key, _label in RATE_COLUMNS
                ],
                row.counts["received"],
                row.counts["visits"],
            ]
        )
    sheet.freeze_panes = "A2"
    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="street-ranking-{month:%Y-%m}.xlsx"'
    return response
