"""The audit trail cannot be rewritten unseen: each record is chained to the one before it by a
hash, and on PostgreSQL the table itself refuses to change or lose a record."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from shoushan.audit.models import AuditRecord
from shoushan.audit.services import audit_record


def _three():
    return [
        audit_record(actor=None, action="test.chain", object_repr=f"record {i}") for i in range(3)
    ]


def test_a_whole_chain_verifies(beijing):
    _three()
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert "whole" in out.getvalue()


@pytest.mark.skipif(connection.vendor == "postgresql", reason="PostgreSQL refuses the change")
def test_a_changed_record_is_found(beijing):
    first, _second, _third = _three()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditrecord SET object_repr = 'rewritten' WHERE id = %s", [first.pk]
        )
    with pytest.raises(CommandError, match="broken"):
        call_command("audit_verify", stdout=StringIO(), stderr=(err := StringIO()))
    assert f"record {first.pk}" in err.getvalue() and "changed" in err.getvalue()


@pytest.mark.skipif(connection.vendor == "postgresql", reason="PostgreSQL refuses the change")
def test_a_removed_record_is_found(beijing):
    _first, second, third = _three()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditrecord WHERE id = %s", [second.pk])
    with pytest.raises(CommandError):
        call_command("audit_verify", stdout=StringIO(), stderr=(err := StringIO()))
    assert f"record {third.pk}" in err.getvalue() and "removed" in err.getvalue()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL trigger")
def test_postgresql_refuses_to_change_or_remove_a_record(beijing):
    record = audit_record(actor=None, action="test.chain", object_repr="kept")
    for statement in (
        "UPDATE audit_auditrecord SET object_repr = 'rewritten' WHERE id = %s",
        "DELETE FROM audit_auditrecord WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [record.pk])
    assert AuditRecord.objects.get(pk=record.pk).object_repr == "kept"


def test_records_not_written_through_the_chain_are_refused(beijing):
    with pytest.raises(ValueError, match="chain"):
        AuditRecord(actor_name="x", action="test.chain").save()


def test_old_records_are_archived_to_a_checked_file_and_the_chain_goes_on(
    beijing, clock, settings, tmp_path
):
    import gzip
    import hashlib
    import json

    from shoushan.audit.models import AuditArchive

    settings.AUDIT_RETENTION_DAYS = 180
    clock.pin("2025-01-10 09:00")
    old = _three()
    clock.pin("2026-11-26 09:00")
    recent = audit_record(actor=None, action="test.chain", object_repr="recent")
    call_command("audit_archive", folder=str(tmp_path), stdout=StringIO())
    archive = AuditArchive.objects.get()
    assert not AuditRecord.objects.filter(pk__in=[r.pk for r in old]).exists()
    assert AuditRecord.objects.filter(pk=recent.pk).exists()
    from pathlib import Path

    content = Path(archive.path).read_bytes()
    assert hashlib.sha256(content).hexdigest() == archive.sha256
    with gzip.open(archive.path, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    assert [r["object_repr"] for r in rows][-3:] == ["record 0", "record 1", "record 2"]
    call_command("audit_verify", stdout=StringIO())  # the chain continues from the archive


def test_a_retention_under_six_months_is_refused(beijing, settings, tmp_path):
    settings.AUDIT_RETENTION_DAYS = 30
    with pytest.raises(CommandError, match="180"):
        call_command("audit_archive", folder=str(tmp_path), stdout=StringIO())


def test_refusals_and_exports_are_audited(login):
    client = login("street_staff")
    assert client.get("/grid/layers/unit.geojson").status_code == 200
    assert AuditRecord.objects.filter(action="data.export", actor_name="street_staff").exists()
    grid_worker = login("grid_worker")
    assert grid_worker.get("/community/").status_code == 403
    denied = AuditRecord.objects.filter(action="access.denied", actor_name="grid_worker").get()
    assert denied.changes["path"] == "/community/"


def test_the_audit_trail_cannot_be_written_to_over_http(login):
    client = login("city_admin")
    record = audit_record(actor=None, action="test.chain", object_repr="kept")
    for method in ("put", "patch", "delete"):
        assert getattr(client, method)(f"/audit/{record.pk}/").status_code == 405
