from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from shoushan.platform.backup import BackupError, backup_write


class Command(BaseCommand):
    help = (
        "Back up the database (a consistent snapshot, while the service runs), the case photos "
        "and job files, and the audit archives into one checksummed tar file."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--to",
            default=str(settings.BACKUP_DIR),
            help="The folder to write into (default: SHOUSHAN_BACKUP_DIR, var/backups).",
        )

    def handle(self, *args, to, **options):
        try:
            summary = backup_write(Path(to))
        except BackupError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary.path} ({summary.size / 1e6:.1f} MB, {summary.files} files, "
                f"{summary.engine}), SHA-256 {summary.sha256}"
            )
        )
