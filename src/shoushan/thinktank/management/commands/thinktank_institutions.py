"""Load the research institutions of the Beijing Federation of Social Science Circles' lists
from SHOUSHAN_SHARED_DATA (its private research institutes and social-science societies)."""

from django.core.management.base import BaseCommand

from shoushan.thinktank.demo import LISTS, institutions_from_shared_data


class Command(BaseCommand):
    help = (
        "Load the research institutions of the federation of social sciences' lists from "
        "SHOUSHAN_SHARED_DATA/social_orgs (names only; institutions recorded already are kept)."
    )

    def handle(self, *args, **options):
        loaded = institutions_from_shared_data()
        files = ", ".join(path for path, _kind, _source in LISTS)
        self.stdout.write(f"{loaded} new research institutions from {files}.")
