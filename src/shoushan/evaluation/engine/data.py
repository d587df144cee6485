"""Input of the engine: COINr's iData (one row per unit) and iMeta (one row per column of iData or
aggregate), read from CSV and checked, so that a mistake in an uploaded sheet is reported with its
row and column instead of surfacing later as a wrong number."""

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from shoushan.evaluation.engine.messages import _

# iMeta types that COINr knows; "Other" columns are carried in iData but never used.
NODE_TYPES = ("Indicator", "Aggregate")
META_TYPES = (*NODE_TYPES, "Group", "Denominator", "Other")
META_REQUIRED_COLUMNS = ("iCode", "Level", "Parent", "Weight", "Direction", "Type")
NA_STRINGS = frozenset({"", "NA", "NaN"})


class EngineError(Exception):
    """A computation the engine cannot do on the data it was given."""


class InputError(EngineError):
    """A problem in an input sheet. `row` is the spreadsheet row (the header is row 1) and
    `column` the column name, so a clerk can go straight to the cell."""

    def __init__(self, source: str, problem: str, *, row: int | None = None, column: str = ""):
        self.source = source
        self.row = row
        self.column = column
        self.problem = problem
        where = [source]
        if row is not None:
            where.append(f"row {row}")
        if column:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {problem}")


@dataclass(frozen=True)
class Table:
    """Numbers of units (rows) by codes (columns); NaN marks a missing value. The array is made
    read-only so that no step can change the table an earlier step produced."""

    units: tuple[str, ...]
    codes: tuple[str, ...]
    values: np.ndarray

    def __post_init__(self) -> None:
        values = np.array(self.values, dtype=float)
        if values.shape != (len(self.units), len(self.codes)):
            raise EngineError(
                f"table values have shape {values.shape}, "
                f"expected {(len(self.units), len(self.codes))}"
            )
        values.setflags(write=False)
        object.__setattr__(self, "values", values)

    def column(self, code: str) -> np.ndarray:
        return self.values[:, self.codes.index(code)]

    def with_values(self, values: np.ndarray) -> "Table":
        return Table(self.units, self.codes, values)

    def select_codes(self, codes: Sequence[str]) -> "Table":
        return Table(self.units, tuple(codes), self.values[:, [self.codes.index(c) for c in codes]])

    def select_units(self, keep: np.ndarray) -> "Table":
        units = tuple(u for u, k in zip(self.units, keep, strict=True) if k)
        return Table(units, self.codes, self.values[keep])


@dataclass(frozen=True)
class Node:
    """An indicator (level 1) or an aggregate (pillar, sub-index, index) of the framework."""

    code: str
    name: str
    level: int
    parent: str | None
    weight: float
    direction: int
    type: str
    denominator: str | None
    target: float | None


@dataclass(frozen=True)
class Framework:
    """The tree of indicators and aggregates described by iMeta, in iMeta order."""

    nodes: tuple[Node, ...]

    @property
    def indicators(self) -> tuple[Node, ...]:
        return tuple(n for n in self.nodes if n.level == 1)

    @property
    def max_level(self) -> int:
        return max(n.level for n in self.nodes)

    def level(self, level: int) -> tuple[Node, ...]:
        return tuple(n for n in self.nodes if n.level == level)

    def children(self, code: str) -> tuple[Node, ...]:
        return tuple(n for n in self.nodes if n.parent == code)


@dataclass(frozen=True)
class CompositeData:
    """Everything read from iData and iMeta: the raw indicators, the denominators, the group
    labels of each unit (None when blank) and the framework."""

    framework: Framework
    unit_names: tuple[str, ...]
    raw: Table
    denominators: Table
    groups: dict[str, tuple[str | None, ...]]


def _rows(path: Path, source: str) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        try:
            header = next(reader, None)
            if not header:
                raise InputError(source, _("the file is empty"))
            rows = []
            for line in reader:
                if len(line) != len(header):
                    raise InputError(
                        source,
                        _("has %(cells)s cells but the header has %(header)s")
                        % {"cells": len(line), "header": len(header)},
                        row=reader.line_num,
                    )
                rows.append(dict(zip(header, (cell.strip() for cell in line), strict=True)))
        except csv.Error as e:  # a cell longer than csv's limit, a NUL, a broken quote
            raise InputError(
                source, _("is not a CSV table: %(problem)s") % {"problem": e}, row=reader.line_num
            ) from None
    return header, rows


def _require_columns(header: Sequence[str], required: Sequence[str], source: str) -> None:
    for column in required:
        if column not in header:
            raise InputError(source, _("required column is missing"), row=1, column=column)


def _number(text: str, source: str, row: int, column: str) -> float:
    """NA-aware parse: blank or "NA" is missing (NaN); anything else must be a finite number."""
    if text in NA_STRINGS:
        return math.nan
    try:
        value = float(text)
    except ValueError:
        raise InputError(
            source, _("%(text)r is not a number") % {"text": text}, row=row, column=column
        ) from None
    if not math.isfinite(value):
        raise InputError(
            source, _("%(text)r is not a finite number") % {"text": text}, row=row, column=column
        )
    return value


def framework_read(path: Path) -> tuple[Framework, dict[str, str]]:
    """Read iMeta. Returns the framework and the type of every iData column it declares."""
    source = path.name
    header, rows = _rows(path, source)
    _require_columns(header, META_REQUIRED_COLUMNS, source)
    types: dict[str, str] = {}
    nodes: list[Node] = []
    node_rows: dict[str, int] = {}
    for row_number, row in enumerate(rows, start=2):
        code, kind = row["iCode"], row["Type"]
        if not code:
            raise InputError(source, _("iCode is blank"), row=row_number, column="iCode")
        if code in types:
            raise InputError(
                source,
                _("iCode %(code)r appears twice") % {"code": code},
                row=row_number,
                column="iCode",
            )
        if kind not in META_TYPES:
            raise InputError(
                source,
                _("Type %(kind)r is not one of %(types)s")
                % {"kind": kind, "types": ", ".join(META_TYPES)},
                row=row_number,
                column="Type",
            )
        types[code] = kind
        if kind not in NODE_TYPES:
            continue
        level = _number(row["Level"], source, row_number, "Level")
        if not (level >= 1 and level == int(level)):
            raise InputError(
                source, _("Level must be a whole number from 1"), row=row_number, column="Level"
            )
        if (kind == "Indicator") != (level == 1):
            raise InputError(
                source,
                _("indicators are level 1 and aggregates above"),
                row=row_number,
                column="Level",
            )
        weight = _number(row["Weight"], source, row_number, "Weight")
        if math.isnan(weight):
            raise InputError(source, _("Weight is missing"), row=row_number, column="Weight")
        direction = _number(row["Direction"], source, row_number, "Direction")
        if direction not in (-1, 1):
            raise InputError(
                source, _("Direction must be 1 or -1"), row=row_number, column="Direction"
            )
        target = _number(row.get("Target", ""), source, row_number, "Target")
        nodes.append(
            Node(
                code=code,
                name=row.get("iName", "") or code,
                level=int(level),
                parent=row["Parent"] or None,
                weight=weight,
                direction=int(direction),
                type=kind,
                denominator=row.get("Denominator", "") or None,
                target=None if math.isnan(target) else target,
            )
        )
        node_rows[code] = row_number
    if not any(n.level == 1 for n in nodes):
        raise InputError(source, _("no row has Type 'Indicator'"), column="Type")
    by_code = {n.code: n for n in nodes}
    top = max(n.level for n in nodes)
    for node in nodes:
        row_number = node_rows[node.code]
        parent = by_code.get(node.parent) if node.parent else None
        if node.parent and parent is None:
            raise InputError(
                source,
                _("Parent %(parent)r is not the iCode of an aggregate") % {"parent": node.parent},
                row=row_number,
                column="Parent",
            )
        if parent is None and node.level != top:
            raise InputError(
                source,
                _("only the top level may have no Parent"),
                row=row_number,
                column="Parent",
            )
        if parent is not None and parent.level != node.level + 1:
            raise InputError(
                source,
                _("Parent %(parent)r is at level %(level)s, expected %(expected)s")
                % {"parent": parent.code, "level": parent.level, "expected": node.level + 1},
                row=row_number,
                column="Parent",
            )
        if node.denominator and types.get(node.denominator) != "Denominator":
            raise InputError(
                source,
                _("Denominator %(code)r is not an iCode of Type 'Denominator'")
                % {"code": node.denominator},
                row=row_number,
                column="Denominator",
            )
    for node in nodes:
        if node.level > 1 and not any(n.parent == node.code for n in nodes):
            raise InputError(
                source,
                _("this aggregate has no children"),
                row=node_rows[node.code],
                column="iCode",
            )
    return Framework(tuple(nodes)), types


def composite_data_read(idata_path: Path, imeta_path: Path) -> CompositeData:
    """Read and check iData against iMeta: every declared column present, every indicator and
    denominator value a number or blank, every uCode present and unique."""
    framework, types = framework_read(imeta_path)
    source = idata_path.name
    header, rows = _rows(idata_path, source)
    data_columns = [code for code, kind in types.items() if kind != "Aggregate"]
    _require_columns(header, ["uCode", *data_columns], source)
    units: list[str] = []
    for row_number, row in enumerate(rows, start=2):
        code = row["uCode"]
        if not code:
            raise InputError(source, _("uCode is blank"), row=row_number, column="uCode")
        if code in units:
            raise InputError(
                source,
                _("uCode %(code)r appears twice") % {"code": code},
                row=row_number,
                column="uCode",
            )
        units.append(code)

    def numeric_table(codes: Sequence[str]) -> Table:
        values = [
            [_number(row[code], source, row_number, code) for code in codes]
            for row_number, row in enumerate(rows, start=2)
        ]
        return Table(
            tuple(units), tuple(codes), np.array(values, dtype=float).reshape(len(rows), len(codes))
        )

    indicator_codes = [n.code for n in framework.indicators]
    denominator_codes = [code for code, kind in types.items() if kind == "Denominator"]
    groups = {
        code: tuple(None if row[code] in NA_STRINGS else row[code] for row in rows)
        for code, kind in types.items()
        if kind == "Group"
    }
    return CompositeData(
        framework=framework,
        unit_names=tuple(row.get("uName", "") for row in rows),
        raw=numeric_table(indicator_codes),
        denominators=numeric_table(denominator_codes),
        groups=groups,
    )
