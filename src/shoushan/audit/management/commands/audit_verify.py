from django.core.management.base import BaseCommand, CommandError

from shoushan.audit.models import AuditArchive
from shoushan.audit.services import audit_chain_problems


class Command(BaseCommand):
    help = (
        "Check the audit trail's hash chain from its oldest record (or the newest archive) to its "
        "head: any record changed, removed or slipped in is named. Exits 1 when the chain is "
        "broken."
    )

    def handle(self, *args, **options):
        archive = AuditArchive.objects.order_by("-up_to", "-id").first()
        problems = list(audit_chain_problems(start_hash=archive.last_hash if archive else ""))
        for problem in problems[:100]:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"The audit trail's chain is broken in {len(problems)} places.")
        self.stdout.write(self.style.SUCCESS("The audit trail's chain is whole."))
