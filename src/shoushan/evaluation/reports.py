"""What the pages and the blue book show of a build: the ranking rows and a unit's profile,
shaped once so that the screen and the printed book cannot disagree."""

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from shoushan.evaluation.engine import Node
from shoushan.evaluation.engine.analysis import strengths_weaknesses
from shoushan.evaluation.engine.results import rank_descending
from shoushan.evaluation.engine.uncertainty import (
    UncertaintySpec,
    composite_sobol,
    rank_uncertainty,
)
from shoushan.evaluation.services import Built, uncertainty_inputs
from shoushan.regions.models import Region

PROFILE_INDICATORS = 5  # strengths and weaknesses shown per unit


def aggregates_of(built: Built) -> list[Node]:
    """The aggregates from the index down to the pillars, in the framework's order."""
    framework = built.data.framework
    return [n for level in range(framework.max_level, 1, -1) for n in framework.level(level)]


def ranking_rows(built: Built, previous: dict[str, int] | None = None) -> list[dict]:
    """One row per unit, best first: code, name, rank, the change from `previous` ranks (a
    positive change is a rise) and the score of every aggregate (index first)."""
    scores = built.result.scores
    aggregates = aggregates_of(built)
    ranks = rank_descending(scores.column(aggregates[0].code))
    names = unit_names(built)
    rows = []
    for i, unit in enumerate(scores.units):
        rank = None if math.isnan(ranks[i]) else int(ranks[i])
        before = (previous or {}).get(unit)
        rows.append(
            {
                "code": unit,
                "name": names.get(unit, ""),
                "rank": rank,
                "change": before - rank if before and rank else None,
                "scores": [score(scores.values[i, scores.codes.index(a.code)]) for a in aggregates],
            }
        )
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["code"]))
    return rows


def index_ranks(built: Built) -> dict[str, int]:
    scores = built.result.scores
    ranks = rank_descending(scores.column(aggregates_of(built)[0].code))
    return {u: int(r) for u, r in zip(scores.units, ranks, strict=True) if not math.isnan(r)}


@dataclass(frozen=True)
class UnitProfile:
    code: str
    name: str
    aggregates: list[dict]  # node, score, rank
    pillars: list[dict]  # node, score, rank (level 2)
    strengths: list[dict]  # node, raw value, rank: where the unit ranks best
    weaknesses: list[dict]  # … and worst, the worst first


def unit_profile_of(built: Built, unit: str) -> UnitProfile:
    """A unit's score and rank on every aggregate, and its strengths and weaknesses as COINr
    finds them: the indicators on which it ranks best and worst among the units, direction
    counted, leaving out those where it merely shares the last place."""
    scores = built.result.scores
    row = scores.units.index(unit)

    def entry(node: Node) -> dict:
        return {
            "node": node,
            "score": score(scores.values[row, scores.codes.index(node.code)]),
            "rank": _rank_of(scores.column(node.code), row),
        }

    framework = built.data.framework
    nodes = {node.code: node for node in framework.indicators}
    found = strengths_weaknesses(
        built.data.raw,
        unit,
        top_n=PROFILE_INDICATORS,
        bottom_n=PROFILE_INDICATORS,
        directions={code: node.direction for code, node in nodes.items()},
    )

    def listed(entries) -> list[dict]:
        return [
            {"node": nodes[e.code], "raw": score(e.value), "rank": int(e.rank)} for e in entries
        ]

    return UnitProfile(
        code=unit,
        name=unit_names(built).get(unit, ""),
        aggregates=[entry(node) for node in aggregates_of(built)],
        pillars=[entry(node) for node in framework.level(2)],
        strengths=listed(found.strengths),
        weaknesses=listed(reversed(found.weaknesses)),  # the worst first
    )


def unit_names(built: Built) -> dict[str, str]:
    return dict(zip(built.data.raw.units, built.data.unit_names, strict=True))


def score(value: float) -> float | None:
    """A score as shown: two decimals, None when missing."""
    return None if math.isnan(value) else round(float(value), 2)


def _rank_of(column: np.ndarray, row: int) -> int | None:
    rank = rank_descending(column)[row]
    return None if math.isnan(rank) else int(rank)


PROVINCE_BOUNDARIES = "boundaries/china_provinces_ocha2020_wgs84_simplified.geojson"


def province_boundaries_file() -> Path | None:
    """China's provinces (OCHA COD-AB, simplified) in SHOUSHAN_SHARED_DATA, if installed: the
    file's licence has not been checked for redistribution, so the project does not ship it."""
    path = settings.SHARED_DATA_DIR / PROVINCE_BOUNDARIES
    return path if path.is_file() else None


def province_areas(rows: list[dict]) -> list[dict]:
    """Map areas for units whose uCode is a province's two-digit code (GB/T 2260), keyed by the
    boundary file's ADM1_PCODE (CN011 is Beijing's 11)."""
    return [
        {"name": f"CN0{r['code']}", "value": r["scores"][0], "unit": r["name"] or r["code"]}
        for r in rows
        if len(r["code"]) == 2 and r["code"].isdigit()
    ]


def region_features(codes) -> list[dict]:
    """GeoJSON features (WGS84) of the platform's regions among `codes` that have a boundary,
    each with its code and name, and whether the boundary was generated for the demo."""
    regions = Region.objects.filter(code__in=list(codes)).exclude(boundary=None)
    return [
        {
            "type": "Feature",
            "properties": {"code": r.code, "name": r.name, "generated": r.boundary_generated},
            "geometry": r.boundary,
        }
        for r in regions.only("code", "name", "boundary", "boundary_generated")
    ]


@dataclass(frozen=True)
class AreaMap:
    """What a choropleth of the results needs: the areas (name = the key in the boundary file's
    `key` property), and where the boundaries come from."""

    areas: list[dict]
    key: str  # the feature property the areas are keyed by
    regions: bool  # True: the platform's own regions; False: China's provinces


def area_map(rows: list[dict]) -> AreaMap | None:
    """A map of the index when the units are provinces (two-digit codes) or the platform's own
    regions (12-digit codes with a boundary), else None."""
    provinces = province_areas(rows)
    if provinces and province_boundaries_file():
        return AreaMap(provinces, "ADM1_PCODE", regions=False)
    codes = [r["code"] for r in rows if len(r["code"]) == 12 and r["code"].isdigit()]
    drawn = {f["properties"]["code"] for f in region_features(codes)} if codes else set()
    areas = [
        {"name": r["code"], "value": r["scores"][0], "unit": r["name"] or r["code"]}
        for r in rows
        if r["code"] in drawn
    ]
    return AreaMap(areas, "code", regions=True) if areas else None


METHOD_NAMES = {
    "mean": _("mean"),
    "median": _("median"),
    "group_mean": _("group mean"),
    "group_median": _("group median"),
    None: _("no imputation"),
    True: _("treated"),
    False: _("not treated"),
    "minmax": _("min-max"),
    "zscore": _("z-score"),
    "rank": _("rank"),
    "borda": _("Borda"),
    "prank": _("percentile rank"),
    "fracmax": _("fraction of max"),
    "dist2max": _("distance to max"),
    "goalposts": _("goalposts"),
    "amean": _("arithmetic mean"),
    "gmean": _("geometric mean"),
    "hmean": _("harmonic mean"),
    "genmean": _("generalised mean"),
    "copeland": _("Copeland"),
}


@dataclass(frozen=True)
class Uncertainty:
    rows: list[dict]  # code, name, nominal, median, p05, p95: best nominal rank first
    sensitivity: list[dict]  # input, label, first, total, total_low, total_high
    inputs: list[str]  # what was varied, one readable line per input
    replications: int
    sobol_samples: int


def _option_name(option) -> str:
    """A readable alternative: a method name with its parameters, e.g. min-max [1, 100]."""
    if not isinstance(option, tuple):
        return str(METHOD_NAMES.get(option, option))
    method, params = option
    name = str(METHOD_NAMES.get(method, method))
    if method == "minmax":
        return f"{name} [{params.get('lower', 0):g}, {params.get('upper', 100):g}]"
    if params:
        return name + " (" + ", ".join(f"{k} = {v:g}" for k, v in params.items()) + ")"
    return name


def _input_label(name: str, spec: UncertaintySpec) -> str:
    if name.startswith("weights_level_"):
        return _("weights of level %(level)s ± %(noise)g %%") % {
            "level": name.removeprefix("weights_level_"),
            "noise": spec.weight_noise * 100,
        }
    step = {
        "imputation": _("imputation"),
        "treatment": _("outlier treatment"),
        "normalisation": _("normalisation"),
        "aggregation": _("aggregation"),
        "dat_thresh": _("data threshold"),
    }[name]
    options = " / ".join(_option_name(o) for o in spec.choices[name])
    return _("%(step)s: %(options)s") % {"step": step, "options": options}


def uncertainty_of(built: Built) -> Uncertainty:
    """Monte Carlo rank intervals (5–95 %) and Sobol indices of the mean rank shift, over the
    alternatives the data set's pipeline file lists (or the standard ones)."""
    plan, base = uncertainty_inputs(built)
    framework = built.data.framework
    spread = rank_uncertainty(base, framework, plan.spec, plan.replications, seed=plan.seed)
    names = unit_names(built)
    rows = sorted(
        (
            {
                "code": unit,
                "name": names.get(unit, "") or unit,
                "nominal": _int(spread.nominal[i]),
                "median": _int(spread.median[i]),
                "p05": _int(spread.p05[i]),
                "p95": _int(spread.p95[i]),
            }
            for i, unit in enumerate(spread.units)
        ),
        key=lambda r: (r["nominal"] is None, r["nominal"] or 0),
    )
    sobol = composite_sobol(
        base, framework, plan.spec, n=plan.sobol_samples, seed=plan.seed, n_boot=200
    )
    sensitivity = [
        {
            "input": name,
            "label": _input_label(name, plan.spec),
            "first": round(float(sobol.first[k]), 3),
            "total": round(float(sobol.total[k]), 3),
            "total_low": round(float(sobol.total_ci[0][k]), 3),
            "total_high": round(float(sobol.total_ci[1][k]), 3),
        }
        for k, name in enumerate(sobol.inputs)
    ]
    return Uncertainty(
        rows=rows,
        sensitivity=sensitivity,
        inputs=[s["label"] for s in sensitivity],
        replications=plan.replications,
        sobol_samples=plan.sobol_samples,
    )


def _int(value: float) -> int | None:
    return None if math.isnan(value) else round(float(value))
