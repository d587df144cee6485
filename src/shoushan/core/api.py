"""What every API operation shares: the error body and the statuses it documents."""

from typing import Any

from ninja import Schema
from ninja.schema import DjangoGetter
from pydantic import model_validator


class ErrorOut(Schema):
    detail: str  # a message a clerk can act on, in the request's language
    errors: Any | None = None  # per-field details, when there are any


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """`response={200: X, **error_responses(404, 422)}` documents each error status."""
    return dict.fromkeys(statuses, ErrorOut)


# Every operation behind sign-in may answer these.
AUTH_ERRORS = error_responses(400, 401, 403, 422)


class JobOut(Schema):
    """A background job (an import) as its starter follows it."""

    id: int
    kind: str
    status: str
    progress: int
    message: str
    outcome: dict


def job_out(job) -> dict:
    return {
        "id": job.pk,
        "kind": job.kind,
        "status": job.status,
        "progress": job.progress,
        "message": job.message,
        "outcome": job.outcome or {},
    }


class ObjectSchema(Schema):
    """A request body of only optional fields (a PATCH): ninja's Schema reads attributes off any
    value, so without this check `[null]` or `"x"` would pass as an empty change."""

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, value):
        # Schema's own validator has wrapped the body in a DjangoGetter by now.
        if not isinstance(value._obj if isinstance(value, DjangoGetter) else value, dict):
            raise ValueError("a JSON object is expected")
        return value
