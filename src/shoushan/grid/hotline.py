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
places, is a bad row)."""

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shoushan.accounts.scope import in_scope
from shoushan.audit.services import audit_record
from shoushan.core.bulk import insert_many
from shoushan.core.coordinates import to_wgs84
from shoushan.core.errors import InvalidInput
from shoushan.grid.cases import _grid_index, cases_auto_dispatch
from shoushan.grid.intake_services import address_place, cases_intake_classify
from shoushan.grid.models import Case, CaseEvent, Category, Channel, Grid, GridLayer
from shoushan.grid.workflow import Stage
from shoushan.regions.models import Level, Region

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


@dataclass
class HotlineImportResult:
    created: int
    located_by_address: int = 0
    classified: int = 0  # by the active intake model (none without one)
    dispatched: int = 0  # of them, confidently: registered and dispatched without a person
    triage: int = 0  # of them, below the threshold: waiting for manual triage


def read_table(name: str, content: bytes) -> list[dict[str, str]]:
    """The rows of a CSV (UTF-8, with or without BOM, or GB18030) or xlsx file, keyed by the
    English column names."""
    if name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        except Exception:
            raise InvalidInput(_("The file is not a readable xlsx workbook.")) from None
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None) or ()
        records = [[_cell(v) for v in row] for row in rows]
    else:
        text = _decode(content)
        reader = csv.reader(io.StringIO(text))
        header = next(reader, None) or []
        records = list(reader)
    keys = [_column(h) for h in header]
    unknown = [str(h) for h, k in zip(header, keys, strict=True) if k is None and h]
    if unknown:
        raise InvalidInput(_("Unknown columns: %(names)s.") % {"names": ", ".join(unknown)})
    missing = [f"{k} ({COLUMNS[k]})" for k in REQUIRED if k not in keys]
    if missing:
        raise InvalidInput(_("Missing columns: %(names)s.") % {"names": ", ".join(missing)})
    if len(records) > MAX_ROWS:
        raise InvalidInput(_("At most %(n)s rows in one file.") % {"n": MAX_ROWS})
    return [
        {k: (row[i] if i < len(row) else "").strip() for i, k in enumerate(keys) if k}
        for row in records
        if any(str(cell).strip() for cell in row)
    ]


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput(_("The file is neither UTF-8 nor GB18030 text."))


def _column(name) -> str | None:
    name = str(name or "").strip()
    for key, chinese in COLUMNS.items():
        if name in (key, chinese):
            return key
    return None


def hotline_orders_import(*, actor, rows: list[dict[str, str]]) -> HotlineImportResult:
    """Check every row, then create every case in one transaction (or none)."""
    if not rows:
        raise InvalidInput(_("The file has no rows."))
    categories = {c.code: c for c in Category.objects.filter(is_active=True, parent__isnull=False)}
    by_name = {c.name: c for c in categories.values()}
    communities = dict(
        Region.objects.filter(level=Level.COMMUNITY).values_list("code", "parent_id")
    )
    ids = [r.get("order_id", "") for r in rows]
    already = set(
        Case.objects.filter(channel=Channel.HOTLINE, external_id__in=ids).values_list(
            "external_id", flat=True
        )
    )
    errors: list[dict] = []
    seen: dict[str, int] = {}
    parsed = []
    for number, row in enumerate(rows, start=2):  # row 1 is the header
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
        received = _parse_time(row.get("received_at", ""))
        if received is None:
            problems.append(("received_at", _("not a time such as 2026-11-26 09:30")))
        category = categories.get(row.get("category", "")) or by_name.get(row.get("category", ""))
        if category is None:
            problems.append(("category", _("not a sub-class code or name of the catalogue")))
        if not row.get("description"):
            problems.append(("description", _("missing")))
        lon, lat, place_problem = _place(row, communities)
        if place_problem:
            problems.append(place_problem)
        elif lon is None and actor is not None and not in_scope(actor, _region_of(row)):
            problems.append(("community_code", _("outside your scope")))
        errors += [{"row": number, "column": c, "reason": r} for c, r in problems]
        if not problems:
            parsed.append((row, received, category, lon, lat))
    if errors:
        raise InvalidInput(
            _("%(n)s rows have problems; nothing was imported.")
            % {"n": len({e["row"] for e in errors})},
            details=errors,
        )
    return _create(actor, parsed, communities)


def _parse_time(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.replace("/", "-"))
    except ValueError:
        return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _place(row: dict, communities: dict[str, str]):
    code = row.get("community_code", "")
    lon_text, lat_text = row.get("longitude", ""), row.get("latitude", "")
    if lon_text or lat_text:
        try:
            lon, lat = to_wgs84(float(lon_text), float(lat_text), row.get("crs") or "wgs84")
        except ValueError:
            return (
                None,
                None,
                ("longitude", _("longitude and latitude must be numbers, crs wgs84/gcj02/bd09")),
            )
        return lon, lat, None
    if code:
        if code not in communities:
            return None, None, ("community_code", _("no community has this code"))
        return None, None, None
    if row.get("address"):
        try:
            row["community_code"], row["street_code"] = address_place(row["address"])
        except InvalidInput as e:
            return None, None, ("address", e.message)
        return None, None, None
    return (
        None,
        None,
        ("community_code", _("give longitude and latitude, community_code or an address")),
    )


def _region_of(row: dict) -> str:
    """The region of an order without a point: its community, or the street its address names."""
    return row.get("community_code") or row["street_code"]


def _create(actor, parsed, communities: dict[str, str]) -> HotlineImportResult:
    points = [(i, lon, lat) for i, (_row, _t, _c, lon, lat) in enumerate(parsed) if lon is not None]
    grid_of: dict[int, str] = {}
    if points:
        grids = _grid_index.current()
        found = (
            grids.locator.locate(np.array([p[1] for p in points]), np.array([p[2] for p in points]))
            if grids.locator
            else np.full(len(points), -1)
        )
        outside = [
            parsed[i][0]["order_id"] for (i, _x, _y), f in zip(points, found, strict=True) if f < 0
        ]
        if outside:
            raise InvalidInput(
                _("%(n)s rows lie outside the city's grids; nothing was imported.")
                % {"n": len(outside)},
                details=[
                    {"row": o, "column": "longitude", "reason": _("outside the city's grids")}
                    for o in outside[:1000]
                ],
            )
        grid_of = {i: grids.codes[f] for (i, _x, _y), f in zip(points, found, strict=True)}
        foreign = [
            parsed[i][0]["order_id"]
            for i, code in grid_of.items()
            if actor is not None and not in_scope(actor, code)
        ]
        if foreign:
            raise InvalidInput(
                _("%(n)s rows lie outside your scope; nothing was imported.") % {"n": len(foreign)},
                details=[
                    {"row": o, "column": "longitude", "reason": _("outside your scope")}
                    for o in foreign[:1000]
                ],
            )
    grid_ids = dict(
        Grid.objects.filter(
            layer=GridLayer.COMPREHENSIVE, code__in=set(grid_of.values())
        ).values_list("code", "id")
    )
    now = timezone.now()
    case_fields = [
        "channel",
        "external_id",
        "category_id",
        "description",
        "address",
        "longitude",
        "latitude",
        "grid_id",
        "community_id",
        "street_id",
        "region_code",
        "stage",
        "reported_at",
        "extended",
        "reworked",
        "escalated",
        "reporter_name",
        "reporter_phone",
        "reporter_email",
        "token",
    ]
    cases = []
    located_by = [
        "point" if lon is not None else "address" if row.get("street_code") else "community"
        for row, _t, _c, lon, _lat in parsed
    ]
    for i, (row, received, category, lon, lat) in enumerate(parsed):
        grid_code = grid_of.get(i)
        community = grid_code[:12] if grid_code else row.get("community_code") or None
        street = communities[community] if community else row["street_code"]
        cases.append(
            (
                Channel.HOTLINE.value,
                row["order_id"][:64],
                category.pk,
                row["description"][:5000],
                row.get("address", "")[:200],
                lon,
                lat,
                grid_ids.get(grid_code),
                community,
                street,
                grid_code or community or street,
                Stage.REPORTED.value,
                received,
                False,
                False,
                False,
                row.get("caller_name", "")[:60],
                row.get("caller_phone", "")[:20],
                "",
                uuid.uuid4().hex,
            )
        )
    authenticated = getattr(actor, "is_authenticated", False)
    actor_name = actor.get_username() if authenticated else "system"
    with transaction.atomic():
        insert_many(Case, case_fields, cases)
        tokens = [c[-1] for c in cases]
        ids = {}
        for start in range(0, len(tokens), 5000):
            ids.update(
                Case.objects.filter(token__in=tokens[start : start + 5000]).values_list(
                    "token", "id"
                )
            )
        insert_many(
            CaseEvent,
            [
                "case_id",
                "action",
                "from_stage",
                "to_stage",
                "actor_id",
                "actor_name",
                "at",
                "note",
                "data",
            ],
            [
                (
                    ids[c[-1]],
                    "report",
                    "",
                    Stage.REPORTED.value,
                    actor.pk if authenticated else None,
                    actor_name,
                    now,
                    "",
                    {"channel": Channel.HOTLINE.value, "order_id": c[1], "located_by": how},
                )
                for c, how in zip(cases, located_by, strict=True)
            ],
        )
        streets = sorted({c[9] for c in cases})
        audit_record(
            actor=actor,
            action="case.import",
            object_type="grid.case",
            object_repr=_("%(n)s 12345 work orders") % {"n": len(cases)},
            region_code=streets[0] if len(streets) == 1 else "",
            changes={"created": len(cases), "streets": len(streets)},
        )
    # After the batch is safely in: each order gets the active model's domain and confidence.
    classified = cases_intake_classify(case_ids=list(ids.values()), require_model=False)
    cases_auto_dispatch()  # the confident ones go out without a person
    batch = sorted(ids.values())

    def count(**where) -> int:  # of the batch, in chunks (no huge IN list)
        return sum(
            Case.objects.filter(pk__in=batch[i : i + 5000], **where).count()
            for i in range(0, len(batch), 5000)
        )

    return HotlineImportResult(
        created=len(cases),
        located_by_address=located_by.count("address"),
        classified=classified,
        dispatched=count(stage=Stage.DISPATCHED) if classified else 0,
        triage=count(stage=Stage.REPORTED, needs_triage=True) if classified else 0,
    )
