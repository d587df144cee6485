"""The intake API: /api/v1/intake — the active model with what its evaluation says of automatic
dispatch, the cases waiting for manual triage with their predictions, and accepting a
prediction. For the dispatching staff; another region's case is not found."""

from typing import Annotated

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from shoushan.accounts.api_auth import API_AUTH
from shoushan.core.api import AUTH_ERRORS, error_responses
from shoushan.core.pagination import PageNumber, PageSize, page_of
from shoushan.grid.intake import dispatch, selectors

intake_router = Router(tags=["intake"], auth=API_AUTH)

CaseId = Annotated[int, Field(ge=1, le=2**31 - 1)]


class IntakeModelOut(Schema):
    version: int
    threshold: float = Field(description="Confidence from which a request goes out alone.")
    training_file: str
    training_rows: int
    classes: list[str]
    departments: dict[str, str]
    grouped_macro_f1: float | None = Field(
        description="Cross-validated with near-duplicates kept in one fold: for new messages."
    )
    plain_macro_f1: float | None = Field(description="Cross-validated with random folds.")
    target_precision: float | None
    grouped: bool = Field(
        description="False when the file's messages were too alike to keep near-duplicates "
        "apart: the figures then come from random folds and may overstate."
    )
    auto_coverage: float | None = Field(
        description="Share of messages reaching the threshold in the grouped cross-validation."
    )
    auto_precision: float | None = Field(description="Share of those predicted right.")
    weakest_domain: str | None = Field(
        description="The domain whose department receives the least right at the threshold."
    )
    weakest_precision: float | None = Field(description="Share of its requests predicted right.")


class TriageCaseOut(Schema):
    id: int
    number: str
    channel: str
    description: str
    street_code: str
    community_code: str | None
    intake_domain: str
    intake_department: str
    intake_confidence: float | None
    needs_triage: bool

    @staticmethod
    def resolve_street_code(obj) -> str:
        return obj.street_id

    @staticmethod
    def resolve_community_code(obj) -> str | None:
        return obj.community_id


class TriagePage(Schema):
    count: int
    items: list[TriageCaseOut]


class TriageDispatchedOut(Schema):
    id: int
    number: str
    stage: str
    unit: str | None

    @staticmethod
    def resolve_unit(obj) -> str | None:
        return obj.unit.name if obj.unit_id else None


@intake_router.get(
    "/model",
    response={200: IntakeModelOut, **AUTH_ERRORS, **error_responses(404)},
    summary="The active intake model and what its evaluation says of automatic dispatch",
)
def intake_model(request: HttpRequest) -> dict:
    return selectors.intake_model_summary(request.user)


@intake_router.get(
    "/triage",
    response={200: TriagePage, **AUTH_ERRORS},
    summary="New cases in your scope waiting for a person (all=true: every classified one)",
)
def triage_list(
    request: HttpRequest, all: bool = False, page: PageNumber = 1, page_size: PageSize = 50
) -> dict:
    cases = selectors.triage_cases(request.user, everything=all)
    items, count = page_of(cases, page=page, page_size=page_size)
    return {"count": count, "items": items}


@intake_router.post(
    "/triage/{case_id}/dispatch",
    response={200: TriageDispatchedOut, **AUTH_ERRORS, **error_responses(404, 409)},
    summary="Accept the prediction: register and dispatch the case where it points",
)
def triage_dispatch(request: HttpRequest, case_id: CaseId):
    return dispatch.case_dispatch_as_predicted(actor=request.user, case_id=case_id)
