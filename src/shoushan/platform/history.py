"""Which tables are history, kept in monthly partitions on PostgreSQL (shoushan.core.partitions),
and the work on them: partitions made ahead (a periodic job), listed, and old months archived."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from shoushan.audit.services import audit_record
from shoushan.core.partitions import (
    History,
    Partition,
    next_month,
    partition_archive,
    partitions_ensure,
    partitions_list,
)

HISTORY = {
    "cases": History("grid_case", "reported_at", (("idempotency_key",), ("token",))),
    "case_events": History("grid_caseevent", "at"),
    "audit": History("audit_auditrecord", "at"),
    "hotline": History("grid_hotlinemessage", "received_at", (("source", "external_id"),)),
}
MONTHS_AHEAD = 3  # partitions exist this many months ahead, so inserts never meet the default


class NotPartitioned(Exception):
    """This database keeps no partitions (SQLite)."""


@dataclass(frozen=True)
class Archived:
    table: str
    month: date
    path: Path
    rows: int
    sha256: str


def _require_postgresql() -> None:
    if connection.vendor != "postgresql":
        raise NotPartitioned("Only PostgreSQL keeps history in monthly partitions.")


def months_around(today: date) -> list[date]:
    month, months = today.replace(day=1), []
    for _ in range(MONTHS_AHEAD + 1):
        months.append(month)
        month = next_month(month)
    return months


def history_partitions_ensure() -> int:
    """This month's partitions and the next MONTHS_AHEAD', and their own for months stranded in a
    default partition: how many were made (run daily by run_periodic; nothing on SQLite)."""
    if connection.vendor != "postgresql":
        return 0
    months = months_around(timezone.localdate())
    made = 0
    for history in HISTORY.values():
        with transaction.atomic(), connection.cursor() as cursor:
            made += len(partitions_ensure(cursor, history, months))
    return made


def history_partitions() -> dict[str, list[Partition]]:
    _require_postgresql()
    with connection.cursor() as cursor:
        return {key: partitions_list(cursor, h.table) for key, h in HISTORY.items()}


def history_archive(key: str, *, before: date, folder: Path) -> list[Archived]:
    """Every monthly partition of `key` wholly before the month `before`: written to a file in
    `folder`, then detached and dropped, each in its own transaction and audited. The audit
    trail's months leave only once empty: `shoushan audit_archive` writes their records first
    and keeps the chain, which a plain copy of the table would break."""
    _require_postgresql()
    history = HISTORY[key]
    done = []
    for partition in history_partitions()[key]:
        if partition.month is None or partition.month >= before.replace(day=1):
            continue
        with transaction.atomic(), connection.cursor() as cursor:
            if key == "audit":
                cursor.execute(f'SELECT 1 FROM "{partition.name}" LIMIT 1')
                if cursor.fetchone():
                    raise ValueError(
                        f"{partition.name} still holds audit records: run `shoushan "
                        "audit_archive` first, which writes them and keeps the chain."
                    )
            path, rows, digest = partition_archive(cursor, history, partition.month, folder)
            audit_record(
                actor=None,
                action="platform.partition_archive",
                object_type="platform.partition",
                object_repr=partition.name,
                changes={"file": path.name, "rows": rows, "sha256": digest},
            )
        done.append(Archived(key, partition.month, path, rows, digest))
    return done
