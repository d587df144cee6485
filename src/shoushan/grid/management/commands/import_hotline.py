from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shoushan.core.errors import InvalidInput
from shoushan.grid.intake.hotline import hotline_orders_import, hotline_rows_read


class Command(BaseCommand):
    help = (
        "Import a CSV or xlsx file of 12345 work orders; a file with any bad row imports nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            result = hotline_orders_import(
                actor=None, rows=hotline_rows_read(file.name, file.read_bytes())
            )
        except InvalidInput as e:
            for problem in (e.details or [])[:50]:
                self.stderr.write(
                    f"  row {problem['row']} {problem['column']}: {problem['reason']}"
                )
            raise CommandError(e.message) from None
        self.stdout.write(self.style.SUCCESS(f"Imported {result.created} work orders."))
        self.stdout.write(f"Placed by their address: {result.located_by_address}.")
        if result.classified:
            self.stdout.write(
                f"Classified: {result.classified}; dispatched without a person: "
                f"{result.dispatched}; waiting for manual triage: {result.triage}."
            )
