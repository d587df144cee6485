"""The quarterly supervision report (督办季报) of a region's key tasks, as xlsx and as PDF: every
task due or finished in the quarter or still open at its end, with its lead unit, deadline,
computed progress, state, whether it ran late and how often it was reminded."""

import io
from dataclasses import dataclass
from datetime import date

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from shoushan.cockpit import rules, selectors
from shoushan.cockpit.models import KeyTask, Reminder
from shoushan.core.errors import InvalidInput
from shoushan.core.exports import spreadsheet_safe
from shoushan.evaluation.blue_book import chinese_pdf
from shoushan.regions.models import Region


@dataclass
class ReportRow:
    task: KeyTask
    lead: str
    assigning: str
    progress: float
    overdue: bool
    reminders: int


@dataclass
class QuarterReport:
    region: Region
    year: int
    quarter: int
    rows: list[ReportRow]
    made_at: str

    @property
    def finished(self) -> int:
        return sum(1 for r in self.rows if r.task.state in rules.FINISHED)

    @property
    def overdue(self) -> int:
        return sum(1 for r in self.rows if r.overdue)

    @property
    def title(self) -> str:
        return _("%(region)s key tasks: supervision report, %(year)s Q%(quarter)s") % {
            "region": self.region.name,
            "year": self.year,
            "quarter": self.quarter,
        }


def quarter_report(viewer, region: Region, year: int, quarter: int) -> QuarterReport:
    if not 1 <= quarter <= 4:
        raise InvalidInput(_("A quarter is 1, 2, 3 or 4."))
    tasks = selectors.quarter_tasks(viewer, region, year, quarter)
    _first, last = rules.quarter_bounds(year, quarter)
    as_of = min(last, timezone.localdate())
    progress = selectors.progress_of(tasks)
    names = selectors.region_names([t.lead_code for t in tasks] + [t.assigning_code for t in tasks])
    counts: dict[int, int] = {}
    for task_id in Reminder.objects.filter(task__in=tasks, sent_at__date__lte=last).values_list(
        "task_id", flat=True
    ):
        counts[task_id] = counts.get(task_id, 0) + 1
    rows = [
        ReportRow(
            task=t,
            lead=names.get(t.lead_code, t.lead_code),
            assigning=names.get(t.assigning_code, t.assigning_code),
            progress=progress[t.pk],
            overdue=selectors.is_overdue(t, as_of),
            reminders=counts.get(t.pk, 0),
        )
        for t in tasks
    ]
    made = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    return QuarterReport(region=region, year=year, quarter=quarter, rows=rows, made_at=made)


def _header() -> list[str]:
    return [
        _("Level"),
        _("Key task"),
        _("Lead unit"),
        _("Handed down by"),
        _("Complete by"),
        _("State"),
        _("Progress"),
        _("Overdue"),
        _("Times reminded"),
        _("Verified on"),
    ]


def _cells(row: ReportRow) -> list:
    t = row.task
    return [
        str(t.get_level_display()),
        t.title,
        row.lead,
        row.assigning,
        t.deadline.isoformat(),
        str(t.get_state_display()),
        f"{row.progress:.0%}",
        _("yes") if row.overdue else "",
        row.reminders,
        t.finished_on.isoformat() if t.finished_on else "",
    ]


def report_xlsx(report: QuarterReport) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(f"{report.year}Q{report.quarter}")
    sheet.append([report.title])
    sheet.append(
        [
            _("Tasks: %(n)s; verified: %(done)s; overdue: %(late)s; made %(when)s")
            % {
                "n": len(report.rows),
                "done": report.finished,
                "late": report.overdue,
                "when": report.made_at,
            }
        ]
    )
    sheet.append(_header())
    for row in report.rows:
        sheet.append([v if isinstance(v, int) else spreadsheet_safe(v) for v in _cells(row)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def report_pdf(report: QuarterReport) -> bytes:
    html = render_to_string(
        "cockpit/report_pdf.html",
        {"report": report, "header": _header(), "rows": [_cells(r) for r in report.rows]},
    )
    return chinese_pdf(html)


def report_file_name(report: QuarterReport, ending: str) -> str:
    return f"key-tasks-{report.region.code}-{report.year}Q{report.quarter}.{ending}"


def report_day(year: int, quarter: int) -> date:
    return rules.quarter_bounds(year, quarter)[1]
