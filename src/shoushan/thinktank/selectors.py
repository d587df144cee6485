"""Reading the think tanks: the bases with their yearly score, the topics, the projects, the
adoption ledger and the blue book's chapters. Readers are the offices and the researchers
(`THINK_TANK_READERS`); the bases are the city's, so there is no finer scope."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from shoushan.accounts.roles import THINK_TANK_READERS, require_role
from shoushan.core.errors import NotFound
from shoushan.purchasing.models import BudgetLine, EnvelopeKind
from shoushan.reviews.models import Seat
from shoushan.reviews.selectors import Result, panel_results, seats_of
from shoushan.thinktank import rules
from shoushan.thinktank.models import (
    Adoption,
    Institution,
    Output,
    OutputKind,
    Project,
    ProjectStatus,
    Reminder,
    ResearchBase,
    Topic,
)


def reader_check(viewer) -> None:
    require_role(
        viewer, THINK_TANK_READERS, _("The think tanks are read by the offices and researchers.")
    )


def _get(viewer, queryset, pk: int):
    reader_check(viewer)
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise NotFound(_("No such record in your scope."))
    return found


def base_get(viewer, pk: int) -> ResearchBase:
    return _get(viewer, ResearchBase.objects.select_related("host"), pk)


def topic_get(viewer, pk: int) -> Topic:
    return _get(viewer, Topic.objects.select_related("line__call"), pk)


def project_get(viewer, pk: int) -> Project:
    return _get(viewer, Project.objects.select_related("topic", "base", "institution", "award"), pk)


def output_get(viewer, pk: int) -> Output:
    return _get(viewer, Output.objects.select_related("project"), pk)


def bases(viewer) -> QuerySet[ResearchBase]:
    reader_check(viewer)
    return ResearchBase.objects.select_related("host").prefetch_related("partners")


def topics(viewer, year: int) -> QuerySet[Topic]:
    reader_check(viewer)
    return Topic.objects.filter(year=year).order_by("pk")


def projects_of(topic_or_base) -> QuerySet[Project]:
    field = "topic" if isinstance(topic_or_base, Topic) else "base"
    return (
        Project.objects.filter(**{field: topic_or_base})
        .select_related("topic", "base", "institution")
        .order_by("-applied_on", "pk")
    )


def _adopted() -> Exists:
    return Exists(Adoption.objects.filter(output__project=OuterRef("pk")))


def base_year(base: ResearchBase, year: int) -> rules.BaseYear:
    """The base's year from the records: its projects due to end in the year (terminated ones
    count as not on time), those whose final report came within 20 days of the end, those
    finished and, of them, those with a result adopted; the outputs it submitted that year."""
    due = list(
        Project.objects.filter(base=base, ends_on__year=year)
        .exclude(status__in=(ProjectStatus.APPLIED, ProjectStatus.REJECTED))
        .annotate(adopted=_adopted())
    )
    on_time = len(
        [
            p
            for p in due
            if p.final_report_on
            and p.ends_on
            and p.final_report_on <= rules.final_report_due(p.ends_on)
        ]
    )
    finished = [p for p in due if p.status == ProjectStatus.FINISHED]
    return rules.BaseYear(
        due=len(due),
        on_time=on_time,
        finished=len(finished),
        adopted=sum(1 for p in finished if p.adopted),
        outputs=Output.objects.filter(project__base=base, submitted_on__year=year).count(),
    )


@dataclass
class CityYear:
    finished: int
    adopted: int
    adoptions: int
    instructions: int

    @property
    def adoption_rate(self) -> Decimal | None:
        if not self.finished:
            return None
        return (Decimal(self.adopted) / self.finished).quantize(Decimal("0.0001"))


def city_year(viewer, year: int) -> CityYear:
    """The city's adoption rate: of the projects finished in the year (final review that year),
    those with a result adopted; with the adoptions and written instructions of the year."""
    reader_check(viewer)
    finished = Project.objects.filter(status=ProjectStatus.FINISHED, final_on__year=year)
    adoptions = Adoption.objects.filter(adopted_on__year=year)
    return CityYear(
        finished=finished.count(),
        adopted=finished.filter(_adopted()).count(),
        adoptions=adoptions.count(),
        instructions=adoptions.exclude(instruction="").count(),
    )


def reminders_of(base: ResearchBase) -> QuerySet[Reminder]:
    return Reminder.objects.filter(project__base=base, met_on__isnull=True).select_related(
        "project__topic"
    )


def reminders_open(viewer) -> QuerySet[Reminder]:
    reader_check(viewer)
    return Reminder.objects.filter(met_on__isnull=True).select_related(
        "project__topic", "project__base"
    )


def panel_of(project: Project) -> tuple[list[Seat], Result | None]:
    seats = seats_of(rules.PROJECT_PANEL, [project.pk]).get(project.pk, [])
    if not seats:
        return [], None
    [result] = panel_results([seats[0].panel])
    return seats, result


def seat_of(project: Project, seat_id: int) -> Seat:
    seat = next((s for s in panel_of(project)[0] if s.pk == seat_id), None)
    if seat is None:
        raise NotFound(_("No such record in your scope."))
    return seat


def rankings(topic: Topic) -> dict[int, Result]:
    """Each application's panel result (mean and rank among the topic's applications)."""
    seats = seats_of(rules.PROJECT_PANEL, list(topic.projects.values_list("pk", flat=True)))
    panels = {s[0].panel.subject_id: s[0].panel for s in seats.values() if s}
    return {r.panel.subject_id: r for r in panel_results(list(panels.values()))}


def adoptions(viewer, *, year: int | None = None) -> QuerySet[Adoption]:
    reader_check(viewer)
    found = Adoption.objects.select_related("output__project__base", "output__project__topic")
    return found.filter(adopted_on__year=year) if year else found


def blue_book_chapters(year: int) -> list[Output]:
    """The chapters written for the blue book of the year, with their authors (the
    contributors' page), from projects not terminated."""
    return list(
        Output.objects.filter(kind=OutputKind.CHAPTER, blue_book_year=year)
        .exclude(project__status=ProjectStatus.TERMINATED)
        .select_related("project__base__host")
        .order_by("pk")
    )


def milestones(project: Project) -> list[dict]:
    """The project's milestones with their due dates and whether they were met (for the page)."""
    if not project.starts_on or not project.ends_on:
        return []
    rows = [
        (_("Opening report"), rules.opening_due(project.starts_on), project.opening_on),
        (
            _("Mid-term check"),
            rules.midterm_due(project.starts_on, project.ends_on),
            project.midterm_on,
        ),
        (_("Final report"), rules.final_report_due(project.ends_on), project.final_report_on),
    ]
    return [{"name": n, "due": d, "met": m, "late": bool(m and m > d)} for n, d, m in rows]


def institutions(viewer) -> QuerySet[Institution]:
    reader_check(viewer)
    return Institution.objects.order_by("kind", "name")


def institution_get(viewer, pk: str) -> Institution:
    return _get(viewer, Institution.objects.all(), int(pk) if str(pk).isdigit() else 0)


def research_lines(viewer) -> QuerySet[BudgetLine]:
    """The budget lines a topic may be paid from: the city's decision-consulting envelopes, on
    the catalogue's research service."""
    reader_check(viewer)
    return (
        BudgetLine.objects.filter(
            call__envelope__kind=EnvelopeKind.ADVICE,
            item__code__startswith=rules.RESEARCH_SERVICE,
            call__envelope__fund__region_code=rules.CITY,
        )
        .select_related("call__envelope__fund", "item")
        .order_by("-call__envelope__fund__year", "pk")
    )


def research_line_get(viewer, pk: str) -> BudgetLine:
    return _get(viewer, research_lines(viewer), int(pk) if str(pk).isdigit() else 0)
