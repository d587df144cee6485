"""Personal information on the way out: masked unless the viewer holds the permission, and
every unmasked read audited. Pages, API responses and exports all call `personal_values`."""

from collections.abc import Mapping, Sequence

from django.db import models, transaction

from shoushan.accounts.roles import VIEW_PERSONAL_INFORMATION
from shoushan.audit.services import audit_record
from shoushan.core.masking import mask


def can_view_personal_information(viewer) -> bool:
    return bool(getattr(viewer, "is_authenticated", False)) and viewer.has_perm(
        VIEW_PERSONAL_INFORMATION
    )


def personal_values(
    viewer,
    records: Sequence[models.Model],
    fields: Mapping[str, str],
    *,
    purpose: str,
    region_code_of=lambda record: getattr(record, "region_code", ""),
) -> list[dict[str, str]]:
    """For each record, {field: value} for the personal `fields` (field → masking kind).

    Unmasked values are returned only to a viewer with the permission, and then each record read
    is audited as `personal_information.view` with the purpose (page, api, export)."""
    if not can_view_personal_information(viewer):
        return [{f: mask(getattr(r, f), kind) for f, kind in fields.items()} for r in records]
    values = [{f: getattr(r, f) or "" for f in fields} for r in records]
    with transaction.atomic():
        for record, shown in zip(records, values, strict=True):
            revealed = sorted(f for f, v in shown.items() if v)
            if revealed:
                audit_record(
                    actor=viewer,
                    action="personal_information.view",
                    obj=record,
                    region_code=region_code_of(record),
                    changes={"fields": revealed, "purpose": purpose},
                )
    return values
