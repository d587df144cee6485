"""Workforce statistics at city scale, in the pure engine: 45,000 synthetic community workers
(Beijing's size) in 7,000 communities with about 1.3 career events each; the figures of the
city on one day (every worker's state replayed from the events) and the 16-year trend (the
figures on each 31 December). Prints one JSON line. The database read in front of it is not
timed here.

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

from shoushan.workforce.engine import EventState, Timeline, WorkerFacts, figures

WORKERS, COMMUNITIES = 45_000, 7_000
DAY = date(2025, 12, 31)


def synthetic(seed: int = 5):
    rng = random.Random(seed)
    facts, events, sequence = {}, [], 0
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
    return facts, events


def main(repeats: int = 5) -> None:
    facts, events = synthetic()
    build, one_day, trend = [], [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        timeline = Timeline.of(events)
        t1 = time.perf_counter()
        result = figures(timeline.states_at(DAY), facts, DAY)
        t2 = time.perf_counter()
        for year in range(2010, 2026):
            day = date(year, 12, 31)
            figures(timeline.states_at(day), facts, day)
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
                "head_count_on_day": result.head_count,
                "timeline_build_ms": round(statistics.median(build) * 1000, 1),
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
