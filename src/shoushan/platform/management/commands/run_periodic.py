"""The platform's periodic work in one long-running process: `make run` starts it beside the web
server, and a production installation runs it as a service (docs/operations.md)."""

import logging
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from shoushan.cockpit.services import counts_today, reminders_send
from shoushan.core.leases import lease_hold, lease_holder_name, lease_release, turn_take
from shoushan.grid.cases.services import cases_escalate_overdue
from shoushan.grid.intake.dispatch import cases_auto_dispatch
from shoushan.party.services import units_refresh
from shoushan.platform.history import history_partitions_ensure
from shoushan.thinktank.services import reminders_flag
from shoushan.volunteers.services import star_ratings_take_effect

log = logging.getLogger(__name__)

# One process at a time runs the jobs, on however many machines the command is started: it holds
# this lease, renewed before every job; another process takes over within LEASE_SECONDS of its
# holder's death. When each job is next due is kept in the database too (`turn_take`), so the one
# taking over runs only the jobs whose turn has come, not the whole list again.
LEASE = "periodic-jobs"
LEASE_SECONDS = 120

# (what, how often in seconds, the job): each returns how many things it did
JOBS = (
    ("confident requests dispatched", 60, cases_auto_dispatch),
    ("overdue cases escalated", 300, cases_escalate_overdue),
    ("party-building units brought up to date", 3_600, units_refresh),
    ("star ratings took effect", 86_400, star_ratings_take_effect),
    ("overdue research milestones flagged", 86_400, reminders_flag),
    ("key tasks reminded", 86_400, reminders_send),
    ("cockpit tiles counted", 3_600, counts_today),
    ("history partitions made ahead", 86_400, history_partitions_ensure),
)


class Command(BaseCommand):
    help = (
        "Run the periodic jobs until stopped: every minute dispatch the confidently classified "
        "new requests, every five minutes escalate overdue cases, every hour bring the "
        "party-building units up to date with the registers, once a day let listed star "
        "ratings take effect, flag overdue research milestones, remind overdue key tasks and "
        "count the cockpit's tiles once a day. Each job runs once per interval across every "
        "machine that runs this command. --once runs each job once now and stops; -v 2 says "
        "every run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run every job once now, then stop")

    def handle(self, *args, once: bool = False, verbosity: int = 1, **options):
        holder = lease_holder_name()
        self.say_every_run = verbosity >= 2
        try:
            while True:
                if lease_hold(LEASE, holder, seconds=LEASE_SECONDS):
                    self._run_due(holder, once)
                elif once:
                    self.stdout.write("Another process runs the periodic jobs now.")
                if once:
                    return
                time.sleep(5)
                close_old_connections()  # a long-lived process: no connection kept past its age
        finally:
            lease_release(LEASE, holder)

    def _run_due(self, holder: str, once: bool) -> None:
        for name, interval, job in JOBS:
            if not lease_hold(LEASE, holder, seconds=LEASE_SECONDS):
                return  # lapsed during a long job and taken over: the other process goes on
            if not turn_take(name, seconds=interval) and not once:
                continue
            try:
                done = job()
            except Exception:  # one failing job must not stop the others, nor the next run
                log.exception("periodic job failed: %s", name)
                continue
            if done or once or self.say_every_run:
                self.stdout.write(f"{time.strftime('%H:%M:%S')} {name}: {done}")
