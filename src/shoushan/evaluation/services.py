"""Indicator data sets: checked on upload by building them once, rebuilt on demand."""

import csv
import io
import tempfile
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shoushan.accounts.roles import EVALUATORS, require_role
from shoushan.audit.services import audit_record
from shoushan.core.errors import Forbidden, InvalidInput
from shoushan.evaluation import districts
from shoushan.evaluation.districts.platform import platform_values
from shoushan.evaluation.engine import CompositeData, EngineError, InputError
from shoushan.evaluation.engine.data import Table
from shoushan.evaluation.engine.pipeline import (
    Pipeline,
    PipelineError,
    pipeline_build,
    pipeline_data_read,
    pipeline_read,
)
from shoushan.evaluation.engine.results import BuildResult
from shoushan.evaluation.engine.uncertainty import (
    UncertaintyPlan,
    UncertaintySpec,
    uncertainty_check,
)
from shoushan.evaluation.models import Dataset
from shoushan.evaluation.selectors import EVALUATORS_ONLY, dataset_editable_by
from shoushan.evaluation.sheets import sheet_text
from shoushan.regions.models import Level, Region

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Built:
    data: CompositeData
    result: BuildResult
    pipeline: Pipeline | None = None  # the data set's pipeline file, if it has one


def dataset_build(dataset: Dataset) -> Built:
    """Read the stored sheets and build the index as the data set's pipeline file says; without
    one, min-max [0, 100] and weighted arithmetic means on the raw data (COINr's JOSS-paper
    pipeline). Milliseconds for provinces × indicators."""
    with tempfile.TemporaryDirectory(prefix="shoushan-eval-") as folder:
        data_path = _write(Path(folder) / "data", dataset.data_name, dataset.data_csv)
        meta_path = _write(Path(folder) / "meta", dataset.meta_name, dataset.meta_csv)
        pipeline = None
        if dataset.pipeline_yaml:
            pipeline = pipeline_read(
                _write(Path(folder) / "pipeline", dataset.pipeline_name, dataset.pipeline_yaml)
            )
        data = pipeline_data_read(data_path, meta_path, pipeline or Pipeline())
    return Built(data=data, result=pipeline_build(data, pipeline), pipeline=pipeline)


# The standard uncertainty analysis, for a data set whose pipeline file has no `uncertainty`
# section: would a unit keep its rank had the builder treated outliers or not, normalised by
# min-max or by rank, aggregated by arithmetic or geometric means, and weighted each indicator
# up to 25 % more or less? (min-max onto [1, 100] keeps the geometric mean defined.)
UNCERTAINTY = UncertaintyPlan(
    UncertaintySpec(
        treatments=(True, False),
        normalisations=(("minmax", {"lower": 1.0, "upper": 100.0}), ("rank", {})),
        aggregations=(("amean", {}), ("gmean", {})),
        weight_noise=0.25,
        noisy_levels=(1,),
    )
)


def uncertainty_inputs(built: Built) -> tuple[UncertaintyPlan, Table]:
    """The uncertainty plan and the table it starts from. The plan is the pipeline file's (a
    step it does not list keeps the build's own method) or the standard one with the build's
    own treatment as nominal. The table is the one before imputation when imputation is varied,
    else before outlier treatment, always over the units the build kept."""
    stages = built.result.stages
    pipeline = built.pipeline
    own = pipeline.spec if pipeline else None
    plan = pipeline.uncertainty if pipeline else None
    if plan is None:
        treated = "Treated" in stages
        plan = replace(
            UNCERTAINTY, spec=replace(UNCERTAINTY.spec, treatments=(treated, not treated))
        )
    elif own is not None:
        kept_methods: dict = {}
        if "treat" not in plan.listed:
            kept_methods["treatments"] = (own.treat,)
        if "normalise" not in plan.listed:
            kept_methods["normalisations"] = ((own.normalisation, own.normalisation_params),)
        if "aggregate" not in plan.listed:
            p = {"p": own.aggregation_p} if own.aggregation == "genmean" else {}
            kept_methods["aggregations"] = ((own.aggregation, p),)
        plan = replace(plan, spec=replace(plan.spec, **kept_methods))
    if own is not None and own.weighting != "given":
        # Weights derived by the build (equal, entropy, CRITIC, PCA, AHP) are the nominal ones.
        plan = replace(plan, spec=replace(plan.spec, weights=built.result.weights))
    spec = plan.spec
    if spec.imputations == (None,):
        names = ("Screened", "Imputed", "Selected", "Denominated", "Raw")
        return plan, next(stages[k] for k in names if k in stages)
    before: tuple[str, ...] = ("Selected", "Denominated", "Raw")
    if own is not None and own.screen_before_impute:
        before = ("Screened", *before)
    base = next(stages[k] for k in before if k in stages)
    kept = set(built.result.scores.units)
    base = base.select_units(np.array([u in kept for u in base.units]))
    labels: tuple[str | None, ...] = ()
    group = own.impute_group if own else ""
    if group in built.data.groups:
        by_unit = dict(zip(built.data.raw.units, built.data.groups[group], strict=True))
        labels = tuple(by_unit.get(u) for u in base.units)
    return replace(plan, spec=replace(spec, group_labels=labels)), base


def dataset_checked(dataset: Dataset) -> Built:
    """Build the data set and try every combination of its uncertainty alternatives once, so
    that a data set is stored only if its pages can all be drawn."""
    built = dataset_build(dataset)
    plan, base = uncertainty_inputs(built)
    uncertainty_check(base, built.data.framework, plan.spec)
    return built


def dataset_create(
    *,
    actor,
    name: str,
    note: str,
    data_file,
    meta_file,
    pipeline_file=None,
    year: int | None = None,
) -> Dataset:
    """Store a data set only if it reads and builds; otherwise raise InvalidInput naming the file,
    row and column, and store nothing."""
    require_role(actor, EVALUATORS, EVALUATORS_ONLY)
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("Give the data set a name."))
    if data_file is None or meta_file is None:
        raise InvalidInput(_("Choose both files: the indicator data and the framework."))
    sheets = []
    for upload in (data_file, meta_file, pipeline_file):
        if upload is None:
            sheets.append(("", b""))
            continue
        if upload.size > MAX_UPLOAD_BYTES:
            raise InvalidInput(_("%(file)s is larger than 5 MB.") % {"file": upload.name})
        sheets.append((Path(upload.name).name, upload.read()))
    (data_name, data_bytes), (meta_name, meta_bytes), (pipeline_name, pipeline_bytes) = sheets
    try:
        data_csv = sheet_text(data_name, data_bytes)
        meta_csv = sheet_text(meta_name, meta_bytes)
        pipeline_yaml = sheet_text(pipeline_name, pipeline_bytes) if pipeline_name else ""
    except InputError as e:
        raise InvalidInput(
            _("The sheets could not be read; nothing was stored."),
            details=[{"file": e.source, "row": e.row, "column": e.column, "reason": e.problem}],
        ) from None
    if year is not None and not 1900 <= year <= 2100:
        raise InvalidInput(_("The year %(year)s is not a year of data.") % {"year": year})
    dataset = Dataset(
        name=name[:100],
        year=year,
        note=note or "",
        data_name=data_name[:200],
        data_csv=data_csv,
        meta_name=meta_name[:200],
        meta_csv=meta_csv,
        pipeline_name=pipeline_name[:200],
        pipeline_yaml=pipeline_yaml,
        created_by=actor,
    )
    try:
        built = dataset_checked(dataset)
    except InputError as e:
        raise InvalidInput(
            _("The sheets could not be read; nothing was stored."),
            details=[{"file": e.source, "row": e.row, "column": e.column, "reason": e.problem}],
        ) from None
    except PipelineError as e:
        raise InvalidInput(
            _("The pipeline file has problems; nothing was stored."),
            details=[{"file": e.source, "reason": problem} for problem in e.problems],
        ) from None
    except EngineError as e:
        raise InvalidInput(_("The index cannot be built: %(problem)s") % {"problem": e}) from None
    with transaction.atomic():
        dataset.save()
        audit_record(
            actor=actor,
            action="evaluation.dataset_create",
            obj=dataset,
            changes={
                "units": len(built.data.raw.units),
                "indicators": len(built.data.raw.codes),
            },
        )
    return dataset


def _write(folder: Path, name: str, text: str) -> Path:
    """The engine reads files: each sheet goes into a private temporary folder under its own
    name, which the engine's error messages then quote."""
    folder.mkdir()
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


EDITABLE_COLUMNS = ("iName", "Parent", "Weight", "Direction")


def dataset_framework_edit(
    *,
    actor,
    dataset: Dataset,
    changes: dict[str, dict[str, str]],
    remove: AbstractSet[str] = frozenset(),
) -> Dataset:
    """Change the name, parent, weight and direction of framework rows (by iCode) and remove
    indicators; the sheet keeps every other column and row as it was. Stored only if the index
    still builds; audited field by field. By its owner or the city administrator."""
    _require_editor(actor, dataset)
    reader = csv.DictReader(io.StringIO(dataset.meta_csv))
    header = list(reader.fieldnames or [])
    rows = list(reader)
    audit: dict[str, list[str]] = {}
    kept = []
    for row in rows:
        code = row.get("iCode", "")
        if code in remove:
            audit[f"{code}.removed"] = [row.get("iName", ""), ""]
            continue
        kept.append(row)
        for column in EDITABLE_COLUMNS:
            wanted = changes.get(code, {}).get(column)
            if wanted is None or column not in header:
                continue
            wanted = wanted.strip()
            if wanted != row.get(column, ""):
                audit[f"{code}.{column}"] = [row.get(column, ""), wanted]
                row[column] = wanted
    if not audit:
        return dataset
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(kept)
    _rebuilt_or_refused(dataset, "meta_csv", out.getvalue(), _("The framework was not changed"))
    with transaction.atomic():
        dataset.save(update_fields=["meta_csv"])
        audit_record(actor=actor, action="evaluation.framework_edit", obj=dataset, changes=audit)
    return dataset


def dataset_pipeline_edit(*, actor, dataset: Dataset, text: str) -> Dataset:
    """Replace the data set's pipeline file (blank: COINr's plain pipeline). Stored only if it
    parses and the index builds; every problem is reported by its key. By its owner or the city
    administrator."""
    _require_editor(actor, dataset)
    text = (text or "").replace("\r\n", "\n").strip()
    text = text + "\n" if text else ""
    if text == dataset.pipeline_yaml:
        return dataset
    before = dataset.pipeline_yaml
    if text and not dataset.pipeline_name:
        dataset.pipeline_name = "pipeline.yaml"
    _rebuilt_or_refused(dataset, "pipeline_yaml", text, _("The pipeline was not changed"))
    with transaction.atomic():
        dataset.save(update_fields=["pipeline_yaml", "pipeline_name"])
        audit_record(
            actor=actor,
            action="evaluation.pipeline_edit",
            obj=dataset,
            changes={"pipeline": [before, text]},
        )
    return dataset


def _require_editor(actor, dataset: Dataset) -> None:
    require_role(actor, EVALUATORS, EVALUATORS_ONLY)
    if actor is not None and not dataset_editable_by(actor, dataset):
        raise Forbidden(_("Only the person who uploaded this data set, or the city, changes it."))


def _rebuilt_or_refused(dataset: Dataset, field: str, value: str, refusal: str) -> None:
    """Set `field` and build; if the index no longer builds, put the old value back and raise
    InvalidInput with the reasons (one per problem of a pipeline file)."""
    before = getattr(dataset, field)
    setattr(dataset, field, value)
    try:
        dataset_checked(dataset)
    except PipelineError as e:
        setattr(dataset, field, before)
        raise InvalidInput(
            f"{refusal}: " + _("the pipeline file has problems."),
            details=[{"file": e.source, "reason": problem} for problem in e.problems],
        ) from None
    except EngineError as e:
        setattr(dataset, field, before)
        problem = e.problem if isinstance(e, InputError) else str(e)
        raise InvalidInput(f"{refusal}: {problem}") from None


def district_dataset_create(*, actor, year: int) -> Dataset:
    """The city's own index of its districts for `year`: census indicators and the platform's
    own figures for the year, as a data set like any uploaded one (its framework and pipeline
    can then be edited). Indicators no district has yet are left out and named in the note."""
    require_role(actor, EVALUATORS, EVALUATORS_ONLY)
    if not 2000 <= year <= timezone.localdate().year:
        raise InvalidInput(_("The year %(year)s is not a year of data.") % {"year": year})
    values = districts.census_values(districts.census_rows(districts.CENSUS))
    for code, own in platform_values(year).items():
        values.setdefault(code, {}).update(own)
    names = dict(
        Region.objects.filter(level=Level.DISTRICT, code__startswith="11").values_list(
            "code", "name"
        )
    )
    if not names:
        raise InvalidInput(_("Load Beijing's divisions first: there are no districts."))
    meta, dropped = districts.district_framework({c: v for c, v in values.items() if c in names})
    note = _("Built %(when)s from the 2020 census and the platform's records of %(year)s.") % {
        "when": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        "year": year,
    }
    if dropped:
        note += " " + _("No district has data yet for: %(names)s.") % {"names": ", ".join(dropped)}
    return dataset_create(
        actor=actor,
        name=_("Beijing districts' social-construction index %(year)s") % {"year": year},
        note=note,
        year=year,
        data_file=SimpleUploadedFile(
            f"districts_{year}.csv", districts.district_idata(names, values).encode()
        ),
        meta_file=SimpleUploadedFile("imeta.csv", meta.encode()),
        pipeline_file=SimpleUploadedFile("pipeline.yaml", districts.PIPELINE.read_bytes()),
    )
