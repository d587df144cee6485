from django.core.management import call_command
from django.core.management.base import BaseCommand

from shoushan.grid.registry.reference import categories_load, units_load, working_calendar_load


class Command(BaseCommand):
    help = (
        "Bring a database up to date in one process: migrate (and create the cache table), load "
        "Beijing's divisions, the case catalogue, the working calendar and the responsible units "
        "they imply, collect static files, "
        "and with --demo create the demo (`shoushan demo`). Each step does nothing when there is "
        "nothing to do."
    )

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="Also create the demo accounts.")

    def handle(self, *args, demo: bool, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        call_command("load_regions", stdout=self.stdout)
        categories_load()
        working_calendar_load()
        units_load()
        if demo:
            call_command("demo", stdout=self.stdout)
        call_command("collectstatic", interactive=False, verbosity=0)
