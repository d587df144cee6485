"""The case API: the queues and cases a person may see, and the moves they may make. Machine
clients of residents' requests use Open311 (/open311/v2/); this API is for staff systems."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema

from shoushan.accounts.api_auth import API_AUTH
from shoushan.core.api import AUTH_ERRORS, error_responses
from shoushan.core.pagination import PageNumber, PageSize, page_of
from shoushan.grid.cases import merge, selectors, services
from shoushan.grid.models import Case
from shoushan.grid.workflow import Action, Stage

router = Router(tags=["cases"], auth=API_AUTH)


class CaseOut(Schema):
    id: int
    number: str
    channel: str
    category_code: str
    category_name: str
    description: str
    stage: Stage
    grid_code: str | None
    community_code: str | None
    street_code: str
    unit: str | None
    reported_at: datetime
    dispatched_at: datetime | None
    deadline: datetime | None
    closed_at: datetime | None
    longitude: float | None
    latitude: float | None
    escalated: bool
    merged_into: int | None
    is_generated: bool = Field(description="A demo case, generated with its history.")

    @staticmethod
    def resolve_merged_into(obj: Case) -> int | None:
        return obj.merged_into_id

    @staticmethod
    def resolve_category_code(obj: Case) -> str:
        return obj.category.code

    @staticmethod
    def resolve_category_name(obj: Case) -> str:
        return obj.category.name

    @staticmethod
    def resolve_grid_code(obj: Case) -> str | None:
        return obj.grid.code if obj.grid_id else None

    @staticmethod
    def resolve_community_code(obj: Case) -> str | None:
        return obj.community_id

    @staticmethod
    def resolve_street_code(obj: Case) -> str:
        return obj.street_id

    @staticmethod
    def resolve_unit(obj: Case) -> str | None:
        return obj.unit.name if obj.unit_id else None


class CasePage(Schema):
    count: int
    items: list[CaseOut]


class MoveIn(Schema):
    action: Action
    note: str = ""
    unit_id: int | None = Field(None, ge=1, le=2**31 - 1)
    extend_to: datetime | None = None


@router.get("", response={200: CasePage, **AUTH_ERRORS}, summary="Cases you may see")
def case_list(
    request: HttpRequest,
    stage: Stage | None = None,
    street_code: str = "",
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> dict:
    cases = selectors.case_list_visible(request.user).order_by("-reported_at", "-id")
    if stage:
        cases = cases.filter(stage=stage)
    if street_code:
        cases = cases.filter(street_id=street_code)
    items, count = page_of(cases, page=page, page_size=page_size)
    return {"count": count, "items": items}


@router.get(
    "/{case_id}",
    response={200: CaseOut, **AUTH_ERRORS, **error_responses(404)},
    summary="One case you may see",
)
def case_detail(request: HttpRequest, case_id: int) -> Case:
    return selectors.case_get(request.user, case_id)


@router.post(
    "/{case_id}/moves",
    response={200: CaseOut, **AUTH_ERRORS, **error_responses(404, 409)},
    summary="Move a case along one declared transition",
)
def case_move(request: HttpRequest, case_id: int, move: MoveIn) -> Case:
    """An illegal move answers 409 and changes nothing; a case outside your scope, 404."""
    services.case_move(
        actor=request.user,
        case_id=case_id,
        action=move.action,
        note=move.note,
        unit_id=move.unit_id,
        extend_to=move.extend_to,
    )
    return selectors.case_get(request.user, case_id)


class DuplicateOut(Schema):
    id: int
    number: str
    stage: Stage
    description: str
    reported_at: datetime
    similarity: float
    distance_m: float | None
    hours_apart: float


class MergeIn(Schema):
    into: int = Field(..., ge=1, le=2**31 - 1)
    note: str = ""


@router.get(
    "/{case_id}/duplicates",
    response={200: list[DuplicateOut], **AUTH_ERRORS, **error_responses(404)},
    summary="Cases that may report the same problem",
)
def case_duplicates(request: HttpRequest, case_id: int) -> list[dict]:
    """Within the category's duplicate radius (or the same community, for cases without a point),
    within 72 hours either side, with similar text; best first. For the dispatching staff."""
    return [
        {
            "id": other.pk,
            "number": other.number,
            "stage": other.stage,
            "description": other.description,
            "reported_at": other.reported_at,
            "similarity": candidate.similarity,
            "distance_m": candidate.distance_m,
            "hours_apart": candidate.hours_apart,
        }
        for other, candidate in selectors.case_duplicate_candidates(request.user, case_id)
    ]


@router.post(
    "/{case_id}/merge",
    response={200: CaseOut, **AUTH_ERRORS, **error_responses(404, 409)},
    summary="Merge a duplicate into another case",
)
def case_merge(request: HttpRequest, case_id: int, body: MergeIn) -> Case:
    """The case `case_id` becomes `merged`, pointing at `into`; its reporter (and those merged
    into it before) join the kept case's reporters, each to get a return visit. Returns the kept
    case. A case outside your scope answers 404; a handled duplicate or a kept case that is no
    longer open, 409; nothing changes then."""
    kept = merge.case_merge(actor=request.user, case_id=case_id, into_id=body.into, note=body.note)
    return selectors.case_get(request.user, kept.pk)
