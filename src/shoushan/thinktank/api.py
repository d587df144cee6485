"""The think tanks' API, mounted at /api/v1/thinktank: bases with their yearly score, the topic
guide and its calls, applications and their review on the shared panels, the project's checks,
results with their files and the adoption ledger. Amounts are strings of yuan ("180000.00")."""

from datetime import date
from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field, StrictStr

from shoushan.accounts.api_auth import API_AUTH
from shoushan.core.api import AUTH_ERRORS, error_responses
from shoushan.core.errors import NotFound
from shoushan.reviews.selectors import experts_visible
from shoushan.thinktank import selectors, services
from shoushan.thinktank.models import Project

router = Router(tags=["thinktank"], auth=API_AUTH)

RecordId = Annotated[int, Field(ge=1, le=2**63 - 1)]
WRITE_ERRORS = {**AUTH_ERRORS, **error_responses(404, 409)}
READ_ERRORS = {**AUTH_ERRORS, **error_responses(404)}
Year = Annotated[int, Field(ge=1900, le=2100)]


def _rate(value) -> str | None:
    return None if value is None else str(value)


class ResearchBaseYearOut(Schema):
    year: int
    due: int
    on_time: int
    finished: int
    adopted: int
    outputs: int
    on_time_rate: str | None
    adoption_rate: str | None
    score: str | None


class ResearchBaseOut(Schema):
    id: int
    name: str
    host: str
    partners: list[str]
    field: str
    director: str
    recognised_on: date
    valid_until: date
    year: ResearchBaseYearOut


def _base(base, year: int) -> dict:
    figures = selectors.base_year(base, year)
    return {
        "id": base.pk,
        "name": base.name,
        "host": base.host.name,
        "partners": [p.name for p in base.partners.all()],
        "field": base.field,
        "director": base.director,
        "recognised_on": base.recognised_on,
        "valid_until": base.valid_until,
        "year": {
            "year": year,
            "due": figures.due,
            "on_time": figures.on_time,
            "finished": figures.finished,
            "adopted": figures.adopted,
            "outputs": figures.outputs,
            "on_time_rate": _rate(figures.on_time_rate),
            "adoption_rate": _rate(figures.adoption_rate),
            "score": _rate(figures.score),
        },
    }


@router.get("/bases", response={200: list[ResearchBaseOut], **AUTH_ERRORS})
def bases(request: HttpRequest, year: Year):
    """The research bases with their score for the year."""
    return [_base(b, year) for b in selectors.bases(request.user)]


@router.get(
    "/bases/{base_id}", response={200: ResearchBaseOut, **AUTH_ERRORS, **error_responses(404)}
)
def base_detail(request: HttpRequest, base_id: RecordId, year: Year):
    return _base(selectors.base_get(request.user, base_id), year)


class AdoptionRateOut(Schema):
    year: int
    finished: int
    adopted: int
    adoption_rate: str | None
    adoptions: int
    instructions: int


@router.get("/adoption-rate", response={200: AdoptionRateOut, **AUTH_ERRORS})
def adoption_rate(request: HttpRequest, year: Year):
    """The city's adoption rate: of the projects finished in the year, those with a result
    adopted; with the year's adoptions and written instructions."""
    found = selectors.city_year(request.user, year)
    return {
        "year": year,
        "finished": found.finished,
        "adopted": found.adopted,
        "adoption_rate": _rate(found.adoption_rate),
        "adoptions": found.adoptions,
        "instructions": found.instructions,
    }


class TopicIn(Schema):
    year: Year
    title: StrictStr
    kind: Literal["applied", "basic"]
    budget_cap: StrictStr
    direction: StrictStr = ""
    indicator: StrictStr = ""


class TopicOut(Schema):
    id: int
    year: int
    title: str
    kind: str
    direction: str
    indicator: str
    budget_cap: str
    opens_on: date | None
    closes_on: date | None
    line_id: int | None


def _topic(topic) -> dict:
    return {
        **{f: getattr(topic, f) for f in ("id", "year", "title", "kind", "direction")},
        "indicator": topic.indicator,
        "budget_cap": str(topic.budget_cap),
        "opens_on": topic.opens_on,
        "closes_on": topic.closes_on,
        "line_id": topic.line_id,
    }


@router.get("/topics", response={200: list[TopicOut], **AUTH_ERRORS})
def topics(request: HttpRequest, year: Year):
    return [_topic(t) for t in selectors.topics(request.user, year)]


@router.post("/topics", response={201: TopicOut, **WRITE_ERRORS})
def topic_create(request: HttpRequest, body: TopicIn):
    """An entry of the year's guide (the city's office)."""
    topic = services.topic_create(actor=request.user, values=body.dict())
    return Status(201, _topic(topic))


class TopicCallIn(Schema):
    line_id: RecordId
    opens_on: date
    closes_on: date


@router.post("/topics/{topic_id}/call", response={200: TopicOut, **WRITE_ERRORS})
def topic_call(request: HttpRequest, topic_id: RecordId, body: TopicCallIn):
    """Call the topic, paid from a line of the decision-consulting envelope on the catalogue's
    research service."""
    topic = selectors.topic_get(request.user, topic_id)
    line = selectors.research_line_get(request.user, str(body.line_id))
    services.topic_call(
        actor=request.user,
        topic=topic,
        line=line,
        opens_on=body.opens_on,
        closes_on=body.closes_on,
    )
    return _topic(selectors.topic_get(request.user, topic_id))


class TopicApplicationIn(Schema):
    base_id: RecordId
    lead: StrictStr
    plan: StrictStr
    amount: StrictStr
    applied_on: date


class PanelSeatOut(Schema):
    id: int
    expert: str
    marks: dict
    total: str | None


class AdoptionOut(Schema):
    id: int
    adopted_by: str
    level: str
    adopted_on: date
    reference: str
    instruction: str
    instructed_by: str
    policy: str
    indicator: str


class ResearchOutputOut(Schema):
    id: int
    kind: str
    title: str
    authors: list[str]
    blue_book_year: int | None
    submitted_on: date
    has_file: bool
    adoptions: list[AdoptionOut]


class ResearchProjectOut(Schema):
    id: int
    topic_id: int
    base_id: int
    lead: str
    institution: str
    amount: str
    applied_on: date
    status: str
    panel: list[PanelSeatOut]
    panel_mean: str | None
    approved_on: date | None
    award_id: int | None
    starts_on: date | None
    ends_on: date | None
    opening_on: date | None
    midterm_on: date | None
    midterm_passed: bool | None
    final_report_on: date | None
    final_result: str
    final_on: date | None
    ended_on: date | None
    termination_reason: str
    outputs: list[ResearchOutputOut]


PROJECT_WRITE = {200: ResearchProjectOut, **WRITE_ERRORS}


def _project(project: Project) -> dict:
    project = Project.objects.select_related("institution").get(pk=project.pk)
    seats, result = selectors.panel_of(project)
    return {
        **{
            f: getattr(project, f)
            for f in (
                "id",
                "topic_id",
                "base_id",
                "lead",
                "applied_on",
                "status",
                "approved_on",
                "award_id",
                "starts_on",
                "ends_on",
                "opening_on",
                "midterm_on",
                "midterm_passed",
                "final_report_on",
                "final_result",
                "final_on",
                "ended_on",
                "termination_reason",
            )
        },
        "institution": project.institution.name,
        "amount": str(project.amount),
        "panel": [
            {
                "id": s.pk,
                "expert": s.expert.name,
                "marks": s.marks,
                "total": _rate(s.total),
            }
            for s in seats
        ],
        "panel_mean": _rate(result.mean) if result else None,
        "outputs": [
            {
                "id": o.pk,
                "kind": o.kind,
                "title": o.title,
                "authors": o.author_list,
                "blue_book_year": o.blue_book_year,
                "submitted_on": o.submitted_on,
                "has_file": bool(o.file),
                "adoptions": list(o.adoptions.all()),
            }
            for o in project.outputs.all()
        ],
    }


@router.post("/topics/{topic_id}/applications", response={201: ResearchProjectOut, **WRITE_ERRORS})
def project_apply(request: HttpRequest, topic_id: RecordId, body: TopicApplicationIn):
    """A base's application while the topic's call is open, for at most its budget."""
    topic = selectors.topic_get(request.user, topic_id)
    base = selectors.base_get(request.user, body.base_id)
    project = services.project_apply(
        actor=request.user, topic=topic, base=base, values=body.dict(exclude={"base_id"})
    )
    return Status(201, _project(project))


@router.get(
    "/projects/{project_id}",
    response={200: ResearchProjectOut, **AUTH_ERRORS, **error_responses(404)},
)
def project_detail(request: HttpRequest, project_id: RecordId):
    return _project(selectors.project_get(request.user, project_id))


class PanelExpertIn(Schema):
    expert_id: RecordId


@router.post("/projects/{project_id}/experts", response={201: ResearchProjectOut, **WRITE_ERRORS})
def expert_assign(request: HttpRequest, project_id: RecordId, body: PanelExpertIn):
    """Seat an expert by hand: refused beyond one from the applicant's institution, or with a
    declared interest in it."""
    project = selectors.project_get(request.user, project_id)
    expert = experts_visible(request.user).filter(pk=body.expert_id).first()
    if expert is None:
        raise NotFound(_("No such record in your scope."))
    services.project_expert_assign(actor=request.user, project=project, expert=expert)
    return Status(201, _project(project))


class PanelDrawIn(Schema):
    size: int = 5
    seed: int | None = None


@router.post("/projects/{project_id}/draw", response=PROJECT_WRITE)
def experts_draw(request: HttpRequest, project_id: RecordId, body: PanelDrawIn):
    """Draw 3–7 experts from the pools (stratified by field, conflicts excluded)."""
    project = selectors.project_get(request.user, project_id)
    services.project_experts_draw(
        actor=request.user, project=project, size=body.size, seed=body.seed
    )
    return _project(project)


class PanelMarksIn(Schema):
    marks: dict[str, StrictStr]


@router.post(
    "/projects/{project_id}/seats/{seat_id}/marks",
    response=PROJECT_WRITE,
)
def marks_record(request: HttpRequest, project_id: RecordId, seat_id: RecordId, body: PanelMarksIn):
    """An expert's marks on the rubric (criterion → mark, as strings)."""
    project = selectors.project_get(request.user, project_id)
    seat = selectors.seat_of(project, seat_id)
    services.project_score(actor=request.user, seat=seat, marks=body.marks)
    return _project(project)


class ProjectDecisionIn(Schema):
    approve: bool
    decided_on: date
    starts_on: date | None = None
    ends_on: date | None = None


@router.post("/projects/{project_id}/decision", response=PROJECT_WRITE)
def project_decide(request: HttpRequest, project_id: RecordId, body: ProjectDecisionIn):
    """Approve (an award through the purchasing ledger) or turn down, once 3 experts scored."""
    project = selectors.project_get(request.user, project_id)
    services.project_decide(
        actor=request.user,
        project=project,
        approve=body.approve,
        on=body.decided_on,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
    )
    return _project(project)


class ProjectCheckIn(Schema):
    check: Literal["opening", "midterm", "final_report", "final_review"]
    on: date
    passed: bool = True
    note: StrictStr = ""


@router.post("/projects/{project_id}/checks", response=PROJECT_WRITE)
def project_check(request: HttpRequest, project_id: RecordId, body: ProjectCheckIn):
    """The opening report, the mid-term check (`passed`), the final report (after a passed
    mid-term) or the final review (`passed`; waived after a provincial-level adoption)."""
    project = selectors.project_get(request.user, project_id)
    actor, on = request.user, body.on
    if body.check == "opening":
        services.opening_record(actor=actor, project=project, on=on)
    elif body.check == "midterm":
        services.midterm_record(
            actor=actor, project=project, on=on, passed=body.passed, note=body.note
        )
    elif body.check == "final_report":
        services.final_report_record(actor=actor, project=project, on=on)
    else:
        services.final_review_record(actor=actor, project=project, on=on, passed=body.passed)
    return _project(project)


class ProjectExtensionIn(Schema):
    asked_on: date
    new_end: date
    reason: StrictStr


@router.post("/projects/{project_id}/extension", response=PROJECT_WRITE)
def extension(request: HttpRequest, project_id: RecordId, body: ProjectExtensionIn):
    project = selectors.project_get(request.user, project_id)
    services.extension_grant(actor=request.user, project=project, **body.dict())
    return _project(project)


class ProjectTerminationIn(Schema):
    on: date
    reason: StrictStr


@router.post("/projects/{project_id}/termination", response=PROJECT_WRITE)
def termination(request: HttpRequest, project_id: RecordId, body: ProjectTerminationIn):
    project = selectors.project_get(request.user, project_id)
    services.project_terminate(actor=request.user, project=project, **body.dict())
    return _project(project)


class ResearchOutputIn(Schema):
    kind: Literal["report", "paper", "proposal", "chapter"]
    title: str
    authors: str
    submitted_on: date
    blue_book_year: Year | None = None


@router.post("/projects/{project_id}/outputs", response={201: ResearchProjectOut, **WRITE_ERRORS})
def output_add(
    request: HttpRequest,
    project_id: RecordId,
    body: Form[ResearchOutputIn],
    file: File[UploadedFile],
):
    """A result (multipart form) with its file: PDF or .docx, at most 20 MB."""
    project = selectors.project_get(request.user, project_id)
    services.output_add(actor=request.user, project=project, values=body.dict(), upload=file)
    return Status(201, _project(project))


class AdoptionIn(Schema):
    adopted_by: StrictStr
    level: Literal["district", "city", "provincial", "national"]
    adopted_on: date
    reference: StrictStr = ""
    instruction: StrictStr = ""
    instructed_by: StrictStr = ""
    policy: StrictStr = ""
    indicator: StrictStr = ""


@router.post("/outputs/{output_id}/adoptions", response={201: AdoptionOut, **WRITE_ERRORS})
def adoption_record(request: HttpRequest, output_id: RecordId, body: AdoptionIn):
    """That a result was adopted, with the written instruction (批示) if any."""
    output = selectors.output_get(request.user, output_id)
    adoption = services.adoption_record(actor=request.user, output=output, values=body.dict())
    return Status(201, adoption)


@router.get("/adoptions", response={200: list[AdoptionOut], **AUTH_ERRORS})
def adoptions(request: HttpRequest, year: Year):
    return list(selectors.adoptions(request.user, year=year))


class BlueBookChapterOut(Schema):
    title: str
    authors: list[str]
    base: str
    host: str


@router.get(
    "/blue-book/{year}/contributors", response={200: list[BlueBookChapterOut], **AUTH_ERRORS}
)
def contributors(request: HttpRequest, year: Year):
    """The chapters of the year's blue book written as research results, with their authors."""
    selectors.reader_check(request.user)
    return [
        {
            "title": c.title,
            "authors": c.author_list,
            "base": c.project.base.name,
            "host": c.project.base.host.name,
        }
        for c in selectors.blue_book_chapters(year)
    ]
