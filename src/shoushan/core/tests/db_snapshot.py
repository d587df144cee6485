"""A copy of the test database as the session set it up (Beijing's divisions, the demo city), put
back after a transactional test emptied the database. Loading the demo city again costs about
half a minute; putting the copy back costs well under a second on SQLite and a few seconds on
PostgreSQL.

SQLite: the test database is a file, copied with SQLite's online backup. PostgreSQL: a second
database made from the test database as a template, and the test database made again from it.
Both need every connection to the test database closed; this process's are closed here, and a
live server closes its own at the end of each request."""

import sqlite3
from contextlib import closing
from pathlib import Path

from django.db import connection, connections

_taken = False


def _name() -> str:
    return connection.settings_dict["NAME"]


def _snapshot_name() -> str:
    return f"{_name()}_snapshot"


def _sqlite_copy(source: str, target: str) -> None:
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def _postgres(*statements: str) -> None:
    with connection._nodb_cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def take() -> None:
    """Copy the test database as it is now."""
    global _taken
    connections.close_all()
    if connection.vendor == "sqlite":
        Path(_snapshot_name()).unlink(missing_ok=True)
        _sqlite_copy(_name(), _snapshot_name())
    elif connection.vendor == "postgresql":
        name, snapshot = _name(), _snapshot_name()
        _postgres(
            f'DROP DATABASE IF EXISTS "{snapshot}"',
            f'CREATE DATABASE "{snapshot}" TEMPLATE "{name}" STRATEGY FILE_COPY',
        )
    else:
        return
    _taken = True


def restore() -> bool:
    """Put the copy back in place of the test database; False if no copy was taken."""
    if not _taken:
        return False
    connections.close_all()
    if connection.vendor == "sqlite":
        _sqlite_copy(_snapshot_name(), _name())
    else:
        name, snapshot = _name(), _snapshot_name()
        _postgres(
            f'DROP DATABASE "{name}" WITH (FORCE)',
            f'CREATE DATABASE "{name}" TEMPLATE "{snapshot}" STRATEGY FILE_COPY',
        )
    return True


def drop() -> None:
    global _taken
    if not _taken:
        return
    _taken = False
    if connection.vendor == "sqlite":
        Path(_snapshot_name()).unlink(missing_ok=True)
    else:
        _postgres(f'DROP DATABASE IF EXISTS "{_snapshot_name()}" WITH (FORCE)')
