"""Reads that may come from a PostgreSQL streaming standby (`SHOUSHAN_REPLICA_DATABASE_URL`).

Only reads that tolerate a bounded staleness ask for it, by running inside `standby_reads()`:
the monthly ranking and the cockpit's counts, which are heavy and never followed by a write
in the same request. Everything else, and every write, goes to the primary.

The standby is used while its replay lag is at most `settings.REPLICA_MAX_LAG_SECONDS`. A
process measures the lag at most every `LAG_CHECK_SECONDS`, so a read from the standby is at
most REPLICA_MAX_LAG_SECONDS + LAG_CHECK_SECONDS behind the primary. A standby that lags more,
or does not answer, is left aside (the reads go to the primary) until a later check finds it
caught up again.
"""

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DatabaseError, connections

log = logging.getLogger(__name__)

STANDBY = "replica"  # the alias of the standby in settings.DATABASES
LAG_CHECK_SECONDS = 5.0

_wanted: ContextVar[bool] = ContextVar("standby_reads", default=False)

# A standby that has received everything it was sent and replayed it is 0 s behind, however long
# ago the last transaction was (an idle primary sends nothing); otherwise the lag is the age of
# the last transaction it replayed. A database that is not in recovery (no standby, or one
# promoted) is the primary itself.
_LAG_SQL = """
SELECT CASE
  WHEN NOT pg_is_in_recovery() THEN 0
  WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
  ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 1e9)
END
"""


class _LagCheck:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.checked = -1e9
        self.usable = False
        self.lag: float | None = None

    def standby_usable(self) -> bool:
        if time.monotonic() - self.checked >= LAG_CHECK_SECONDS:
            with self.lock:
                if time.monotonic() - self.checked >= LAG_CHECK_SECONDS:
                    self.lag = standby_lag()
                    self.usable = (
                        self.lag is not None and self.lag <= settings.REPLICA_MAX_LAG_SECONDS
                    )
                    self.checked = time.monotonic()
        return self.usable

    def forget(self) -> None:
        with self.lock:
            self.checked = -1e9


lag_check = _LagCheck()


def standby_configured() -> bool:
    return STANDBY in settings.DATABASES


def standby_lag() -> float | None:
    """Seconds the standby is behind the primary now; None when it does not answer (or is not
    PostgreSQL, whose lag cannot be asked: such a second database is taken as a copy kept
    current by other means, lag 0)."""
    if not standby_configured():
        return None
    connection = connections[STANDBY]
    if connection.vendor != "postgresql":
        return 0.0
    try:
        with connection.cursor() as cursor:
            cursor.execute(_LAG_SQL)
            return float(cursor.fetchone()[0])
    except DatabaseError as error:
        log.warning("the standby does not answer, reads go to the primary: %s", error)
        connection.close()
        return None


@contextmanager
def standby_reads() -> Iterator[None]:
    """Reads inside may come from the standby (see the module's note on staleness)."""
    token = _wanted.set(True)
    try:
        yield
    finally:
        _wanted.reset(token)


class StandbyRouter:
    """Writes and migrations go to the primary; reads inside `standby_reads()` go to the
    standby while it is within its lag bound."""

    def db_for_read(self, model, **hints) -> str | None:
        if _wanted.get() and standby_configured() and lag_check.standby_usable():
            return STANDBY
        return None

    def db_for_write(self, model, **hints) -> str:
        return "default"

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # the standby is a copy of the primary: the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == "default"
