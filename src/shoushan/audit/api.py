from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from shoushan.accounts.api_auth import API_AUTH
from shoushan.audit import selectors
from shoushan.core.pagination import page_of

router = Router(tags=["audit"], auth=API_AUTH)


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


@router.get("", response=AuditPage, summary="Audit records in your scope")
def audit_record_list(
    request: HttpRequest,
    action: str = "",
    actor: str = "",
    region_code: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
    page: int = 1,
    page_size: int = 50,
) -> dict:
    records = selectors.audit_record_list(
        request.user, action=action, actor=actor, region_code=region_code, since=since, until=until
    )
    items, count = page_of(records, page=page, page_size=page_size)
    return {"count": count, "items": items}


@router.get("/{record_id}", response=AuditRecordOut, summary="One audit record in your scope")
def audit_record_detail(request: HttpRequest, record_id: int):
    return selectors.audit_record_get(request.user, record_id)
