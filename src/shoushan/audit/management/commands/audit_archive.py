import gzip
import hashlib
import json
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from shoushan.audit.models import AuditArchive, AuditRecord


class Command(BaseCommand):
    help = (
        "Archive, then remove from the table, the audit records older than the retention period "
        "(SHOUSHAN_AUDIT_RETENTION_DAYS, at least 180 days as the Cybersecurity Law asks): they "
        "are written to a gzipped JSON-lines file with its SHA-256, the chain continuing from "
        "the last of them. Nothing is removed unless the file is written and read back."
    )

    def add_arguments(self, parser):
        parser.add_argument("--folder", default=str(settings.AUDIT_ARCHIVE_DIR))

    def handle(self, *args, folder: str, **options):
        days = settings.AUDIT_RETENTION_DAYS
        if days < settings.AUDIT_RETENTION_MINIMUM_DAYS:
            raise CommandError(
                f"The retention is {days} days; keep audit records at least "
                f"{settings.AUDIT_RETENTION_MINIMUM_DAYS} days."
            )
        cutoff = timezone.now() - timedelta(days=days)
        old = AuditRecord.objects.filter(at__lt=cutoff).order_by("id")
        count = old.count()
        if not count:
            self.stdout.write("Nothing is older than the retention period.")
            return
        # the newest archived record is the last of the chain's oldest stretch: archive up to it
        last = old.last()
        stretch = AuditRecord.objects.filter(id__lte=last.pk).order_by("id")
        target = Path(folder)
        target.mkdir(parents=True, exist_ok=True)
        path = target / f"audit-{timezone.localtime():%Y%m%d-%H%M%S}.jsonl.gz"
        with gzip.open(path, "wt", encoding="utf-8") as out:
            for record in stretch.iterator(chunk_size=5000):
                out.write(json.dumps(_row(record), ensure_ascii=False, default=str) + "\n")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        with gzip.open(path, "rt", encoding="utf-8") as back:
            if sum(1 for _line in back) != stretch.count():
                path.unlink()
                raise CommandError("The archive did not read back whole; nothing was removed.")
        with transaction.atomic():
            if connection.vendor == "postgresql":  # the table refuses deletes otherwise
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL shoushan.audit_archive = 'on'")
            removed = stretch.count()
            AuditArchive.objects.create(
                path=str(path),
                sha256=digest,
                records=removed,
                up_to=last.at,
                last_hash=last.hash,
            )
            stretch._raw_delete(stretch.db)  # no signals, no cascade: a plain DELETE
        self.stdout.write(f"Archived {removed} records to {path} (SHA-256 {digest}).")


def _row(record: AuditRecord) -> dict:
    return {
        "id": record.pk,
        "at": record.at.isoformat(),
        "actor_id": record.actor_id,
        "actor_name": record.actor_name,
        "action": record.action,
        "object_type": record.object_type,
        "object_id": record.object_id,
        "object_repr": record.object_repr,
        "region_code": record.region_code,
        "changes": record.changes,
        "previous_hash": record.previous_hash,
        "hash": record.hash,
    }
