"""Fast inserts for imports of many rows.

`bulk_create` spends most of its time building SQL and preparing each value through its field.
On PostgreSQL the rows go in with COPY; elsewhere the statement is built once and `executemany`
sends the rows, with only the values that need it (times, JSON) prepared by their field. Use it
inside a transaction, like bulk_create."""

import json
from collections.abc import Sequence

from django.db import connections, models, router

CHUNK = 5000


def insert_many(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence]) -> None:
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    prepare = [
        (lambda v, f=f: f.get_db_prep_save(v, connection))
        if isinstance(f, models.DateTimeField | models.JSONField)
        else None
        for f in columns
    ]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        connection.ops.quote_name(meta.db_table),
        ", ".join(connection.ops.quote_name(f.column) for f in columns),
        ", ".join(["%s"] * len(columns)),
    )
    if connection.vendor == "postgresql":
        _copy(connection, meta.db_table, columns, rows)
        return
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            cursor.executemany(
                sql,
                [
                    tuple(p(v) if p else v for p, v in zip(prepare, row, strict=True))
                    for row in rows[start : start + CHUNK]
                ],
            )


def insert_instances(instances: Sequence[models.Model]) -> None:
    """Insert unsaved instances of one model (their ids are not read back), every field but the
    auto id."""
    if not instances:
        return
    model = type(instances[0])
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]
    insert_many(
        model,
        [f.name for f in fields],
        [tuple(getattr(i, f.attname) for f in fields) for i in instances],
    )


def _copy(connection, table: str, columns, rows) -> None:
    """PostgreSQL's COPY: the fastest way in, by far."""
    quote = connection.ops.quote_name
    statement = f"COPY {quote(table)} ({', '.join(quote(f.column) for f in columns)}) FROM STDIN"
    as_json = [isinstance(f, models.JSONField) for f in columns]
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(
                [
                    json.dumps(v, ensure_ascii=False) if j else v
                    for j, v in zip(as_json, row, strict=True)
                ]
            )
