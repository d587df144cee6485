"""A generated history of cases for the demo city: the current month and the months before it, in
every street of the districts, through every channel, each case walked along the closed loop's
own state machine (`workflow.next_stage`) with the deadlines of the working calendar — some
rejected, returned and redispatched, extended, reworked, merged as duplicates, reopened after a
return visit, late, escalated when overdue, and the newest still open. So the queues, the ranking
of the streets, the spikes and the month's figures show what the rules make of a real-looking
month.

Every case is marked generated (`Case.is_generated`), its events carry the times the story gives
them and name their actors "演示·…"; the batch is one audit record, written when it is made, that
says how many cases, events and return visits it back-dated. Nothing is made twice."""

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from shoushan.audit.services import audit_record
from shoushan.grid.cases.services import case_deadline
from shoushan.grid.demo_text import SubClass, patrol_note, resident_message
from shoushan.grid.models import (
    Case,
    CaseEvent,
    CaseKind,
    CaseReporter,
    Category,
    Channel,
    Grid,
    ReturnVisit,
    Satisfaction,
    Unit,
    UnitKind,
)
from shoushan.grid.registry.grid_index import grid_snapshot
from shoushan.grid.registry.selectors import department_name
from shoushan.grid.workflow import CLOCK_STAGES, Action, Stage, next_stage
from shoushan.regions.models import Level, Region

MONTHS = 4  # the current month and the three before it: the ranking compares two months and
# the spikes look back over 8 weeks
CASES_PER_COMMUNITY_MONTH = 1.5
CHANNELS = [
    (Channel.PATROL, 0.42),
    (Channel.HOTLINE, 0.33),
    (Channel.RESIDENT, 0.18),
    (Channel.OPEN311, 0.07),
]
KINDS_BY_CHANNEL = {  # which kinds of case each channel brings
    Channel.PATROL: [(CaseKind.EVENT, 0.7), (CaseKind.COMPONENT, 0.3)],
    Channel.HOTLINE: [(CaseKind.REQUEST, 0.8), (CaseKind.EVENT, 0.2)],
    Channel.RESIDENT: [(CaseKind.EVENT, 0.5), (CaseKind.COMPONENT, 0.2), (CaseKind.REQUEST, 0.3)],
    Channel.OPEN311: [(CaseKind.EVENT, 0.6), (CaseKind.COMPONENT, 0.4)],
}
PATROLLED = 40  # a community whose grids have workers on the platform reports this many times
# more: its patrols are recorded here (the demo's grid worker's community has work in his queue)
# Work near "now" that a person with an account here would do waits for that person: what was
# handled in the last three days where a grid worker has an account waits for him to verify it;
# what was verified in the last two days where the street office has members waits for them to
# close it.
WAITS_FOR_VERIFICATION = timedelta(hours=72)
WAITS_FOR_CLOSURE = timedelta(hours=48)
SPIKE_STREETS = 1 / 25  # streets with a surge of one major class in the last seven days
DEMO = "演示"


def _pick(rng: random.Random, table):
    x, total = rng.random(), 0.0
    for value, weight in table:
        total += weight
        if x < total:
            return value
    return table[-1][0]


@dataclass
class _Street:
    """How well a street's offices work this season: the chances behind its rates."""

    code: str
    name: str
    communities: list[Region]
    weights: list[float]  # how many reports each community brings
    patrolled: set[str]  # communities whose grid workers have accounts here
    staffed: bool  # the street office has members with accounts here
    now: datetime
    unit: Unit | None
    on_time: float
    resolved: float
    satisfied: float

    @classmethod
    def drawn(cls, rng, street: Region, communities, patrolled, staffed, now, unit) -> "_Street":
        skill = rng.betavariate(8, 2)  # most streets work well, a few do not
        return cls(
            street.code,
            street.name,
            communities,
            [PATROLLED if c.code in patrolled else 1.0 for c in communities],
            patrolled,
            staffed,
            now,
            unit,
            on_time=0.72 + 0.27 * skill,
            resolved=0.68 + 0.3 * skill,
            satisfied=0.75 + 0.23 * skill,
        )


@dataclass
class _Story:
    """One case's fields and its moves, in time order, before they are cut at "now"."""

    case: Case
    moves: list[tuple[datetime, str, str, str, dict, dict]] = field(default_factory=list)
    visits: list[tuple[datetime, bool, str]] = field(default_factory=list)
    merged_into: "_Story | None" = None

    def move(self, at, action, actor, *, note="", data=None, **fields) -> datetime:
        self.moves.append((at, str(action), actor, note, data or {}, fields))
        return at


def demo_cases_create(*, district_codes, months: int = MONTHS, seed: int = 5) -> dict[str, int]:
    """Generate the case history of the districts' streets, unless generated cases exist."""
    if Case.objects.filter(is_generated=True).exists():
        return {}
    rng = random.Random(seed)
    now = timezone.now()
    this_month = timezone.localdate().replace(day=1)
    first = this_month
    for _ in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    start = timezone.make_aware(datetime.combine(first, datetime.min.time()))
    subs = _sub_classes()
    departments = {(u.region_id, u.name): u for u in Unit.objects.filter(kind=UnitKind.DEPARTMENT)}
    district_names = dict(Region.objects.filter(level=Level.DISTRICT).values_list("code", "name"))
    street_units = {u.region_id: u for u in Unit.objects.filter(kind=UnitKind.STREET)}
    snapshot = grid_snapshot()
    patrolled = set(
        Grid.workers.through.objects.values_list("grid__community_id", flat=True).distinct()
    )
    staffed = set(
        Unit.members.through.objects.filter(unit__kind=UnitKind.STREET).values_list(
            "unit__region_id", flat=True
        )
    )
    communities: dict[str, list[Region]] = {}
    for c in (
        Region.objects.filter(level=Level.COMMUNITY, parent__parent_id__in=district_codes)
        .exclude(longitude=None)
        .only("code", "name", "parent_id", "longitude", "latitude")
    ):
        communities.setdefault(c.parent_id, []).append(c)
    stories: list[_Story] = []
    for street in (
        Region.objects.filter(level=Level.STREET, parent_id__in=district_codes)
        .only("code", "name", "parent_id")
        .order_by("code")
    ):
        if not communities.get(street.code):
            continue
        place = _Street.drawn(
            rng,
            street,
            communities[street.code],
            patrolled,
            street.code in staffed,
            now,
            street_units.get(street.code),
        )
        district = (street.parent_id, district_names.get(street.parent_id, ""))
        moments = _report_times(rng, place, start, now)
        if rng.random() < SPIKE_STREETS:
            surge = rng.choice([s for s in subs if s.kind != CaseKind.REQUEST])
            moments += [
                (now - timedelta(hours=rng.uniform(2, 150)), surge)
                for _ in range(rng.randint(7, 11))
            ]
        street_stories: list[_Story] = []
        for at, forced in sorted(moments, key=lambda m: m[0]):
            story = _story(
                rng, place, district, departments, snapshot, subs, at, forced, street_stories
            )
            street_stories.append(story)
        stories += street_stories
    return _write(stories, now, district_codes)


def _sub_classes() -> list[Category]:
    return list(
        Category.objects.filter(major_class__isnull=False, is_active=True).select_related(
            "major_class"
        )
    )


def _report_times(rng, place: _Street, start: datetime, now: datetime):
    """Reports spread over the period, in waking hours, about one per community a month."""
    days = (now - start).total_seconds() / 86400
    expected = max(8.0, CASES_PER_COMMUNITY_MONTH * sum(place.weights)) * days / 30.4
    count = int(expected + rng.gauss(0, math.sqrt(expected)))
    out = []
    for _ in range(max(0, count)):
        day = start + timedelta(days=rng.uniform(0, days))
        local = timezone.localtime(day).replace(
            hour=min(22, max(6, int(rng.gauss(13, 4)))), minute=rng.randrange(60)
        )
        if local < now:
            out.append((local, None))
    return out


def _story(rng, place, district, departments, snapshot, subs, at, forced, earlier) -> _Story:
    channel = _pick(rng, CHANNELS)
    kept = _duplicate_of(rng, earlier, at) if channel != Channel.PATROL else None
    if kept is not None:  # a second person reports the same problem at the same place
        category, community = kept.case.category, None
    elif forced is not None:
        category = forced
        channel = Channel.PATROL if rng.random() < 0.5 else Channel.HOTLINE
    else:
        kind = _pick(rng, KINDS_BY_CHANNEL[channel])
        category = rng.choice([s for s in subs if s.kind == kind])
    if kept is not None:
        lon, lat = kept.case.longitude, kept.case.latitude
        community = next(c for c in place.communities if c.code == kept.case.community_id)
    else:
        community = rng.choices(place.communities, weights=place.weights)[0]
        lon, lat = _near(rng, community.longitude, community.latitude)
    location = snapshot.locate(lon, lat)
    if location is None or location.street_code != place.code:
        lon, lat, location = community.longitude, community.latitude, None
    sub = SubClass(
        category.code, category.name, category.filing_standard, category.major_class.name
    )
    number = rng.randrange(10**8)
    case = Case(
        channel=channel,
        category=category,
        description=(
            patrol_note(rng, sub, community.name)
            if channel == Channel.PATROL
            else resident_message(rng, sub, community.name)
        ),
        address=f"{place.name}{community.name}",
        longitude=round(lon, 7),
        latitude=round(lat, 7),
        grid_id=location.grid_id if location else None,
        community_id=location.community_code if location else community.code,
        street_id=place.code,
        region_code=location.region_code if location else community.code,
        reported_at=at,
        external_id=f"DEMO-{at:%Y%m%d}{number:08d}" if channel == Channel.HOTLINE else "",
        reporter_name=f"{DEMO}居民" if channel == Channel.RESIDENT else "",
        reporter_phone=f"13{number % 10**9:09d}" if channel != Channel.PATROL else "",
        is_generated=True,
    )
    story = _Story(case)
    story.move(at, "report", _actor(channel, place), data={"channel": channel})
    dispatcher = f"{DEMO}·{place.name}调度员"
    t = at + timedelta(minutes=rng.uniform(5, 40 if channel == Channel.PATROL else 120))
    if rng.random() < 0.03:
        story.move(t, Action.REJECT, dispatcher, note=f"不符合立案标准：{category.filing_standard}")
        return story
    if kept is not None:  # within the half hour its kept case is sure to be open
        t = at + timedelta(minutes=rng.uniform(5, 30))
        story.merged_into = kept
        story.move(t, Action.MERGE, dispatcher, note="同一问题的重复诉求")
        return story
    story.move(t, Action.REGISTER, dispatcher)
    unit = _unit(category, place, district, departments)
    if unit is None:  # no unit answers here: it waits for the dispatcher, as a real one would
        return story
    t += timedelta(minutes=rng.uniform(5, 60))
    _work(rng, story, place, district, departments, unit, t, dispatcher, round_=1)
    return story


def _work(rng, story, place, district, departments, unit, t, dispatcher, *, round_: int) -> None:
    """Dispatch → (return and redispatch) → accept → (extend) → handle → (rework) → verify →
    close → return visit → (reopen and a second round)."""
    category = story.case.category
    deadline = case_deadline(category, t)
    story.move(
        t,
        Action.DISPATCH,
        dispatcher,
        data={"unit": unit.name},
        unit=unit,
        dispatched_at=t,
        deadline=deadline,
    )
    span = deadline - t
    if rng.random() < 0.04:
        other = (
            _department(category, district, departments)
            if unit.kind == UnitKind.STREET
            else place.unit
        )
        if other is not None and other != unit:
            t += span * rng.uniform(0.05, 0.2)
            story.move(t, Action.RETURN, unit.name, note="不属于本单位职责，请改派")
            t += timedelta(minutes=rng.uniform(20, 90))
            story.move(t, Action.REDISPATCH, dispatcher, data={"unit": other.name}, unit=other)
            unit = other
    on_time = rng.random() < place.on_time
    t = (
        max(t, t + span * rng.uniform(0.02, 0.4))
        if on_time
        else deadline + span * rng.uniform(0.1, 1.5)
    )
    story.move(t, Action.ACCEPT, unit.name, first_response=t)
    if on_time and rng.random() < 0.05:
        t += span * rng.uniform(0.05, 0.3)
        old, deadline = deadline, deadline + span
        story.move(
            t,
            Action.EXTEND,
            dispatcher,
            note="情况复杂，申请延期",
            data={"deadline": [old.isoformat(), deadline.isoformat()]},
            deadline=deadline,
            extended=True,
        )
    t = (
        t + (deadline - t) * rng.uniform(0.1, 0.9)
        if on_time and deadline > t
        else max(t, deadline) + span * rng.uniform(0.2, 2)
    )
    story.move(t, Action.HANDLE, unit.name, note=category.closing_standard, handled_at=t)
    worker = f"{DEMO}·网格员"
    if rng.random() < 0.06:
        t += timedelta(hours=rng.uniform(1, 6))
        story.move(t, Action.REWORK, worker, note="现场核查未达到结案标准", reworked=True)
        t += span * rng.uniform(0.2, 1)
        story.move(t, Action.HANDLE, unit.name, note=category.closing_standard, handled_at=t)
    if story.case.community_id in place.patrolled and t > place.now - WAITS_FOR_VERIFICATION:
        return
    t += timedelta(hours=rng.uniform(0.5, 8))
    story.move(t, Action.VERIFY, worker, note="现场核查已达到结案标准")
    if place.staffed and t > place.now - WAITS_FOR_CLOSURE:
        return
    t += timedelta(minutes=rng.uniform(10, 120))
    story.move(t, Action.CLOSE, dispatcher, closed_at=t)
    if story.case.channel == Channel.PATROL or rng.random() > 0.85:
        return  # a patrol case has no one to call back; some reporters cannot be reached
    t += timedelta(hours=rng.uniform(2, 48))
    resolved = round_ > 1 or rng.random() < place.resolved
    satisfaction = _satisfaction(rng, resolved, place.satisfied)
    story.visits.append((t, resolved, satisfaction))
    unhappy = not resolved and satisfaction == Satisfaction.UNSATISFIED
    if round_ == 1 and unhappy and rng.random() < 0.4:
        story.move(t, Action.REOPEN, dispatcher, note="回访不满意，重新办理", closed_at=None)
        t += timedelta(minutes=rng.uniform(30, 240))
        _work(rng, story, place, district, departments, unit, t, dispatcher, round_=2)


def _satisfaction(rng, resolved: bool, satisfied: float) -> str:
    if resolved:
        table = [(Satisfaction.SATISFIED, satisfied), (Satisfaction.BASICALLY, 1 - satisfied)]
        if rng.random() < 0.04:
            return Satisfaction.UNSATISFIED
        return _pick(rng, table)
    return _pick(
        rng,
        [
            (Satisfaction.UNSATISFIED, 0.6),
            (Satisfaction.BASICALLY, 0.3),
            (Satisfaction.SATISFIED, 0.1),
        ],
    )


def _actor(channel: str, place: _Street) -> str:
    return {
        Channel.PATROL: f"{DEMO}·网格员",
        Channel.HOTLINE: f"{DEMO}·12345",
        Channel.OPEN311: f"{DEMO}·Open311",
    }.get(channel, f"{DEMO}·居民")


def _near(rng, lon: float, lat: float, radius_m: float = 350) -> tuple[float, float]:
    angle, r = rng.uniform(0, 2 * math.pi), radius_m * math.sqrt(rng.random())
    return (
        lon + r * math.cos(angle) / (111_320 * math.cos(math.radians(lat))),
        lat + r * math.sin(angle) / 111_320,
    )


def _duplicate_of(rng, earlier: list[_Story], at: datetime) -> "_Story | None":
    """One report in 30 repeats a case of the street reported in the day before and not yet
    handled: it is merged into that case."""
    if rng.random() >= 1 / 30:
        return None
    for story in reversed(earlier):
        if story.case.reported_at < at - timedelta(days=1):
            return None
        if story.merged_into is None:
            stage, handled = _stage_at(story, at + timedelta(minutes=30))
            if stage in (Stage.REGISTERED, Stage.DISPATCHED, Stage.ACCEPTED) and not handled:
                return story
    return None


def _stage_at(story: _Story, at: datetime) -> tuple[Stage, bool]:
    stage, handled = Stage.REPORTED, False
    for when, action, _actor, _note, _data, fields in story.moves[1:]:
        if when > at:
            break
        stage = next_stage(stage, action)
        handled = handled or "handled_at" in fields
    return stage, handled


def _unit(category: Category, place: _Street, district, departments) -> Unit | None:
    if category.kind == CaseKind.COMPONENT:
        return _department(category, district, departments) or place.unit
    return place.unit


def _department(category: Category, district, departments) -> Unit | None:
    if not category.default_department:
        return None
    code, name = district
    return departments.get((code, department_name(category.default_department, name)[:100]))


def _write(stories: list[_Story], now: datetime, district_codes) -> dict[str, int]:
    """Cut every story at now, then write the cases, their events, reporters and visits."""
    events: list[tuple[_Story, CaseEvent]] = []
    visits: list[tuple[_Story, ReturnVisit]] = []
    for story in stories:
        events += [(story, e) for e in _replay(story, now)]
        visits += [
            (story, ReturnVisit(resolved=r, satisfaction=s, visited_at=at, note=DEMO))
            for at, r, s in story.visits
            if at <= now
        ]
    with transaction.atomic():
        Case.objects.bulk_create([s.case for s in stories], batch_size=2000)
        duplicates = [s for s in stories if s.merged_into is not None]
        for story in duplicates:
            story.case.merged_into_id = story.merged_into.case.pk
        Case.objects.bulk_update([s.case for s in duplicates], ["merged_into"], batch_size=2000)
        reporters = [
            CaseReporter(
                case_id=s.merged_into.case.pk,
                merged_case_id=s.case.pk,
                channel=s.case.channel,
                external_id=s.case.external_id,
                reported_at=s.case.reported_at,
                name=s.case.reporter_name,
                phone=s.case.reporter_phone,
                merged_at=s.moves[-1][0],
            )
            for s in duplicates
        ]
        CaseReporter.objects.bulk_create(reporters, batch_size=2000)
        for story, event in events:
            event.case_id = story.case.pk
            if event.action == Action.MERGE:
                event.data = {"into": story.merged_into.case.number}
        CaseEvent.objects.bulk_create([e for _s, e in events], batch_size=5000)
        for story, visit in visits:
            visit.case_id = story.case.pk
        ReturnVisit.objects.bulk_create([v for _s, v in visits], batch_size=5000)
        counts = {
            "cases": len(stories),
            "events": len(events),
            "return_visits": len(visits),
            "merged": len(duplicates),
            "open": sum(1 for s in stories if s.case.is_open),
            "overdue": sum(1 for s in stories if s.case.escalated and s.case.is_open),
        }
        audit_record(
            actor=None,
            action="grid.demo_cases",
            object_type="grid.case",
            object_repr="demo case history",
            region_code="110000000000",
            changes={
                **counts,
                "districts": list(district_codes),
                "note": "generated demo history; events carry back-dated times",
            },
        )
    return counts


def _replay(story: _Story, now: datetime) -> list[CaseEvent]:
    """The moves up to now, along the state machine, setting the case's fields as they go; an
    open case past its deadline is escalated as the periodic job does, a minute after it."""
    case, stage, out = story.case, Stage.REPORTED, []
    for at, action, actor, note, data, fields in story.moves:
        _escalate(case, stage, min(at, now), out)
        if at > now:
            break
        from_stage = stage
        stage = Stage.REPORTED if action == "report" else next_stage(stage, action)
        for name, value in fields.items():
            if name == "unit":
                case.unit = value
            elif name == "first_response":
                case.responded_at = case.responded_at or value
            else:
                setattr(case, name, value)
        out.append(
            CaseEvent(
                action=action,
                from_stage="" if action == "report" else from_stage,
                to_stage=stage,
                actor_name=actor,
                at=at,
                note=note,
                data=data,
            )
        )
    case.stage = stage
    _escalate(case, stage, now, out)
    return out


def _escalate(case: Case, stage: Stage, at: datetime, out: list[CaseEvent]) -> None:
    if case.escalated or stage not in CLOCK_STAGES or case.deadline is None:
        return
    when = case.deadline + timedelta(minutes=1)
    if when < at:
        case.escalated = True
        out.append(
            CaseEvent(
                action="escalate",
                from_stage=stage,
                to_stage=stage,
                actor_name="system",
                at=when,
                data={"deadline": case.deadline.isoformat()},
            )
        )
