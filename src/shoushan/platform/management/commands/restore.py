from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shoushan.platform.backup import BackupError, backup_check, backup_restore


class Command(BaseCommand):
    help = (
        "Check a backup made by `shoushan backup` and, with --yes, put its database and files in "
        "place of the live ones (stop the server and workers first). Every checksum is checked "
        "before anything changes; the replaced folders are kept beside the new ones."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", help="The .tar file (its .sha256 beside it is checked too).")
        parser.add_argument(
            "--yes", action="store_true", help="Replace the live data (without it: check only)."
        )

    def handle(self, *args, backup, yes, **options):
        try:
            if not yes:
                manifest = backup_check(Path(backup))
                self.stdout.write(
                    f"The backup is whole: {len(manifest['files'])} files, made "
                    f"{manifest['created_at']} on {manifest['engine']}. Add --yes to restore it."
                )
                return
            manifest = backup_restore(Path(backup))
        except BackupError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(self.style.SUCCESS(f"Restored the backup made {manifest['created_at']}."))
