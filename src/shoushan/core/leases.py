"""Leases: one process at a time, across processes and machines, does a singleton's work (the
periodic jobs). Taking or renewing a lease is one conditional UPDATE — it succeeds only for the
holder or once the lease has lapsed — so two processes can never both hold it, on SQLite or
PostgreSQL alike; a holder that dies loses it when it lapses, and another takes over.

A job's turn is a lease too, held by nobody in particular for the job's interval: so a job runs
once per interval whichever scheduler asks, also after one scheduler took over from another."""

import os
import socket
import uuid
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from shoushan.core.models import Lease


def lease_holder_name() -> str:
    """A name for this process: its machine, its pid, and a random part (pids are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def lease_hold(name: str, holder: str, *, seconds: float) -> bool:
    """Take the lease `name` for `holder`, or renew it, for `seconds`; False while another
    holds it."""
    now = timezone.now()
    until = now + timedelta(seconds=seconds)
    if (
        Lease.objects.filter(name=name)
        .filter(Q(holder=holder) | Q(expires_at__lt=now))
        .update(holder=holder, expires_at=until)
    ):
        return True
    try:
        with transaction.atomic():
            Lease.objects.create(name=name, holder=holder, expires_at=until)
    except IntegrityError:  # another process holds it, or took it just now
        return False
    return True


def lease_release(name: str, holder: str) -> None:
    Lease.objects.filter(name=name, holder=holder).delete()


def turn_take(job: str, *, seconds: float) -> bool:
    """Take this turn of the periodic job `job`: True for one caller, on any machine, then False
    for everyone until `seconds` have passed."""
    return lease_hold(f"turn:{job}", f"turn-{uuid.uuid4().hex}", seconds=seconds)
