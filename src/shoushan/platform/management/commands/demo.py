from django.core.management.base import BaseCommand, CommandError

from shoushan.accounts.demo import DEMO_PASSWORD, demo_accounts_create
from shoushan.cockpit.demo import demo_cockpit_create
from shoushan.community.demo import community_demo_create
from shoushan.evaluation.demo import demo_datasets_create, demo_districts_create
from shoushan.grid.demo import (
    demo_city_create,
    demo_intake_create,
    demo_messages_load,
    demo_people_assign,
)
from shoushan.grid.demo_cases import demo_cases_create
from shoushan.grid.intake.services import open311_key_create
from shoushan.grid.models import Open311Key
from shoushan.grid.registry.reference import units_load
from shoushan.organizations.demo import demo_organizations_create
from shoushan.party.demo import demo_party_create
from shoushan.purchasing.demo import demo_purchasing_create
from shoushan.purchasing.models import CatalogueItem
from shoushan.regions.models import Level, Region
from shoushan.thinktank.demo import demo_thinktank_create
from shoushan.volunteers.demo import demo_volunteers_create
from shoushan.workforce.demo import (
    demo_city_wages_load,
    demo_staff_counts,
    demo_workers_create,
)

DEMO_OPEN311_KEY = "shoushan-demo-key"


class Command(BaseCommand):
    help = (
        "Create the demo city on Beijing's real divisions, every generated record marked: one "
        "account per role, community polygons and comprehensive grids, street offices, the "
        f"Open311 key {DEMO_OPEN311_KEY}, community profiles, checklists and facilities, "
        "community workers, volunteers and their activities, social organisations with their "
        "inspections, hubs, incubators and building workstations, party organisations over them "
        "and over generated non-public enterprises, with instructors and alliances, the city's "
        "special fund for purchased services with its envelopes (and, with Beijing's guiding "
        "catalogue from the shared data, calls, awards, contracts and payments), months of "
        "cases in every street, "
        "an intake model trained on text generated from the case catalogue with a 12345 batch "
        "it dispatched, and the provincial and district evaluations; where the shared data is "
        "at hand, also the month's 12345 web messages and Beijing's published lists of social "
        "organisations. Safe to run again: nothing is made twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--district",
            action="append",
            dest="districts",
            help="Generate the demo only in this district (a region code); repeatable. "
            "Default: all of Beijing's districts.",
        )
        parser.add_argument(
            "--no-cases",
            action="store_true",
            help="Generate no case history, no intake model and no 12345 batch (the tests' "
            "demo: their cases are their own).",
        )

    def handle(self, *args, districts: list[str] | None = None, no_cases: bool = False, **options):
        if not Region.objects.filter(code="110000000000").exists():
            raise CommandError("Load Beijing's divisions first: shoushan load_regions")
        districts = districts or list(
            Region.objects.filter(level=Level.DISTRICT, code__startswith="11").values_list(
                "code", flat=True
            )
        )
        self._step("accounts")
        results = demo_accounts_create()
        self._step("grids")
        city = demo_city_create(district_codes=districts)
        units = units_load()
        demo_people_assign()
        if not Open311Key.objects.filter(name="demo").exists():
            open311_key_create(actor=None, name="demo", key=DEMO_OPEN311_KEY)
        hotline_messages = demo_messages_load()
        self._step("community workers")
        workers = demo_workers_create(district_codes=districts)
        demo_city_wages_load()
        self._step("community profiles and facilities")
        community = community_demo_create(
            district_codes=districts, staff_counts=demo_staff_counts(districts)
        )
        self._step("volunteers")
        volunteers = demo_volunteers_create(district_codes=districts)
        self._step("social organisations")
        organizations = demo_organizations_create(district_codes=districts)
        self._step("party building")
        party = demo_party_create(district_codes=districts)
        self._step("purchase of services")
        purchasing = demo_purchasing_create()
        self._step("think tanks")
        thinktank = demo_thinktank_create()
        cases: dict[str, int] = {}
        intake: dict[str, int] = {}
        if not no_cases:
            self._step("case history")
            cases = demo_cases_create(district_codes=districts)
            self._step("intake model and 12345 batch")
            intake = demo_intake_create()
        self._step("evaluation")
        evaluations = demo_datasets_create() + demo_districts_create()
        self._step("cockpit: twelve months of figures and a key measure")
        cockpit = demo_cockpit_create()
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
                f"12345 demo batch: {intake['orders']} generated requests located by address, "
                f"{intake['dispatched']} dispatched without a person, {intake['triage']} for "
                "manual triage (/grid/triage/)."
            )
        if cases:
            self.stdout.write(
                f"Case history: {cases['cases']} cases ({cases['open']} open, "
                f"{cases['overdue']} overdue) with {cases['events']} events and "
                f"{cases['return_visits']} return visits."
            )
        self.stdout.write(f"Community building: {community}")
        self.stdout.write(f"Community workers: {workers}; volunteers: {volunteers}")
        real = organizations.pop("real")
        self.stdout.write(f"Social organisations (generated): {organizations}")
        if real:
            self.stdout.write(f"Social organisations from the published lists: {real}")
        else:
            self.stdout.write(
                "Social organisations: the published Beijing lists (dishonest, abnormal, ratings, "
                "hub members) are read from SHOUSHAN_SHARED_DATA/social_orgs, which is not here."
            )
        if party:
            self.stdout.write(f"Party building (generated): {party}")
        if purchasing.get("funds"):
            self.stdout.write(f"Purchase of services (generated): {purchasing}")
        if thinktank.get("bases"):
            self.stdout.write(f"Think tanks (generated bases and topics): {thinktank}")
        if not CatalogueItem.objects.exists():
            self.stdout.write(
                "The guiding catalogue of purchased services is not loaded (Beijing's is read "
                "from SHOUSHAN_SHARED_DATA and may not be shipped): no calls were opened and no "
                "research bases or topics made."
            )
        if evaluations:
            self.stdout.write(f"Evaluation: {evaluations} data sets (provinces and districts).")
        self.stdout.write(f"Cockpit: {cockpit}")

    def _step(self, what: str) -> None:
        """Say what the demo is making: a cold start takes minutes."""
        self.stdout.write(f"… {what}")
        self.stdout.flush()
