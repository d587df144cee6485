"""Workforce statistics at city scale, in the pure engine: 45,000 synthetic community workers
(Beijing's size) in 7,000 communities with about 1.3 career events each, and a third of them with
one to four dated changes of education, party membership, qualification or pay; the figures of
the city on one day (every worker's state and attributes replayed from the records) and the
16-year trend (the figures on each 31 December). Prints one JSON line. The database read in
front of it is not timed here.

Usage: .venv/bin/python bench/workforce_statistics.py [REPEATS]
"""

import json
import os
import platform
import random
import statistics
import sys
import time
from datetime import date, timedelta

from shoushan.workforce.engine import AttributeStep, EventState, Records, WorkerFacts

WORKERS, COMMUNITIES = 45_000, 7_000
DAY = date(2025, 12, 31)


def synthetic(seed: int = 5):
    rng = random.Random(seed)
    changes_rng = random.Random(seed + 1)  # the workers and events are those of earlier runs
    facts, events, steps, sequence = {}, [], [], 0
    for w in range(WORKERS):
        facts[w] = WorkerFacts(
            w,
            date(rng.randint(1966, 2002), rng.randint(1, 12), rng.randint(1, 28)),
            rng.choice(["associate", "bachelor", "bachelor", "master", "high_school"]),
            rng.choice(["party_member", "masses", "party_member", "youth_league"]),
            rng.choice(["none", "none", "assistant", "social_worker"]),
            rng.randint(2008, 2025),
            float(rng.randint(7000, 12000)),
        )
        community = f"11{rng.randrange(COMMUNITIES):010d}"
        on = date(2005, 1, 1) + timedelta(days=rng.randrange(7000))
        sequence += 1
        events.append(EventState(w, on, sequence, community, "full_time", "active"))
        if rng.random() < 0.3:
            on += timedelta(days=rng.randrange(1, 2000))
            sequence += 1
            status = rng.choice(["active", "left", "seconded"])
            events.append(EventState(w, on, sequence, community, "member", status))
        if changes_rng.random() < 0.33:
            day = date(2005, 1, 1) + timedelta(days=changes_rng.randrange(7000))
            for _ in range(changes_rng.randint(1, 4)):
                day += timedelta(days=changes_rng.randrange(30, 1500))
                attribute = changes_rng.choice(
                    ["education", "political_status", "qualification", "pay"]
                )
                before, after = {
                    "education": (("associate",), ("bachelor",)),
                    "political_status": (("masses",), ("party_member",)),
                    "qualification": (("none", None), ("assistant", day.year)),
                    "pay": ((7000.0,), (8000.0,)),
                }[attribute]
                steps.append(AttributeStep(w, day, len(steps), attribute, before, after))
    return facts, events, steps


def main(repeats: int = 5) -> None:
    facts, events, steps = synthetic()
    build, one_day, trend = [], [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        records = Records(facts.values(), events, steps)
        t1 = time.perf_counter()
        result = records.figures(DAY)
        t2 = time.perf_counter()
        for year in range(2010, 2026):
            records.figures(date(year, 12, 31))
        t3 = time.perf_counter()
        build.append(t1 - t0)
        one_day.append(t2 - t1)
        trend.append(t3 - t2)
    print(
        json.dumps(
            {
                "bench": "workforce_statistics",
                "workers": WORKERS,
                "events": len(events),
                "attribute_changes": len(steps),
                "workers_with_changes": len({s.worker_id for s in steps}),
                "head_count_on_day": result.head_count,
                "records_build_ms": round(statistics.median(build) * 1000, 1),
                "one_day_ms": round(statistics.median(one_day) * 1000, 1),
                "trend_16_years_ms": round(statistics.median(trend) * 1000, 1),
                "repeats": repeats,
                "python": platform.python_version(),
                "machine": f"{platform.machine()} {os.cpu_count()} cores",
            }
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
