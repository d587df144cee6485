"""The restore drill, on whichever database the suite runs (SQLite, then PostgreSQL in CI): back up,
change things, restore, and find the backed-up state exactly, files and audit chain included."""

import io
import json
import tarfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from shoushan.accounts.models import User
from shoushan.accounts.services import user_create
from shoushan.audit.models import AuditRecord
from shoushan.audit.services import audit_chain_problems
from shoushan.platform.backup import BackupError, backup_check, backup_restore, backup_write

PHOTO = b"\xff\xd8\xff\xe0 a case photo \x00\x01" * 100


@pytest.fixture
def folders(settings, tmp_path):
    """Media and audit archives of the test's own, with a photo and an archive in them."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AUDIT_ARCHIVE_DIR = tmp_path / "audit-archive"
    settings.HISTORY_ARCHIVE_DIR = tmp_path / "history-archive"
    photo = settings.MEDIA_ROOT / "case-photos" / "2026" / "10" / "楼道堆物.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(PHOTO)
    settings.AUDIT_ARCHIVE_DIR.mkdir()
    (settings.AUDIT_ARCHIVE_DIR / "audit-2026-04.jsonl.gz").write_bytes(b"archived")
    return settings


def _state() -> dict[str, object]:
    """Every table's rows, counted, and the accounts and audit hashes listed."""
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return {
        "counts": counts,
        "users": sorted(User.objects.values_list("username", "password")),
        "audit": list(AuditRecord.objects.order_by("id").values_list("hash", flat=True)),
    }


def test_a_restore_brings_back_the_backed_up_database_and_files(
    transactional_db, demo_city, folders, tmp_path
):
    before = _state()
    summary = backup_write(tmp_path / "backups")
    assert summary.path.is_file() and summary.files == 3  # the database, a photo, an archive
    assert (
        (tmp_path / "backups" / f"{summary.path.name}.sha256")
        .read_text()
        .startswith(summary.sha256)
    )

    # after the backup: a new account, a photo lost, another file added
    user_create(actor=None, username="after_backup", password="Quiet-river-4821", role="researcher")
    photo = next((folders.MEDIA_ROOT / "case-photos").rglob("*.jpg"))
    photo.unlink()
    (folders.MEDIA_ROOT / "later.txt").write_text("later")

    backup_restore(summary.path)

    after = _state()
    assert after["users"] == before["users"]
    assert not User.objects.filter(username="after_backup").exists()
    # the audit trail is the backed-up one, plus the backup's own record and the restore's
    assert after["audit"][: len(before["audit"])] == before["audit"]
    assert list(AuditRecord.objects.order_by("-id").values_list("action", flat=True)[:1]) == [
        "platform.restore"
    ]
    assert list(audit_chain_problems()) == []
    counts = {t: n for t, n in after["counts"].items() if not t.startswith("audit_")}
    assert counts == {t: n for t, n in before["counts"].items() if not t.startswith("audit_")}

    assert photo.read_bytes() == PHOTO
    assert not (folders.MEDIA_ROOT / "later.txt").exists()
    kept = list(Path(folders.MEDIA_ROOT).parent.glob("media.before-restore-*/later.txt"))
    assert len(kept) == 1  # what the restore replaced is kept, not destroyed
    assert (folders.AUDIT_ARCHIVE_DIR / "audit-2026-04.jsonl.gz").read_bytes() == b"archived"


def _rewrite(path: Path, change) -> None:
    """Rewrite a backup with `change(name, bytes) -> bytes` applied to each member."""
    with tarfile.open(path) as tar:
        members = [(info, tar.extractfile(info).read()) for info in tar if info.isfile()]
    with tarfile.open(path, "w") as tar:
        for info, data in members:
            data = change(info.name, data)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_a_damaged_or_foreign_backup_changes_nothing(
    transactional_db, demo_city, folders, tmp_path
):
    summary = backup_write(tmp_path / "backups")
    sidecar = summary.path.with_name(summary.path.name + ".sha256")
    users = User.objects.count()

    with pytest.raises(BackupError, match="does not match its SHA-256"):
        summary.path.write_bytes(summary.path.read_bytes()[:-1] + b"!")
        backup_check(summary.path)

    sidecar.unlink()  # without the outer checksum, each member's is still checked
    _rewrite(
        summary.path,
        lambda name, data: (
            data.replace(b"a case photo", b"a fake photo") if "media/" in name else data
        ),
    )
    with pytest.raises(BackupError, match="was changed"):
        backup_restore(summary.path)

    def other_engine(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["engine"] = "oracle"
        return json.dumps(manifest).encode()

    fresh = backup_write(tmp_path / "again")
    fresh.path.with_name(fresh.path.name + ".sha256").unlink()
    _rewrite(fresh.path, other_engine)
    with pytest.raises(BackupError, match="oracle"):
        backup_restore(fresh.path)
    assert User.objects.count() == users
    assert next((folders.MEDIA_ROOT / "case-photos").rglob("*.jpg")).read_bytes() == PHOTO

    with pytest.raises(BackupError, match="no backup"):
        backup_check(tmp_path / "missing.tar")


def test_restore_without_yes_only_checks(transactional_db, demo_city, folders, tmp_path, capsys):
    summary = backup_write(tmp_path / "backups")
    call_command("restore", str(summary.path))
    assert "The backup is whole" in capsys.readouterr().out
