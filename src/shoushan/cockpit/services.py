"""Writes of the work system: key measures set and handed down as tasks and subtasks, each step
of a task's life (taken on, reported with evidence, verified or returned, closed off), deadline
changes asked and decided, reminders (催办) that escalate, review meetings that turn red tiles
into tasks, the tiles' targets and their daily counts.

Each service checks the actor's role and that the actor speaks for the unit whose step it is (an
account speaks for the regions of its scopes), runs in one transaction, logs the step on the
task and audits it."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shoushan.accounts.roles import (
    CITY_ADMINISTRATORS,
    COCKPIT_READERS,
    MEASURE_SETTERS,
    require_role,
)
from shoushan.accounts.scope import in_scope
from shoushan.audit.services import audit_record
from shoushan.cockpit import rules, selectors
from shoushan.cockpit.models import (
    CoUnit,
    DeadlineChange,
    DeadlineChangeStatus,
    Evidence,
    KeyTask,
    Meeting,
    Reminder,
    TaskEvent,
    TaskLevel,
    TileCount,
    TileSetting,
)
from shoushan.cockpit.tiles import TILE_BY_KEY, TILES
from shoushan.core.errors import Conflict, Forbidden, InvalidInput
from shoushan.core.uploads import JPEG, PDF, PNG, upload_kind
from shoushan.organizations.validation import text_field
from shoushan.regions.codes import contains, significant_prefix
from shoushan.regions.models import Level, Region

TaskState = rules.TaskState
NOT_OFFICE = gettext_lazy(
    "Key tasks are handled by the offices of the city, districts and streets."
)
NOT_SETTER = gettext_lazy("Key measures are set by the city's and the districts' administrators.")
NOT_CITY = gettext_lazy("The tiles' targets are set by the city's administrator.")
ZIP = (b"PK\x03\x04", "zip")  # .docx and .xlsx are zip archives
EVIDENCE_KINDS = (PDF, JPEG, PNG, ZIP)
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
NEXT_LEVEL = {TaskLevel.MEASURE: TaskLevel.TASK, TaskLevel.TASK: TaskLevel.SUBTASK}
CITY = "110000000000"
CITY_PREFIX = significant_prefix(CITY)


def _now():
    return timezone.now()


def _today() -> date:
    return timezone.localdate()


def unit_codes(actor) -> set[str]:
    """The units an account speaks for: the regions of its scopes."""
    return {s.region_id for s in actor.scopes.all()}


def speaks_for(actor, code: str) -> bool:
    return actor is None or actor.is_superuser or code in unit_codes(actor)


def _require_unit(actor, code: str) -> None:
    if not speaks_for(actor, code):
        raise Forbidden(_("Only %(unit)s may take this step.") % {"unit": _unit_name(code)})


def _unit_name(code: str) -> str:
    region = Region.objects.filter(code=code).only("name").first()
    return region.name if region else code


def _audit(actor, action: str, task: KeyTask, **changes) -> None:
    audit_record(actor=actor, action=action, obj=task, region_code=task.lead_code, changes=changes)


def _log(actor, task: KeyTask, action: str, before: str, note: str = "") -> None:
    TaskEvent.objects.create(
        task=task,
        action=action,
        from_state=before,
        to_state=task.state,
        note=note,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        at=_now(),
    )


def _unit(errors: dict, field: str, code: str) -> str:
    code = (code or "").strip()
    region = Region.objects.filter(code=code).only("code", "level").first()
    if region is None or region.level not in (
        Level.CITY,
        Level.DISTRICT,
        Level.STREET,
        Level.COMMUNITY,
    ):
        errors[field] = _("Choose a unit: a city, district, street or community office.")
        return ""
    return code


def _deadline(errors: dict, deadline: date | None, *, within: KeyTask | None) -> None:
    if deadline is None:
        errors["deadline"] = _("Give a deadline.")
    elif deadline < _today():
        errors["deadline"] = _("The deadline is already past.")
    elif within is not None and deadline > within.deadline:
        errors["deadline"] = _(
            "The deadline is after the deadline of the task above (%(day)s)."
        ) % {"day": within.deadline.isoformat()}


def _indicators(errors: dict, keys) -> list[str]:
    keys = [k for k in (keys or []) if k]
    unknown = [k for k in keys if k not in TILE_BY_KEY]
    if unknown:
        errors["indicators"] = _("No such indicator: %(keys)s.") % {"keys": ", ".join(unknown)}
    return list(dict.fromkeys(keys))


def _weight(errors: dict, weight) -> float:
    try:
        value = float(weight)
    except (TypeError, ValueError):
        value = 0
    if not 0 < value <= 100:
        errors["weight"] = _("The weight is a number above 0 and at most 100.")
    return value


def _co_units(errors: dict, codes, lead: str) -> list[str]:
    found = []
    for code in codes or []:
        code = code.strip()
        if not code:
            continue
        if _unit({}, "co", code) == "" or code == lead:
            errors["co_units"] = _(
                "A co-unit is another city, district, street or community office."
            )
            continue
        found.append(code)
    return list(dict.fromkeys(found))


@transaction.atomic
def task_create(
    *,
    actor,
    title: str,
    lead_code: str,
    deadline: date | None,
    parent: KeyTask | None = None,
    description: str = "",
    weight=1,
    indicators=(),
    co_codes=(),
    year: int | None = None,
    meeting: Meeting | None = None,
) -> KeyTask:
    """A key measure (no parent: set by a city or district administrator for a unit in their
    scope) or a task under one (set by the parent's lead unit for a unit inside its region)."""
    require_role(actor, COCKPIT_READERS, NOT_OFFICE)
    errors: dict = {}
    title = text_field(errors, {"title": title}, "title")
    lead = _unit(errors, "lead_code", lead_code)
    if parent is None:
        require_role(actor, MEASURE_SETTERS, NOT_SETTER)
        assigning = _assigning_unit(actor, lead) if lead else ""
        if lead and not assigning:
            errors["lead_code"] = _("The lead unit is outside your scope.")
        level = TaskLevel.MEASURE
    else:
        _require_unit(actor, parent.lead_code)
        if parent.level not in NEXT_LEVEL:
            raise Conflict(_("A subtask is not divided further."))
        if parent.state not in (TaskState.ACCEPTED, TaskState.RETURNED):
            raise Conflict(
                _("A task is divided after it has been taken on and before it is reported.")
            )
        assigning = parent.lead_code
        level = NEXT_LEVEL[TaskLevel(parent.level)]
        if lead and not contains(parent.lead_code, lead):
            errors["lead_code"] = _("The lead unit must lie within %(unit)s.") % {
                "unit": _unit_name(parent.lead_code)
            }
    _deadline(errors, deadline, within=parent)
    weight = _weight(errors, weight)
    keys = _indicators(errors, indicators)
    co = _co_units(errors, co_codes, lead)
    if errors:
        raise InvalidInput.of_fields(errors)
    assert deadline is not None
    task = KeyTask.objects.create(
        parent=parent,
        level=level,
        year=year or (parent.year if parent else deadline.year),
        title=title,
        description=(description or "").strip(),
        assigning_code=assigning,
        lead_code=lead,
        deadline=deadline,
        weight=weight,
        indicators=keys,
        meeting=meeting,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    CoUnit.objects.bulk_create([CoUnit(task=task, region_code=c) for c in co])
    _log(actor, task, "create", "")
    _audit(actor, "create", task, title=title, lead_code=lead, deadline=deadline.isoformat())
    return task


def _assigning_unit(actor, lead: str) -> str:
    """The unit of the actor's that sets a measure for `lead`: their most specific scope
    containing it (the city for a superuser)."""
    if actor is None or actor.is_superuser:
        return CITY
    containing = [c for c in unit_codes(actor) if contains(c, lead)]
    return max(containing, key=lambda c: len(significant_prefix(c)), default="")


@transaction.atomic
def task_step(*, actor, task: KeyTask, action: str, note: str = "") -> KeyTask:
    """One step of the task's life, by the unit whose step it is: the lead unit takes it on and
    reports it; the unit that handed it down hands it down, verifies or returns it and closes
    it off. A task is reported only when everything below it is verified, and a subtask or a
    task without children only with evidence."""
    require_role(actor, COCKPIT_READERS, NOT_OFFICE)
    if action not in rules.TRANSITIONS:
        raise InvalidInput(_("No such step."))
    given, task = task, KeyTask.objects.select_for_update().get(pk=task.pk)
    _require_unit(actor, task.lead_code if action in rules.LEAD_ACTIONS else task.assigning_code)
    allowed, target = rules.TRANSITIONS[action]
    if task.state not in allowed:
        raise Conflict(
            _("The task is %(state)s: this step is not open to it.")
            % {"state": task.get_state_display()}
        )
    note = (note or "").strip()
    if action == "report":
        if task.children.exclude(state__in=list(rules.FINISHED)).exists():
            raise Conflict(_("Everything below the task must be verified before it is reported."))
        if not task.children.exists() and not task.evidence.exists():
            raise Conflict(_("Attach the evidence before reporting the task done."))
    if action == "return" and not note:
        raise InvalidInput.of_fields({"note": _("Say what is to be redone.")})
    before = task.state
    task.state = target
    if action == "assign":
        task.assigned_on = _today()
    if action == "verify":
        task.finished_on = _today()
    task.save(update_fields=["state", "assigned_on", "finished_on"])
    _log(actor, task, action, before, note)
    _audit(actor, action, task, state=[before, task.state], note=note)
    given.refresh_from_db()  # the caller's instance shows the step too
    return given


@transaction.atomic
def evidence_add(*, actor, task: KeyTask, upload) -> Evidence:
    """A file proving the work (PDF, photo, Word or Excel), from the lead unit or a co-unit while
    the task is being done."""
    require_role(actor, COCKPIT_READERS, NOT_OFFICE)
    co = set(task.co_units.values_list("region_code", flat=True))
    if not (speaks_for(actor, task.lead_code) or any(speaks_for(actor, c) for c in co)):
        _require_unit(actor, task.lead_code)
    if task.state not in (TaskState.ACCEPTED, TaskState.RETURNED):
        raise Conflict(_("Evidence is added while the task is being done."))
    if upload is None:
        raise InvalidInput.of_fields({"file": _("Choose a file.")})
    if upload.size is not None and upload.size > MAX_EVIDENCE_BYTES:
        raise InvalidInput.of_fields({"file": _("The file is larger than 20 MB.")})
    kind = upload_kind(upload, EVIDENCE_KINDS)
    if kind is None:
        raise InvalidInput.of_fields(
            {"file": _("Evidence is a PDF, a JPEG or PNG photo, or a Word or Excel file.")}
        )
    name = str(upload.name or "evidence")[:200]
    evidence = Evidence(task=task, name=name, kind=kind, uploaded_by=actor, uploaded_at=_now())
    evidence.file.save(
        f"evidence.{name.rsplit('.', 1)[-1][:8] if '.' in name else kind}", upload, save=False
    )
    evidence.save()
    _log(actor, task, "evidence", task.state, name)
    _audit(actor, "evidence", task, file=name)
    return evidence


@transaction.atomic
def deadline_change_ask(*, actor, task: KeyTask, new_deadline: date | None, reason: str):
    """The lead unit asks to move the deadline; the unit that handed the task down decides."""
    require_role(actor, COCKPIT_READERS, NOT_OFFICE)
    _require_unit(actor, task.lead_code)
    if task.state in rules.FINISHED:
        raise Conflict(_("The task is finished: its deadline no longer moves."))
    if task.deadline_changes.filter(status=DeadlineChangeStatus.PENDING).exists():
        raise Conflict(_("A change of deadline is already awaiting a decision."))
    errors: dict = {}
    reason = text_field(errors, {"reason": reason}, "reason", limit=2000)
    _deadline(errors, new_deadline, within=task.parent)
    if new_deadline == task.deadline:
        errors["new_deadline"] = _("That is the deadline already.")
    if errors.pop("deadline", None):
        errors["new_deadline"] = _("Give a new deadline, not past and not after the task above's.")
    if errors or new_deadline is None:
        raise InvalidInput.of_fields(errors)
    change = DeadlineChange.objects.create(
        task=task,
        old_deadline=task.deadline,
        new_deadline=new_deadline,
        reason=reason,
        asked_by=actor,
        asked_at=_now(),
    )
    _log(actor, task, "deadline_asked", task.state, f"{task.deadline} → {new_deadline}: {reason}")
    _audit(actor, "deadline_asked", task, new_deadline=str(new_deadline), reason=reason)
    return change


@transaction.atomic
def deadline_change_decide(*, actor, change: DeadlineChange, approve: bool) -> DeadlineChange:
    require_role(actor, COCKPIT_READERS, NOT_OFFICE)
    task = KeyTask.objects.select_for_update().get(pk=change.task_id)
    _require_unit(actor, task.assigning_code)
    change = DeadlineChange.objects.select_for_update().get(pk=change.pk)
    if change.status != DeadlineChangeStatus.PENDING:
        raise Conflict(_("This change of deadline has been decided already."))
    change.status = DeadlineChangeStatus.APPROVED if approve else DeadlineChangeStatus.REFUSED
    change.decided_by = actor
    change.decided_at = _now()
    change.save()
    if approve:
        task.deadline = change.new_deadline
        task.save(update_fields=["deadline"])
    action = "deadline_approved" if approve else "deadline_refused"
    _log(actor, task, action, task.state, f"{change.old_deadline} → {change.new_deadline}")
    _audit(actor, action, task, deadline=[str(change.old_deadline), str(change.new_deadline)])
    return change


def _escalated_to(task: KeyTask, level: int) -> str:
    if level == 1:
        return task.lead_code
    if level == 2:
        region = Region.objects.filter(code=task.lead_code).only("parent_id").first()
        return (region.parent_id if region and region.parent_id else CITY) or CITY
    return CITY


def _remind(actor, task: KeyTask, note: str) -> Reminder:
    level = rules.reminder_level(task.reminders.count())
    reminder = Reminder.objects.create(
        task=task,
        level=level,
        to_code=_escalated_to(task, level),
        note=note[:300],
        sent_by=actor if getattr(actor, "is_authenticated", False) else None,
        sent_at=_now(),
    )
    _log(actor, task, "remind", task.state, note)
    _audit(actor, "remind", task, level=level, to=reminder.to_code, note=note)
    return reminder


@transaction.atomic
def task_remind(*, actor, task: KeyTask, note: str = "") -> Reminder:
    """催办 from the unit that handed the task down, or any office above it."""
    require_role(actor, COCKPIT_READERS, NOT_OFFICE)
    if (
        actor is not None
        and not actor.is_superuser
        and not any(contains(code, task.assigning_code) for code in unit_codes(actor))
    ):
        _require_unit(actor, task.assigning_code)
    if task.state not in rules.OPEN or task.state == TaskState.DRAFT:
        raise Conflict(_("Only a task handed down and not yet verified is reminded."))
    return _remind(actor, task, (note or "").strip())


REMIND_EVERY = timedelta(days=3)


def reminders_send() -> int:
    """The daily check: every open task past its deadline, or due within three days, is reminded
    when it has not been in the last three days; the reminders escalate as they repeat."""
    today = _today()
    sent = 0
    open_tasks = KeyTask.objects.filter(
        state__in=[s for s in rules.OPEN if s != TaskState.DRAFT],
        deadline__lte=today + timedelta(days=3),
    )
    for task in open_tasks.iterator():
        last = task.reminders.order_by("-sent_at").values_list("sent_at", flat=True).first()
        if last is not None and _now() - last < REMIND_EVERY:
            continue
        note = (_("Overdue since %(day)s.") if task.deadline < today else _("Due on %(day)s.")) % {
            "day": task.deadline.isoformat()
        }
        with transaction.atomic():
            _remind(None, task, note)
        sent += 1
    return sent


@transaction.atomic
def tile_target_set(*, actor, key: str, target: float | None, amber: float) -> TileSetting:
    require_role(actor, CITY_ADMINISTRATORS, NOT_CITY)
    tile = selectors.tile_get(key)
    if amber is None or amber < 0 or (target is not None and target < 0):
        raise InvalidInput.of_fields({"target": _("A target and its band are not negative.")})
    setting, _created = TileSetting.objects.update_or_create(
        tile=tile.key, defaults={"target": target, "amber": amber, "updated_by": actor}
    )
    audit_record(
        actor=actor,
        action="target",
        obj=setting,
        region_code=CITY,
        changes={"tile": key, "target": target, "amber": amber},
    )
    return setting


@transaction.atomic
def meeting_create(*, actor, region: Region, title: str, held_on: date | None) -> Meeting:
    """A review meeting of the region: the agenda is its red tiles now, kept as they were."""
    require_role(actor, MEASURE_SETTERS, NOT_SETTER)
    if not in_scope(actor, region.code):
        raise Forbidden(_("The region is outside your scope."))
    errors: dict = {}
    title = text_field(errors, {"title": title}, "title")
    if held_on is None:
        errors["held_on"] = _("Give the meeting's date.")
    if errors or held_on is None:
        raise InvalidInput.of_fields(errors)
    figures = selectors.board(actor, region, now=_now(), history=False)
    agenda = [
        {
            "tile": f.tile.key,
            "name": str(f.tile.name),
            "value": f.value,
            "target": f.target,
            "unit": str(f.tile.unit),
            "rule": f.rule,
        }
        for f in figures
        if f.status == rules.Status.RED
    ]
    meeting = Meeting.objects.create(
        region_code=region.code, title=title, held_on=held_on, agenda=agenda, created_by=actor
    )
    audit_record(
        actor=actor,
        action="create",
        obj=meeting,
        region_code=region.code,
        changes={"title": title, "agenda": [a["tile"] for a in agenda]},
    )
    return meeting


def meeting_action(*, actor, meeting: Meeting, tile: str, **task) -> KeyTask:
    """An action agreed at the meeting on an agenda item: a key measure linked to the tile."""
    if tile not in {item["tile"] for item in meeting.agenda}:
        raise InvalidInput.of_fields({"tile": _("Choose an item of the meeting's agenda.")})
    return task_create(actor=actor, meeting=meeting, indicators=[tile], **task)


# ---- the tiles' daily counts ---------------------------------------------------------------------

COUNT_LENGTH = 9  # the street: every region's figure down to a street is a sum of these keys


def counts_take(*, months: int = 1, today: date | None = None) -> int:
    """Count every tile over the whole city, grouped by street, as of today and, with `months`
    > 1, as of the end of each earlier month for the tiles whose records are dated (the others
    only gain history as the months pass). Returns the counts written."""
    today = today or _today()
    written = 0
    for end in rules.month_ends(today, months):
        for tile in TILES:
            if end != today and not tile.history_from_records:
                continue
            grouped = tile.measure(CITY_PREFIX, COUNT_LENGTH, end)
            TileCount.objects.update_or_create(
                tile=tile.key,
                day=end,
                defaults={
                    "counts": {k: [p.numerator, p.denominator] for k, p in grouped.items()},
                    "counted_at": _now(),
                },
            )
            written += 1
    return written


def counts_today() -> int:
    """The periodic job, asked every hour: every tile counted once a day, in the first hour of
    the day the job runs in."""
    today = _today()
    if TileCount.objects.filter(day=today).count() >= len(TILES):
        return 0
    return counts_take(today=today)
