"""The xlsx file of community workers: read for import, written for export (the same columns, so
an export can be edited and imported elsewhere). Exports show personal information masked unless
the viewer holds the permission; each unmasked record is audited (accounts.personal).

The export's first sheet holds each worker's current (latest) values; a second sheet lists the
dated changes of education, political status, qualification and pay, with the values before and
after, so that the figures of a past day can be redone. An import reads the first sheet only: an
imported worker's values are those at hire."""

import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from shoushan.accounts.personal import personal_values
from shoushan.core.exports import spreadsheet_safe
from shoushan.core.masking import mask
from shoushan.core.tables import table_read, table_records
from shoushan.workforce.models import AttributeChange, CommunityWorker
from shoushan.workforce.services import COLUMNS, MAX_ROWS, REQUIRED

EXPORT_COLUMNS = [*list(COLUMNS), "status", "left_date", "organization"]
EXPORT_CHINESE = COLUMNS | {"status": "状态", "left_date": "离职日期", "organization": "去向单位"}


def read_workers_xlsx(content: bytes) -> list[dict[str, str]]:
    """The rows of an xlsx file keyed by the English column names (Chinese headers accepted)."""
    table = table_read("workers.xlsx", content, max_rows=MAX_ROWS)
    return [
        row
        for _number, row in table_records(
            table, {key: [chinese] for key, chinese in EXPORT_CHINESE.items()}, required=REQUIRED
        )
    ]


def workers_xlsx(viewer, workers: list[CommunityWorker], *, masked: bool = False) -> HttpResponse:
    """The workers as an xlsx download; ID numbers and phones masked unless the viewer may see
    them (and asked to), each unmasked record audited as an export."""
    from openpyxl import Workbook

    if masked:
        personal = [
            {f: mask(getattr(w, f), k) for f, k in CommunityWorker.PERSONAL_FIELDS.items()}
            for w in workers
        ]
    else:
        personal = personal_values(
            viewer, workers, CommunityWorker.PERSONAL_FIELDS, purpose="export"
        )
    book = Workbook(write_only=True)
    sheet = book.create_sheet(str(_("Community workers")))
    sheet.append([EXPORT_CHINESE[c] for c in EXPORT_COLUMNS])
    for worker, shown in zip(workers, personal, strict=True):
        values = {
            "name": worker.name,
            "id_number": shown["id_number"],
            "gender": "男" if worker.gender == "male" else "女",
            "birth_date": worker.birth_date.isoformat(),
            "education": worker.get_education_display(),
            "political_status": worker.get_political_status_display(),
            "qualification": worker.get_qualification_display(),
            "certificate_number": worker.certificate_number,
            "certificate_year": worker.certificate_year or "",
            "post": worker.get_post_display(),
            "community_code": worker.community_id,
            "hire_date": worker.hire_date.isoformat(),
            "pay_grade": worker.pay_grade,
            "monthly_pay": float(worker.monthly_pay) if worker.monthly_pay is not None else "",
            "phone": shown["phone"],
            "status": worker.get_status_display(),
            "left_date": worker.left_date.isoformat() if worker.left_date else "",
            "organization": worker.organization,
        }
        sheet.append(
            [
                v if isinstance(v, int | float) else spreadsheet_safe(v)
                for v in (values[c] for c in EXPORT_COLUMNS)
            ]
        )
    _changes_sheet(book, workers, personal)
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="community-workers-{stamp}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response


CHANGE_HEADER = [
    "身份证号",
    "姓名",
    "变更事项",
    "生效日期",
    "变更前",
    "变更后",
    "证书编号",
    "取得年份",
    "变更前月应发工资（元）",
    "月应发工资（元）",
    "备注",
]


def _changes_sheet(book, workers: list[CommunityWorker], personal: list[dict]) -> None:
    """The second sheet: every dated attribute change of the workers, in date order."""
    from shoushan.workforce.selectors import attribute_value_label

    sheet = book.create_sheet(str(_("Attribute changes")))
    sheet.append(CHANGE_HEADER)
    shown = {w.pk: (p["id_number"], w.name) for w, p in zip(workers, personal, strict=True)}
    ids = list(shown)
    changes: list[AttributeChange] = []
    for start in range(0, len(ids), 900):  # SQLite's limit of parameters in one statement
        changes += AttributeChange.objects.filter(worker_id__in=ids[start : start + 900])
    changes.sort(key=lambda c: (c.worker_id, c.on, c.pk))

    def amount(value):
        return float(value) if value is not None else ""

    for c in changes:
        number, name = shown[c.worker_id]
        row = [
            spreadsheet_safe(number),
            spreadsheet_safe(name),
            str(c.get_attribute_display()),
            c.on.isoformat(),
            spreadsheet_safe(attribute_value_label(c.attribute, c.from_value)),
            spreadsheet_safe(attribute_value_label(c.attribute, c.value)),
            spreadsheet_safe(c.certificate_number),
            c.certificate_year or "",
            amount(c.from_monthly_pay),
            amount(c.monthly_pay),
            spreadsheet_safe(c.note),
        ]
        sheet.append(row)


def import_template_xlsx() -> HttpResponse:
    """An empty file with the import columns (Chinese headers)."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.append([COLUMNS[c] for c in COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="community-workers-template.xlsx"'
    return response
