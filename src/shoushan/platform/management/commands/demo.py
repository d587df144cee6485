from django.core.management.base import BaseCommand, CommandError

from shoushan.accounts.demo import DEMO_PASSWORD, demo_accounts_create
from shoushan.community.demo import community_demo_create
from shoushan.evaluation.demo import demo_datasets_create, demo_districts_create
from shoushan.grid.demo import (
    demo_city_create,
    demo_intake_create,
    demo_messages_load,
    demo_people_assign,
)
from shoushan.grid.intake.services import open311_key_create
from shoushan.grid.models import Open311Key
from shoushan.grid.registry.reference import units_load
from shoushan.regions.models import Region
from shoushan.volunteers.demo import demo_volunteers_create
from shoushan.workforce.demo import demo_city_wages_load, demo_workers_create

DEMO_OPEN311_KEY = "shoushan-demo-key"


class Command(BaseCommand):
    help = (
        "Create the demo: one account per role on real Beijing regions, generated community "
        "polygons and comprehensive grids, street offices, the Open311 key "
        f"{DEMO_OPEN311_KEY}, generated community profiles, facilities, community workers and "
        "volunteers in 东城区 and 西城区 and, where the public data is at hand, the month's "
        "messages, a request classifier with a 12345 batch it dispatched, and the provincial "
        "and district evaluations. "
        "Safe to run again: nothing is made twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--district",
            action="append",
            dest="districts",
            help="Generate the demo city only in this district (a region code); repeatable.",
        )
        parser.add_argument(
            "--no-intake",
            action="store_true",
            help="Train no request classifier and import no demo 12345 batch (the tests' demo).",
        )

    def handle(self, *args, districts: list[str] | None = None, no_intake: bool = False, **options):
        if not Region.objects.filter(code="110000000000").exists():
            raise CommandError("Load Beijing's divisions first: shoushan load_regions")
        results = demo_accounts_create()
        city = demo_city_create(district_codes=districts)
        units = units_load()
        demo_people_assign()
        if not Open311Key.objects.filter(name="demo").exists():
            open311_key_create(actor=None, name="demo", key=DEMO_OPEN311_KEY)
        hotline_messages = demo_messages_load()
        intake = {} if no_intake else demo_intake_create()
        community = community_demo_create()
        workers = demo_workers_create()
        demo_city_wages_load()
        volunteers = demo_volunteers_create()
        evaluations = demo_datasets_create() + demo_districts_create()
        if city["grids"]:
            self.stdout.write(
                f"Demo city: {city['grids']} comprehensive grids in {city['communities']} "
                f"generated community polygons; {units} responsible units added."
            )
        created = sum(1 for _account, new in results if new)
        self.stdout.write(f"Demo accounts ({created} new), password for all: {DEMO_PASSWORD}")
        for account, _new in results:
            scopes = ", ".join(account.scopes) or "—"
            self.stdout.write(f"  {account.username:<20} {account.role:<20} scope {scopes}")
        self.stdout.write(f"Open311 demo api_key: {DEMO_OPEN311_KEY}")
        if hotline_messages:
            self.stdout.write(f"12345 web messages for the month's problems: {hotline_messages}")
        if intake.get("orders"):
            self.stdout.write(
                f"12345 demo batch: {intake['orders']} raw messages located by address, "
                f"{intake['dispatched']} dispatched without a person, {intake['triage']} for "
                "manual triage (/grid/triage/)."
            )
        self.stdout.write(f"Community building: {community}")
        self.stdout.write(f"Community workers: {workers}; volunteers: {volunteers}")
        if evaluations:
            self.stdout.write(f"Evaluation: {evaluations} data sets (provinces and districts).")
