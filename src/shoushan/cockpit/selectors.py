"""Reads of the cockpit: the tiles of a region on a day with their colour, history and
definition, the drill-down one level at a time, the alerts, and the key tasks in a viewer's
scope with their computed progress."""

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shoushan.accounts.roles import COCKPIT_READERS, require_role
from shoushan.accounts.scope import in_scope, scope_filter, scope_prefixes
from shoushan.cockpit import rules
from shoushan.cockpit.models import (
    CoUnit,
    DeadlineChange,
    DeadlineChangeStatus,
    KeyTask,
    Meeting,
    TileCount,
    TileSetting,
)
from shoushan.cockpit.tiles import TILE_BY_KEY, TILES, Tile
from shoushan.core.errors import NotFound
from shoushan.regions.codes import significant_prefix
from shoushan.regions.models import Level, Region

NOT_READER = gettext_lazy(
    "The cockpit is for the offices of the city, districts, streets and communities."
)
CHILD_LENGTH: dict[str, int] = {Level.CITY: 6, Level.DISTRICT: 9, Level.STREET: 12}


def reader_check(viewer) -> None:
    require_role(viewer, COCKPIT_READERS, NOT_READER)


def home_region_code(viewer) -> str:
    prefixes = scope_prefixes(viewer)
    return prefixes[0].ljust(12, "0") if prefixes else "110000000000"


def region_for(viewer, code: str = "") -> Region:
    """A region the viewer may see the figures of: inside their scope (never above it)."""
    reader_check(viewer)
    code = code.strip() or home_region_code(viewer)
    region = Region.objects.defer("boundary").filter(code=code).first()
    if region is None or region.level not in CHILD_LENGTH | {Level.COMMUNITY: 0}:
        raise NotFound(_("No such record in your scope."))
    if not in_scope(viewer, region.code):
        raise NotFound(_("No such record in your scope."))
    return region


def tile_get(key: str) -> Tile:
    tile = TILE_BY_KEY.get(key)
    if tile is None:
        raise NotFound(_("There is no such tile."))
    return tile


def targets() -> dict[str, tuple[float | None, float]]:
    """Each tile's target and amber band: the city's own setting, or the tile's default."""
    own = {s.tile: (s.target, s.amber) for s in TileSetting.objects.all()}
    return {t.key: own.get(t.key, (t.target, t.amber)) for t in TILES}


COUNT_LENGTH = 9  # the stored counts are grouped by street (services.counts_take)


def regrouped(counts: dict[str, rules.Pair], prefix: str, length: int | None) -> dict:
    """Stored street-level counts summed for the regions inside `prefix`, by `length` digits."""
    out: dict[str, rules.Pair] = {}
    for key, pair in counts.items():
        if key.startswith(prefix):
            child = "" if length is None else key[:length]
            out[child] = out.get(child, rules.Pair()) + pair
    return out


def stored_counts(tile: Tile, day: date) -> dict[str, rules.Pair] | None:
    """The tile's latest count of the month up to `day` made by the daily job, else None (read
    once per process and recount period)."""
    key = f"cockpit:{tile.key}:stored:{day.isoformat()}"
    found = cache.get(key)
    if found is None:
        counts = (
            TileCount.objects.filter(tile=tile.key, day__lte=day, day__gte=rules.month_start(day))
            .order_by("-day")
            .values_list("counts", flat=True)
            .first()
        )
        found = (
            ("counted", {k: rules.Pair(float(n), float(d)) for k, (n, d) in counts.items()})
            if counts is not None
            else ("none", {})
        )
        if settings.COCKPIT_RECOUNT_SECONDS:
            cache.set(key, found, settings.COCKPIT_RECOUNT_SECONDS)
    return found[1] if found[0] == "counted" else None


def measured(tile: Tile, prefix: str, length: int | None, day: date) -> dict[str, rules.Pair]:
    """A tile's grouped pairs. Monthly and yearly figures down to a street are read from the
    month's latest count by the daily job; the rest is counted from the records,
    and a process reuses that count for COCKPIT_RECOUNT_SECONDS: counting the whole city's
    records on every view would make the cockpit slow for everyone."""
    seconds = settings.COCKPIT_RECOUNT_SECONDS
    key = f"cockpit:{tile.key}:{prefix}:{length}:{day.isoformat()}"
    found = cache.get(key) if seconds else None
    if found is None:
        stored = (
            stored_counts(tile, day)
            if tile.frequency != rules.Frequency.DAILY
            and len(prefix) <= COUNT_LENGTH
            and (length is None or length <= COUNT_LENGTH)
            else None
        )
        found = (
            regrouped(stored, prefix, length)
            if stored is not None
            else tile.measure(prefix, length, day)
        )
        if seconds:
            cache.set(key, found, seconds)
    return found


def last_updated(tile: Tile, prefix: str) -> datetime | None:
    seconds = settings.COCKPIT_RECOUNT_SECONDS
    if not seconds:
        return tile.updated(prefix)
    # tiles of one source share their function: it is asked once for all of them
    key = f"cockpit:updated:{tile.updated.__module__}:{id(tile.updated)}:{prefix}"
    found = cache.get(key, "none")
    if found == "none":
        found = tile.updated(prefix)
        cache.set(key, found, seconds)
    return found


def tiles_at(region: Region) -> list[Tile]:
    return [t for t in TILES if region.level in t.levels]


@dataclass
class TileFigure:
    tile: Tile
    region: Region
    pair: rules.Pair
    value: float | None
    target: float | None
    amber: float
    status: rules.Status
    updated: datetime | None
    stale: bool
    history: list[tuple[date, float | None]] = field(default_factory=list)

    @property
    def rule(self) -> str:
        """The colour rule in words, with this tile's figures."""
        if self.target is None:
            return _("No target is set: the tile is not coloured.")
        better = _("at least") if self.tile.direction == rules.Direction.UP else _("at most")
        return _("Green when %(better)s %(target)s; amber within %(amber)s of it; red beyond.") % {
            "better": better,
            "target": _number(self.target),
            "amber": _number(self.amber),
        }


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 or value == int(value) else f"{value:,.1f}"


def figure_of(
    tile: Tile, region: Region, pair: rules.Pair, *, now: datetime, goal: tuple
) -> TileFigure:
    value = rules.figure(tile.kind, pair)
    target, amber = goal
    updated = last_updated(tile, significant_prefix(region.code))
    return TileFigure(
        tile=tile,
        region=region,
        pair=pair,
        value=value,
        target=target,
        amber=amber,
        status=rules.status(value, target, tile.direction, amber),
        updated=updated,
        stale=rules.stale(updated, tile.frequency, now),
    )


def board(viewer, region: Region, *, now: datetime, history: bool = True) -> list[TileFigure]:
    """Every tile of the region today, with its last twelve periods."""
    reader_check(viewer)
    today = now.date()
    prefix = significant_prefix(region.code)
    goals = targets()
    figures = []
    for tile in tiles_at(region):
        pair = rules.total(measured(tile, prefix, None, today).values())
        figures.append(figure_of(tile, region, pair, now=now, goal=goals[tile.key]))
    if history:
        attach_history(figures, region, today)
    return figures


def attach_history(figures: list[TileFigure], region: Region, today: date) -> None:
    """Each figure's last twelve periods: this month's figure, and for each month before it the
    last count the month kept (none where no count was made)."""
    months = [rules.month_start(e) for e in rules.month_ends(today)[:-1]]
    past = _past_months(tuple(f.tile.key for f in figures), region.code, today)
    for f in figures:
        f.history = [
            (
                m,
                rules.figure(f.tile.kind, past[(f.tile.key, m)])
                if (f.tile.key, m) in past
                else None,
            )
            for m in months
        ] + [(rules.month_start(today), f.value)]


def _past_months(keys: tuple[str, ...], code: str, today: date) -> dict:
    """The region's pair of each tile in each of the eleven months before this one (kept by a
    process for the recount period: past months' counts do not change)."""
    seconds = settings.COCKPIT_RECOUNT_SECONDS
    tiles = hashlib.sha256(",".join(keys).encode()).hexdigest()[:16]  # a short key
    cache_key = f"cockpit:past:{code}:{today.isoformat()}:{tiles}"
    found = cache.get(cache_key) if seconds else None
    if found is None:
        found = _past_months_counted(keys, code, today)
        if seconds:
            cache.set(cache_key, found, seconds)
    return found


def _past_months_counted(keys: tuple[str, ...], code: str, today: date) -> dict:
    ends = rules.month_ends(today)
    months = [rules.month_start(e) for e in ends[:-1]]
    last_day: dict[tuple[str, date], date] = {}
    for key, day in TileCount.objects.filter(
        tile__in=keys, day__gte=months[0], day__lt=rules.month_start(today)
    ).values_list("tile", "day"):
        month = rules.month_start(day)
        last_day[(key, month)] = max(day, last_day.get((key, month), day))
    chosen = {(key, day) for (key, _month), day in last_day.items()}
    prefix = significant_prefix(code)
    stored: dict[tuple[str, date], rules.Pair] = {}
    if len(prefix) <= COUNT_LENGTH:
        rows = TileCount.objects.filter(tile__in=keys, day__in={d for _k, d in chosen})
        for key, day, counts in rows.values_list("tile", "day", "counts"):
            if (key, day) in chosen:
                pairs = {k: rules.Pair(float(n), float(d)) for k, (n, d) in counts.items()}
                stored[(key, rules.month_start(day))] = rules.total(
                    regrouped(pairs, prefix, None).values()
                )
    return stored


@dataclass
class Child:
    code: str
    name: str
    pair: rules.Pair
    value: float | None
    status: rules.Status
    is_region: bool  # False: records placed at the parent itself


def drill(viewer, tile: Tile, region: Region, *, today: date) -> tuple[TileFigure, list[Child]]:
    """The tile's figure of the region and of each region one level down (and of the records
    placed at the region itself): the children's pairs sum to the region's."""
    reader_check(viewer)
    if region.level not in tile.levels:
        raise NotFound(_("This figure is not kept at this level."))
    prefix = significant_prefix(region.code)
    length = CHILD_LENGTH.get(region.level)
    grouped = measured(tile, prefix, length, today)
    goal = targets()[tile.key]
    pair = rules.total(grouped.values())
    parent = figure_of(tile, region, pair, now=timezone.now(), goal=goal)
    if length is None:
        return parent, []
    names = dict(Region.objects.filter(parent=region).values_list("code", "name"))
    keys = {c[:length]: c for c in names}
    children = []
    for key in sorted(set(keys) | set(grouped)):
        child_pair = grouped.get(key, rules.Pair())
        value = rules.figure(tile.kind, child_pair)
        code = keys.get(key)
        children.append(
            Child(
                code=code or region.code,
                name=names[code]
                if code
                else _("%(name)s itself (records placed at it)") % {"name": region.name},
                pair=child_pair,
                value=value,
                status=rules.status(value, goal[0], tile.direction, goal[1]),
                is_region=code is not None,
            )
        )
    return parent, children


# ---- alerts -------------------------------------------------------------------------------------


@dataclass
class Alert:
    kind: str  # threshold | overdue | stale
    text: str
    tile: str = ""
    task_id: int | None = None


def alerts(viewer, region: Region, figures: list[TileFigure], *, today: date) -> list[Alert]:
    found = [
        Alert(
            "threshold",
            _("%(tile)s is red: %(rule)s") % {"tile": f.tile.name, "rule": f.rule},
            tile=f.tile.key,
        )
        for f in figures
        if f.status == rules.Status.RED
    ]
    for task in (
        tasks_visible(viewer)
        .filter(
            lead_code__startswith=significant_prefix(region.code),
            state__in=list(rules.OPEN),
            deadline__lt=today,
        )
        .exclude(state=rules.TaskState.DRAFT)[:50]
    ):
        found.append(
            Alert(
                "overdue",
                _("Key task overdue since %(day)s: %(title)s")
                % {"day": task.deadline.isoformat(), "title": task.title},
                task_id=task.pk,
            )
        )
    for f in figures:
        if f.stale:
            text = (
                _("%(tile)s: no new data since %(when)s")
                % {"tile": f.tile.name, "when": f.updated.date().isoformat()}
                if f.updated
                else _("%(tile)s: no data yet") % {"tile": f.tile.name}
            )
            found.append(Alert("stale", text, tile=f.tile.key))
    return found


# ---- key tasks ----------------------------------------------------------------------------------


def tasks_visible(viewer) -> QuerySet[KeyTask]:
    """The tasks a unit in the viewer's scope leads, works on, or handed down."""
    reader_check(viewer)
    prefixes = scope_prefixes(viewer)
    if prefixes is None:
        return KeyTask.objects.all()
    co = scope_filter(CoUnit.objects.filter(task=OuterRef("pk")), viewer)
    return KeyTask.objects.filter(
        Q(pk__in=scope_filter(KeyTask.objects.all(), viewer, "lead_code").values("pk"))
        | Q(pk__in=scope_filter(KeyTask.objects.all(), viewer, "assigning_code").values("pk"))
        | Q(Exists(co))
    )


def task_get(viewer, task_id: int) -> KeyTask:
    task = tasks_visible(viewer).filter(pk=task_id).first()
    if task is None:
        raise NotFound(_("No such record in your scope."))
    return task


def subtree(task: KeyTask) -> list[KeyTask]:
    """The task and every task below it (three levels at most)."""
    found = [task]
    frontier = [task.pk]
    while frontier:
        children = list(KeyTask.objects.filter(parent_id__in=frontier))
        found += children
        frontier = [c.pk for c in children]
    return found


def progress_of(tasks: list[KeyTask]) -> dict[int, float]:
    """The computed progress of each task (0–1), from its whole subtree."""
    by_parent: dict[int | None, list[KeyTask]] = {}
    everything = {t.pk: t for t in tasks}
    frontier = list(everything)
    while frontier:
        children = [
            c for c in KeyTask.objects.filter(parent_id__in=frontier) if c.pk not in everything
        ]
        for c in children:
            everything[c.pk] = c
        frontier = [c.pk for c in children]
    for t in everything.values():
        by_parent.setdefault(t.parent_id, []).append(t)

    def node(t: KeyTask) -> rules.Node:
        return rules.Node(
            state=rules.TaskState(t.state),
            weight=float(t.weight),
            children=tuple(node(c) for c in by_parent.get(t.pk, [])),
        )

    return {t.pk: rules.progress(node(t)) for t in tasks}


def is_overdue(task: KeyTask, today: date) -> bool:
    if task.state == rules.TaskState.DRAFT:
        return False
    return rules.overdue(rules.TaskState(task.state), task.deadline, today, task.finished_on)


def pending_deadline_change(task: KeyTask) -> DeadlineChange | None:
    return task.deadline_changes.filter(status=DeadlineChangeStatus.PENDING).first()


def quarter_tasks(viewer, region: Region, year: int, quarter: int) -> list[KeyTask]:
    """The tasks of a region for the quarterly supervision report: those due in the quarter,
    those finished in it, and every task still open at its end."""
    first, last = rules.quarter_bounds(year, quarter)
    prefix = significant_prefix(region.code)
    return list(
        tasks_visible(viewer)
        .filter(lead_code__startswith=prefix)
        .exclude(state=rules.TaskState.DRAFT)
        .filter(
            Q(deadline__range=(first, last))
            | Q(finished_on__range=(first, last))
            | Q(assigned_on__lte=last, finished_on=None)
        )
        .order_by("deadline", "pk")
    )


def meetings(viewer) -> QuerySet[Meeting]:
    reader_check(viewer)
    return scope_filter(Meeting.objects.all(), viewer)


def meeting_get(viewer, meeting_id: int) -> Meeting:
    meeting = meetings(viewer).filter(pk=meeting_id).first()
    if meeting is None:
        raise NotFound(_("No such record in your scope."))
    return meeting


def region_names(codes) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=set(codes)).values_list("code", "name"))


def tasks_in(viewer, region: Region, *, state: str = "") -> QuerySet[KeyTask]:
    """The visible tasks led inside `region`, by deadline."""
    found = tasks_visible(viewer).filter(lead_code__startswith=significant_prefix(region.code))
    if state:
        found = found.filter(state=state)
    return found.order_by("deadline", "pk")


def in_tree_order(tasks: list[KeyTask]) -> list[KeyTask]:
    """Each task followed by the tasks below it (by deadline), so a list reads as the tree."""
    present = {t.pk for t in tasks}
    below: dict[int | None, list[KeyTask]] = {}
    for t in sorted(tasks, key=lambda t: (t.deadline, t.pk)):
        below.setdefault(t.parent_id if t.parent_id in present else None, []).append(t)
    ordered: list[KeyTask] = []

    def walk(parent_id: int | None) -> None:
        for t in below.get(parent_id, []):
            ordered.append(t)
            walk(t.pk)

    walk(None)
    return ordered
