"""The month's problems (每月一题) on the platform: messages imported as received, clustered into
problems and ranked by heat (`topics.py`), one of them chosen as the month's theme with a lead
department and tasks; and proactive alerts (未诉先办): a category's cases in a street this week
improbably many for its past weeks."""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.cache import caches
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from shoushan.accounts.roles import (
    ADMINISTRATORS,
    CITY_ADMINISTRATORS,
    DISPATCHERS,
    has_role,
    require_role,
)
from shoushan.accounts.scope import scope_filter
from shoushan.audit.services import audit_record
from shoushan.core.bulk import insert_many
from shoushan.core.errors import Conflict, InvalidInput, NotFound
from shoushan.core.tables import table_read
from shoushan.grid.cases.assessment import month_bounds
from shoushan.grid.intake import topics
from shoushan.grid.models import Case, Channel, HotlineMessage, MonthlyTheme, ThemeTask, Unit

# Column names a message file may use: TipDM's (the 2020 "smart government" contest, the layout
# of many 12345 web-message exports) and plain English ones.
MESSAGE_COLUMNS = {
    "留言编号": "id",
    "留言主题": "title",
    "留言详情": "text",
    "留言时间": "received_at",
    "点赞数": "likes",
    "id": "id",
    "title": "title",
    "text": "text",
    "received_at": "received_at",
    "likes": "likes",
    "region_code": "region_code",
}
MAX_MESSAGES = 200_000
CACHE_SECONDS = 600


def _when(value: str) -> datetime:
    """2019/2/28 11:25:05, 2019-02-28 11:25 or 2019-02-28, local time (Asia/Shanghai)."""
    numbers = [int(n) for n in re.findall(r"\d+", value)]
    if len(numbers) < 3:
        raise ValueError(value)
    year, month, day = numbers[:3]
    hour, minute, second = [*numbers[3:6], 0, 0, 0][:3]
    naive = datetime(year, month, day, hour, minute, second)  # noqa: DTZ001 (made aware below)
    return timezone.make_aware(naive)


def messages_import(*, actor, source: str, name: str, content: bytes) -> int:
    """Import a CSV or xlsx file of messages (all or nothing; a message already imported from
    the same source is skipped); returns how many were added. For the city administrator."""
    require_role(actor, ADMINISTRATORS, _("The city and the districts import messages."))
    source = (source or "").strip()[:40]
    if not source:
        raise InvalidInput(_("Name the source of the messages (e.g. 12345-web)."))
    table = table_read(name, content, max_rows=MAX_MESSAGES)
    header = [MESSAGE_COLUMNS.get(h) for h in table.header]
    missing = [c for c in ("id", "text", "received_at") if c not in header]
    if missing:
        raise InvalidInput(_("Missing columns: %(names)s.") % {"names": ", ".join(missing)})
    rows, problems = [], []
    for number, record in table.rows:
        row = {k: record[i] for i, k in enumerate(header) if k and i < len(record)}
        try:
            received = _when(row["received_at"])
            likes = int(row.get("likes") or 0)
            if likes < 0 or not row.get("id") or not row.get("text"):
                raise ValueError
        except (ValueError, KeyError):
            problems.append(
                {
                    "row": number,
                    "reason": _("a message needs a number, a text, a time and likes ≥ 0"),
                }
            )
            continue
        rows.append((row, received, likes))
    if problems:
        raise InvalidInput(
            _("%(n)s rows have problems; nothing was imported.") % {"n": len(problems)},
            details=problems[:1000],
        )
    have = set(HotlineMessage.objects.filter(source=source).values_list("external_id", flat=True))
    new = [
        (
            source,
            r["id"][:64],
            r.get("title", "")[:200],
            r["text"],
            received,
            likes,
            r.get("region_code", "")[:15],
        )
        for r, received, likes in rows
        if r["id"][:64] not in have
    ]
    with transaction.atomic():
        insert_many(
            HotlineMessage,
            ["source", "external_id", "title", "text", "received_at", "likes", "region_code"],
            new,
        )
        audit_record(
            actor=actor,
            action="message.import",
            object_type="grid.hotlinemessage",
            object_repr=name[:100],
            changes={"source": source, "added": len(new), "skipped": len(rows) - len(new)},
        )
    return len(new)


def _messages_of(start: datetime, end: datetime) -> list[topics.Message]:
    """The month's messages, and the requests that came as cases without a message (12345,
    residents, Open311; a grid worker's patrol report is not a resident's voice)."""
    out = [
        topics.Message(
            id=f"m{m.pk}",
            title=m.title,
            text=m.text,
            at=m.received_at,
            likes=m.likes,
            place=m.region_code[:9] + "000" if m.region_code else None,  # its street
        )
        for m in HotlineMessage.objects.filter(received_at__gte=start, received_at__lt=end).only(
            "pk", "title", "text", "received_at", "likes", "region_code"
        )
    ]
    cases = (
        Case.objects.filter(reported_at__gte=start, reported_at__lt=end, messages__isnull=True)
        .exclude(channel=Channel.PATROL)
        .only("pk", "description", "reported_at", "street_id")
    )
    out += [
        topics.Message(
            id=f"c{c.pk}", title="", text=c.description, at=c.reported_at, place=c.street_id
        )
        for c in cases
    ]
    return out


def month_problems(month: date) -> list[topics.Problem]:
    """The month's problems, hottest first. Clustering takes a second or two: the result is kept
    for ten minutes, and recomputed as soon as a message or case of the month is added."""
    start, end = month_bounds(month)
    stamp = (
        HotlineMessage.objects.filter(received_at__gte=start, received_at__lt=end).aggregate(
            n=Count("pk"), last=Max("pk")
        ),
        Case.objects.filter(reported_at__gte=start, reported_at__lt=end).aggregate(
            n=Count("pk"), last=Max("pk")
        ),
    )
    counts = "-".join(f"{part['n']}.{part['last'] or 0}" for part in stamp)
    key = f"month-problems:{month:%Y-%m}:{counts}"
    cache = caches["shared"]
    found = cache.get(key)
    if found is None:
        found = topics.problems_find(_messages_of(start, end), topics.words, start=start, end=end)
        cache.set(key, found, CACHE_SECONDS)
    return found


def _require_city(actor) -> None:
    require_role(actor, CITY_ADMINISTRATORS, _("The city chooses the month's theme."))


def theme_choose(
    *, actor, month: date, problem_key: str, lead_unit_id: int, note: str = ""
) -> MonthlyTheme:
    """Make one of the month's problems (named by its stable key) its theme, led by a
    department. A key that no longer names a problem — new messages changed the clustering since
    the page was shown — is a Conflict: the city looks again, nothing is chosen blindly."""
    _require_city(actor)
    month = month.replace(day=1)
    problem = next((p for p in month_problems(month) if p.key == problem_key), None)
    if problem is None:
        raise Conflict(_("The month's problems have changed since the page was shown: look again."))
    unit = Unit.objects.filter(pk=lead_unit_id).first()
    if unit is None:
        raise InvalidInput(_("Choose the lead department."))
    with transaction.atomic():
        if MonthlyTheme.objects.select_for_update().filter(month=month).exists():
            raise InvalidInput(_("This month already has its theme."))
        theme = MonthlyTheme.objects.create(
            month=month,
            title=problem.title[:200],
            keywords=problem.keywords,
            messages=len(problem.messages),
            likes=problem.likes,
            heat=round(problem.heat, 3),
            message_ids=[m.id for m in problem.messages],
            lead_unit=unit,
            note=note.strip(),
            chosen_by=actor,
        )
        audit_record(
            actor=actor,
            action="monthly_theme.choose",
            obj=theme,
            changes={"title": theme.title, "lead": unit.name},
        )
    return theme


def theme_task_add(
    *, actor, theme_id: int, unit_id: int, description: str, due: date | None
) -> ThemeTask:
    _require_city(actor)
    theme = MonthlyTheme.objects.filter(pk=theme_id).first()
    if theme is None:
        raise NotFound(_("There is no such theme."))
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None or not description.strip():
        raise InvalidInput(_("A task needs a unit and a description."))
    with transaction.atomic():
        task = ThemeTask.objects.create(
            theme=theme, unit=unit, description=description.strip(), due=due
        )
        audit_record(
            actor=actor,
            action="monthly_theme.task_add",
            obj=task,
            changes={"unit": unit.name, "due": str(due or "")},
        )
    return task


def theme_task_done(*, actor, task_id: int) -> ThemeTask:
    """Mark a task done: by the city or by a member of the unit it was handed to."""
    task = ThemeTask.objects.select_related("unit").filter(pk=task_id).first()
    if task is None:
        raise NotFound(_("There is no such task."))
    member = task.unit.members.filter(pk=actor.pk).exists()
    if not (member or has_role(actor, CITY_ADMINISTRATORS)):
        raise NotFound(_("There is no such task."))
    if task.done_at is not None:
        raise InvalidInput(_("The task is done already."))
    with transaction.atomic():
        task.done_at = timezone.now()
        task.save(update_fields=["done_at"])
        audit_record(actor=actor, action="monthly_theme.task_done", obj=task, changes={})
    return task


# ---- proactive alerts (未诉先办) --------------------------------------------------------------

BASELINE_WEEKS = 8


@dataclass(frozen=True)
class ProactiveAlert:
    street: str
    category: str
    count: int
    baseline: float
    p_value: float


def proactive_alerts(viewer) -> list[ProactiveAlert]:
    """Categories (major classes) whose cases in a street in the last 7 days are improbably many
    for that street's previous 8 weeks (`topics.spikes_find`), in the viewer's scope. Nothing
    while the records do not reach back over the whole baseline: a street that has no past on
    the platform is not "rising", it is new to it. For the dispatching offices."""
    require_role(viewer, DISPATCHERS, _("The month's problems are for the dispatching offices."))
    tomorrow = timezone.localdate() + timedelta(days=1)
    end = timezone.make_aware(datetime.combine(tomorrow, datetime.min.time()))
    start = end - timedelta(weeks=BASELINE_WEEKS + 1)
    if not scope_filter(Case.objects.filter(reported_at__lt=start), viewer).exists():
        return []
    cases = scope_filter(Case.objects.filter(reported_at__gte=start, reported_at__lt=end), viewer)
    weekly: dict[tuple, list[int]] = {}
    for street, parent, at in cases.values_list(
        "street_id", "category__major_class__code", "reported_at"
    ):
        week = min(int((at - start) / timedelta(weeks=1)), BASELINE_WEEKS)
        weekly.setdefault((street, parent or ""), [0] * (BASELINE_WEEKS + 1))[week] += 1
    return [
        ProactiveAlert(s.key[0], s.key[1], s.count, s.baseline, s.p_value)
        for s in topics.spikes_find(weekly, baseline_weeks=BASELINE_WEEKS)
    ]
