"""Writes of the workforce: each in one transaction with its audit row. A worker's community,
post and status change only through a career event, which records the state after it; education,
political status, qualification and pay change from a date through an attribute change, which
records the values before and after it."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shoushan.accounts.scope import in_scope
from shoushan.audit.services import audit_entry, audit_record, audit_records, field_changes
from shoushan.core.errors import Conflict, Forbidden, InvalidInput
from shoushan.workforce.models import (
    Attribute,
    AttributeChange,
    CareerEvent,
    CityAverageWage,
    CommunityWorker,
    EventKind,
    WorkerStatus,
)
from shoushan.workforce.selectors import (
    community_in_scope,
    is_city_admin,
    require_workforce_role,
    worker_get,
)
from shoushan.workforce.validation import check_worker, parse_choice, parse_date

EDITABLE = (
    "name",
    "id_number",
    "gender",
    "birth_date",
    "education",
    "political_status",
    "qualification",
    "certificate_number",
    "certificate_year",
    "pay_grade",
    "monthly_pay",
    "phone",
)


def _today() -> date:
    return timezone.localdate()


def _refuse(errors: dict[str, str]) -> None:
    if errors:
        raise InvalidInput(" ".join(errors.values()), details=errors)


def _check_unique_id(number: str, *, exclude: int | None = None) -> None:
    others = CommunityWorker.objects.filter(id_number=number)
    if exclude:
        others = others.exclude(pk=exclude)
    if others.exists():
        raise InvalidInput(
            _("A community worker with this ID number is already recorded."),
            details={"id_number": _("A community worker with this ID number is already recorded.")},
        )


def _audit_worker(actor, action: str, worker: CommunityWorker, changes: dict):
    return audit_entry(
        actor=actor,
        action=action,
        obj=worker,
        region_code=worker.region_code,
        changes=changes,
        personal_fields=CommunityWorker.PERSONAL_FIELDS,
    )


@transaction.atomic
def worker_create(
    *, actor, community_code: str, is_generated: bool = False, **values
) -> CommunityWorker:
    """Record a worker and the hire event (dated the hire date)."""
    require_workforce_role(actor)
    community = community_in_scope(actor, community_code)
    cleaned, errors = check_worker(values, today=_today())
    _refuse(errors)
    _check_unique_id(cleaned["id_number"])
    worker = CommunityWorker.objects.create(
        community=community,
        region_code=community.code,
        status=WorkerStatus.ACTIVE,
        is_generated=is_generated,
        **cleaned,
    )
    CareerEvent.objects.create(
        worker=worker,
        kind=EventKind.HIRE,
        on=worker.hire_date,
        community_code=community.code,
        post=worker.post,
        status=WorkerStatus.ACTIVE,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )
    changes = {f: [None, str(v) if v is not None else None] for f, v in cleaned.items()}
    changes["community"] = [None, community.code]
    audit_records([_audit_worker(actor, "community_worker.create", worker, changes)])
    return worker


@transaction.atomic
def worker_update(*, actor, worker_id: int, **values) -> CommunityWorker:
    """Edit a worker's own fields (not community, post or status: those are events). Education,
    political status, qualification and pay edited here are corrections of their latest value;
    a new value from a date is an attribute change (worker_attribute_change_record)."""
    worker = worker_get(actor, worker_id)
    worker = CommunityWorker.objects.select_for_update().get(pk=worker.pk)
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise InvalidInput(
            _("These fields change only through a career event: %(f)s.")
            % {"f": ", ".join(sorted(unknown))}
        )
    merged = {f: getattr(worker, f) for f in EDITABLE} | {
        "post": worker.post,
        "hire_date": worker.hire_date,
    }
    merged.update(values)
    # gender and birth date are derived; what is entered must agree with the ID number
    cleaned, errors = check_worker(
        {k: v for k, v in merged.items() if k not in ("gender", "birth_date") or k in values},
        today=_today(),
    )
    _refuse(errors)
    if cleaned["id_number"] != worker.id_number:
        _check_unique_id(cleaned["id_number"], exclude=worker.pk)
    before = {f: getattr(worker, f) for f in EDITABLE}
    for field in EDITABLE:
        setattr(worker, field, cleaned[field])
    after = {f: getattr(worker, f) for f in EDITABLE}
    changes = field_changes(before, after, EDITABLE)
    if changes:
        worker.save()
        # a correction of education, party membership, qualification or pay corrects the latest
        # recorded value: the value since hire, or the latest dated change's
        corrected = _correct_latest_changes(worker, set(changes))
        if corrected:
            changes["corrected_changes"] = corrected
        audit_records([_audit_worker(actor, "community_worker.update", worker, changes)])
    return worker


# What each event needs and does: (statuses it may follow, status after).
EVENT_RULES = {
    EventKind.HIRE: ({WorkerStatus.LEFT}, WorkerStatus.ACTIVE),
    EventKind.POST_CHANGE: ({WorkerStatus.ACTIVE, WorkerStatus.SECONDED}, None),
    EventKind.TRANSFER: ({WorkerStatus.ACTIVE}, WorkerStatus.ACTIVE),
    EventKind.SECONDMENT: ({WorkerStatus.ACTIVE}, WorkerStatus.SECONDED),
    EventKind.SECONDMENT_END: ({WorkerStatus.SECONDED}, WorkerStatus.ACTIVE),
    EventKind.PROMOTION: ({WorkerStatus.ACTIVE, WorkerStatus.SECONDED}, WorkerStatus.LEFT),
    EventKind.LEAVE: ({WorkerStatus.ACTIVE, WorkerStatus.SECONDED}, WorkerStatus.LEFT),
}


@transaction.atomic
def worker_event_record(
    *,
    actor,
    worker_id: int,
    kind: str,
    on: date | str,
    community_code: str = "",
    post: str = "",
    organization: str = "",
    note: str = "",
) -> CareerEvent:
    """Record one career event and bring the worker's current state in line with it.

    Refused: events in the future, before the hire date or before the worker's latest event (the
    history is kept in order so that any past day can be replayed); moves the status does not
    allow (a worker who left can only be hired again)."""
    worker = worker_get(actor, worker_id)
    worker = CommunityWorker.objects.select_for_update().get(pk=worker.pk)
    try:
        kind = EventKind(kind)
    except ValueError:
        raise InvalidInput(_("Unknown kind of career event: %(k)s.") % {"k": kind}) from None
    try:
        on = parse_date(on)
    except ValueError:
        raise InvalidInput(_("A date is written YYYY-MM-DD.")) from None
    if on > _today():
        raise InvalidInput(_("A career event cannot be dated in the future."))
    # Against the record as it stands: a conflict with its state, not a malformed request.
    if on < worker.hire_date:
        raise Conflict(
            _("A career event cannot be dated before the hire date (%(d)s).")
            % {"d": worker.hire_date.isoformat()}
        )
    last = worker.events.order_by("-on", "-id").first()
    if last is not None and on < last.on:
        raise Conflict(
            _("A career event cannot be dated before the worker's latest event (%(d)s).")
            % {"d": last.on.isoformat()}
        )
    allowed_from, status_after = EVENT_RULES[kind]
    if worker.status not in allowed_from:
        raise Conflict(
            _("A worker whose status is “%(s)s” cannot have this event: %(k)s.")
            % {"s": worker.get_status_display(), "k": kind.label}
        )
    organization = organization.strip()[:100]
    note = note.strip()[:500]
    before: dict[str, Any] = {
        "community": worker.community_id,
        "post": worker.post,
        "status": worker.status,
        "organization": worker.organization,
        "left_date": worker.left_date,
    }
    new_post = worker.post
    if post:
        try:
            new_post = parse_choice("post", post)
        except ValueError:
            raise InvalidInput(_("Unknown post: %(p)s.") % {"p": post}) from None
    if kind is EventKind.POST_CHANGE and new_post == worker.post:
        raise InvalidInput(_("Choose a post different from the present one."))
    if kind in (EventKind.TRANSFER, EventKind.HIRE):
        if not community_code:
            raise InvalidInput(_("Choose the community."))
        if not in_scope(actor, community_code):
            raise Forbidden(_("You may only move a worker into a community in your scope."))
        destination = community_in_scope(actor, community_code)
        if kind is EventKind.TRANSFER and destination.pk == worker.community_id:
            raise InvalidInput(_("The worker is already in this community."))
        worker.community = destination
        worker.region_code = destination.code
    if kind in (EventKind.SECONDMENT, EventKind.PROMOTION) and not organization:
        raise InvalidInput(_("Name the organ or public institution."))
    worker.post = new_post
    worker.status = status_after or worker.status
    if kind is EventKind.SECONDMENT:
        worker.organization = organization
    elif kind is EventKind.SECONDMENT_END:
        worker.organization = ""
    elif kind is EventKind.PROMOTION:
        worker.organization = organization
        worker.left_date = on
    elif kind is EventKind.LEAVE:
        worker.left_date = on
    elif kind is EventKind.HIRE:
        worker.left_date = None
        worker.organization = ""
    worker.save()
    event = CareerEvent.objects.create(
        worker=worker,
        kind=kind,
        on=on,
        community_code=worker.community_id,
        post=worker.post,
        status=worker.status,
        from_community_code=before["community"]
        if before["community"] != worker.community_id
        else "",
        from_post=before["post"] if before["post"] != worker.post else "",
        organization=organization,
        note=note,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )
    after = {
        "community": worker.community_id,
        "post": worker.post,
        "status": worker.status,
        "organization": worker.organization,
        "left_date": worker.left_date,
    }
    changes: dict[str, Any] = field_changes(before, after, before.keys())
    changes["event"] = {"kind": kind.value, "on": on.isoformat(), "id": event.pk}
    audit_record(
        actor=actor,
        action=f"community_worker.{kind.value}",
        obj=worker,
        region_code=worker.region_code,
        changes=changes,
    )
    return event


# ---- attribute changes ---------------------------------------------------------------------

# The worker's fields each attribute sets (the change's own field of the same name holds the new
# value; `value` holds the code or the pay grade).
ATTRIBUTE_FIELDS = {
    Attribute.EDUCATION: ("education",),
    Attribute.POLITICAL_STATUS: ("political_status",),
    Attribute.QUALIFICATION: ("qualification", "certificate_number", "certificate_year"),
    Attribute.PAY: ("pay_grade", "monthly_pay"),
}
# Where the value of each attribute sits on the change: in `value`, or in a field of its own name.
_VALUE_FIELD = {"education", "political_status", "qualification", "pay_grade"}


def _change_values(change: AttributeChange, *, before: bool = False) -> dict:
    """The worker's fields as a change leaves them (or found them)."""
    prefix = "from_" if before else ""
    return {
        f: getattr(change, prefix + ("value" if f in _VALUE_FIELD else f))
        for f in ATTRIBUTE_FIELDS[Attribute(change.attribute)]
    }


def _set_change_values(change: AttributeChange, values: dict, *, before: bool = False) -> None:
    prefix = "from_" if before else ""
    for f, v in values.items():
        setattr(change, prefix + ("value" if f in _VALUE_FIELD else f), v)


def _check_attribute_values(
    attribute: Attribute,
    worker: CommunityWorker,
    on: date,
    value: str,
    certificate_number: str,
    monthly_pay,
) -> dict:
    """The worker's fields after the change, checked like the worker's own (workforce.validation);
    for the pay, an empty grade or amount keeps the present one."""
    if attribute is Attribute.PAY:
        if not str(value or "").strip() and monthly_pay in (None, ""):
            message = _("Enter the new pay grade, the new monthly pay or both.")
            raise InvalidInput(message, details={"value": message})
        given = {
            "pay_grade": value if str(value or "").strip() else worker.pay_grade,
            "monthly_pay": monthly_pay if monthly_pay not in (None, "") else worker.monthly_pay,
        }
    else:
        if not str(value or "").strip():
            message = _("Choose the new value.")
            raise InvalidInput(message, details={"value": message})
        given = {attribute.value: value}
    if attribute is Attribute.QUALIFICATION:
        try:
            qualification = parse_choice("qualification", value)
        except ValueError:
            qualification = None  # check_worker names the problem
        given["certificate_number"] = certificate_number if qualification != "none" else ""
        if qualification not in (None, "none"):
            if on.year < 2008:
                message = _(
                    "A social work qualification is dated 2008 (the first national examination) "
                    "or later."
                )
                raise InvalidInput(message, details={"on": message})
            # the qualification is held from the effective date, whose year is the certificate's
            given["certificate_year"] = on.year
    cleaned, errors = check_worker(given, today=_today(), partial=True)
    _refuse(errors)
    if attribute is Attribute.QUALIFICATION and cleaned["qualification"] == "none":
        cleaned["certificate_number"], cleaned["certificate_year"] = "", None
    return {f: cleaned[f] for f in ATTRIBUTE_FIELDS[attribute]}


@transaction.atomic
def worker_attribute_change_record(
    *,
    actor,
    worker_id: int,
    attribute: str,
    on: date | str,
    value: str = "",
    certificate_number: str = "",
    monthly_pay=None,
    note: str = "",
) -> AttributeChange:
    """Record that education, political status, social work qualification or pay changed on a
    date, and set the worker's fields to the new values (they always hold the latest).

    `value` is the new education, political status or qualification (code, label or Chinese
    term) or the new pay grade; a qualification also needs its certificate number (its year is
    the effective date's); a pay change may give the grade, the monthly pay or both.

    Refused (InvalidInput): an unknown attribute or value, a date in the future or unreadable, a
    value equal to the present one. Refused against the record (Conflict): a date before the
    birth date, the hire date, or the latest change of the same attribute (each attribute's
    history stays in order, so the value of any past day is known)."""
    worker = worker_get(actor, worker_id)
    worker = CommunityWorker.objects.select_for_update().get(pk=worker.pk)
    try:
        attribute = Attribute(attribute)
    except ValueError:
        message = _("Choose what changed: %(choices)s.") % {
            "choices": ", ".join(str(label) for _c, label in Attribute.choices)
        }
        raise InvalidInput(message, details={"attribute": message}) from None
    try:
        on = parse_date(on)
    except ValueError:
        message = _("A date is written YYYY-MM-DD.")
        raise InvalidInput(message, details={"on": message}) from None
    if on > _today():
        message = _("A change cannot be dated in the future.")
        raise InvalidInput(message, details={"on": message})
    if on < worker.birth_date:
        raise Conflict(
            _("A change cannot be dated before the worker's birth date (%(d)s).")
            % {"d": worker.birth_date.isoformat()}
        )
    if on < worker.hire_date:
        raise Conflict(
            _(
                "A change cannot be dated before the hire date (%(d)s): the values at hire are "
                "corrected with “Edit”."
            )
            % {"d": worker.hire_date.isoformat()}
        )
    last = worker.attribute_changes.filter(attribute=attribute).order_by("-on", "-id").first()
    if last is not None and on < last.on:
        raise Conflict(
            _("A change cannot be dated before the latest change of %(a)s (%(d)s).")
            % {"a": attribute.label, "d": last.on.isoformat()}
        )
    before = {f: getattr(worker, f) for f in ATTRIBUTE_FIELDS[attribute]}
    after = _check_attribute_values(attribute, worker, on, value, certificate_number, monthly_pay)
    if after == before:
        message = _("The new value is the same as the present one.")
        raise InvalidInput(message, details={"value": message})
    for f, v in after.items():
        setattr(worker, f, v)
    worker.save()
    change = AttributeChange(
        worker=worker,
        attribute=attribute,
        on=on,
        note=note.strip()[:500],
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _set_change_values(change, before, before=True)
    _set_change_values(change, after)
    change.save()
    changes: dict[str, Any] = field_changes(before, after, before.keys())
    changes["change"] = {"attribute": attribute.value, "on": on.isoformat(), "id": change.pk}
    audit_record(
        actor=actor,
        action=f"community_worker.{attribute.value}_change",
        obj=worker,
        region_code=worker.region_code,
        changes=changes,
    )
    return change


def _correct_latest_changes(worker: CommunityWorker, changed: set[str]) -> list[int]:
    """After an edit of the worker's fields: the latest change of each attribute edited takes the
    corrected values, so that the worker's fields stay the latest recorded values. Returns the
    ids of the changes corrected."""
    corrected = []
    for attribute, fields in ATTRIBUTE_FIELDS.items():
        if not changed & set(fields):
            continue
        last = worker.attribute_changes.filter(attribute=attribute).order_by("-on", "-id").first()
        if last is None:
            continue
        _set_change_values(last, {f: getattr(worker, f) for f in fields})
        last.save()
        corrected.append(last.pk)
    return corrected


# ---- import --------------------------------------------------------------------------------

COLUMNS = {
    "name": "姓名",
    "id_number": "身份证号",
    "gender": "性别",
    "birth_date": "出生日期",
    "education": "学历",
    "political_status": "政治面貌",
    "qualification": "社会工作职业资格",
    "certificate_number": "证书编号",
    "certificate_year": "取得年份",
    "post": "职务",
    "community_code": "社区编码",
    "hire_date": "入职日期",
    "pay_grade": "薪酬等级",
    "monthly_pay": "月应发工资（元）",
    "phone": "联系电话",
}
REQUIRED = (
    "name",
    "id_number",
    "education",
    "political_status",
    "post",
    "community_code",
    "hire_date",
)
MAX_ROWS = 20_000


@dataclass
class ImportResult:
    created: int


def workers_import(*, actor, rows: list[dict[str, str]]) -> ImportResult:
    """Import workers from rows (keyed by the English column names): every row is checked first;
    if any has a problem, nothing is imported and InvalidInput lists each problem
    (row, column, reason). Row 2 is the first row under the header."""
    require_workforce_role(actor)
    if not rows:
        raise InvalidInput(_("The file has no rows under its header."))
    if len(rows) > MAX_ROWS:
        raise InvalidInput(_("At most %(n)s rows in one file.") % {"n": MAX_ROWS})
    today = _today()
    from shoushan.regions.models import Level, Region

    codes = {str(r.get("community_code", "")).strip() for r in rows}
    communities = {r.code: r for r in Region.objects.filter(code__in=codes, level=Level.COMMUNITY)}
    numbers_in_file: dict[str, int] = {}
    problems: list[dict] = []
    cleaned_rows = []
    for index, row in enumerate(rows, start=2):
        cleaned, errors = check_worker(row, today=today)
        code = str(row.get("community_code", "")).strip()
        if not code:
            errors["community_code"] = _("This field is required.")
        elif code not in communities or not in_scope(actor, code):
            errors["community_code"] = _("No such community in your scope: %(code)s.") % {
                "code": code
            }
        number = cleaned.get("id_number")
        if number:
            if number in numbers_in_file:
                errors["id_number"] = _("The same ID number is on row %(r)s.") % {
                    "r": numbers_in_file[number]
                }
            else:
                numbers_in_file[number] = index
        problems += [{"row": index, "column": c, "reason": str(m)} for c, m in errors.items()]
        cleaned_rows.append((cleaned, code))
    existing = set(
        CommunityWorker.objects.filter(id_number__in=list(numbers_in_file)).values_list(
            "id_number", flat=True
        )
    )
    for number in sorted(existing):
        problems.append(
            {
                "row": numbers_in_file[number],
                "column": "id_number",
                "reason": _("A community worker with this ID number is already recorded."),
            }
        )
    if problems:
        problems.sort(key=lambda p: (p["row"], p["column"]))
        raise InvalidInput(
            _("%(n)s problems found; nothing was imported.") % {"n": len(problems)},
            details=problems,
        )
    with transaction.atomic():
        workers = CommunityWorker.objects.bulk_create(
            [
                CommunityWorker(
                    community=communities[code],
                    region_code=code,
                    status=WorkerStatus.ACTIVE,
                    **cleaned,
                )
                for cleaned, code in cleaned_rows
            ]
        )
        if any(w.pk is None for w in workers):  # a backend that does not return ids
            workers = list(CommunityWorker.objects.filter(id_number__in=list(numbers_in_file)))
        CareerEvent.objects.bulk_create(
            [
                CareerEvent(
                    worker=w,
                    kind=EventKind.HIRE,
                    on=w.hire_date,
                    community_code=w.community_id,
                    post=w.post,
                    status=WorkerStatus.ACTIVE,
                    actor=actor if getattr(actor, "is_authenticated", False) else None,
                )
                for w in workers
            ]
        )
        audit_records(
            _audit_worker(actor, "community_worker.import", w, {"community": [None, w.region_code]})
            for w in workers
        )
    return ImportResult(created=len(workers))


@transaction.atomic
def city_average_wage_set(*, actor, year: int, yuan, source: str = "") -> CityAverageWage:
    """The city administrator records the published average annual wage of a year."""
    if not is_city_admin(actor):
        raise Forbidden(_("Only the city administrator records the city's average wage."))
    try:
        year = int(year)
        yuan = int(str(yuan).replace(",", "").strip())
    except ValueError:
        raise InvalidInput(_("Enter a year and an amount of yuan.")) from None
    if not 1978 <= year <= _today().year or not 0 < yuan < 10_000_000:
        raise InvalidInput(_("Enter a year up to this one and a positive amount of yuan."))
    row = CityAverageWage.objects.filter(year=year).first()
    old = str(row.yuan) if row else None
    row, _created = CityAverageWage.objects.update_or_create(
        year=year, defaults={"yuan": yuan, "source": source.strip()[:200]}
    )
    audit_record(
        actor=actor,
        action="city_average_wage.set",
        obj=row,
        region_code="110000000000",
        changes={"yuan": [old, str(yuan)], "year": year},
    )
    return row
