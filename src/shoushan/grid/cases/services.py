"""The case closed loop (接诉即办): reports from every channel, one or a batch at a time, and every
move after.

Every write is a service: keyword-only, one transaction, a CaseEvent for each move and an audit
record; an illegal move raises Conflict (409) and changes nothing. A report is made a case in one
way only, `cases_report`: the residents' form and Open311 hand it one report (through a group
commit, so that reports arriving together share a transaction), a 12345 import a whole file.
Other parts of the platform add to a new case through `report_hook_add` (smart intake adds its
prediction); the closed loop itself knows nothing of them."""

import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shoushan.accounts.roles import DISPATCHERS, PATROLLERS, has_role, require_role
from shoushan.accounts.scope import in_scope
from shoushan.audit.models import AuditRecord
from shoushan.audit.services import audit_entry, audit_record, audit_records
from shoushan.core.bulk import insert_instances
from shoushan.core.coordinates import to_wgs84
from shoushan.core.dates import date_acceptable, date_range_reason
from shoushan.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from shoushan.core.group_commit import GroupCommit
from shoushan.grid.cases.photos import photos_attach, photos_check
from shoushan.grid.cases.routing import case_location, case_route
from shoushan.grid.models import Case, CaseEvent, Category, Channel, ReturnVisit, Satisfaction, Unit
from shoushan.grid.registry.grid_index import Location, grid_snapshot
from shoushan.grid.registry.selectors import unit_can_act, working_calendar
from shoushan.grid.workflow import CLOCK_STAGES, Action, IllegalMove, Stage, next_stage
from shoushan.regions.codes import significant_prefix
from shoushan.regions.models import Level, Region
from shoushan.regions.selectors import address_place

MAX_DESCRIPTION = 5000
# The longest value of each field a report may bring: a longer one is refused, never cut.
MAX_LENGTHS = {
    "description": MAX_DESCRIPTION,
    "address": 200,
    "reporter_name": 60,
    "reporter_phone": 20,
    "reporter_email": 254,
    "external_id": 64,
}
PHONE = re.compile(r"\+?[0-9][0-9 \-]{4,19}")


def _length_problems(report: "CaseReport", description: str) -> list[tuple[str, str]]:
    values = {
        "description": description,
        "address": report.address.strip(),
        "reporter_name": report.reporter_name.strip(),
        "reporter_phone": report.reporter_phone.strip(),
        "reporter_email": report.reporter_email.strip(),
        "external_id": report.external_id.strip(),
    }
    return [
        (field, _("At most %(n)s characters (this has %(given)s).") % {"n": n, "given": len(v)})
        for field, v in values.items()
        if len(v) > (n := MAX_LENGTHS[field])
    ]


def case_deadline(category: Category, start: datetime) -> datetime:
    local = timezone.localtime(start)
    return working_calendar().deadline(local, category.time_limit, category.time_limit_unit)


# ---- reports -----------------------------------------------------------------------------------


@dataclass
class CaseReport:
    """What a channel brought: the problem, where it is (a point, a community or an address) and
    who reported it."""

    channel: str
    category: Category
    description: str
    lon: float | str | None = None
    lat: float | str | None = None
    crs: str = "wgs84"
    community_code: str = ""
    address: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    reporter_email: str = ""
    external_id: str = ""
    idempotency_key: str | None = None
    reported_at: datetime | None = None
    photos: Sequence = ()


# Hooks that add fields to new cases: each takes the batch's (channel, description) pairs and
# returns one dict of Case fields per report (smart intake registers its prediction here).
ReportHook = Callable[[list[tuple[str, str]]], list[dict[str, Any]]]
_report_hooks: list[ReportHook] = []


def report_hook_add(hook: ReportHook) -> None:
    if hook not in _report_hooks:
        _report_hooks.append(hook)


def case_report(*, actor, **report: Any) -> tuple[Case, bool]:
    """One report made a case in stage `reported`: (case, created). A repeated `idempotency_key`
    returns the case it created the first time."""
    given = CaseReport(**report)
    _require_channel_role(actor, {given.channel})
    if given.idempotency_key:
        first = Case.objects.filter(idempotency_key=given.idempotency_key).first()
        if first is not None:
            return first, False
    try:
        (pending,) = _checked(actor, [given], {})
    except InvalidInput as e:  # one report: its first problem is the message
        details = e.details  # _checked lists the problems
        problem = details[0] if details else {"field": "", "reason": e.message}
        if problem["field"] == "scope":
            raise Forbidden(problem["reason"]) from None
        if problem["field"] == "address":
            address_place(given.address)  # an ambiguous one raises again, with its places
        raise InvalidInput(problem["reason"]) from None
    try:
        _report_writer.submit(pending)
    except IntegrityError:
        # A concurrent retry won the race: answer with its case.
        retried = (
            Case.objects.filter(idempotency_key=given.idempotency_key).first()
            if given.idempotency_key
            else None
        )
        if retried:
            return retried, False
        raise
    assert pending.case is not None  # set by the write that committed
    return pending.case, True


def cases_report(
    *,
    actor,
    reports: Sequence[CaseReport],
    known_problems: dict[int, list[tuple[str, str]]] | None = None,
) -> list[Case]:
    """A batch of reports (a 12345 file) made cases in one transaction, or none: any report with
    a problem raises InvalidInput whose details list every problem as {index, field, reason},
    with the problems the caller found itself (`known_problems`: index → (field, reason)), so
    that a person sees them all at once."""
    _require_channel_role(actor, {r.channel for r in reports})
    pending = _checked(actor, list(reports), known_problems or {})
    _reports_write(pending)
    return [p.case for p in pending if p.case is not None]


@dataclass
class _Pending:
    """A checked report waiting to be written; `case` is set once it is."""

    fields: dict
    actor: Any
    photos: Sequence
    located_by: str
    case: Case | None = None
    problems: list[tuple[str, str]] = field(default_factory=list)


def _require_channel_role(actor, channels: set[str]) -> None:
    """Patrol reports come from those who patrol; 12345 work orders are entered by the
    dispatching offices (the platform itself, `None`, imports them too)."""
    if Channel.PATROL in channels:
        require_role(
            actor,
            PATROLLERS,
            _("Patrol reports come from grid workers and staff, in their own area."),
        )
    if Channel.HOTLINE in channels:
        require_role(
            actor, DISPATCHERS, _("12345 work orders are entered by the dispatching staff.")
        )


def _checked(
    actor, reports: list[CaseReport], known: dict[int, list[tuple[str, str]]]
) -> list[_Pending]:
    """Check and place every report; raise InvalidInput listing every problem (nothing written),
    one per field of a report, those the caller knew first."""
    pending = [_fields_of(actor, r) for r in reports]
    _place(actor, reports, pending)
    problems = []
    for i, p in enumerate(pending):
        fields = set()
        for name, reason in [*known.get(i, []), *p.problems]:
            if name not in fields:
                fields.add(name)
                problems.append({"index": i, "field": name, "reason": reason})
    if problems:
        raise InvalidInput(
            _("%(n)s reports have problems; nothing was saved.")
            % {"n": len({p["index"] for p in problems})},
            details=problems,
        )
    extra = [hook([(r.channel, r.description) for r in reports]) for hook in _report_hooks]
    for i, p in enumerate(pending):
        for added in extra:
            p.fields.update(added[i])
    return pending


def _fields_of(actor, report: CaseReport) -> _Pending:
    problems = []
    description = (report.description or "").strip()
    if not description:
        problems.append(("description", _("Describe the problem.")))
    if report.channel not in Channel.values:
        problems.append(
            ("channel", _("Unknown channel %(channel)s.") % {"channel": report.channel})
        )
    category = report.category
    if category is None or not category.is_active or category.major_class_id is None:
        problems.append(("category", _("Choose a sub-class of the catalogue that is in use.")))
    lon = lat = None
    if report.lon not in (None, "") or report.lat not in (None, ""):
        try:
            lon, lat = to_wgs84(float(report.lon), float(report.lat), report.crs or "wgs84")  # type: ignore[arg-type]
        except (TypeError, ValueError):
            problems.append(
                (
                    "longitude",
                    _("The coordinates are not numbers, or the coordinate system is unknown."),
                )
            )
        else:
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                problems.append(
                    ("longitude", _("The coordinates are not a longitude and latitude."))
                )
                lon = lat = None
    problems += _length_problems(report, description)
    if report.reporter_phone and not PHONE.fullmatch(report.reporter_phone.strip()):
        problems.append(("reporter_phone", _("A phone number is digits, with +, - or spaces.")))
    if report.reporter_email:
        try:
            validate_email(report.reporter_email.strip())
        except ValidationError:
            problems.append(("reporter_email", _("This is not an email address.")))
    if report.reported_at is not None and not date_acceptable(report.reported_at):
        problems.append(("reported_at", date_range_reason()))
    try:
        photos_check(report.photos)
    except InvalidInput as e:
        problems.append(("photos", e.message))
    pending = _Pending(
        fields={
            "channel": report.channel,
            "external_id": report.external_id.strip(),
            "category": category,
            "description": description,
            "address": report.address.strip(),
            "longitude": lon,
            "latitude": lat,
            "stage": Stage.REPORTED,
            "reporter_name": report.reporter_name.strip(),
            "reporter_phone": report.reporter_phone.strip(),
            "reporter_email": report.reporter_email.strip(),
            "reported_by": actor if getattr(actor, "is_authenticated", False) else None,
            "idempotency_key": report.idempotency_key or None,
            "reported_at": report.reported_at or timezone.now(),
            "token": uuid.uuid4().hex,
        },
        actor=actor,
        photos=report.photos,
        # how the place was found: from the point, the community chosen, or the address text
        located_by="point"
        if lon is not None
        else "community"
        if report.community_code
        else "address",
        problems=problems,
    )
    return pending


def _place(actor, reports: list[CaseReport], pending: list[_Pending]) -> None:
    """The grid, community and street of each report: its point (all points of a batch looked
    up at once), else the community chosen, else the street or community its address names. A
    staff member's report must lie in their scope."""
    snapshot = grid_snapshot()
    with_point = [i for i, p in enumerate(pending) if p.fields["longitude"] is not None]
    found = (
        snapshot.locator.locate(
            np.array([pending[i].fields["longitude"] for i in with_point]),
            np.array([pending[i].fields["latitude"] for i in with_point]),
        )
        if with_point and snapshot.locator is not None
        else np.full(len(with_point), -1)
    )
    locations: dict[int, Location] = {}
    for i, index in zip(with_point, found, strict=True):
        if index < 0:
            pending[i].problems.append(
                (
                    "longitude",
                    _("The point (%(lon)s, %(lat)s) is outside the city's grids.")
                    % {"lon": pending[i].fields["longitude"], "lat": pending[i].fields["latitude"]},
                )
            )
        else:
            locations[i] = snapshot.locations[index]
    codes = {r.community_code for i, r in enumerate(reports) if i not in locations}
    streets = dict(
        Region.objects.filter(code__in=codes - {""}, level=Level.COMMUNITY).values_list(
            "code", "parent_id"
        )
    )
    for i, report in enumerate(reports):
        if i in locations or i in with_point:
            continue
        if report.community_code:
            if report.community_code not in streets:
                pending[i].problems.append(
                    (
                        "community_code",
                        _("There is no community with the code %(code)s.")
                        % {"code": report.community_code},
                    )
                )
                continue
            locations[i] = Location(report.community_code, streets[report.community_code])
        elif report.address.strip():
            try:
                community, street = address_place(report.address)
            except InvalidInput as e:
                pending[i].problems.append(("address", e.message))
                continue
            locations[i] = Location(community_code=community or "", street_code=street)
        else:
            pending[i].problems.append(
                ("place", _("Give the place: a point on the map, a community or an address."))
            )
    for i, location in locations.items():
        # staff report and import inside their own area; the public reports anywhere
        staff_only = reports[i].channel in (Channel.PATROL, Channel.HOTLINE)
        if staff_only and actor is not None and not in_scope(actor, location.region_code):
            pending[i].problems.append(("scope", _("The place is outside your area.")))
        pending[i].fields.update(
            grid_id=location.grid_id,
            community_id=location.community_code or None,
            street_id=location.street_code,
            region_code=location.region_code,
        )


def _reports_write(reports: Sequence[_Pending]) -> None:
    """New cases with their report events and audit records, in one transaction."""
    with transaction.atomic():
        cases = _cases_insert([Case(**r.fields) for r in reports])
        moves = [
            _event_entries(
                case,
                actor=r.actor,
                action="report",
                from_stage="",
                to_stage=Stage.REPORTED,
                data={
                    "channel": case.channel,
                    "located_by": r.located_by,
                    **({"external_id": case.external_id} if case.external_id else {}),
                },
            )
            for case, r in zip(cases, reports, strict=True)
        ]
        insert_instances([event for event, _record in moves])
        audit_records([record for _event, record in moves])
        with_photos = {
            case.pk: r.photos for case, r in zip(cases, reports, strict=True) if r.photos
        }
        for event in CaseEvent.objects.filter(case_id__in=with_photos).select_related("case"):
            photos_attach(case=event.case, event=event, files=with_photos[event.case_id])
    for case, r in zip(cases, reports, strict=True):
        r.case = case


BULK_INSERT_FROM = 1000


def _cases_insert(cases: list[Case]) -> list[Case]:
    """Insert new cases and give each its id: a few with bulk_create (which reads the ids back),
    a file of them through the fast path (COPY on PostgreSQL), the ids read back by token."""
    if len(cases) < BULK_INSERT_FROM:
        return Case.objects.bulk_create(cases)
    insert_instances(cases)
    tokens = [c.token for c in cases]
    ids: dict[str, int] = {}
    for start in range(0, len(tokens), 5000):
        ids.update(
            Case.objects.filter(token__in=tokens[start : start + 5000]).values_list("token", "id")
        )
    for case in cases:
        case.pk = ids[case.token]
    return cases


# Intake is the busiest write: reports that arrive together share a transaction.
_report_writer: GroupCommit[_Pending] = GroupCommit(_reports_write)


def case_event_record(
    case: Case,
    *,
    actor,
    action: str,
    from_stage: str,
    to_stage: str,
    note: str = "",
    data: dict | None = None,
) -> CaseEvent:
    """Write one move of a case: its case event and its audit record (inside the move's
    transaction). For the services of the closed loop and of intake (merging, automatic
    dispatch)."""
    event, record = _event_entries(
        case,
        actor=actor,
        action=action,
        from_stage=from_stage,
        to_stage=to_stage,
        note=note,
        data=data,
    )
    event.save()
    audit_records([record])
    return event


def _event_entries(
    case: Case,
    *,
    actor,
    action: str,
    from_stage: str,
    to_stage: str,
    note: str = "",
    data: dict | None = None,
) -> tuple[CaseEvent, AuditRecord]:
    """The case event and the audit record of a move, not yet saved."""
    authenticated = getattr(actor, "is_authenticated", False)
    event = CaseEvent(
        case=case,
        action=action,
        from_stage=from_stage,
        to_stage=to_stage,
        actor=actor if authenticated else None,
        actor_name=actor.get_username() if authenticated else "system",
        note=note[:2000],
        data=data or {},
    )
    record = audit_entry(
        actor=actor,
        action=f"case.{action}",
        obj=case,
        object_repr=case.number,
        region_code=case.region_code,
        changes={
            "stage": [from_stage, to_stage],
            **({"note": note} if note else {}),
            **(data or {}),
        },
    )
    return event, record


# ---- the moves ---------------------------------------------------------------------------------

# Who may send a case along each action: the dispatcher steers, the unit handles (its members,
# whatever their role), the grid worker verifies on the spot.
ACTION_ROLES = {
    Action.REGISTER: DISPATCHERS,
    Action.REJECT: DISPATCHERS,
    Action.DISPATCH: DISPATCHERS,
    Action.REDISPATCH: DISPATCHERS,
    Action.EXTEND: DISPATCHERS,
    Action.CLOSE: DISPATCHERS,
    Action.REOPEN: DISPATCHERS,
    Action.VERIFY: PATROLLERS,
    Action.REWORK: PATROLLERS,
}
UNIT_ACTIONS = {Action.ACCEPT, Action.RETURN, Action.HANDLE}


def case_may(actor, case: Case, action: Action) -> bool:
    """Whether the actor may make this move on the case (the system, `None`, may make any)."""
    if action is Action.MERGE:  # not a move on its own: intake's merge names the kept case
        return False
    if actor is None:
        return True
    if action in UNIT_ACTIONS:
        return actor.is_superuser or _in_unit(actor, case)
    return has_role(actor, ACTION_ROLES.get(action, frozenset())) and in_scope(
        actor, case.region_code
    )


def case_move(
    *,
    actor,
    case_id: int,
    action: str,
    note: str = "",
    unit_id: int | None = None,
    extend_to: datetime | None = None,
    photos=(),
    data: dict | None = None,
) -> Case:
    """Send a case along one declared transition, or refuse it (409) and change nothing. `actor`
    None is the platform itself (automatic dispatch); `data` adds to the move's event (what
    made the platform decide)."""
    photos_check(photos)
    try:
        action = Action(action)
    except ValueError:
        raise InvalidInput(_("Unknown action %(action)s.") % {"action": action}) from None
    with transaction.atomic():
        case = Case.objects.select_for_update().filter(pk=case_id).first()
        if case is None or not (
            actor is None or in_scope(actor, case.region_code) or _in_unit(actor, case)
        ):
            raise NotFound(_("No such case in your scope."))
        if action is Action.MERGE:
            raise InvalidInput(_("Merge a duplicate from the case's possible duplicates."))
        if not case_may(actor, case, action):
            raise Forbidden(
                _("Your role cannot do “%(action)s” on this case.") % {"action": action}
            )
        try:
            stage = next_stage(case.stage, action)
        except IllegalMove:
            raise Conflict(
                _("A case that is %(stage)s cannot be sent to %(action)s.")
                % {"stage": case.stage, "action": action}
            ) from None
        moved = _apply(case, action, note=note, unit_id=unit_id, extend_to=extend_to)
        from_stage, case.stage = case.stage, stage
        case.save()
        event = case_event_record(
            case,
            actor=actor,
            action=action,
            from_stage=from_stage,
            to_stage=stage,
            note=note,
            data={**(data or {}), **moved},
        )
        photos_attach(case=case, event=event, files=photos)
    return case


def _in_unit(actor, case: Case) -> bool:
    return case.unit is not None and case.unit.members.filter(pk=actor.pk).exists()


def _apply(case: Case, action: Action, *, note: str, unit_id, extend_to) -> dict:
    now = timezone.now()
    if action is Action.REJECT and not note.strip():
        raise InvalidInput(_("Give the reason for not registering the case."))
    if action in (Action.RETURN, Action.REWORK) and not note.strip():
        raise InvalidInput(_("Say why the case goes back."))
    if action is Action.HANDLE and not note.strip():
        raise InvalidInput(_("Describe what was done."))
    if action in (Action.DISPATCH, Action.REDISPATCH):
        unit = (
            Unit.objects.filter(pk=unit_id).first()
            if unit_id
            else case_route(category=case.category, location=case_location(case))
        )
        if unit is None and not unit_id:
            raise InvalidInput(
                _(
                    "No responsible unit answers for this case's category here: choose one, or "
                    "ask the city administrator for a routing rule."
                )
            )
        # a unit answers for a region; it must be one that holds the case (its street, district…)
        if unit is None or not case.region_code.startswith(significant_prefix(unit.region_id)):
            raise InvalidInput(_("There is no such responsible unit for this case's place."))
        if not unit_can_act(unit):  # a case nobody can open would wait unseen
            raise InvalidInput(
                _(
                    "%(unit)s has no account to act on cases: choose another unit, or ask an "
                    "administrator to add an account to it."
                )
                % {"unit": unit.name}
            )
        case.unit = unit
        if action is Action.DISPATCH or case.dispatched_at is None:
            case.dispatched_at = now
            case.deadline = case_deadline(case.category, now)
        return {"unit": unit.name}
    if action is Action.ACCEPT and case.responded_at is None:
        case.responded_at = now
    elif action is Action.EXTEND:
        if extend_to is None or case.deadline is None or extend_to <= case.deadline:
            raise InvalidInput(_("An extension needs a new deadline later than the current one."))
        old, case.deadline, case.extended = case.deadline, extend_to, True
        return {"deadline": [old.isoformat(), extend_to.isoformat()]}
    elif action is Action.HANDLE:
        case.handled_at = now
    elif action is Action.REWORK:
        case.reworked = True
    elif action is Action.CLOSE:
        case.closed_at = now
    elif action is Action.REOPEN:
        case.closed_at = None
    return {}


def case_return_visit_record(
    *,
    actor,
    case_id: int,
    resolved: bool,
    satisfaction: str,
    note: str = "",
    reopen: bool = False,
    reporter_id: int | None = None,
) -> ReturnVisit:
    """回访 after closure, by the dispatching staff, of the case's own reporter or (`reporter_id`)
    of a reporter merged in with a duplicate. An unsatisfied resident's case may be reopened in
    the same transaction (both happen, or neither)."""
    if satisfaction not in Satisfaction.values:
        raise InvalidInput(_("Unknown satisfaction %(value)s.") % {"value": satisfaction})
    with transaction.atomic():
        case = Case.objects.select_for_update().filter(pk=case_id).first()
        if case is None or not in_scope(actor, case.region_code):
            raise NotFound(_("No such case in your scope."))
        require_role(actor, DISPATCHERS, _("Return visits are recorded by the dispatching staff."))
        if case.stage != Stage.CLOSED:
            raise Conflict(
                _("A return visit follows closure; this case is %(stage)s.") % {"stage": case.stage}
            )
        reporter = None
        if reporter_id is not None:
            reporter = case.reporters.filter(pk=reporter_id).first()
            if reporter is None:
                raise InvalidInput(_("That person is not one of this case's reporters."))
        visit = ReturnVisit.objects.create(
            case=case,
            reporter=reporter,
            resolved=resolved,
            satisfaction=satisfaction,
            note=note[:2000],
            visitor=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            actor=actor,
            action="case.return_visit",
            obj=case,
            object_repr=case.number,
            region_code=case.region_code,
            changes={
                "resolved": resolved,
                "satisfaction": satisfaction,
                "note": note[:2000],
                **({"reporter": reporter.pk} if reporter else {}),
            },
        )
        if reopen:
            case_move(
                actor=actor,
                case_id=case_id,
                action=Action.REOPEN,
                note=note or _("Reopened after the return visit."),
            )
    return visit


def case_reporter_phone_for_call(
    *, actor, case_id: int, reason: str, reporter_id: int | None = None
) -> str:
    """The full phone number of the case's reporter (or, with `reporter_id`, of one merged in)
    for the dispatching staff to call — the return visit, or a question while the case is
    handled. Each reading is audited with its reason; the number is never kept on a page."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput(_("Say why you need the number."))
    case = Case.objects.filter(pk=case_id).first()
    if case is None or not in_scope(actor, case.region_code):
        raise NotFound(_("No such case in your scope."))
    require_role(actor, DISPATCHERS, _("Reporters are called by the dispatching staff."))
    phone = case.reporter_phone
    if reporter_id is not None:
        reporter = case.reporters.filter(pk=reporter_id).first()
        if reporter is None:
            raise InvalidInput(_("That person is not one of this case's reporters."))
        phone = reporter.phone
    if not phone:
        raise InvalidInput(_("This reporter left no phone number."))
    audit_record(
        actor=actor,
        action="case.reporter_phone_read",
        obj=case,
        object_repr=case.number,
        region_code=case.region_code,
        changes={"reason": reason[:200], "reporter": reporter_id or "case"},
    )
    return phone


def case_reporter_rating_record(
    *, case_id: int, resolved: bool, satisfaction: str, note: str = ""
) -> ReturnVisit:
    """The reporter's own rating of a closed case, from the follow-up page (which has checked
    who they are: the token or the number and phone). Once per case; counted in the ranking as
    a return visit of the case's own reporter."""
    if satisfaction not in Satisfaction.values:
        raise InvalidInput(_("Unknown satisfaction %(value)s.") % {"value": satisfaction})
    with transaction.atomic():
        case = Case.objects.select_for_update().filter(pk=case_id).first()
        if case is None:
            raise NotFound(_("No such case."))
        if case.stage != Stage.CLOSED:
            raise Conflict(_("The case can be rated once it is closed."))
        if case.return_visits.filter(by_reporter=True).exists():
            raise Conflict(_("You have already rated this case. Thank you."))
        visit = ReturnVisit.objects.create(
            case=case,
            resolved=resolved,
            satisfaction=satisfaction,
            note=note[:2000],
            by_reporter=True,
        )
        audit_record(
            actor=None,
            action="case.reporter_rating",
            obj=case,
            object_repr=case.number,
            region_code=case.region_code,
            changes={"resolved": resolved, "satisfaction": satisfaction, "note": note[:2000]},
        )
    return visit


def cases_escalate_overdue() -> int:
    """Flag and escalate every open case past its deadline (run periodically)."""
    overdue = Case.objects.filter(
        deadline__lt=timezone.now(), escalated=False, stage__in=CLOCK_STAGES
    )
    count = 0
    for case_id in overdue.values_list("pk", flat=True):
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=case_id)
            if case.escalated:
                continue
            case.escalated = True
            case.save(update_fields=["escalated"])
            assert case.deadline is not None  # past due, and a deadline once set is never cleared
            case_event_record(
                case,
                actor=None,
                action="escalate",
                from_stage=case.stage,
                to_stage=case.stage,
                data={"deadline": case.deadline.isoformat()},
            )
            count += 1
    return count
