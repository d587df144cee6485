"""Address → region on Beijing's real divisions (../shared/data/admin_divisions): build the
gazetteer, then parse every community's full name, its short forms, and "district + street +
community short form" strings, plus the three examples of issue 6. Prints one JSON line.
Target: a few thousand addresses a second at least.

Usage: .venv/bin/python bench/intake_address.py
"""

import json
import os
import platform
import time
from collections import Counter
from pathlib import Path

from shoushan.regions.gazetteer import Gazetteer, name_forms, read_beijing_divisions

DIVISIONS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "admin_divisions"


def main() -> None:
    rows = read_beijing_divisions(DIVISIONS)
    started = time.perf_counter()
    gazetteer = Gazetteer(rows)
    build = time.perf_counter() - started
    names = {code: name for code, name, _level, _parent in rows}
    texts = []
    for code, name, level, parent in rows:
        if level == "community":
            forms = name_forms(name, level)
            texts += [(code, f) for f in forms]
            texts.append((code, f"北京市{names[parent[:6] + '000000']}{names[parent]}{forms[-1]}"))
    started = time.perf_counter()
    results = [(code, gazetteer.parse(text)) for code, text in texts]
    seconds = time.perf_counter() - started
    outcome = Counter(
        "itself" if r.status == "found" and r.code == code
        else "ambiguous, listed" if r.status == "ambiguous" and code in r.candidates
        else "other"
        for code, r in results
    )  # fmt: skip
    examples = {
        t: names.get(gazetteer.parse(t).code or "", gazetteer.parse(t).status)
        for t in ("北京市朝阳区三里屯街道幸福二村…", "朝阳区三里屯", "海淀 学院路")
    }
    print(
        json.dumps(
            {
                "bench": "intake_address",
                "regions": len(rows),
                "names_and_short_forms": len(gazetteer.names),
                "build_seconds": round(build, 3),
                "addresses": len(texts),
                "addresses_per_second": round(len(texts) / seconds),
                "outcome": dict(outcome),
                "examples": examples,
                "target_addresses_per_second": 2000,
                "machine": f"{platform.machine()} {os.cpu_count()} cores",
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
