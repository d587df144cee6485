from django.core.management.base import BaseCommand

from shoushan.grid.cases.services import cases_escalate_overdue


class Command(BaseCommand):
    help = "Flag and escalate every open case past its deadline (run it every few minutes)."

    def handle(self, *args, **options):
        self.stdout.write(f"Escalated {cases_escalate_overdue()} overdue cases.")
