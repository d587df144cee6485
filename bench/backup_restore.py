"""A backup and restore drill on the demo city: `shoushan backup` while the data is live, then
`shoushan restore` of that file, timed. The restore time is the recovery-time figure (RTO) for a
database of this size; the photos stand for a street's month of case photos.
Prints one JSON line.

Usage: [BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/shoushan_bench] \\
       .venv/bin/python bench/backup_restore.py [PHOTOS]
"""

import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))
media = Path(tempfile.mkdtemp(prefix="bench-media-"))
os.environ["SHOUSHAN_MEDIA_ROOT"] = str(media)
os.environ["SHOUSHAN_AUDIT_ARCHIVE_DIR"] = tempfile.mkdtemp(prefix="bench-audit-archive-")
from _database import fresh_database  # noqa: E402

url = fresh_database()
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from shoushan.grid.models import Grid  # noqa: E402
from shoushan.platform.backup import backup_restore, backup_write  # noqa: E402

assert Path(settings.MEDIA_ROOT) == media, "the bench writes photos into its own folder only"
photos = int(sys.argv[1]) if len(sys.argv) > 1 else 500
folder = media / "cases"
folder.mkdir(parents=True)
for i in range(photos):  # ~200 KB each, incompressible like a JPEG
    (folder / f"photo-{i:05d}.jpg").write_bytes(os.urandom(200_000))
grids = Grid.objects.count()

started = time.perf_counter()
summary = backup_write(Path(tempfile.mkdtemp(prefix="bench-backup-")))
backup_seconds = time.perf_counter() - started
started = time.perf_counter()
backup_restore(summary.path)
restore_seconds = time.perf_counter() - started
connection.close()
assert Grid.objects.count() == grids, "the restored database holds every grid"
assert len(list(folder.iterdir())) == photos, "the restored media holds every photo"

print(
    json.dumps(
        {
            "bench": "backup_restore",
            "engine": connection.vendor,
            "grids": grids,
            "photos": photos,
            "backup_mb": round(summary.size / 1e6, 1),
            "backup_seconds": round(backup_seconds, 1),
            "restore_seconds": round(restore_seconds, 1),
            "machine": f"{platform.machine()} {os.cpu_count()} cores",
        }
    )
)
