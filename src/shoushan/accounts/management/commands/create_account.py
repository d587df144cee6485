import getpass

from django.core.management.base import BaseCommand, CommandError

from shoushan.accounts.models import Role
from shoushan.accounts.services import user_create
from shoushan.core.errors import InvalidInput


class Command(BaseCommand):
    help = "Create an account (asks for the password). The first city administrator starts here."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument(
            "--scope", action="append", default=[], help="A region code; repeat for several."
        )
        parser.add_argument("--full-name", default="")
        parser.add_argument("--organization", default="")
        parser.add_argument("--phone", default="")

    def handle(self, *args, username, role, scope, full_name, organization, phone, **options):
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        try:
            user = user_create(
                actor=None,
                username=username,
                password=password,
                role=role,
                full_name=full_name,
                organization=organization,
                phone=phone,
                scope_codes=scope,
            )
        except InvalidInput as e:
            details = "; ".join(f"{k}: {v}" for k, v in (e.details or {}).items())
            raise CommandError(f"{e.message} {details}") from None
        self.stdout.write(self.style.SUCCESS(f"Created {user}."))
