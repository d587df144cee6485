"""12345 work orders in batch (接诉即办): a CSV or xlsx file, checked row by row; a file with any
bad row imports nothing. Columns may be named in Chinese or English:

| column | 中文 | required |
|---|---|---|
| order_id | 工单编号 | yes: unique, never imported before |
| received_at | 受理时间 | yes: YYYY-MM-DD HH:MM[:SS], Beijing time |
| category | 诉求类别 | yes: a sub-class code (R0101) or name |
| description | 诉求内容 | yes |
| community_code | 社区编码 | one of longitude+latitude, community_code or an address |
| longitude, latitude | 经度, 纬度 | WGS84, or as `crs` says (gcj02, bd09) |
| crs | 坐标系 | no |
| address | 地址 | locates the order when it has neither point nor community code |
| caller_name | 来电人 | no |
| caller_phone | 联系电话 | no |

An order is placed by its point, else by its community code, else by the street or community its
address names (the divisions gazetteer; an address naming no street or community, or several
places, is a bad row). The orders become cases through the closed loop's one way in
(`cases_report`); the confident ones are then dispatched without a person."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from shoushan.accounts.roles import DISPATCHERS, require_role
from shoushan.audit.services import audit_record
from shoushan.core.dates import date_acceptable, date_range_reason
from shoushan.core.errors import InvalidInput
from shoushan.core.tables import table_read, table_records
from shoushan.grid.cases.services import CaseReport, cases_report
from shoushan.grid.intake.dispatch import cases_auto_dispatch
from shoushan.grid.intake.selectors import cases_already_imported, cases_stages
from shoushan.grid.models import Channel
from shoushan.grid.registry.selectors import sub_classes_in_use
from shoushan.grid.workflow import Stage

COLUMNS = {
    "order_id": "工单编号",
    "received_at": "受理时间",
    "category": "诉求类别",
    "description": "诉求内容",
    "community_code": "社区编码",
    "longitude": "经度",
    "latitude": "纬度",
    "crs": "坐标系",
    "address": "地址",
    "caller_name": "来电人",
    "caller_phone": "联系电话",
}
REQUIRED = ("order_id", "received_at", "category", "description")
MAX_ROWS = 200_000
# where a problem of the closed loop's check is shown in the file
FIELD_COLUMNS = {
    "reported_at": "received_at",
    "reporter_name": "caller_name",
    "reporter_phone": "caller_phone",
    "external_id": "order_id",
    "scope": "community_code",
    "place": "community_code",
    "photos": "description",
    "channel": "order_id",
}


@dataclass
class HotlineImportResult:
    created: int
    located_by_address: int = 0
    classified: int = 0  # by the active intake model (none without one)
    dispatched: int = 0  # of them, confidently: registered and dispatched without a person
    triage: int = 0  # of them, below the threshold: waiting for manual triage


def hotline_rows_read(name: str, content: bytes) -> list[tuple[int, dict[str, str]]]:
    """The (row number, row keyed by the English column names) of a work-order file."""
    table = table_read(name, content, max_rows=MAX_ROWS)
    return table_records(
        table, {key: [chinese] for key, chinese in COLUMNS.items()}, required=REQUIRED
    )


def hotline_orders_import(
    *,
    actor,
    rows: list[tuple[int, dict[str, str]]],
    progress: Callable[[int, str], None] = lambda _percent, _message: None,
) -> HotlineImportResult:
    """Check every row, then create every case in one transaction (or none), then dispatch the
    confident ones; `progress(percent, message)` hears how far it got (a job's page shows it)."""
    require_role(actor, DISPATCHERS, _("12345 work orders are entered by the dispatching staff."))
    if not rows:
        raise InvalidInput(_("The file has no rows."))
    categories = {c.code: c for c in sub_classes_in_use()}
    by_name = {c.name: c for c in categories.values()}
    already = cases_already_imported(Channel.HOTLINE, [r.get("order_id", "") for _n, r in rows])
    seen: dict[str, int] = {}
    reports: list[CaseReport] = []
    known: dict[int, list[tuple[str, str]]] = {}
    for index, (number, row) in enumerate(rows):
        problems = []
        order_id = row.get("order_id", "")
        if not order_id:
            problems.append(("order_id", _("missing")))
        elif order_id in seen:
            problems.append(("order_id", _("repeats row %(n)s") % {"n": seen[order_id]}))
        elif order_id in already:
            problems.append(("order_id", _("was imported before")))
        else:
            seen[order_id] = number
        received = _time_parse(row.get("received_at", ""))
        if received is None:
            problems.append(("received_at", _("not a time such as 2026-11-26 09:30")))
        elif not date_acceptable(received):
            problems.append(("received_at", date_range_reason()))
            received = None
        category = categories.get(row.get("category", "")) or by_name.get(row.get("category", ""))
        if category is None:
            problems.append(("category", _("not a sub-class code or name of the catalogue")))
        if problems:
            known[index] = problems
        reports.append(
            CaseReport(
                channel=Channel.HOTLINE,
                category=category,  # type: ignore[arg-type]
                description=row.get("description", ""),
                lon=row.get("longitude") or None,
                lat=row.get("latitude") or None,
                crs=row.get("crs") or "wgs84",
                community_code=row.get("community_code", ""),
                address=row.get("address", ""),
                reporter_name=row.get("caller_name", ""),
                reporter_phone=row.get("caller_phone", ""),
                external_id=order_id,
                reported_at=received,
            )
        )
    try:
        progress(40, _("Placing, classifying and saving the orders"))
        cases = cases_report(actor=actor, reports=reports, known_problems=known)
    except InvalidInput as e:
        errors = [
            {
                "row": rows[p["index"]][0],
                "column": FIELD_COLUMNS.get(p["field"], p["field"]),
                "reason": p["reason"],
            }
            for p in e.details or []
        ]
        raise InvalidInput(
            _("%(n)s rows have problems; nothing was imported.")
            % {"n": len({e["row"] for e in errors})},
            details=errors,
        ) from None
    audit_record(
        actor=actor,
        action="case.import",
        object_type="grid.case",
        object_repr=_("%(n)s 12345 work orders") % {"n": len(cases)},
        region_code=_common_street(cases),
        changes={"created": len(cases), "streets": len({c.street_id for c in cases})},
    )
    progress(80, _("Dispatching the confident orders"))
    cases_auto_dispatch(limit=len(cases) + 1000)  # the confident ones go out without a person
    classified = [c for c in cases if c.intake_model_version is not None]
    stages = cases_stages([c.pk for c in classified])
    return HotlineImportResult(
        created=len(cases),
        located_by_address=sum(1 for r in reports if r.lon is None and not r.community_code),
        classified=len(classified),
        dispatched=sum(1 for s in stages.values() if s == Stage.DISPATCHED),
        triage=sum(1 for c in classified if c.needs_triage and stages[c.pk] == Stage.REPORTED),
    )


def _common_street(cases: list) -> str:
    streets = {c.street_id for c in cases}
    return streets.pop() if len(streets) == 1 else ""


def _time_parse(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.replace("/", "-"))
    except ValueError:
        return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)
