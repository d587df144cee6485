"""The case closed loop (接诉即办): intake, locating, routing, deadlines and every move.

Every write is a service: keyword-only, one transaction, a CaseEvent for each move and an audit
record; an illegal move raises Conflict (409) and changes nothing."""

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from shoushan.accounts.models import Role
from shoushan.accounts.scope import in_scope
from shoushan.audit.models import AuditRecord
from shoushan.audit.services import audit_entry, audit_record, audit_records
from shoushan.core.bulk import insert_instances
from shoushan.core.coordinates import to_wgs84
from shoushan.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from shoushan.core.group_commit import GroupCommit
from shoushan.grid.geometry import PointLocator, as_polygon
from shoushan.grid.intake_services import address_place, intake_case_fields
from shoushan.grid.models import (
    CalendarDay,
    CalendarDayKind,
    Case,
    CaseEvent,
    CaseKind,
    Category,
    Channel,
    Grid,
    GridLayer,
    ReturnVisit,
    RoutingRule,
    Satisfaction,
    Unit,
    UnitKind,
)
from shoushan.grid.photos import photos_attach, photos_check
from shoushan.grid.workflow import Action, IllegalMove, Stage, next_stage
from shoushan.grid.working_calendar import WorkingCalendar
from shoushan.regions.codes import ancestor_codes, significant_prefix
from shoushan.regions.models import Level, Region

# ---- the working calendar ----------------------------------------------------------------------


def working_calendar() -> WorkingCalendar:
    days = CalendarDay.objects.values_list("date", "kind")
    return WorkingCalendar.of(
        (d for d, k in days if k == CalendarDayKind.HOLIDAY),
        (d for d, k in days if k == CalendarDayKind.WORKING_DAY),
    )


def case_deadline(category: Category, start: datetime) -> datetime:
    local = timezone.localtime(start)
    return working_calendar().deadline(local, category.time_limit, category.time_limit_unit)


# ---- locating ----------------------------------------------------------------------------------


@dataclass
class Location:
    """Where a case is: codes only, so that intake needs no extra queries."""

    community_code: str
    street_code: str
    grid_id: int | None = None
    grid_code: str | None = None
    responsible_party: str = ""

    @property
    def region_code(self) -> str:
        return self.grid_code or self.community_code or self.street_code


@dataclass(frozen=True)
class GridSnapshot:
    """The comprehensive grids at one moment: their codes, what intake needs of each, and an
    STRtree over their polygons, all indexed alike."""

    codes: list[str]
    locations: list[Location]
    locator: PointLocator | None

    def locate(self, lon: float, lat: float) -> Location | None:
        if self.locator is None:
            return None
        index = self.locator.locate_one(lon, lat)
        return self.locations[index] if index >= 0 else None


class _GridIndex:
    """The current GridSnapshot, rebuilt when the grids change. Whether they changed is asked at
    most every GRID_INDEX_REFRESH_SECONDS, so that intake does not count the grids on every
    request. A rebuild replaces the snapshot in one assignment, so readers never mix two."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.key: tuple | None = None
        self.checked = 0.0
        self.snapshot = GridSnapshot([], [], None)

    def current(self) -> GridSnapshot:
        if not self._fresh():
            with self.lock:  # one thread checks and rebuilds; the others wait for its answer
                if not self._fresh():
                    self._rebuild()
        return self.snapshot

    def _fresh(self) -> bool:
        interval = settings.GRID_INDEX_REFRESH_SECONDS
        return self.key is not None and time.monotonic() - self.checked < interval

    def _rebuild(self) -> None:
        grids = Grid.objects.filter(layer=GridLayer.COMPREHENSIVE)
        key = (grids.aggregate(last=Max("id"))["last"], grids.count())
        if key != self.key:
            rows = list(
                grids.values_list(
                    "id",
                    "code",
                    "community_id",
                    "community__parent_id",
                    "responsible_party",
                    "boundary",
                )
            )
            self.snapshot = GridSnapshot(
                codes=[row[1] for row in rows],
                locations=[Location(c, s, i, g, p) for i, g, c, s, p, _b in rows],
                locator=PointLocator([as_polygon(row[-1]) for row in rows]) if rows else None,
            )
            self.key = key
        self.checked = time.monotonic()


_grid_index = _GridIndex()


def grid_index_warm() -> None:
    """Build this process's grid index now (the WSGI module calls it as a worker starts)."""
    _grid_index.current()


def case_locate(
    *, lon: float | None, lat: float | None, community_code: str = "", address: str = ""
) -> Location:
    """The grid, community and street of a point (WGS84); else of the community the reporter
    chose; else of the street or community a free-text address names (see address_place)."""
    if lon is not None and lat is not None:
        location = _grid_index.current().locate(lon, lat)
        if location is None:
            raise InvalidInput(
                _("The point (%(lon)s, %(lat)s) is outside the city's grids.")
                % {"lon": lon, "lat": lat}
            )
        return location
    if community_code:
        street_code = (
            Region.objects.filter(code=community_code, level=Level.COMMUNITY)
            .values_list("parent_id", flat=True)
            .first()
        )
        if street_code is None:
            raise InvalidInput(
                _("There is no community with the code %(code)s.") % {"code": community_code}
            )
        return Location(community_code=community_code, street_code=street_code)
    if address.strip():
        community, street = address_place(address)
        return Location(community_code=community or "", street_code=street)
    raise InvalidInput(_("Give the place: a point on the map, a community or an address."))


# ---- routing -----------------------------------------------------------------------------------


def case_route(*, category: Category, location: Location) -> Unit:
    """Who answers: a routing rule for the place and category (the most specific region wins);
    else events and 12345 requests go to the locality (the street office) and components to their
    owner (the grid's responsible party or the category's default department in the district)."""
    rule_unit = routing_rule_unit(category=category, location=location)
    if rule_unit is not None:
        return rule_unit
    street_unit = _street_unit(location.street_code)
    if category.kind != CaseKind.COMPONENT:
        return street_unit
    owner = location.responsible_party or category.default_department
    if not owner:
        return street_unit
    return department_unit(district_code=location.street_code[:6] + "000000", department=owner)


def routing_rule_unit(*, category: Category, location: Location) -> Unit | None:
    """The unit of the routing rule for the place and category, the most specific region first
    (and the sub-class before its major class); None without a rule."""
    places = [location.region_code[:12], *reversed(ancestor_codes(location.region_code[:12]))]
    categories = [category.pk] + ([category.parent_id] if category.parent_id else [])
    rules = {
        (r.region_id, r.category_id): r
        for r in RoutingRule.objects.select_related("unit").filter(
            region_id__in=places, category_id__in=categories
        )
    }
    for place in places:
        for category_id in categories:
            if (place, category_id) in rules:
                return rules[(place, category_id)].unit
    return None


def department_unit(*, district_code: str, department: str) -> Unit:
    """The district's unit of a department named generically: 区城管委 → 东城区城管委."""
    if department.startswith("区"):
        district = Region.objects.defer("boundary").get(code=district_code)
        department = district.name + department[1:]
    unit, _created = Unit.objects.get_or_create(
        region_id=district_code, name=department[:100], defaults={"kind": UnitKind.DEPARTMENT}
    )
    return unit


def _street_unit(street_code: str) -> Unit:
    unit = Unit.objects.filter(region_id=street_code, kind=UnitKind.STREET).first()
    if unit is None:
        street = Region.objects.defer("boundary").get(code=street_code)
        unit, _created = Unit.objects.get_or_create(
            region_id=street_code, name=f"{street.name}办事处", defaults={"kind": UnitKind.STREET}
        )
    return unit


# ---- intake ------------------------------------------------------------------------------------


def case_report(
    *,
    actor,
    channel: str,
    category: Category,
    description: str,
    lon: float | None = None,
    lat: float | None = None,
    crs: str = "wgs84",
    community_code: str = "",
    address: str = "",
    reporter_name: str = "",
    reporter_phone: str = "",
    reporter_email: str = "",
    external_id: str = "",
    idempotency_key: str | None = None,
    reported_at: datetime | None = None,
    photos=(),
) -> tuple[Case, bool]:
    """A new case in stage `reported`: (case, created). A repeated `idempotency_key` returns the
    case it created the first time."""
    if idempotency_key:
        first = Case.objects.filter(idempotency_key=idempotency_key).first()
        if first is not None:
            return first, False
    description = (description or "").strip()
    if not description:
        raise InvalidInput(_("Describe the problem."))
    if channel not in Channel.values:
        raise InvalidInput(_("Unknown channel %(channel)s.") % {"channel": channel})
    if not category.is_active or category.parent_id is None:
        raise InvalidInput(_("Choose a sub-class of the catalogue that is in use."))
    if lon is not None and lat is not None:
        try:
            lon, lat = float(lon), float(lat)
            lon, lat = to_wgs84(lon, lat, crs)
        except (TypeError, ValueError):
            raise InvalidInput(
                _("The coordinates are not numbers, or the coordinate system is unknown.")
            ) from None
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise InvalidInput(_("The coordinates are not a longitude and latitude."))
    photos_check(photos)
    location = case_locate(lon=lon, lat=lat, community_code=community_code, address=address)
    if channel == Channel.PATROL and not (
        getattr(actor, "role", None) in PATROL_ROLES and in_scope(actor, location.region_code)
    ):
        raise PermissionDenied(
            _("Patrol reports come from grid workers and staff, in their own area.")
        )
    report = _Report(
        fields={
            "channel": channel,
            "external_id": external_id[:64],
            "category": category,
            "description": description[:5000],
            "address": address[:200],
            "longitude": lon,
            "latitude": lat,
            "grid_id": location.grid_id,
            "community_id": location.community_code or None,
            "street_id": location.street_code,
            "region_code": location.region_code,
            "stage": Stage.REPORTED,
            "reporter_name": reporter_name[:60],
            "reporter_phone": reporter_phone[:20],
            "reporter_email": reporter_email[:254],
            "reported_by": actor if getattr(actor, "is_authenticated", False) else None,
            "idempotency_key": idempotency_key or None,
            "reported_at": reported_at or timezone.now(),
            # the domain, department and confidence the active intake model predicts, if any
            **intake_case_fields(channel=channel, description=description),
        },
        actor=actor,
        photos=photos,
        # how the place was found: from the point, the community chosen, or the address text
        located_by="point" if lon is not None else "community" if community_code else "address",
    )
    try:
        _report_writer.submit(report)
    except IntegrityError:
        # A concurrent retry won the race: answer with its case.
        first = idempotency_key and Case.objects.filter(idempotency_key=idempotency_key).first()
        if first:
            return first, False
        raise
    return report.case, True


@dataclass
class _Report:
    """A checked report waiting to be written; `case` is set once it is."""

    fields: dict
    actor: Any
    photos: Sequence
    located_by: str
    case: Case | None = None


def _reports_write(reports: Sequence[_Report]) -> None:
    """New cases with their report events and audit records, in one transaction."""
    with transaction.atomic():
        cases = Case.objects.bulk_create([Case(**r.fields) for r in reports])
        moves = [
            _event_entries(
                case,
                actor=r.actor,
                action="report",
                from_stage="",
                to_stage=Stage.REPORTED,
                data={"channel": case.channel, "located_by": r.located_by},
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


# Intake is the busiest write: reports that arrive together share a transaction.
_report_writer = GroupCommit(_reports_write)


def _event(
    case: Case,
    *,
    actor,
    action: str,
    from_stage: str,
    to_stage: str,
    note: str = "",
    data: dict | None = None,
) -> CaseEvent:
    """Write one move: its case event and its audit record."""
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
    record.save()
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

DISPATCHER_ROLES = {Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.STREET_STAFF}
PATROL_ROLES = DISPATCHER_ROLES | {Role.COMMUNITY_STAFF, Role.GRID_WORKER}
VERIFIER_ROLES = DISPATCHER_ROLES | {Role.GRID_WORKER, Role.COMMUNITY_STAFF}
# Who may send a case along each action: the dispatcher steers, the unit handles, the grid
# worker verifies on the spot.
ACTION_ROLES = {
    Action.REGISTER: DISPATCHER_ROLES,
    Action.REJECT: DISPATCHER_ROLES,
    Action.DISPATCH: DISPATCHER_ROLES,
    Action.REDISPATCH: DISPATCHER_ROLES,
    Action.EXTEND: DISPATCHER_ROLES,
    Action.CLOSE: DISPATCHER_ROLES,
    Action.REOPEN: DISPATCHER_ROLES,
    Action.VERIFY: VERIFIER_ROLES,
    Action.REWORK: VERIFIER_ROLES,
}
UNIT_ACTIONS = {Action.ACCEPT, Action.RETURN, Action.HANDLE}


def case_may(actor, case: Case, action: Action) -> bool:
    if action is Action.MERGE:  # not a move on its own: shoushan.grid.merge names the kept case
        return False
    if actor.is_superuser:
        return True
    if action in UNIT_ACTIONS:
        return case.unit_id is not None and case.unit.members.filter(pk=actor.pk).exists()
    return actor.role in ACTION_ROLES.get(action, set()) and in_scope(actor, case.region_code)


def case_move(
    *,
    actor,
    case_id: int,
    action: str,
    note: str = "",
    unit_id: int | None = None,
    extend_to: datetime | None = None,
    photos=(),
) -> Case:
    """Send a case along one declared transition, or refuse it (409) and change nothing."""
    photos_check(photos)
    try:
        action = Action(action)
    except ValueError:
        raise InvalidInput(_("Unknown action %(action)s.") % {"action": action}) from None
    with transaction.atomic():
        case = Case.objects.select_for_update().filter(pk=case_id).first()
        if case is None or not (in_scope(actor, case.region_code) or _in_unit(actor, case)):
            raise NotFound(_("No such case in your scope."))
        if action is Action.MERGE:
            raise InvalidInput(_("Merge a duplicate from the case's possible duplicates."))
        if not case_may(actor, case, action):
            raise PermissionDenied(
                _("Your role cannot do “%(action)s” on this case.") % {"action": action}
            )
        try:
            stage = next_stage(case.stage, action)
        except IllegalMove:
            raise Conflict(
                _("A case that is %(stage)s cannot be sent to %(action)s.")
                % {"stage": case.stage, "action": action}
            ) from None
        data = _apply(case, action, actor=actor, note=note, unit_id=unit_id, extend_to=extend_to)
        from_stage, case.stage = case.stage, stage
        case.save()
        event = _event(
            case,
            actor=actor,
            action=action,
            from_stage=from_stage,
            to_stage=stage,
            note=note,
            data=data,
        )
        photos_attach(case=case, event=event, files=photos)
    return case


AUTO_DISPATCH_CHANNELS = (Channel.HOTLINE, Channel.RESIDENT, Channel.OPEN311)


def cases_auto_dispatch(*, limit: int = 1000) -> int:
    """Register and dispatch, without a person, the new requests the intake model placed with
    confidence (at or above its threshold), with the deadline of the working calendar: each to
    the unit of a routing rule for its place and category if there is one (the city's own
    decision wins), else, for a 12345 request, to the department the model predicts in the
    case's district, else as case_route says (an event to the street office, a component to its
    owner). Both moves are case events by "system" that name the
    model. A case with no route stays for the dispatcher. Returns how many were dispatched. Run
    by `shoushan intake dispatch` (every minute) and after a 12345 import."""
    pending = Case.objects.filter(
        stage=Stage.REPORTED,
        channel__in=AUTO_DISPATCH_CHANNELS,
        intake_model_version__isnull=False,
        needs_triage=False,
    ).values_list("pk", flat=True)[:limit]
    dispatched = 0
    for case_id in list(pending):
        with transaction.atomic():
            case = (
                Case.objects.select_for_update(skip_locked=True)
                .filter(pk=case_id, stage=Stage.REPORTED)
                .first()
            )
            if case is None:  # a dispatcher or another run took it meanwhile
                continue
            by = {
                "by": f"intake model v{case.intake_model_version}",
                "confidence": case.intake_confidence,
            }
            try:
                unit = _predicted_unit(case)
                data = _apply(
                    case,
                    Action.DISPATCH,
                    actor=None,
                    note="",
                    unit_id=unit.pk if unit else None,
                    extend_to=None,
                )
            except InvalidInput:
                continue  # no responsible unit for the place: the dispatcher decides
            case.stage = Stage.DISPATCHED
            case.save()
            _event(
                case,
                actor=None,
                action=Action.REGISTER,
                from_stage=Stage.REPORTED,
                to_stage=Stage.REGISTERED,
                data=by,
            )
            _event(
                case,
                actor=None,
                action=Action.DISPATCH,
                from_stage=Stage.REGISTERED,
                to_stage=Stage.DISPATCHED,
                data={**by, **data},
            )
            dispatched += 1
    return dispatched


def case_dispatch_as_predicted(*, actor, case_id: int) -> Case:
    """A dispatcher at manual triage accepts the prediction: the new case is registered and
    dispatched, by them, where automatic dispatch would have sent it (a routing rule, the
    predicted department for a 12345 request, else the category's route)."""
    case = Case.objects.select_related("category").filter(pk=case_id).first()
    if case is None or not in_scope(actor, case.region_code):
        raise NotFound(_("No such case in your scope."))
    if case.intake_model_version is None:
        raise InvalidInput(_("This case has no prediction to accept."))
    unit = _predicted_unit(case) or case_route(category=case.category, location=_location_of(case))
    with transaction.atomic():  # both moves, or neither
        case_move(actor=actor, case_id=case_id, action=Action.REGISTER, note=_("as predicted"))
        return case_move(actor=actor, case_id=case_id, action=Action.DISPATCH, unit_id=unit.pk)


def _predicted_unit(case: Case) -> Unit | None:
    """A routing rule's unit for the case, else, for a 12345 request (whose domains the model
    predicts), the unit of the department the model named in the case's district; None leaves it
    to case_route (an event or component the reporter chose goes where its category says)."""
    rule_unit = routing_rule_unit(category=case.category, location=_location_of(case))
    if rule_unit is not None or not case.intake_department:
        return rule_unit
    if case.category.kind != CaseKind.REQUEST:
        return None
    return department_unit(
        district_code=case.street_id[:6] + "000000", department=case.intake_department
    )


def _in_unit(actor, case: Case) -> bool:
    return case.unit_id is not None and case.unit.members.filter(pk=actor.pk).exists()


def _apply(case: Case, action: Action, *, actor, note: str, unit_id, extend_to) -> dict:
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
            else case_route(category=case.category, location=_location_of(case))
        )
        # a unit answers for a region; it must be one that holds the case (its street, district…)
        if unit is None or not case.region_code.startswith(significant_prefix(unit.region_id)):
            raise InvalidInput(_("There is no such responsible unit for this case's place."))
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


def _location_of(case: Case) -> Location:
    return Location(
        community_code=case.community_id,
        street_code=case.street_id,
        grid_id=case.grid_id,
        grid_code=case.grid.code if case.grid_id else None,
        responsible_party=case.grid.responsible_party if case.grid_id else "",
    )


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
        if actor.role not in DISPATCHER_ROLES and not actor.is_superuser:
            raise PermissionDenied(_("Return visits are recorded by the dispatching staff."))
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


def cases_escalate_overdue() -> int:
    """Flag and escalate every open case past its deadline (run periodically)."""
    overdue = Case.objects.filter(
        deadline__lt=timezone.now(),
        escalated=False,
        stage__in=[Stage.DISPATCHED, Stage.ACCEPTED, Stage.RETURNED, Stage.HANDLED],
    )
    count = 0
    for case_id in overdue.values_list("pk", flat=True):
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=case_id)
            if case.escalated:
                continue
            case.escalated = True
            case.save(update_fields=["escalated"])
            _event(
                case,
                actor=None,
                action="escalate",
                from_stage=case.stage,
                to_stage=case.stage,
                data={"deadline": case.deadline.isoformat()},
            )
            count += 1
    return count
