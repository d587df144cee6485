from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from shoushan.core.errors import InvalidInput
from shoushan.evaluation.services import district_dataset_create


class Command(BaseCommand):
    help = (
        "Build the index of Beijing's districts for --year from the 2020 census and the "
        "platform's records of that year, stored as a data set (see /evaluation/)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", required=True, type=int, help="the year of the records")

    def handle(self, *args, year: int, **options) -> None:
        try:
            dataset = district_dataset_create(actor=None, year=year)
        except InvalidInput as error:
            raise CommandError(error.message) from None
        self.stdout.write(
            _("Data set “%(name)s” stored: /evaluation/%(pk)d/")
            % {"name": dataset.name, "pk": dataset.pk}
        )
        if dataset.note:
            self.stdout.write(dataset.note)
