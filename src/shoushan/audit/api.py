from datetime import UTC, datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import WithJsonSchema

from shoushan.accounts.api_auth import API_AUTH
from shoushan.audit import selectors
from shoushan.core.api import AUTH_ERRORS, error_responses
from shoushan.core.errors import InvalidInput
from shoushan.core.pagination import PageNumber, PageSize, page_of

router = Router(tags=["audit"], auth=API_AUTH)

# ISO 8601 only: pydantic's lax datetime would also take numbers as Unix times.
Moment = Annotated[str | None, WithJsonSchema({"type": "string", "format": "date-time"})]


def parse_moment(value: str | None, name: str) -> datetime | None:
    """An ISO 8601 time as UTC (a time without an offset is Asia/Shanghai)."""
    if value is None:
        return None
    try:
        moment = parse_datetime(value)
        if moment is not None:
            aware = moment if timezone.is_aware(moment) else timezone.make_aware(moment)
            return aware.astimezone(UTC)  # databases refuse unusual offsets such as +23:29
    except (ValueError, OverflowError):
        pass
    raise InvalidInput(
        _("%(name)s must be a time such as 2026-11-26T09:00:00+08:00.") % {"name": name}
    )


class AuditRecordOut(Schema):
    id: int
    at: datetime
    actor_name: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    region_code: str
    changes: dict[str, Any]


class AuditPage(Schema):
    count: int
    items: list[AuditRecordOut]


@router.get("", response={200: AuditPage, **AUTH_ERRORS}, summary="Audit records in your scope")
def audit_record_list(
    request: HttpRequest,
    action: str = "",
    actor: str = "",
    region_code: str = "",
    since: Moment = None,
    until: Moment = None,
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> dict:
    """`since` and `until` are ISO 8601 times (a time without an offset is Asia/Shanghai)."""
    records = selectors.audit_record_list(
        request.user,
        action=action,
        actor=actor,
        region_code=region_code,
        since=parse_moment(since, "since"),
        until=parse_moment(until, "until"),
    )
    items, count = page_of(records, page=page, page_size=page_size)
    return {"count": count, "items": items}


@router.get(
    "/{record_id}",
    response={200: AuditRecordOut, **AUTH_ERRORS, **error_responses(404)},
    summary="One audit record in your scope",
)
def audit_record_detail(request: HttpRequest, record_id: int):
    return selectors.audit_record_get(request.user, record_id)
