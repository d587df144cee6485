"""History in monthly partitions (PostgreSQL): the tables are partitioned, a value unique across
months stays unique, a month that had no partition gets one with its rows, and an old month
leaves for a file. On SQLite the tables are plain and the command says so."""

import csv
import gzip
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from shoushan.audit.models import AuditRecord
from shoushan.core.partitions import partitions_list
from shoushan.core.tests.clock import moment
from shoushan.grid.models import Case, CaseEvent, HotlineMessage
from shoushan.grid.tests.helpers import report
from shoushan.platform.history import (
    HISTORY,
    history_archive,
    history_partitions,
    history_partitions_ensure,
)

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partitions are PostgreSQL's"
)


def _months(key: str) -> set[date | None]:
    return {p.month for p in history_partitions()[key]}


@postgresql_only
def test_every_history_table_is_partitioned_by_month(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid"
        )
        partitioned = {row[0] for row in cursor.fetchall()}
    assert partitioned >= {h.table for h in HISTORY.values()}
    assert all(None in months for months in map(_months, HISTORY))  # a default for each


@postgresql_only
def test_an_idempotency_key_and_a_token_stay_unique_across_months(demo_city, clock):
    clock.pin("2026-10-08 09:00")
    first, created = report(idempotency_key="retry-1")
    assert created
    clock.pin("2026-11-20 09:00")  # another month, another partition
    again, created = report(idempotency_key="retry-1")
    assert (again.pk, created) == (first.pk, False)
    second, _ = report()
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=second.pk).update(idempotency_key="retry-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=second.pk).update(token=first.token)
    # a case moved to another month keeps its key, and frees nothing on the way
    Case.objects.filter(pk=first.pk).update(reported_at=moment("2026-12-02 10:00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=second.pk).update(idempotency_key="retry-1")


@postgresql_only
def test_a_month_without_a_partition_gets_one_with_its_rows(demo_city, clock):
    clock.pin("2019-03-15 10:00")  # before any partition: the default takes it
    case, _ = report(idempotency_key="old-1")
    assert date(2019, 3, 1) not in _months("cases")
    clock.pin("2026-12-05 10:00")
    assert history_partitions_ensure() >= 2  # the case's month, for cases and their events
    assert date(2019, 3, 1) in _months("cases") and date(2019, 3, 1) in _months("case_events")
    assert Case.objects.get(pk=case.pk).idempotency_key == "old-1"
    assert CaseEvent.objects.filter(case_id=case.pk).exists()
    assert report(idempotency_key="old-1")[0].pk == case.pk  # still known, still unique
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=report()[0].pk).update(idempotency_key="old-1")


@postgresql_only
def test_an_old_month_leaves_for_a_file_and_is_audited(demo_city, clock, tmp_path):
    clock.pin("2019-03-15 10:00")
    old, _ = report(idempotency_key="old-2")
    clock.pin("2026-12-05 10:00")
    recent, _ = report()
    history_partitions_ensure()
    (archived,) = history_archive("cases", before=date(2019, 4, 1), folder=tmp_path)
    assert (archived.month, archived.rows) == (date(2019, 3, 1), 1)
    with gzip.open(archived.path, "rt", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [int(r["id"]) for r in rows] == [old.pk] and rows[0]["idempotency_key"] == "old-2"
    assert not Case.objects.filter(pk=old.pk).exists() and Case.objects.filter(pk=recent.pk)
    assert date(2019, 3, 1) not in _months("cases")
    assert AuditRecord.objects.filter(
        action="platform.partition_archive", object_repr="grid_case_p201903"
    ).exists()
    assert history_archive("cases", before=date(2019, 4, 1), folder=tmp_path) == []
    report(idempotency_key="old-2")  # the archived case's key is free again


@postgresql_only
def test_audit_months_leave_only_through_the_audit_archive(demo_city, clock, tmp_path):
    clock.pin("2019-03-15 10:00")
    report()  # audited in March 2019
    clock.pin("2026-12-05 10:00")
    history_partitions_ensure()
    with pytest.raises(ValueError, match="audit_archive"):
        history_archive("audit", before=date(2019, 4, 1), folder=tmp_path)
    assert AuditRecord.objects.filter(at__lt=moment("2019-04-01 00:00")).exists()


@postgresql_only
def test_hotline_messages_stay_unique_per_source_across_months(db):
    fields = {"source": "12345", "external_id": "A-1", "text": "噪声扰民"}
    HotlineMessage.objects.create(received_at=moment("2026-10-01 10:00"), **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        HotlineMessage.objects.create(received_at=moment("2026-11-01 10:00"), **fields)


@postgresql_only
def test_the_command_lists_and_refuses_a_wrong_month(db, capsys):
    call_command("partitions")
    listed = capsys.readouterr().out
    assert "grid_case_default" in listed and "audit_auditrecord" in listed
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("partitions", "archive", "cases", "--before", "March")
    with connection.cursor() as cursor:
        assert partitions_list(cursor, "grid_case")


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite keeps plain tables")
def test_on_sqlite_the_command_says_partitions_are_postgresqls(db):
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("partitions")
    assert history_partitions_ensure() == 0
