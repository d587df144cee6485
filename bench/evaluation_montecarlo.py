"""Monte Carlo rank intervals: 10,000 replications over 4 uncertain inputs (treatment on/off,
normalisation min-max or rank, indicator and pillar weights ± 25 %, arithmetic or geometric
mean) on the synthetic 31 × 60 × 6 data of evaluation_build. Prints one JSON line.
Target: ≤ 5 s.

Usage: .venv/bin/python bench/evaluation_montecarlo.py [REPLICATIONS]
"""

import json
import os
import platform
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from evaluation_build import SPEC, synthetic_data

from shoushan.evaluation.engine.results import composite_build
from shoushan.evaluation.engine.uncertainty import UncertaintySpec, rank_uncertainty

UNCERTAINTY = UncertaintySpec(
    treatments=(True, False),
    normalisations=(("minmax", {"lower": 1.0, "upper": 100.0}), ("rank", {})),
    aggregations=(("amean", {}), ("gmean", {})),
    weight_noise=0.25,
    noisy_levels=(1,),
)


def main() -> None:
    replications = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    data = synthetic_data()
    table = composite_build(data, SPEC).stages["Screened"]
    start = time.perf_counter()
    result = rank_uncertainty(table, data.framework, UNCERTAINTY, replications, seed=5)
    elapsed = time.perf_counter() - start
    width = result.p95 - result.p05
    print(
        json.dumps(
            {
                "bench": "evaluation_montecarlo",
                "units": len(result.units),
                "replications": replications,
                "uncertain_inputs": 4,
                "seconds": round(elapsed, 3),
                "target_s": 5,
                "median_interval_width": float(np.median(width)),
                "max_interval_width": float(width.max()),
                "machine": f"{platform.machine()} {os.cpu_count()} cores",
            }
        )
    )


if __name__ == "__main__":
    main()
