"""Indicator data sets: checked on upload by building them once, rebuilt on demand."""

import csv
import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from shoushan.audit.services import audit_record
from shoushan.core.errors import InvalidInput
from shoushan.evaluation.engine import CompositeData, EngineError, InputError
from shoushan.evaluation.engine.pipeline import (
    Pipeline,
    PipelineError,
    pipeline_build,
    pipeline_data_read,
    pipeline_read,
)
from shoushan.evaluation.engine.results import BuildResult
from shoushan.evaluation.models import Dataset
from shoushan.evaluation.sheets import sheet_text

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
        built = dataset_build(dataset)
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


def dataset_framework_edit(*, actor, dataset: Dataset, weights: dict, directions: dict) -> Dataset:
    """Change the Weight and Direction of framework rows (by iCode); the sheet keeps every other
    column and row as it was. Stored only if the index still builds; audited field by field."""
    reader = csv.DictReader(io.StringIO(dataset.meta_csv))
    header = list(reader.fieldnames or [])
    rows = list(reader)
    changes = {}
    for row in rows:
        code = row.get("iCode", "")
        for column, wanted in (("Weight", weights), ("Direction", directions)):
            if code in wanted and str(wanted[code]).strip() != row.get(column, ""):
                changes[f"{code}.{column}"] = [row.get(column, ""), str(wanted[code]).strip()]
                row[column] = str(wanted[code]).strip()
    if not changes:
        return dataset
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    before = dataset.meta_csv
    dataset.meta_csv = out.getvalue()
    try:
        dataset_build(dataset)
    except EngineError as e:
        dataset.meta_csv = before
        problem = e.problem if isinstance(e, InputError) else str(e)
        raise InvalidInput(
            _("The framework was not changed: %(problem)s") % {"problem": problem}
        ) from None
    with transaction.atomic():
        dataset.save(update_fields=["meta_csv"])
        audit_record(actor=actor, action="evaluation.framework_edit", obj=dataset, changes=changes)
    return dataset
