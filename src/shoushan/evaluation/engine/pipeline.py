"""Pipeline files (构建流程文件): a YAML file that says which optional steps of the build run and
with which parameters, so that an index's method is written down beside its framework and can
be reviewed and rerun, rather than living in code.

Every key is optional; a missing step is skipped. An empty file (or no file) is COINr's
JOSS-paper pipeline: the raw data, min-max onto [0, 100], weighted arithmetic mean at every
level. The keys::

    denominate: true                  # divide by the iMeta Denominator column
    time: {column: Time, build: 2022} # panel data: its time column and the time point to build
    screen: {dat_thresh: 0.9, after_impute: false}
    impute: {method: group_mean, group: EurAsia_group}
        # mean | median | group_mean | group_median; with `time`: latest | constant | linear
    treat: {winmax: 5, skew_thresh: 2, kurt_thresh: 3.5, indicators: {Goods: none}}
        # per indicator: default | none | winsorise | log
    transform: {gnipc: [log], le: [{cap: 85}]}     # log | {cap: x} | {floor: x}, in order
    normalise:
      method: minmax                  # minmax | zscore | rank | borda | prank | fracmax |
      lower: 0                        #   dist2max | goalposts | dist2targ (target, cap_max;
                                      #   default target: iMeta's Target) | dist2ref
                                      #   (reference: a uCode, cap_max), with their parameters
      upper: 100
      indicators:                     # goalposts in the indicator's own (untransformed) units
        le: {method: goalposts, lower: 20, upper: 85, truncate: true}
    aggregate: {method: arithmetic, levels: {3: geometric}, missing: skip, weights: given}
        # arithmetic | geometric | harmonic | generalised (with p: 0.5) | copeland;
        # missing: skip (COINr) | propagate; weights: given | equal | entropy | critic | pca |
        # ahp, with `ahp: {Physical: [[1, 3], [1/3, 1]]}`: a pairwise matrix per parent, rows
        # in the order of its children (Saaty's 1–9 scale; refused if CR > 0.1)
    round: 3
    # What the uncertainty analysis varies, the first option of each list being the nominal one;
    # a step left out keeps the build's method. Without this section: treated or not, min-max
    # [1, 100] or rank, arithmetic or geometric means, indicator weights ± 25 %.
    uncertainty:
      treat: [true, false]
      impute: [group_mean, mean, none]
      normalise: [{method: minmax, lower: 1, upper: 100}, rank]
      aggregate: [arithmetic, geometric, {method: generalised, p: 0.5}]
      weights: {noise: 0.25, levels: [1]}
      replications: 1000
      sobol_samples: 256
      seed: 2026
"""

import contextlib
import csv
import math
import tempfile
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from shoushan.evaluation.engine.data import (
    CompositeData,
    EngineError,
    InputError,
    Table,
    composite_data_read,
)
from shoushan.evaluation.engine.impute import PANEL_IMPUTATIONS
from shoushan.evaluation.engine.messages import _
from shoushan.evaluation.engine.results import (
    AGGREGATION_MISSING,
    IMPUTATIONS,
    TREATMENTS,
    WEIGHTINGS,
    BuildResult,
    BuildSpec,
    PanelData,
    TransformStep,
    composite_build,
)
from shoushan.evaluation.engine.uncertainty import Option, UncertaintyPlan, UncertaintySpec
from shoushan.evaluation.engine.weights import weights_ahp

# COINr's JOSS-paper pipeline: what an empty pipeline file means.
PLAIN_SPEC = BuildSpec(denominate=False, imputation=None, dat_thresh=None, treat=False)

AGGREGATION_NAMES = {
    "arithmetic": "amean",
    "geometric": "gmean",
    "harmonic": "hmean",
    "generalised": "genmean",
    "copeland": "copeland",
    "amean": "amean",
    "gmean": "gmean",
    "hmean": "hmean",
    "genmean": "genmean",
}
# Parameters each normaliser takes (besides the data), and which of them are required.
NORMALISER_PARAMS: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "minmax": (("lower", "upper"), ()),
    "zscore": (("mean", "sd"), ()),
    "rank": ((), ()),
    "borda": ((), ()),
    "prank": ((), ()),
    "fracmax": ((), ()),
    "dist2max": ((), ()),
    "dist2targ": (("target", "cap_max"), ()),
    "dist2ref": (("reference", "cap_max"), ("reference",)),
    "goalposts": (("lower", "upper", "scale", "truncate"), ("lower", "upper")),
}
STEP_KEYS = (
    "uncertainty",
    "denominate",
    "time",
    "screen",
    "impute",
    "treat",
    "transform",
    "normalise",
    "aggregate",
    "round",
)


class PipelineError(EngineError):
    """Every problem found in a pipeline file, each naming its key, so that one run of the
    check lists them all."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__("\n".join(self.lines))

    @property
    def lines(self) -> list[str]:
        return [f"{self.source}: {problem}" for problem in self.problems]


@dataclass(frozen=True)
class Pipeline:
    """A parsed pipeline file: the build spec, and the time column when the data is a panel."""

    spec: BuildSpec = PLAIN_SPEC
    time_column: str | None = None
    source: str = "pipeline"  # the file name, for messages
    uncertainty: UncertaintyPlan | None = None  # None: the standard analysis (reports.py)


class _Checker:
    """Collects problems while the parser reads the file, each prefixed with its key path."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, key: str, problem: str) -> None:
        """Record a problem under its dotted key, e.g. `normalise.indicators.le.lower`."""
        where = key or _("(the whole file)")
        self.problems.append(f"{where}: {problem}")

    def mapping(self, value: Any, key: str, known: tuple[str, ...] | None = None) -> dict:
        """A section; a blank one (`treat:`) means the step with its defaults."""
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(
                key, _("must be a mapping of keys to values, not %(value)r") % {"value": value}
            )
            return {}
        for name in value:
            if known is not None and name not in known:
                problem = _("unknown key; known: %(known)s") % {"known": ", ".join(known)}
                self.fail(f"{key}.{name}" if key else str(name), problem)
        return value

    def number(
        self, value: Any, key: str, low: float = -math.inf, high: float = math.inf
    ) -> float | None:
        """A finite number; YAML's `true` is refused although Python counts it as 1."""
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not ok or not math.isfinite(value) or not low <= value <= high:
            if (low, high) == (-math.inf, math.inf):
                problem = _("must be a number, not %(value)r") % {"value": value}
            else:
                problem = _("must be a number from %(low)g to %(high)g, not %(value)r") % {
                    "low": low,
                    "high": high,
                    "value": value,
                }
            self.fail(key, problem)
            return None
        return float(value)

    def integer(self, value: Any, key: str, low: int = 0) -> int | None:
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            self.fail(
                key,
                _("must be a whole number from %(low)d, not %(value)r")
                % {"low": low, "value": value},
            )
            return None
        return value

    def boolean(self, value: Any, key: str) -> bool:
        if not isinstance(value, bool):
            self.fail(key, _("must be true or false, not %(value)r") % {"value": value})
            return False
        return value

    def choice(self, value: Any, key: str, known: Collection[str]) -> Any:
        """One of the known names; anything else (a list, a number) is refused by name."""
        if not isinstance(value, str) or value not in known:
            self.fail(
                key,
                _("%(value)r is not one of %(known)s")
                % {"value": value, "known": ", ".join(known)},
            )
            return None
        return value


def _screen(c: _Checker, raw: Any) -> dict[str, Any]:
    """Screening runs before imputation unless `after_impute` (COINr's example order)."""
    section = c.mapping(raw, "screen", ("dat_thresh", "after_impute"))
    if "dat_thresh" not in section:
        c.fail("screen.dat_thresh", _("is required when screening"))
        return {}
    return {
        "dat_thresh": c.number(section["dat_thresh"], "screen.dat_thresh", 0, 1),
        "screen_before_impute": not c.boolean(
            section.get("after_impute", False), "screen.after_impute"
        ),
    }


def _impute(c: _Checker, raw: Any, panel: bool) -> dict[str, Any]:
    """Panel methods need the `time` section, since they fill a gap from the unit's own past."""
    section = c.mapping(raw, "impute", ("method", "group"))
    method = c.choice(section.get("method"), "impute.method", IMPUTATIONS)
    if method in PANEL_IMPUTATIONS and not panel:
        c.fail(
            "impute.method",
            _("%(method)r needs panel data: add `time: {column: ..., build: ...}`")
            % {"method": method},
        )
    if method in ("group_mean", "group_median"):
        if not isinstance(section.get("group"), str):
            c.fail(
                "impute.group",
                _("name the iMeta Group column to impute within, for %(method)s")
                % {"method": method},
            )
        return {"imputation": method, "impute_group": section.get("group")}
    if "group" in section:
        c.fail(
            "impute.group",
            _("only group_mean and group_median use a group, not %(method)s") % {"method": method},
        )
    return {"imputation": method}


def _treat(c: _Checker, raw: Any) -> dict[str, Any]:
    """`treat: true` (or a blank `treat:`) is COINr's default treatment of every indicator."""
    if isinstance(raw, bool):
        return {"treat": raw}
    known = ("winmax", "skew_thresh", "kurt_thresh", "indicators")
    section = c.mapping(raw, "treat", known)
    spec: dict[str, Any] = {"treat": True}
    if "winmax" in section:
        spec["treat_winmax"] = c.integer(section["winmax"], "treat.winmax", 1)
    for name in ("skew_thresh", "kurt_thresh"):
        if name in section:
            spec[f"treat_{name}"] = c.number(section[name], f"treat.{name}")
    overrides = c.mapping(section.get("indicators"), "treat.indicators")
    spec["treat_overrides"] = {
        str(code): c.choice(how, f"treat.indicators.{code}", TREATMENTS)
        for code, how in overrides.items()
    }
    return spec


def _transform_step(c: _Checker, raw: Any, key: str) -> TransformStep | None:
    """`log`, `{cap: x}` or `{floor: x}`: few enough to read at a glance in the file."""
    if raw == "log":
        return ("log", None)
    if isinstance(raw, dict) and len(raw) == 1:
        ((name, value),) = raw.items()
        if name in ("cap", "floor"):
            number = c.number(value, f"{key}.{name}")
            return None if number is None else (name, number)
    c.fail(key, _("must be log, {cap: number} or {floor: number}, not %(value)r") % {"value": raw})
    return None


def _transforms(c: _Checker, raw: Any) -> dict[str, Any]:
    """Per indicator, a list of steps applied in order after treatment, before normalising."""
    section = c.mapping(raw, "transform")
    transforms: dict[str, tuple[TransformStep, ...]] = {}
    for code, steps in section.items():
        key = f"transform.{code}"
        if not isinstance(steps, list) or not steps:
            c.fail(key, _("must be a list of steps, e.g. [log], not %(value)r") % {"value": steps})
            continue
        parsed = [_transform_step(c, step, f"{key}[{i}]") for i, step in enumerate(steps)]
        transforms[str(code)] = tuple(s for s in parsed if s is not None)
    return {"transforms": transforms}


def _normaliser(
    c: _Checker, section: dict, key: str, nested: tuple[str, ...] = ()
) -> tuple[str | None, dict[str, Any]]:
    """One normaliser with its parameters: the section default or one indicator's override.
    Parameters are checked against the method, so that a misspelt goalpost is not ignored."""
    method = c.choice(section.get("method", "minmax"), f"{key}.method", NORMALISER_PARAMS)
    if method is None:
        return None, {}
    allowed, required = NORMALISER_PARAMS[method]
    params: dict[str, Any] = {}
    for name, value in section.items():
        if name == "method" or name in nested:
            continue
        if name not in allowed:
            c.fail(
                f"{key}.{name}",
                _("%(method)s takes no such parameter; it takes: %(allowed)s")
                % {"method": method, "allowed": ", ".join(allowed) or "-"},
            )
        elif name in ("truncate", "cap_max"):
            params[name] = c.boolean(value, f"{key}.{name}")
        elif name == "reference":
            params[name] = str(value)  # a unit code, checked against the data when building
        else:
            params[name] = c.number(value, f"{key}.{name}")
    for name in required:
        if name not in section:
            c.fail(f"{key}.{name}", _("is required for %(method)s") % {"method": method})
    return method, params


def _normalise(c: _Checker, raw: Any) -> dict[str, Any]:
    """A default method for every indicator, and overrides by indicator code."""
    section = c.mapping(raw, "normalise")
    method, params = _normaliser(c, section, "normalise", nested=("indicators",))
    if method == "minmax" and not params:
        params = {"lower": 0.0, "upper": 100.0}
    overrides = {}
    for code, own in c.mapping(section.get("indicators"), "normalise.indicators").items():
        key = f"normalise.indicators.{code}"
        own_method, own_params = _normaliser(c, c.mapping(own, key), key)
        if own_method is not None:
            overrides[str(code)] = (own_method, own_params)
    return {
        "normalisation": method or "minmax",
        "normalisation_params": params,
        "normalisation_overrides": overrides,
    }


def _aggregate(c: _Checker, raw: Any) -> dict[str, Any]:
    """A default method, overrides by framework level, and the rule for missing children."""
    section = c.mapping(raw, "aggregate", ("method", "levels", "missing", "p", "weights", "ahp"))
    method = c.choice(section.get("method", "arithmetic"), "aggregate.method", AGGREGATION_NAMES)
    by_level = {}
    for level, name in c.mapping(section.get("levels"), "aggregate.levels").items():
        key = f"aggregate.levels.{level}"
        if c.integer(level, key, 2) is not None and c.choice(name, key, AGGREGATION_NAMES):
            by_level[level] = AGGREGATION_NAMES[name]
    missing = c.choice(section.get("missing", "skip"), "aggregate.missing", AGGREGATION_MISSING)
    weighting = c.choice(section.get("weights", "given"), "aggregate.weights", WEIGHTINGS)
    p = c.number(section.get("p", 1.0), "aggregate.p", -50, 50)
    ahp = _ahp(c, section.get("ahp"))
    if weighting == "ahp" and not section.get("ahp"):
        c.fail("aggregate.ahp", _("is required with weights: ahp (a matrix per parent code)"))
    return {
        "aggregation": AGGREGATION_NAMES.get(method, "amean"),
        "aggregation_by_level": by_level,
        "aggregation_missing": missing or "skip",
        "aggregation_p": 1.0 if p is None else p,
        "weighting": weighting or "given",
        "ahp": ahp,
    }


def _judgement(c: _Checker, value: Any, key: str) -> float | None:
    """One pairwise judgement: a number, or a fraction written "1/3" as experts write them."""
    if isinstance(value, str) and value.count("/") == 1:
        top, bottom = (part.strip() for part in value.split("/"))
        with contextlib.suppress(ValueError, ZeroDivisionError):
            value = float(top) / float(bottom)
    return c.number(value, key, 1e-9, 1e9)


def _ahp(c: _Checker, raw: Any) -> dict[str, tuple[tuple[float, ...], ...]]:
    """Pairwise comparison matrices by parent code; each must be square, reciprocal and
    consistent (CR ≤ 0.1), checked here so the file's author learns it before any build."""
    out = {}
    for parent, rows in c.mapping(raw, "aggregate.ahp").items():
        key = f"aggregate.ahp.{parent}"
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            c.fail(key, _("must be a list of rows, each a list of judgements"))
            continue
        matrix = [
            [_judgement(c, v, f"{key}[{i + 1}][{j + 1}]") for j, v in enumerate(row)]
            for i, row in enumerate(rows)
        ]
        if any(v is None for row in matrix for v in row):
            continue
        try:
            weights_ahp(np.array(matrix, dtype=float))
        except (EngineError, ValueError) as error:
            c.fail(key, str(error))
            continue
        # no judgement is None by now (the check above)
        out[str(parent)] = tuple(tuple(float(v) for v in row if v is not None) for row in matrix)
    return out


def _options(c: _Checker, section: dict, key: str) -> list[tuple[str, Any]]:
    """A list of alternatives under `uncertainty.<key>`, each with its own key for messages."""
    value = section.get(key)
    if value is None:
        return []
    where = f"uncertainty.{key}"
    if not isinstance(value, list) or not value:
        c.fail(where, _("must be a list of alternatives, the nominal one first"))
        return []
    return [(f"{where}[{i + 1}]", option) for i, option in enumerate(value)]


def _uncertain_normalisation(c: _Checker, where: str, option: Any) -> Option | None:
    if isinstance(option, str):
        option = {"method": option}
    method, params = _normaliser(c, c.mapping(option, where), where)
    if method is None:
        return None
    if method == "minmax" and not params:
        params = {"lower": 0.0, "upper": 100.0}
    return method, params


def _uncertain_aggregation(c: _Checker, where: str, option: Any) -> Option | None:
    if isinstance(option, str):
        option = {"method": option}
    section = c.mapping(option, where, ("method", "p"))
    name = c.choice(section.get("method"), f"{where}.method", AGGREGATION_NAMES)
    if name is None:
        return None
    params = {}
    if "p" in section:
        p = c.number(section["p"], f"{where}.p", -50, 50)
        params = {"p": 1.0 if p is None else p}
    return AGGREGATION_NAMES[name], params


UNCERTAINTY_KEYS = (
    "replications",
    "sobol_samples",
    "seed",
    "treat",
    "impute",
    "normalise",
    "aggregate",
    "weights",
)


def _uncertainty(c: _Checker, raw: Any) -> UncertaintyPlan:
    """Which choices of method the uncertainty analysis varies; a step not listed is fixed at
    its first (nominal) option, as is any list of one."""
    section = c.mapping(raw, "uncertainty", UNCERTAINTY_KEYS)
    fields: dict[str, Any] = {}
    treatments = [c.boolean(v, k) for k, v in _options(c, section, "treat")]
    if treatments:
        fields["treatments"] = tuple(treatments)
    imputations = [
        None if v == "none" else c.choice(v, k, (*IMPUTATIONS, "none"))
        for k, v in _options(c, section, "impute")
    ]
    if imputations:
        fields["imputations"] = tuple(imputations)
    normalisations = [
        _uncertain_normalisation(c, k, v) for k, v in _options(c, section, "normalise")
    ]
    if normalisations:
        fields["normalisations"] = tuple(n for n in normalisations if n)
    aggregations = [_uncertain_aggregation(c, k, v) for k, v in _options(c, section, "aggregate")]
    if aggregations:
        fields["aggregations"] = tuple(a for a in aggregations if a)
    weights = c.mapping(section.get("weights"), "uncertainty.weights", ("noise", "levels"))
    if "noise" in weights:
        fields["weight_noise"] = c.number(weights["noise"], "uncertainty.weights.noise", 0, 0.99)
    if "levels" in weights:
        levels = weights["levels"]
        if not isinstance(levels, list) or not levels:
            c.fail("uncertainty.weights.levels", _("must be a list of framework levels"))
        else:
            key = "uncertainty.weights.levels"
            fields["noisy_levels"] = tuple(c.integer(v, key, 1) or 1 for v in levels)
    sizes = {
        "replications": (10, 20000, 1000),
        "sobol_samples": (16, 4096, 256),
        "seed": (0, 2**32 - 1, 2026),
    }
    plan: dict[str, int] = {}
    for name, (low, high, default) in sizes.items():
        value = section.get(name, default)
        if c.integer(value, f"uncertainty.{name}", low) is not None and value > high:
            c.fail(f"uncertainty.{name}", _("must be at most %(high)d") % {"high": high})
        plan[name] = value if isinstance(value, int) else default
    steps = {"treat", "impute", "normalise", "aggregate"}
    listed = frozenset(step for step in steps if step in section)
    return UncertaintyPlan(spec=UncertaintySpec(**fields), listed=listed, **plan)


def _time(c: _Checker, raw: Any) -> tuple[str | None, float | None]:
    """A panel's time column and the one time point the index is built for."""
    section = c.mapping(raw, "time", ("column", "build"))
    column = section.get("column")
    if not isinstance(column, str) or not column:
        c.fail(
            "time.column", _("must name the iData time column, not %(value)r") % {"value": column}
        )
        column = None
    if "build" not in section:
        c.fail("time.build", _("is required: the time point to build the index for"))
        return column, None
    return column, c.number(section["build"], "time.build")


def pipeline_parse(content: Any, source: str = "pipeline") -> Pipeline:
    """Turn the loaded YAML into a Pipeline, or raise PipelineError listing every problem."""
    c = _Checker()
    top = c.mapping(content, "", STEP_KEYS)
    fields: dict[str, Any] = {}
    time_column = None
    if "denominate" in top:
        fields["denominate"] = c.boolean(top["denominate"], "denominate")
    if "time" in top:
        time_column, fields["time"] = _time(c, top["time"])
    steps = [
        ("screen", _screen),
        ("treat", _treat),
        ("transform", _transforms),
        ("normalise", _normalise),
        ("aggregate", _aggregate),
    ]
    for key, parse in steps:
        if key in top:
            fields.update(parse(c, top[key]))
    if "impute" in top:
        fields.update(_impute(c, top["impute"], panel="time" in top))
    if "round" in top:
        fields["rounding"] = c.integer(top["round"], "round")
    uncertainty = _uncertainty(c, top["uncertainty"]) if "uncertainty" in top else None
    if c.problems:
        raise PipelineError(source, c.problems)
    steps_off = {"denominate": False, "imputation": None, "dat_thresh": None, "treat": False}
    return Pipeline(BuildSpec(**{**steps_off, **fields}), time_column, source, uncertainty)


def pipeline_read(path: Path) -> Pipeline:
    """Read and check a pipeline YAML file."""
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = _("line %(line)d: ") % {"line": mark.line + 1} if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        message = _("not valid YAML (%(problem)s)") % {"problem": problem}
        raise PipelineError(path.name, [where + message]) from None
    return pipeline_parse(content, path.name)


def pipeline_check(pipeline: Pipeline, data: CompositeData) -> None:
    """The checks that need the framework and data: every code the pipeline names is an
    indicator, every level exists, the group column exists."""
    spec, framework = pipeline.spec, data.framework
    indicators = {n.code for n in framework.indicators}
    problems = [
        f"{section}.{code}: "
        + _("%(code)r is not an indicator (Level 1) of the framework") % {"code": code}
        for section, codes in (
            ("treat.indicators", spec.treat_overrides),
            ("transform", spec.transforms),
            ("normalise.indicators", spec.normalisation_overrides),
        )
        for code in codes
        if code not in indicators
    ]
    problems += [
        f"aggregate.levels.{level}: "
        + _("the framework's levels run from 2 to %(top)d") % {"top": framework.max_level}
        for level in spec.aggregation_by_level
        if level > framework.max_level
    ]
    for parent, matrix in spec.ahp.items():
        node = next((n for n in framework.nodes if n.code == parent and n.level > 1), None)
        if node is None:
            problem = _("%(code)r is not an aggregate (Level 2 or above) of the framework")
            problems.append(f"aggregate.ahp.{parent}: " + problem % {"code": parent})
        elif len(matrix) != len(framework.children(parent)):
            problem = _("has %(rows)d rows but %(code)s has %(children)d children (%(names)s)")
            children = framework.children(parent)
            problems.append(
                f"aggregate.ahp.{parent}: "
                + problem
                % {
                    "rows": len(matrix),
                    "code": parent,
                    "children": len(children),
                    "names": ", ".join(n.code for n in children),
                }
            )
    if spec.imputation in ("group_mean", "group_median") and spec.impute_group not in data.groups:
        known = ", ".join(data.groups) or "none"
        problem = _("%(group)r is not a Group column (%(known)s)") % {
            "group": spec.impute_group,
            "known": known,
        }
        problems.append(f"impute.group: {problem}")
    if problems:
        raise PipelineError(pipeline.source, problems)


def panel_data_read(idata_path: Path, imeta_path: Path, time_column: str) -> PanelData:
    """Read iData holding one row per unit and time point. The rows of each time point are
    checked by the ordinary reader, so a bad cell is reported with its row in the file."""
    source = idata_path.name
    with idata_path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        if time_column not in (reader.fieldnames or []):
            raise InputError(source, _("the time column is missing"), row=1, column=time_column)
        header = list(reader.fieldnames or [])
        rows = list(reader)
    times = []
    seen: set[tuple[str, float]] = set()
    for row_number, row in enumerate(rows, start=2):
        code, text = (row.get("uCode") or "").strip(), (row.get(time_column) or "").strip()
        if not code:
            raise InputError(source, _("uCode is blank"), row=row_number, column="uCode")
        try:
            time = float(text)
        except ValueError:
            raise InputError(
                source,
                _("%(text)r is not a time point") % {"text": text},
                row=row_number,
                column=time_column,
            ) from None
        if (code, time) in seen:
            raise InputError(
                source,
                _("uCode %(code)r appears twice at time %(time)s") % {"code": code, "time": text},
                row=row_number,
                column="uCode",
            )
        seen.add((code, time))
        times.append(time)
    # The ordinary reader refuses a repeated uCode; it reads a copy whose codes are made unique
    # by the row index, and the real codes are put back afterwards.
    unique = [{**row, "uCode": f"{row['uCode'].strip()}#{i}"} for i, row in enumerate(rows)]
    data = _read_rows(idata_path, imeta_path, header, unique)
    codes = tuple(row["uCode"].strip() for row in rows)
    return PanelData(
        framework=data.framework,
        unit_names=data.unit_names,
        raw=Table(codes, data.raw.codes, data.raw.values),
        denominators=Table(codes, data.denominators.codes, data.denominators.values),
        groups=data.groups,
        times=tuple(times),
    )


def _read_rows(
    idata_path: Path, imeta_path: Path, header: list[str], rows: list[dict[str, str]]
) -> CompositeData:
    """Run the ordinary iData reader on rows already read, through a temporary copy named like
    the original so that its messages name the user's file and row."""
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / idata_path.name
        with copy.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=header)
            writer.writeheader()
            writer.writerows(rows)
        return composite_data_read(copy, imeta_path)


def pipeline_data_read(idata_path: Path, imeta_path: Path, pipeline: Pipeline) -> CompositeData:
    """Read iData and iMeta as the pipeline needs them: as a panel when it names a time
    column, else one row per unit."""
    if pipeline.time_column:
        return panel_data_read(idata_path, imeta_path, pipeline.time_column)
    return composite_data_read(idata_path, imeta_path)


def pipeline_build(data: CompositeData, pipeline: Pipeline | None = None) -> BuildResult:
    """Check the pipeline against the data, then build. No pipeline: COINr's paper pipeline."""
    pipeline = pipeline or Pipeline()
    pipeline_check(pipeline, data)
    return composite_build(data, pipeline.spec)


__all__ = [
    "PLAIN_SPEC",
    "Pipeline",
    "PipelineError",
    "panel_data_read",
    "pipeline_build",
    "pipeline_check",
    "pipeline_data_read",
    "pipeline_parse",
    "pipeline_read",
]
