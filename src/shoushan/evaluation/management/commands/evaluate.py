"""`shoushan evaluate`: build a composite index from iData and iMeta sheets (CSV or xlsx) with an
optional pipeline file, and write the results table as CSV. A clerk's mistake in a sheet is
reported as one line naming the file, row and column, and no results file is written, so that a
stale or half-written table is never mistaken for the answer."""

import csv
import math
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from shoushan.evaluation.engine import EngineError
from shoushan.evaluation.engine.pipeline import (
    Pipeline,
    PipelineError,
    pipeline_build,
    pipeline_data_read,
    pipeline_read,
)
from shoushan.evaluation.engine.results import ResultsRow, results_columns, results_rows
from shoushan.evaluation.reports import Uncertainty, uncertainty_of
from shoushan.evaluation.services import Built
from shoushan.evaluation.sheets import SPREADSHEET_SUFFIXES, sheet_text

INPUT_ERROR_STATUS = 2


@contextmanager
def _as_csv(path: Path) -> Iterator[Path]:
    """Yield a CSV version of `path`. The first sheet of a workbook is written to a temporary
    file with the workbook's own name, so that the reader's messages name the user's file; its
    rows stay those of the sheet (header = row 1)."""
    if path.suffix.lower() not in SPREADSHEET_SUFFIXES:
        yield path
        return
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / path.name
        copy.write_text(sheet_text(path.name, path.read_bytes()), encoding="utf-8")
        yield copy


def _number_text(value: float) -> str:
    """Full precision, so that the CSV holds exactly what the engine computed; blank if missing."""
    return "" if math.isnan(value) else repr(value)


def _csv_write(out: Path, header: list[str], rows: list[list[str]]) -> None:
    """Write next to the target and rename, so that a failure leaves no partial file."""
    handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            writer.writerows(rows)
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _results_write(out: Path, columns: list[str], rows: list[ResultsRow]) -> None:
    lines = []
    for row in rows:
        scores = [_number_text(row.scores[code]) for code in columns[2:-1]]
        rank = "" if math.isnan(row.rank) else str(int(row.rank))
        lines.append([row.code, row.name, *scores, rank])
    _csv_write(out, columns, lines)


def _uncertainty_write(out: Path, uncertain: Uncertainty) -> None:
    """Each unit's rank as built and the median and 5–95 % interval of its rank over the
    replications, best rank first."""
    header = ["uCode", "uName", "Rank", "RankMedian", "RankP05", "RankP95"]
    cells = ("nominal", "median", "p05", "p95")
    rows = [
        [r["code"], r["name"], *("" if r[k] is None else str(r[k]) for k in cells)]
        for r in uncertain.rows
    ]
    _csv_write(out, header, rows)


class Command(BaseCommand):
    help = (
        "Build a composite index: iData (--data) and iMeta (--meta) as CSV or xlsx, an optional "
        "pipeline YAML (--pipeline; without it min-max [0, 100] and arithmetic means), results "
        "written to --out as CSV: uCode, uName, one column per aggregate, Rank."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("--data", required=True, type=Path, help="iData: one row per unit")
        parser.add_argument("--meta", required=True, type=Path, help="iMeta: the framework")
        parser.add_argument("--pipeline", type=Path, help="pipeline YAML file (optional)")
        parser.add_argument("--out", required=True, type=Path, help="results CSV to write")
        parser.add_argument(
            "--uncertainty",
            type=Path,
            help="also write each unit's rank interval (Monte Carlo, the pipeline's uncertainty "
            "section or the standard one) to this CSV, and print the Sobol indices",
        )

    def handle(
        self,
        *args,
        data: Path,
        meta: Path,
        pipeline: Path | None,
        out: Path,
        uncertainty: Path | None = None,
        **options,
    ) -> None:
        for path in (data, meta, pipeline):
            if path is not None and not path.is_file():
                message = _("%(path)s: file not found") % {"path": path}
                raise CommandError(message, returncode=INPUT_ERROR_STATUS)
        for target in (out, uncertainty):
            if target is not None and not target.parent.is_dir():
                message = _("%(path)s: folder not found") % {"path": target.parent}
                raise CommandError(message, returncode=INPUT_ERROR_STATUS)
        try:
            spec = pipeline_read(pipeline) if pipeline else Pipeline()
            with _as_csv(data) as data_csv, _as_csv(meta) as meta_csv:
                composite = pipeline_data_read(data_csv, meta_csv, spec)
            result = pipeline_build(composite, spec)
            built = Built(data=composite, result=result, pipeline=spec)
            uncertain = uncertainty_of(built) if uncertainty else None
        except PipelineError as error:
            raise CommandError("\n".join(error.lines), returncode=INPUT_ERROR_STATUS) from None
        except EngineError as error:
            raise CommandError(str(error), returncode=INPUT_ERROR_STATUS) from None
        rows = results_rows(composite, result)
        _results_write(out, results_columns(composite.framework), rows)
        self.stdout.write(
            _("%(count)d units written to %(path)s") % {"count": len(rows), "path": out}
        )
        if uncertainty and uncertain:
            _uncertainty_write(uncertainty, uncertain)
            self.stdout.write(
                _("rank intervals over %(runs)d replications written to %(path)s")
                % {"runs": uncertain.replications, "path": uncertainty}
            )
            for s in uncertain.sensitivity:
                self.stdout.write(
                    f"  {s['label']}: S1 = {s['first']}, ST = {s['total']} "
                    f"[{s['total_low']}, {s['total_high']}]"
                )
