"""The one writer of audit records. Every service calls `audit_record` inside its transaction,
so an audit row exists exactly when the write it describes committed."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models

from shoushan.audit.models import AuditRecord
from shoushan.core.bulk import insert_instances
from shoushan.core.masking import mask

SYSTEM_ACTOR = "system"


def audit_record(**fields: Any) -> AuditRecord:
    """Append one record (the fields are those of `audit_entry`)."""
    record = audit_entry(**fields)
    record.save()
    return record


def audit_records(records: Iterable[AuditRecord]) -> None:
    """Append many records made by `audit_entry`, in one statement."""
    insert_instances(list(records))


def audit_entry(
    *,
    actor: Any | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    region_code: str = "",
    changes: Mapping[str, Any] | None = None,
    personal_fields: Mapping[str, str] | None = None,
) -> AuditRecord:
    """A record, not yet saved. `changes` maps a field to [old, new] (or any JSON value); fields
    named in `personal_fields` (field → masking kind) are stored masked."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    stored = {
        field: _mask_value(value, (personal_fields or {}).get(field))
        for field, value in (changes or {}).items()
    }
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditRecord(
        actor=actor if authenticated else None,
        actor_name=actor.get_username() if actor is not None and authenticated else SYSTEM_ACTOR,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        region_code=region_code,
        changes=stored,
    )


def _mask_value(value: Any, kind: str | None) -> Any:
    if kind is None:
        return value
    if isinstance(value, list | tuple):
        return [mask(str(v), kind) if v else v for v in value]
    return mask(str(value), kind) if value else value


def field_changes(
    before: Mapping[str, Any], after: Mapping[str, Any], fields: Iterable[str]
) -> dict[str, list[Any]]:
    """`{field: [old, new]}` for the fields whose value differs."""
    return {
        f: [_jsonable(before.get(f)), _jsonable(after.get(f))]
        for f in fields
        if before.get(f) != after.get(f)
    }


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool | list | dict):
        return value
    return str(value)
