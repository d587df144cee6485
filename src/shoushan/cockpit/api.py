"""The work system's API: /api/v1/cockpit (the tiles of a region with their definitions, history
and colour, the drill-down, alerts, targets and review meetings) and /api/v1/tasks (key tasks:
set, handed down, taken on, reported with evidence, verified or returned, closed off; deadline
changes; reminders; the quarterly report). Scope as everywhere: another region is not found."""

from datetime import date, datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field, StrictStr

from shoushan.accounts.api_auth import API_AUTH
from shoushan.cockpit import selectors, services, tasks
from shoushan.cockpit.models import DeadlineChange, KeyTask
from shoushan.cockpit.tiles import TILES, Tile
from shoushan.core.api import AUTH_ERRORS, JobOut, ObjectSchema, error_responses, job_out
from shoushan.core.errors import NotFound
from shoushan.core.jobs import job_get

cockpit_router = Router(tags=["cockpit"], auth=API_AUTH)
tasks_router = Router(tags=["tasks"], auth=API_AUTH)

RecordId = Annotated[int, Field(ge=1, le=2**63 - 1)]
RegionCode = Annotated[str, Field(max_length=12)]
READ_ERRORS = {**AUTH_ERRORS, **error_responses(404)}
WRITE_ERRORS = {**AUTH_ERRORS, **error_responses(404, 409)}


class TileDefinitionOut(Schema):
    key: str
    system: int
    name: str
    kind: str
    unit: str
    source: str
    formula: str
    owner: str
    frequency: str
    direction: str
    default_target: float | None
    levels: list[str]
    published_value: float | None
    published_source: str | None


def _definition(tile: Tile) -> dict:
    return {
        "key": tile.key,
        "system": tile.system,
        "name": str(tile.name),
        "kind": str(tile.kind),
        "unit": str(tile.unit),
        "source": str(tile.source),
        "formula": str(tile.formula),
        "owner": str(tile.owner),
        "frequency": str(tile.frequency),
        "direction": str(tile.direction),
        "default_target": tile.target,
        "levels": list(tile.levels),
        "published_value": tile.published.value if tile.published else None,
        "published_source": str(tile.published.source) if tile.published else None,
    }


class TilePeriodOut(Schema):
    month: date
    value: float | None


class CockpitTileOut(Schema):
    key: str
    region_code: str
    value: float | None
    numerator: float
    denominator: float
    target: float | None
    status: str
    rule: str
    last_updated: datetime | None
    stale: bool
    history: list[TilePeriodOut]
    definition: TileDefinitionOut


def _figure(f: selectors.TileFigure) -> dict:
    return {
        "key": f.tile.key,
        "region_code": f.region.code,
        "value": f.value,
        "numerator": f.pair.numerator,
        "denominator": f.pair.denominator,
        "target": f.target,
        "status": str(f.status),
        "rule": f.rule,
        "last_updated": f.updated,
        "stale": f.stale,
        "history": [{"month": m, "value": v} for m, v in f.history],
        "definition": _definition(f.tile),
    }


class CockpitBoardOut(Schema):
    region_code: str
    region_name: str
    level: str
    tiles: list[CockpitTileOut]


@cockpit_router.get("/definitions", response={200: list[TileDefinitionOut], **AUTH_ERRORS})
def definitions(request: HttpRequest):
    """Every tile's definition: source, formula, owner, frequency, direction, default target."""
    selectors.reader_check(request.user)
    return [_definition(t) for t in TILES]


@cockpit_router.get("/tiles", response={200: CockpitBoardOut, **READ_ERRORS})
def board(request: HttpRequest, region_code: RegionCode = ""):
    """The tiles of a region (default: the caller's own) today, with their last twelve months."""
    region = selectors.region_for(request.user, region_code)
    figures = selectors.board(request.user, region, now=timezone.now())
    return {
        "region_code": region.code,
        "region_name": region.name,
        "level": region.level,
        "tiles": [_figure(f) for f in figures],
    }


class TileDrillChildOut(Schema):
    region_code: str
    name: str
    is_region: bool
    value: float | None
    numerator: float
    denominator: float
    status: str


class TileDrillOut(Schema):
    tile: CockpitTileOut
    children: list[TileDrillChildOut]


@cockpit_router.get("/tiles/{key}", response={200: TileDrillOut, **READ_ERRORS})
def drill(
    request: HttpRequest, key: Annotated[str, Field(max_length=40)], region_code: RegionCode = ""
):
    """One tile of a region and of each region one level down; the children's numerators and
    denominators sum to the region's."""
    region = selectors.region_for(request.user, region_code)
    tile = selectors.tile_get(key)
    parent, children = selectors.drill(request.user, tile, region, today=timezone.localdate())
    return {
        "tile": _figure(parent),
        "children": [
            {
                "region_code": c.code,
                "name": c.name,
                "is_region": c.is_region,
                "value": c.value,
                "numerator": c.pair.numerator,
                "denominator": c.pair.denominator,
                "status": str(c.status),
            }
            for c in children
        ],
    }


class CockpitAlertOut(Schema):
    kind: str
    text: str
    tile: str
    task_id: int | None


@cockpit_router.get("/alerts", response={200: list[CockpitAlertOut], **READ_ERRORS})
def alerts(request: HttpRequest, region_code: RegionCode = ""):
    """Thresholds crossed (red tiles), overdue key tasks and stale data of a region."""
    region = selectors.region_for(request.user, region_code)
    now = timezone.now()
    figures = selectors.board(request.user, region, now=now, history=False)
    return selectors.alerts(request.user, region, figures, today=now.date())


class TileTargetIn(ObjectSchema):
    target: float | None = Field(default=None, ge=0, le=1e12)
    amber: float = Field(default=0, ge=0, le=1e12)


class TileTargetOut(Schema):
    tile: str
    target: float | None
    amber: float


@cockpit_router.put("/targets/{key}", response={200: TileTargetOut, **WRITE_ERRORS})
def target_set(request: HttpRequest, key: Annotated[str, Field(max_length=40)], body: TileTargetIn):
    """The city's own target and amber band for a tile (city administrator)."""
    setting = services.tile_target_set(
        actor=request.user, key=key, target=body.target, amber=body.amber
    )
    return {"tile": setting.tile, "target": setting.target, "amber": setting.amber}


class ReviewMeetingIn(Schema):
    region_code: RegionCode
    title: StrictStr = Field(max_length=200)
    held_on: date


class ReviewAgendaItemOut(Schema):
    tile: str
    name: str
    value: float | None
    target: float | None
    unit: str
    rule: str


class ReviewMeetingOut(Schema):
    id: int
    region_code: str
    title: str
    held_on: date
    agenda: list[ReviewAgendaItemOut]
    actions: list[int]


def _meeting(meeting) -> dict:
    return {
        "id": meeting.pk,
        "region_code": meeting.region_code,
        "title": meeting.title,
        "held_on": meeting.held_on,
        "agenda": meeting.agenda,
        "actions": list(meeting.actions.values_list("pk", flat=True)),
    }


@cockpit_router.post("/meetings", response={201: ReviewMeetingOut, **WRITE_ERRORS})
def meeting_create(request: HttpRequest, body: ReviewMeetingIn):
    """A review meeting of a region: its agenda is the region's red tiles now."""
    region = selectors.region_for(request.user, body.region_code)
    meeting = services.meeting_create(
        actor=request.user, region=region, title=body.title, held_on=body.held_on
    )
    return Status(201, _meeting(meeting))


@cockpit_router.get("/meetings/{meeting_id}", response={200: ReviewMeetingOut, **READ_ERRORS})
def meeting_get(request: HttpRequest, meeting_id: RecordId):
    return _meeting(selectors.meeting_get(request.user, meeting_id))


# ---- key tasks ----------------------------------------------------------------------------------


class KeyTaskIn(Schema):
    title: StrictStr = Field(max_length=200)
    lead_code: RegionCode
    deadline: date
    parent_id: RecordId | None = None
    description: StrictStr = Field(default="", max_length=5000)
    weight: float = Field(default=1, gt=0, le=100)
    indicators: list[Annotated[str, Field(max_length=40)]] = Field(default=[], max_length=20)
    co_units: list[RegionCode] = Field(default=[], max_length=50)


class ReviewMeetingActionIn(KeyTaskIn):
    tile: Annotated[str, Field(max_length=40)]


class TaskEventOut(Schema):
    action: str
    from_state: str
    to_state: str
    note: str
    at: datetime


class TaskEvidenceOut(Schema):
    id: int
    name: str
    kind: str
    uploaded_at: datetime


class TaskReminderOut(Schema):
    level: int
    to_code: str
    note: str
    sent_at: datetime


class TaskDeadlineChangeOut(Schema):
    id: int
    old_deadline: date
    new_deadline: date
    reason: str
    status: str


class KeyTaskOut(Schema):
    id: int
    parent_id: int | None
    level: str
    year: int
    title: str
    description: str
    assigning_code: str
    lead_code: str
    co_units: list[str]
    deadline: date
    weight: float
    indicators: list[str]
    state: str
    overdue: bool
    progress: float
    assigned_on: date | None
    finished_on: date | None
    children: list[int]
    events: list[TaskEventOut]
    evidence: list[TaskEvidenceOut]
    reminders: list[TaskReminderOut]
    deadline_changes: list[TaskDeadlineChangeOut]


def _task(task: KeyTask) -> dict:
    today = timezone.localdate()
    return {
        "id": task.pk,
        "parent_id": task.parent_id,
        "level": task.level,
        "year": task.year,
        "title": task.title,
        "description": task.description,
        "assigning_code": task.assigning_code,
        "lead_code": task.lead_code,
        "co_units": list(task.co_units.values_list("region_code", flat=True)),
        "deadline": task.deadline,
        "weight": float(task.weight),
        "indicators": task.indicators,
        "state": task.state,
        "overdue": selectors.is_overdue(task, today),
        "progress": selectors.progress_of([task])[task.pk],
        "assigned_on": task.assigned_on,
        "finished_on": task.finished_on,
        "children": list(task.children.values_list("pk", flat=True)),
        "events": list(task.events.all()),
        "evidence": list(task.evidence.all()),
        "reminders": list(task.reminders.all()),
        "deadline_changes": list(task.deadline_changes.all()),
    }


class KeyTaskRowOut(Schema):
    id: int
    parent_id: int | None
    level: str
    title: str
    lead_code: str
    deadline: date
    state: str
    overdue: bool
    progress: float


@tasks_router.get("", response={200: list[KeyTaskRowOut], **READ_ERRORS})
def task_list(
    request: HttpRequest,
    region_code: RegionCode = "",
    state: Annotated[str, Field(max_length=10)] = "",
    overdue: bool = False,
):
    """The key tasks led inside a region of the caller's scope (at most 500, by deadline)."""
    region = selectors.region_for(request.user, region_code)
    found = list(selectors.tasks_in(request.user, region, state=state)[:500])
    today = timezone.localdate()
    progress = selectors.progress_of(found)
    rows = [
        {
            "id": t.pk,
            "parent_id": t.parent_id,
            "level": t.level,
            "title": t.title,
            "lead_code": t.lead_code,
            "deadline": t.deadline,
            "state": t.state,
            "overdue": selectors.is_overdue(t, today),
            "progress": progress[t.pk],
        }
        for t in found
    ]
    return [r for r in rows if r["overdue"]] if overdue else rows


def _create(request: HttpRequest, body: KeyTaskIn, **extra) -> KeyTask:
    parent = selectors.task_get(request.user, body.parent_id) if body.parent_id else None
    return services.task_create(
        actor=request.user,
        parent=parent,
        title=body.title,
        lead_code=body.lead_code,
        deadline=body.deadline,
        description=body.description,
        weight=body.weight,
        indicators=body.indicators,
        co_codes=body.co_units,
        **extra,
    )


@tasks_router.post("", response={201: KeyTaskOut, **WRITE_ERRORS})
def task_create(request: HttpRequest, body: KeyTaskIn):
    """A key measure (no parent) or a task under one (parent_id: its lead unit hands it down)."""
    return Status(201, _task(_create(request, body)))


@cockpit_router.post("/meetings/{meeting_id}/actions", response={201: KeyTaskOut, **WRITE_ERRORS})
def meeting_action(request: HttpRequest, meeting_id: RecordId, body: ReviewMeetingActionIn):
    """An action agreed on an agenda item: a key measure with its owner and deadline."""
    meeting = selectors.meeting_get(request.user, meeting_id)
    if body.parent_id:
        raise NotFound(_("No such record in your scope."))
    task = services.meeting_action(
        actor=request.user,
        meeting=meeting,
        tile=body.tile,
        title=body.title,
        lead_code=body.lead_code,
        deadline=body.deadline,
        description=body.description,
        weight=body.weight,
        co_codes=body.co_units,
    )
    return Status(201, _task(task))


class QuarterReportIn(Schema):
    region_code: RegionCode = ""
    year: int = Field(ge=2000, le=2100)
    quarter: int = Field(ge=1, le=4)
    format: Literal["xlsx", "pdf"]


class QuarterReportJobOut(JobOut):
    result_url: str | None


def _report_job(job) -> dict:
    done = bool(job.result)
    return {**job_out(job), "result_url": f"/jobs/{job.pk}/result" if done else None}


@tasks_router.post("/reports", response={202: QuarterReportJobOut, **READ_ERRORS})
def report_start(request: HttpRequest, body: QuarterReportIn):
    """Start the quarterly supervision report as a background job; follow /api/v1/jobs."""
    job = tasks.quarter_report_start(
        actor=request.user,
        region_code=body.region_code,
        year=body.year,
        quarter=body.quarter,
        fmt=body.format,
    )
    return Status(202, _report_job(job))


@tasks_router.get("/reports/{job_id}", response={200: QuarterReportJobOut, **READ_ERRORS})
def report_status(request: HttpRequest, job_id: RecordId):
    """The report job's progress; when done, where to download the file."""
    job = job_get(request.user, job_id)
    if job.kind != "cockpit.quarter_report":
        raise NotFound(_("There is no such job of yours."))
    return _report_job(job)


@tasks_router.get("/{task_id}", response={200: KeyTaskOut, **READ_ERRORS})
def task_get(request: HttpRequest, task_id: RecordId):
    return _task(selectors.task_get(request.user, task_id))


class TaskStepIn(Schema):
    action: Literal["assign", "accept", "report", "verify", "return", "close"]
    note: StrictStr = Field(default="", max_length=2000)


@tasks_router.post("/{task_id}/steps", response={200: KeyTaskOut, **WRITE_ERRORS})
def task_step(request: HttpRequest, task_id: RecordId, body: TaskStepIn):
    """A step of the task: assign (交办), accept (领办), report (上报), verify (审核确认), return
    (驳回重办, with a note), close (办结销号)."""
    task = selectors.task_get(request.user, task_id)
    task = services.task_step(actor=request.user, task=task, action=body.action, note=body.note)
    return _task(task)


@tasks_router.post("/{task_id}/evidence", response={201: TaskEvidenceOut, **WRITE_ERRORS})
def evidence_add(request: HttpRequest, task_id: RecordId, file: File[UploadedFile]):
    """A file of evidence (multipart): PDF, JPEG, PNG, .docx or .xlsx, at most 20 MB."""
    task = selectors.task_get(request.user, task_id)
    return Status(201, services.evidence_add(actor=request.user, task=task, upload=file))


class DeadlineChangeIn(Schema):
    new_deadline: date
    reason: StrictStr = Field(max_length=2000)


@tasks_router.post(
    "/{task_id}/deadline-changes", response={201: TaskDeadlineChangeOut, **WRITE_ERRORS}
)
def deadline_change_ask(request: HttpRequest, task_id: RecordId, body: DeadlineChangeIn):
    task = selectors.task_get(request.user, task_id)
    change = services.deadline_change_ask(
        actor=request.user, task=task, new_deadline=body.new_deadline, reason=body.reason
    )
    return Status(201, change)


class DeadlineDecisionIn(Schema):
    approve: bool


@tasks_router.post(
    "/deadline-changes/{change_id}/decision", response={200: TaskDeadlineChangeOut, **WRITE_ERRORS}
)
def deadline_change_decide(request: HttpRequest, change_id: RecordId, body: DeadlineDecisionIn):
    change = DeadlineChange.objects.filter(pk=change_id).first()
    if change is None:
        raise NotFound(_("No such record in your scope."))
    selectors.task_get(request.user, change.task_id)  # out of scope: not found
    return services.deadline_change_decide(actor=request.user, change=change, approve=body.approve)


class TaskReminderIn(ObjectSchema):
    note: StrictStr = Field(default="", max_length=300)


@tasks_router.post("/{task_id}/reminders", response={201: TaskReminderOut, **WRITE_ERRORS})
def task_remind(request: HttpRequest, task_id: RecordId, body: TaskReminderIn):
    """催办: the first reaches the lead unit, the second the unit above it, later ones the city."""
    task = selectors.task_get(request.user, task_id)
    return Status(201, services.task_remind(actor=request.user, task=task, note=body.note))
