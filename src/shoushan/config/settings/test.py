"""Test settings: the same as production but for a known secret key and, by default, SQLite.
`SHOUSHAN_DATABASE_URL` (set by `make test` from SHOUSHAN_TEST_DATABASE_URL) selects PostgreSQL."""

import os

os.environ.setdefault("SHOUSHAN_SECRET_KEY", "test-only-secret-key")

from shoushan.config.settings.base import *  # noqa: F403

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
