"""A fresh database for a benchmark: SQLite in a temporary folder, or PostgreSQL when
BENCH_DATABASE_URL=postgres://…/name is set (the database is dropped and created again).
Loads Beijing, the catalogue, the calendar and the demo city, and sets Django up."""

import os
import tempfile
from pathlib import Path


def fresh_database(*, demo: bool = True, load: bool = True) -> str:
    """A migrated, empty database (`load=False`), or one with Beijing loaded (and the demo)."""
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
    else:
        url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    os.environ["SHOUSHAN_DATABASE_URL"] = url
    os.environ.setdefault("SHOUSHAN_SECRET_KEY", "bench")
    os.environ["DJANGO_SETTINGS_MODULE"] = "shoushan.config.settings.base"
    import django

    django.setup()
    from io import StringIO

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if not load:
        return url
    call_command("load_regions", stdout=StringIO())
    from shoushan.grid.registry.reference import categories_load, working_calendar_load

    categories_load()
    working_calendar_load()
    if demo:
        call_command("demo", stdout=StringIO())
    return url
