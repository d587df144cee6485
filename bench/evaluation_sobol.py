"""Sobol first-order and total indices of the mean absolute rank shift, Saltelli design with
1,000 base samples over 6 inputs (treatment, normalisation, aggregation, data threshold,
indicator weights, pillar weights), 1,000 bootstrap resamples for the confidence intervals, on
the raw (unimputed) synthetic 31 × 60 × 6 data of evaluation_build. Prints one JSON line.
Target: ≤ 60 s.

Usage: .venv/bin/python bench/evaluation_sobol.py [BASE_SAMPLES]
"""

import json
import os
import platform
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from evaluation_build import synthetic_data

from shoushan.evaluation.engine.uncertainty import UncertaintySpec, composite_sobol

UNCERTAINTY = UncertaintySpec(
    treatments=(True, False),
    normalisations=(("minmax", {"lower": 1.0, "upper": 100.0}), ("rank", {})),
    aggregations=(("amean", {}), ("gmean", {}), ("copeland", {})),
    dat_thresholds=(None, 0.9),
    weight_noise=0.25,
    noisy_levels=(1, 2),
)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    data = synthetic_data()
    table = data.raw  # not imputed, so that the data threshold has missing values to act on
    start = time.perf_counter()
    result = composite_sobol(table, data.framework, UNCERTAINTY, n=n, seed=5, n_boot=1000)
    elapsed = time.perf_counter() - start

    def rounded(values) -> dict[str, float]:
        return {name: round(float(v), 3) for name, v in zip(result.inputs, values, strict=True)}

    print(
        json.dumps(
            {
                "bench": "evaluation_sobol",
                "base_samples": n,
                "inputs": len(result.inputs),
                "model_runs": n * (len(result.inputs) + 2),
                "seconds": round(elapsed, 3),
                "target_s": 60,
                "first_order": rounded(result.first),
                "total": rounded(result.total),
                "total_ci_width": rounded(result.total_ci[1] - result.total_ci[0]),
                "machine": f"{platform.machine()} {os.cpu_count()} cores",
            }
        )
    )


if __name__ == "__main__":
    main()
