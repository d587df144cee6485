"""Importing the registry, annual inspections, ratings and credit-list entries from a CSV or xlsx
file: every row is checked first; if any has a problem nothing is stored and every problem is
named (row, column, reason). Row 2 is the first row under the header. An import runs as a
background job (tasks.py) and is audited as one record with its counts."""

import gc
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date

from django.db import connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shoushan.accounts.roles import REGISTRARS, require_role
from shoushan.accounts.scope import in_scope
from shoushan.audit.services import audit_record
from shoushan.core.errors import InvalidInput
from shoushan.core.tables import Table, table_read, table_records
from shoushan.organizations import rules
from shoushan.organizations.models import (
    AnnualInspection,
    CreditListEntry,
    InspectionResult,
    OrganizationStatus,
    Rating,
    RatingEnd,
    SocialOrganization,
    StatusEvent,
    StatusEventKind,
)
from shoushan.organizations.services import NOT_REGISTRAR
from shoushan.organizations.validation import (
    check_inspection,
    check_list_entry,
    check_organization,
    check_rating,
    parse_date,
    places_load,
)

MAX_ROWS = 1_000_000
BATCH = 5000
# An update of many rows is one CASE per column with a branch per row, which PostgreSQL walks
# for each row: 5,000 rows a statement took 12 s (and up to minutes), 500 take 0.5 s.
UPDATE_BATCH = 500
READ_SLICE = 20_000

# kind → {column key: Chinese header}; the first keys are the required ones
COLUMNS = {
    "registry": {
        "name": "社会组织名称",
        "credit_code": "统一社会信用代码",
        "kind": "类型",
        "authority": "登记管理机关",
        "registered_on": "成立登记日期",
        "region_code": "住所区划代码",
        "field": "行业领域",
        "business_scope": "业务范围",
        "legal_representative": "法定代表人",
        "contact_name": "联系人",
        "contact_phone": "联系电话",
        "address": "住所",
        "status": "登记状态",
        "status_on": "状态变更日期",
        "status_reason": "状态变更原因",
    },
    "inspections": {
        "credit_code": "统一社会信用代码",
        "year": "年度",
        "submitted_on": "报送日期",
        "result": "年检结论",
        "decided_on": "结论日期",
        "rectification_outcome": "整改结果",
        "rectified_on": "整改验收日期",
        "note": "备注",
        "name": "社会组织名称",
    },
    "ratings": {
        "credit_code": "统一社会信用代码",
        "grade": "等级",
        "awarded_on": "评定日期",
        "authority": "评估机关",
        "name": "社会组织名称",
    },
    "lists": {
        "credit_code": "统一社会信用代码",
        "list": "名录",
        "entered_on": "列入日期",
        "entry_reason": "列入事由",
        "exited_on": "移出日期",
        "exit_reason": "移出事由",
        "name": "社会组织名称",
    },
}
REQUIRED = {
    "registry": ("name", "credit_code", "kind", "authority", "registered_on"),
    "inspections": ("credit_code", "year"),
    "ratings": ("credit_code", "grade", "awarded_on"),
    "lists": ("credit_code", "list", "entered_on", "entry_reason"),
}
STATUS_EVENT = {
    OrganizationStatus.SUSPENDED: StatusEventKind.SUSPEND,
    OrganizationStatus.DEREGISTERED: StatusEventKind.DEREGISTER,
    OrganizationStatus.REVOKED: StatusEventKind.REVOKE,
}
STATUS_CHINESE = {"登记": "registered", "正常": "registered", "暂停活动": "suspended",
                  "注销": "deregistered", "已注销": "deregistered", "撤销登记": "revoked",
                  "已撤销": "revoked", "": "registered"}  # fmt: skip
STATUS_VALUES = frozenset(OrganizationStatus.values)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while a file is read, checked and stored. A file of
    500,000 rows keeps a million objects alive, and every full collection walked them all again:
    a third of the import's time. The import leaves no cycles behind (reference counting frees
    what it makes), so nothing waits for the collector, which runs as before afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def rows_read(kind: str, name: str, content: bytes) -> list[tuple[int, dict[str, str]]]:
    """The numbered rows of an uploaded file keyed by column (English or Chinese headers)."""
    if kind not in COLUMNS:
        raise InvalidInput(_("Unknown kind of import: %(kind)s.") % {"kind": kind})
    with _collector_paused():
        return _rows_read(kind, name, content)


def _rows_read(kind: str, name: str, content: bytes) -> list[tuple[int, dict[str, str]]]:
    table = table_read(name, content, max_rows=MAX_ROWS)
    header, cells = table.header, table.rows
    del table
    columns = {key: [chinese] for key, chinese in COLUMNS[kind].items()}
    # The header is checked first, as a whole table would be; then the rows are keyed a slice at
    # a time, each slice's cell lists let go once keyed, and equal cells (a code on each of five
    # years' rows, a date, 合格) kept once: 500,000 rows then take about half the memory.
    rows = table_records(Table(header, []), columns, required=REQUIRED[kind])
    seen: dict[str, str] = {}
    while cells:
        keyed = table_records(Table(header, cells[:READ_SLICE]), columns)
        del cells[:READ_SLICE]
        for _number, record in keyed:
            for key, value in record.items():
                record[key] = seen.setdefault(value, value)
        rows += keyed
    return rows


def organizations_import(*, actor, kind: str, rows: Sequence[tuple[int, dict[str, str]]]) -> dict:
    """Check and store one file's rows; returns the counts. Raises InvalidInput with every
    problem if any row has one (nothing stored)."""
    require_role(actor, REGISTRARS, NOT_REGISTRAR)
    if not rows:
        raise InvalidInput(_("The file has no rows under its header."))
    importer = {
        "registry": _registry,
        "inspections": _inspections,
        "ratings": _ratings,
        "lists": _lists,
    }[kind]
    with _collector_paused():
        counts = importer(actor, rows, timezone.localdate())
    audit_record(
        actor=actor,
        action=f"organization.import_{kind}",
        object_type="organizations.socialorganization",
        object_repr=f"{kind}: {len(rows)}",
        region_code=_common_region(actor),
        changes=counts,
    )
    return counts


def _common_region(actor) -> str:
    return getattr(actor, "region_code", "") or ""


def _raise(problems: list[dict]) -> None:
    if problems:
        problems.sort(key=lambda p: (p["row"], p["column"]))
        raise InvalidInput(
            _("%(n)s problems found; nothing was imported.") % {"n": len(problems)},
            details=problems,
        )


def _problems(number: int, errors: dict) -> list[dict]:
    return [{"row": number, "column": c, "reason": str(m)} for c, m in errors.items()]


def _chunks(values: Sequence, size: int = BATCH) -> Iterator[Sequence]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


REGISTERED_FIELDS = ("pk", "credit_code", "registered_on", "authority_code", "region_code", "name")


def _registered(codes: set[str]) -> dict[str, tuple]:
    """code → (pk, registered_on, authority_code, region_code, name) of recorded organisations."""
    found: dict[str, tuple] = {}
    # "not empty" lets the database look the codes up in the unique index (which holds only the
    # non-empty ones) rather than read the whole table for each chunk
    for chunk in _chunks(sorted(code for code in codes if code)):
        for pk, code, registered_on, authority, region, name in (
            SocialOrganization.objects.filter(credit_code__in=chunk)
            .exclude(credit_code="")
            .order_by()
            .values_list(*REGISTERED_FIELDS)
        ):
            found[code] = (pk, registered_on, authority, region, name)
    return found  # a row without a code names no organisation


def _lookup(actor, number: int, row: dict, registered: dict, problems: list) -> tuple | None:
    """The recorded organisation a row names by code, if the actor acts for its authority."""
    code = str(row.get("credit_code") or "").strip().upper()
    record = registered.get(code)
    if record is None or (actor is not None and not in_scope(actor, record[3])):
        problems.append(
            {
                "row": number,
                "column": "credit_code",
                "reason": _("No organisation with this code in your scope: %(code)s.")
                % {"code": code or "—"},
            }
        )
        return None
    if actor is not None and not in_scope(actor, record[2]):
        problems.append(
            {
                "row": number,
                "column": "credit_code",
                "reason": _("Only the bureau that registered %(code)s changes its record.")
                % {"code": code},
            }
        )
        return None
    return record


def _registry(actor, rows, today: date) -> dict:
    places = places_load()
    problems: list[dict] = []
    cleaned_rows: list[tuple[dict, str, date | None, str]] = []
    first_row: dict[str, int] = {}
    for number, row in rows:
        cleaned, errors = check_organization(row, places=places, today=today)
        code = cleaned.get("credit_code")
        if code:
            if code in first_row:
                errors["credit_code"] = _("The same code is on row %(r)s.") % {"r": first_row[code]}
            else:
                first_row[code] = number
        authority = cleaned.get("authority_code")
        if authority and actor is not None and not in_scope(actor, authority):
            errors["authority"] = _("You do not act for this registration authority.")
        status_text = str(row.get("status") or "").strip()
        status = STATUS_CHINESE.get(status_text, status_text)
        if status not in STATUS_VALUES:
            errors["status"] = _("Unknown value: %(value)s.") % {"value": status_text}
        status_on = None
        if status != OrganizationStatus.REGISTERED and "status" not in errors:
            try:
                status_on = parse_date(row.get("status_on"))
            except (ValueError, TypeError):
                errors["status_on"] = _("Give the date of the status change.")
            else:
                registered_on = cleaned.get("registered_on")
                if status_on > today or (registered_on and status_on < registered_on):
                    errors["status_on"] = _(
                        "The status change lies outside the registration's life."
                    )
        problems += _problems(number, errors)
        cleaned_rows.append((cleaned, status, status_on, str(row.get("status_reason") or "")))
    existing = _registered(set(first_row))
    for code in sorted(existing):
        problems.append(
            {
                "row": first_row[code],
                "column": "credit_code",
                "reason": _("An organisation with this code is already registered."),
            }
        )
    _raise(problems)
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    # The records and their events are made and stored a chunk at a time (the same rows in the
    # same order); the new ids come back from the insert where the database returns them.
    returning = connections[SocialOrganization.objects.db].features.can_return_rows_from_bulk_insert
    with transaction.atomic():
        for chunk in _chunks(cleaned_rows):
            created = SocialOrganization.objects.bulk_create(
                [SocialOrganization(**cleaned, status=status) for cleaned, status, _o, _r in chunk]
            )
            if returning:
                ids = {organization.credit_code: organization.pk for organization in created}
            else:
                ids = {
                    code: record[0]
                    for code, record in _registered({c["credit_code"] for c, *_ in chunk}).items()
                }
            del created
            events = []
            for cleaned, status, status_on, reason in chunk:
                pk = ids[cleaned["credit_code"]]
                events.append(
                    StatusEvent(
                        organization_id=pk,
                        kind=StatusEventKind.REGISTER,
                        on=cleaned["registered_on"],
                        status=OrganizationStatus.REGISTERED,
                        actor_id=actor_id,
                    )
                )
                if status_on:
                    events.append(
                        StatusEvent(
                            organization_id=pk,
                            kind=STATUS_EVENT[OrganizationStatus(status)],
                            on=status_on,
                            status=status,
                            reason=reason[:300],
                            actor_id=actor_id,
                        )
                    )
            StatusEvent.objects.bulk_create(events)
    return {"created": len(cleaned_rows)}


INSPECTION_FIELDS = [
    "due_on",
    "submitted_on",
    "result",
    "decided_on",
    "rectification_due",
    "rectification_outcome",
    "rectified_on",
    "note",
]


def _inspections(actor, rows, today: date) -> dict:
    registered = _registered({str(r.get("credit_code") or "").strip().upper() for _n, r in rows})
    problems: list[dict] = []
    # (organisation, year) → (row, names, values) of the checked values but the year: one tuple
    # of names shared by all rows, rather than a dictionary per row (500,000 rows: 150 MB less)
    records: dict[tuple[int, int], tuple[int, tuple[str, ...], tuple]] = {}
    shapes: dict[tuple[str, ...], tuple[str, ...]] = {}
    for number, row in rows:
        found = _lookup(actor, number, row, registered, problems)
        cleaned, errors = check_inspection(
            row, registered_on=found[1] if found else None, today=today
        )
        if found and "year" in cleaned and not errors:
            key = (found[0], cleaned["year"])
            if key in records:
                errors["year"] = _("The same organisation and year are on row %(r)s.") % {
                    "r": records[key][0]
                }
            else:
                names = tuple(k for k in cleaned if k != "year")
                names = shapes.setdefault(names, names)
                records[key] = (number, names, tuple(cleaned[k] for k in names))
        problems += _problems(number, errors)
    del registered
    _raise(problems)
    existing: dict[tuple[int, int], int] = {}
    kinds: dict[int, str] = {}
    pks = sorted({pk for pk, _y in records})
    for chunk in _chunks(pks):
        kinds.update(SocialOrganization.objects.filter(pk__in=chunk).values_list("pk", "kind"))
        for pk, org, year in AnnualInspection.objects.filter(organization_id__in=chunk).values_list(
            "pk", "organization_id", "year"
        ):
            existing[(org, year)] = pk
    new = [key for key in records if key not in existing]
    changed = [key for key in records if key in existing]

    def inspection(org: int, year: int) -> AnnualInspection:
        _number, names, cleaned = records[(org, year)]
        values = dict(zip(names, cleaned, strict=True))
        result = values.get("result")
        made = AnnualInspection(
            organization_id=org,
            year=year,
            due_on=rules.report_due(kinds[org], year),
            rectification_due=(
                rules.months_later(values["decided_on"], rules.RECTIFICATION_MONTHS)
                if result in (InspectionResult.BASICALLY_PASSED, InspectionResult.FAILED)
                else None
            ),
            **values,
        )
        if (org, year) in existing:
            made.pk = existing[(org, year)]
        return made

    # made a chunk at a time as they are stored, not all 500,000 at once
    with transaction.atomic():
        for chunk in _chunks(new):
            AnnualInspection.objects.bulk_create([inspection(*key) for key in chunk])
        for chunk in _chunks(changed):
            AnnualInspection.objects.bulk_update(
                [inspection(*key) for key in chunk], INSPECTION_FIELDS, batch_size=UPDATE_BATCH
            )
    return {"created": len(new), "updated": len(changed)}


def _ratings(actor, rows, today: date) -> dict:
    registered = _registered({str(r.get("credit_code") or "").strip().upper() for _n, r in rows})
    problems: list[dict] = []
    by_org: dict[int, list[tuple[int, dict]]] = defaultdict(list)
    for number, row in rows:
        found = _lookup(actor, number, row, registered, problems)
        cleaned, errors = check_rating(row, registered_on=found[1] if found else None, today=today)
        if found and not errors:
            for other_number, other in by_org[found[0]]:
                if other["awarded_on"] == cleaned["awarded_on"]:
                    errors["awarded_on"] = _("The same organisation and date are on row %(r)s.") % {
                        "r": other_number
                    }
            by_org[found[0]].append((number, cleaned))
        problems += _problems(number, errors)
    _raise(problems)
    open_ratings: dict[int, Rating] = {}
    for chunk in _chunks(sorted(by_org)):
        for rating in Rating.objects.filter(organization_id__in=chunk, ended_on=None):
            held = open_ratings.get(rating.organization_id)
            if held is None or rating.awarded_on > held.awarded_on:
                open_ratings[rating.organization_id] = rating
    new: list[Rating] = []
    ended: list[Rating] = []
    source = _("imported")
    for org, items in by_org.items():
        chain = sorted(items, key=lambda item: item[1]["awarded_on"])
        previous = open_ratings.get(org)
        for _number, cleaned in chain:
            rating = Rating(organization_id=org, source=source, **cleaned)
            if previous is not None and previous.awarded_on < rating.awarded_on:
                previous.ended_on = rating.awarded_on
                previous.end = (
                    RatingEnd.DOWNGRADED if rating.grade < previous.grade else RatingEnd.SUPERSEDED
                )
                if previous.pk:
                    ended.append(previous)
            new.append(rating)
            previous = rating
    with transaction.atomic():
        for chunk in _chunks(ended):
            Rating.objects.bulk_update(chunk, ["ended_on", "end"], batch_size=UPDATE_BATCH)
        for chunk in _chunks(new):
            Rating.objects.bulk_create(chunk)
    return {"created": len(new), "ended": len(ended)}


def _lists(actor, rows, today: date) -> dict:
    registered = _registered({str(r.get("credit_code") or "").strip().upper() for _n, r in rows})
    problems: list[dict] = []
    entries = []
    for number, row in rows:
        found = _lookup(actor, number, row, registered, problems)
        cleaned, errors = check_list_entry(row, today=today)
        problems += _problems(number, errors)
        if found and not errors:
            entries.append(CreditListEntry(organization_id=found[0], **cleaned))
    _raise(problems)
    with transaction.atomic():
        for chunk in _chunks(entries):
            CreditListEntry.objects.bulk_create(chunk)
    return {"created": len(entries)}
