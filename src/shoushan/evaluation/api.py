"""The evaluation API: the indicator data sets and the ranked index each one builds (for
researchers' scripts and the cockpit). Mounted at /api/v1/evaluation; read-only — data sets are
uploaded on the page or with `shoushan evaluate`."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from shoushan.accounts.api_auth import API_AUTH
from shoushan.core.api import AUTH_ERRORS, error_responses
from shoushan.core.pagination import PageNumber, PageSize, page_of
from shoushan.evaluation import selectors
from shoushan.evaluation.reports import aggregates_of, ranking_rows
from shoushan.evaluation.services import dataset_build

router = Router(tags=["evaluation"], auth=API_AUTH)


class DatasetOut(Schema):
    id: int
    name: str
    year: int | None
    note: str
    created_at: datetime


class DatasetPage(Schema):
    count: int
    items: list[DatasetOut]


class UnitRankOut(Schema):
    code: str
    name: str
    rank: int | None
    scores: dict[str, float | None]


class ResultsOut(Schema):
    dataset: DatasetOut
    aggregates: list[str]
    units: list[UnitRankOut]


@router.get("/datasets", response={200: DatasetPage, **AUTH_ERRORS}, summary="Data sets")
def dataset_list(request: HttpRequest, page: PageNumber = 1, page_size: PageSize = 50) -> dict:
    items, count = page_of(selectors.datasets_visible(request.user), page=page, page_size=page_size)
    return {"count": count, "items": items}


@router.get(
    "/datasets/{dataset_id}/results",
    response={200: ResultsOut, **AUTH_ERRORS, **error_responses(404)},
    summary="The ranked index of a data set, with the score of every aggregate",
)
def dataset_results(request: HttpRequest, dataset_id: int) -> dict:
    dataset = selectors.dataset_get(request.user, dataset_id)
    built = dataset_build(dataset)
    codes = [a.code for a in aggregates_of(built)]
    return {
        "dataset": dataset,
        "aggregates": codes,
        "units": [
            {
                "code": row["code"],
                "name": row["name"],
                "rank": row["rank"],
                "scores": dict(zip(codes, row["scores"], strict=True)),
            }
            for row in ranking_rows(built)
        ],
    }
