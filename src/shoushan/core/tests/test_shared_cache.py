"""The cache shared by every machine: with SHOUSHAN_CACHE_URL set, what one process stores
another reads (Redis). CI runs it against the machine's Redis (SHOUSHAN_TEST_CACHE_URL)."""

import os
import subprocess
import sys
import uuid

import pytest
from django.core.cache import caches

URL = os.environ.get("SHOUSHAN_TEST_CACHE_URL", "")


@pytest.mark.skipif(not URL, reason="SHOUSHAN_TEST_CACHE_URL names no Redis")
def test_what_one_process_stores_in_the_shared_cache_another_reads(settings):
    settings.CACHES = {
        **settings.CACHES,
        "shared": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": URL},
    }
    key, value = f"test-{uuid.uuid4().hex}", "一刻钟社区服务圈"
    caches["shared"].set(key, value, 60)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shoushan.config.settings.base",
        "SHOUSHAN_SECRET_KEY": "test-only-secret-key",
        "SHOUSHAN_CACHE_URL": URL,
    }
    other = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.core.cache import caches; "
            f"c = caches['shared']; print(type(c).__name__, c.get({key!r})); c.delete({key!r})",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert other.stdout.split() == ["RedisCache", value]
    assert caches["shared"].get(key) is None  # and what it deleted is gone here too
