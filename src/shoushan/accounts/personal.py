"""Personal information on the way out: masked unless the viewer holds the permission, and
every unmasked read audited. Pages, API responses and exports all call `personal_values`."""

from collections.abc import Mapping, Sequence

from django.db import models

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

    Unmasked values are returned only to a viewer with the permission, and then the reading is
    audited as `personal_information.view` with the purpose (page, api, export): one record per
    reading — of the one record read, or, for a list, naming every record it showed (`ids`) —
    so that who saw whose data can be answered without a page writing a record per row."""
    if not can_view_personal_information(viewer):
        return [{f: mask(getattr(r, f), kind) for f, kind in fields.items()} for r in records]
    values = [{f: getattr(r, f) or "" for f in fields} for r in records]
    shown = [
        (r, sorted(f for f, v in row.items() if v)) for r, row in zip(records, values, strict=True)
    ]
    shown = [(r, revealed) for r, revealed in shown if revealed]
    if len(shown) == 1:
        record, revealed = shown[0]
        audit_record(
            actor=viewer,
            action="personal_information.view",
            obj=record,
            region_code=region_code_of(record),
            changes={"fields": revealed, "purpose": purpose},
        )
    elif shown:
        first = shown[0][0]
        audit_record(
            actor=viewer,
            action="personal_information.view",
            object_type=first._meta.label_lower,
            object_repr=f"{len(shown)} × {first._meta.verbose_name}",
            region_code=_common_prefix_code([region_code_of(r) for r, _f in shown]),
            changes={
                "fields": sorted({f for _r, revealed in shown for f in revealed}),
                "purpose": purpose,
                "ids": [r.pk for r, _f in shown],
            },
        )
    return values


def _common_prefix_code(codes: list[str]) -> str:
    """The smallest region holding all the codes (their common prefix, padded to 12 digits), so
    that the reading is seen in the audit trail of whoever oversees them all."""
    codes = [c for c in codes if c]
    if not codes:
        return ""
    prefix = codes[0]
    for code in codes[1:]:
        while not code.startswith(prefix):
            prefix = prefix[:-1]
    return prefix.ljust(12, "0")[:12] if prefix else ""
