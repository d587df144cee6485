from django.core.management.base import BaseCommand, CommandError

from shoushan.accounts.demo import DEMO_PASSWORD, demo_accounts_create
from shoushan.regions.models import Region


class Command(BaseCommand):
    help = "Create the demo accounts (one per role, on real Beijing regions); safe to run again."

    def handle(self, *args, **options):
        if not Region.objects.filter(code="110000000000").exists():
            raise CommandError("Load Beijing's divisions first: shoushan load_regions")
        results = demo_accounts_create()
        created = sum(1 for _account, new in results if new)
        self.stdout.write(f"Demo accounts ({created} new), password for all: {DEMO_PASSWORD}")
        for account, _new in results:
            scopes = ", ".join(account.scopes) or "—"
            self.stdout.write(f"  {account.username:<20} {account.role:<20} scope {scopes}")
