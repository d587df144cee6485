from django.core.management.base import BaseCommand

from shoushan.party.services import units_refresh


class Command(BaseCommand):
    help = (
        "Give every street, community, social organisation and commercial building its "
        "party-building unit and bring the units up to date after bulk loads. Run hourly."
    )

    def handle(self, *args, **options):
        count = units_refresh()
        self.stdout.write(f"{count} party-building units made or changed.")
