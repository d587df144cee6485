from typing import Annotated

from django.db.models import QuerySet
from ninja import Query
from pydantic import BeforeValidator

MAX_PAGE = 1_000_000
MAX_PAGE_SIZE = 200


def _digits(value):
    """A whole number as the query string writes it: pydantic alone would take "3.0" as 3."""
    if isinstance(value, str) and not value.isdigit():
        raise ValueError("a whole number is expected")
    return value


# Query parameters of every paginated API list; out-of-range values get a 422 from the schema.
PageNumber = Annotated[
    int, Query(ge=1, le=MAX_PAGE, description="Page number, from 1"), BeforeValidator(_digits)
]
PageSize = Annotated[
    int, Query(ge=1, le=MAX_PAGE_SIZE, description="Records per page"), BeforeValidator(_digits)
]


def page_of(queryset: QuerySet, *, page: int, page_size: int) -> tuple[list, int]:
    """One page of a query and the total count; a page past the end is empty, not an error."""
    start = (page - 1) * page_size
    return list(queryset[start : start + page_size]), queryset.count()
