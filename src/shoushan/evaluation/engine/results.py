"""The whole build, step by step, keeping every intermediate table so that a reviewer can see
where a score came from (COINr keeps them in `coin$Data`)."""

from dataclasses import dataclass, field

import numpy as np

from shoushan.evaluation.engine.aggregate import aggregate
from shoushan.evaluation.engine.data import CompositeData, EngineError, Table
from shoushan.evaluation.engine.denominate import denominate
from shoushan.evaluation.engine.impute import impute_group_mean, impute_mean, impute_median
from shoushan.evaluation.engine.normalise import normalise
from shoushan.evaluation.engine.screen import screen_by_availability
from shoushan.evaluation.engine.treat import TreatmentDetail, treat

IMPUTATIONS = ("mean", "median", "group_mean")


@dataclass(frozen=True)
class BuildSpec:
    """Which steps to run and how. The defaults are COINr's `build_example_coin()`."""

    denominate: bool = True
    imputation: str | None = "group_mean"  # one of IMPUTATIONS, or None to skip
    impute_group: str = "EurAsia_group"
    dat_thresh: float | None = 0.9  # None skips screening
    treat: bool = True
    normalisation: str = "minmax"
    normalisation_params: dict[str, float] = field(
        default_factory=lambda: {"lower": 0.0, "upper": 100.0}
    )
    aggregation: str = "amean"


@dataclass(frozen=True)
class BuildResult:
    """`stages` maps a step name (Raw, Denominated, Imputed, Screened, Treated, Normalised,
    Aggregated) to its table, in the order the steps ran; skipped steps are absent."""

    stages: dict[str, Table]
    treatment: tuple[TreatmentDetail, ...] = ()
    removed_units: tuple[str, ...] = ()

    @property
    def scores(self) -> Table:
        return self.stages["Aggregated"]


def rank_descending(x: np.ndarray) -> np.ndarray:
    """Rank 1 for the highest score, ties sharing the best (lowest) rank; a missing score gets
    no rank (NaN). This is how COINr's `get_results` ranks."""
    present = ~np.isnan(x)
    ranks = np.full(len(x), np.nan)
    ranks[present] = np.searchsorted(np.sort(-x[present]), -x[present], side="left") + 1
    return ranks


def composite_build(data: CompositeData, spec: BuildSpec | None = None) -> BuildResult:
    """Run Denominate → Impute → Screen → Treat → Normalise → Aggregate as `spec` says."""
    spec = spec or BuildSpec()
    framework = data.framework
    stages: dict[str, Table] = {"Raw": data.raw}
    table = data.raw
    if spec.denominate:
        by = {n.code: n.denominator for n in framework.indicators}
        table = stages["Denominated"] = denominate(table, data.denominators, by)
    if spec.imputation == "mean":
        table = stages["Imputed"] = impute_mean(table)
    elif spec.imputation == "median":
        table = stages["Imputed"] = impute_median(table)
    elif spec.imputation == "group_mean":
        if spec.impute_group not in data.groups:
            raise EngineError(f"no group column {spec.impute_group!r} in the data")
        groups = data.groups[spec.impute_group]
        table = stages["Imputed"] = impute_group_mean(table, groups)
    elif spec.imputation is not None:
        raise EngineError(f"unknown imputation {spec.imputation!r}; known: {IMPUTATIONS}")
    removed: tuple[str, ...] = ()
    if spec.dat_thresh is not None:
        screened = screen_by_availability(table, spec.dat_thresh)
        table = stages["Screened"] = screened.table
        removed = screened.removed_units
    details: tuple[TreatmentDetail, ...] = ()
    if spec.treat:
        table, details = treat(table)
        stages["Treated"] = table
    directions = {n.code: n.direction for n in framework.indicators}
    table = stages["Normalised"] = normalise(
        table, directions, spec.normalisation, spec.normalisation_params
    )
    stages["Aggregated"] = aggregate(table, framework, spec.aggregation)
    return BuildResult(stages, details, removed)
