"""The month's problems on real messages: TipDM 2020's 4,326 raw messages (read from
../shared/data), clustered month by month (segmentation included, jieba's dictionary loaded before
timing). Prints one JSON line.

Usage: .venv/bin/python bench/grid_topics.py [PATH_TO_attachment3.csv]
"""

import csv
import json
import os
import platform
import re
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from shoushan.grid.intake.topics import Message, problems_find, words

DEFAULT = (
    Path(__file__).resolve().parents[2]
    / "shared/data/complaints/tipdm2020c_attachment3_hotspot4326.csv"
)

SHANGHAI = ZoneInfo("Asia/Shanghai")  # the messages' local time


def _when(text: str) -> datetime:
    n = [int(x) for x in re.findall(r"\d+", text)]
    return datetime(*n[:3], *(n[3:6] or [0]), tzinfo=SHANGHAI)


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    with path.open(encoding="utf-8") as f:
        messages = [
            Message(
                r["留言编号"],
                r["留言主题"],
                r["留言详情"],
                _when(r["留言时间"]),
                int(r["点赞数"] or 0),
            )
            for r in csv.DictReader(f)
        ]
    words("预热")  # jieba loads its dictionary once per process
    months = sorted({(m.at.year, m.at.month) for m in messages})
    per_month = []
    for year, month in months:
        start = datetime(year, month, 1, tzinfo=SHANGHAI)
        end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=SHANGHAI)
        began = time.perf_counter()
        found = problems_find(messages, words, start=start, end=end)
        per_month.append((time.perf_counter() - began, sum(len(p.messages) for p in found)))
    busiest = max(per_month, key=lambda t: t[1])
    print(
        json.dumps(
            {
                "bench": "grid_topics",
                "messages": len(messages),
                "months": len(months),
                "busiest_month_messages": busiest[1],
                "busiest_month_s": round(busiest[0], 2),
                "all_months_s": round(sum(t for t, _n in per_month), 2),
                "machine": f"{platform.machine()} {os.cpu_count()} cores",
            }
        )
    )


if __name__ == "__main__":
    main()
