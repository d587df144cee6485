"""The whole build, step by step, keeping every intermediate table so that a reviewer can see
where a score came from (COINr keeps them in `coin$Data`).

The steps run in a fixed order; each is optional and configured by `BuildSpec` (which
`pipeline.py` fills from a pipeline YAML file):
Raw → Denominated → Imputed (panel) → Selected (one time point of a panel) → Screened →
Imputed → Screened (after imputation, COINr's example order) → Treated → Transformed →
Normalised → Aggregated → Rounded."""

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from shoushan.evaluation.engine.aggregate import AGGREGATORS
from shoushan.evaluation.engine.data import CompositeData, EngineError, Framework, Table
from shoushan.evaluation.engine.denominate import denominate
from shoushan.evaluation.engine.impute import (
    PANEL_IMPUTATIONS,
    impute_group_mean,
    impute_group_median,
    impute_mean,
    impute_median,
    impute_panel,
)
from shoushan.evaluation.engine.messages import _
from shoushan.evaluation.engine.normalise import normalise
from shoushan.evaluation.engine.screen import screen_by_availability
from shoushan.evaluation.engine.treat import (
    TreatmentDetail,
    log_ct,
    skew_kurt_check,
    treat_column,
    winsorise,
)
from shoushan.evaluation.engine.weights import DATA_WEIGHTINGS, weights_ahp

IMPUTATIONS = ("mean", "median", "group_mean", "group_median", *PANEL_IMPUTATIONS)
TREATMENTS = ("default", "none", "winsorise", "log")
TRANSFORMS = ("log", "cap", "floor")
AGGREGATION_MISSING = ("skip", "propagate")

# A per-indicator transform: ("log", None), ("cap", 85.0) or ("floor", 100.0).
TransformStep = tuple[str, float | None]


@dataclass(frozen=True)
class PanelData(CompositeData):
    """CompositeData with one row per unit and time point (`raw.units` repeats each uCode);
    `times` holds each row's time point. Built into an index for one time point at a time."""

    times: tuple[float, ...] = ()


@dataclass(frozen=True)
class BuildSpec:
    """Which steps to run and how. The defaults are COINr's `build_example_coin()`; every field
    added later defaults to "off", so that a spec written for the example still means it."""

    denominate: bool = True
    imputation: str | None = "group_mean"  # one of IMPUTATIONS, or None to skip
    impute_group: str = "EurAsia_group"
    dat_thresh: float | None = 0.9  # None skips screening
    screen_before_impute: bool = False  # COINr's example imputes first, then screens
    treat: bool = True
    normalisation: str = "minmax"
    normalisation_params: dict[str, float] = field(
        default_factory=lambda: {"lower": 0.0, "upper": 100.0}
    )
    aggregation: str = "amean"
    treat_winmax: int = 5
    treat_skew_thresh: float = 2
    treat_kurt_thresh: float = 3.5
    treat_overrides: dict[str, str] = field(default_factory=dict)  # code → one of TREATMENTS
    transforms: dict[str, tuple[TransformStep, ...]] = field(default_factory=dict)
    normalisation_overrides: dict[str, tuple[str, dict[str, float]]] = field(default_factory=dict)
    aggregation_by_level: dict[int, str] = field(default_factory=dict)
    aggregation_p: float = 1.0  # the power of the generalised mean ("genmean")
    weighting: str = "given"  # given | equal | entropy | critic | pca | ahp (within each parent)
    # AHP pairwise comparison matrices by parent code, rows and columns in the order of the
    # parent's children; a parent without one keeps its given weights.
    ahp: dict[str, tuple[tuple[float, ...], ...]] = field(default_factory=dict)
    aggregation_missing: str = "skip"  # "propagate": a missing child makes the aggregate missing
    rounding: int | None = None  # decimals of the final scores
    time: float | None = None  # the time point to build, for PanelData


@dataclass(frozen=True)
class BuildResult:
    """`stages` maps a step name (Raw, Denominated, Imputed, Screened, Treated, Normalised,
    Aggregated …) to its table, in the order the steps ran; skipped steps are absent."""

    stages: dict[str, Table]
    treatment: tuple[TreatmentDetail, ...] = ()
    removed_units: tuple[str, ...] = ()
    weights: dict[str, float] = field(default_factory=dict)  # each child's, as aggregated

    @property
    def scores(self) -> Table:
        """The final scores: rounded when the spec asks for rounding."""
        return self.stages.get("Rounded", self.stages["Aggregated"])


def rank_descending(x: np.ndarray) -> np.ndarray:
    """Rank 1 for the highest score, ties sharing the best (lowest) rank; a missing score gets
    no rank (NaN). This is how COINr's `get_results` ranks."""
    present = ~np.isnan(x)
    ranks = np.full(len(x), np.nan)
    ranks[present] = np.searchsorted(np.sort(-x[present]), -x[present], side="left") + 1
    return ranks


def _impute(table: Table, data: CompositeData, spec: BuildSpec, groups_keep: np.ndarray) -> Table:
    """Cross-sectional imputation; `groups_keep` selects the group labels of the rows left."""
    if spec.imputation == "mean":
        return impute_mean(table)
    if spec.imputation == "median":
        return impute_median(table)
    if spec.imputation in ("group_mean", "group_median"):
        if spec.impute_group not in data.groups:
            raise EngineError(f"no group column {spec.impute_group!r} in the data")
        labels = [g for g, k in zip(data.groups[spec.impute_group], groups_keep, strict=True) if k]
        if spec.imputation == "group_mean":
            return impute_group_mean(table, labels)
        return impute_group_median(table, labels)
    raise EngineError(f"unknown imputation {spec.imputation!r}; known: {IMPUTATIONS}")


def _treat(table: Table, spec: BuildSpec) -> tuple[Table, tuple[TreatmentDetail, ...]]:
    """COINr's default treatment for every indicator, unless `treat_overrides` names another
    for it: "none" leaves it alone (and records no detail), "winsorise" never falls back to the
    log, "log" applies COINr's log_CT directly."""
    limits = (spec.treat_skew_thresh, spec.treat_kurt_thresh)
    columns, details = [], []
    for code, x in zip(table.codes, table.values.T, strict=True):
        how = spec.treat_overrides.get(code, "default")
        if how == "none":
            columns.append(x)
            continue
        if how == "default":
            treated, detail = treat_column(code, x, spec.treat_winmax, *limits)
        elif how == "winsorise":
            treated, nwin = winsorise(x, spec.treat_winmax, *limits)
            check0, check1 = skew_kurt_check(x, *limits), skew_kurt_check(treated, *limits)
            detail = TreatmentDetail(code, check0, nwin, check1)
        elif how == "log":
            treated = log_ct(x)
            detail = TreatmentDetail(
                code,
                skew_kurt_check(x, *limits),
                None,
                None,
                True,
                skew_kurt_check(treated, *limits),
            )
        else:
            raise EngineError(f"unknown treatment {how!r} for {code}; known: {TREATMENTS}")
        columns.append(treated)
        details.append(detail)
    return table.with_values(np.column_stack(columns)), tuple(details)


def transform_values(code: str, x: np.ndarray, steps: Sequence[TransformStep]) -> np.ndarray:
    """Apply one indicator's transforms in order. A log of a non-positive value is refused
    rather than turned into NaN, since it would silently drop the unit from the index."""
    y = np.array(x, dtype=float)
    for name, value in steps:
        if name == "log":
            if np.any(y[~np.isnan(y)] <= 0):
                raise EngineError(_("%(code)s: log needs positive values") % {"code": code})
            y = np.log(y)
        elif name == "cap":
            assert value is not None  # cap and floor carry their number (_transform_step)
            y = np.where(y > value, value, y)
        elif name == "floor":
            assert value is not None
            y = np.where(y < value, value, y)
        else:
            raise EngineError(f"{code}: unknown transform {name!r}; known: {TRANSFORMS}")
    return y


def _transform(table: Table, spec: BuildSpec) -> Table:
    columns = [
        transform_values(code, x, spec.transforms.get(code, ()))
        for code, x in zip(table.codes, table.values.T, strict=True)
    ]
    return table.with_values(np.column_stack(columns))


def _goalposts_transformed(spec: BuildSpec) -> dict[str, dict[str, float]]:
    """Per-indicator normalisation parameters with goalposts passed through the indicator's
    transforms: goalposts are written in the indicator's own units (e.g. GNI per capita 100 and
    75000 $), while the values reach the normaliser already transformed (e.g. logged)."""
    params: dict[str, dict[str, float]] = {}
    default = (spec.normalisation, spec.normalisation_params)
    for code in {**spec.normalisation_overrides, **spec.transforms}:
        method, own = spec.normalisation_overrides.get(code, default)
        own = dict(own)
        if method == "goalposts" and code in spec.transforms:
            ends = np.array([own["lower"], own["upper"]])
            lower, upper = transform_values(code, ends, spec.transforms[code])
            own.update(lower=float(lower), upper=float(upper))
        if method == "dist2targ" and "target" in own and code in spec.transforms:
            target = transform_values(code, np.array([own["target"]]), spec.transforms[code])
            own["target"] = float(target[0])
        params[code] = own
    return params


def _targets_transformed(framework: Framework, spec: BuildSpec) -> dict[str, float]:
    """The iMeta targets, through each indicator's transforms (a target in $ for a logged
    indicator becomes the log of it), as goalposts are."""
    out = {}
    for node in framework.indicators:
        if node.target is None:
            continue
        steps = spec.transforms.get(node.code, ())
        out[node.code] = float(transform_values(node.code, np.array([node.target]), steps)[0])
    return out


def _outside_domain_as_missing(
    x: np.ndarray, method: str, code: str, units: Sequence[str], spec: BuildSpec
) -> np.ndarray:
    """A geometric mean cannot take a zero or negative child, a harmonic mean a zero one. With
    `aggregation_missing = "propagate"` such a unit gets a missing aggregate (UNDP publishes no
    HDI for Rwanda in 1994, whose life expectancy lies below the lower goalpost); otherwise the
    build stops and names the units, as COINr refuses too."""
    bad = (x <= 0) if method == "gmean" else (x == 0) if method == "hmean" else np.zeros_like(x)
    rows = np.asarray(np.asarray(bad, dtype=bool).any(axis=1))  # one flag per unit
    if not rows.any():
        return x
    if spec.aggregation_missing != "propagate":
        names = ", ".join(u for u, r in zip(units, rows, strict=True) if r)
        raise EngineError(
            _(
                "%(code)s: the %(method)s needs positive values but %(units)s have a zero or "
                "negative one; normalise onto e.g. [1, 100], or let such units go missing "
                "(aggregate.missing: propagate)"
            )
            % {"code": code, "method": method, "units": names}
        )
    return np.where(rows[:, None], np.nan, x)


WEIGHTINGS = ("given", "equal", "ahp", *DATA_WEIGHTINGS)


def _weights(x: np.ndarray, parent: str, children, spec: BuildSpec) -> np.ndarray:
    """The weights of one parent's children: as the framework gives them, equal, from experts'
    pairwise judgements (AHP), or from the data of the children themselves (entropy, CRITIC,
    PCA), so each level is weighed on its own."""
    weighting = spec.weighting
    if weighting == "given" or (weighting == "ahp" and parent not in spec.ahp):
        return np.array([c.weight for c in children], dtype=float)
    if weighting == "equal":
        return np.ones(len(children))
    if weighting == "ahp":
        return weights_ahp(np.array(spec.ahp[parent], dtype=float)).weights
    if weighting not in DATA_WEIGHTINGS:
        raise EngineError(f"unknown weighting {weighting!r}; known: {', '.join(WEIGHTINGS)}")
    return DATA_WEIGHTINGS[weighting](x)


def _aggregate(
    table: Table, framework: Framework, spec: BuildSpec, used: dict[str, float]
) -> Table:
    """As `aggregate.aggregate`, but with a method per level and an optional rule that a
    missing child makes the aggregate missing (the HDI is not published for a country lacking
    one of its dimensions, whereas COINr renormalises the weights of the children present)."""
    codes = list(table.codes)
    columns = list(table.values.T)
    for level in range(2, framework.max_level + 1):
        method = spec.aggregation_by_level.get(level, spec.aggregation)
        if method not in AGGREGATORS:
            raise EngineError(f"unknown aggregation {method!r}; known: {', '.join(AGGREGATORS)}")
        for node in framework.level(level):
            children = framework.children(node.code)
            x = np.column_stack([columns[codes.index(c.code)] for c in children])
            w = _weights(x, node.code, children, spec)
            used.update(zip((c.code for c in children), (w / w.sum()).tolist(), strict=True))
            x = _outside_domain_as_missing(x, method, node.code, table.units, spec)
            if method == "genmean":
                y = AGGREGATORS[method](x, w, spec.aggregation_p)
            else:
                y = AGGREGATORS[method](x, w)
            if spec.aggregation_missing == "propagate":
                y = np.where(np.isnan(x).any(axis=1), np.nan, y)
            codes.append(node.code)
            columns.append(y)
    return Table(table.units, tuple(codes), np.column_stack(columns))


def _select_time(data: CompositeData, table: Table, spec: BuildSpec) -> tuple[Table, np.ndarray]:
    """Keep the rows of the time point to build; plain (non-panel) data keeps every row."""
    if not isinstance(data, PanelData):
        return table, np.ones(len(table.units), dtype=bool)
    if spec.time is None:
        raise EngineError(_("panel data needs the time point to build (time.build)"))
    keep = np.array(data.times) == spec.time
    if not keep.any():
        raise EngineError(_("no row of the panel has time %(time)g") % {"time": spec.time})
    return table.select_units(keep), keep


def _panel_steps(
    data: CompositeData, table: Table, spec: BuildSpec, stages: dict[str, Table]
) -> tuple[Table, np.ndarray]:
    """Panel imputation runs on every time point (a gap is filled from the unit's own other
    years), then the rows of the time point to build are kept. Returns them and the mask."""
    if spec.imputation in PANEL_IMPUTATIONS:
        if not isinstance(data, PanelData):
            raise EngineError(
                _("imputation %(method)r needs panel data (a time column)")
                % {"method": spec.imputation}
            )
        table = stages["Imputed"] = impute_panel(table, data.times, str(spec.imputation))
    table, keep = _select_time(data, table, spec)
    if isinstance(data, PanelData):
        stages["Selected"] = table
    return table, keep


def _screen_and_impute(
    data: CompositeData,
    table: Table,
    spec: BuildSpec,
    keep: np.ndarray,
    stages: dict[str, Table],
) -> tuple[Table, tuple[str, ...]]:
    """Screen before imputing (drop units short of real data) or after it, as COINr's example
    does; `keep` tracks the rows left so that the group labels follow them."""
    removed: tuple[str, ...] = ()
    if spec.dat_thresh is not None and spec.screen_before_impute:
        screened = screen_by_availability(table, spec.dat_thresh)
        keep[keep] = [u not in screened.removed_units for u in table.units]
        table, removed = screened.table, screened.removed_units
        stages["Screened"] = table
    if spec.imputation is not None and spec.imputation not in PANEL_IMPUTATIONS:
        table = stages["Imputed"] = _impute(table, data, spec, keep)
    if spec.dat_thresh is not None and not spec.screen_before_impute:
        screened = screen_by_availability(table, spec.dat_thresh)
        table = stages["Screened"] = screened.table
        removed = screened.removed_units
    return table, removed


def composite_build(data: CompositeData, spec: BuildSpec | None = None) -> BuildResult:
    """Run the steps `spec` asks for, in the order of the module docstring."""
    spec = spec or BuildSpec()
    framework = data.framework
    stages: dict[str, Table] = {"Raw": data.raw}
    table = data.raw
    if spec.denominate:
        by = {n.code: n.denominator for n in framework.indicators}
        table = stages["Denominated"] = denominate(table, data.denominators, by)
    table, keep = _panel_steps(data, table, spec, stages)
    table, removed = _screen_and_impute(data, table, spec, keep, stages)
    details: tuple[TreatmentDetail, ...] = ()
    if spec.treat:
        table, details = _treat(table, spec)
        stages["Treated"] = table
    if spec.transforms:
        table = stages["Transformed"] = _transform(table, spec)
    directions = {n.code: n.direction for n in framework.indicators}
    table = stages["Normalised"] = normalise(
        table,
        directions,
        spec.normalisation,
        spec.normalisation_params,
        column_params=_goalposts_transformed(spec),
        column_methods={code: m for code, (m, _params) in spec.normalisation_overrides.items()},
        targets=_targets_transformed(framework, spec),
    )
    weights: dict[str, float] = {}
    table = stages["Aggregated"] = _aggregate(table, framework, spec, weights)
    if spec.rounding is not None:
        stages["Rounded"] = table.with_values(np.round(table.values, spec.rounding))
    return BuildResult(stages, details, removed, weights)


@dataclass(frozen=True)
class ResultsRow:
    """One unit's line of the results table: its scores for every aggregate and its rank."""

    code: str
    name: str
    scores: dict[str, float]
    rank: float


def results_rows(data: CompositeData, result: BuildResult) -> list[ResultsRow]:
    """The results table, best first (COINr's `get_results`): the scores of every aggregate,
    top level first, and the rank on the first top-level aggregate (the index). Units are
    matched by code, so units removed by screening are simply absent."""
    aggregates = results_columns(data.framework)[2:-1]
    scores = result.scores
    ranks = rank_descending(scores.column(aggregates[0]))
    names = dict(zip(data.raw.units, data.unit_names, strict=True))
    order = sorted(range(len(scores.units)), key=lambda i: (np.isnan(ranks[i]), ranks[i], i))
    return [
        ResultsRow(
            code=scores.units[i],
            name=names.get(scores.units[i], ""),
            scores={code: float(scores.values[i, scores.codes.index(code)]) for code in aggregates},
            rank=float(ranks[i]),
        )
        for i in order
    ]


def results_columns(framework: Framework) -> list[str]:
    """Column names of the results table, in the order `results_rows` fills them."""
    aggregates = [
        n.code for level in range(framework.max_level, 1, -1) for n in framework.level(level)
    ]
    return ["uCode", "uName", *aggregates, "Rank"]


__all__ = [
    "AGGREGATION_MISSING",
    "IMPUTATIONS",
    "TRANSFORMS",
    "TREATMENTS",
    "BuildResult",
    "BuildSpec",
    "PanelData",
    "ResultsRow",
    "composite_build",
    "rank_descending",
    "results_columns",
    "results_rows",
]
