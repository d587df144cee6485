from django.core.management.base import BaseCommand, CommandError

from shoushan.core.errors import DomainError
from shoushan.regions.services import regions_load
from shoushan.regions.sources import BEIJING


class Command(BaseCommand):
    help = (
        "Load official divisions: Beijing (the default) to community level with urban-rural "
        "classes, points and district boundaries; any other province to township level. "
        "Loading the same files again does nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--province",
            action="append",
            default=[],
            help="A 2-digit province code (13: 河北省); repeat for several. Default: 11 (北京市).",
        )
        parser.add_argument("--force", action="store_true", help="Reload even if unchanged.")

    def handle(self, *args, province: list[str], force: bool, **options):
        for code in province or [BEIJING]:
            try:
                result = regions_load(province=code, force=force)
            except DomainError as e:
                raise CommandError(e.message) from None
            counts = ", ".join(f"{level} {n}" for level, n in result.by_level.items())
            if result.skipped:
                self.stdout.write(f"Regions of {result.province} already loaded ({counts}).")
            else:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"Loaded regions of {result.province}: {counts} "
                        f"({result.created} new, {result.updated} updated)."
                    )
                )
