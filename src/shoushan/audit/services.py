"""The one writer of audit records. Every service calls `audit_record` inside its transaction,
so an audit row exists exactly when the write it describes committed. Each record is chained to
the one before it by a hash (等保 level 3's audit integrity): `audit_chain_verify` finds any
record changed, removed or slipped in."""

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC
from typing import Any

from django.db import models, transaction

from shoushan.audit.models import AuditChainHead, AuditRecord
from shoushan.core.bulk import insert_instances
from shoushan.core.masking import mask

SYSTEM_ACTOR = "system"


def audit_record(**fields: Any) -> AuditRecord:
    """Append one record (the fields are those of `audit_entry`)."""
    record = audit_entry(**fields)
    with transaction.atomic():
        _chain([record])
        record.save()
    return record


def audit_records(records: Iterable[AuditRecord]) -> None:
    """Append many records made by `audit_entry`, in one statement."""
    batch = list(records)
    if not batch:
        return
    with transaction.atomic():
        _chain(batch)
        insert_instances(batch)


def audit_record_hash(record: AuditRecord, previous_hash: str) -> str:
    """The hash of a record: its content, in a canonical form, after the previous record's."""
    content = json.dumps(
        [
            previous_hash,
            record.at.astimezone(UTC).isoformat(),
            record.actor_id,
            record.actor_name,
            record.action,
            record.object_type,
            record.object_id,
            record.object_repr,
            record.region_code,
            record.changes,
        ],
        sort_keys=True,
        ensure_ascii=False,
        default=str,
        separators=(",", ":"),
    )
    return hashlib.sha256(content.encode()).hexdigest()


def _chain(records: list[AuditRecord]) -> None:
    """Give the records their place at the end of the chain (the head row stays locked until the
    transaction ends, so concurrent writers take their turns)."""
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(id=1)
    previous = head.last_hash
    for record in records:
        record.previous_hash = previous
        record.hash = previous = audit_record_hash(record, previous)
    AuditChainHead.objects.filter(id=1).update(last_hash=previous)


def audit_chain_problems(*, start_hash: str = "") -> Iterator[str]:
    """Every break in the chain, oldest first: a record whose content no longer gives its hash
    (changed), or whose previous hash is not the hash of the record before it (one removed or
    slipped in). The chain starts at `start_hash` (the last archived record's, or nothing)."""
    expected = start_hash
    rows = AuditRecord.objects.order_by("id").iterator(chunk_size=5000)
    for record in rows:
        if record.previous_hash != expected:
            yield (
                f"record {record.pk} ({record.at:%Y-%m-%d %H:%M:%S} {record.action}) does not "
                "follow the record before it: a record was removed or inserted before it"
            )
        if audit_record_hash(record, record.previous_hash) != record.hash:
            yield (
                f"record {record.pk} ({record.at:%Y-%m-%d %H:%M:%S} {record.action}) was changed "
                "after it was written"
            )
        expected = record.hash
    head = AuditChainHead.objects.filter(id=1).values_list("last_hash", flat=True).first()
    if head is not None and head != expected:
        yield "the newest records were removed: the chain's head names a record that is not there"


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
