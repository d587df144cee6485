"""Test settings: the same as production but for a known secret key and, by default, SQLite.
`SHOUSHAN_DATABASE_URL` (set by `make test` from SHOUSHAN_TEST_DATABASE_URL) selects PostgreSQL."""

import os

os.environ.setdefault("SHOUSHAN_SECRET_KEY", "test-only-secret-key")

from shoushan.config.settings.base import *  # noqa: F403

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Argon2 still (the hash format is what production stores), with costs low enough that a suite
# creating many accounts stays fast. Production uses Django's Argon2 defaults.
PASSWORD_HASHERS = ["shoushan.config.settings.test.QuickArgon2PasswordHasher"]

from django.contrib.auth.hashers import Argon2PasswordHasher  # noqa: E402


class QuickArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 1024
    parallelism = 1


# Tests serve static files from the source folders; nothing is collected.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True

# Tests change grids and keys between requests: look again every time.
VERSION_CHECK_SECONDS = 0
COCKPIT_RECOUNT_SECONDS = 0

import tempfile  # noqa: E402

MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="shoushan-media-"))  # noqa: F405

# SQLite's test database is a file, as in production: concurrent tests then meet WAL and the busy
# timeout, not the table locks of a shared in-memory database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.mkdtemp(prefix="shoushan-test-")) / "test.sqlite3")  # noqa: F405
    }

# The tests put a copy of the database back between transactional tests (PostgreSQL: the database
# is made again from a template), ending the connections a live server keeps: one that has gone
# is then noticed before a request uses it.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405

# Jobs run at once in the test's own thread and transaction, so that a test sees their end.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
