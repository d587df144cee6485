from django.core.management.base import BaseCommand, CommandError

from shoushan.accounts.models import User
from shoushan.accounts.services import two_factor_reset


class Command(BaseCommand):
    help = (
        "Remove an account's second factor (its phone was lost); it signs in with the password "
        "alone until it sets up a new one, which its role may require at once. Audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user_id = User.objects.filter(username=username).values_list("pk", flat=True).first()
        if user_id is None:
            raise CommandError(f"No account {username!r}.")
        two_factor_reset(actor=None, user_id=user_id)
        self.stdout.write(self.style.SUCCESS(f"The second factor of {username} is removed."))
