"""Indicator data sets: checked on upload by building them once, rebuilt on demand."""

import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from shoushan.audit.services import audit_record
from shoushan.core.errors import InvalidInput
from shoushan.evaluation.engine import CompositeData, EngineError, InputError, composite_data_read
from shoushan.evaluation.engine.results import BuildResult, BuildSpec, composite_build
from shoushan.evaluation.models import Dataset

MAX_UPLOAD_BYTES = 5 * 1024 * 1024

# With no pipeline file: min-max [0, 100] and weighted arithmetic means on the raw data (COINr's
# JOSS-paper pipeline), which needs nothing but the framework.
PLAIN_BUILD = BuildSpec(denominate=False, imputation=None, dat_thresh=None, treat=False)


@dataclass(frozen=True)
class Built:
    data: CompositeData
    result: BuildResult


def dataset_build(dataset: Dataset) -> Built:
    """Read the stored sheets and build the index (milliseconds for provinces × indicators)."""
    data = _read(dataset.data_name, dataset.data_csv, dataset.meta_name, dataset.meta_csv)
    return Built(data=data, result=composite_build(data, PLAIN_BUILD))


def dataset_create(
    *, actor, name: str, note: str, data_file, meta_file, year: int | None = None
) -> Dataset:
    """Store a data set only if it reads and builds; otherwise raise InvalidInput naming the file,
    row and column, and store nothing."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("Give the data set a name."))
    sheets = []
    for upload in (data_file, meta_file):
        if upload is None:
            raise InvalidInput(_("Choose both files: the indicator data and the framework."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise InvalidInput(_("%(file)s is larger than 5 MB.") % {"file": upload.name})
        try:
            sheets.append((Path(upload.name).name, upload.read().decode("utf-8-sig")))
        except UnicodeDecodeError:
            raise InvalidInput(
                _("%(file)s is not UTF-8 text; save it as CSV (UTF-8).") % {"file": upload.name}
            ) from None
    (data_name, data_csv), (meta_name, meta_csv) = sheets
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
        created_by=actor,
    )
    try:
        built = dataset_build(dataset)
    except InputError as e:
        raise InvalidInput(
            _("The sheets could not be read; nothing was stored."),
            details=[{"file": e.source, "row": e.row, "column": e.column, "reason": e.problem}],
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


def _read(data_name: str, data_csv: str, meta_name: str, meta_csv: str) -> CompositeData:
    """The engine reads files, so the sheets go into a private temporary folder under their own
    names, which its error messages then quote."""
    with tempfile.TemporaryDirectory(prefix="shoushan-eval-") as folder:
        data_path, meta_path = Path(folder) / "data", Path(folder) / "meta"
        data_path.mkdir()
        meta_path.mkdir()
        data_file, meta_file = data_path / data_name, meta_path / meta_name
        data_file.write_text(data_csv, encoding="utf-8")
        meta_file.write_text(meta_csv, encoding="utf-8")
        return composite_data_read(data_file, meta_file)
