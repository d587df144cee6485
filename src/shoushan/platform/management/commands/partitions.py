"""The history tables' monthly partitions on PostgreSQL: list them, make the coming months', and
archive old months (docs/operations.md, "History in monthly partitions")."""

from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from shoushan.platform.history import (
    HISTORY,
    NotPartitioned,
    history_archive,
    history_partitions,
    history_partitions_ensure,
)


def _month(text: str) -> date:
    try:
        return date.fromisoformat(f"{text}-01")
    except ValueError:
        raise CommandError(f"A month is written YYYY-MM, not {text!r}.") from None


class Command(BaseCommand):
    help = (
        "The monthly partitions of the history tables (PostgreSQL): `list` (the default) shows "
        "them with their rows; `ensure` makes this month's and the next three, and their own "
        "for months sitting in a default partition; `archive TABLE --before YYYY-MM` writes each "
        "month before that to a gzipped CSV in SHOUSHAN_HISTORY_ARCHIVE_DIR, then detaches and "
        "drops it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "action", nargs="?", default="list", choices=["list", "ensure", "archive"]
        )
        parser.add_argument("table", nargs="?", choices=sorted(HISTORY))
        parser.add_argument("--before", type=_month, help="archive the months before this one")
        parser.add_argument("--folder", default=str(settings.HISTORY_ARCHIVE_DIR))

    def handle(self, *args, action: str, table: str | None, before, folder: str, **options):
        try:
            if action == "ensure":
                self.stdout.write(f"Partitions made: {history_partitions_ensure()}")
            elif action == "archive":
                self._archive(table, before, Path(folder))
            else:
                self._list()
        except NotPartitioned as e:
            raise CommandError(str(e)) from None

    def _list(self) -> None:
        for key, partitions in history_partitions().items():
            self.stdout.write(f"{key} ({HISTORY[key].table}, by {HISTORY[key].column}):")
            for p in partitions:
                month = "default" if p.month is None else f"{p.month:%Y-%m}"
                self.stdout.write(f"  {month:<8} {p.name:<32} ~{p.rows:,} rows")

    def _archive(self, table: str | None, before: date | None, folder: Path) -> None:
        if table is None or before is None:
            raise CommandError("Name the table and the month: archive cases --before 2024-01.")
        try:
            done = history_archive(table, before=before, folder=folder)
        except ValueError as e:
            raise CommandError(str(e)) from None
        for a in done:
            self.stdout.write(f"{a.month:%Y-%m}: {a.rows:,} rows to {a.path} (SHA-256 {a.sha256})")
        if not done:
            self.stdout.write(f"No month of {table} before {before:%Y-%m} is left to archive.")
