from django.core.management.base import BaseCommand

from shoushan.volunteers.services import star_ratings_take_effect


class Command(BaseCommand):
    help = (
        "Star ratings whose 5 working days of public listing are over take effect (unless "
        "revoked meanwhile). Run daily."
    )

    def handle(self, *args, **options):
        count = star_ratings_take_effect()
        self.stdout.write(f"{count} star ratings took effect.")
