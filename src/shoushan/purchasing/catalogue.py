"""Where the guiding catalogue comes from. 京财综〔2022〕1537号's catalogue is public, but its
republished copy carries no licence: it is read from SHOUSHAN_SHARED_DATA, never shipped. A city
loads its own (the same columns) from a file."""

import csv
import io
from pathlib import Path

from django.conf import settings

CATALOGUE_FILE = Path("social_orgs") / "bj_gpsc_catalogue_2022.csv"
CATALOGUE_SOURCE = "北京市财政局 京财综〔2022〕1537号附件 北京市政府购买服务指导性目录"


def shared_catalogue() -> Path | None:
    path = settings.SHARED_DATA_DIR / CATALOGUE_FILE
    return path if path.exists() else None


def catalogue_rows(content: bytes) -> list[dict[str, str]]:
    """The rows of a CSV in UTF-8 (with or without a byte-order mark) or GB18030, the encodings
    the bureau's spreadsheets are saved in."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        text = ""
    return list(csv.DictReader(io.StringIO(text)))
