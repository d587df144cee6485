"""History tables partitioned by month on PostgreSQL (declarative range partitioning).

A history table (cases, case events, audit records, hotline messages) grows by millions of rows
a year. Partitioned by the month of a timestamp column, a month's ranking reads one partition,
and an old month leaves as a whole: detached, written to a file, dropped — no long DELETE.

PostgreSQL asks three things of a partitioned table, and this module answers them:

- its primary key includes the partition column: the key becomes (id, column); ids still come
  from one sequence, so `id` alone stays unique in practice and Django keeps using it;
- so does every unique constraint: a value that must be unique across all months (a case's
  Open311 token, an idempotency key) is kept in a small side table with its own primary key,
  filled by a trigger in the same transaction, so a duplicate still fails the insert with a
  unique violation (Django's IntegrityError), as the lost unique index did;
- no foreign key may point at it (it would need a unique key on the referenced column alone):
  the foreign keys into a history table stay in Django, which cascades and protects in Python,
  and are dropped in the database.

Months are months of Beijing time (settings.TIME_ZONE), as in the ranking. A default partition
takes any row whose month has no partition yet (an import of old messages, a clock far ahead),
so no insert ever fails for want of one; `partitions_ensure` then gives such months their own,
moving the rows across. SQLite has none of this: the same tables stay plain there.
"""

import csv
import gzip
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings


@dataclass(frozen=True)
class History:
    """A table kept in monthly partitions: its name, its partition column, and the column sets
    that must stay unique across every month."""

    table: str
    column: str
    unique: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Partition:
    name: str
    month: date | None  # None: the default partition
    rows: int  # PostgreSQL's estimate (exact after ANALYZE)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def month_start(month: date) -> datetime:
    return datetime.combine(month.replace(day=1), time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def partition_name(table: str, month: date | None) -> str:
    return f"{table}_default" if month is None else f"{table}_p{month:%Y%m}"


def _side_table(table: str, columns: tuple[str, ...]) -> str:
    return f"{table}_unique_{'_'.join(columns)}"[:63]


def is_partitioned(cursor, table: str) -> bool:
    cursor.execute(
        "SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s)", [_q(table)]
    )
    return cursor.fetchone() is not None


def partition_convert(cursor, history: History) -> None:
    """Make `history.table` a table partitioned by month of `history.column`, keeping its rows,
    columns, defaults, checks, indexes, outgoing foreign keys and triggers (in one transaction:
    the caller's). Does nothing to a table already partitioned."""
    table, column = history.table, history.column
    if is_partitioned(cursor, table):
        return
    old = f"{table}__unpartitioned"
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(i.oid), x.indisprimary, x.indisunique, "
        "ARRAY(SELECT a.attname FROM unnest(x.indkey) WITH ORDINALITY k(n, o) "
        "JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.n ORDER BY k.o) "
        "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "WHERE x.indrelid = to_regclass(%s)",
        [_q(table)],
    )
    indexes = cursor.fetchall()
    for name, _definition, primary, unique, columns in indexes:
        if unique and not primary and tuple(columns) not in history.unique:
            raise ValueError(f"{table}: the unique index {name} {columns} is not in its History")
    cursor.execute(
        "SELECT conname, conrelid::regclass::text, confrelid = conrelid, pg_get_constraintdef(oid) "
        "FROM pg_constraint WHERE contype = 'f' "
        "AND (conrelid = to_regclass(%s) OR confrelid = to_regclass(%s))",
        [_q(table), _q(table)],
    )
    foreign_keys = cursor.fetchall()
    cursor.execute(
        "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger "
        "WHERE tgrelid = to_regclass(%s) AND NOT tgisinternal",
        [_q(table)],
    )
    triggers = cursor.fetchall()
    cursor.execute("SELECT min(" + _q(column) + "), max(" + _q(column) + ") FROM " + _q(table))
    first, last = cursor.fetchone()

    # Foreign keys into the table go (see the module's note), then the table moves aside.
    for name, owner, _self, _definition in foreign_keys:
        cursor.execute(f"ALTER TABLE {owner} DROP CONSTRAINT {_q(name)}")
    cursor.execute(f"ALTER TABLE {_q(table)} RENAME TO {_q(old)}")
    cursor.execute(
        f"CREATE TABLE {_q(table)} (LIKE {_q(old)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
        f"INCLUDING IDENTITY INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMMENTS) "
        f"PARTITION BY RANGE ({_q(column)})"
    )
    cursor.execute(
        f"CREATE TABLE {_q(partition_name(table, None))} PARTITION OF {_q(table)} DEFAULT"
    )
    months = _months_between(first, last) if first is not None else []
    for month in months:
        _partition_create(cursor, table, month)
    cursor.execute(f"INSERT INTO {_q(table)} SELECT * FROM {_q(old)}")
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "
        f"(SELECT coalesce(max(id), 0) + 1 FROM {_q(table)}), false)",
        [table],
    )
    cursor.execute(f"DROP TABLE {_q(old)}")

    for name, definition, primary, unique, _columns in indexes:
        if primary:
            cursor.execute(
                f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} PRIMARY KEY (id, {_q(column)})"
            )
        elif not unique:  # the unique ones are kept by side tables, below
            cursor.execute(definition)  # it names the table, which is now the partitioned one
    for name, owner, own, definition in foreign_keys:
        if owner.strip('"') == table and not own:  # outgoing: a partitioned table may have them
            cursor.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} {definition}")
    for _name, definition in triggers:
        cursor.execute(definition)
    for columns in history.unique:
        _unique_across_months(cursor, table, columns)


def _unique_across_months(cursor, table: str, columns: tuple[str, ...]) -> None:
    """`columns` unique over every partition: a side table keyed by them, kept by triggers (a
    row whose columns hold a NULL is not constrained, as with a unique index)."""
    side = _side_table(table, columns)
    function = f"{side}_keep"[:63]
    names = ", ".join(_q(c) for c in columns)
    new = ", ".join(f"NEW.{_q(c)}" for c in columns)
    old_match = " AND ".join(f"{_q(c)} = OLD.{_q(c)}" for c in columns)
    new_given = " AND ".join(f"NEW.{_q(c)} IS NOT NULL" for c in columns)
    cursor.execute(f"CREATE TABLE {_q(side)} AS SELECT {names} FROM {_q(table)} WITH NO DATA")
    cursor.execute(f"ALTER TABLE {_q(side)} ADD PRIMARY KEY ({names})")
    cursor.execute(
        f"INSERT INTO {_q(side)} SELECT {names} FROM {_q(table)} "
        f"WHERE {' AND '.join(f'{_q(c)} IS NOT NULL' for c in columns)}"
    )
    # A row moved to another month is a DELETE and an INSERT for these triggers.
    cursor.execute(
        f"""CREATE FUNCTION {_q(function)}() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        TRUNCATE {_q(side)};
        RETURN NULL;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        DELETE FROM {_q(side)} WHERE {old_match};
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND {new_given} THEN
        INSERT INTO {_q(side)} VALUES ({new});
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql"""
    )
    cursor.execute(
        f"CREATE TRIGGER {_q(function)} AFTER INSERT OR DELETE OR UPDATE OF {names} "
        f"ON {_q(table)} FOR EACH ROW EXECUTE FUNCTION {_q(function)}()"
    )
    cursor.execute(
        f"CREATE TRIGGER {_q(function + '_t')} AFTER TRUNCATE ON {_q(table)} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {_q(function)}()"
    )


def _months_between(first: datetime, last: datetime) -> list[date]:
    zone = ZoneInfo(settings.TIME_ZONE)
    month = first.astimezone(zone).date().replace(day=1)
    end = last.astimezone(zone).date().replace(day=1)
    months = []
    while month <= end:
        months.append(month)
        month = next_month(month)
    return months


def _partition_create(cursor, table: str, month: date) -> None:
    cursor.execute(
        f"CREATE TABLE {_q(partition_name(table, month))} PARTITION OF {_q(table)} "
        f"FOR VALUES FROM (%s) TO (%s)",
        [month_start(month), month_start(next_month(month))],
    )


def partitions_list(cursor, table: str) -> list[Partition]:
    cursor.execute(
        "SELECT c.relname, c.reltuples::bigint FROM pg_inherits i "
        "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(%s) "
        "ORDER BY c.relname",
        [_q(table)],
    )
    out = []
    for name, rows in cursor.fetchall():
        suffix = name.removeprefix(f"{table}_")
        month = None if suffix == "default" else date(int(suffix[1:5]), int(suffix[5:7]), 1)
        out.append(Partition(name, month, max(rows, 0)))
    return sorted(out, key=lambda p: (p.month is None, p.month or date.min))


def partitions_ensure(cursor, history: History, months: Iterable[date]) -> list[date]:
    """Give each of `months`, and every month that has rows in the default partition, its own
    partition (moving those rows across); the months made."""
    table, column = history.table, history.column
    have = {p.month for p in partitions_list(cursor, table)}
    default = partition_name(table, None)
    cursor.execute(
        f"SELECT DISTINCT date_trunc('month', {_q(column)} AT TIME ZONE %s)::date "
        f"FROM {_q(default)}",
        [settings.TIME_ZONE],
    )
    stranded = {row[0] for row in cursor.fetchall()}
    made = []
    for month in sorted(({m.replace(day=1) for m in months} | stranded) - have):
        if month in stranded:
            _partition_from_default(cursor, history, month)
        else:
            _partition_create(cursor, table, month)
        made.append(month)
    return made


def _partition_from_default(cursor, history: History, month: date) -> None:
    """A month whose rows sit in the default partition gets its own, with those rows. PostgreSQL
    will not attach it while the default holds them, so they are copied out, deleted from the
    default (the side tables' triggers remove their keys; the audit table's own trigger allows
    it under `shoushan.audit_archive`), attached, and their keys put back."""
    table, column = history.table, history.column
    name, default = partition_name(table, month), partition_name(table, None)
    bounds = [month_start(month), month_start(next_month(month))]
    within = f"{_q(column)} >= %s AND {_q(column)} < %s"
    cursor.execute(
        f"CREATE TABLE {_q(name)} (LIKE {_q(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
    )
    cursor.execute(f"INSERT INTO {_q(name)} SELECT * FROM {_q(default)} WHERE {within}", bounds)
    cursor.execute("SET LOCAL shoushan.audit_archive = 'on'")
    cursor.execute(f"DELETE FROM {_q(default)} WHERE {within}", bounds)
    cursor.execute(
        f"ALTER TABLE {_q(table)} ATTACH PARTITION {_q(name)} FOR VALUES FROM (%s) TO (%s)", bounds
    )
    for columns in history.unique:
        names = ", ".join(_q(c) for c in columns)
        cursor.execute(
            f"INSERT INTO {_q(_side_table(table, columns))} SELECT {names} FROM {_q(name)} "
            f"WHERE {' AND '.join(f'{_q(c)} IS NOT NULL' for c in columns)}"
        )


def partition_archive(cursor, history: History, month: date, folder: Path) -> tuple[Path, int, str]:
    """Write a month's partition to a gzipped CSV (with a header), then detach and drop it:
    (file, rows, SHA-256 of the file). The file is written and read back before anything is
    dropped; `COPY … FROM` (or psql's \\copy) loads it again."""
    table = history.table
    name = partition_name(table, month)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.csv.gz"
    partial = path.with_suffix(".gz.partial")
    with (
        gzip.open(partial, "wb") as out,
        cursor.cursor.copy(f"COPY {_q(name)} TO STDOUT WITH (FORMAT csv, HEADER)") as copy,
    ):
        for chunk in copy:
            out.write(chunk)
    with gzip.open(partial, "rt", encoding="utf-8", newline="") as back:
        written = sum(1 for _row in csv.reader(back)) - 1
    cursor.execute(f"SELECT count(*) FROM {_q(name)}")
    rows = cursor.fetchone()[0]
    if written != rows:
        partial.unlink()
        raise ValueError(f"{name}: {written} rows read back of {rows}; nothing was dropped")
    partial.rename(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    cursor.execute("SET LOCAL shoushan.audit_archive = 'on'")
    for columns in history.unique:
        names = ", ".join(_q(c) for c in columns)
        cursor.execute(
            f"DELETE FROM {_q(_side_table(table, columns))} WHERE ({names}) IN "
            f"(SELECT {names} FROM {_q(name)})"
        )
    cursor.execute(f"ALTER TABLE {_q(table)} DETACH PARTITION {_q(name)}")
    cursor.execute(f"DROP TABLE {_q(name)}")
    return path, rows, digest
