from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shoushan.core.errors import DomainError
from shoushan.purchasing.catalogue import catalogue_rows, shared_catalogue
from shoushan.purchasing.services import catalogue_load


class Command(BaseCommand):
    help = (
        "Load the guiding catalogue of purchased services from a CSV with the published columns "
        "(代码, 一级目录, 二级目录, 三级目录, 备注); without a file, Beijing's 2022 catalogue from "
        "SHOUSHAN_SHARED_DATA."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="the catalogue as CSV (UTF-8 or GB18030)")

    def handle(self, *args, file: str | None = None, **options):
        path = Path(file) if file else shared_catalogue()
        if path is None:
            raise CommandError(
                "Beijing's catalogue is not shipped (its copy has no licence) and "
                "SHOUSHAN_SHARED_DATA does not hold social_orgs/bj_gpsc_catalogue_2022.csv: "
                "give the catalogue's CSV file."
            )
        try:
            counts = catalogue_load(actor=None, rows=catalogue_rows(path.read_bytes()))
        except DomainError as e:
            raise CommandError(f"{e.message} {e.details}") from e
        self.stdout.write(f"Catalogue loaded from {path.name}: {counts}")
