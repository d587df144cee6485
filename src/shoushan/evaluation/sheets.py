"""Uploaded sheets as the engine reads them: CSV text. A workbook's first sheet is turned into
CSV with its rows kept (header = row 1), so that the engine's messages point at the right cell."""

import csv
import io
import zipfile

from shoushan.core.errors import InvalidInput
from shoushan.core.tables import xlsx_check
from shoushan.evaluation.engine import InputError
from shoushan.evaluation.engine.messages import _

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm")


def sheet_text(name: str, content: bytes) -> str:
    """The CSV text of an uploaded CSV (UTF-8) or xlsx file named `name`."""
    if not name.lower().endswith(SPREADSHEET_SUFFIXES):
        try:
            return content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InputError(name, _("is not UTF-8 text; save it as CSV (UTF-8)")) from None
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        xlsx_check(content)
    except InvalidInput as e:
        raise InputError(name, e.message) from None
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, OSError, ValueError, KeyError, zipfile.BadZipFile):
        raise InputError(name, _("cannot be read as an Excel workbook")) from None
    try:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for row in workbook.worksheets[0].iter_rows(values_only=True):
            writer.writerow([_cell_text(value) for value in row])
        return out.getvalue()
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    """A cell as the CSV reader expects it: blank for empty, numbers in full precision."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)
