import hashlib
import os
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
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
        _static_files_collect()


STATIC_FINGERPRINT = ".shoushan-sources"


def _static_files_collect() -> None:
    """collectstatic, unless the static sources are the ones collected last time: compressing
    them all again takes most of a second start's time."""
    digest = hashlib.sha256()
    for finder in get_finders():
        for path, storage in sorted(finder.list([]), key=lambda item: item[0]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    static_root = Path(settings.STATIC_ROOT)
    fingerprint = static_root / STATIC_FINGERPRINT
    collected = (static_root / "staticfiles.json").is_file() and fingerprint.is_file()
    if collected and fingerprint.read_text() == digest.hexdigest():
        return
    call_command("collectstatic", interactive=False, verbosity=0)
    fingerprint.write_text(digest.hexdigest())
