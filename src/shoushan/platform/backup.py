"""Backups: the database, the media (case photos, job files) and the audit archives in one tar
file, each member listed with its SHA-256 in the tar's manifest, and the tar's own SHA-256 beside
it (`<name>.sha256`, the format of `sha256sum -c`).

The database is copied as one consistent snapshot while the service runs: pg_dump's snapshot on
PostgreSQL, SQLite's online backup on SQLite. Files are copied after it, so every file the
snapshot names is in the backup. A restore checks every checksum before it changes anything,
replaces the database in one transaction, then puts the files in place and keeps the ones it
replaced beside them (`<folder>.before-restore-<time>`): a restore never destroys evidence."""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from shoushan.audit.services import audit_record
from shoushan.core.models import VersionStamp
from shoushan.core.versioned import version_bump

FORMAT = 1
MANIFEST = "manifest.json"
# The folders backed up beside the database: name in the backup → setting of the live folder.
FOLDERS = {
    "media": "MEDIA_ROOT",
    "audit-archive": "AUDIT_ARCHIVE_DIR",
    "history-archive": "HISTORY_ARCHIVE_DIR",
}
_CHUNK = 1 << 20


class BackupError(Exception):
    """A backup that cannot be made, read or restored; the message says why."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    sha256: str
    created_at: str
    engine: str
    files: int
    size: int


# ---- making a backup ---------------------------------------------------------------------------


def backup_write(folder: Path) -> BackupSummary:
    """Write `shoushan-<time>.tar` (and its .sha256) into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    created = timezone.localtime()
    name = f"shoushan-{created:%Y%m%d-%H%M%S}.tar"
    target = folder / name
    if target.exists():
        raise BackupError(f"{target} exists already.")
    partial = folder / f".{name}.partial"
    with tempfile.TemporaryDirectory(prefix="shoushan-backup-") as work:
        database = Path(work) / _database_member()
        _database_dump(database)  # first: the files copied after it include all it names
        members: dict[str, Path] = {database.name: database}
        for member, path in _folder_files():
            members[member] = path
        manifest = {
            "format": FORMAT,
            "created_at": created.isoformat(),
            "engine": connection.vendor,
            "migrations": _applied_migrations(),
            "files": {
                member: {"sha256": _sha256(path), "size": path.stat().st_size}
                for member, path in members.items()
            },
        }
        manifest_path = Path(work) / MANIFEST
        manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), "utf-8")
        with tarfile.open(partial, "w") as tar:
            tar.add(manifest_path, MANIFEST)
            for member, path in members.items():
                tar.add(path, member)
    digest = _sha256(partial)
    partial.rename(target)  # a backup is there whole or not at all
    (folder / f"{name}.sha256").write_text(f"{digest}  {name}\n", "utf-8")
    audit_record(
        actor=None,
        action="platform.backup",
        object_type="platform.backup",
        object_repr=name,
        changes={"sha256": digest, "files": len(members)},
    )
    return BackupSummary(
        target,
        digest,
        created.isoformat(),
        connection.vendor,
        len(members),
        target.stat().st_size,
    )


def _database_member() -> str:
    return "database.pgdump" if connection.vendor == "postgresql" else "database.sqlite3"


def _database_dump(path: Path) -> None:
    if connection.vendor == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={path}"])
    elif connection.vendor == "sqlite":
        if connection.in_atomic_block:
            # SQLite will not copy a database its own connection is writing: it would wait forever.
            raise BackupError("A backup is taken outside a transaction.")
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)  # a consistent copy, even while others write
        finally:
            target.close()
    else:
        raise BackupError(f"Backups of {connection.vendor} databases are not supported.")


def _folder_files() -> Iterator[tuple[str, Path]]:
    for member_root, setting in FOLDERS.items():
        root = Path(getattr(settings, setting))
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                yield f"{member_root}/{path.relative_to(root).as_posix()}", path


def _applied_migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


# ---- checking and restoring ---------------------------------------------------------------------


def backup_check(path: Path) -> dict:
    """The manifest of a whole, unchanged backup; BackupError naming the first problem."""
    sidecar = path.with_name(path.name + ".sha256")
    if not path.is_file():
        raise BackupError(f"There is no backup at {path}.")
    if sidecar.is_file():
        expected = sidecar.read_text("utf-8").split()[0]
        if _sha256(path) != expected:
            raise BackupError(f"{path.name} does not match its SHA-256 in {sidecar.name}.")
    try:
        with tarfile.open(path) as tar:
            manifest = json.load(tar.extractfile(MANIFEST))  # type: ignore[arg-type]
            listed = manifest["files"]
            seen = set()
            for info in tar:
                if info.name == MANIFEST:
                    continue
                if info.name not in listed or not info.isfile():
                    raise BackupError(f"{info.name} is in the backup but not in its manifest.")
                digest = hashlib.sha256()
                stream = tar.extractfile(info)
                while chunk := stream.read(_CHUNK):  # type: ignore[union-attr]
                    digest.update(chunk)
                if digest.hexdigest() != listed[info.name]["sha256"]:
                    raise BackupError(f"{info.name} was changed: its SHA-256 differs.")
                seen.add(info.name)
    except (tarfile.TarError, KeyError, ValueError, OSError) as e:
        raise BackupError(f"{path.name} is not a readable Shoushan backup ({e}).") from e
    missing = set(listed) - seen
    if missing:
        raise BackupError(f"The backup lacks {len(missing)} files, e.g. {sorted(missing)[0]}.")
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Backup format {manifest.get('format')} is not one this version reads.")
    return manifest


def backup_restore(path: Path) -> dict:
    """Put the backup's database and files in place of the live ones (check everything first),
    then bring the schema up to this version. The server should be stopped meanwhile."""
    manifest = backup_check(path)
    if manifest["engine"] != connection.vendor:
        raise BackupError(
            f"This backup is of a {manifest['engine']} database; this installation uses "
            f"{connection.vendor}. Restore it into a {manifest['engine']} installation."
        )
    unknown = _unknown_migrations(manifest["migrations"])
    if unknown:
        raise BackupError(
            f"This backup is from a newer Shoushan (migration {unknown[0]} is unknown here): "
            "upgrade this installation first."
        )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    with tempfile.TemporaryDirectory(prefix="shoushan-restore-") as work:
        with tarfile.open(path) as tar:
            tar.extractall(work, filter="data")
        _database_load(Path(work) / _database_member())
        for member_root, setting in FOLDERS.items():
            _folder_replace(Path(work) / member_root, Path(getattr(settings, setting)), stamp)
    call_command("migrate", interactive=False, verbosity=0)
    for name in VersionStamp.objects.values_list("name", flat=True):
        version_bump(name)  # every process rebuilds what it keeps in memory
    audit_record(
        actor=None,
        action="platform.restore",
        object_type="platform.backup",
        object_repr=path.name,
        changes={"backup_created_at": manifest["created_at"], "files": len(manifest["files"])},
    )
    return manifest


def _unknown_migrations(applied: dict[str, list[str]]) -> list[str]:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return [
        f"{app}.{name}"
        for app, names in applied.items()
        for name in names
        if (app, name) not in known
    ]


def _database_load(dump: Path) -> None:
    connection.close()
    if connection.vendor == "postgresql":
        # One transaction (psql -1 wraps every -c and -f, PostgreSQL 15+): the old schema is
        # dropped and the backup's loaded, or nothing changes.
        _require_tools("pg_restore", "psql")
        script = subprocess.Popen(
            ["pg_restore", "--no-owner", "--no-privileges", "--file=-", str(dump)],
            stdout=subprocess.PIPE,
            env=_pg_environment(),
        )
        psql = subprocess.Popen(
            [
                *(
                    "psql",
                    "--quiet",
                    "--no-psqlrc",
                    "--single-transaction",
                    "-v",
                    "ON_ERROR_STOP=1",
                ),
                *("-c", "DROP SCHEMA public CASCADE", "-c", "CREATE SCHEMA public", "-f", "-"),
            ],
            stdin=script.stdout,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=_pg_environment(),
        )
        script.stdout.close()  # type: ignore[union-attr]  # psql alone reads it now
        _out, errors = psql.communicate()
        if script.wait() != 0 or psql.returncode != 0:
            raise BackupError(f"PostgreSQL refused the backup: {errors.decode()[-2000:]}")
    else:
        source = sqlite3.connect(dump)
        try:
            connection.ensure_connection()
            source.backup(connection.connection)  # in one step: all pages or none
        finally:
            source.close()


def _folder_replace(restored: Path, live: Path, stamp: str) -> None:
    """Move the live folder aside and the restored one into its place."""
    if live.exists() and any(live.iterdir()):
        live.rename(live.with_name(f"{live.name}.before-restore-{stamp}"))
    elif live.exists():
        live.rmdir()
    live.parent.mkdir(parents=True, exist_ok=True)
    if restored.is_dir():
        shutil.move(str(restored), live)
    else:
        live.mkdir()


# ---- helpers ----------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_environment() -> dict[str, str]:
    """libpq's variables for the configured database (the password never on a command line)."""
    db = settings.DATABASES["default"]
    values = {
        "PGHOST": db.get("HOST") or "",
        "PGPORT": str(db.get("PORT") or ""),
        "PGUSER": db.get("USER") or "",
        "PGPASSWORD": db.get("PASSWORD") or "",
        "PGDATABASE": connection.settings_dict["NAME"],
    }
    return {**os.environ, **{k: v for k, v in values.items() if v}}


def _require_tools(*names: str) -> None:
    for name in names:
        if shutil.which(name) is None:
            raise BackupError(f"{name} is not installed: install PostgreSQL's client tools.")


def _run(command: list[str]) -> None:
    _require_tools(command[0])
    result = subprocess.run(command, capture_output=True, env=_pg_environment())
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.decode()[-2000:]}")
